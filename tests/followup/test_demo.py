"""The demo's endorsements and follow-up: the published declaration endorsed by organisations of many
countries (some waiting), working groups with members, every adopted resolution with its record, progress in
several statuses; the public pages show them."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from convoca.endorsements.models import Endorsement
from convoca.followup.models import Implementation, Update, WorkingGroup
from convoca.gatherings.demo_data import CONFERENCE
from convoca.proposals.models import Proposal

pytestmark = pytest.mark.django_db


def test_it_loads_endorsements_working_groups_and_progress(client):
    call_command("demo", stdout=StringIO())
    public = Endorsement.objects.filter(state="public")
    assert public.values("country").distinct().count() >= 20
    assert Endorsement.objects.filter(state="pending").exists() and Endorsement.objects.filter(state="unverified").exists()
    page = client.get(reverse("endorsements:list", args=[CONFERENCE["slug"]])).content.decode()
    assert "Haiti" in page and "Brazil" in page

    adopted = Proposal.objects.filter(gathering__slug=CONFERENCE["slug"], state="adopted")
    assert Implementation.objects.filter(proposal__in=adopted).count() == adopted.count() >= 2
    assert WorkingGroup.objects.count() >= 2 and Update.objects.exists()
    assert Update.objects.values("status").distinct().count() >= 2
    page = client.get(reverse("followup:accountability", args=[CONFERENCE["slug"]])).content.decode()
    assert "Comité de seguimiento Brasil" in page and "Brazil" in page
    call_command("demo", stdout=StringIO())  # a second run adds nothing
    assert Endorsement.objects.count() == 135 and WorkingGroup.objects.count() >= 2
