"""The services of days of action: moderation, RSVPs and their places, and each bad input refused with nothing
written."""

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from convoca.actions import services
from convoca.actions.models import Action, Rsvp, TrustedHost
from convoca.core.errors import NotFound, PermissionDenied, ServiceError
from tests.actions.helpers import action, campaign, data


def _counts():
    return Action.objects.count(), Rsvp.objects.count()


@pytest.mark.django_db(transaction=True)
class TestModeration:
    def test_it_waits_for_the_committee_then_publishes_and_tells_the_host(self, world):
        created = services.create_action(world.bob, campaign(world), data())
        assert created.state == Action.State.PENDING
        with pytest.raises(PermissionDenied):
            services.approve_action(world.marco, created)  # Mexico's committee does not moderate Colombia
        mail.outbox.clear()
        services.approve_action(world.carla, created)
        created.refresh_from_db()
        assert created.state == Action.State.APPROVED
        assert len(mail.outbox) == 1 and mail.outbox[0].to == ["bob@example.org"]
        assert "Marcha por el derecho a migrar" in mail.outbox[0].subject

    def test_it_publishes_directly_for_a_trusted_host(self, world):
        first = services.create_action(world.bob, campaign(world), data())
        services.approve_action(world.carla, first, trust=True)
        assert TrustedHost.objects.filter(user=world.bob, country="CO").exists()
        second = services.create_action(world.bob, campaign(world), data(title="Vigilia"))
        assert second.state == Action.State.APPROVED
        elsewhere = services.create_action(world.bob, campaign(world), data(country="MX", timezone="America/Mexico_City"))
        assert elsewhere.state == Action.State.PENDING

    def test_it_rejects_with_a_reason_the_host_reads(self, world):
        created = services.create_action(world.bob, campaign(world), data())
        with pytest.raises(ServiceError, match="Say why"):
            services.reject_action(world.carla, created, "  ")
        mail.outbox.clear()
        services.reject_action(world.carla, created, "Falta la hora exacta")
        created.refresh_from_db()
        assert created.state == Action.State.REJECTED and created.rejection_reason == "Falta la hora exacta"
        assert "Falta la hora exacta" in mail.outbox[0].body
        with pytest.raises(ServiceError, match="already decided"):
            services.approve_action(world.carla, created)


@pytest.mark.django_db
class TestBadActions:
    @pytest.mark.parametrize(("changes", "field"), [
        ({"starts_at": timezone.now().replace(tzinfo=None) - dt.timedelta(days=1)}, "starts_at"),  # in the past
        ({"ends_at": timezone.now().replace(tzinfo=None) + dt.timedelta(days=4)}, "ends_at"),  # end before start
        ({"timezone": "America/Atlantis"}, "timezone"),  # unknown zone
        ({"starts_at": dt.datetime(9999, 12, 31, 23, 0), "ends_at": dt.datetime(9999, 12, 31, 23, 30)}, "starts_at"),
        ({"timezone": "../../etc/passwd"}, "timezone"),
        ({"country": "XX"}, "country"),  # unknown country
        ({"kind": "online", "online_url": ""}, "online_url"),  # online without a link
        ({"online_url": "javascript:alert(1)"}, "online_url"),
        ({"latitude": 95.0}, "latitude"),
        ({"latitude": 4.6, "longitude": None}, "latitude"),
        ({"capacity": 0}, "capacity"),
        ({"kind": "picnic"}, "kind"),
    ])
    def test_it_refuses_and_writes_nothing(self, world, changes, field):
        campaign(world)
        before = _counts()
        with pytest.raises(ServiceError) as refused:
            services.create_action(world.bob, campaign(world), data(**changes))
        assert refused.value.field == field and str(refused.value.message)
        assert _counts() == before

    def test_it_reads_the_local_time_in_the_places_zone(self, world):
        year = timezone.now().year + 1
        created = action(world, starts_at=dt.datetime(year, 3, 1, 10, 0), ends_at=dt.datetime(year, 3, 1, 12, 0),
                         timezone="America/Guadeloupe", country="GP", city="Pointe-à-Pitre")
        assert created.starts_at == dt.datetime(year, 3, 1, 14, 0, tzinfo=dt.UTC)

    def test_it_keeps_the_map_point_coarse(self, world):
        created = action(world)
        assert (float(created.latitude), float(created.longitude)) == (4.6, -74.1)

    def test_it_refuses_a_stranger_hosting_for_an_organisation(self, world):
        with pytest.raises(PermissionDenied):
            services.create_action(world.nadia, campaign(world), data(), organisation=world.org_co)
        assert not Action.objects.exists()


@pytest.mark.django_db(transaction=True)
class TestRsvps:
    def test_it_holds_a_place_and_emails_a_signed_link(self, world):
        target = action(world)
        mail.outbox.clear()
        entry = services.rsvp(target, name="Luz", email="Luz@Example.org")
        assert entry.state == Rsvp.State.UNCONFIRMED and entry.email_key == "luz@example.org"
        assert len(mail.outbox) == 1 and mail.outbox[0].to == ["Luz@Example.org"]
        token = services.confirm_token(entry)
        assert services.confirm_url(entry) in mail.outbox[0].body
        assert services.confirm_rsvp(token).state == Rsvp.State.CONFIRMED
        target.refresh_from_db()
        assert target.rsvp_count == 1

    def test_it_queues_the_confirmation_by_id_alone_and_the_worker_writes_it(self, world, settings):
        """At scale (the database task backend) the request queues the RSVP's id; the worker renders and sends
        the email: neither the task table nor the request holds its address or its secret link."""
        from django_tasks_db.models import DBTaskResult

        from convoca.actions import tasks

        target = action(world)
        settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
        mail.outbox.clear()
        entry = services.rsvp(target, name="Luz", email="Luz@Example.org")
        assert mail.outbox == []
        queued = DBTaskResult.objects.get()
        assert queued.task_path == "convoca.actions.tasks.send_rsvp_confirmations"
        assert queued.args_kwargs == {"args": [[entry.pk]], "kwargs": {}}
        tasks.send_rsvp_confirmations.call(*queued.args_kwargs["args"])  # what the worker runs
        assert DBTaskResult.objects.count() == 1  # sent from the worker, not queued again
        assert len(mail.outbox) == 1 and mail.outbox[0].to == ["Luz@Example.org"]
        assert services.confirm_url(entry) in mail.outbox[0].body and "Luz" in mail.outbox[0].body

    @pytest.mark.parametrize("token", ["nonsense", "eyJyIjoxLCJlIjoieEB5LnoifQ:1abc:forged"])
    def test_it_refuses_a_forged_link(self, world, token):
        with pytest.raises(ServiceError, match="not valid"):
            services.confirm_rsvp(token)

    def test_it_refuses_a_second_rsvp_with_the_same_email(self, world):
        target = action(world)
        services.rsvp(target, name="Luz", email="luz@example.org")
        with pytest.raises(ServiceError, match="already has a place"):
            services.rsvp(target, name="Otra", email="LUZ@example.org")
        target.refresh_from_db()
        assert target.rsvp_count == 1 and Rsvp.objects.count() == 1

    def test_it_refuses_a_full_action(self, world):
        target = action(world, capacity=1)
        services.rsvp(target, name="Luz", email="luz@example.org")
        with pytest.raises(ServiceError, match="full"):
            services.rsvp(target, name="Ana", email="ana@example.org")
        assert Rsvp.objects.count() == 1

    def test_it_refuses_a_cancelled_or_unapproved_action(self, world):
        pending = action(world, approve=False)
        with pytest.raises(NotFound):
            services.rsvp(pending, name="Luz", email="luz@example.org")
        cancelled = action(world, title="Otra")
        services.cancel_action(world.bob, cancelled)
        cancelled.refresh_from_db()
        with pytest.raises(ServiceError, match="cancelled"):
            services.rsvp(cancelled, name="Luz", email="luz@example.org")
        assert not Rsvp.objects.exists()

    def test_it_gives_a_place_back(self, world):
        target = action(world, capacity=1)
        entry = services.rsvp(target, name="Luz", email="luz@example.org")
        services.cancel_rsvp(services.confirm_token(entry))
        target.refresh_from_db()
        assert target.rsvp_count == 0 and not Rsvp.objects.exists()
        services.rsvp(target, name="Ana", email="ana@example.org")  # the place is free again

    def test_it_reminds_once_the_day_before(self, world):
        from convoca.actions import ticks

        target = action(world)
        entry = services.rsvp(target, name="Luz", email="luz@example.org")
        services.confirm_rsvp(services.confirm_token(entry))
        mail.outbox.clear()
        assert ticks.tick(timezone.now()) == {"reminders": 0}  # five days before: not yet
        day_before = target.starts_at - dt.timedelta(hours=20)
        assert ticks.tick(day_before) == {"reminders": 1}
        assert ticks.tick(day_before) == {"reminders": 0}
        assert len(mail.outbox) == 1 and "Tomorrow" in mail.outbox[0].subject
        assert "Plaza de Bolívar" not in mail.outbox[0].body  # nobody sees the address until the day

    def test_it_takes_the_hosts_report_after_the_action(self, world):
        target = action(world)
        with pytest.raises(ServiceError, match="once the action is over"):
            services.report_back(world.bob, target, attendance=40, report="")
        services.report_back(world.bob, target, attendance=40, report="Bien", now=target.ends_at + dt.timedelta(hours=1))
        target.refresh_from_db()
        assert target.attendance == 40
        with pytest.raises(PermissionDenied):
            services.report_back(world.nadia, target, attendance=1, report="", now=target.ends_at)
