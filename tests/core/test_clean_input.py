"""Text that no database can store (a NUL character, a lone surrogate) is refused with a translated 400 before
any view runs, and nothing is written. Bad inputs tried: NUL in the path, in a query value and key, in a form
field, in a JSON string and key; a lone high and a lone low surrogate in JSON; a JSON body with a raw NUL byte."""

import json

import pytest

from convoca.accounts.services import create_api_token
from convoca.network.models import Organisation
from tests.fixtures import client_for

API = "/api/v1"


def bearer(user):
    _token, raw = create_api_token(user, "script")
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


@pytest.mark.parametrize("url", [
    f"{API}/gatherings/a%00b", f"{API}/polls?gathering=3%00x", f"{API}/organisations?%00=1", "/organisations/?q=%00",
])
def test_it_refuses_a_nul_in_the_path_or_query(client, world, url):
    response = client.get(url, HTTP_ACCEPT_LANGUAGE="es")
    assert response.status_code == 400
    if url.startswith(API):
        assert response.json() == {"code": "invalid", "detail": response.json()["detail"]}
        assert "NUL" in response.json()["detail"] and "no se pueden guardar" in response.json()["detail"]
    else:
        assert "no se pueden guardar" in response.content.decode()


@pytest.mark.parametrize("payload", [
    '{"name": "Sindicato\\u0000", "country": "CO", "sector": "trade_union"}',
    '{"name\\u0000": "x"}',
    '{"name": "Sindicato \\ud800", "country": "CO", "sector": "trade_union"}',
    '{"name": "Sindicato \\udc00 x", "country": "CO", "sector": "trade_union"}',
    '{"name": "Sindicato\x00", "country": "CO"}',
])
def test_it_refuses_unstorable_json_and_writes_nothing(client, world, payload):
    before = Organisation.objects.count()
    response = client.post(f"{API}/organisations", payload, content_type="application/json", **bearer(world.alice))
    assert response.status_code == 400 and response.json()["code"] == "invalid"
    assert Organisation.objects.count() == before


def test_it_lets_a_well_formed_pair_of_surrogates_through(client, world):
    payload = json.dumps({"name": "Sindicato 😀 Andino Dos", "country": "CO", "sector": "trade_union"})  # ensure_ascii pairs
    assert "\\ud83d\\ude00" in payload
    response = client.post(f"{API}/organisations", payload, content_type="application/json", **bearer(world.alice))
    assert response.status_code == 201, response.content
    assert Organisation.objects.filter(name="Sindicato 😀 Andino Dos").exists()


def test_it_refuses_a_nul_in_a_form_posted_as_a_browser_does(world):
    client = client_for(world.alice)
    before = Organisation.objects.count()
    response = client.post("/organisations/new/", "name=Sindicato%00&country=CO&sector=trade_union",
                           content_type="application/x-www-form-urlencoded", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400 and b"cannot be stored" in response.content
    assert Organisation.objects.count() == before


def test_it_leaves_a_multipart_form_to_the_form_which_refuses_a_nul_too(world):
    client = client_for(world.alice)
    before = Organisation.objects.count()
    response = client.post("/organisations/new/", {"name": "Sindicato\x00", "country": "CO", "sector": "trade_union"},
                           HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200 and b"Null characters are not allowed" in response.content
    assert Organisation.objects.count() == before
