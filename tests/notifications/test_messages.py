"""Coordinators and national committees write to the participants of a gathering (filtered); each person
gets the message by email with their own unsubscribe link, signed for that one purpose; a forged or reused
link gets a clear message; an unsubscribed person gets no more such messages but still the decisions."""

import re

import pytest
from django.core import signing

from convoca.core.errors import PermissionDenied, ServiceError
from convoca.gatherings import services as gatherings
from convoca.gatherings.models import Registration
from convoca.network.mail import unsubscribe_token
from convoca.network.models import Person
from tests.fixtures import make_user


@pytest.fixture
def site(settings):
    settings.SITE_URL = "https://convoca.example.org"
    return settings.SITE_URL


@pytest.fixture
def mexican(world):
    """A Mexican delegate at the conference, accredited."""
    _user, person = make_user("lupe@example.org", "Lupe Delegada")
    Registration.objects.create(
        gathering=world.conference, person=person, role=Registration.Role.DELEGATE, organisation=world.org_mx,
        mandate=Registration.Mandate.CONFIRMED, status=Registration.Status.ACCREDITED,
    )
    return person


def _send(user, gathering, capture, **filters):
    with capture(execute=True):
        return gatherings.message_participants(
            user, gathering, subject="Transporte al hotel", body="El bus sale a las 8.", **filters
        )


def _unsubscribe_path(message, site):
    match = re.search(re.escape(site) + r"(/unsubscribe/[^/\s]+/)", message.body)
    assert match, message.body
    return match.group(1)


def test_a_coordinator_writes_to_everyone_matching(world, mexican, site, mailoutbox,
                                                   django_capture_on_commit_callbacks):
    count = _send(world.alice, world.conference, django_capture_on_commit_callbacks)
    assert count == 3  # bob, olga, lupe
    assert sorted(m.to[0] for m in mailoutbox) == ["bob@example.org", "lupe@example.org", "olga@example.org"]
    message = mailoutbox[0]
    assert message.subject == "Transporte al hotel"
    assert "El bus sale a las 8." in message.body
    assert f"{site}/gatherings/conferencia/" in message.body
    assert message.extra_headers["List-Unsubscribe"].startswith(f"<{site}/unsubscribe/")
    mailoutbox.clear()
    assert _send(world.alice, world.conference, django_capture_on_commit_callbacks,
                 statuses=["requested"], roles=["observer"]) == 1
    assert [m.to for m in mailoutbox] == [["olga@example.org"]]


def test_a_committee_writes_only_to_its_country(world, mexican, mailoutbox, django_capture_on_commit_callbacks):
    assert _send(world.marco, world.conference, django_capture_on_commit_callbacks) == 1
    assert [m.to for m in mailoutbox] == [["lupe@example.org"]]
    mailoutbox.clear()
    with pytest.raises(PermissionDenied):  # asking for another country's participants
        _send(world.marco, world.conference, django_capture_on_commit_callbacks, countries=["CO"])
    with pytest.raises(PermissionDenied):  # another country's preparatory meeting
        _send(world.marco, world.prep_co, django_capture_on_commit_callbacks)
    with pytest.raises(PermissionDenied):  # a delegate is no organiser
        _send(world.bob, world.conference, django_capture_on_commit_callbacks)
    assert mailoutbox == []


@pytest.mark.parametrize("values, field", [
    ({"subject": " ", "body": "x"}, "subject"),
    ({"subject": "x" * 151, "body": "x"}, "subject"),
    ({"subject": "x", "body": ""}, "body"),
    ({"subject": "x", "body": "x" * 5001}, "body"),
    ({"subject": "x", "body": "x", "statuses": ["lost"]}, "statuses"),
    ({"subject": "x", "body": "x", "roles": ["king"]}, "roles"),
    ({"subject": "x", "body": "x", "countries": ["ZZ"]}, "countries"),
])
def test_bad_messages_are_refused_and_send_nothing(world, mailoutbox, django_capture_on_commit_callbacks,
                                                    values, field):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ServiceError) as refused:
        gatherings.message_participants(world.alice, world.conference, **values)
    assert refused.value.field == field
    assert mailoutbox == []


def test_nobody_matching_is_said(world, mailoutbox, django_capture_on_commit_callbacks):
    with pytest.raises(ServiceError, match="Nobody matches"):
        _send(world.alice, world.prep_mx, django_capture_on_commit_callbacks)


def test_the_unsubscribe_link_is_honoured_and_says_when_reused(world, client, site, mailoutbox,
                                                               django_capture_on_commit_callbacks):
    _send(world.alice, world.conference, django_capture_on_commit_callbacks, roles=["observer"])
    path = _unsubscribe_path(mailoutbox[0], site)
    page = client.get(path)  # a GET (a mail scanner) changes nothing
    assert page.status_code == 200 and "Stop these messages" in page.content.decode()
    world.olga_person.refresh_from_db()
    assert world.olga_person.messages_opt_out_at is None
    done = client.post(path)
    assert "you will receive no more messages from organisers" in done.content.decode()
    world.olga_person.refresh_from_db()
    assert world.olga_person.messages_opt_out_at is not None
    again = client.post(path)
    assert again.status_code == 400
    assert "This link was already used" in again.content.decode()
    mailoutbox.clear()
    _send(world.alice, world.conference, django_capture_on_commit_callbacks)
    assert sorted(m.to[0] for m in mailoutbox) == ["bob@example.org"]
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):  # decisions still reach her
        gatherings.accredit(world.alice, world.olga_reg)
    assert [m.to for m in mailoutbox] == [["olga@example.org"]]


@pytest.mark.parametrize("token", [
    "forged",
    signing.dumps({"p": 1}, salt="another.purpose"),  # a real signature for another purpose
    signing.dumps({"p": "1"}, salt="convoca.network.unsubscribe"),  # a real signature, not a person id
    "x" * 500,
])
def test_a_forged_link_gets_a_clear_message_and_changes_nothing(world, client, token):
    for response in (client.get(f"/unsubscribe/{token}/"), client.post(f"/unsubscribe/{token}/")):
        assert response.status_code == 400
        assert "This unsubscribe link is not valid" in response.content.decode()
    assert not Person.objects.filter(messages_opt_out_at__isnull=False).exists()


def test_a_tampered_link_of_someone_else_is_refused(world, client):
    token = unsubscribe_token(world.olga_person)
    head, _sep, signature = token.rpartition(":")
    other = unsubscribe_token(world.bob_person).rpartition(":")[0]
    response = client.post(f"/unsubscribe/{other}:{signature}/")  # bob's payload, olga's signature
    assert response.status_code == 400
    assert not Person.objects.filter(messages_opt_out_at__isnull=False).exists()
    assert head  # the token has a payload and a signature


def test_the_page_to_write_filters_and_sends(world, mexican, as_user, mailoutbox, django_capture_on_commit_callbacks):
    client = as_user(world.marco)
    page = client.get("/gatherings/conferencia/message/")
    html = page.content.decode()
    assert page.status_code == 200
    assert 'value="MX"' in html and 'value="CO"' not in html  # a committee is offered its own country only
    with django_capture_on_commit_callbacks(execute=True):
        sent = client.post("/gatherings/conferencia/message/", {"subject": "Hola", "body": "Nos vemos."})
    assert sent.status_code == 302
    assert [m.to for m in mailoutbox] == [["lupe@example.org"]]
    refused = client.post("/gatherings/conferencia/message/", {"subject": "", "body": ""})
    assert refused.status_code == 200 and "This field is required" in refused.content.decode()
    assert as_user(world.bob).get("/gatherings/conferencia/message/").status_code == 403
    assert as_user(world.marco).get("/gatherings/prep-co/message/").status_code == 403


def test_a_refused_address_stops_nobody_else_and_reaches_no_log(world, settings, mailoutbox, caplog,
                                                                django_capture_on_commit_callbacks):
    settings.EMAIL_BACKEND = "tests.notifications.refusing_backend.RefusingBackend"
    caplog.set_level("DEBUG")
    _send(world.alice, world.conference, django_capture_on_commit_callbacks)
    assert [m.to for m in mailoutbox] == [["bob@example.org"]]  # olga's was refused, bob's went
    logged = caplog.text + "".join(str(r.exc_info) for r in caplog.records)
    assert "1 of 2 emails not sent" in caplog.text  # the task failed, and says how many
    assert "olga@example.org" not in logged and "no such user" not in logged
