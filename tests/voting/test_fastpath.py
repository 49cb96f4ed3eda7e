"""The ballot box's short way in answers successful casts exactly like the
API and hands everything else to Django."""

import io
import json
import sys

import pytest
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections

from convoca.voting.fastpath import wrap
from convoca.voting.models import Ballot, Participation

from .helpers import check_in, key, open_poll
from .test_api import bearer

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
    assert status == 201 and set(body) == {"poll", "receipt", "votes", "weight", "duplicate", "changed"}
    assert "no-store" in response_headers["Cache-Control"] and response_headers["X-Content-Type-Options"] == "nosniff"
    again = call(f"/api/v1/polls/{poll.pk}/ballots", payload, headers)
    assert again[0] == 200 and again[2]["receipt"] == body["receipt"] and again[2]["duplicate"]
    assert Ballot.objects.count() == 1 and Participation.objects.count() == 1


def test_it_hands_refusals_and_strangers_to_django(world):
    check_in(world.bob_reg)
    poll = open_poll(world)
    url = f"/api/v1/polls/{poll.pk}/ballots"
    refused = call(url, {"choices": ["maybe"], "idempotency_key": key()}, auth(world.bob))
    assert refused[0] == 400 and refused[2]["code"] == "bad_option"
    assert call(url, {"choices": ["yes"]}, auth(world.tomas))[0] == 403  # not on the roll
    assert call(url, {"choices": ["yes"]}, {"HTTP_AUTHORIZATION": "Bearer forged"})[0] in (401, 403)
    assert call(url, b"{not json", auth(world.bob))[0] == 400
    assert call(url, {"choices": ["yes"]}, auth(world.bob), host="evil.example")[0] == 400  # ALLOWED_HOSTS
    assert not Ballot.objects.exists()
