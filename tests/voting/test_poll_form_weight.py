"""The create-poll form of a big conference stays light (UI.md: pages under 50 KB): with 2,000 accredited
delegates in 300 organisations, long names and the language with the longest strings, the raw HTML is under
50 KB and costs the same queries as with a handful of delegates. The pickers show a few rows and find the
others by a search on the server: through htmx as one types, and without JavaScript with a Search button that
posts the form back with everything typed kept."""

import re
from urllib.parse import urlencode

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from convoca.gatherings.models import Registration
from convoca.network.models import Organisation, Person, Sector, match_key
from convoca.voting.models import Poll

URL = reverse("voting:create", args=["conferencia"])
PICK = "/votes/conferencia/new/pick/{}/"
HTMX = {"HTTP_HX_REQUEST": "true"}
LIMIT = 50 * 1024
BASE = {"title": "Comisión", "kind": "yes_no", "secrecy": "open", "weighting": "delegate", "majority": "simple",
        "base": "valid", "tie_break": "none"}

ORG_WORDS = ["Confederação Nacional dos Trabalhadores e Trabalhadoras na Agricultura Familiar",
             "Fédération Internationale des Travailleuses et Travailleurs Migrants Sans Frontières",
             "Coordinadora Latinoamericana de Organizaciones del Campo y Pueblos Originarios"]
FIRST = ["Maria da Conceição", "Jean-Baptiste Étienne", "María Guadalupe", "Anne-Sophie Geneviève", "José Antônio"]
LAST = ["Albuquerque Cavalcanti de Vasconcelos", "Delacroix-Montmorency de la Tour d'Auvergne",
        "Fernández de Córdoba y Villanueva", "Nascimento dos Santos Figueiredo"]


def big_conference(world, delegates=2000, organisations=300):
    orgs = Organisation.objects.bulk_create([
        Organisation(name=f"{ORG_WORDS[i % 3]} {i:03d}", name_key=match_key(f"{ORG_WORDS[i % 3]} {i:03d}"),
                     country=["BR", "FR", "MX", "CO"][i % 4], sector=Sector.TRADE_UNION)
        for i in range(organisations)
    ])
    people = Person.objects.bulk_create([
        Person(display_name=f"{FIRST[i % 5]} {LAST[i % 4]} {i:04d}") for i in range(delegates)
    ])
    Registration.objects.bulk_create([
        Registration(gathering=world.conference, person=person, role=Registration.Role.DELEGATE,
                     organisation=orgs[i % organisations], mandate=Registration.Mandate.CONFIRMED,
                     status=Registration.Status.ACCREDITED)
        for i, person in enumerate(people)
    ])
    return orgs, people


def fetch(client, data=None, language="pt-br"):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = client.post(URL, data) if data is not None else client.get(URL)
    return response, response.content


def queries_for(client, url, data=None):
    with CaptureQueriesContext(connection) as captured:
        response = client.post(url, data) if data is not None else client.get(url, **HTMX)
    assert response.status_code == 200, response.status_code
    return len(captured)


def rows(html, name="chosen_voters"):
    return re.findall(rf'<input type="checkbox" name="{name}" value="(\d+)" id="id_{name}_\d+"( checked)?>', html)


# --- weight and queries ------------------------------------------------------------------


@pytest.mark.parametrize("language", ["pt-br", "fr"])
def test_it_stays_under_50_kb_with_2000_delegates_in_300_organisations(as_user, world, language):
    big_conference(world)
    response, body = fetch(as_user(world.alice), language=language)
    html = body.decode()
    assert response.status_code == 200 and len(body) < LIMIT, len(body)
    assert len(rows(html)) == 20 and html.count('inputmode="decimal"') == 20
    assert re.search(r'id="id_chosen_voters_status">[^<]*\b20\b[^<]*2[^0-9]?001', html)  # "20 of 2,001 shown..."
    assert re.search(r'id="id_custom_weights_status">[^<]*\b20\b[^<]*301', html)


def test_a_search_that_posts_the_form_back_stays_under_50_kb_with_choices_made(as_user, world):
    """Without JavaScript: 30 delegates ticked and 30 weights written, a search posted: still light."""
    orgs, _ = big_conference(world)
    regs = list(Registration.objects.filter(gathering=world.conference, role="delegate").order_by("pk")[:30])
    data = {**BASE, "electorate": "chosen", "picker": "chosen_voters", "chosen_voters_q": "Vasconcelos",
            "chosen_voters": [str(reg.pk) for reg in regs],
            **{f"custom_weights_org_{org.pk}": "1,5" for org in orgs[:30]}}
    response, body = fetch(as_user(world.alice), data, language="fr")
    assert response.status_code == 200 and len(body) < LIMIT, len(body)
    assert len(rows(body.decode())) == 50 and not Poll.objects.exists()


def test_the_form_costs_the_same_queries_with_3_or_2000_delegates(as_user, world):
    from .helpers import add_delegate

    add_delegate(world, "dora@example.org", "Dora Migrante", world.org_mx, present=False)
    client = as_user(world.alice)
    queries_for(client, URL)  # the first request warms the session and the caches
    few = queries_for(client, URL)
    few_search = queries_for(client, URL, {**BASE, "picker": "chosen_voters", "chosen_voters_q": "migrante",
                                           "chosen_voters": [str(world.bob_reg.pk)]})
    few_rows = queries_for(client, PICK.format("chosen_voters") + f"?chosen_voters_q=a&chosen_voters={world.bob_reg.pk}")
    big_conference(world)
    assert queries_for(client, URL) == few
    assert queries_for(client, URL, {**BASE, "picker": "chosen_voters", "chosen_voters_q": "migrante",
                                     "chosen_voters": [str(world.bob_reg.pk)]}) == few_search
    assert queries_for(client, PICK.format("chosen_voters") +
                       f"?chosen_voters_q=a&chosen_voters={world.bob_reg.pk}") == few_rows


# --- finding without JavaScript ----------------------------------------------------------


def test_the_search_button_shows_the_matches_and_keeps_everything_typed(as_user, world):
    big_conference(world)
    target = Registration.objects.get(person__display_name__endswith=" 1233")
    data = {**BASE, "title": "Comisión de finanzas", "electorate": "chosen", "picker": "chosen_voters",
            "chosen_voters_q": "GENEVIEVE 1233", "chosen_voters": [str(world.bob_reg.pk)],
            "custom_weights_q": "fédération 004", f"custom_weights_org_{world.org_co.pk}": "tres"}
    response, body = fetch(as_user(world.alice), data, language="en")
    html = body.decode()
    assert response.status_code == 200 and not Poll.objects.exists()
    assert "error-summary" not in html and "write a positive number" not in html  # a search judges nothing
    assert 'value="Comisión de finanzas"' in html and 'value="tres"' in html and 'value="GENEVIEVE 1233"' in html
    assert rows(html) == [(str(world.bob_reg.pk), " checked"), (str(target.pk), "")]  # the ticked one first
    assert "Results: 1" in html
    weights = re.findall(r'<label for="id_custom_weights_org_\d+">([^<]+)</label>', html)
    assert weights == ["Sindicato Andino", "Fédération Internationale des Travailleuses et Travailleurs Migrants "
                       "Sans Frontières 004"]
    assert 'data-picker-for="chosen_voters" open>' in html and 'data-picker-for="custom_weights" open>' in html


def test_a_delegate_found_by_a_search_can_be_chosen(as_user, world):
    big_conference(world)
    target = Registration.objects.get(person__display_name__endswith=" 1999")
    response, _ = fetch(as_user(world.alice), {**BASE, "electorate": "chosen", "chosen_voters": [str(target.pk)],
                                                "chosen_voters_q": "1999"})
    assert response.status_code == 302
    assert list(Poll.objects.get().chosen_voters.all()) == [target]


def test_enter_in_any_box_searches_and_creates_nothing(as_user, world):
    """Enter presses the form's first submit button: the delegates' Search, never a poll made by mistake."""
    _, body = fetch(as_user(world.alice), language="en")
    buttons = re.findall(r'<button type="submit"[^>]*>', body.decode().split('class="poll-form"')[1])
    assert 'name="picker" value="chosen_voters"' in buttons[0] and "formnovalidate" in buttons[0]
    response, _ = fetch(as_user(world.alice), {**BASE, "picker": "chosen_voters"})
    assert response.status_code == 200 and not Poll.objects.exists()


# --- finding with htmx -------------------------------------------------------------------


def test_the_rows_follow_the_search_with_the_ticked_ones_kept(as_user, world):
    big_conference(world)
    client = as_user(world.alice)
    html = client.get(PICK.format("chosen_voters") + f"?chosen_voters_q=C%C3%93RDOBA&chosen_voters={world.bob_reg.pk}",
                      **HTMX).content.decode()
    assert html.startswith('<div id="id_chosen_voters_rows">') and "<html" not in html
    assert rows(html)[0] == (str(world.bob_reg.pk), " checked") and len(rows(html)) == 21
    assert 'id="id_chosen_voters_status" hx-swap-oob="innerHTML"' in html and "20 of 500 shown" in html
    html = client.get(PICK.format("chosen_voters") + f"?chosen_voters_q=zzz&chosen_voters={world.bob_reg.pk}",
                      **HTMX).content.decode()
    assert rows(html) == [(str(world.bob_reg.pk), " checked")]
    assert "<p class=\"meta\" data-picker-none>Nothing matches the filter.</p>" in html


def test_the_weights_follow_the_search_with_the_written_ones_kept(as_user, world):
    orgs, _ = big_conference(world)
    html = as_user(world.alice).get(
        PICK.format("custom_weights") + f"?custom_weights_q=COORDINADORA+29&custom_weights_org_{orgs[0].pk}=2"
        f"&custom_weights_org_{orgs[1].pk}=", **HTMX).content.decode()
    found = re.findall(r'name="custom_weights_org_(\d+)" id="id_custom_weights_org_\d+" value="([^"]*)"', html)
    assert found[0] == (str(orgs[0].pk), "2")
    assert [pk for pk, _ in found[1:]] == [str(orgs[i].pk) for i in (29, 290, 293, 296, 299)]
    assert "Results: 5" in html


def test_a_search_never_finds_a_delegate_by_what_the_viewer_may_not_see(as_user, world):
    """carla runs the Colombian meeting's polls; a delegate there chose to show her name and memberships to
    coordinators only: carla finds her neither by name nor by organisation, only sees her by number."""
    from .helpers import add_delegate

    _, reg = add_delegate(world, "rosa@example.org", "Rosa Escondida", world.org_co, gathering=world.prep_co)
    client = as_user(world.carla)
    url = "/votes/prep-co/new/pick/chosen_voters/?chosen_voters_q="
    for words in ("escondida", "andino"):
        html = client.get(url + words, **HTMX).content.decode()
        assert rows(html) == [] and "Escondida" not in html, words
    html = client.get(url, **HTMX).content.decode()
    assert rows(html) == [(str(reg.pk), "")] and f"Delegate no. {reg.pk}" in html and "Rosa" not in html


# --- bad input ---------------------------------------------------------------------------


NO_SEARCH = ["\u0301", "\u202e", "\x00", " \t "]  # nothing left once folded and control characters dropped


@pytest.mark.parametrize("query", ["%", "_", "a" * 5000, "zz\u202ezz\u0301", "1 2 3 4 5 6 7 8 9 10 11", *NO_SEARCH])
def test_odd_searches_find_nothing_odd_and_never_fail(as_user, world, query):
    client = as_user(world.alice)
    for name in PollForm_pickers():
        response = client.get(PICK.format(name), {f"{name}_q": query}, **HTMX)
        assert response.status_code in (200, 400), response.status_code
        if response.status_code == 200 and name == "chosen_voters":
            assert rows(response.content.decode()) == ([(str(world.bob_reg.pk), "")] if query in NO_SEARCH else [])
    data = {**BASE, "picker": "chosen_voters", "chosen_voters_q": query, "custom_weights_q": query,
            "chosen_voters": ["²", query]}
    for response in (client.post(URL, data),  # multipart: left to the view by core.clean_input
                     client.post(URL, urlencode(data, doseq=True), content_type="application/x-www-form-urlencoded")):
        assert response.status_code in (200, 400) and not Poll.objects.exists()


def PollForm_pickers():  # noqa: N802
    return ["chosen_voters", "custom_weights"]


def test_odd_choices_sent_with_a_search_are_left_out(as_user, world):
    html = as_user(world.alice).get(PICK.format("chosen_voters"), {
        "chosen_voters": ["abc", "-1", "9" * 40, "²", "١", str(world.olga_reg.pk), str(world.bob_reg.pk)],
        "custom_weights_org_999999": "5"}, **HTMX).content.decode()
    assert rows(html) == [(str(world.bob_reg.pk), " checked")]  # olga observes: never a choice


def test_an_unknown_picker_is_not_found(as_user, world):
    for name in ("title", "chosen_voters_q", "x" * 300):
        assert as_user(world.alice).get(PICK.format(name), **HTMX).status_code == 404


@pytest.mark.parametrize("who, status", [("anonymous", 302), ("bob", 403), ("olga", 403), ("carla", 403),
                                         ("alice", 200)])
def test_only_those_who_run_the_polls_may_search_the_pickers(world, who, status):
    from tests.fixtures import client_for

    client = client_for(world.users[who])
    assert client.get(PICK.format("chosen_voters") + "?chosen_voters_q=bob", **HTMX).status_code == status
