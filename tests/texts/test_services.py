"""Writes of language versions: who may, what is refused (and writes nothing),
optimistic versioning, and the original's revisions."""

import pytest

from convoca.core.errors import PermissionDenied, ServiceError
from convoca.gatherings import services as gathering_services
from convoca.gatherings.models import Gathering
from convoca.texts import services
from convoca.texts.models import Snapshot, Translation
from convoca.texts.queries import changes_since, snapshot_of, translation_of

from .helpers import translate, written

LABEL = "gatherings.gathering"


def test_it_saves_a_translation_with_who_when_and_the_revision_it_translates(spanish):
    saved = translate(spanish.tomas, spanish.conference, "en", title="  Continental   Conference ",
                      description="Three days\r\nof debate.")
    stored = translation_of(spanish.conference, "en")
    assert stored.pk == saved.pk and stored.translated_by == spanish.tomas and stored.translated_at is not None
    assert stored.fields == {"title": "Continental Conference", "description": "Three days\nof debate."}
    assert (stored.revision, stored.version) == (spanish.conference.text_revision, 1)
    # the text it translates is kept, so a later change can be shown as a diff
    assert snapshot_of(spanish.conference, stored.revision) == {
        "title": "Conferencia Continental", "description": "Tres días de debate entre organizaciones.",
    }


@pytest.mark.parametrize("name", ["tomas", "alice"])
def test_it_lets_translators_and_coordinators_translate(spanish, name):
    translate(getattr(spanish, name), spanish.prep_co, "fr", title="Rencontre de Colombie")
    assert translation_of(spanish.prep_co, "fr").fields["title"] == "Rencontre de Colombie"


@pytest.mark.parametrize("name", ["carla", "marco", "bob", "olga", "nadia"])
def test_it_refuses_everyone_else_and_writes_nothing(spanish, name):
    before = written()
    with pytest.raises(PermissionDenied):
        translate(getattr(spanish, name), spanish.prep_co, "fr", title="Rencontre de Colombie")
    assert written() == before


def test_it_refuses_an_anonymous_caller(spanish):
    from django.contrib.auth.models import AnonymousUser

    for user in (None, AnonymousUser()):
        with pytest.raises(PermissionDenied):
            translate(user, spanish.prep_co, "fr", title="Rencontre")
    assert not Translation.objects.exists()


BAD = {
    "empty title": ("en", {"title": "   ", "description": "Three days."}, "title", "required"),
    "missing title": ("en", {"description": "Three days."}, "title", "required"),
    "unknown language": ("de", {"title": "Kontinentalkonferenz", "description": "Drei Tage."}, "language",
                         "unknown_language"),
    "language code as a number": (7, {"title": "Conference", "description": "Three days."}, "language",
                                  "unknown_language"),
    "the original's own language": ("es", {"title": "Conferencia", "description": "Tres días."}, "language",
                                    "original_language"),
    "title too long": ("en", {"title": "x" * 201, "description": "Three days."}, "title", "too_long"),
    "description too long": ("en", {"title": "Conference", "description": "x" * 20001}, "description", "too_long"),
    "unknown field": ("en", {"title": "Conference", "description": "Three days.", "place": "Panama"}, "fields",
                      "unknown_field"),
    "title not text": ("en", {"title": ["Conference"], "description": "Three days."}, "title", "invalid"),
    "NUL character": ("en", {"title": "Confe\x00rence", "description": "Three days."}, "title", "invalid"),
    "fields not an object": ("en", "Conference", "fields", "invalid"),
}


@pytest.mark.parametrize("case", BAD, ids=list(BAD))
def test_it_refuses_bad_input_clearly_and_writes_nothing(spanish, case):
    language, fields, field, code = BAD[case]
    before = written()
    with pytest.raises(ServiceError) as refused:
        services.save_translation(spanish.tomas, spanish.conference, language, fields, 1)
    assert (refused.value.field, refused.value.code) == (field, code)
    assert str(refused.value.message)  # a sentence for the translator
    assert written() == before


def test_it_names_the_field_and_its_limit_in_english_and_spanish(spanish):
    from django.utils import translation

    for language, expected in [("en", "200 characters"), ("es", "200 caracteres")]:
        with translation.override(language), pytest.raises(ServiceError) as refused:
            translate(spanish.tomas, spanish.conference, "en", title="x" * 201, description="Three days.")
        assert expected in str(refused.value.message)


def test_it_refuses_a_translation_of_a_field_the_original_does_not_have(spanish):
    with pytest.raises(ServiceError) as refused:
        translate(spanish.tomas, spanish.prep_co, "en", title="Colombia", description="Invented text.")
    assert refused.value.field == "description"
    assert not Translation.objects.exists()


@pytest.mark.parametrize("revision", [0, -1, 99, "1", None, True, 2**40])
def test_it_refuses_a_revision_of_the_original_that_does_not_exist(spanish, revision):
    before = written()
    with pytest.raises(ServiceError) as refused:
        services.save_translation(spanish.tomas, spanish.prep_co, "en", {"title": "Colombia"}, revision)
    assert refused.value.field == "base_revision"
    assert written() == before


@pytest.mark.parametrize("version", [-1, "0", 1.5])
def test_it_refuses_an_expected_version_that_is_not_a_version(spanish, version):
    with pytest.raises(ServiceError) as refused:
        services.save_translation(spanish.tomas, spanish.prep_co, "en", {"title": "Colombia"}, 1,
                                  expected_version=version)
    assert refused.value.field == "expected_version"
    assert not Translation.objects.exists()


@pytest.mark.parametrize("thing", ["registration", "organisation", "unsaved gathering", "a string"])
def test_it_refuses_an_object_that_is_not_translatable(spanish, thing):
    obj = {
        "registration": spanish.bob_reg, "organisation": spanish.org_co, "a string": "conferencia",
        "unsaved gathering": Gathering(title="Nueva", original_language="es"),
    }[thing]
    with pytest.raises(ServiceError) as refused:
        services.save_translation(spanish.tomas, obj, "en", {"title": "New"}, 1)
    assert refused.value.code == "not_translatable"
    assert not Translation.objects.exists()


# --- optimistic versioning ------------------------------------------------------------------------


def _change_title(world, title):
    gathering_services.update_gathering(world.alice, world.prep_co, title=title)
    world.prep_co.refresh_from_db()


def test_it_refuses_a_save_against_an_older_revision_than_the_stored_translation(spanish):
    translate(spanish.tomas, spanish.prep_co, "en", title="Colombia meeting")
    _change_title(spanish, "Encuentro de Colombia")
    translate(spanish.alice, spanish.prep_co, "en", title="Meeting of Colombia")  # up to date: revision 2
    with pytest.raises(services.TranslationConflict) as conflict:  # someone still working from revision 1
        services.save_translation(spanish.tomas, spanish.prep_co, "en", {"title": "Colombian meeting"}, 1)
    assert conflict.value.status == 409 and conflict.value.code == "conflict"
    assert conflict.value.current.fields == {"title": "Meeting of Colombia", "description": ""}
    assert translation_of(spanish.prep_co, "en").fields["title"] == "Meeting of Colombia"


def test_it_refuses_a_save_that_did_not_start_from_the_stored_version(spanish):
    first = services.save_translation(spanish.tomas, spanish.prep_co, "en", {"title": "Colombia meeting"}, 1,
                                      expected_version=0)
    with pytest.raises(services.TranslationConflict) as conflict:  # opened the editor before the first save
        services.save_translation(spanish.alice, spanish.prep_co, "en", {"title": "Meeting in Colombia"}, 1,
                                  expected_version=0)
    assert conflict.value.current.pk == first.pk
    saved = services.save_translation(spanish.alice, spanish.prep_co, "en", {"title": "Meeting in Colombia"}, 1,
                                      expected_version=1)  # after comparing: knowingly replaces it
    assert (saved.version, saved.fields["title"], saved.translated_by) == (2, "Meeting in Colombia", spanish.alice)


def test_it_changes_nothing_when_the_same_save_arrives_twice(spanish):
    first = services.save_translation(spanish.tomas, spanish.prep_co, "en", {"title": "Colombia"}, 1,
                                      expected_version=0)
    again = services.save_translation(spanish.tomas, spanish.prep_co, "en", {"title": "Colombia"}, 1,
                                      expected_version=0)
    assert again.pk == first.pk and translation_of(spanish.prep_co, "en").version == 1


def test_it_keeps_a_translation_of_an_older_revision_and_marks_it_outdated(spanish):
    _change_title(spanish, "Encuentro de Colombia")  # while the translator was still working from revision 1
    saved = services.save_translation(spanish.tomas, spanish.prep_co, "en", {"title": "Colombia meeting"}, 1)
    assert saved.revision == 1 and saved.is_outdated_for(spanish.prep_co)


def test_it_brings_an_outdated_translation_up_to_date(spanish):
    translate(spanish.tomas, spanish.prep_co, "en", title="Colombia meeting")
    _change_title(spanish, "Encuentro de Colombia")
    saved = translate(spanish.tomas, spanish.prep_co, "en", title="Meeting of Colombia")
    assert (saved.revision, saved.version) == (2, 2) and not saved.is_outdated_for(spanish.prep_co)


# --- the original's revisions --------------------------------------------------------------------


def test_it_counts_a_revision_only_when_a_translatable_field_changes(spanish):
    assert spanish.prep_co.text_revision == 1
    gathering_services.update_gathering(spanish.alice, spanish.prep_co, place="Medellín")
    spanish.prep_co.refresh_from_db()
    assert spanish.prep_co.text_revision == 1
    _change_title(spanish, "Encuentro de Colombia")
    assert spanish.prep_co.text_revision == 2
    gathering_services.update_gathering(spanish.alice, spanish.prep_co, original_language="pt-br")
    spanish.prep_co.refresh_from_db()
    assert spanish.prep_co.text_revision == 3


def test_it_keeps_the_text_of_a_revision_made_before_translations_existed(spanish):
    # prep_co was created without the service (no snapshot of revision 1): the change records it
    assert snapshot_of(spanish.prep_co, 1) is None
    _change_title(spanish, "Encuentro de Colombia")
    assert snapshot_of(spanish.prep_co, 1)["title"] == "Encuentro preparatorio Colombia"
    assert snapshot_of(spanish.prep_co, 2)["title"] == "Encuentro de Colombia"
    changes = changes_since(spanish.prep_co, 1)
    assert [(c.name, c.changed) for c in changes] == [("title", True), ("description", False)]


def test_it_records_the_first_revision_of_a_gathering_created_through_the_service(spanish):
    gathering = gathering_services.create_gathering(
        spanish.alice, kind="preparatory", slug="prep-br", title="Encontro Nacional — Brasil", country="BR",
        starts_on=spanish.today, ends_on=spanish.today, place="São Paulo", original_language="pt-br",
    )
    assert (gathering.original_language, gathering.text_revision) == ("pt-br", 1)
    row = Snapshot.objects.get(target=LABEL, object_id=gathering.pk)
    assert (row.revision, row.language, row.fields["title"]) == (1, "pt-br", "Encontro Nacional — Brasil")


def test_a_gathering_is_written_in_its_authors_language_unless_said(spanish):
    from django.utils import translation

    with translation.override("fr"):
        gathering = gathering_services.create_gathering(
            spanish.alice, kind="preparatory", slug="prep-gp", title="Rencontre — Guadeloupe", country="GP",
            starts_on=spanish.today, ends_on=spanish.today, place="Pointe-à-Pitre",
        )
    assert gathering.original_language == "fr"


@pytest.mark.parametrize("language", ["de", "pt", "xx-yy"])
def test_it_refuses_a_gathering_in_an_unknown_language(spanish, language):
    with pytest.raises(ServiceError) as refused:
        gathering_services.create_gathering(
            spanish.alice, kind="preparatory", slug="prep-de", title="Treffen", country="CO",
            starts_on=spanish.today, ends_on=spanish.today, place="Bogotá", original_language=language,
        )
    assert refused.value.field == "original_language"
    assert not Gathering.objects.filter(slug="prep-de").exists() and not Snapshot.objects.exists()
