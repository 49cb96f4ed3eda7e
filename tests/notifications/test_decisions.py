"""People are told by email, in their own language and with links on SITE_URL, when they are accredited,
refused (with the reason), when their mandate is decided, and when a vote they may cast opens; only after
the decision commits."""

import pytest
from django.db import transaction

from convoca.accounts.models import User
from convoca.gatherings import services as gatherings
from convoca.gatherings.models import Registration
from convoca.network.mail import language_of


@pytest.fixture
def site(settings):
    settings.SITE_URL = "http://127.0.0.1:8301"
    return settings.SITE_URL


def _delegate(world, **extra):
    return Registration.objects.create(
        gathering=world.conference, person=world.nadia_person, role=Registration.Role.DELEGATE,
        organisation=world.org_co, **extra,
    )


def test_accreditation_is_told_in_the_person_s_language_with_site_url(
    world, site, mailoutbox, django_capture_on_commit_callbacks
):
    User.objects.filter(pk=world.olga.pk).update(language="pt-br")
    with django_capture_on_commit_callbacks(execute=True):
        gatherings.accredit(world.alice, world.olga_reg)
    [message] = mailoutbox
    assert message.to == ["olga@example.org"]
    assert message.subject == "Sua inscrição em Conferencia Continental foi credenciada"
    assert "Olá," in message.body
    assert f"{site}/gatherings/conferencia/registrations/{world.olga_reg.pk}/" in message.body
    assert "127.0.0.1:8000" not in message.body


def test_refusal_gives_the_reason_in_spanish(world, site, mailoutbox, django_capture_on_commit_callbacks):
    User.objects.filter(pk=world.olga.pk).update(language="es")
    with django_capture_on_commit_callbacks(execute=True):
        gatherings.refuse(world.alice, world.olga_reg, "Cupo completo para observadores")
    [message] = mailoutbox
    assert message.subject == "Tu inscripción en Conferencia Continental fue rechazada"
    assert "Cupo completo para observadores" in message.body
    assert site in message.body


@pytest.mark.parametrize("decision, language, subject", [
    ("confirm_mandate", "fr", "Votre mandat pour Conferencia Continental est confirmé"),
    ("reject_mandate", "en", "Your mandate for Conferencia Continental was not confirmed"),
])
def test_mandate_decisions_are_told(world, site, mailoutbox, django_capture_on_commit_callbacks, decision, language,
                                    subject):
    User.objects.filter(pk=world.nadia.pk).update(language=language)
    registration = _delegate(world, mandate=Registration.Mandate.PENDING)
    with django_capture_on_commit_callbacks(execute=True):
        getattr(gatherings, decision)(world.carla, registration)
    [message] = mailoutbox
    assert message.subject == subject
    assert "Sindicato Andino" in message.body


def test_a_rolled_back_decision_tells_nobody(world, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError), transaction.atomic():
        gatherings.accredit(world.alice, world.olga_reg)
        raise RuntimeError("rolled back")
    assert mailoutbox == []


def test_a_retry_and_a_refused_action_tell_nobody(world, mailoutbox, django_capture_on_commit_callbacks):
    registration = _delegate(world, mandate=Registration.Mandate.PENDING)
    with django_capture_on_commit_callbacks(execute=True):
        gatherings.accredit(world.alice, world.bob_reg)  # already accredited
        with pytest.raises(Exception, match="mandate"):
            gatherings.accredit(world.alice, registration)  # its mandate is pending
    assert mailoutbox == []


def test_the_language_falls_back_to_the_record_then_the_site(world, settings):
    person = world.nadia_person
    assert language_of(person) == "en"  # the site's default (English in tests)
    person.languages = "qu, pt"
    assert language_of(person) == "pt-br"
    person.user.language = "fr"
    assert language_of(person) == "fr"


def test_the_language_switch_remembers_a_logged_in_person_s_choice(world, as_user, client):
    response = as_user(world.nadia).post("/i18n/setlang/", {"language": "fr", "next": "/"})
    assert response.status_code == 302
    world.nadia.refresh_from_db()
    assert world.nadia.language == "fr"
    as_user(world.nadia).post("/i18n/setlang/", {"language": "xx", "next": "/"})  # unknown: nothing changes
    world.nadia.refresh_from_db()
    assert world.nadia.language == "fr"
    assert client.post("/i18n/setlang/", {"language": "es", "next": "/"}).status_code == 302  # anonymous: a cookie


def test_the_voters_of_a_poll_are_told_when_it_opens(world, site, mailoutbox, django_capture_on_commit_callbacks):
    from tests.voting.helpers import add_delegate, check_in, new_poll

    check_in(world.bob_reg)
    absent, _reg = add_delegate(world, "absent@example.org", "Ausente", present=False)
    User.objects.filter(pk=world.bob.pk).update(language="es")
    poll = new_poll(world, electorate="present")
    with django_capture_on_commit_callbacks(execute=True):
        from convoca.voting import services as voting

        voting.open_poll(world.alice, poll)
    [message] = mailoutbox  # bob is present; the absent delegate may not vote in this poll
    assert message.to == ["bob@example.org"]
    assert message.subject == "Hay una votación abierta: ¿Adoptamos la declaración?"
    assert f"{site}/votes/poll/{poll.pk}/" in message.body


def test_refusing_again_for_the_same_reason_tells_nobody_twice(world, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        gatherings.refuse(world.alice, world.olga_reg, "Cupo completo")
        gatherings.refuse(world.alice, world.olga_reg, "Cupo completo")  # a double submit
    assert len(mailoutbox) == 1
    with django_capture_on_commit_callbacks(execute=True):
        gatherings.refuse(world.alice, world.olga_reg, "Otro motivo")  # a new reason is news
    assert len(mailoutbox) == 2


def test_the_person_s_data_has_their_choices_and_requests_and_erasure_removes_them(world):
    from convoca.network import services as network

    accounts_language = User.objects.filter(pk=world.nadia.pk)
    accounts_language.update(language="fr")
    network.update_person(world.alice, world.nadia_person, address_form="feminine")
    network.request_to_join(world.nadia, world.org_mx)
    person = type(world.nadia_person).objects.get(pk=world.nadia_person.pk)
    text = repr(network.export_person_data(world.nadia, person))
    assert "'address_form': 'feminine'" in text and "Red Migrante del Norte" in text and "'language': 'fr'" in text
    network.erase_person(world.nadia, world.nadia_person)
    world.nadia_person.refresh_from_db()
    assert world.nadia_person.address_form == "" and not world.nadia_person.join_requests.exists()
    assert User.objects.get(pk=world.nadia.pk).language == ""
