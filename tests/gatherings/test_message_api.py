"""Messages to participants through the API (issue 11): count who a filter reaches, then write to them, with the
same service and rules as the page (``services.message_recipients`` / ``message_participants``); bad input is
a 400 naming the field, a refusal a 403, and neither sends nor records anything."""

import pytest
from django.test import Client

from convoca.audit.models import Entry
from convoca.gatherings.models import Registration
from tests.fixtures import make_user

from .test_api import bearer, post

COUNT = "/api/v1/gatherings/{}/messages/recipients"
SEND = "/api/v1/gatherings/{}/messages"


@pytest.fixture
def mexican(world):
    """A Mexican delegate at the conference, accredited (with bob, Colombian, and olga, an observer)."""
    _user, person = make_user("lupe@example.org", "Lupe Delegada")
    return Registration.objects.create(
        gathering=world.conference, person=person, role=Registration.Role.DELEGATE, organisation=world.org_mx,
        mandate=Registration.Mandate.CONFIRMED, status=Registration.Status.ACCREDITED,
    )


def _count(client, slug, query="", **auth):
    return client.get(COUNT.format(slug) + (f"?{query}" if query else ""), **auth)


def test_a_coordinator_counts_the_recipients_of_a_filter(client, world, mexican):
    auth = bearer(world.alice)
    assert _count(client, "conferencia", **auth).json() == {"recipients": 3}
    assert _count(client, "conferencia", "statuses=requested", **auth).json() == {"recipients": 1}
    assert _count(client, "conferencia", "statuses=requested,accredited&roles=delegate", **auth).json() == {
        "recipients": 2}
    assert _count(client, "conferencia", "roles=delegate&countries=mx", **auth).json() == {"recipients": 1}
    assert _count(client, "prep-co", **auth).json() == {"recipients": 0}


def test_a_committee_counts_only_its_own_country_at_the_conference(client, world, mexican):
    auth = bearer(world.carla)
    assert _count(client, "conferencia", **auth).json() == {"recipients": 1}  # bob, of a Colombian organisation
    assert _count(client, "conferencia", "countries=CO", **auth).json() == {"recipients": 1}
    response = _count(client, "conferencia", "countries=MX", **auth)
    assert response.status_code == 403
    assert response.json()["detail"] == "A national committee writes only to the participants of its own country."


@pytest.mark.parametrize("query, field", [
    ("statuses=maybe", "statuses"),
    ("statuses=requested,nope", "statuses"),
    ("roles=king", "roles"),
    ("countries=ZZ", "countries"),
    ("countries=Colombia", "countries"),
])
def test_bad_count_filters_are_a_400_naming_the_field(client, world, query, field):
    response = _count(client, "conferencia", query, **bearer(world.alice))
    assert response.status_code == 400 and response.json()["field"] == field


def test_counting_is_refused_to_others(client, world):
    assert _count(client, "conferencia").status_code == 401
    assert _count(client, "nope", **bearer(world.alice)).status_code == 404
    for user, raw in ((world.olga, "o" * 40), (world.bob, "b" * 40), (world.nadia, "n" * 40)):
        response = _count(client, "conferencia", **bearer(user, raw))
        assert response.status_code == 403, user
        assert response.json()["detail"] == "Only coordinators and national committees can write to participants."
    assert _count(client, "prep-co", **bearer(world.marco, "m" * 40)).status_code == 403  # another country's meeting


def test_a_coordinator_writes_to_the_filtered_participants(client, world, mexican, mailoutbox,
                                                           django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = post(client, SEND.format("conferencia"), {
            "subject": " Transporte  al hotel ", "body": "El bus sale a las 8.", "statuses": ["accredited"],
            "roles": ["delegate"], "countries": ["MX"],
        }, **bearer(world.alice))
    assert response.status_code == 202, response.content
    assert response.json() == {"recipients": 1}
    [message] = mailoutbox
    assert message.to == ["lupe@example.org"] and message.subject == "Transporte al hotel"
    assert "El bus sale a las 8." in message.body
    entry = Entry.objects.get(action="gathering.message_sent")
    assert entry.note == "1" and entry.actor_id == world.alice.pk


def test_a_committee_writes_through_its_session_to_its_own_country(as_user, world, mexican, mailoutbox,
                                                                   django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = post(as_user(world.carla), SEND.format("conferencia"), {"subject": "Hola", "body": "Nos vemos."})
    assert response.status_code == 202 and response.json() == {"recipients": 1}
    assert [m.to for m in mailoutbox] == [["bob@example.org"]]


@pytest.mark.parametrize("payload, field, status", [
    ({"subject": "", "body": "Texto"}, "subject", 400),
    ({"subject": "   ", "body": "Texto"}, "subject", 400),
    ({"body": "Texto"}, "subject", 400),
    ({"subject": "Hola", "body": ""}, "body", 400),
    ({"subject": "Hola", "body": "\n  \n"}, "body", 400),
    ({"subject": "x" * 151, "body": "Texto"}, "subject", 400),
    ({"subject": "Hola", "body": "x" * 5001}, "body", 400),
    ({"subject": ["Hola"], "body": "Texto"}, "subject", 400),
    ({"subject": "Hola", "body": 42}, "body", 400),
    ({"subject": "Hola", "body": "Texto", "statuses": ["maybe"]}, "statuses", 400),
    ({"subject": "Hola", "body": "Texto", "statuses": [1]}, "statuses", 400),
    ({"subject": "Hola", "body": "Texto", "statuses": {"a": 1}}, "statuses", 400),
    ({"subject": "Hola", "body": "Texto", "roles": ["king"]}, "roles", 400),
    ({"subject": "Hola", "body": "Texto", "countries": ["ZZ"]}, "countries", 400),
    ({"subject": "Hola", "body": "Texto", "roles": ["guest"]}, None, 400),  # nobody matches
], ids=["empty_subject", "blank_subject", "no_subject", "empty_body", "blank_body", "long_subject", "long_body",
        "list_subject", "number_body", "unknown_status", "number_status", "object_statuses", "unknown_role",
        "unknown_country", "nobody"])
def test_bad_messages_are_refused_and_send_nothing(client, world, mexican, mailoutbox,
                                                   django_capture_on_commit_callbacks, payload, field, status):
    with django_capture_on_commit_callbacks(execute=True):
        response = post(client, SEND.format("conferencia"), payload, **bearer(world.alice))
    assert response.status_code == status, response.content
    assert response.json().get("field") == field and response.json()["detail"]
    assert mailoutbox == [] and not Entry.objects.filter(action="gathering.message_sent").exists()


def test_writing_is_refused_to_others_and_to_another_country(client, world, mexican, mailoutbox,
                                                             django_capture_on_commit_callbacks):
    payload = {"subject": "Hola", "body": "Texto"}
    with django_capture_on_commit_callbacks(execute=True):
        assert post(client, SEND.format("conferencia"), payload).status_code == 401
        other = post(client, SEND.format("conferencia"), {**payload, "countries": ["MX"]}, **bearer(world.carla))
        assert other.status_code == 403 and "only to the participants of its own country" in other.json()["detail"]
        assert post(client, SEND.format("prep-co"), payload, **bearer(world.marco, "m" * 40)).status_code == 403
        for user, raw in ((world.olga, "o" * 40), (world.bob, "b" * 40)):
            assert post(client, SEND.format("conferencia"), payload, **bearer(user, raw)).status_code == 403
    assert mailoutbox == [] and not Entry.objects.filter(action="gathering.message_sent").exists()


def test_a_session_must_have_proved_the_second_factor_to_write(world, mailoutbox, django_capture_on_commit_callbacks):
    client = Client()
    client.force_login(world.alice)
    with django_capture_on_commit_callbacks(execute=True):
        response = post(client, SEND.format("conferencia"), {"subject": "Hola", "body": "Texto"})
    assert response.status_code == 403 and response.json()["code"] == "second_factor_required"
    assert mailoutbox == []


def test_errors_are_in_the_caller_s_language(client, world):
    response = post(client, SEND.format("conferencia"), {"subject": "", "body": "Texto"}, HTTP_ACCEPT_LANGUAGE="fr",
                    **bearer(world.alice))
    assert response.status_code == 400 and response.json()["detail"] != "Write a subject."
