"""The demo gives the demo translator work: gatherings in their countries'
languages, some translated, a few translations outdated, the rest missing."""

from io import StringIO

import pytest
from django.core.management import call_command

from convoca.accounts.demo_data import login_email
from convoca.gatherings.models import Gathering
from convoca.texts.models import Translation
from convoca.texts.queries import MISSING, OUTDATED, changes_since, localized, queue

pytestmark = pytest.mark.django_db


@pytest.fixture
def loaded():
    call_command("demo", stdout=StringIO())


def test_it_writes_each_gathering_in_its_countrys_language(loaded):
    languages = dict(Gathering.objects.values_list("slug", "original_language"))
    assert languages["conferencia-continental"] == "es" and languages["preparatorio-brasil"] == "pt-br"
    assert languages["preparatorio-guyana"] == "en" and languages["preparatorio-guadeloupe"] == "fr"


def test_it_leaves_missing_and_outdated_translations_for_the_translator(loaded):
    assert queue(state=MISSING).count() > 10
    outdated = queue(state=OUTDATED)[0:50]
    assert {(item.obj.slug, item.language) for item in outdated} == {
        ("conferencia-continental", "fr"), ("preparatorio-mexico", "en"),
    }
    conference = Gathering.objects.get(slug="conferencia-continental")
    changes = changes_since(conference, 1)  # the translator sees what changed
    assert [c.name for c in changes if c.changed] == ["description"]
    assert Translation.objects.filter(translated_by__email=login_email("translator")).count() == Translation.objects.count()


def test_a_brazilian_delegate_reads_the_conference_in_portuguese(loaded):
    shown = localized(Gathering.objects.get(slug="conferencia-continental"), "pt-br")
    assert shown.is_translation and str(shown["title"]).startswith("Conferência Continental")


def test_it_adds_no_translation_when_run_again(loaded):
    before = sorted(Translation.objects.values_list("object_id", "language", "revision"))
    call_command("demo", stdout=StringIO())
    assert sorted(Translation.objects.values_list("object_id", "language", "revision")) == before
