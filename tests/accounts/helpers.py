"""Small builders shared by the accounts tests (real rows, no mocks)."""

import datetime as dt
import re

from django.utils import timezone

from convoca.accounts.models import ApiToken, Invitation, User, hash_token, new_token
from convoca.network.models import NationalCommittee, Person

NEW_PASSWORD = "tinned peaches on a windy pier"


def make_invitation(world, email="new.person@example.org", role=Invitation.Role.MEMBER, committee=None,
                    expires_in=dt.timedelta(days=7), **fields):
    """An invitation row and the raw token of its link."""
    raw = new_token()
    invitation = Invitation.objects.create(
        email=email, role=role, committee=committee, token_hash=hash_token(raw), created_by=world.alice,
        expires_at=timezone.now() + expires_in, **fields,
    )
    return invitation, raw


def token_from_email(message):
    match = re.search(r"/accounts/invite/([A-Za-z0-9_-]+)/", message.body)
    assert match, message.body
    return match.group(1)


def counts():
    """What an accounts write can touch; compare before/after a refused input."""
    return {
        "users": User.objects.count(),
        "people": Person.objects.count(),
        "invitations": Invitation.objects.count(),
        "claimed": Invitation.objects.filter(accepted_at__isnull=False).count(),
        "revoked": Invitation.objects.filter(revoked_at__isnull=False).count(),
        "committee_seats": NationalCommittee.members.through.objects.count(),
        "tokens": ApiToken.objects.count(),
        "active_tokens": ApiToken.objects.filter(revoked_at__isnull=True).count(),
    }
