"""Walks every URL pattern x every role and checks the expected outcome.

Each app declares its table in ``tests/<app>/matrix.py``:

    MATRIX = {
        "network:organisations": {"args": lambda w: [], "expect": {"anonymous": 200, "*": 200}},
        ...
    }

``expect`` maps a role name (see tests/fixtures.py) to a status code; "*" is
the default for roles not named. A redirect to the login page counts as 302.
A URL pattern added without an entry fails ``test_every_url_has_an_entry``.
"""

import importlib
import pkgutil

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

import tests

from .fixtures import client_for

ROLES = ["anonymous", "alice", "carla", "marco", "bob", "olga", "tomas", "nadia"]
# Patterns that are not pages of ours (API routes are covered by the API tests).
IGNORED_PREFIXES = ("api-1.0.0:",)
IGNORED = {"set_language"}


def _walk(resolver, namespace=""):
    for p in resolver.url_patterns:
        if isinstance(p, URLResolver):
            ns = namespace
            if p.namespace:
                ns = f"{namespace}{p.namespace}:"
            yield from _walk(p, ns)
        elif isinstance(p, URLPattern) and p.name:
            yield f"{namespace}{p.name}"


def all_url_names():
    return sorted({n for n in _walk(get_resolver()) if not n.startswith(IGNORED_PREFIXES) and n not in IGNORED})


def load_matrix():
    matrix = {}
    for mod in pkgutil.iter_modules(tests.__path__):
        if not mod.ispkg:
            continue
        try:
            module = importlib.import_module(f"tests.{mod.name}.matrix")
        except ModuleNotFoundError:
            continue
        for name, entry in module.MATRIX.items():
            assert name not in matrix, f"{name} declared twice"
            matrix[name] = entry
    return matrix


MATRIX = load_matrix()


def test_every_url_has_an_entry():
    missing = [name for name in all_url_names() if name not in MATRIX]
    assert not missing, f"URL patterns without an expected outcome per role: {missing}"


def test_no_stale_entries():
    stale = sorted(set(MATRIX) - set(all_url_names()))
    assert not stale, f"matrix entries for URL names that no longer exist: {stale}"


@pytest.mark.parametrize("name", sorted(MATRIX))
def test_role_matrix(world, name):
    from django.urls import reverse

    entry = MATRIX[name]
    args = entry.get("args", lambda w: [])(world)
    url = reverse(name, args=args)
    method = entry.get("method", "get")
    data = entry.get("data", lambda w: {})(world) if method == "post" else None
    failures = []
    for role in ROLES:
        expected = entry["expect"].get(role, entry["expect"].get("*"))
        assert expected is not None, f"{name}: no expectation for {role}"
        client = client_for(world.users[role])
        response = getattr(client, method)(url, data) if data is not None else getattr(client, method)(url)
        if response.status_code != expected:
            failures.append(f"{role}: got {response.status_code}, expected {expected}")
    assert not failures, f"{name} ({url}): " + "; ".join(failures)
