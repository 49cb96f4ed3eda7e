import datetime as dt

import pytest
from django.contrib.auth import authenticate
from django.urls import reverse
from django.utils import timezone

from convoca.accounts import services
from convoca.accounts.models import Invitation, User
from convoca.core.errors import NotFound, ServiceError
from convoca.network.models import Person, Visibility

from .helpers import NEW_PASSWORD, counts, make_invitation


def _url(raw):
    return reverse("accounts:invitation_accept", args=[raw])


def _form(name="Nueva Compañera", password=NEW_PASSWORD, confirm=None):
    return {"display_name": name, "password": password, "password_confirm": password if confirm is None else confirm}


def test_it_shows_the_email_and_role_being_accepted(client, world):
    _invitation, raw = make_invitation(world, role=Invitation.Role.COMMITTEE, committee=world.committee_co)
    response = client.get(_url(raw), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert b"new.person@example.org" in response.content
    assert b"Member of the national committee of Colombia" in response.content
    assert "no-store" in response["Cache-Control"]


def test_it_creates_the_account_with_the_most_private_defaults(client, world):
    invitation, raw = make_invitation(world)
    response = client.post(_url(raw), _form())
    assert response.status_code == 302
    assert response.url == reverse("accounts:me")
    user = User.objects.get(email="new.person@example.org")
    assert not user.is_coordinator and not user.is_translator
    assert authenticate(username="new.person@example.org", password=NEW_PASSWORD) == user
    person = user.person
    assert person.display_name == "Nueva Compañera"
    assert person.email == "new.person@example.org"
    for field in Person.VISIBLE_FIELDS:
        assert getattr(person, f"{field}_visibility") == Visibility.COORDINATORS, field
    invitation.refresh_from_db()
    assert invitation.accepted_at is not None
    # Logged in as the new account.
    page = client.get(response.url)
    assert page.status_code == 200
    assert page.context["user"] == user


@pytest.mark.parametrize(
    "role, check",
    [
        (Invitation.Role.COORDINATOR, lambda user, w: user.is_coordinator and not user.is_translator),
        (Invitation.Role.TRANSLATOR, lambda user, w: user.is_translator and not user.is_coordinator),
        (Invitation.Role.MEMBER, lambda user, w: not (user.is_coordinator or user.is_translator)),
        (
            Invitation.Role.COMMITTEE,
            lambda user, w: w.committee_mx.members.filter(pk=user.person.pk).exists() and not user.is_coordinator,
        ),
    ],
)
def test_it_applies_the_role(world, role, check):
    committee = world.committee_mx if role == Invitation.Role.COMMITTEE else None
    _invitation, raw = make_invitation(world, role=role, committee=committee)
    user = services.accept_invitation(raw, "Nueva", NEW_PASSWORD)
    assert check(user, world)
    assert user.has_perm("accounts.invite") == (role == Invitation.Role.COORDINATOR)


def test_it_links_an_existing_person_with_the_same_email(world):
    known = Person.objects.create(
        display_name="Imported", email="Known.Person@example.org", full_name="Known Person",
        full_name_visibility=Visibility.MEMBERS,
    )
    _invitation, raw = make_invitation(world, email="known.person@example.org")
    people = Person.objects.count()
    user = services.accept_invitation(raw, "Known", NEW_PASSWORD)
    assert Person.objects.count() == people
    known.refresh_from_db()
    assert known.user == user
    assert known.display_name == "Known"
    assert known.full_name == "Known Person"  # what the coalition already knew stays


def test_it_refuses_when_the_person_record_belongs_to_another_account(world):
    Person.objects.filter(pk=world.nadia_person.pk).update(email="taken@example.org")
    _invitation, raw = make_invitation(world, email="taken@example.org")
    before = counts()
    with pytest.raises(ServiceError):
        services.accept_invitation(raw, "Someone", NEW_PASSWORD)
    assert counts() == before
    assert services.usable_invitation(raw)


def test_it_refuses_a_forged_token_and_writes_nothing(client, world):
    make_invitation(world)
    before = counts()
    for forged in ["forged-token", "x" * 43, "-"]:
        get = client.get(_url(forged), HTTP_ACCEPT_LANGUAGE="en")
        assert get.status_code == 404, forged
        assert b"This invitation link is not valid" in get.content
        assert client.post(_url(forged), _form()).status_code == 404
    with pytest.raises(NotFound):
        services.accept_invitation("forged-token", "X", NEW_PASSWORD)
    assert counts() == before


@pytest.mark.parametrize(
    "fields, phrase",
    [
        ({"expires_in": dt.timedelta(seconds=-1)}, b"has expired"),
        ({"revoked_at": timezone.now()}, b"has been withdrawn"),
        ({"accepted_at": timezone.now()}, b"already been used"),
    ],
)
def test_it_refuses_an_unusable_invitation_with_410(client, world, fields, phrase):
    _invitation, raw = make_invitation(world, **fields)
    before = counts()
    response = client.get(_url(raw), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 410
    assert phrase in response.content
    assert client.post(_url(raw), _form()).status_code == 410
    with pytest.raises(services.Gone):
        services.accept_invitation(raw, "X", NEW_PASSWORD)
    assert counts() == before


def test_it_creates_one_account_when_accepted_twice(client, world):
    _invitation, raw = make_invitation(world)
    services.accept_invitation(raw, "First", NEW_PASSWORD)
    after_first = counts()
    with pytest.raises(services.Gone):
        services.accept_invitation(raw, "Second", NEW_PASSWORD)
    assert client.post(_url(raw), _form("Third")).status_code == 410
    assert counts() == after_first
    assert User.objects.filter(email="new.person@example.org").count() == 1
    assert User.objects.get(email="new.person@example.org").person.display_name == "First"


def test_it_loses_the_claim_race_without_writing(world, monkeypatch):
    """The conditional update is the guard: a submit that passed the first
    check, but whose invitation was claimed by another submit committing in
    between, creates nothing. (The read is replaced to stand for "checked
    before the other commit"; the claim itself runs for real.)"""
    invitation, raw = make_invitation(world)
    checked_before = services.usable_invitation(raw)
    Invitation.objects.filter(pk=invitation.pk).update(accepted_at=timezone.now())  # the other submit won
    before = counts()
    monkeypatch.setattr(services, "usable_invitation", lambda token: checked_before)
    with pytest.raises(services.Gone):
        services.accept_invitation(raw, "Late", NEW_PASSWORD)
    assert counts() == before


@pytest.mark.parametrize(
    "name, data, field",
    [
        ("weak password", _form(password="12345678901"), "password"),
        ("common password", _form(password="password123"), "password"),
        ("short password", _form(password="abc"), "password"),
        ("password like the email", _form(password="new.person@example.org"), "password"),
        ("passwords differ", _form(confirm="something else entirely"), "password_confirm"),
        ("empty name", _form(name="   "), "display_name"),
        ("name too long", _form(name="x" * 121), "display_name"),
        ("nothing at all", {}, "display_name"),
    ],
)
def test_it_shows_bad_input_next_to_the_field_and_writes_nothing(client, world, name, data, field):
    _invitation, raw = make_invitation(world)
    before = counts()
    response = client.post(_url(raw), data)
    assert response.status_code == 200, name
    assert response.context["form"].errors[field], name
    assert b'class="error-summary"' in response.content
    assert counts() == before
    assert services.usable_invitation(raw)  # still usable after the mistake


def test_it_refuses_an_email_that_got_an_account_meanwhile(client, world):
    _invitation, raw = make_invitation(world, email="late@example.org")
    User.objects.create_user("late@example.org", NEW_PASSWORD)
    before = counts()
    response = client.post(_url(raw), _form(), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert b"An account with this email already exists" in response.content
    assert counts() == before


def test_it_does_not_log_the_password(client, world):
    _invitation, raw = make_invitation(world)
    response = client.post(_url(raw), _form(password="12345678901"))
    assert response.status_code == 200
    assert b"12345678901" not in response.content
