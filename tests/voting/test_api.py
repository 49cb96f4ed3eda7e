"""The voting API: same services, JSON errors, never a 500."""

import json

import pytest
from django.test import Client

from convoca.accounts import services as accounts
from convoca.accounts.models import ApiToken, hash_token, new_token
from convoca.voting.models import Ballot, Participation, Poll, SealedBallot

from .helpers import check_in, key, open_poll


def bearer(user):
    raw = new_token()
    ApiToken.objects.create(user=user, name="test", prefix=raw[:8], key_hash=hash_token(raw))
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def post(path, payload, **headers):
    return Client().post(path, json.dumps(payload), content_type="application/json", **headers)


def test_it_creates_opens_casts_closes_and_publishes_through_the_api(world):
    w = world
    check_in(w.bob_reg)
    alice, bob = bearer(w.alice), bearer(w.bob)
    r = post("/api/v1/polls", {"gathering": "conferencia", "title": "¿Adoptamos?", "kind": "yes_no"}, **alice)
    assert r.status_code == 201, r.content
    poll_id = r.json()["id"]
    assert [o["code"] for o in r.json()["options"]] == ["yes", "no", "abstain"]
    # a secret poll (the default): alice, its single teller by default, sets her teller passphrase first
    assert r.json()["tellers"] == [{"position": 1, "user": w.alice.pk, "ready": False}] and r.json()["tellers_needed"] == 1
    refused = post(f"/api/v1/polls/{poll_id}/open", {}, **alice)
    assert refused.status_code == 400 and refused.json()["code"] == "tellers_not_ready"
    short = post(f"/api/v1/polls/{poll_id}/teller", {"passphrase": "too short"}, **alice)
    assert short.status_code == 400 and short.json()["field"] == "passphrase"
    assert post(f"/api/v1/polls/{poll_id}/teller", {"passphrase": "a long teller passphrase"}, **bob).status_code == 403
    ready = post(f"/api/v1/polls/{poll_id}/teller", {"passphrase": "a long teller passphrase"}, **alice)
    assert ready.status_code == 200 and ready.json()["tellers"][0]["ready"]
    assert post(f"/api/v1/polls/{poll_id}/open", {}, **alice).status_code == 200
    k = key()
    first = post(f"/api/v1/polls/{poll_id}/ballots", {"choices": ["yes"], "idempotency_key": k}, **bob)
    assert first.status_code == 201 and first.json()["weight"] == "1"
    assert first.json()["receipts"] == [{"receipt": first.json()["receipt"], "vote": "own", "delegate": None}]
    again = post(f"/api/v1/polls/{poll_id}/ballots", {"choices": ["yes"]}, HTTP_IDEMPOTENCY_KEY=k, **bob)
    assert again.status_code == 200 and again.json()["duplicate"] and again.json()["receipt"] == first.json()["receipt"]
    turnout = Client().get(f"/api/v1/polls/{poll_id}/turnout", **alice).json()
    assert turnout["voted"] == 1 and turnout["by_country"][0]["code"] == "CO"
    assert Client().get(f"/api/v1/polls/{poll_id}/results").status_code == 403
    assert post(f"/api/v1/polls/{poll_id}/close", {}, **alice).status_code == 200
    assert Client().get(f"/api/v1/polls/{poll_id}/receipts").status_code == 403  # nothing before publication
    assert post(f"/api/v1/polls/{poll_id}/publish", {}, **alice).json()["code"] == "not_counted"
    wrong = post(f"/api/v1/polls/{poll_id}/count", [{"teller": "alice@example.org", "passphrase": "not the one"}],
                 **alice)
    assert wrong.status_code == 400 and wrong.json()["code"] == "bad_passphrase"
    counted = post(f"/api/v1/polls/{poll_id}/count", [{"teller": w.alice.pk, "passphrase": "a long teller passphrase"}],
                   **alice)
    assert counted.status_code == 200 and counted.json()["counted"], counted.content
    assert Client().get(f"/api/v1/polls/{poll_id}/results").status_code == 403  # counted, not yet published
    assert post(f"/api/v1/polls/{poll_id}/publish", {}, **alice).status_code == 200
    results = Client().get(f"/api/v1/polls/{poll_id}/results").json()  # anonymous: a public gathering
    assert results["result"]["outcome"] == "adopted" and "more than half" in results["rules"]
    receipts = Client().get(f"/api/v1/polls/{poll_id}/receipts").json()
    assert receipts["ballots"] == [{"receipt": first.json()["receipt"], "choices": ["Yes"],
                                    "choice_ids": [receipts["ballots"][0]["choice_ids"][0]], "voter": None}]
    audit = Client().get(f"/api/v1/polls/{poll_id}/audit", **alice).json()
    assert [a["action"] for a in audit] == ["created", "teller_ready", "opened", "closed", "unlocked", "counted",
                                            "published"]


BAD_BALLOTS = [
    ({"choices": ["maybe"]}, 400),
    ({"choices": [123456789]}, 400),
    ({"choices": ["yes", "no"]}, 400),
    ({"choices": "yes"}, 400),
    ({"choices": ["yes"], "idempotency_key": "x"}, 400),
    ({"choices": ["yes"], "proxy_split": {"77": ["no"]}}, 400),
    ({"choices": [{"a": 1}]}, 400),
]


@pytest.mark.parametrize("payload,status", BAD_BALLOTS)
def test_it_answers_bad_ballots_with_a_json_error_and_stores_nothing(world, payload, status):
    check_in(world.bob_reg)
    poll = open_poll(world)
    r = post(f"/api/v1/polls/{poll.pk}/ballots", payload, **bearer(world.bob))
    assert r.status_code == status, r.content
    assert r.json()["detail"]
    assert not Ballot.objects.exists() and not Participation.objects.exists() and not SealedBallot.objects.exists()


def test_it_refuses_voters_off_the_roll_and_unknown_polls(world):
    w = world
    check_in(w.bob_reg)
    poll = open_poll(w)
    for user in (w.tomas, w.olga, w.alice):
        r = post(f"/api/v1/polls/{poll.pk}/ballots", {"choices": ["yes"]}, **bearer(user))
        assert r.status_code == 403 and r.json()["code"] == "not_on_roll"
    assert post("/api/v1/polls/999999/ballots", {"choices": ["yes"]}, **bearer(w.bob)).status_code == 404
    assert post(f"/api/v1/polls/{poll.pk}/ballots", {"choices": ["yes"]}).status_code == 401
    r = post(f"/api/v1/polls/{poll.pk}/ballots", {"choices": ["yes"]}, HTTP_AUTHORIZATION="Bearer forged")
    assert r.status_code == 401
    assert not Ballot.objects.exists()


def test_it_refuses_contradictory_polls_with_400(world):
    r = post("/api/v1/polls", {"gathering": "conferencia", "title": "Q", "kind": "multiple", "options": ["A", "B"],
                               "min_choices": 2, "max_choices": 1}, **bearer(world.alice))
    assert r.status_code == 400 and r.json()["field"] == "min_choices"
    r = post("/api/v1/polls", {"gathering": "conferencia", "title": "Q", "quorum_percent": "150"}, **bearer(world.alice))
    assert r.status_code == 400 and r.json()["field"] == "quorum_percent"
    r = post("/api/v1/polls", {"gathering": "conferencia", "title": "Q"}, **bearer(world.bob))
    assert r.status_code == 403
    assert not Poll.objects.exists()


def test_it_records_and_revokes_proxies(world):
    from .helpers import add_delegate

    w = world
    dora, dora_reg = add_delegate(w, "dora@example.org", "Dora", w.org_mx, present=False)
    r = post("/api/v1/gatherings/conferencia/proxies", {"holder": w.bob_reg.pk}, **bearer(dora))
    assert r.status_code == 201
    again = post("/api/v1/gatherings/conferencia/proxies", {"holder": w.bob_reg.pk}, **bearer(dora))
    assert again.status_code == 400
    listed = Client().get("/api/v1/gatherings/conferencia/proxies", **bearer(w.bob)).json()
    assert [p["giver"] for p in listed] == [dora_reg.pk]
    assert post(f"/api/v1/proxies/{r.json()['id']}/revoke", {}, **bearer(w.nadia)).status_code == 404  # not hers
    assert post(f"/api/v1/proxies/{r.json()['id']}/revoke", {}, **bearer(dora)).json()["revoked_at"]


def test_it_documents_the_voting_endpoints_in_openapi(world):
    schema = Client().get("/api/v1/openapi.json").json()
    assert "/api/v1/polls/{poll_id}/ballots" in schema["paths"]


def test_it_refuses_a_revoked_token_on_the_next_ballot(world):
    check_in(world.bob_reg)
    first, second = open_poll(world), open_poll(world, title="Second question")
    token, raw = accounts.create_api_token(world.bob, "script")
    bob = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    assert post(f"/api/v1/polls/{first.pk}/ballots", {"choices": ["yes"]}, **bob).status_code == 201
    accounts.revoke_api_token(world.bob, token.pk)
    assert post(f"/api/v1/polls/{second.pk}/ballots", {"choices": ["yes"]}, **bob).status_code == 401
    assert not Participation.objects.filter(poll=second).exists()


def test_it_refuses_a_deactivated_account_on_the_next_ballot(world):
    check_in(world.bob_reg)
    first, second = open_poll(world), open_poll(world, title="Second question")
    bob = bearer(world.bob)
    assert post(f"/api/v1/polls/{first.pk}/ballots", {"choices": ["yes"]}, **bob).status_code == 201
    world.bob.is_active = False
    world.bob.save(update_fields=["is_active"])
    assert post(f"/api/v1/polls/{second.pk}/ballots", {"choices": ["yes"]}, **bob).status_code == 401
    assert not Participation.objects.filter(poll=second).exists()
