"""The accountability API. Bad inputs tried: progress by a non-member (403), an unknown status (400 naming
the field), a record of another conference (404), a javascript: link (400)."""

import json

import pytest

from convoca.followup.models import Update
from tests.fixtures import client_for
from tests.followup.helpers import resolution

pytestmark = pytest.mark.django_db


def test_it_lists_and_posts_progress(world, client):
    item = resolution(world)
    url = f"/api/v1/gatherings/conferencia/implementations/{item.pk}/updates"
    body = {"status": "done", "text": "Jornada realizada"}
    bob = client_for(world.bob)
    response = bob.post(url, json.dumps(body), content_type="application/json")
    assert response.status_code == 201 and response.json()["status"] == "done"
    listing = client.get("/api/v1/gatherings/conferencia/implementations").json()
    assert listing["done"] == 1 and listing["progress"] == 100
    [record] = listing["implementations"]
    assert record["working_group"] == "Grupo de migración" and record["country"] == "CO"
    assert record["updates"][0]["text"] == "Jornada realizada"
    assert client_for(world.nadia).post(url, json.dumps(body), content_type="application/json").status_code == 403
    bad = bob.post(url, json.dumps({"status": "over", "text": "x"}), content_type="application/json")
    assert bad.status_code == 400 and bad.json()["field"] == "status"
    bad = bob.post(url, json.dumps({**body, "link": "javascript:alert(1)"}), content_type="application/json")
    assert bad.status_code == 400
    other = f"/api/v1/gatherings/prep-co/implementations/{item.pk}/updates"
    assert bob.post(other, json.dumps(body), content_type="application/json").status_code == 404
    assert Update.objects.count() == 1
