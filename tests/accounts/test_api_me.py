from convoca.accounts import services
from convoca.accounts.models import ApiToken

URL = "/api/v1/me"


def _bearer(raw):
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def test_it_describes_the_token_owner(client, world):
    _token, raw = services.create_api_token(world.carla, "script")
    response = client.get(URL, **_bearer(raw))
    assert response.status_code == 200
    assert response.json() == {
        "id": world.carla.pk,
        "email": "carla@example.org",
        "person_id": world.carla_person.pk,
        "roles": {"coordinator": False, "translator": False, "committee_countries": ["CO"]},
    }


def test_it_describes_the_session_user(as_user, world):
    body = as_user(world.alice).get(URL).json()
    assert body["id"] == world.alice.pk
    assert body["roles"] == {"coordinator": True, "translator": False, "committee_countries": []}


def test_it_answers_401_to_a_wrong_missing_or_revoked_token(client, world):
    token, raw = services.create_api_token(world.nadia, "script")
    assert client.get(URL).status_code == 401
    for bad in ["forged", raw + "x", raw[:-1], ""]:
        assert client.get(URL, **_bearer(bad)).status_code == 401, bad
    assert client.get(URL, HTTP_AUTHORIZATION=raw).status_code == 401  # no "Bearer"
    services.revoke_api_token(world.nadia, token.pk)
    assert client.get(URL, **_bearer(raw)).status_code == 401
    assert ApiToken.objects.count() == 1


def test_it_refuses_the_token_of_a_deactivated_account(client, world):
    _token, raw = services.create_api_token(world.bob, "script")
    world.bob.is_active = False
    world.bob.save(update_fields=["is_active"])
    assert client.get(URL, **_bearer(raw)).status_code == 401


def test_it_has_a_null_person_for_an_account_without_one(client, world):
    from convoca.accounts.models import User

    user = User.objects.create_user("script@example.org", "whatever it is 123")
    _token, raw = services.create_api_token(user, "script")
    assert client.get(URL, **_bearer(raw)).json()["person_id"] is None
