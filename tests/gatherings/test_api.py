"""/api/v1/ gatherings and registrations: same services, JSON errors 400/403/404, never 500."""

import json

import pytest

from convoca.accounts.models import ApiToken, hash_token
from convoca.gatherings import services
from convoca.gatherings.models import Gathering, Registration
from convoca.network.models import Membership

from .helpers import delegate, observer, snapshot

API = "/api/v1"


def bearer(user, raw="tok-" + "x" * 40):
    ApiToken.objects.create(user=user, name="script", prefix=raw[:8], key_hash=hash_token(raw))
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def post(client, url, body, **extra):
    return client.post(url, json.dumps(body), content_type="application/json", **extra)


def test_it_lists_gatherings_publicly(client, world):
    response = client.get(f"{API}/gatherings")
    assert response.status_code == 200
    slugs = [g["slug"] for g in response.json()]
    assert slugs == ["prep-co", "prep-mx", "conferencia"]
    assert all(g["online_url"] is None for g in response.json())


def test_it_shows_a_gathering_and_404s_an_unknown_one(client, world):
    body = client.get(f"{API}/gatherings/prep-co").json()
    assert body["country"] == "CO" and body["kind"] == "preparatory" and body["url"] == "/gatherings/prep-co/"
    response = client.get(f"{API}/gatherings/nope")
    assert response.status_code == 404 and response.json()["code"] == "not_found"


def test_it_creates_a_gathering_for_a_coordinator_with_a_token(client, world):
    response = post(client, f"{API}/gatherings", {
        "kind": "preparatory", "slug": "prep-pe", "title": "Encuentro Perú", "country": "PE",
        "starts_on": "2030-05-01", "ends_on": "2030-05-02", "place": "Lima",
    }, **bearer(world.alice))
    assert response.status_code == 201, response.content
    assert response.json()["slug"] == "prep-pe" and Gathering.objects.filter(slug="prep-pe").exists()


@pytest.mark.parametrize(
    "bad, field",
    [
        ({"ends_on": "2030-04-01"}, "ends_on"),
        ({"country": ""}, "country"),
        ({"slug": "conferencia"}, "slug"),
        ({"starts_on": "mañana"}, "starts_on"),
        ({"starts_on": 12345}, "starts_on"),
        ({"title": ["not", "text"]}, "title"),
        ({"registration_open": "yes"}, "registration_open"),
    ],
    ids=["ends_before_starts", "no_country", "slug_taken", "word_date", "number_date", "list_title", "string_bool"],
)
def test_it_answers_400_with_the_field_for_bad_gathering_input(client, world, bad, field):
    body = {"kind": "preparatory", "slug": "prep-pe", "title": "Encuentro Perú", "country": "PE",
            "starts_on": "2030-05-01", "ends_on": "2030-05-02", "place": "Lima"}
    body.update(bad)
    before = snapshot()
    response = post(client, f"{API}/gatherings", body, **bearer(world.alice))
    assert response.status_code == 400 and response.json()["field"] == field
    assert snapshot() == before


def test_it_refuses_creating_a_gathering_to_a_committee_member(client, world):
    before = snapshot()
    response = post(client, f"{API}/gatherings", {"slug": "x"}, **bearer(world.carla))
    assert response.status_code == 403 and response.json()["code"] == "forbidden"
    assert snapshot() == before


def test_it_requires_authentication_for_writes(client, world):
    response = post(client, f"{API}/gatherings", {"slug": "x"})
    assert response.status_code == 401
    response = post(client, f"{API}/gatherings", {"slug": "x"}, HTTP_AUTHORIZATION="Bearer wrong")
    assert response.status_code == 401


def test_it_lists_registrations_for_managers_with_filters_and_counts(client, world):
    response = client.get(f"{API}/gatherings/conferencia/registrations?status=requested", **bearer(world.alice))
    body = response.json()
    assert response.status_code == 200
    assert body["count"] == 1 and body["counts"]["total"] == 2
    assert [r["name"] for r in body["items"]] == ["Olga Observadora"]


def test_it_refuses_the_registrations_list_to_others(client, world):
    for user, raw in ((world.carla, "c" * 30), (world.bob, "b" * 30)):
        response = client.get(f"{API}/gatherings/conferencia/registrations", **bearer(user, raw))
        assert response.status_code == 403


def test_it_answers_400_for_bad_list_filters(client, world):
    auth = bearer(world.alice)
    assert client.get(f"{API}/gatherings/conferencia/registrations?status=nope", **auth).status_code == 400
    assert client.get(f"{API}/gatherings/conferencia/registrations?limit=abc", **auth).status_code == 400
    body = client.get(f"{API}/gatherings/conferencia/registrations?limit=1&offset=1", **auth).json()
    assert body["count"] == 2 and len(body["items"]) == 1


def test_it_registers_the_caller(client, world):
    Membership.objects.create(person=world.nadia_person, organisation=world.org_co)
    response = post(client, f"{API}/gatherings/conferencia/registrations",
                    {"role": "delegate", "organisation_id": world.org_co.pk}, **bearer(world.nadia))
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["mandate"] == "pending" and body["status"] == "requested" and body["name"] == "Nadia Miembro"


@pytest.mark.parametrize(
    "body, code",
    [
        ({"role": "observer"}, "already_registered"),  # olga registers twice
        ({"role": "delegate", "organisation_id": "REPLACE_MX"}, "not_a_member"),
        ({"role": "delegate", "organisation_id": 999999}, "not_a_member"),
        ({"role": "delegate", "organisation_id": "abc"}, "invalid"),
        ({"role": "king"}, "invalid"),
        ({}, "invalid"),
    ],
    ids=["twice", "foreign_organisation", "unknown_organisation", "text_organisation", "unknown_role", "empty"],
)
def test_it_answers_400_for_bad_registrations(client, world, body, code):
    if body.get("organisation_id") == "REPLACE_MX":
        body["organisation_id"] = world.org_mx.pk
    before = snapshot()
    response = post(client, f"{API}/gatherings/conferencia/registrations", body, **bearer(world.olga))
    assert response.status_code == 400, response.content
    assert response.json()["code"] == code
    assert snapshot() == before


def test_it_accredits_refuses_and_decides_mandates(client, world):
    auth = bearer(world.alice)
    reg = delegate(world, world.conference, world.nadia_person, world.org_co)
    response = post(client, f"{API}/registrations/{reg.pk}/accredit", {}, **auth)
    assert response.status_code == 400 and response.json()["code"] == "mandate_not_confirmed"
    response = post(client, f"{API}/registrations/{reg.pk}/mandate", {"confirm": True}, **auth)
    assert response.status_code == 200 and response.json()["mandate"] == "confirmed"
    response = post(client, f"{API}/registrations/{reg.pk}/accredit", {}, **auth)
    assert response.status_code == 200 and response.json()["status"] == "accredited"
    response = post(client, f"{API}/registrations/{world.olga_reg.pk}/refuse", {"reason": "Sin cupo"}, **auth)
    assert response.status_code == 200 and response.json()["refusal_reason"] == "Sin cupo"


def test_it_rejects_a_mandate_through_the_api(client, world):
    reg = delegate(world, world.prep_co, world.nadia_person, world.org_co)
    response = post(client, f"{API}/registrations/{reg.pk}/mandate", {"confirm": False}, **bearer(world.carla))
    assert response.status_code == 200 and response.json()["mandate"] == "rejected"


@pytest.mark.parametrize("body", [{}, {"reason": ""}, {"reason": "   "}, {"reason": 42}], ids=["none", "empty", "spaces", "number"])
def test_it_answers_400_when_refusing_without_reason(client, world, body):
    before = snapshot()
    response = post(client, f"{API}/registrations/{world.olga_reg.pk}/refuse", body, **bearer(world.alice))
    assert response.status_code == 400 and response.json()["field"] == "reason"
    assert snapshot() == before


@pytest.mark.parametrize("body", [{}, {"confirm": "yes"}, {"confirm": None}], ids=["none", "string", "null"])
def test_it_answers_400_for_a_mandate_without_a_boolean(client, world, body):
    before = snapshot()
    response = post(client, f"{API}/registrations/{world.bob_reg.pk}/mandate", body, **bearer(world.alice))
    assert response.status_code == 400 and response.json()["field"] == "confirm"
    assert snapshot() == before


def test_it_answers_404_to_a_mx_committee_member_accrediting_for_the_co_meeting(client, world):
    reg = observer(world.prep_co, world.nadia_person)
    before = snapshot()
    response = post(client, f"{API}/registrations/{reg.pk}/accredit", {}, **bearer(world.marco))
    assert response.status_code == 404 and response.json()["code"] == "not_found"  # as if it did not exist
    response = post(client, f"{API}/registrations/{reg.pk}/mandate", {"confirm": "garbage"}, **bearer(world.marco, "m" * 30))
    assert response.status_code == 404  # permission before input
    assert snapshot() == before


def test_it_answers_404_for_an_unknown_registration(client, world):
    response = post(client, f"{API}/registrations/999999/accredit", {}, **bearer(world.alice))
    assert response.status_code == 404 and response.json()["code"] == "not_found"
    assert post(client, f"{API}/registrations/abc/accredit", {}, **bearer(world.alice, "z" * 30)).status_code == 400  # not an integer: a validation error


def test_it_checks_in_through_the_api(client, world):
    auth = bearer(world.alice)
    token = services.badge_token(world.bob_reg)
    first = post(client, f"{API}/gatherings/conferencia/checkin", {"token": token}, **auth)
    assert first.status_code == 200 and first.json()["result"] == "admitted"
    assert first.json()["registration"]["name"] == "Bob Delegado"
    second = post(client, f"{API}/gatherings/conferencia/checkin", {"token": token}, **auth)
    assert second.status_code == 200 and second.json()["result"] == "already_checked_in"
    assert second.json()["checked_in_at"] == first.json()["checked_in_at"]


@pytest.mark.parametrize(
    "token, code",
    [("forged:token:here", "invalid_token"), ("", "empty_token"), (None, "empty_token"), (123, "empty_token")],
    ids=["forged", "empty", "null", "number"],
)
def test_it_answers_400_for_bad_checkin_tokens(client, world, token, code):
    before = snapshot()
    response = post(client, f"{API}/gatherings/conferencia/checkin", {"token": token}, **bearer(world.alice))
    assert response.status_code == 400 and response.json()["code"] == code
    assert snapshot() == before


def test_it_answers_403_to_an_observer_checking_people_in(client, world):
    token = services.badge_token(world.bob_reg)
    before = snapshot()
    response = post(client, f"{API}/gatherings/conferencia/checkin", {"token": token}, **bearer(world.olga))
    assert response.status_code == 403
    assert snapshot() == before


def test_it_answers_a_revoked_badge_with_its_code(client, world):
    token = services.badge_token(world.bob_reg)
    services.revoke_badge(world.alice, world.bob_reg)
    response = post(client, f"{API}/gatherings/conferencia/checkin", {"token": token}, **bearer(world.alice))
    assert response.status_code == 400 and response.json()["code"] == "revoked_badge"
    assert Registration.objects.get(pk=world.bob_reg.pk).checked_in_at is None


def test_it_answers_a_malformed_json_body_without_500(client, world):
    response = client.post(f"{API}/gatherings/conferencia/checkin", "{not json", content_type="application/json",
                           **bearer(world.alice), HTTP_ACCEPT_LANGUAGE="es")
    assert response.status_code == 400
    assert response.json() == {"detail": "El cuerpo de la solicitud no es JSON válido.", "code": "invalid"}


def test_it_documents_the_endpoints_in_openapi(client, world):
    paths = client.get(f"{API}/openapi.json").json()["paths"]
    for path in ("/api/v1/gatherings", "/api/v1/gatherings/{slug}/registrations", "/api/v1/gatherings/{slug}/checkin",
                 "/api/v1/registrations/{registration_id}/refuse"):
        assert path in paths


def test_it_uses_the_session_too(as_user, world):
    response = as_user(world.alice).get(f"{API}/gatherings/conferencia/registrations")
    assert response.status_code == 200 and response.json()["count"] == 2
