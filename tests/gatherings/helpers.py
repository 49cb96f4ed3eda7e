"""Small helpers shared by the gatherings tests."""

import datetime as dt

from convoca.gatherings.models import Gathering, Registration
from convoca.network.models import Membership


def snapshot():
    """Everything the gatherings app stores, to assert a refusal wrote nothing."""
    return (
        list(Gathering.objects.order_by("pk").values()),
        list(Registration.objects.order_by("pk").values()),
    )


def gathering_data(**overrides):
    """Valid POST data for the gathering form."""
    today = dt.date.today()
    data = {
        "kind": "preparatory", "title": "Encuentro preparatorio Brasil", "slug": "prep-br", "country": "BR",
        "starts_on": (today + dt.timedelta(days=20)).isoformat(), "ends_on": (today + dt.timedelta(days=21)).isoformat(),
        "place": "São Paulo", "online_url": "", "description": "", "registration_open": "on",
    }
    data.update(overrides)
    return data


def delegate(world, gathering, person, organisation, mandate=Registration.Mandate.PENDING, **extra):
    Membership.objects.get_or_create(person=person, organisation=organisation)
    return Registration.objects.create(
        gathering=gathering, person=person, role=Registration.Role.DELEGATE, organisation=organisation,
        mandate=mandate, **extra,
    )


def observer(gathering, person, **extra):
    return Registration.objects.create(gathering=gathering, person=person, role=Registration.Role.OBSERVER, **extra)
