"""Those who may decide are told of a new request to join (issue 11): the organisation's contact person and its
country's national committee (for a proposed organisation, the committee; the coordinators when nobody else
may decide), after commit, each in their language, with the link to the page where they decide. A refused
request and a rolled-back one tell nobody; an opt-out of messages from organisers does not skip this work
email."""

import pytest
from django.db import transaction
from django.utils import timezone

from convoca.accounts.models import User
from convoca.core.errors import ServiceError
from convoca.network import services, tasks
from convoca.network.models import JoinRequest, NationalCommittee, Organisation, Person, Sector
from tests.fixtures import make_user

LINK = "https://convoca.example.org/organisations/join/requests/"


@pytest.fixture(autouse=True)
def site(settings):
    settings.SITE_URL = "https://convoca.example.org"


@pytest.fixture
def newcomer(world):
    user, _person = make_user("nueva@example.org", "Nueva Persona")
    return user


def _speaks(user, language):
    User.objects.filter(pk=user.pk).update(language=language)


def test_the_contact_and_the_committee_are_told_once_each_in_their_language(
    world, newcomer, mailoutbox, django_capture_on_commit_callbacks
):
    """Sindicato Andino (CO): carla is its contact and on Colombia's committee (one email); pedro, also on the
    committee, reads Portuguese; marco (Mexico) and the coordinator are not told."""
    pedro, pedro_person = make_user("pedro@example.org", "Pedro Comité")
    world.committee_co.members.add(pedro_person)
    _speaks(world.carla, "es")
    _speaks(pedro, "pt-br")
    with django_capture_on_commit_callbacks(execute=True):
        services.request_to_join(newcomer, world.org_co)
    by_address = {m.to[0]: m for m in mailoutbox}
    assert sorted(by_address) == ["carla@example.org", "pedro@example.org"]
    assert by_address["carla@example.org"].subject == "Nueva solicitud para sumarse a Sindicato Andino"
    assert "Alguien pide representar a Sindicato Andino (Colombia)" in by_address["carla@example.org"].body
    assert by_address["pedro@example.org"].subject == "Novo pedido para entrar em Sindicato Andino"
    assert "Alguém pede para representar Sindicato Andino (Colômbia)" in by_address["pedro@example.org"].body
    for message in mailoutbox:
        assert LINK in message.body
        assert "Nueva Persona" not in message.body and "nueva@example.org" not in message.body


def test_a_contact_of_another_country_is_told_with_the_organisation_s_committee(
    world, newcomer, mailoutbox, django_capture_on_commit_callbacks
):
    """Red Migrante del Norte (MX): its contact is bob (a Colombian member), Mexico's committee is marco."""
    Organisation.objects.filter(pk=world.org_mx.pk).update(contact=world.bob_person)
    world.org_mx.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        services.request_to_join(newcomer, world.org_mx)
    assert sorted(m.to[0] for m in mailoutbox) == ["bob@example.org", "marco@example.org"]
    assert all(m.subject == "New request to join Red Migrante del Norte" for m in mailoutbox)


def test_a_proposed_organisation_is_told_to_its_country_s_committee(
    world, newcomer, mailoutbox, django_capture_on_commit_callbacks
):
    _speaks(world.marco, "fr")
    with django_capture_on_commit_callbacks(execute=True):
        services.propose_organisation(newcomer, name="Colectivo Frontera", country="MX", sector="social_movement")
    [message] = mailoutbox
    assert message.to == ["marco@example.org"]
    assert message.subject == "Nouvelle organisation proposée : Colectivo Frontera"
    assert "Colectivo Frontera (Mexique)" in message.body and LINK in message.body


def test_without_a_committee_the_coordinators_are_told(world, newcomer, mailoutbox,
                                                       django_capture_on_commit_callbacks):
    boss, _ = make_user("boss@example.org", "Otra Coordinadora", is_coordinator=True)
    _speaks(boss, "pt-br")
    with django_capture_on_commit_callbacks(execute=True):
        services.propose_organisation(newcomer, name="Frente Andino", country="PE", sector="other")
    assert sorted(m.to[0] for m in mailoutbox) == ["alice@example.org", "boss@example.org"]
    assert {m.to[0]: m.subject for m in mailoutbox}["boss@example.org"] == "Nova organização proposta: Frente Andino"


def test_nobody_who_may_not_decide_is_told(world, newcomer, mailoutbox, django_capture_on_commit_callbacks):
    """An organisation in Peru: its contact has no account, Peru's committee has a member whose account is
    disabled and one erased: nobody of them may decide, so the coordinator is told instead."""
    no_account = Person.objects.create(display_name="Sin Cuenta", email="sincuenta@example.org")
    org = Organisation.objects.create(name="Colectivo Lima", country="PE", sector=Sector.OTHER, contact=no_account)
    disabled, disabled_person = make_user("off@example.org", "Cuenta Cerrada")
    User.objects.filter(pk=disabled.pk).update(is_active=False)
    _erased_user, erased = make_user("gone@example.org", "Borrada")
    Person.objects.filter(pk=erased.pk).update(erased_at=timezone.now())
    committee = NationalCommittee.objects.create(country="PE")
    committee.members.add(disabled_person, erased)
    with django_capture_on_commit_callbacks(execute=True):
        services.request_to_join(newcomer, org)
    assert [m.to for m in mailoutbox] == [["alice@example.org"]]


def test_the_person_asking_is_not_told_of_their_own_request(world, mailoutbox, django_capture_on_commit_callbacks):
    """Marco, on Mexico's committee, asks to join a Mexican organisation: he may not decide his own request."""
    other, other_person = make_user("otro@example.org", "Otro Comité")
    world.committee_mx.members.add(other_person)
    with django_capture_on_commit_callbacks(execute=True):
        services.request_to_join(world.marco, world.org_mx)
    assert [m.to for m in mailoutbox] == [["otro@example.org"]]


def test_an_opt_out_of_messages_does_not_skip_this_work_email(world, newcomer, mailoutbox,
                                                              django_capture_on_commit_callbacks):
    Person.objects.filter(pk=world.marco_person.pk).update(messages_opt_out_at=timezone.now())
    with django_capture_on_commit_callbacks(execute=True):
        services.request_to_join(newcomer, world.org_mx)
    [message] = mailoutbox
    assert message.to == ["marco@example.org"] and "List-Unsubscribe" not in message.extra_headers


def test_a_refused_request_tells_nobody(world, newcomer, mailoutbox, django_capture_on_commit_callbacks):
    services.request_to_join(newcomer, world.org_mx)  # its callbacks are not run: the test's transaction
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(ServiceError, match="already asked"):
            services.request_to_join(newcomer, world.org_mx)
        with pytest.raises(ServiceError, match="already belong"):
            services.request_to_join(world.bob, world.org_co)
        with pytest.raises(ServiceError, match="already proposed"):
            services.propose_organisation(newcomer, name="Colectivo Tierra", country="CO", sector="other")
            services.propose_organisation(newcomer, name="colectivo tierra", country="CO", sector="other")
    assert len(callbacks) == 1  # the first proposal only
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(ServiceError):
            services.propose_organisation(newcomer, name="", country="CO", sector="other")
        with pytest.raises(ServiceError):
            services.propose_organisation(newcomer, name="Sindicato Andino", country="CO", sector="other")
    assert mailoutbox == []


def test_a_rolled_back_request_tells_nobody(world, newcomer, mailoutbox, django_capture_on_commit_callbacks):
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        services.request_to_join(newcomer, world.org_mx)
        services.propose_organisation(newcomer, name="Colectivo Tierra", country="CO", sector="other")
        raise RuntimeError("something after failed")
    assert callbacks == [] and mailoutbox == [] and not JoinRequest.objects.exists()


def test_a_request_decided_before_the_email_goes_tells_nobody(world, newcomer, mailoutbox):
    request = services.request_to_join(newcomer, world.org_mx)
    services.decide_join_request(world.marco, request, accept=False)
    tasks.join_request_received.call(request.pk)
    tasks.join_request_received.call(999999)  # gone
    assert mailoutbox == []


@pytest.mark.django_db(transaction=True)
def test_it_goes_when_the_request_really_commits(mailoutbox):
    """No test transaction around it: the email leaves on the real commit, and not on a real rollback."""
    user, person = make_user("nueva@example.org", "Nueva Persona")
    _marco, marco_person = make_user("marco@example.org", "Marco Comité")
    NationalCommittee.objects.create(country="MX").members.add(marco_person)
    org = Organisation.objects.create(name="Red Migrante del Norte", country="MX", sector=Sector.MIGRANT_RIGHTS)
    with pytest.raises(RuntimeError), transaction.atomic():
        services.request_to_join(user, org)
        raise RuntimeError("rolled back")
    assert mailoutbox == []
    services.request_to_join(user, org)
    assert [m.to for m in mailoutbox] == [["marco@example.org"]]


def test_a_coordinator_without_a_record_in_the_registry_is_told_too(world, newcomer, mailoutbox,
                                                                    django_capture_on_commit_callbacks):
    """Accounts made with createsuperuser have no Person: when the coordinators are told, they are told too, at
    their account's address and in its language; a disabled one is not."""
    bare = User.objects.create_user("solo.cuenta@example.org", "a long enough password", is_coordinator=True)
    _speaks(bare, "fr")
    root = User.objects.create_superuser("raiz@example.org", "a long enough password")
    off = User.objects.create_user("apagada@example.org", "a long enough password", is_coordinator=True)
    User.objects.filter(pk=off.pk).update(is_active=False)
    with django_capture_on_commit_callbacks(execute=True):
        services.propose_organisation(newcomer, name="Frente Andino", country="PE", sector="other")
    by_address = {m.to[0]: m for m in mailoutbox}
    assert sorted(by_address) == ["alice@example.org", "raiz@example.org", "solo.cuenta@example.org"]
    assert by_address["solo.cuenta@example.org"].subject.startswith("Nouvelle organisation proposée")
    assert LINK in by_address["raiz@example.org"].body
    assert not Person.objects.filter(user__in=[bare, root]).exists()  # nothing written for them
