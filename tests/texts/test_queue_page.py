"""The translators' queue page: filters, pagination, links to the editor."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from convoca.gatherings import services as gathering_services
from convoca.texts import views

from .helpers import translate

QUEUE = reverse("texts:queue")


def edit_link(gathering, language):
    return reverse("texts:edit", args=["gatherings.gathering", gathering.pk, language])


def test_it_lists_what_is_missing_with_a_link_to_the_editor(spanish, as_user):
    html = as_user(spanish.tomas).get(QUEUE).content.decode()
    assert "9 translations to do." in html
    assert f'href="{edit_link(spanish.prep_co, "pt-br")}?next=' in html
    assert f'href="{edit_link(spanish.prep_co, "es")}' not in html  # the original's language
    assert '<span lang="es">Encuentro preparatorio Colombia</span>' in html


def test_it_filters_by_gathering_language_and_state(spanish, as_user):
    translate(spanish.tomas, spanish.prep_co, "en", title="Colombia meeting")
    gathering_services.update_gathering(spanish.alice, spanish.prep_co, title="Encuentro de Colombia")
    client = as_user(spanish.tomas)
    html = client.get(QUEUE, {"gathering": spanish.prep_co.pk, "state": "outdated"}).content.decode()
    assert "1 translation to do." in html and "Outdated" in html
    assert "translates version 1, the original is at version 2" in html
    html = client.get(QUEUE, {"gathering": spanish.prep_co.pk, "language": "fr"}).content.decode()
    assert "1 translation to do." in html and edit_link(spanish.prep_co, "fr") in html
    assert edit_link(spanish.prep_co, "en") not in html


def test_it_ignores_filters_it_does_not_know(spanish, as_user):
    html = as_user(spanish.tomas).get(QUEUE, {"gathering": "abc", "language": "de", "state": "x"}).content.decode()
    assert "9 translations to do." in html


def test_it_pages_a_long_queue(spanish, as_user, monkeypatch):
    monkeypatch.setattr(views, "PAGE_SIZE", 4)
    client = as_user(spanish.tomas)
    first = client.get(QUEUE, {"language": ""}).content.decode()
    assert "Page 1 of 3" in first and "language=&amp;page=2" in first
    last = client.get(QUEUE, {"page": 3}).content.decode()
    assert "Page 3 of 3" in last and last.count('<td data-label="Gathering">') == 1


def test_it_says_when_there_is_nothing_to_do(spanish, as_user):
    html = as_user(spanish.tomas).get(QUEUE, {"gathering": spanish.prep_co.pk, "language": "en"}).content.decode()
    assert "1 translation to do." in html
    translate(spanish.tomas, spanish.prep_co, "en", title="Colombia meeting")
    html = as_user(spanish.tomas).get(QUEUE, {"gathering": spanish.prep_co.pk, "language": "en"}).content.decode()
    assert "Nothing to translate here" in html


def test_it_costs_the_same_queries_for_one_or_three_items(spanish, as_user):
    client = as_user(spanish.tomas)
    client.get(QUEUE)  # warm the caches shared by every page
    with CaptureQueriesContext(connection) as one:
        assert "1 translation to do." in client.get(QUEUE, {"gathering": spanish.prep_mx.pk, "language": "en"}).content.decode()
    with CaptureQueriesContext(connection) as three:
        assert "3 translations to do." in client.get(QUEUE, {"gathering": spanish.prep_mx.pk}).content.decode()
    assert len(three.captured_queries) == len(one.captured_queries)
