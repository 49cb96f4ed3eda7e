"""The translators' queue: missing and outdated language versions, by gathering and language."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from convoca.gatherings import services as gathering_services
from convoca.texts.queries import MISSING, OUTDATED, queue

from .helpers import translate


def rows(items):
    return [(item.obj.slug, item.language, item.state) for item in items]


def test_it_lists_every_missing_language_but_the_originals(spanish):
    items = queue()
    assert items.count() == 9  # three gatherings, three languages each
    listed = rows(items[0:50])
    assert ("conferencia", "es", MISSING) not in listed
    assert {language for _slug, language, _state in listed} == {"pt-br", "en", "fr"}


def test_it_drops_a_translated_language_and_lists_it_again_when_outdated(spanish):
    translate(spanish.tomas, spanish.prep_co, "en", title="Colombia meeting")
    assert ("prep-co", "en", MISSING) not in rows(queue()[0:50])
    gathering_services.update_gathering(spanish.alice, spanish.prep_co, title="Encuentro de Colombia")
    outdated = queue(state=OUTDATED)
    assert rows(outdated[0:50]) == [("prep-co", "en", OUTDATED)]
    item = outdated[0]
    assert (item.translated_revision, item.revision) == (1, 2)


def test_it_filters_by_gathering_language_and_state(spanish):
    translate(spanish.tomas, spanish.prep_mx, "fr", title="Rencontre du Mexique")
    assert rows(queue(gathering_id=spanish.prep_mx.pk)[0:50]) == [
        ("prep-mx", "en", MISSING), ("prep-mx", "pt-br", MISSING),
    ]
    assert {slug for slug, *_rest in rows(queue(language="fr")[0:50])} == {"conferencia", "prep-co"}
    assert queue(language="fr", state=OUTDATED).count() == 0
    assert queue(gathering_id=spanish.prep_mx.pk, state=MISSING).count() == 2


def test_it_orders_by_gathering_then_language(spanish):
    listed = rows(queue()[0:50])
    slugs = [slug for slug, *_rest in listed]
    assert slugs == sorted(slugs, key=lambda slug: {"conferencia": 0, "prep-co": 1, "prep-mx": 2}[slug])
    assert [language for slug, language, _state in listed if slug == "prep-co"] == ["en", "fr", "pt-br"]


def test_it_names_each_items_gathering_in_the_readers_language(spanish):
    translate(spanish.tomas, spanish.prep_co, "en", title="Colombia meeting")
    items = queue(gathering_id=spanish.prep_co.pk, reader_language="en")[0:50]
    assert [str(item.gathering.queue_localized["title"]) for item in items] == ["Colombia meeting"] * 2


def test_it_is_empty_when_everything_is_translated(spanish):
    for gathering in (spanish.conference, spanish.prep_co, spanish.prep_mx):
        for language in ("pt-br", "en", "fr"):
            fields = {"title": f"{gathering.slug} {language}"}
            if gathering.description:
                fields["description"] = "..."
            translate(spanish.tomas, gathering, language, **fields)
    assert queue().count() == 0 and list(queue()[0:50]) == []


@pytest.mark.parametrize("language", [None, "en"])
def test_a_page_costs_the_same_queries_for_one_or_three_items(spanish, language):
    def page(**filters):
        items = queue(language=language, **filters)
        return items.count(), items[0:50]

    with CaptureQueriesContext(connection) as one:
        count_one, _items = page(gathering_id=spanish.prep_mx.pk)
    with CaptureQueriesContext(connection) as many:
        count_many, _items = page()
    assert count_many > count_one
    assert len(many.captured_queries) == len(one.captured_queries) == 4  # count, page, originals, their names
