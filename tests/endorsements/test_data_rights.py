"""Retention and data rights of endorsements: a sign-on never confirmed is deleted once its link has expired;
a person's download and erasure include the endorsements made with their email."""

import datetime as dt

import pytest
from django.utils import timezone

from convoca.endorsements import personal_data, retention, services
from convoca.endorsements.models import Endorsement
from tests.endorsements.helpers import declaration, sign

pytestmark = pytest.mark.django_db


def test_it_forgets_sign_ons_never_confirmed(world):
    found = declaration(world)
    services.verify(sign(found)[1][0])
    sign(found, email="late@x.org", organisation="Late")
    later = timezone.now() + dt.timedelta(days=15)
    assert retention.purge(later, dry_run=True)[0][1] == 1 and Endorsement.objects.count() == 2
    assert retention.purge(later)[0][1] == 1
    assert list(Endorsement.objects.values_list("organisation", flat=True)) == ["Central Única dos Trabalhadores"]
    assert retention.purge(later)[0][1] == 0


def test_a_person_downloads_and_erases_their_endorsements(world):
    found = declaration(world)
    sign(found, email=world.carla_person.email.upper() or "carla@x.org")
    world.carla_person.email = world.carla_person.email or "carla@x.org"
    exported = personal_data.export(world.carla_person)
    assert exported["endorsements"][0]["organisation"] == "Central Única dos Trabalhadores"
    assert personal_data.export(world.marco_person) is None
    personal_data.erase(world.carla_person)
    assert not Endorsement.objects.exists()
