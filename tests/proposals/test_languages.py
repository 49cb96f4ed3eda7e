"""Proposals and amendments exist in the four languages through convoca.texts: translators find them in
their queue (never a draft), readers get their language with a note, and a change of the original marks
the translation outdated."""

import pytest
from django.urls import reverse

from convoca.core.errors import ServiceError
from convoca.proposals import services
from convoca.texts import queries as text_queries
from convoca.texts import services as text_services
from tests.fixtures import client_for

from .helpers import amend, proposal, to_debate

FIRST = "Convocamos una jornada continental de lucha el 1.º de mayo."
ENGLISH = "We call a continental day of action on 1 May.\n\nUnions coordinate.\n\nEnd deportations."


def _queued(gathering, language):
    return {(item.target, item.object_id) for item in text_queries.queue(gathering.pk, language)[0:100]}


def test_translators_find_proposals_and_amendments_but_never_drafts(world):
    draft = proposal(world)
    submitted = proposal(world, "amendment")
    amendment = amend(world, submitted, "replace", 1, text=FIRST)
    queued = _queued(world.conference, "en")
    assert ("proposals.proposal", submitted.pk) in queued and ("proposals.amendment", amendment.pk) in queued
    assert ("proposals.proposal", draft.pk) not in queued


def test_readers_get_their_language_and_a_note_and_the_note_says_when_it_is_outdated(world, settings):
    p = proposal(world, "amendment")
    a = amend(world, p, "replace", 1, text=FIRST, reason="Más claro.")
    text_services.save_translation(world.tomas, p, "en", {"title": "Continental day of action", "text": ENGLISH},
                                   p.text_revision)
    a.refresh_from_db()
    text_services.save_translation(world.tomas, a, "en", {"new_text": "We call a continental day of struggle.",
                                                          "reason": "Clearer."}, a.text_revision)
    page = client_for(world.nadia).get(p.get_absolute_url()).content.decode()
    assert '<h1 lang="en">' not in page and "Continental day of action" in page
    assert "Translation. Original language: Spanish." in page and "?original=1" in page
    assert "We call a continental day of struggle." in page and "Clearer." in page
    original = client_for(world.nadia).get(p.get_absolute_url() + "?original=1").content.decode()
    assert '<h1 lang="es">Jornada continental del 1.º de mayo</h1>' in original
    to_debate(world, p)
    a.refresh_from_db()
    services.adopt_amendment(world.alice, a)
    page = client_for(world.nadia).get(p.get_absolute_url()).content.decode()
    assert "The original has changed since this translation was made." in page


def test_the_list_shows_translated_titles_with_a_mark(world):
    p = proposal(world, "submitted")
    text_services.save_translation(world.tomas, p, "en", {"title": "Continental day", "text": ENGLISH},
                                   p.text_revision)
    page = client_for(world.nadia).get(reverse("proposals:list", args=["conferencia"])).content.decode()
    assert "Continental day" in page and 'class="text-mark"' in page


def test_an_amendment_in_another_language_is_decided_once_it_has_the_texts_language(world):
    p = proposal(world, "amendment")  # written in Spanish
    a = amend(world, p, "replace", 1, text="Convocamos uma jornada continental de luta no 1º de maio.",
              original_language="pt-br")
    to_debate(world, p)
    a.refresh_from_db()
    page = client_for(world.nadia).get(p.get_absolute_url()).content.decode()
    assert "As written, in Brazilian Portuguese" in page and "is not there yet" in page
    with pytest.raises(ServiceError, match="A1 is written in Brazilian Portuguese and the text in Spanish") as caught:
        services.adopt_amendment(world.alice, a)
    assert caught.value.code == "needs_translation"
    with pytest.raises(ServiceError, match="translators must give it its version in Spanish"):
        services.create_amendment_poll(world.alice, a)
    text_services.save_translation(world.tomas, a, "es", {"new_text": FIRST}, a.text_revision)
    services.adopt_amendment(world.alice, a)
    p.refresh_from_db()
    assert p.text.startswith(FIRST)  # the Spanish version enters the Spanish text


def test_an_amendment_adopted_by_vote_without_the_texts_language_waits_for_the_organisers(world):
    p = proposal(world, "amendment")
    a = amend(world, p, "insert", 3, text="Nos vemos nas ruas.", original_language="pt-br")
    to_debate(world, p)
    a.refresh_from_db()
    services.adopt_amendment(None, a, system=True)  # as the ticker does with a published result
    p.refresh_from_db()
    conflict = p.conflicts.get()
    assert conflict.amendment == a and conflict.others == [] and "ruas" not in p.text  # never slipped in silently
    services.resolve_conflict(world.alice, conflict, text="Exigimos el fin de las deportaciones masivas y la "
                              "regularización de todas las personas migrantes.\n\nNos vemos en las calles.",
                              base_version=p.version)
    p.refresh_from_db()
    assert p.text.endswith("Nos vemos en las calles.")
