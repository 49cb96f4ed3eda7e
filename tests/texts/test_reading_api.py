"""The gatherings API answers in the reader's language (``?lang=`` or
Accept-Language) and says which language each text is in."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from convoca.gatherings.models import Gathering

from .helpers import translate
from .test_api import API, bearer


def test_the_gatherings_api_answers_in_the_language_asked(spanish, client):
    translate(spanish.tomas, spanish.conference, "pt-br", title="Conferência Continental", description="Três dias.")
    body = client.get(f"{API}/gatherings/conferencia?lang=pt-br").json()
    assert (body["title"], body["description"]) == ("Conferência Continental", "Três dias.")
    assert (body["language"], body["original_language"], body["is_translation"], body["is_outdated"]) == (
        "pt-br", "es", True, False)
    by_header = client.get(f"{API}/gatherings", HTTP_ACCEPT_LANGUAGE="pt-BR,pt;q=0.9").json()
    shown = {g["slug"]: (g["title"], g["language"], g["is_translation"]) for g in by_header}
    assert shown["conferencia"] == ("Conferência Continental", "pt-br", True)
    assert shown["prep-co"] == ("Encuentro preparatorio Colombia", "es", False)  # the original, saying so


def test_the_gatherings_api_prefers_lang_to_the_header(spanish, client):
    translate(spanish.tomas, spanish.conference, "fr", title="Conférence continentale", description="Trois jours.")
    body = client.get(f"{API}/gatherings/conferencia?lang=fr", HTTP_ACCEPT_LANGUAGE="en").json()
    assert body["title"] == "Conférence continentale" and body["id"] == spanish.conference.pk


@pytest.mark.parametrize("lang", ["de", "pt_BR", "xx"])
def test_the_gatherings_api_answers_400_for_an_unknown_lang(spanish, client, lang):
    response = client.get(f"{API}/gatherings?lang={lang}")
    assert response.status_code == 400 and response.json()["field"] == "lang"


def test_the_gatherings_api_creates_a_gathering_in_the_language_given(spanish, client):
    response = client.post(f"{API}/gatherings", {
        "kind": "preparatory", "slug": "prep-gp", "title": "Rencontre — Guadeloupe", "country": "GP",
        "starts_on": "2030-01-01", "ends_on": "2030-01-01", "place": "Pointe-à-Pitre", "original_language": "fr",
    }, content_type="application/json", **bearer(spanish.alice))
    assert response.status_code == 201, response.content
    assert (response.json()["original_language"], response.json()["language"]) == ("fr", "fr")


def test_the_gatherings_list_costs_the_same_queries_for_one_or_three(spanish, client):
    others = list(Gathering.objects.exclude(pk=spanish.conference.pk).values_list("pk", flat=True))
    Gathering.objects.filter(pk__in=others).update(ends_on="2000-01-01", starts_on="2000-01-01")  # past: listed too
    client.get(f"{API}/gatherings?lang=en")
    with CaptureQueriesContext(connection) as three:
        assert len(client.get(f"{API}/gatherings?lang=en").json()) == 3
    Gathering.objects.filter(pk__in=others).delete()
    with CaptureQueriesContext(connection) as one:
        assert len(client.get(f"{API}/gatherings?lang=en").json()) == 1
    assert len(one.captured_queries) == len(three.captured_queries)
