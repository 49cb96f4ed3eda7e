"""A full page of the registrations list stays under 50 KB of raw HTML (UI.md) with the longest realistic
names and organisations, in the languages with the longest words, with every row's controls (a box to tick
for the bulk actions, the Accredit button); and it costs the same queries with 1 row or 50."""

import datetime as dt

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from convoca.gatherings.list_views import PAGE_SIZE
from convoca.gatherings.models import Registration
from convoca.network.models import Organisation, Person, Sector

LIST = "/gatherings/conferencia/registrations/"
LIMIT = 50 * 1024
ORGS = ["Confederação Nacional dos Trabalhadores e Trabalhadoras na Agricultura Familiar do Brasil",
        "Fédération Internationale des Travailleuses et Travailleurs Migrants et de leurs Familles",
        "Coordinadora Latinoamericana de Organizaciones del Campo y de los Pueblos Originarios"]
NAMES = ["Maria da Conceição Albuquerque Cavalcanti de Vasconcelos Figueiredo",
         "Jean-Baptiste Étienne Delacroix-Montmorency de la Tour d'Auvergne",
         "María Guadalupe Fernández de Córdoba y Villanueva Hernández"]


def full_page(world, rows=PAGE_SIZE + 10):
    """More than a page of delegates of long-named organisations, the heaviest rows first by date: most
    waiting to be accredited (an Accredit button each), some waiting for their mandate, some accredited
    and checked in."""
    orgs = [Organisation.objects.create(name=f"{name} {i}", country=["BR", "FR", "MX"][i], sector=Sector.TRADE_UNION)
            for i, name in enumerate(ORGS)]
    now = timezone.now()
    for i in range(rows):
        person = Person.objects.create(display_name=f"{NAMES[i % 3]} {i:02d}")
        kind = i % 4
        Registration.objects.create(
            gathering=world.conference, person=person, role=Registration.Role.DELEGATE, organisation=orgs[i % 3],
            mandate=Registration.Mandate.PENDING if kind == 3 else Registration.Mandate.CONFIRMED,
            status=Registration.Status.ACCREDITED if kind == 2 else Registration.Status.REQUESTED,
            checked_in_at=now - dt.timedelta(minutes=i) if kind == 2 else None,
        )


def page_of(client, language, query=""):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = client.get(LIST + query)
    assert response.status_code == 200
    return response.content


def rows(body):
    return body.count(b'<tr id="registration-')


@pytest.mark.parametrize("language", ["fr", "pt-br", "es"])
def test_a_full_page_with_long_names_stays_under_50_kb(as_user, world, language):
    full_page(world)
    body = page_of(as_user(world.alice), language)
    assert rows(body) == PAGE_SIZE and len(body) < LIMIT, len(body)
    assert body.count(b'form="accredit" formaction=') > PAGE_SIZE / 3  # the heaviest rows are there


def test_the_default_page_size_is_still_50():
    assert PAGE_SIZE == 50  # a smaller page would hide a heavier row rather than make it lighter


def test_each_name_is_written_once_and_still_named_by_the_box_and_the_button(as_user, world):
    full_page(world, rows=3)
    reg = Registration.objects.get(person__display_name=f"{NAMES[1]} 01")
    html = page_of(as_user(world.alice), "en").decode()
    assert html.count("Delacroix-Montmorency") == 1
    assert f'<a href="{reg.get_absolute_url()}" id="rn-{reg.pk}">' in html
    assert f'id="pick-{reg.pk}" aria-labelledby="select-label rn-{reg.pk}"' in html
    assert f'id="ra-{reg.pk}" aria-labelledby="ra-{reg.pk} rn-{reg.pk}">Accredit</button>' in html
    assert '<span class="visually-hidden" id="select-label">Select</span>' in html
    assert html.count('name="csrfmiddlewaretoken"') == 6  # logout, 2 language menus, download, bulk, accredit: once each


def test_a_page_costs_the_same_queries_with_1_row_or_50(as_user, world):
    client = as_user(world.alice)
    Registration.objects.filter(gathering=world.conference).exclude(pk=world.bob_reg.pk).delete()

    def count():
        with CaptureQueriesContext(connection) as captured:
            body = page_of(client, "fr")
        return len(captured), rows(body)

    count()  # the first request warms the session and the caches
    one, shown = count()
    assert shown == 1
    full_page(world)
    assert count() == (one, PAGE_SIZE)


def test_accrediting_from_the_shared_form_with_htmx_replaces_the_row_it_names(as_user, world):
    full_page(world, rows=2)
    reg = Registration.objects.get(person__display_name=f"{NAMES[0]} 00")
    response = as_user(world.alice).post(reg.get_absolute_url() + "accredit/", {"next": LIST},
                                         HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert response["HX-Retarget"] == f"#registration-{reg.pk}" and response["HX-Reswap"] == "outerHTML"
    assert response.content.decode().startswith(f'<tr id="registration-{reg.pk}">')
    reg.refresh_from_db()
    assert reg.status == "accredited"


def test_accrediting_without_javascript_goes_back_to_the_list(as_user, world):
    full_page(world, rows=2)
    reg = Registration.objects.get(person__display_name=f"{NAMES[0]} 00")
    response = as_user(world.alice).post(reg.get_absolute_url() + "accredit/", {"next": LIST + "?q=maria"})
    assert response.status_code == 302 and response["Location"] == LIST + "?q=maria"
    for bad in ["https://evil.example/", "//evil.example/", "javascript:alert(1)"]:
        other = Registration.objects.get(person__display_name=f"{NAMES[1]} 01")
        response = as_user(world.alice).post(other.get_absolute_url() + "accredit/", {"next": bad})
        assert response.status_code == 302 and "evil" not in response["Location"] and "javascript" not in response["Location"]

