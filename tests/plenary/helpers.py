"""Shared builders of the plenary tests: the conference's agenda, more delegates, a running list.

Named users come from tests/fixtures.py: alice (coordinator) chairs the conference; carla chairs the
Colombian meeting only; bob is an accredited delegate (CO); olga an observer not yet accredited."""

import datetime as dt

from django.utils import timezone

from convoca.gatherings.models import Registration
from convoca.plenary import services
from convoca.plenary.models import AgendaItem, Speaker
from tests.fixtures import make_user


def add_participant(w, email, name, *, organisation=None, role=Registration.Role.DELEGATE, gathering=None,
                    status=Registration.Status.ACCREDITED):
    user, person = make_user(email, name)
    registration = Registration.objects.create(
        gathering=gathering or w.conference, person=person, role=role,
        organisation=organisation if organisation is not None else (w.org_co if role == Registration.Role.DELEGATE else None),
        mandate=Registration.Mandate.CONFIRMED if role == Registration.Role.DELEGATE else Registration.Mandate.NOT_REQUIRED,
        status=status,
    )
    return user, registration


def session(w, gathering=None, **values):
    start = timezone.now().replace(microsecond=0) + dt.timedelta(days=30)
    values.setdefault("title", "Sesión de la mañana")
    values.setdefault("starts_at", start)
    values.setdefault("ends_at", start + dt.timedelta(hours=3))
    values.setdefault("room", "Sala Bolívar")
    return services.create_session(w.alice, gathering or w.conference, **values)


def item(w, gathering=None, *, publish=True, current=False, **values):
    values.setdefault("title", "Informe de la coordinación")
    gathering = gathering or w.conference
    created = services.create_item(w.alice, gathering, **values)
    if publish:
        services.publish_programme(w.alice, gathering)
    if current:
        services.set_current_item(w.alice, gathering, created)
    return created


def fresh(obj):
    return type(obj).objects.get(pk=obj.pk)


def waiting(item):
    """[(registration id, reason)] of the waiting speakers, in order."""
    return list(Speaker.objects.filter(item=item, state=Speaker.State.WAITING).order_by("position", "number")
                .values_list("registration_id", "reason"))


def snapshot(item):
    """Everything a list-of-speakers write can change: compare before/after a refused input."""
    row = AgendaItem.objects.get(pk=item.pk)
    return (
        row.version, row.list_closed, row.spent_seconds, row.ordered_by_hand,
        list(Speaker.objects.filter(item=item).order_by("pk").values_list(
            "pk", "state", "position", "reason", "kind", "started_at", "elapsed_seconds")),
    )
