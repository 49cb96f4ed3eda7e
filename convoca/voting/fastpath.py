"""The ballot box's short way in, for ``convoca serve --server granian`` (WSGI).

A vote storm is thousands of identical small requests: POST a ballot with a
bearer token. Django's full stack (URL resolution over every app, a dozen
middleware, django-ninja's parsing and schemas) costs twice the ballot
itself. This WSGI wrapper answers *only the successful, bearer-token casts*
of voters on an open poll's cached roll, by calling the very same
``services.cast_ballot`` and returning the same JSON as
``POST /api/v1/polls/{id}/ballots``. Everything else falls through to
Django untouched: other URLs, sessions, unknown tokens, malformed bodies,
and every refused cast (a refusal stores nothing, so Django simply runs it
again and answers with its translated JSON error). A database error falls
through too: the retry carries the same idempotency key, so it counts once.
"""

import io
import json
import re

from django.conf import settings
from django.core.wsgi import get_wsgi_application
from django.db import connections
from django.http.request import split_domain_port, validate_host

from convoca.accounts.models import User, hash_token
from convoca.core.errors import ServiceError
from convoca.core.middleware import CSP

from . import ballot_box, services
from .models import weight_display

PATH = re.compile(r"^/api/v1/polls/(\d{1,18})/ballots$")
MAX_BODY = 64 * 1024


def _host_ok(environ):
    host = environ.get("HTTP_HOST") or environ.get("SERVER_NAME", "")
    domain, _port = split_domain_port(host)
    allowed = settings.ALLOWED_HOSTS or (["localhost", "127.0.0.1", "[::1]"] if settings.DEBUG else [])
    return bool(domain) and validate_host(domain, allowed)


def _try_cast(environ):
    """A (status, body) pair for a successful cast, else None (let Django answer)."""
    match = PATH.match(environ.get("PATH_INFO", ""))
    auth = environ.get("HTTP_AUTHORIZATION", "")
    if not match or not auth.startswith("Bearer ") or not _host_ok(environ):
        return None, b""
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return None, b""
    if not 0 < length <= MAX_BODY:
        return None, b""
    body = environ["wsgi.input"].read(length)
    poll_id = int(match.group(1))
    user_id = ballot_box.voter_for_token(poll_id, hash_token(auth[7:].strip()))
    if user_id is None:
        return None, body
    try:
        payload = json.loads(body)
    except ValueError:
        return None, body
    if not isinstance(payload, dict):
        return None, body
    choices, key, split = payload.get("choices", []), payload.get("idempotency_key"), payload.get("proxy_split")
    key = key or environ.get("HTTP_IDEMPOTENCY_KEY")
    if not isinstance(choices, list) or (key is not None and not isinstance(key, str)) or (
        split is not None and not isinstance(split, dict)
    ):
        return None, body
    try:
        result = services.cast_ballot(User(pk=user_id, is_active=True), poll_id, choices, key, split)
    except ServiceError:
        return None, body  # refused, nothing stored: Django answers with the translated error
    except Exception:  # noqa: BLE001 - unknown outcome: Django retries with the same key, counted once
        return None, body
    answer = {
        "poll": result.poll_id, "receipt": result.receipt, "votes": result.votes,
        "weight": weight_display(result.weight), "duplicate": result.duplicate, "changed": result.changed,
    }
    return (200 if result.duplicate else 201), json.dumps(answer).encode()


def _close_old_connections():
    """As Django does at the end of a request (never inside a test's transaction)."""
    for conn in connections.all(initialized_only=True):
        if not conn.in_atomic_block:
            conn.close_if_unusable_or_obsolete()


def wrap(django_app):
    def application(environ, start_response):
        if environ.get("REQUEST_METHOD") == "POST" and environ.get("PATH_INFO", "").endswith("/ballots"):
            try:
                status, body = _try_cast(environ)
            finally:
                _close_old_connections()
            if status is not None:
                start_response("201 Created" if status == 201 else "200 OK", [
                    ("Content-Type", "application/json; charset=utf-8"),
                    ("Content-Length", str(len(body))),
                    ("Cache-Control", "no-store"),
                    ("X-Content-Type-Options", "nosniff"),
                    ("Referrer-Policy", "same-origin"),
                    ("Content-Security-Policy", CSP),
                    ("X-Frame-Options", "DENY"),
                ])
                return [body]
            if body:  # what we read goes back to Django
                environ["wsgi.input"] = io.BytesIO(body)
                environ["CONTENT_LENGTH"] = str(len(body))
        return django_app(environ, start_response)

    return application


application = wrap(get_wsgi_application())
if ballot_box.prefetching():
    ballot_box.start()  # warm the writer and prefetch open polls before the first ballot
