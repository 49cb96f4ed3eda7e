"""Property-based tests over our own OpenAPI document (/api/v1/openapi.json).

Schemathesis reads the document django-ninja serves and sends generated
requests straight into ``convoca.wsgi.application`` (same process, same
thread, same database connection as the test), as each role of
``tests/fixtures.py`` would send them:

- ``anonymous``: no credentials;
- ``coordinator``: alice's bearer token;
- ``members``: the other roles' bearer tokens in turn, one per request
  (carla of a national committee, bob the delegate, olga the observer, tomas
  the translator, nadia the plain member), so that every operation is tried
  by every role while the number of cases stays that of one caller.

Two tests per operation and caller:

- ``test_it_never_answers_5xx``: valid *and* invalid input (schemathesis'
  positive and negative modes); whatever arrives, no endpoint may answer 5xx.
- ``test_it_answers_as_documented``: schema-valid input only; every status
  code, content type and body must be the one the document declares.

Text that no database can store is mixed into the strings of bodies, query
strings and path parameters: a NUL character and lone UTF-16 surrogates
(a JSON body carries them as ``\\ud800`` escapes; a URL can only carry the
bytes a broken encoder would write, ``%ED%A0%80``). On PostgreSQL either one
reaching the database is a 500; the shared check in ``core.clean_input``
must answer 400 first.

Path and query parameters are sometimes swapped for the slugs and ids of real
rows (``known_rows``: the ``world`` fixture plus, for the operations that
name them, a poll, proposals in several states with amendments, a conflict, a
declaration with a section, and translations), so the fuzzing reaches the
code behind the 404s, or for the edge ids 0 and -1. Bounded and
derandomized: the same requests on every run. A fixture that cannot build
its rows fails the test: fuzzing without them would pass while reaching
nothing.
"""

import itertools
import traceback
from urllib.parse import quote

import pytest
import schemathesis
from django.apps import apps
from django.core.signals import got_request_exception
from django.db import DataError, connection, transaction
from django.test import Client
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.parameters import RAW_QUERY_STRING_KEY, RawQueryString
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from convoca.accounts.services import create_api_token
from convoca.texts import languages, registry
from convoca.texts.services import save_translation as translate
from convoca.wsgi import application

OPENAPI = "/api/v1/openapi.json"
MAX_EXAMPLES = 10  # per operation, caller and test: 3 callers x 2 tests x 10 = 60 requests per operation
CONFORMANCE_CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]

# The WSGI client does not decompress; GZipMiddleware would gzip any JSON body.
PLAIN = {"Accept-Encoding": "identity"}

# Who calls: a role of tests/fixtures.py, or several in turn.
CALLERS = {
    "anonymous": (),
    "coordinator": ("alice",),
    "members": ("carla", "bob", "olga", "tomas", "nadia"),
}

# What no database column can hold. Surrogates only travel in JSON (as escapes) and, broken, in URLs.
NUL = "\x00"
SURROGATES = ("\ud800", "\udbff", "\udc00", "\udfff")

# Real values for path and query parameters, filled in per test by the ``known_rows`` fixture.
KNOWN = {}
FIGURES = {"operations": set(), "requests": {}, "unstorable": 0, "unstorable_refused": 0}  # printed at the end


def unstorable_text(characters):
    """Text around one character that cannot be stored: ``st.text`` on each side (which never draws
    a surrogate by itself)."""
    return st.builds(
        lambda before, bad, after: before + bad + after,
        st.text(max_size=6), st.sampled_from(characters), st.text(max_size=6),
    )


def _unstorable(value, characters):
    """A strategy: ``value`` with some of its strings (dictionary values and list items, at any depth)
    replaced by ``unstorable_text``."""
    if isinstance(value, str):
        return st.one_of(st.just(value), unstorable_text(characters))
    if isinstance(value, dict):
        return st.fixed_dictionaries({key: _unstorable(item, characters) for key, item in value.items()})
    if isinstance(value, list):
        return st.tuples(*(_unstorable(item, characters) for item in value)).map(list)
    return st.just(value)


def _in_body(value):
    return _unstorable(value, (NUL, *SURROGATES))


def _in_url(value):
    return _unstorable(value, (NUL, *SURROGATES)) if isinstance(value, dict) else st.just(value)


def _in_path(value):
    return _unstorable(value, (NUL,)) if isinstance(value, dict) else st.just(value)


def _with_known_values(parameters):
    if not isinstance(parameters, dict):
        return st.just(parameters)
    choices = {}
    for name, value in parameters.items():
        known = KNOWN.get(name)
        choices[name] = st.sampled_from(known) if known else st.just(value)
    return st.fixed_dictionaries(choices)


def _load(modes):
    schema = schemathesis.openapi.from_wsgi(OPENAPI, application)
    schema.config.generation.update(modes=modes, max_examples=MAX_EXAMPLES, deterministic=True)
    schema.config.phases.update(phases=["examples", "fuzzing"])

    @schema.hook
    def before_generate_path_parameters(context, strategy):
        return st.one_of(strategy, strategy.flatmap(_with_known_values), strategy.flatmap(_in_path))

    @schema.hook
    def before_generate_query(context, strategy):
        return st.one_of(strategy, strategy.flatmap(_with_known_values), strategy.flatmap(_in_url))

    @schema.hook
    def before_generate_body(context, strategy):
        return st.one_of(strategy, strategy, strategy.flatmap(_in_body))

    return schema


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


@pytest.fixture(params=sorted(CALLERS))
def caller(request, world):
    """The caller's name and an endless turn of request headers: none, alice's bearer token, or the
    other roles' tokens one after the other."""
    users = [getattr(world, name) for name in CALLERS[request.param]]
    headers = [{**PLAIN, "Authorization": f"Bearer {create_api_token(user, 'schemathesis')[1]}"} for user in users]
    return request.param, itertools.cycle(headers or [dict(PLAIN)])


def _api(world, method, path, body=None):
    """A row made through the API as alice, as a script would make it."""
    _, raw = create_api_token(world.alice, "fixtures")
    response = getattr(Client(), method)(
        path, body, content_type="application/json", headers={"authorization": f"Bearer {raw}"},
    )
    assert response.status_code in (200, 201), f"the fuzz fixture could not make {path}: {response.content!r}"
    return response.json()


def _proposals(world):
    """Proposals at the conference in four states (a draft only bob sees, a submitted one, one open for
    amendments with two amendments, an adopted one), as ids, and the amendments' numbers."""
    from tests.proposals.helpers import amend, proposal  # the proposals app's own builders

    open_one = proposal(world, "amendment", title="Jornada con enmiendas")
    amend(world, open_one, "replace", 1, text="Convocamos una jornada continental de lucha el 1.º de mayo.")
    amend(world, open_one, "delete", 2)
    rows = [proposal(world, "draft"), proposal(world, "submitted"), open_one, proposal(world, "adopted")]
    return rows, [1, 2]


def _conflict(world, rows):
    """Two adopted amendments of one paragraph: a conflict to resolve (as in tests/proposals/matrix.py)."""
    from convoca.proposals import services
    from tests.proposals.helpers import amend, proposal, to_debate

    p = proposal(world, "amendment", title="Jornada en conflicto")
    amend(world, p, "replace", 1, text="Convocamos una jornada continental de lucha el 1.º de mayo.")
    amend(world, p, "replace", 1, text="Convocamos una jornada continental de protesta el 1.º de mayo.")
    to_debate(world, p)
    for amendment in p.amendments.order_by("number"):
        services.adopt_amendment(world.alice, amendment)
    rows.append(p)
    return list(p.conflicts.values_list("pk", flat=True))


def _declaration(world, adopted):
    """The conference's declaration with one section made from an adopted proposal."""
    from convoca.proposals import services

    declaration = services.start_declaration(world.alice, world.conference, title="Declaración de Panamá")
    section = services.add_section(world.alice, declaration, adopted)
    return [section.pk]


@pytest.fixture
def known_rows(request, world):
    """Slugs and ids of real rows, for ``_with_known_values``; the costlier rows only for the operations
    whose path names them."""
    name = request.node.name
    needs = {param: f"{{{param}}}" in name for param in ("poll_id", "proposal_id", "conflict_id", "section_id")}
    translations = "/translations" in name
    poll_ids, proposal_ids, numbers, conflict_ids, section_ids = [], [], [], [], []
    if needs["poll_id"] or translations:  # one poll, made through the API
        poll_ids.append(_api(world, "post", "/api/v1/polls", {"gathering": world.conference.slug, "title": "Orden del día"})["id"])
    if needs["proposal_id"] or needs["conflict_id"] or needs["section_id"] or translations:
        rows, numbers = _proposals(world)
        if needs["conflict_id"]:
            conflict_ids = _conflict(world, rows)
        if (needs["section_id"] or translations) and _has_declaration():
            section_ids = _declaration(world, rows[3])
        proposal_ids = [p.pk for p in rows]
    if translations:  # a French version of the conference and of a proposal: the queue and the versions have some
        for obj in (world.conference, rows[1]):
            translate(world.tomas, obj, "fr", {field: f"[fr] {value}" for field, value in obj.original_values().items() if value},
                      obj.text_revision)
    edges = [0, -1]  # valid integers per the schema, never a row
    KNOWN.clear()
    KNOWN.update(
        slug=[world.conference.slug, world.prep_co.slug],
        gathering=[world.conference.slug, world.prep_co.slug],
        gathering_id=[world.conference.pk, world.prep_co.pk, *edges],
        organisation_id=[world.org_co.pk, world.org_mx.pk, *edges],
        person_id=[world.alice_person.pk, world.bob_person.pk, world.nadia_person.pk, *edges],
        registration_id=[world.bob_reg.pk, world.olga_reg.pk, *edges],
        poll_id=[*poll_ids, *edges],
        proxy_id=edges,
        proposal_id=[*proposal_ids, *edges],
        number=[*numbers, *edges],
        conflict_id=[*conflict_ids, *edges],
        section_id=[*section_ids, *edges],
        older=[1, 2, *edges],
        newer=[2, 3, *edges],
        target=[registry.label_of(model) for model in registry.translatable_models()],
        object_id=[world.conference.pk, *poll_ids, *proposal_ids, *section_ids, *edges],
        language=list(languages.codes()),
    )
    yield KNOWN
    KNOWN.clear()


def _has_declaration():
    try:
        apps.get_model("proposals", "Declaration")
    except LookupError:
        return False
    return True


def _refuse_what_postgresql_refuses(execute, sql, params, many, context):
    """On SQLite, fail a query as PostgreSQL would: a text parameter with a NUL character (text columns
    cannot hold one; nor can jsonb, which refuses the ``\\u0000`` escape). So the SQLite run finds what
    would be a 500 on PostgreSQL."""
    for value in _strings(list(params or []) if not many else [list(row) for row in params]):
        if "\x00" in value or "\\u0000" in value:
            raise DataError("PostgreSQL text and jsonb values cannot contain NUL (0x00) characters")
    return execute(sql, params, many, context)


@pytest.fixture
def server_errors():
    """Tracebacks of the exceptions that became a 500 during the test; queries refused as on PostgreSQL."""
    found = []

    def record(sender, request=None, **kwargs):
        found.append(f"{request.method} {request.get_full_path()}\n{traceback.format_exc()}")

    got_request_exception.connect(record)
    with connection.execute_wrapper(_refuse_what_postgresql_refuses):
        yield found
    got_request_exception.disconnect(record)


def _url_safe(case):
    """A lone surrogate cannot be percent-encoded as text: send the bytes a broken UTF-8 encoder writes
    for it (``%ED%A0%80``), which is how one arrives from the wild, as a raw part of the query string."""
    if not isinstance(case.query, dict):
        return
    broken = {key: value for key, value in case.query.items() if isinstance(value, str) and _has_surrogate(value)}
    if broken:
        case.query = {key: value for key, value in case.query.items() if key not in broken}
        case.query[RAW_QUERY_STRING_KEY] = RawQueryString("&".join(
            f"{quote(key.encode('utf-8', 'surrogatepass'))}={quote(value.encode('utf-8', 'surrogatepass'))}"
            for key, value in broken.items()
        ))


def _has_surrogate(text):
    return any(0xD800 <= ord(ch) <= 0xDFFF for ch in text)


def _carries_unstorable(case):
    values = [case.body, case.query, case.path_parameters]
    text = repr(values)
    return "\\x00" in text or any(_has_surrogate(str(v)) for v in _strings(values))


def _strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _strings(key)
            yield from _strings(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _strings(item)


def _call(case, caller, server_errors, checks):
    name, headers = caller
    FIGURES["operations"].add(case.operation.label)
    FIGURES["requests"][name] = FIGURES["requests"].get(name, 0) + 1
    unstorable = _carries_unstorable(case)
    _url_safe(case)
    try:
        response = case.call_and_validate(headers=next(headers), checks=checks)
    except Exception:  # noqa: BLE001 - schemathesis raises several kinds; re-raised below with the server's traceback
        if server_errors:  # shown beside the failure: what broke on the server
            print("Server-side traceback of the last 500:\n" + server_errors[-1])
        raise
    if unstorable:
        FIGURES["unstorable"] += 1
        FIGURES["unstorable_refused"] += response.status_code == 400


@pytest.fixture(scope="module", autouse=True)
def _figures():
    """The run's figures (shown with ``-s``): operations x callers, requests, unstorable text sent."""
    yield
    requests = FIGURES["requests"]
    print(f"\nschema fuzzing: {len(FIGURES['operations'])} operations x {len(requests)} callers "
          f"({', '.join(f'{name}: {count}' for name, count in sorted(requests.items()))} requests), "
          f"{sum(requests.values())} requests; {FIGURES['unstorable']} carried a NUL or a lone surrogate, "
          f"{FIGURES['unstorable_refused']} of them answered 400")


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


@pytest.mark.django_db
def test_it_fails_on_sqlite_what_postgresql_refuses(server_errors, world):
    """The harness itself: with ``server_errors`` active, a NUL that reached a query is an error, as on PostgreSQL."""
    from convoca.network.models import Organisation

    with pytest.raises(DataError), transaction.atomic():
        Organisation.objects.filter(name="a\x00b").exists()
    with pytest.raises(DataError), transaction.atomic():
        Organisation.objects.filter(pk=world.org_co.pk).update(name="a\x00b")
    assert Organisation.objects.filter(name="Sindicato Andino").exists()
