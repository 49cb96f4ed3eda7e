"""The demo shows this issue's parts: the named women's badges say "Delegada"/"Observadora", and Colombia's
committee finds two newcomers waiting (one asks to join, one proposes her collective); a second run adds
nothing and keeps what a person changed."""

from io import StringIO

import pytest
from django.core.management import call_command

from convoca.network.demo_data import email_of
from convoca.network.models import JoinRequest, Person

pytestmark = pytest.mark.django_db


def test_the_demo_has_address_forms_and_newcomers_waiting():
    call_command("demo", stdout=StringIO())
    assert Person.objects.get(email=email_of("delegada")).address_form == "feminine"
    assert Person.objects.get(email=email_of("observadora")).address_form == "feminine"
    requests = JoinRequest.objects.filter(status="pending", country="CO")
    assert requests.count() == 2 and {r.is_proposal for r in requests} == {True, False}
    Person.objects.filter(email=email_of("delegada")).update(address_form="neutral")
    call_command("demo", stdout=StringIO())
    assert Person.objects.get(email=email_of("delegada")).address_form == "neutral"
    assert JoinRequest.objects.count() == 2
