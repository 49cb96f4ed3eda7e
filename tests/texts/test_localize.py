"""``localize``: the reader's language, or the original with a note; one query for any list."""

import pytest
from django.utils import translation

from convoca.gatherings import services as gathering_services
from convoca.gatherings.models import Gathering
from convoca.texts.queries import localize, localized

from .helpers import translate


def test_it_shows_the_translation_in_the_readers_language(spanish):
    translate(spanish.tomas, spanish.conference, "pt-br", title="Conferência Continental",
              description="Três dias de debate entre organizações.")
    shown = localized(spanish.conference, "pt-br")
    assert str(shown["title"]) == "Conferência Continental"
    assert str(shown["description"]) == "Três dias de debate entre organizações."
    assert shown.is_translation and not shown.is_outdated and not shown.missing
    assert (shown.language, shown.original_language) == ("pt-br", "es")
    assert shown["title"].lang_attr == ""  # in the page's language: no lang attribute needed


def test_it_shows_the_original_with_its_language_when_there_is_no_translation(spanish):
    shown = localized(spanish.conference, "fr")
    assert str(shown["title"]) == "Conferencia Continental"  # never an empty page
    assert not shown.is_translation and shown.missing
    assert shown.language == "es"
    assert shown["title"].lang_attr == ' lang="es"' and shown.lang_attr == ' lang="es"'


def test_it_shows_the_original_to_a_reader_of_its_language_without_a_note(spanish):
    translate(spanish.tomas, spanish.conference, "en", title="Continental Conference", description="Three days.")
    shown = localized(spanish.conference, "es")
    assert str(shown["title"]) == "Conferencia Continental"
    assert not (shown.is_translation or shown.missing or shown.is_original_requested)
    assert shown["title"].lang_attr == ""


def test_it_marks_a_translation_outdated_when_the_original_changes(spanish):
    translate(spanish.tomas, spanish.conference, "en", title="Continental Conference", description="Three days.")
    gathering_services.update_gathering(spanish.alice, spanish.conference, description="Cuatro días de debate.")
    shown = localized(Gathering.objects.get(pk=spanish.conference.pk), "en")
    assert shown.is_translation and shown.is_outdated
    assert str(shown["description"]) == "Three days."  # still the reader's language, with a note


def test_it_keeps_a_translation_current_when_only_other_fields_change(spanish):
    translate(spanish.tomas, spanish.conference, "en", title="Continental Conference", description="Three days.")
    gathering_services.update_gathering(spanish.alice, spanish.conference, place="Ciudad de Guatemala")
    assert not localized(Gathering.objects.get(pk=spanish.conference.pk), "en").is_outdated


def test_it_shows_the_original_on_request_and_says_a_translation_exists(spanish):
    translate(spanish.tomas, spanish.conference, "en", title="Continental Conference", description="Three days.")
    shown = localized(spanish.conference, "en", original=True)
    assert str(shown["title"]) == "Conferencia Continental"
    assert shown.is_original_requested and shown.has_translation and not shown.is_translation
    assert shown["title"].lang_attr == ' lang="es"'


def test_it_falls_back_per_field_to_the_original_with_its_language(spanish):
    translate(spanish.tomas, spanish.prep_co, "en", title="Colombia preparatory meeting")
    gathering_services.update_gathering(spanish.alice, spanish.prep_co, description="Nueva descripción.")
    shown = localized(Gathering.objects.get(pk=spanish.prep_co.pk), "en")
    assert str(shown["title"]) == "Colombia preparatory meeting" and shown["title"].lang_attr == ""
    assert str(shown["description"]) == "Nueva descripción." and shown["description"].lang_attr == ' lang="es"'


def test_it_uses_the_requests_language_by_default(spanish):
    translate(spanish.tomas, spanish.conference, "fr", title="Conférence continentale", description="Trois jours.")
    with translation.override("fr"):
        assert str(localized(spanish.conference)["title"]) == "Conférence continentale"


def test_it_costs_one_query_whatever_the_languages_of_the_list(spanish, django_assert_num_queries):
    gatherings = list(Gathering.objects.all())
    with django_assert_num_queries(1):
        localize(gatherings, "es")
    assert all(not g.localized.missing for g in gatherings)
    with django_assert_num_queries(0):
        assert localize([], "es") == []


def test_it_never_shows_a_version_in_the_originals_own_language(spanish):
    translate(spanish.tomas, spanish.prep_co, "pt-br", title="Encontro preparatório Colômbia")
    gathering_services.update_gathering(spanish.alice, spanish.prep_co, original_language="pt-br")
    shown = localized(Gathering.objects.get(pk=spanish.prep_co.pk), "pt-br")
    assert str(shown["title"]) == "Encuentro preparatorio Colombia" and not shown.is_translation


@pytest.mark.parametrize("language", ["pt-br", "en", "fr"])
def test_it_costs_one_query_for_one_or_three_objects(spanish, django_assert_num_queries, language):
    translate(spanish.tomas, spanish.prep_co, language, title="X")
    one, three = [Gathering.objects.get(pk=spanish.prep_co.pk)], list(Gathering.objects.all())
    assert len(three) == 3
    with django_assert_num_queries(1):
        localize(one, language)
    with django_assert_num_queries(1):
        localize(three, language)
    assert [str(g.localized["title"]) for g in three if g.pk == spanish.prep_co.pk] == ["X"]
