"""Data rights: a person downloads everything Convoca holds about them and can
have it erased; coordinators do the same on request. Erasure keeps what the
coalition's records need in anonymous form, and is refused with a clear
message while the person holds a running proxy or an open registration."""

import datetime as dt
import json

import pytest
from django.contrib.auth import authenticate
from django.test import Client
from django.urls import reverse

from convoca.accounts import services as accounts
from convoca.accounts.models import ApiToken, Invitation, User
from convoca.audit.models import Entry
from convoca.core.errors import PermissionDenied, ServiceError
from convoca.gatherings.models import Gathering, Registration
from convoca.network import services
from convoca.network.models import Membership, Person
from convoca.voting import services as voting
from convoca.voting.models import Ballot, Voter
from tests.fixtures import PASSWORD
from tests.voting.helpers import add_delegate, check_in, close_and_count, key, open_poll


def _download(client, person):
    response = client.post(reverse("network:person_data_download", args=[person.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    return json.loads(response.content)


def _erase(client, person, confirm=True):
    return client.post(reverse("network:person_erase", args=[person.pk]), {"confirm": "on"} if confirm else {})


def _end_the_conference(w):
    past = dt.date.today() - dt.timedelta(days=3)
    Gathering.objects.filter(pk=w.conference.pk).update(starts_on=past, ends_on=past)


# --- download -----------------------------------------------------------------------------------------------------


def test_it_gives_a_person_everything_held_about_them(world, as_user):
    w = world
    accounts.create_api_token(w.bob, "my sync script")
    data = _download(as_user(w.bob), w.bob_person)
    assert data["format"] == "convoca-personal-data" and data["person"] == w.bob_person.pk
    held = data["data"]
    assert held["network"]["person"]["email"] == "bob@example.org"
    assert held["network"]["memberships"] == [
        {"organisation": "Sindicato Andino", "country": "CO", "since": held["network"]["memberships"][0]["since"]}]
    assert held["accounts"]["account"]["email"] == "bob@example.org"
    assert [t["name"] for t in held["accounts"]["api_tokens"]] == ["my sync script"]
    assert held["gatherings"][0]["gathering"] == w.conference.title and held["gatherings"][0]["status"] == "accredited"
    assert any(e["action"] == "token.created" and e["by_you"] for e in held["audit"])


def test_it_lets_a_coordinator_download_on_request_and_records_it(world, as_user):
    w = world
    data = _download(as_user(w.alice), w.olga_person)
    assert data["data"]["network"]["person"]["display_name"] == w.olga_person.display_name
    entry = Entry.objects.get(action="person.exported")
    assert (entry.actor_id, entry.target_type, entry.target_id) == (w.alice.pk, "network.person", str(w.olga_person.pk))
    assert "olga" not in entry.note.lower()


def test_it_refuses_anyone_else(world, as_user):
    w = world
    for user in (w.carla, w.nadia):
        assert as_user(user).post(reverse("network:person_data_download", args=[w.bob_person.pk])).status_code == 404
        with pytest.raises(PermissionDenied):
            services.export_person_data(user, w.bob_person)
    assert as_user(w.bob).get(reverse("network:person_data_download", args=[w.bob_person.pk])).status_code == 405
    assert not Entry.objects.exists()


def test_it_shows_the_data_page_without_writing_anything(world, as_user):
    w = world
    page = as_user(w.nadia).get(reverse("network:my_data"), follow=True)
    html = page.content.decode()
    assert page.status_code == 200 and "Your data" in html and "Erase my data and close my account" in html
    assert not Entry.objects.exists()


# --- erasure refused ------------------------------------------------------------------------------------------------


def test_it_refuses_to_erase_someone_with_an_open_registration_and_says_what_to_do(world, as_user):
    w = world
    before = Person.objects.get(pk=w.bob_person.pk)
    response = _erase(as_user(w.bob), w.bob_person)
    html = response.content.decode()
    assert response.status_code == 400
    assert f"Registered for “{w.conference.title}”" in html and "must first refuse this registration, or the gathering must be over" in html
    assert Person.objects.get(pk=w.bob_person.pk).email == before.email and User.objects.get(pk=w.bob.pk).is_active
    assert not Entry.objects.filter(action="person.erased").exists()


def test_it_refuses_while_a_proxy_is_running(world):
    w = world
    _user, dana = add_delegate(w, "dana@example.org", "Dana Delegada")
    voting.give_proxy(w.bob, w.conference, dana)
    Registration.objects.filter(pk=w.bob_reg.pk).update(status=Registration.Status.REFUSED, refusal_reason="x")
    with pytest.raises(ServiceError, match="proxy .* still running: the proxy must be revoked first") as refused:
        services.erase_person(w.alice, w.bob_person)
    assert len(refused.value.reasons) == 1
    assert not Person.objects.get(pk=w.bob_person.pk).erased_at


def test_it_refuses_to_erase_twice(world):
    w = world
    services.erase_person(w.alice, w.nadia_person)
    with pytest.raises(ServiceError, match="already been erased"):
        services.erase_person(w.alice, w.nadia_person)
    assert Entry.objects.filter(action="person.erased").count() == 1


def test_it_asks_for_the_confirmation(world, as_user):
    w = world
    response = _erase(as_user(w.nadia), w.nadia_person, confirm=False)
    assert response.status_code == 400 and "Tick the box to confirm the erasure." in response.content.decode()
    assert Person.objects.get(pk=w.nadia_person.pk).erased_at is None


# --- erasure --------------------------------------------------------------------------------------------------------


def test_it_erases_a_person_who_asks_and_closes_the_account(world, as_user):
    w = world
    accounts.create_api_token(w.nadia, "script")
    Invitation.objects.create(email="nadia@example.org", created_by=w.alice, token_hash="x" * 64,
                              expires_at=w.alice.date_joined)
    client = as_user(w.nadia)
    response = _erase(client, w.nadia_person)
    assert response.status_code == 302 and response["Location"] == reverse("core:home")
    person = Person.objects.get(pk=w.nadia_person.pk)
    assert person.erased_at and person.display_name == "Erased person"  # in the site's language (English in tests)
    assert (person.full_name, person.email, person.languages, person.pseudonym) == ("", "", "", "")
    user = User.objects.get(pk=w.nadia.pk)
    assert not user.is_active and "nadia" not in user.email and not user.has_usable_password()
    assert authenticate(email="nadia@example.org", password=PASSWORD) is None
    assert not ApiToken.objects.filter(user=user).exists() and not Invitation.objects.exists()
    assert client.get(reverse("accounts:me")).status_code == 302  # logged out
    entry = Entry.objects.get(action="person.erased")
    assert (entry.actor_id, entry.target_id) == (w.nadia.pk, str(person.pk))
    text = " ".join(str(v) for row in Entry.objects.values_list() for v in row)
    assert "nadia" not in text.lower() and "Nadia" not in text


def test_it_keeps_votes_counted_and_the_registration_as_an_erased_person(world):
    w = world
    check_in(w.bob_reg)
    poll = open_poll(w, secrecy="named")
    voting.cast_ballot(w.bob, poll, ["yes"], key())
    close_and_count(w, poll)
    voting.publish_poll(w.alice, poll)
    Registration.objects.filter(pk=w.bob_reg.pk).update(refusal_reason="")
    _end_the_conference(w)
    result_before = type(poll).objects.get(pk=poll.pk).result
    services.erase_person(w.alice, w.bob_person)
    registration = Registration.objects.get(pk=w.bob_reg.pk)
    assert registration.person_id == w.bob_person.pk and registration.organisation_id == w.org_co.pk
    assert registration.status == Registration.Status.ACCREDITED and registration.badge_revoked_at is not None
    assert Voter.objects.filter(registration=registration).count() == 1
    assert Ballot.objects.filter(poll=poll).count() == 1
    assert type(poll).objects.get(pk=poll.pk).result == result_before
    assert not Membership.objects.filter(person=w.bob_person).exists()
    assert not w.committee_co.members.filter(pk=w.bob_person.pk).exists()
    from convoca.voting import queries as voting_queries

    assert [row["voter"] for row in voting_queries.receipts(poll, w.alice)] == ["Erased person"]


def test_it_erases_a_contact_person_and_a_committee_member(world):
    w = world
    services.erase_person(w.alice, w.carla_person)
    w.org_co.refresh_from_db()
    assert w.org_co.contact_id is None and not w.committee_co.members.exists()
    assert Client().get(reverse("network:organisation", args=[w.org_co.pk])).status_code == 200


def test_it_names_the_erased_person_in_the_sites_language(world, settings):
    settings.LANGUAGE_CODE = "es"
    services.erase_person(world.alice, world.nadia_person)
    assert Person.objects.get(pk=world.nadia_person.pk).display_name == "Persona eliminada"


def test_it_includes_the_texts_a_person_wrote_and_keeps_them_after_erasure(world):
    from convoca.proposals.models import Proposal
    from tests.proposals.helpers import proposal

    w = world
    written = proposal(w, state="submitted")
    held = services.export_person_data(w.bob, w.bob_person)["data"]
    assert [p["title"] for p in held["proposals"]["proposals"]] == [written.title]
    _end_the_conference(w)
    services.erase_person(w.alice, w.bob_person)
    assert Proposal.objects.get(pk=written.pk).delegate_id == w.bob_reg.pk  # the text stays, its delegate erased


def test_it_links_the_data_page_from_the_person_page_for_the_person_and_coordinators(world, as_user):
    w = world
    data_page = reverse("network:person_data", args=[w.bob_person.pk])
    for user in (w.bob, w.alice):
        assert data_page in as_user(user).get(reverse("network:person", args=[w.bob_person.pk])).content.decode()
    w.bob_person.display_name_visibility = "members"
    w.bob_person.save(update_fields=["display_name_visibility"])
    assert data_page not in as_user(w.nadia).get(reverse("network:person", args=[w.bob_person.pk])).content.decode()
