"""Property-based tests over our own OpenAPI document (/api/v1/openapi.json).

Schemathesis reads the document django-ninja serves and sends generated
requests straight into ``convoca.wsgi.application`` (same process, same
thread, same database connection as the test), once as an anonymous caller
and once with a coordinator's bearer token.

- ``test_it_never_answers_5xx``: valid *and* invalid input (schemathesis'
  positive and negative modes); whatever arrives, no endpoint may answer 5xx.
- ``test_it_answers_as_documented``: schema-valid input only; every status
  code, content type and body must be the one the document declares.

Path parameters are sometimes swapped for the slugs and ids of real rows
(the ``world`` fixture plus one poll), so the fuzzing reaches the code behind
the 404s, or for the edge ids 0 and -1. Bounded and derandomized: the same requests on every run.
A fixture that cannot build its rows fails the test: fuzzing without them would pass while reaching nothing.
"""

import traceback

import pytest
import schemathesis
from django.core.signals import got_request_exception
from django.test import Client
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from convoca.accounts.services import create_api_token
from convoca.wsgi import application

OPENAPI = "/api/v1/openapi.json"
MAX_EXAMPLES = 15
CONFORMANCE_CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]

# The WSGI client does not decompress; GZipMiddleware would gzip any JSON body.
PLAIN = {"Accept-Encoding": "identity"}

CALLERS = ("anonymous", "coordinator")

# Real values for path parameters, filled in per test by the ``known_rows`` fixture.
KNOWN = {}


def _load(modes):
    schema = schemathesis.openapi.from_wsgi(OPENAPI, application)
    schema.config.generation.update(modes=modes, max_examples=MAX_EXAMPLES, deterministic=True)
    schema.config.phases.update(phases=["examples", "fuzzing"])

    @schema.hook
    def before_generate_path_parameters(context, strategy):
        return st.one_of(strategy, strategy.flatmap(_with_known_values))

    return schema


def _with_known_values(path_parameters):
    if not isinstance(path_parameters, dict):
        return st.just(path_parameters)
    choices = {}
    for name, value in path_parameters.items():
        known = KNOWN.get(name)
        choices[name] = st.sampled_from(known) if known else st.just(value)
    return st.fixed_dictionaries(choices)


any_input = _load([GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
valid_input = _load([GenerationMode.POSITIVE])

FUZZ_SETTINGS = settings(
    max_examples=MAX_EXAMPLES,
    derandomize=True,
    database=None,
    phases=[Phase.explicit, Phase.generate],  # no shrinking: the failing request is printed as it was sent
    deadline=None,
    suppress_health_check=list(HealthCheck),
)


@pytest.fixture(params=CALLERS)
def caller(request, world):
    """Name and headers of the caller: nobody, or alice (coordinator) with a bearer token."""
    if request.param == "anonymous":
        return request.param, dict(PLAIN)
    _, raw = create_api_token(world.alice, "schemathesis")
    return request.param, {**PLAIN, "Authorization": f"Bearer {raw}"}


@pytest.fixture
def known_rows(request, world):
    """Slugs and ids of real rows, for ``_with_known_values``."""
    poll_ids = []
    if "{poll_id}" in request.node.name:  # one poll, made through the API, for the operations that need one
        _, raw = create_api_token(world.alice, "fixtures")
        response = Client().post(
            "/api/v1/polls", {"gathering": world.conference.slug, "title": "Orden del día"},
            content_type="application/json", headers={"authorization": f"Bearer {raw}"},
        )
        assert response.status_code == 201, f"the fuzz fixture could not create its poll: {response.content!r}"
        poll_ids.append(response.json()["id"])
    edges = [0, -1]  # valid integers per the schema, never a row
    KNOWN.clear()
    KNOWN.update(
        slug=[world.conference.slug, world.prep_co.slug],
        organisation_id=[world.org_co.pk, world.org_mx.pk, *edges],
        person_id=[world.alice_person.pk, world.bob_person.pk, world.nadia_person.pk, *edges],
        registration_id=[world.bob_reg.pk, world.olga_reg.pk, *edges],
        poll_id=[*poll_ids, *edges],
        proxy_id=edges,
    )
    yield KNOWN
    KNOWN.clear()


@pytest.fixture
def server_errors():
    """Tracebacks of the exceptions that became a 500 during the test."""
    found = []

    def record(sender, request=None, **kwargs):
        found.append(f"{request.method} {request.get_full_path()}\n{traceback.format_exc()}")

    got_request_exception.connect(record)
    yield found
    got_request_exception.disconnect(record)


def _call(case, caller, server_errors, checks):
    _name, headers = caller
    try:
        case.call_and_validate(headers=headers, checks=checks)
    except Exception:  # noqa: BLE001 - schemathesis raises several kinds; re-raised below with the server's traceback
        if server_errors:  # shown beside the failure: what broke on the server
            print("Server-side traceback of the last 500:\n" + server_errors[-1])
        raise


@pytest.mark.django_db(transaction=True)
@any_input.parametrize()
@FUZZ_SETTINGS
def test_it_never_answers_5xx(case, caller, known_rows, server_errors):
    _call(case, caller, server_errors, [not_a_server_error])


@pytest.mark.django_db(transaction=True)
@valid_input.parametrize()
@FUZZ_SETTINGS
def test_it_answers_as_documented(case, caller, known_rows, server_errors):
    _call(case, caller, server_errors, CONFORMANCE_CHECKS)
