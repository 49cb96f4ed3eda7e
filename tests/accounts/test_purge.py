import datetime as dt
from io import StringIO

from django.core.management import call_command
from django.utils import timezone

from convoca.accounts.models import Invitation, hash_token, new_token


def _invitation(world, age_days, **fields):
    created = timezone.now() - dt.timedelta(days=age_days)
    invitation = Invitation.objects.create(
        email=f"x{age_days}{len(fields)}@example.org", token_hash=hash_token(new_token()), created_by=world.alice,
        expires_at=fields.pop("expires_at", created + dt.timedelta(days=14)), **fields,
    )
    Invitation.objects.filter(pk=invitation.pk).update(created_at=created)
    return invitation


def test_it_purges_only_finished_invitations_older_than_a_month(world):
    old_expired = _invitation(world, 60)
    old_accepted = _invitation(world, 45, accepted_at=timezone.now() - dt.timedelta(days=40))
    old_still_valid = _invitation(world, 40, expires_at=timezone.now() + dt.timedelta(days=5))
    recent_expired = _invitation(world, 20, expires_at=timezone.now() - dt.timedelta(days=1))
    out = StringIO()
    call_command("purge", stdout=out)
    remaining = set(Invitation.objects.values_list("pk", flat=True))
    assert old_expired.pk not in remaining and old_accepted.pk not in remaining
    assert {old_still_valid.pk, recent_expired.pk} <= remaining
    assert "- invitations used, withdrawn or expired, created more than 30 days ago: 2" in out.getvalue()
