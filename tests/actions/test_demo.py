"""convoca demo: a continental day of action with a few hundred actions, once."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Count
from django.urls import reverse

from convoca.actions.demo import SLUG
from convoca.actions.models import Action, Campaign, Rsvp

pytestmark = pytest.mark.django_db


def test_it_loads_a_day_of_action_across_the_americas_once(client):
    call_command("demo", stdout=StringIO())
    campaign = Campaign.objects.get(slug=SLUG)
    actions = Action.objects.filter(campaign=campaign)
    assert actions.count() >= 200
    assert actions.filter(state="pending").exists() and actions.filter(state="approved").count() > 200
    assert actions.values("timezone").distinct().count() >= 10
    assert actions.values("country").distinct().count() >= 30
    assert actions.filter(country="GP").exists()
    assert Rsvp.objects.filter(action__campaign=campaign).count() > 1000
    for row in actions.annotate(n=Count("rsvps")).values("rsvp_count", "n")[:50]:
        assert row["rsvp_count"] == row["n"]
    page = client.get(reverse("actions:campaign", args=[SLUG]))
    assert 'data-country="GP"' in page.content.decode()
    counts = (Action.objects.count(), Rsvp.objects.count())
    call_command("demo", stdout=StringIO())
    assert (Action.objects.count(), Rsvp.objects.count()) == counts
