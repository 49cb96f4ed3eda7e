"""Newcomers join: a person asks to represent an organisation (its contact, its country's national committee
or a coordinator decides) or proposes a new one (the committee accepts it: it is created); the person is told
by email in their language; the wrong committee, a double request, a second decision are refused."""

import pytest

from convoca.accounts.models import User
from convoca.audit.models import Entry
from convoca.core.errors import PermissionDenied, ServiceError
from convoca.network import services
from convoca.network.models import JoinRequest, Membership, Organisation, Sector
from tests.fixtures import make_user


@pytest.fixture
def newcomer(world):
    user, person = make_user("nueva@example.org", "Nueva Persona")
    User.objects.filter(pk=user.pk).update(language="es")
    return user


def test_a_committee_accepts_a_request_and_the_person_is_told(world, newcomer, mailoutbox,
                                                             django_capture_on_commit_callbacks):
    request = services.request_to_join(newcomer, world.org_mx)
    assert request.country == "MX" and request.status == JoinRequest.Status.PENDING
    with pytest.raises(PermissionDenied):  # Colombia's committee does not decide for a Mexican organisation
        services.decide_join_request(world.carla, request, accept=True)
    with pytest.raises(PermissionDenied):  # nor a plain member, nor the person themself
        services.decide_join_request(world.nadia, request, accept=True)
    with pytest.raises(PermissionDenied):
        services.decide_join_request(newcomer, request, accept=True)
    with django_capture_on_commit_callbacks(execute=True):
        services.decide_join_request(world.marco, request, accept=True)
    assert Membership.objects.filter(person__user=newcomer, organisation=world.org_mx).exists()
    [message] = mailoutbox
    assert message.to == ["nueva@example.org"]
    assert message.subject == "Ahora representas a Red Migrante del Norte"
    assert "/organisations/join/" in message.body
    assert Entry.objects.filter(action="join_request.accepted").count() == 1
    # the same decision again changes nothing; the other one is refused
    assert services.decide_join_request(world.marco, request, accept=True).status == JoinRequest.Status.ACCEPTED
    with pytest.raises(ServiceError, match="already decided"):
        services.decide_join_request(world.alice, request, accept=False)


def test_the_organisation_s_contact_decides_and_a_decline_is_told(world, newcomer, mailoutbox,
                                                                 django_capture_on_commit_callbacks):
    request = services.request_to_join(newcomer, world.org_co)  # carla is its contact (and Colombia's committee)
    with pytest.raises(PermissionDenied):
        services.decide_join_request(world.marco, request, accept=False)
    with django_capture_on_commit_callbacks(execute=True):
        services.decide_join_request(world.carla, request, accept=False)
    assert not Membership.objects.filter(person__user=newcomer, organisation=world.org_co).exists()
    assert mailoutbox[0].subject == "Tu solicitud sobre Sindicato Andino fue rechazada"


def test_double_requests_and_members_are_refused(world, newcomer):
    services.request_to_join(newcomer, world.org_mx)
    with pytest.raises(ServiceError, match="already asked") as again:
        services.request_to_join(newcomer, world.org_mx)
    assert again.value.code == "already_requested"
    with pytest.raises(ServiceError, match="already belong"):
        services.request_to_join(world.bob, world.org_co)
    assert JoinRequest.objects.count() == 1


def test_a_proposed_organisation_is_created_when_its_committee_accepts(world, newcomer, mailoutbox,
                                                                      django_capture_on_commit_callbacks):
    request = services.propose_organisation(newcomer, name="  Colectivo   Tierra ", country="co", sector="social_movement")
    assert request.is_proposal and request.name == "Colectivo Tierra" and request.country == "CO"
    with pytest.raises(ServiceError, match="already proposed"):
        services.propose_organisation(newcomer, name="colectivo tierra", country="CO", sector="other")
    with pytest.raises(PermissionDenied):
        services.decide_join_request(world.marco, request, accept=True)
    with django_capture_on_commit_callbacks(execute=True):
        services.decide_join_request(world.carla, request, accept=True)
    organisation = Organisation.objects.get(name="Colectivo Tierra")
    assert organisation.country == "CO" and organisation.sector == Sector.SOCIAL_MOVEMENT
    assert not organisation.is_public  # members only until someone decides otherwise
    assert organisation.contact.user == newcomer
    assert Membership.objects.filter(person__user=newcomer, organisation=organisation).exists()
    assert "Colectivo Tierra" in mailoutbox[0].body


@pytest.mark.parametrize("values, field", [
    ({"name": "", "country": "CO", "sector": "other"}, "name"),
    ({"name": "X", "country": "Narnia", "sector": "other"}, "country"),
    ({"name": "X", "country": "CO", "sector": "cult"}, "sector"),
    ({"name": "sindicato ANDINO", "country": "CO", "sector": "other"}, "name"),  # already in the registry
])
def test_bad_proposals_are_refused(world, newcomer, values, field):
    with pytest.raises(ServiceError) as refused:
        services.propose_organisation(newcomer, **values)
    assert refused.value.field == field
    assert not JoinRequest.objects.exists()


def test_the_pages(world, newcomer, as_user, mailoutbox, django_capture_on_commit_callbacks):
    client = as_user(newcomer)
    page = client.get("/organisations/join/").content.decode()
    assert "Red Migrante del Norte" in page and "Propose a new organisation" in page
    assert client.post("/organisations/join/", {"action": "join", "organisation": world.org_mx.pk}).status_code == 302
    again = client.post("/organisations/join/", {"action": "join", "organisation": world.org_mx.pk})
    assert again.status_code == 200  # the form says why (the select no longer offers it, or "already asked")
    bad = client.post("/organisations/join/", {"action": "propose", "new-name": "", "new-country": "XX"})
    assert bad.status_code == 200 and "There is a problem" in bad.content.decode()
    assert "Red Migrante del Norte" in client.get("/organisations/join/").content.decode()
    request = JoinRequest.objects.get()
    marco = as_user(world.marco)
    listing = marco.get("/organisations/join/requests/").content.decode()
    assert "Nueva Persona" in listing
    assert "Nueva Persona" not in as_user(world.carla).get("/organisations/join/requests/").content.decode()
    url = f"/organisations/join/requests/{request.pk}/decide/"
    assert as_user(world.carla).post(url, {"decision": "accept"}).status_code == 404  # not hers to see
    assert marco.post(url, {"decision": "maybe"}).status_code == 302
    request.refresh_from_db()
    assert request.status == JoinRequest.Status.PENDING
    with django_capture_on_commit_callbacks(execute=True):
        assert marco.post(url, {"decision": "accept"}).status_code == 302
    request.refresh_from_db()
    assert request.status == JoinRequest.Status.ACCEPTED
    assert len(mailoutbox) == 1


def test_the_api_asks_lists_and_decides(world, newcomer, client, mailoutbox, django_capture_on_commit_callbacks):
    from tests.network.helpers import bearer

    asked = client.post("/api/v1/join-requests", {"organisation_id": world.org_mx.pk}, content_type="application/json",
                        headers=bearer(newcomer))
    assert asked.status_code == 201, asked.content
    body = asked.json()
    assert body["name"] == "Red Migrante del Norte" and body["status"] == "pending" and body["person"] is None
    again = client.post("/api/v1/join-requests", {"organisation_id": world.org_mx.pk},
                        content_type="application/json", headers=bearer(newcomer))
    assert again.status_code == 400 and again.json()["code"] == "already_requested"
    for bad in ({"organisation_id": 10**12}, {"organisation_id": 0}, {"name": "X", "country": "Narnia", "sector": "x"},
                {}):
        response = client.post("/api/v1/join-requests", bad, content_type="application/json", headers=bearer(newcomer))
        assert response.status_code in (400, 404), (bad, response.status_code)
    assert [r["name"] for r in client.get("/api/v1/join-requests", headers=bearer(newcomer)).json()] == [
        "Red Migrante del Norte"]
    assert client.get("/api/v1/join-requests/to-decide", headers=bearer(world.carla)).json() == []
    [waiting] = client.get("/api/v1/join-requests/to-decide", headers=bearer(world.marco)).json()
    assert waiting["person"] == "Nueva Persona"
    url = f"/api/v1/join-requests/{waiting['id']}/decision"
    assert client.post(url, {"accept": True}, content_type="application/json",
                       headers=bearer(world.carla)).status_code == 404  # the wrong committee: as missing
    with django_capture_on_commit_callbacks(execute=True):
        decided = client.post(url, {"accept": True}, content_type="application/json", headers=bearer(world.marco))
    assert decided.status_code == 200 and decided.json()["status"] == "accepted"
    assert len(mailoutbox) == 1
    assert client.post("/api/v1/join-requests/99999999999999999999/decision", {"accept": True},
                       content_type="application/json", headers=bearer(world.marco)).status_code in (404, 422, 400)
