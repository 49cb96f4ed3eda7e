"""The one API-token check (accounts.queries.user_for_token): the owner of a
valid token, nobody for anything else, one query, and nothing remembered
between requests: a revoked token or a deactivated account is refused by the
very next request."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from convoca.accounts import services
from convoca.accounts.queries import token_owners, user_for_token


def me(raw):
    return Client().get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {raw}")


def test_it_finds_the_owner_of_a_valid_token_in_one_query(world):
    _token, raw = services.create_api_token(world.nadia, "script")
    with CaptureQueriesContext(connection) as queries:
        user = user_for_token(raw)
    assert user == world.nadia and user.email == "nadia@example.org" and user.is_active is True
    assert user.date_joined == world.nadia.date_joined and user.date_joined.tzinfo is not None
    assert len(queries) == 1


@pytest.mark.parametrize("name, raw", [
    ("unknown", "cvk_not-a-token-anyone-was-given"),
    ("empty", ""),
    ("oversized", "x" * 10_000),
    ("not text", 12345),
    ("none", None),
])
def test_it_finds_nobody_for_anything_else(world, name, raw):
    services.create_api_token(world.nadia, "script")
    assert user_for_token(raw) is None, name


def test_it_refuses_a_revoked_token_on_the_next_request(world):
    token, raw = services.create_api_token(world.nadia, "script")
    assert me(raw).json()["email"] == "nadia@example.org"
    services.revoke_api_token(world.nadia, token.pk)
    assert me(raw).status_code == 401
    assert user_for_token(raw) is None


def test_it_refuses_a_deactivated_account_on_the_next_request(world):
    _token, raw = services.create_api_token(world.nadia, "script")
    assert me(raw).status_code == 200
    world.nadia.is_active = False
    world.nadia.save(update_fields=["is_active"])
    assert me(raw).status_code == 401
    world.nadia.is_active = True
    world.nadia.save(update_fields=["is_active"])
    assert me(raw).status_code == 200  # reactivated: the same token works again


def test_it_checks_many_tokens_in_one_query(world):
    _t1, nadia = services.create_api_token(world.nadia, "script")
    _t2, bob = services.create_api_token(world.bob, "script")
    revoked, tomas = services.create_api_token(world.tomas, "script")
    services.revoke_api_token(world.tomas, revoked.pk)
    _t4, carla = services.create_api_token(world.carla, "script")
    world.carla.is_active = False
    world.carla.save(update_fields=["is_active"])
    with CaptureQueriesContext(connection) as queries:
        found = token_owners([nadia, bob, tomas, carla, "cvk_unknown", "", None, "x" * 10_000])
    assert found == {nadia: world.nadia.pk, bob: world.bob.pk}
    assert len(queries) == 1
