"""/api/v1/ proposals and amendments: the same services and rules as the pages, JSON errors 400/403/404/409,
never a 500."""

import json

import pytest

from convoca.accounts.services import create_api_token
from convoca.proposals import services
from convoca.proposals.models import Amendment, Proposal

from .helpers import TEXT, amend, delegate, proposal, snapshot, to_debate

API = "/api/v1"
FIRST = "Convocamos una jornada continental de lucha el 1.º de mayo."


def bearer(user):
    _token, raw = create_api_token(user, "script")
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def post(client, url, body, **extra):
    return client.post(url, json.dumps(body), content_type="application/json", **extra)


def test_a_delegate_writes_and_submits_through_the_api(client, world):
    auth = bearer(world.bob)
    response = post(client, f"{API}/gatherings/conferencia/proposals",
                    {"title": "Marcha", "text": TEXT, "original_language": "es"}, **auth)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["state"] == "draft" and body["submitting_organisations"] == ["Sindicato Andino"]
    assert "submit" in body["actions"]
    response = post(client, f"{API}/proposals/{body['id']}/transitions", {"action": "submit"}, **auth)
    assert response.status_code == 200 and response.json()["state"] == "submitted"


def test_the_list_is_public_for_adopted_texts_and_paged(client, world):
    proposal(world, "submitted")
    adopted = proposal(world, "adopted", title="Aprobada")
    body = client.get(f"{API}/gatherings/conferencia/proposals").json()
    assert [p["id"] for p in body["items"]] == [adopted.pk] and body["count"] == 1
    body = client.get(f"{API}/gatherings/conferencia/proposals?limit=1", **bearer(world.nadia)).json()
    assert body["count"] == 2 and len(body["items"]) == 1


@pytest.mark.parametrize("query, field", [("state=bogus", "state"), ("theme=999", "theme"), ("limit=x", "limit")])
def test_the_list_names_a_bad_filter(client, world, query, field):
    response = client.get(f"{API}/gatherings/conferencia/proposals?{query}")
    assert response.status_code == 400 and response.json()["field"] == field


def test_a_hidden_proposal_is_a_missing_one(client, world):
    draft = proposal(world)
    for headers in ({}, bearer(world.nadia)):
        response = client.get(f"{API}/proposals/{draft.pk}", **headers)
        assert response.status_code == 404 and response.json()["code"] == "not_found"
    assert client.get(f"{API}/proposals/{2**63}").status_code == 404
    assert client.get(f"{API}/proposals/{draft.pk}", **bearer(world.bob)).status_code == 200


def test_an_edit_racing_another_is_a_409_and_writes_nothing(client, world):
    p = proposal(world, "submitted")
    services.edit_proposal(world.alice, p, title=p.title, text=TEXT + "\n\nMás.", base_version=1)
    before = snapshot()
    response = post(client, f"{API}/proposals/{p.pk}/edit", {"title": "x", "text": "y", "base_version": 1},
                    **bearer(world.bob))
    assert response.status_code == 409 and response.json()["code"] == "conflict" and snapshot() == before


def test_amendments_transitions_and_conflicts_through_the_api(client, world):
    p = proposal(world, "amendment")
    bob, alice = bearer(world.bob), bearer(world.alice)
    response = post(client, f"{API}/proposals/{p.pk}/amendments",
                    {"kind": "replace", "first": 1, "text": FIRST, "base_version": 1}, **bob)
    assert response.status_code == 201, response.content
    assert response.json()["label"] == "A1" and response.json()["text_in_text_language"] == FIRST
    post(client, f"{API}/proposals/{p.pk}/amendments",
         {"kind": "replace", "first": 1, "text": FIRST.replace("lucha", "protesta")}, **bob)
    refused = post(client, f"{API}/proposals/{p.pk}/amendments", {"kind": "delete", "first": 7}, **bob)
    assert refused.status_code == 400 and refused.json()["code"] == "no_paragraph" and refused.json()["field"] == "first"
    assert post(client, f"{API}/proposals/{p.pk}/transitions", {"action": "debate"}, **alice).status_code == 200
    for number in (1, 2):
        response = post(client, f"{API}/proposals/{p.pk}/amendments/{number}/transitions", {"action": "adopt"}, **alice)
        assert response.status_code == 200
    body = response.json()
    assert len(body["open_conflicts"]) == 1 and body["text"].startswith(FIRST)
    conflict = body["open_conflicts"][0]
    info = client.get(f"{API}/proposals/{p.pk}/conflicts/{conflict}", **alice).json()
    assert info["text_now"] == FIRST and info["first"] == info["last"] == 1
    response = post(client, f"{API}/proposals/{p.pk}/conflicts/{conflict}/resolve",
                    {"text": "Convocamos una jornada de lucha y protesta.", "base_version": info["base_version"]}, **alice)
    assert response.status_code == 200 and response.json()["open_conflicts"] == []
    versions = client.get(f"{API}/proposals/{p.pk}/versions", **alice).json()
    assert [v["reason"] for v in versions] == ["created", "amendment", "resolution"]
    diff = client.get(f"{API}/proposals/{p.pk}/diff?older=1&newer=3", **alice).json()
    assert {"op": "insert", "text": "lucha y protesta"} in diff["text"] or any(s["op"] == "insert" for s in diff["text"])
    assert client.get(f"{API}/proposals/{p.pk}/diff?older=1&newer=9", **alice).status_code == 404


def test_refusals_are_json_with_their_status(client, world):
    p = proposal(world, "submitted")
    nadia = bearer(world.nadia)
    before = snapshot()
    assert post(client, f"{API}/proposals/{p.pk}/transitions", {"action": "admit"}, **nadia).status_code == 403
    assert post(client, f"{API}/proposals/{p.pk}/transitions", {"action": "fly"}, **nadia).json()["field"] == "action"
    response = post(client, f"{API}/proposals/{p.pk}/transitions", {"action": "open"}, **bearer(world.alice))
    assert response.status_code == 400 and response.json()["code"] == "bad_state"
    assert post(client, f"{API}/proposals/{p.pk}/transitions", {"action": "admit"}).status_code == 401
    assert post(client, f"{API}/gatherings/conferencia/proposals", {"title": ["x"], "text": "y"},
                **bearer(world.bob)).json()["field"] == "title"
    assert snapshot() == before


def test_forwarding_polls_support_and_merging_through_the_api(client, world):
    maria, _reg = delegate(world, "maria@example.org", "María", gathering=world.prep_co)
    national = proposal(world, "debate", gathering=world.prep_co, author=maria)
    services.adopt_proposal(world.carla, national)
    response = post(client, f"{API}/proposals/{national.pk}/forward", {"conference": "conferencia"},
                    **bearer(world.carla))
    assert response.status_code == 201 and response.json()["provenance"][0]["country"] == "CO"
    copy = Proposal.objects.get(gathering=world.conference)
    assert post(client, f"{API}/proposals/{copy.pk}/support", {"support": True}, **bearer(world.bob)).json()["support"] == 2
    debate = proposal(world, "debate")
    response = post(client, f"{API}/proposals/{debate.pk}/poll", {"secrecy": "open"}, **bearer(world.alice))
    assert response.status_code == 201 and Proposal.objects.get(pk=debate.pk).poll_id == response.json()["poll"]
    other = proposal(world, "admitted")
    response = post(client, f"{API}/gatherings/conferencia/proposals/merge",
                    {"proposals": [copy.pk, other.pk], "title": "Compuesta", "text": "Texto."}, **bearer(world.alice))
    assert response.status_code == 201 and sorted(response.json()["merged_from"]) == sorted([copy.pk, other.pk])


def test_alternatives_and_amendment_polls_through_the_api(client, world):
    p = proposal(world, "amendment")
    amend(world, p, "replace", 1, text=FIRST)
    amend(world, p, "delete", 1)
    amend(world, p, "delete", 3)
    to_debate(world, p)
    alice = bearer(world.alice)
    response = post(client, f"{API}/proposals/{p.pk}/alternatives", {"amendments": [1, 2], "secrecy": "open"}, **alice)
    assert response.status_code == 201
    assert post(client, f"{API}/proposals/{p.pk}/amendments/3/poll", {"secrecy": "open"}, **alice).status_code == 201
    assert Amendment.objects.filter(poll__isnull=False).count() == 3
    assert post(client, f"{API}/proposals/{p.pk}/amendments/9/poll", {}, **alice).status_code == 404


def test_the_export_is_for_organisers(client, world):
    p = proposal(world, "amendment")
    amend(world, p, "delete", 2)
    assert client.get(f"{API}/gatherings/conferencia/proposals/export", **bearer(world.bob)).status_code == 403
    body = client.get(f"{API}/gatherings/conferencia/proposals/export", **bearer(world.alice)).json()
    assert body["gathering"]["slug"] == "conferencia" and body["proposals"][0]["amendments"][0]["kind"] == "delete"


def test_settings_and_themes_through_the_api(client, world):
    alice = bearer(world.alice)
    response = post(client, f"{API}/gatherings/conferencia/proposal-settings",
                    {"submissions_open": True, "amendment_stage": False, "amendment_days": 5, "prefix": "res"}, **alice)
    assert response.status_code == 200 and response.json()["prefix"] == "RES"
    assert post(client, f"{API}/gatherings/conferencia/themes", {"name": "Migración", "prefix": "MIG"},
                **alice).status_code == 201
    assert [t["prefix"] for t in client.get(f"{API}/gatherings/conferencia/themes").json()] == ["MIG"]
    assert post(client, f"{API}/gatherings/conferencia/themes", {"name": "x", "prefix": "MIG"},
                **bearer(world.bob)).status_code == 403
