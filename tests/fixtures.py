"""Shared named users, one per role (healthchecks style):

alice  – coordinator
carla  – national committee member for Colombia (CO)
marco  – national committee member for Mexico (MX)
bob    – delegate of Sindicato Andino (CO), accredited at the conference
olga   – observer registered at the conference (requested)
tomas  – translator
nadia  – plain coalition member, no registration
"""

import datetime as dt

import pytest
from django.test import Client

from convoca.accounts.models import User
from convoca.core import events
from convoca.gatherings.models import Gathering, Registration
from convoca.network.models import Membership, NationalCommittee, Organisation, Person, Sector
from tests.accounts.helpers import enrol_if_required

PASSWORD = "correct horse battery staple"


def make_user(email, name, **flags):
    user = User.objects.create_user(email, PASSWORD, **flags)
    person = Person.objects.create(display_name=name, email=email, user=user)
    return user, person


class World:
    pass


@pytest.fixture
def world(db):
    w = World()
    w.today = dt.date.today()
    w.alice, w.alice_person = make_user("alice@example.org", "Alice Coordinadora", is_coordinator=True)
    w.carla, w.carla_person = make_user("carla@example.org", "Carla Comité")
    w.marco, w.marco_person = make_user("marco@example.org", "Marco Comité")
    w.bob, w.bob_person = make_user("bob@example.org", "Bob Delegado")
    w.olga, w.olga_person = make_user("olga@example.org", "Olga Observadora")
    w.tomas, w.tomas_person = make_user("tomas@example.org", "Tomás Traductor", is_translator=True)
    w.nadia, w.nadia_person = make_user("nadia@example.org", "Nadia Miembro")

    w.committee_co = NationalCommittee.objects.create(country="CO")
    w.committee_co.members.add(w.carla_person)
    w.committee_mx = NationalCommittee.objects.create(country="MX")
    w.committee_mx.members.add(w.marco_person)

    w.org_co = Organisation.objects.create(
        name="Sindicato Andino", country="CO", sector=Sector.TRADE_UNION, is_public=True, contact=w.carla_person
    )
    w.org_mx = Organisation.objects.create(name="Red Migrante del Norte", country="MX", sector=Sector.MIGRANT_RIGHTS)
    Membership.objects.create(person=w.bob_person, organisation=w.org_co)

    w.conference = Gathering.objects.create(
        kind=Gathering.Kind.CONFERENCE, slug="conferencia", title="Conferencia Continental",
        starts_on=w.today + dt.timedelta(days=30), ends_on=w.today + dt.timedelta(days=32), place="Ciudad de Panamá",
    )
    w.prep_co = Gathering.objects.create(
        kind=Gathering.Kind.PREPARATORY, slug="prep-co", title="Encuentro preparatorio Colombia", country="CO",
        starts_on=w.today + dt.timedelta(days=10), ends_on=w.today + dt.timedelta(days=10), place="Bogotá",
    )
    w.prep_mx = Gathering.objects.create(
        kind=Gathering.Kind.PREPARATORY, slug="prep-mx", title="Encuentro preparatorio México", country="MX",
        starts_on=w.today + dt.timedelta(days=12), ends_on=w.today + dt.timedelta(days=12), place="CDMX",
    )
    w.bob_reg = Registration.objects.create(
        gathering=w.conference, person=w.bob_person, role=Registration.Role.DELEGATE, organisation=w.org_co,
        mandate=Registration.Mandate.CONFIRMED, status=Registration.Status.ACCREDITED, decided_by=w.alice,
    )
    w.olga_reg = Registration.objects.create(
        gathering=w.conference, person=w.olga_person, role=Registration.Role.OBSERVER,
    )
    w.users = {
        "anonymous": None, "alice": w.alice, "carla": w.carla, "marco": w.marco, "bob": w.bob,
        "olga": w.olga, "tomas": w.tomas, "nadia": w.nadia,
    }
    return w


def client_for(user):
    client = Client()
    if user is not None:
        client.force_login(user)
        enrol_if_required(client, user)  # coordinators and committee members log in with a second factor
    return client


@pytest.fixture
def as_user():
    """as_user(world.alice) -> a logged-in Django test client."""
    return client_for


@pytest.fixture
def bus():
    """A fresh in-process bus of live events for the test (the process's own is restored after)."""
    fresh = events.LocalBus()
    previous = events.use(fresh)
    yield fresh
    events.use(previous)
