"""Days of action's retention, data rights, ticker hook and audit labels."""

import datetime as dt

import pytest

from convoca.actions import audit_labels, personal_data, retention, services
from convoca.actions.models import Action, Rsvp
from tests.actions.helpers import action


@pytest.mark.django_db
class TestRetention:
    def test_it_deletes_rsvps_a_week_after_the_action_and_keeps_the_counts(self, world):
        target = action(world)
        services.confirm_rsvp(services.confirm_token(services.rsvp(target, name="Luz", email="luz@example.org")))
        assert retention.purge(target.ends_at + dt.timedelta(days=6))[0][1] == 0
        later = target.ends_at + dt.timedelta(days=8)
        assert retention.purge(later, dry_run=True)[0][1] == 1 and Rsvp.objects.count() == 1
        assert retention.purge(later)[0][1] == 1
        assert not Rsvp.objects.exists() and Action.objects.get().rsvp_count == 1
        assert retention.purge(later)[0][1] == 0

    def test_it_gives_back_places_never_confirmed(self, world):
        target = action(world, capacity=1)
        entry = services.rsvp(target, name="Luz", email="luz@example.org")
        assert retention.purge(entry.created_at + dt.timedelta(hours=49))[1][1] == 1
        target.refresh_from_db()
        assert target.rsvp_count == 0 and not Rsvp.objects.exists()


@pytest.mark.django_db
class TestDataRights:
    def test_it_exports_and_erases_a_persons_rsvps(self, world):
        target = action(world)
        services.rsvp(target, name="Nadia", email="NADIA@example.org")
        exported = personal_data.export(world.nadia_person)
        assert exported["rsvps"][0]["name"] == "Nadia"
        personal_data.erase(world.nadia_person)
        assert not Rsvp.objects.exists()

    def test_it_blocks_erasing_the_host_of_an_action_to_come(self, world):
        action(world)
        assert "Marcha por el derecho a migrar" in personal_data.blockers(world.bob_person)[0]
        assert personal_data.blockers(world.nadia_person) == []


@pytest.mark.django_db
def test_it_names_actions_on_the_audit_trail_for_who_may_see_them(world):
    published = action(world)
    pending = action(world, approve=False, title="Pendiente")
    refs = {("actions.action", str(published.pk)), ("actions.action", str(pending.pk))}
    assert set(audit_labels.labels(world.nadia, refs).values()) == {published.title}
    assert set(audit_labels.labels(world.alice, refs).values()) == {published.title, "Pendiente"}
