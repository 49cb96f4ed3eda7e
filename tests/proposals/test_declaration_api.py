"""/api/v1/gatherings/{slug}/declaration: the same services and rules as the pages; JSON 400/403/404/409 for
bad input, refusals, hidden or missing declarations and races; never a 500."""

import json

import pytest

from convoca.proposals import services
from convoca.texts import services as text_services

from .helpers import proposal
from .test_api import bearer, post
from .test_declaration import TITLE, written

API = "/api/v1/gatherings/conferencia/declaration"


def test_the_organisers_compose_and_publish_it_through_the_api(client, world):
    first, second = proposal(world, "adopted"), proposal(world, "adopted", title="Solidaridad")
    alice = bearer(world.alice)
    response = post(client, API, {"title": TITLE, "original_language": "es"}, **alice)
    assert response.status_code == 201 and response.json()["state"] == "draft", response.content
    for p in (first, second):
        response = post(client, f"{API}/sections", {"proposal": p.pk}, **alice)
        assert response.status_code == 201 and response.json()["sources"][0]["id"] == p.pk
    body = client.get(API, **alice).json()
    a, b = body["sections"]
    assert [a["position"], b["position"]] == [1, 2] and a["text"] == first.text and body["version"] == 3
    response = post(client, f"{API}/sections/{b['id']}/move", {"position": 1}, **alice)
    assert [s["id"] for s in response.json()["sections"]] == [b["id"], a["id"]]
    response = post(client, f"{API}/sections/{a['id']}",
                    {"heading": "Primero", "text": "Otro texto.", "sources": [first.pk], "base_version": 1}, **alice)
    assert response.status_code == 200 and response.json()["sections"][1]["text"] == "Otro texto."
    response = post(client, f"{API}/title", {"title": "Declaración", "base_version": response.json()["version"]},
                    **alice)
    assert response.json()["title"] == "Declaración"
    response = client.delete(f"{API}/sections/{b['id']}", **alice)
    assert len(response.json()["sections"]) == 1
    response = post(client, f"{API}/publish", {}, **alice)
    assert response.status_code == 200 and response.json()["state"] == "published"
    versions = client.get(f"{API}/versions").json()
    assert [v["reason"] for v in versions] == ["started", "added", "added", "moved", "edited", "title", "removed"]
    diff = client.get(f"{API}/diff?older=4&newer=5").json()
    assert any(s["op"] == "insert" and "Otro" in s["text"] for s in diff["text"])


def test_a_draft_is_hidden_from_anonymous_callers_and_shown_to_members(client, world):
    assert client.get(API).status_code == 404
    declaration = services.start_declaration(world.alice, world.conference, title=TITLE)
    services.add_section(world.alice, declaration, proposal(world, "adopted"))
    assert client.get(API).status_code == 404 and client.get(f"{API}/versions").status_code == 404
    assert client.get(API, **bearer(world.nadia)).json()["state"] == "draft"
    services.publish_declaration(world.alice, declaration)
    assert client.get(API).json()["state"] == "published"


def test_readers_get_their_language_and_the_original_on_request(client, world):
    declaration = services.start_declaration(world.alice, world.conference, title=TITLE, original_language="es")
    section = services.add_section(world.alice, declaration, proposal(world, "adopted"))
    text_services.save_translation(world.tomas, declaration, "fr", {"title": "Déclaration de Panama"},
                                   declaration.text_revision)
    services.publish_declaration(world.alice, declaration)
    body = client.get(API, HTTP_ACCEPT_LANGUAGE="fr").json()
    assert (body["title"], body["language"], body["is_translation"]) == ("Déclaration de Panama", "fr", True)
    assert body["sections"][0]["language"] == "es" and body["sections"][0]["id"] == section.pk
    assert client.get(f"{API}?original=true", HTTP_ACCEPT_LANGUAGE="fr").json()["title"] == TITLE


def test_others_are_refused_and_nothing_is_written(client, world):
    declaration = services.start_declaration(world.alice, world.conference, title=TITLE)
    section = services.add_section(world.alice, declaration, proposal(world, "adopted"))
    before = written()
    for user in (world.bob, world.carla, world.tomas):
        auth = bearer(user)
        assert post(client, API, {"title": "x"}, **auth).status_code == 403
        assert post(client, f"{API}/sections/{section.pk}", {"text": "x", "base_version": 1}, **auth).status_code == 403
        assert post(client, f"{API}/publish", {}, **auth).status_code == 403
        assert client.delete(f"{API}/sections/{section.pk}", **auth).status_code == 403
    assert post(client, f"{API}/publish", {}).status_code == 401
    assert written() == before


@pytest.mark.parametrize("path, body, status, field", [
    ("/sections", {"proposal": "x"}, 400, "proposal"),
    ("/sections", {"proposal": 2**70}, 400, "proposal"),
    ("/sections", {}, 400, "proposal"),
    ("/sections/SECTION", {"text": "", "base_version": 1}, 400, "text"),
    ("/sections/SECTION", {"text": "y", "base_version": "x"}, 400, "base_version"),
    ("/sections/SECTION", {"text": "y", "base_version": 1, "sources": "abc"}, 400, "sources"),
    ("/sections/SECTION", {"text": "y", "base_version": 1, "sources": [{"a": 1}]}, 400, "sources"),
    ("/sections/SECTION", {"text": ["y"], "base_version": 1}, 400, "text"),
    ("/sections/SECTION/move", {"position": "x"}, 400, "position"),
    ("/sections/SECTION/move", {"position": 5}, 400, "position"),
    ("/sections/9223372036854775807/move", {"position": 1}, 404, None),
    ("/sections/0", {"text": "y", "base_version": 1}, 404, None),
    ("/title", {"title": "", "base_version": 1}, 400, "title"),
    ("/title", {"title": "Otra", "base_version": 1}, 409, None),
])
def test_bad_input_is_a_json_error_that_writes_nothing(client, world, path, body, status, field):
    declaration = services.start_declaration(world.alice, world.conference, title=TITLE)
    section = services.add_section(world.alice, declaration, proposal(world, "adopted"))
    before = written()
    response = post(client, API + path.replace("SECTION", str(section.pk)), body, **bearer(world.alice))
    assert response.status_code == status, response.content
    assert response.json().get("field") == field and written() == before


def test_an_edit_racing_another_is_a_409_with_nothing_lost(client, world):
    declaration = services.start_declaration(world.alice, world.conference, title=TITLE)
    section = services.add_section(world.alice, declaration, proposal(world, "adopted"))
    services.edit_section(world.alice, section, heading="Suya", text="Su texto.", base_version=1)
    before = written()
    response = post(client, f"{API}/sections/{section.pk}", {"text": "Mi texto.", "base_version": 1},
                    **bearer(world.alice))
    assert response.status_code == 409 and json.loads(response.content)["code"] == "conflict"
    assert written() == before


def test_a_diff_of_missing_versions_is_a_404(client, world):
    declaration = services.start_declaration(world.alice, world.conference, title=TITLE)
    services.add_section(world.alice, declaration, proposal(world, "adopted"))
    services.publish_declaration(world.alice, declaration)
    for query in ("older=1&newer=9", "older=0&newer=1", "older=-1&newer=2"):
        assert client.get(f"{API}/diff?{query}").status_code == 404
    assert client.get(f"{API}/diff?older=x&newer=1").status_code == 400
