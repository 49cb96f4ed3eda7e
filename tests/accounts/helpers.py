"""Small builders shared by the accounts tests (real rows, no mocks)."""

import datetime as dt
import re
import time
from binascii import unhexlify

from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from convoca.accounts.models import ApiToken, Invitation, User, hash_token, new_token
from convoca.accounts.second_factor import VERIFIED_AT, required_for
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


# --- second factor ---------------------------------------------------------------------------

# RFC 6238's test key ("12345678901234567890"), for authenticator apps in tests.
TEST_TOTP_KEY = "3132333435363738393031323334353637383930"


def totp_code(key=TEST_TOTP_KEY, at=None, step_offset=0):
    """The 6 digits an authenticator app holding ``key`` shows at ``at`` (now)."""
    totp = TOTP(unhexlify(key), step=30, t0=0, digits=6)
    totp.time = (time.time() if at is None else at) + 30 * step_offset
    return f"{totp.token():06d}"


def give_authenticator(user, key=TEST_TOTP_KEY):
    """A confirmed authenticator app (TOTP device) for ``user``, as after enrolment."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    return device or TOTPDevice.objects.create(user=user, name="Authenticator app", key=key, confirmed=True)


def prove_second_factor(client, user):
    """Mark the client's (logged-in) session as having proved the second
    factor just now, as the code page does after a right code."""
    device = give_authenticator(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session[VERIFIED_AT] = int(time.time())
    session.save()
    return device


def enrol_if_required(client, user):
    """Coordinators and national committee members must have a second factor:
    give them one and prove it in the client's session (tests of other apps
    log them in with ``force_login``, which knows nothing of it)."""
    if required_for(user):
        prove_second_factor(client, user)
    return client
