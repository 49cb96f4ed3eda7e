"""Full-text search across proposals and amendments in the four languages (originals and translations),
accents and capitals ignored, kept in step by the services that write texts. The same tests run on SQLite
(FTS5) and, in CI, on PostgreSQL (its search vector): nothing here depends on the database."""

import importlib
import json

import pytest
from django.apps import apps
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from convoca.proposals import queries, search, services
from convoca.proposals.models import Proposal, SearchDocument
from convoca.texts import services as text_services
from tests.fixtures import client_for

from .helpers import amend, delegate, proposal, to_debate

MIGRANTS = (
    "Exigimos la regularización migratoria inmediata de todas las personas migrantes.\n\n"
    "Los sindicatos afiliarán a las trabajadoras sin importar su situación documental."
)
ENGLISH = ("We demand the immediate regularisation of all migrant people.\n\n"
           "Unions will organise women workers whatever their papers.")


def found(gathering, query, user=None, language="es", **filters):
    return queries.search(gathering, query, language, user=user, **filters).ids


def list_url(query=""):
    return reverse("proposals:list", args=["conferencia"]) + query


def test_it_finds_a_word_whatever_its_accents_and_capitals(world):
    p = proposal(world, "submitted", text=MIGRANTS, title="Regularización ya")
    for query in ["regularización", "REGULARIZACION", "Regularizacion", "regulariz", "situacion DOCUMENTAL"]:
        assert found(world.conference, query, world.nadia) == [p.pk], query
    assert found(world.conference, "regularización inexistente", world.nadia) == []  # every word is required


def test_it_finds_translations_and_amendments_in_every_language(world):
    p = proposal(world, "amendment", text=MIGRANTS, title="Regularización ya")
    text_services.save_translation(world.tomas, p, "en", {"title": "Regularisation now", "text": ENGLISH},
                                   p.text_revision)
    a = amend(world, p, "insert", 2, text="Convocamos uma greve geral continental.", original_language="pt-br")
    text_services.save_translation(world.tomas, a, "fr", {"new_text": "Nous appelons à une grève générale."},
                                   a.text_revision)
    assert found(world.conference, "workers papers", world.nadia) == [p.pk]  # the English translation
    assert found(world.conference, "greve geral", world.nadia) == [p.pk]  # the Portuguese amendment
    assert found(world.conference, "GREVE GENERALE", world.nadia) == [p.pk]  # its French version, accents aside
    results = queries.search(world.conference, "greve", "pt-br", user=world.nadia)
    hit = results.rows(results.ids)[0].hit
    assert (hit.field, hit.amendment_number, hit.language) == ("amendment", 1, "pt-br")
    assert "<mark>greve</mark>" in hit.snippet


def test_it_shows_the_match_in_the_readers_language_first(world):
    p = proposal(world, "submitted", text=MIGRANTS, title="Regularización ya")
    text_services.save_translation(world.tomas, p, "en", {"title": "Regularisation now", "text": ENGLISH},
                                   p.text_revision)
    for language, word in [("en", "regularisation"), ("es", "regularización")]:
        results = queries.search(world.conference, "regularis regulariz", language, user=world.nadia)
        assert results.ids == [] or results.rows(results.ids)[0].hit.language == language
        results = queries.search(world.conference, "migra", language, user=world.nadia)
        hit = results.rows(results.ids)[0].hit
        assert hit.language == language and word in hit.snippet.lower()


def test_it_keeps_in_step_with_edits_and_adopted_amendments(world):
    p = proposal(world, "submitted", text=MIGRANTS)
    services.edit_proposal(world.bob, p, title=p.title, text=MIGRANTS.replace("sindicatos", "centrales"),
                           base_version=1)
    assert found(world.conference, "sindicatos", world.nadia) == []
    assert found(world.conference, "centrales", world.nadia) == [p.pk]
    services.admit_proposal(world.alice, p)
    services.open_amendments(world.alice, p)
    a = amend(world, p, "replace", 1, text="Exigimos la amnistía migratoria inmediata de todas las personas.")
    p = to_debate(world, p)
    a.refresh_from_db()
    a.proposal = p
    services.adopt_amendment(world.alice, a)
    documents = SearchDocument.objects.filter(proposal=p, amendment__isnull=True)
    assert [d.body for d in documents] == [Proposal.objects.get(pk=p.pk).text]  # the consolidated text
    assert "amnistía" in documents[0].body


def test_it_shows_each_reader_only_what_they_may_see(world):
    draft = proposal(world, "draft", text=MIGRANTS)
    submitted = proposal(world, "submitted", text=MIGRANTS)
    adopted = proposal(world, "adopted", text=MIGRANTS)
    assert set(found(world.conference, "migrantes", world.bob)) == {draft.pk, submitted.pk, adopted.pk}
    assert set(found(world.conference, "migrantes", world.nadia)) == {submitted.pk, adopted.pk}
    assert found(world.conference, "migrantes", None) == [adopted.pk]
    assert found(world.prep_co, "migrantes", world.bob) == []  # another gathering
    assert found(world.conference, "migrantes", world.nadia, state="adopted") == [adopted.pk]


def test_a_number_finds_its_proposal_first(world):
    p = proposal(world, "admitted", text=MIGRANTS)
    proposal(world, "admitted", text=MIGRANTS.replace("migrantes", "extranjeras"))
    assert found(world.conference, p.number, world.nadia)[0] == p.pk
    assert found(world.conference, p.number.lower(), world.nadia)[0] == p.pk


@pytest.mark.parametrize("query", [
    '"', "'", '"regularización', "regul*", "*", "**", "NEAR(regularización sindicatos)", "NEAR", "(", ")",
    "(regularización", "-", "- regularización", "-regularización", "AND", "OR", "NOT", "a OR b", "^migrantes",
    "title:migrantes", "body:x", "{title body}:x", "\\", "%", "_", "%_%", "';DROP TABLE proposals_search;--",
    "':* & !", "!!", "<->", "a <-> b", "x:*", "🙂", "ß", "İ", "…", " ", "".join(chr(c) for c in range(33, 127)),
])
def test_the_syntax_of_the_database_in_a_query_never_breaks_it(world, query):
    p = proposal(world, "adopted", text=MIGRANTS)
    assert set(found(world.conference, query, world.nadia)) <= {p.pk}
    assert client_for(world.nadia).get(list_url(), {"q": query}).status_code == 200
    assert client_for(None).get("/api/v1/gatherings/conferencia/proposals", {"q": query}).status_code == 200


def test_the_syntax_still_finds_the_words_around_it(world):
    p = proposal(world, "adopted", text=MIGRANTS)
    for query in ['"regularización"', "regul*", "(migrantes)", "- sindicatos", "migrantes OR"[:-3]]:
        assert found(world.conference, query, world.nadia) == [p.pk], query


def test_a_snippet_marks_the_words_and_escapes_the_rest():
    html = search.snippet("Nada <script>alert(1)</script> y la **Regularización** ya.", ["regularizacion"])
    assert html == "Nada &lt;script&gt;alert(1)&lt;/script&gt; y la <mark>Regularización</mark> ya."
    long = " ".join(["palabra"] * 100 + ["migrantes"] + ["otra"] * 100)
    cut = search.snippet(long, ["migr"])
    assert cut.startswith("…") and cut.endswith("…") and "<mark>migrantes</mark>" in cut
    assert len(cut.split()) <= search.SNIPPET_WORDS + 2
    assert search.snippet("Nada que ver.", ["migr"]) == ""


def test_the_list_shows_results_with_their_snippet_best_first(world):
    p = proposal(world, "submitted", text=MIGRANTS, title="Regularización ya")
    proposal(world, "submitted", title="Marcha del 1.º de mayo")
    page = client_for(world.nadia).get(list_url("?q=SINDICATOS")).content.decode()
    assert "Regularización ya" in page and "Marcha del" not in page
    assert "<mark>sindicatos</mark>" in page and 'class="search-snippet"' in page
    assert f'href="{reverse("proposals:list", args=["conferencia"])}{p.pk}/"' in page


def test_the_search_costs_the_same_queries_for_one_and_three_results(world):
    eva, _reg = delegate(world, "eva@example.org", "Eva")
    first = proposal(world, "submitted", text=MIGRANTS)
    services.sponsor(eva, first)
    nadia = client_for(world.nadia)

    def cost():
        with CaptureQueriesContext(connection) as captured:
            response = nadia.get(list_url("?q=migrantes"))
        assert response.status_code == 200
        return len(captured), response.content.decode().count("<mark>")

    one, marks = cost()
    for _ in range(2):
        p = proposal(world, "amendment", text=MIGRANTS)
        services.sponsor(eva, p)
        amend(world, p, "insert", 1, text="Más migrantes.")
    assert cost() == (one, marks * 3)


def test_the_api_searches_with_q_and_says_what_matched(world):
    p = proposal(world, "amendment", text=MIGRANTS)
    amend(world, p, "insert", 2, text="Convocamos uma greve geral continental.", original_language="pt-br")
    response = client_for(world.nadia).get("/api/v1/gatherings/conferencia/proposals?q=GREVE")
    body = response.json()
    assert response.status_code == 200 and body["count"] == 1
    match = body["items"][0]["match"]
    assert match["field"] == "amendment" and match["amendment"] == 1 and match["language"] == "pt-br"
    assert "greve geral" in match["snippet"] and "<mark>greve</mark>" in match["snippet_html"]
    plain = client_for(world.nadia).get("/api/v1/gatherings/conferencia/proposals").json()
    assert plain["items"][0]["match"] is None


def test_rebuild_indexes_rows_written_without_the_services(world):
    p = proposal(world, "adopted", text=MIGRANTS)
    Proposal.objects.filter(pk=p.pk).update(text="Otra cosa: soberanía alimentaria.")
    assert found(world.conference, "soberania", None) == []  # written behind the services' back
    search.rebuild(world.conference)
    assert found(world.conference, "soberania", None) == [p.pk]
    assert found(world.conference, "migrantes", None) == []


def test_the_migration_makes_documents_for_texts_written_before_search(world):
    p = proposal(world, "amendment", text=MIGRANTS)
    a = amend(world, p, "insert", 2, text="Nueva frase.")
    text_services.save_translation(world.tomas, p, "en", {"title": "Now", "text": ENGLISH}, p.text_revision)
    expected = sorted(
        (d.proposal_id, d.amendment_id or 0, d.language, d.title, d.body) for d in SearchDocument.objects.all())
    SearchDocument.objects.all().delete()
    migration = importlib.import_module("convoca.proposals.migrations.0004_full_text_search")
    migration._documents(apps)
    made = sorted(
        (d.proposal_id, d.amendment_id or 0, d.language, d.title, d.body) for d in SearchDocument.objects.all())
    assert made == expected and len(made) == 3 and a.pk in {row[1] for row in made}


def test_the_api_page_of_a_search_is_json(world):
    proposal(world, "adopted", text=MIGRANTS)
    body = client_for(None).get("/api/v1/gatherings/conferencia/proposals", {"q": "migr", "limit": 1}).content
    assert json.loads(body)["count"] == 1
