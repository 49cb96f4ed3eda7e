"""CSRF on every page and form, and on the API for browser sessions (issue 10).

Every URL pattern of the authorisation matrix (``tests/*/matrix.py``, the same
arguments and POST data) is posted to without a CSRF token by a logged-in
coordinator (second factor proved, so nothing else stands in the way) through
``Client(enforce_csrf_checks=True)``: every one answers Django's CSRF refusal
(403, ``core/csrf_failure.html``) and no table changes. Then the same POST
*with* the token proves the refusal was the token's doing: it is not the
CSRF page. The same holds for every state-changing operation of the API when
a browser session calls it (a bearer token needs no CSRF token: it is not
sent by the browser on its own).
"""

import inspect
import re

import pytest
from django.test import Client
from django.urls import resolve, reverse

from tests.accounts.helpers import enrol_if_required
from tests.database import all_rows, changed_tables
from tests.test_authz_matrix import MATRIX

CSRF_PAGE = "core/csrf_failure.html"
API = "/api/v1"
FIGURES = {"urls": 0, "post_handlers": set(), "api": 0}


def _csrf_client(user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    enrol_if_required(client, user)
    return client


def _token(client):
    """The CSRF token a page of ours gives the browser (its cookie)."""
    client.get(reverse("accounts:me"))
    return client.cookies["csrftoken"].value


def _handles_post(url):
    """Whether the view behind ``url`` acts on a POST (its own code, under the decorators, reads one)."""
    view = resolve(url).func
    while hasattr(view, "__wrapped__"):
        view = view.__wrapped__
    source = inspect.getsource(view)
    return any(sign in source for sign in ("POST", "submit(", "perform(", "_posted(")) or url.startswith("/imports/")


@pytest.mark.parametrize("name", sorted(MATRIX))
def test_every_url_refuses_a_post_without_csrf_token(world, name):
    entry = MATRIX[name]
    url = reverse(name, args=entry.get("args", lambda w: [])(world))
    data = entry.get("data", lambda w: {})(world)
    client = _csrf_client(world.alice)
    before = all_rows()
    refused = client.post(url, data)
    assert refused.status_code == 403, f"{name}: {refused.status_code}"
    assert CSRF_PAGE in [t.name for t in refused.templates], f"{name}: refused, but not by the CSRF check"
    assert changed_tables(before, all_rows()) == [], f"{name}: a POST without CSRF token wrote something"
    with_token = client.post(url, data, HTTP_X_CSRFTOKEN=_token(client))
    assert CSRF_PAGE not in [t.name for t in with_token.templates], f"{name}: refused even with the token"
    FIGURES["urls"] += 1
    if _handles_post(url):
        FIGURES["post_handlers"].add(name)


def _api_operations():
    """(method, path) of every state-changing operation in the OpenAPI document, with real values in the path."""
    doc = Client().get(f"{API}/openapi.json").json()
    found = []
    for path, operations in doc["paths"].items():
        for method in operations:
            if method in ("post", "put", "patch", "delete"):
                found.append((method, path))
    return found


def _fill(path, world):
    """The path with real slugs and ids (1 where no row is needed: the token is checked before any lookup)."""
    values = {
        "slug": world.conference.slug, "registration_id": world.olga_reg.pk, "organisation_id": world.org_co.pk,
        "person_id": world.nadia_person.pk, "target": "gatherings.gathering", "object_id": world.conference.pk,
        "language": "fr",
    }
    return re.sub(r"\{(\w+)\}", lambda match: str(values.get(match.group(1), 1)), path)


@pytest.mark.django_db
def test_every_state_changing_api_operation_refuses_a_session_without_csrf_token(world):
    client = _csrf_client(world.alice)
    operations = _api_operations()
    assert len(operations) > 30
    failures = []
    for method, path in operations:
        url = _fill(path, world)
        before = all_rows()
        response = getattr(client, method)(url, {}, content_type="application/json")
        if response.status_code != 403 or changed_tables(before, all_rows()):
            failures.append(f"{method.upper()} {url}: {response.status_code} {response.content[:120]!r}")
    assert not failures, failures
    FIGURES["api"] = len(operations)


@pytest.fixture(scope="module", autouse=True)
def _figures():
    yield
    print(f"\nCSRF: {FIGURES['urls']} URL patterns posted to without a token ({len(FIGURES['post_handlers'])} of them "
          f"handle a POST), {FIGURES['api']} state-changing API operations called by a session without one")
