"""The ballot box's short way in answers successful casts exactly like the
API and hands everything else to Django."""

import io
import json
import sys
import threading

import pytest
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections

from convoca.accounts import services as accounts
from convoca.voting import ballot_box, fastpath
from convoca.voting.fastpath import wrap
from convoca.voting.models import Ballot, Participation, SealedBallot

from .helpers import add_delegate, check_in, key, open_poll
from .test_api import bearer, post

app = wrap(get_wsgi_application())


@pytest.fixture(autouse=True)
def keep_test_transaction():
    """As Django's test client does: requests must not close the test's connection."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def call(path, payload, headers, host="127.0.0.1"):
    body = json.dumps(payload).encode() if not isinstance(payload, bytes) else payload
    environ = {
        "REQUEST_METHOD": "POST", "PATH_INFO": path, "SERVER_NAME": host, "SERVER_PORT": "80", "HTTP_HOST": host,
        "wsgi.input": io.BytesIO(body), "CONTENT_LENGTH": str(len(body)), "CONTENT_TYPE": "application/json",
        "wsgi.url_scheme": "http", "QUERY_STRING": "", "wsgi.errors": sys.stderr, "HTTP_ACCEPT_LANGUAGE": "en",
        **headers,
    }
    seen = {}

    def start_response(status, response_headers, exc_info=None):
        seen["status"], seen["headers"] = int(status.split()[0]), dict(response_headers)

    content = b"".join(app(environ, start_response))
    return seen["status"], seen["headers"], json.loads(content) if content.startswith(b"{") else content


def auth(user):
    return {"HTTP_" + k[5:]: v for k, v in bearer(user).items()}


def test_it_answers_a_cast_like_the_api_and_counts_a_retry_once(world):
    check_in(world.bob_reg)
    poll = open_poll(world)
    headers = auth(world.bob)
    payload = {"choices": ["yes"], "idempotency_key": key()}
    status, response_headers, body = call(f"/api/v1/polls/{poll.pk}/ballots", payload, headers)
    assert status == 201 and set(body) == {"poll", "receipt", "receipts", "votes", "weight", "duplicate", "changed"}
    assert body["receipts"] == [{"receipt": body["receipt"], "vote": "own", "delegate": None}]
    assert "no-store" in response_headers["Cache-Control"] and response_headers["X-Content-Type-Options"] == "nosniff"
    again = call(f"/api/v1/polls/{poll.pk}/ballots", payload, headers)
    assert again[0] == 200 and again[2]["receipt"] == body["receipt"] and again[2]["duplicate"]
    assert SealedBallot.objects.count() == 1 and Participation.objects.count() == 1 and not Ballot.objects.exists()
    # the same JSON as the API's own answer to the same retry
    assert post(f"/api/v1/polls/{poll.pk}/ballots", payload, **bearer(world.bob)).json() == again[2]


def test_it_hands_refusals_and_strangers_to_django(world):
    check_in(world.bob_reg)
    poll = open_poll(world)
    url = f"/api/v1/polls/{poll.pk}/ballots"
    refused = call(url, {"choices": ["maybe"], "idempotency_key": key()}, auth(world.bob))
    assert refused[0] == 400 and refused[2]["code"] == "bad_option"
    assert call(url, {"choices": ["yes"]}, auth(world.tomas))[0] == 403  # not on the roll
    assert call(url, {"choices": ["yes"]}, {"HTTP_AUTHORIZATION": "Bearer forged"})[0] == 401
    assert call(url, b"{not json", auth(world.bob))[0] == 400
    assert call(url, {"choices": ["yes"]}, auth(world.bob), host="evil.example")[0] == 400  # ALLOWED_HOSTS
    assert not Ballot.objects.exists() and not SealedBallot.objects.exists()


def ballots_url(poll):
    return f"/api/v1/polls/{poll.pk}/ballots"


def test_it_refuses_a_revoked_token_on_the_next_request(world):
    check_in(world.bob_reg)
    first, second = open_poll(world), open_poll(world, title="Second question")
    token, raw = accounts.create_api_token(world.bob, "script")
    headers = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    assert call(ballots_url(first), {"choices": ["yes"]}, headers)[0] == 201
    accounts.revoke_api_token(world.bob, token.pk)
    status, _headers, body = call(ballots_url(second), {"choices": ["yes"]}, headers)
    assert status == 401, body
    assert not Participation.objects.filter(poll=second).exists()


def test_it_refuses_a_deactivated_account_on_the_next_request(world):
    check_in(world.bob_reg)
    first, second = open_poll(world), open_poll(world, title="Second question")
    headers = auth(world.bob)
    assert call(ballots_url(first), {"choices": ["yes"]}, headers)[0] == 201
    world.bob.is_active = False
    world.bob.save(update_fields=["is_active"])
    assert call(ballots_url(second), {"choices": ["yes"]}, headers)[0] == 401
    assert not Participation.objects.filter(poll=second).exists()


@pytest.mark.django_db(transaction=True)
def test_it_refuses_revoked_tokens_and_deactivated_accounts_on_the_next_request_as_the_server_does(world):
    """Outside a test transaction, as under ``convoca serve``: the roll is cached,
    tokens are checked by the batching thread, ballots go through the group commit."""
    check_in(world.bob_reg)
    dora, _reg = add_delegate(world, "dora@example.org", "Dora Delegada")
    eva, _reg = add_delegate(world, "eva@example.org", "Eva Delegada")
    polls = [open_poll(world, title=f"Question {i}") for i in range(2)]
    for poll in polls:
        assert ballot_box.poll_spec(poll.pk) is ballot_box.poll_spec(poll.pk)  # cached, as the prefetch leaves it
    bob_token, bob_raw = accounts.create_api_token(world.bob, "script")
    bob, dora_headers, eva_headers = {"HTTP_AUTHORIZATION": f"Bearer {bob_raw}"}, auth(dora), auth(eva)
    try:
        assert call(ballots_url(polls[0]), {"choices": ["yes"]}, bob)[0] == 201
        assert call(ballots_url(polls[0]), {"choices": ["no"]}, dora_headers)[0] == 201
        assert call(ballots_url(polls[1]), {"choices": ["no"]}, eva_headers)[0] == 201  # the second poll is warm too
        accounts.revoke_api_token(world.bob, bob_token.pk)
        dora.is_active = False
        dora.save(update_fields=["is_active"])
        assert call(ballots_url(polls[1]), {"choices": ["yes"]}, bob)[0] == 401
        assert call(ballots_url(polls[1]), {"choices": ["yes"]}, dora_headers)[0] == 401
        assert Participation.objects.filter(poll=polls[0]).count() == 2
        assert Participation.objects.filter(poll=polls[1]).count() == 1
    finally:
        for poll in polls:
            ballot_box.forget_poll(poll.pk)
        fastpath.release_connection()
        ballot_box.release_connection()  # so the test database can be dropped


@pytest.mark.django_db(transaction=True)
def test_it_checks_the_tokens_of_concurrent_casts_together_and_answers_each_its_own(world):
    users = [add_delegate(world, f"v{i}@example.org", f"V{i}")[0] for i in range(12)]
    raws = [accounts.create_api_token(user, "script")[1] for user in users]
    revoked, revoked_raw = accounts.create_api_token(world.nadia, "script")
    accounts.revoke_api_token(world.nadia, revoked.pk)
    asked = [*raws, revoked_raw, "cvk_unknown", ""] * 3
    answers = [None] * len(asked)
    start = threading.Barrier(len(asked))

    def ask(i):
        start.wait()
        answers[i] = fastpath.token_owner(asked[i])

    threads = [threading.Thread(target=ask, args=(i,)) for i in range(len(asked))]
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
        expected = {raw: user.pk for raw, user in zip(raws, users, strict=True)}
        assert answers == [expected.get(raw) for raw in asked]
    finally:
        fastpath.release_connection()
