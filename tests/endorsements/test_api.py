"""Endorsements as OSDI signatures in /api/v1/. Bad inputs tried: an unpublished declaration (404), a sign-on by
a non-coordinator (403), a duplicate (400 with its code), an unknown country (400 naming the field), markup in
a name (400), no token (401)."""

import json

import pytest

from convoca.endorsements import services
from convoca.endorsements.models import Endorsement
from tests.endorsements.helpers import ORG, declaration, sign
from tests.fixtures import client_for

pytestmark = pytest.mark.django_db
URL = "/api/v1/gatherings/conferencia/signatures"


def _post(client, **changes):
    return client.post(URL, json.dumps({**ORG, **changes}), content_type="application/json")


def test_it_lists_public_signatures_with_osdi_names(world, client):
    found = declaration(world)
    services.verify(sign(found)[1][0])
    sign(found, email="b@x.org", organisation="Unverified")
    services.verify(sign(found, email="c@x.org", organisation="Red", country="HT", show_signatory=True,
                         signatory="Marie", role="")[1][0])
    body = client.get(URL).json()
    assert body["total_records"] == 2 and body["by_country"] == {"BR": 1, "HT": 1}
    first, second = body["signatures"]
    assert first["identifiers"][0].startswith("convoca:signature:") and first["origin_system"] == "Convoca"
    assert first["organisation"] == "Central Única dos Trabalhadores" and first["name"] is None
    assert second["name"] == "Marie" and "email" not in second and "cut.example" not in json.dumps(body)
    assert client.get(URL + "?country=HT").json()["total_records"] == 1
    assert body["browser_url"].endswith("/gatherings/conferencia/endorsements/")


def test_it_refuses_what_it_must(world, client):
    declaration(world, publish=False)
    assert client.get(URL).status_code == 404
    world.conference.declaration.state = "published"
    world.conference.declaration.save(update_fields=["state"])
    assert _post(client).status_code in (401, 403)
    assert _post(client_for(world.bob)).status_code == 403
    alice = client_for(world.alice)
    response = _post(alice)
    assert response.status_code == 201 and response.json()["state"] == "unverified"
    again = _post(alice, email="ANA@cut.example", organisation="X")
    assert again.status_code == 400 and again.json()["code"] == "duplicate"
    bad = _post(alice, email="z@x.org", country="XX")
    assert bad.status_code == 400 and bad.json()["field"] == "country"
    assert _post(alice, email="y@x.org", organisation="<script>").status_code == 400
    assert Endorsement.objects.count() == 1
