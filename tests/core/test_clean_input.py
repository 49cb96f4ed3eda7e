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


@pytest.mark.parametrize("fields", [
    {"name": "Sindicato\x00", "country": "CO", "sector": "trade_union"},
    {"name": "Sindicato", "country": "CO", "sector": "trade_union", "\x00": "x"},
])
def test_it_refuses_a_nul_in_a_form_posted_as_multipart_to_any_page(world, fields):
    """Any page takes a multipart body, whatever its form's enctype: its text fields are checked too."""
    client = client_for(world.alice)
    before = Organisation.objects.count()
    response = client.post("/organisations/new/", fields, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400 and b"cannot be stored" in response.content
    assert Organisation.objects.count() == before


def test_it_lets_a_clean_multipart_form_and_a_broken_one_reach_django_as_before(world):
    client = client_for(world.alice)
    response = client.post("/organisations/new/", {"name": "Sindicato Multipart", "country": "CO",
                                                   "sector": "trade_union"})
    assert response.status_code == 302 and Organisation.objects.filter(name="Sindicato Multipart").exists()
    broken = client.post("/organisations/new/", b"--x\r\nContent-Disposition: form-data\r\n\r\nname\r\n",
                         content_type="multipart/form-data; boundary=x")
    assert broken.status_code in (200, 400, 403) and not Organisation.objects.filter(name="name").exists()
