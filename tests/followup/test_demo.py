"""The demo's endorsements and follow-up: the published declaration endorsed by organisations of many
countries (some waiting), working groups with members, every adopted resolution with its record, progress in
several statuses; the public pages show them."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from convoca.endorsements.models import Endorsement
from convoca.followup.models import Implementation, Update, WorkingGroup
from convoca.gatherings.demo_data import CONFERENCE
from convoca.proposals.models import Proposal


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        call_command("demo", stdout=StringIO())
        yield
        call_command("flush", interactive=False, verbosity=0)


def test_it_loads_endorsements_from_many_countries(demo):
    public = Endorsement.objects.filter(state="public")
    assert public.values("country").distinct().count() >= 20
    assert Endorsement.objects.filter(state="pending").exists() and Endorsement.objects.filter(state="unverified").exists()
    page = Client().get(reverse("endorsements:list", args=[CONFERENCE["slug"]])).content.decode()
    assert "Haiti" in page and "Brazil" in page


def test_it_loads_working_groups_and_progress(demo):
    adopted = Proposal.objects.filter(gathering__slug=CONFERENCE["slug"], state="adopted")
    assert Implementation.objects.filter(proposal__in=adopted).count() == adopted.count() >= 2
    assert WorkingGroup.objects.count() >= 2 and Update.objects.exists()
    assert set(Implementation.objects.values_list("status", flat=True)) >= {"not_started"} | {
        s for s in ("in_progress", "done", "blocked") if Update.objects.filter(status=s).exists()}
    page = Client().get(reverse("followup:accountability", args=[CONFERENCE["slug"]])).content.decode()
    assert "Comité de seguimiento Brasil" in page and "Brazil" in page
