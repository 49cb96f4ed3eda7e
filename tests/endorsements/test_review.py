"""Approval by the national committee of the endorsement's country, and the coordinators' CSV export.
Bad inputs tried: another country's committee deciding, a decision on an endorsement not waiting for one,
a plain member opening the review page and the export, cells that a spreadsheet reads as formulas."""

import csv
import io

import pytest
from django.urls import reverse

from convoca.audit.models import Entry
from convoca.core.errors import PermissionDenied, ServiceError
from convoca.endorsements import services
from convoca.endorsements.models import Endorsement
from tests.endorsements.helpers import declaration, sign
from tests.fixtures import client_for

pytestmark = pytest.mark.django_db


def _pending(world, **changes):
    found = declaration(world)
    services.change_settings(world.alice, world.conference, individuals_allowed=False, committee_approval=True)
    endorsement, (token, _w) = sign(found, **changes)
    assert services.verify(token).state == "pending"
    return found, endorsement


def test_it_waits_for_the_committee_of_its_country(world):
    found, endorsement = _pending(world, country="CO", organisation="Sindicato del Valle")
    client = client_for(world.carla)
    page = client.get(reverse("endorsements:list", args=["conferencia"])).content.decode()
    assert "Sindicato del Valle" not in page
    review = client.get(reverse("endorsements:review", args=["conferencia"])).content.decode()
    assert "Sindicato del Valle" in review
    assert "Sindicato del Valle" not in client_for(world.marco).get(
        reverse("endorsements:review", args=["conferencia"])).content.decode()
    with pytest.raises(PermissionDenied):
        services.decide(world.marco, endorsement, approve=True)
    client.post(reverse("endorsements:decide", args=["conferencia", endorsement.pk]), {"decision": "approve"})
    assert Endorsement.objects.get().state == "public"
    assert "Sindicato del Valle" in client.get(reverse("endorsements:list", args=["conferencia"])).content.decode()
    assert services.decide(world.carla, endorsement, approve=True).state == "public"  # a retry changes nothing
    with pytest.raises(ServiceError, match="not waiting"):
        services.decide(world.carla, endorsement, approve=False)


def test_it_exports_csv_for_coordinators_with_formulas_neutralised(world):
    found, endorsement = _pending(world, organisation="=HYPERLINK(\"http://evil\")", signatory="@SUM(A1)")
    assert client_for(world.nadia).post(reverse("endorsements:export", args=["conferencia"])).status_code == 403
    response = client_for(world.alice).post(reverse("endorsements:export", args=["conferencia"]))
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][:3] == ["id", "kind", "organisation"]
    assert rows[1][2] == "'=HYPERLINK(\"http://evil\")" and rows[1][5] == "'@SUM(A1)"
    assert rows[1][8] == "ana@cut.example".replace("ana", "Ana")
    assert Entry.objects.filter(action="endorsements.exported").count() == 1
