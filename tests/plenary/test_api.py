"""/api/v1/ for the agenda and the lists of speakers: the same rules and refusals as the pages."""

import json

import pytest

from convoca.accounts.services import create_api_token
from convoca.plenary import services
from convoca.plenary.models import Speaker
from tests.plenary.helpers import add_participant, fresh, item, session, snapshot, waiting


def make_token(user):
    return create_api_token(user, "script")[1]


def call(client, method, url, body=None, token=None):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
    if body is None:
        return getattr(client, method)(url, **headers)
    return getattr(client, method)(url, data=json.dumps(body), content_type="application/json", **headers)


@pytest.fixture
def hall(world):
    w = world
    w.session = session(w, video_url="https://video.example.org/plenaria-secreta")
    w.item = item(w, current=True, session=w.session)
    w.dana, w.dana_reg = add_participant(w, "dana@example.org", "Dana Delegada", organisation=w.org_mx)
    w.tokens = {name: make_token(getattr(w, name)) for name in ("alice", "bob", "dana", "nadia", "carla")}
    return w


def test_it_reads_the_agenda_with_the_video_room_only_for_those_who_may_enter(hall, client):
    w = hall
    public = call(client, "get", "/api/v1/gatherings/conferencia/agenda").json()
    assert public["current_item"] == w.item.pk and public["items"][0]["title"] == "Informe de la coordinación"
    assert public["sessions"][0]["video_url"] is None
    mine = call(client, "get", "/api/v1/gatherings/conferencia/agenda", token=w.tokens["bob"]).json()
    assert mine["sessions"][0]["video_url"] == "https://video.example.org/plenaria-secreta"
    services.publish_programme(w.alice, w.conference, published=False)
    assert call(client, "get", "/api/v1/gatherings/conferencia/agenda").status_code == 404
    assert call(client, "get", "/api/v1/gatherings/conferencia/agenda", token=w.tokens["alice"]).status_code == 200
    assert call(client, "get", "/api/v1/gatherings/nowhere/agenda").status_code == 404


def test_it_asks_to_speak_withdraws_and_refuses_like_the_pages(hall, client):
    w = hall
    url = f"/api/v1/gatherings/conferencia/agenda/items/{w.item.pk}/speakers"
    response = call(client, "post", url, {"kind": "point_of_order", "gender": "man"}, token=w.tokens["bob"])
    assert response.status_code == 201
    body = response.json()
    assert body["waiting"][0]["is_you"] and body["waiting"][0]["reason"] == "point_of_order"
    assert body["waiting"][0]["gender"] is None  # not a chair's answer
    assert call(client, "get", url, token=w.tokens["alice"]).json()["waiting"][0]["gender"] == "man"
    before = snapshot(w.item)
    cases = [
        ({"kind": "contribution"}, "bob", 400, "already_on_list"),
        ({"kind": ["x"]}, "dana", 400, None),
        ({"gender": 7}, "dana", 400, None),
        ({}, "nadia", 403, "not_registered"),
        ({}, None, 401, None),
        ({"registration": w.dana_reg.pk}, "carla", 403, None),  # adding someone is for the chairs
    ]
    for body, who, status, code in cases:
        response = call(client, "post", url, body, token=w.tokens.get(who))
        assert response.status_code == status, (body, who, response.content)
        if code:
            assert response.json()["code"] == code
    assert snapshot(w.item) == before
    other = item(w, w.prep_co, title="Orden del día")
    assert call(client, "post", f"/api/v1/gatherings/conferencia/agenda/items/{other.pk}/speakers", {},
                token=w.tokens["dana"]).status_code == 404
    assert call(client, "delete", url + "/me", token=w.tokens["bob"]).status_code == 200
    assert waiting(w.item) == []
    assert call(client, "delete", url + "/me", token=w.tokens["bob"]).status_code == 400


def test_chairs_run_the_floor_and_a_stale_version_changes_nothing(hall, client):
    w = hall
    bob = services.ask_to_speak(w.bob, w.item)
    services.ask_to_speak(w.dana, w.item)
    seen = fresh(w.item).version
    floor = f"/api/v1/gatherings/conferencia/agenda/items/{w.item.pk}/floor"
    assert call(client, "post", floor, {"action": "next"}, token=w.tokens["bob"]).status_code == 403
    response = call(client, "post", floor, {"action": "next", "version": seen}, token=w.tokens["alice"])
    assert response.status_code == 200 and response.json()["current"]["id"] == bob.pk
    assert response.json()["clock"]["running"] is True
    before = snapshot(w.item)
    response = call(client, "post", floor, {"action": "next", "version": seen}, token=w.tokens["alice"])
    assert response.status_code == 400 and response.json()["code"] == "stale"
    dana = Speaker.objects.get(item=w.item, registration=w.dana_reg)
    move = f"/api/v1/gatherings/conferencia/agenda/speakers/{dana.pk}/move"
    assert call(client, "post", move, {"place": 1}, token=w.tokens["alice"]).json()["code"] == "stale"
    assert call(client, "post", move, {"place": "x", "version": fresh(w.item).version},
                token=w.tokens["alice"]).json()["field"] == "place"
    assert call(client, "post", floor, {"action": "explode"}, token=w.tokens["alice"]).json()["field"] == "action"
    assert snapshot(w.item) == before
    assert call(client, "post", floor, {"action": "close", "version": fresh(w.item).version},
                token=w.tokens["alice"]).json()["list_closed"] is True
    remove = f"/api/v1/gatherings/conferencia/agenda/speakers/{dana.pk}/remove"
    assert call(client, "post", remove, {}, token=w.tokens["alice"]).json()["waiting"] == []
    current = call(client, "post", "/api/v1/gatherings/conferencia/agenda/current", {"item": None},
                   token=w.tokens["alice"])
    assert current.status_code == 400 and current.json()["code"] == "speaking"
