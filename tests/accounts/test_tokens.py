import re

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from convoca.accounts import services
from convoca.accounts.models import ApiToken, hash_token
from convoca.core.errors import NotFound, PermissionDenied, ServiceError

from .helpers import counts

URL = "/accounts/tokens/"


def _raw_from(response):
    match = re.search(r'<code class="token" id="new-token">([^<]+)</code>', response.content.decode())
    assert match
    return match.group(1)


def test_it_shows_a_new_token_once_and_stores_its_digest(as_user, world, client):
    response = as_user(world.nadia).post(URL, {"name": "  Spreadsheet   sync "})
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    raw = _raw_from(response)
    token = ApiToken.objects.get(user=world.nadia)
    assert token.name == "Spreadsheet sync"
    assert token.key_hash == hash_token(raw)
    assert token.prefix == raw[:8]
    assert raw not in str(ApiToken.objects.filter(pk=token.pk).values().get())
    again = as_user(world.nadia).get(URL)
    assert raw not in again.content.decode()
    assert token.prefix in again.content.decode()
    # The token works for the API.
    assert client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {raw}").json()["email"] == "nadia@example.org"


def test_it_lists_only_my_tokens(as_user, world):
    services.create_api_token(world.alice, "alice's script")
    services.create_api_token(world.nadia, "nadia's script")
    html = as_user(world.nadia).get(URL).content.decode()
    assert "nadia&#x27;s script" in html
    assert "alice" not in html.split("<main")[1].split("</main>")[0]


def test_it_costs_the_same_queries_for_one_or_three_tokens(as_user, world):
    client = as_user(world.nadia)
    services.create_api_token(world.nadia, "one")
    with CaptureQueriesContext(connection) as one:
        first = client.get(URL)
    services.create_api_token(world.nadia, "two")
    services.create_api_token(world.nadia, "three")
    with CaptureQueriesContext(connection) as three:
        response = client.get(URL)
    assert first.content.count(b"<tr>") == 2 and response.content.count(b"<tr>") == 4
    assert len(one) == len(three)


@pytest.mark.parametrize(
    "name, data", [("empty name", {"name": "   "}), ("no name", {}), ("too long", {"name": "x" * 101})]
)
def test_it_refuses_a_bad_name_and_creates_nothing(as_user, world, name, data):
    before = counts()
    response = as_user(world.nadia).post(URL, data)
    assert response.status_code == 200, name
    assert response.context["form"].errors["name"], name
    assert b'id="new-token"' not in response.content
    assert counts() == before


def test_it_limits_the_number_of_active_tokens(world):
    for i in range(services.MAX_ACTIVE_TOKENS):
        services.create_api_token(world.nadia, f"t{i}")
    before = counts()
    with pytest.raises(ServiceError) as exc:
        services.create_api_token(world.nadia, "one too many")
    assert exc.value.field == "name"
    assert counts() == before


def test_it_revokes_my_token(as_user, world, client):
    token, raw = services.create_api_token(world.nadia, "script")
    response = as_user(world.nadia).post(reverse("accounts:token_revoke", args=[token.pk]))
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 401
    # Revoking again is harmless and keeps the first time.
    again = services.revoke_api_token(world.nadia, token.pk)
    assert again.revoked_at == token.revoked_at


def test_it_does_not_let_anyone_revoke_someone_elses_token(as_user, world):
    token, _raw = services.create_api_token(world.nadia, "script")
    for name in ["alice", "bob", "carla"]:
        assert as_user(world.users[name]).post(reverse("accounts:token_revoke", args=[token.pk])).status_code == 404
        with pytest.raises(NotFound):
            services.revoke_api_token(world.users[name], token.pk)
    token.refresh_from_db()
    assert token.revoked_at is None


def test_it_refuses_revoke_by_get_and_for_unknown_ids(as_user, world):
    token, _raw = services.create_api_token(world.nadia, "script")
    client = as_user(world.nadia)
    assert client.get(reverse("accounts:token_revoke", args=[token.pk])).status_code == 405
    assert client.post(reverse("accounts:token_revoke", args=[999999])).status_code == 404
    assert client.post(reverse("accounts:token_revoke", args=[10**30])).status_code == 404
    for bad in [None, "junk", 999999, -1, 10**30]:
        with pytest.raises(NotFound):
            services.revoke_api_token(world.nadia, bad)
    token.refresh_from_db()
    assert token.revoked_at is None


def test_it_refuses_anonymous_and_inactive_users(world, client):
    world.olga.is_active = False
    world.olga.save(update_fields=["is_active"])
    before = counts()
    for user in [AnonymousUser(), world.olga]:
        with pytest.raises(PermissionDenied):
            services.create_api_token(user, "script")
    response = client.post(URL, {"name": "script"})
    assert response.status_code == 302
    assert counts() == before
