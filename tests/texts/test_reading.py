"""Readers of the gatherings' pages and the home page get their language, a
note when it is a translation (or outdated), a link to the original, and
``lang`` on every text that is not in the page's language."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from convoca.gatherings import services as gathering_services
from convoca.gatherings.models import Gathering

from .helpers import translate

PT = {"HTTP_ACCEPT_LANGUAGE": "pt-br"}


def test_the_list_shows_each_gathering_in_the_readers_language_or_its_original(spanish, client):
    translate(spanish.tomas, spanish.conference, "pt-br", title="Conferência Continental", description="Três dias.")
    html = client.get(reverse("gatherings:list"), **PT).content.decode()
    assert '<html lang="pt-br">' in html
    assert '<a href="/gatherings/conferencia/">Conferência Continental</a> <span class="text-mark">' in html
    assert '<a href="/gatherings/prep-co/" lang="es">Encuentro preparatorio Colombia</a>' in html


def test_the_detail_page_notes_a_translation_and_links_to_the_original(spanish, client):
    translate(spanish.tomas, spanish.conference, "pt-br", title="Conferência Continental", description="Três dias.")
    html = client.get(reverse("gatherings:detail", args=["conferencia"]), **PT).content.decode()
    assert "<h1>Conferência Continental</h1>" in html and "<p>Três dias.</p>" in html
    assert 'class="text-note"' in html and 'href="/gatherings/conferencia/?original=1"' in html
    assert "text-note-outdated" not in html


def test_the_detail_page_says_when_the_translation_is_outdated(spanish, client):
    translate(spanish.tomas, spanish.conference, "en", title="Continental Conference", description="Three days.")
    gathering_services.update_gathering(spanish.alice, spanish.conference, description="Cuatro días.")
    html = client.get(reverse("gatherings:detail", args=["conferencia"])).content.decode()
    assert "<h1>Continental Conference</h1>" in html
    assert "text-note-outdated" in html and "The original has changed since this translation was made." in html


def test_the_original_is_one_click_away_in_its_own_language(spanish, client):
    translate(spanish.tomas, spanish.conference, "en", title="Continental Conference", description="Three days.")
    html = client.get(reverse("gatherings:detail", args=["conferencia"]) + "?original=1").content.decode()
    assert '<h1 lang="es">Conferencia Continental</h1>' in html
    assert '<div class="gathering-description" lang="es"><p>Tres días de debate entre organizaciones.</p>' in html
    assert 'href="/gatherings/conferencia/">Read the translation (English)</a>' in html


def test_a_reader_without_a_version_in_their_language_gets_the_original(spanish, client):
    html = client.get(reverse("gatherings:detail", args=["conferencia"]), HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert '<h1 lang="es">Conferencia Continental</h1>' in html
    assert "Tres días de debate entre organizaciones." in html  # never an empty page
    assert 'class="text-note"' in html


def test_a_reader_of_the_originals_language_sees_no_note(spanish, client):
    html = client.get(reverse("gatherings:detail", args=["conferencia"]), HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "<h1>Conferencia Continental</h1>" in html and "text-note" not in html


def test_the_home_page_lists_gatherings_in_the_readers_language(spanish, client):
    translate(spanish.tomas, spanish.prep_mx, "pt-br", title="Encontro preparatório México")
    html = client.get("/", **PT).content.decode()
    assert '<a href="/gatherings/prep-mx/">Encontro preparatório México</a>' in html
    assert '<a href="/gatherings/prep-co/" lang="es">' in html


def test_translators_find_their_queue_from_the_home_page_and_the_menu(spanish, as_user):
    html = as_user(spanish.tomas).get("/").content.decode()
    assert "9 translations to do." in html and f'href="{reverse("texts:queue")}"' in html
    coordinator = as_user(spanish.alice).get("/").content.decode()
    assert f'<li><a href="{reverse("texts:queue")}">' in coordinator  # the menu, not the home panel
    assert "translations to do." not in coordinator
    for name in ("bob", "nadia"):
        assert reverse("texts:queue") not in as_user(getattr(spanish, name)).get("/").content.decode()


def test_translators_find_the_translations_of_a_gathering_from_its_page(spanish, as_user):
    url = reverse("gatherings:detail", args=["prep-co"])
    link = f'{reverse("texts:queue")}?gathering={spanish.prep_co.pk}'
    assert link in as_user(spanish.tomas).get(url).content.decode()
    assert link not in as_user(spanish.bob).get(url).content.decode()


def _gathering(slug, days, language):
    start = dt.date.today() + dt.timedelta(days=days)
    return Gathering.objects.create(kind=Gathering.Kind.PREPARATORY, slug=slug, title=f"Encuentro {slug}",
                                    country="CO", starts_on=start, ends_on=start, place="Bogotá",
                                    original_language=language)


@pytest.mark.parametrize("language", ["es", "pt-br", "en", "fr"])
@pytest.mark.parametrize("page", ["/", "/gatherings/"])
def test_a_list_costs_the_same_queries_for_one_or_three_gatherings_in_any_language(
    spanish, client, language, page
):
    Gathering.objects.exclude(pk=spanish.conference.pk).delete()
    translate(spanish.tomas, spanish.conference, "fr", title="Conférence continentale", description="Trois jours.")
    client.get(page, HTTP_ACCEPT_LANGUAGE=language)  # warm the caches shared by every page
    with CaptureQueriesContext(connection) as one:
        client.get(page, HTTP_ACCEPT_LANGUAGE=language)
    second = _gathering("second", 7, "es")
    translate(spanish.tomas, second, "en", title="Second meeting")
    translate(spanish.tomas, second, "pt-br", title="Segundo encontro")
    _gathering("third", 9, "pt-br")
    with CaptureQueriesContext(connection) as three:
        html = client.get(page, HTTP_ACCEPT_LANGUAGE=language).content.decode()
    assert "/gatherings/second/" in html and "/gatherings/third/" in html
    assert len(three.captured_queries) == len(one.captured_queries)


def test_the_organisers_pages_name_the_gathering_in_the_readers_language(spanish, as_user):
    translate(spanish.tomas, spanish.conference, "pt-br", title="Conferência Continental", description="Três dias.")
    client = as_user(spanish.alice)
    for url in (reverse("gatherings:registrations", args=["conferencia"]),
                reverse("gatherings:checkin", args=["conferencia"]),
                reverse("gatherings:registration", args=["conferencia", spanish.olga_reg.pk]),
                reverse("gatherings:badge", args=["conferencia", spanish.bob_reg.pk])):
        html = client.get(url, **PT).content.decode()
        assert "Conferência Continental" in html and "Conferencia Continental" not in html, url
    html = client.get(reverse("gatherings:checkin", args=["prep-co"]), **PT).content.decode()
    assert '<a href="/gatherings/prep-co/" lang="es">Encuentro preparatorio Colombia</a>' in html


def test_a_coordinator_says_which_language_a_new_gathering_is_written_in(spanish, as_user):
    client = as_user(spanish.alice)
    form = client.get(reverse("gatherings:create"), HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert '<option value="fr" selected>' in form  # the author's language by default
    response = client.post(reverse("gatherings:create"), {
        "kind": "preparatory", "title": "Encontro Nacional — Brasil", "slug": "prep-br", "country": "BR",
        "starts_on": "2030-03-01", "ends_on": "2030-03-02", "place": "São Paulo", "original_language": "pt-br",
    })
    assert response.status_code == 302
    gathering = Gathering.objects.get(slug="prep-br")
    assert (gathering.original_language, gathering.text_revision) == ("pt-br", 1)
