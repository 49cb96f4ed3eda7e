"""Registrations of gatherings that ended more than RETENTION_REGISTRATION_DAYS
ago keep only what the coalition's record needs (``convoca purge``)."""

import datetime as dt

from django.utils import timezone

from convoca.gatherings import retention
from convoca.gatherings.models import Gathering, Registration
from convoca.voting.models import Voter
from tests.gatherings.helpers import observer
from tests.voting.helpers import check_in, open_poll


def _end(gathering, days_ago):
    day = dt.date.today() - dt.timedelta(days=days_ago)
    Gathering.objects.filter(pk=gathering.pk).update(starts_on=day, ends_on=day)


def _counts(result):
    return [count for _what, count in result]


def test_it_deletes_registrations_never_accredited_and_reduces_the_others(world, settings):
    w = world
    settings.RETENTION_REGISTRATION_DAYS = 30
    refused = observer(w.conference, w.nadia_person, status=Registration.Status.REFUSED,
                       refusal_reason="Nadia's visa was refused", decided_by=w.alice)
    _end(w.conference, days_ago=31)
    assert _counts(retention.purge(timezone.now())) == [2, 1]  # olga (requested) and nadia (refused); bob reduced
    assert set(Registration.objects.values_list("pk", flat=True)) == {w.bob_reg.pk}
    bob = Registration.objects.get(pk=w.bob_reg.pk)
    assert bob.person_id == w.bob_person.pk and bob.organisation_id == w.org_co.pk and bob.is_accredited
    assert bob.decided_by_id is None and bob.badge_revoked_at is not None and not bob.badge_is_valid
    assert not Registration.objects.filter(pk=refused.pk).exists()


def test_it_keeps_a_registration_that_another_record_points_to(world, settings):
    w = world
    check_in(w.bob_reg)
    poll = open_poll(w, secrecy="named")
    Registration.objects.filter(pk=w.bob_reg.pk).update(status=Registration.Status.REFUSED, refusal_reason="Left")
    _end(w.conference, days_ago=settings.RETENTION_REGISTRATION_DAYS + 1)
    assert _counts(retention.purge(timezone.now())) == [1, 1]  # olga deleted; bob's (on a roll) kept, reduced
    bob = Registration.objects.get(pk=w.bob_reg.pk)
    assert bob.refusal_reason == "—" and Voter.objects.filter(poll=poll, registration=bob).exists()


def test_it_leaves_recent_and_coming_gatherings_alone(world, settings):
    w = world
    _end(w.conference, days_ago=settings.RETENTION_REGISTRATION_DAYS - 1)
    before = list(Registration.objects.order_by("pk").values())
    assert _counts(retention.purge(timezone.now())) == [0, 0]
    assert list(Registration.objects.order_by("pk").values()) == before


def test_it_counts_without_changing_anything_in_a_dry_run_and_changes_nothing_the_second_time(world):
    w = world
    _end(w.conference, days_ago=365)
    before = list(Registration.objects.order_by("pk").values())
    assert _counts(retention.purge(timezone.now(), dry_run=True)) == [1, 1]
    assert list(Registration.objects.order_by("pk").values()) == before
    assert _counts(retention.purge(timezone.now())) == [1, 1]
    after = list(Registration.objects.order_by("pk").values())
    assert _counts(retention.purge(timezone.now())) == [0, 0]
    assert list(Registration.objects.order_by("pk").values()) == after
