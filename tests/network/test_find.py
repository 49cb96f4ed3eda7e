"""Searching and downloading the registry's lists (issue 11): accents and capitals aside, only by
what the viewer may see, the same queries for 1 and 3 rows, downloads audited and scoped."""

import csv
import io

from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from convoca.audit.models import Entry
from convoca.network.models import Membership, Organisation, Person, Sector, Visibility

PEOPLE, ORGS = "/people/", "/organisations/"


def _html(response):
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def _csv(response):
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode()[1:])))


def _members(name, **fields):
    return Person.objects.create(display_name=name, display_name_visibility=Visibility.MEMBERS, **fields)


def test_it_finds_people_whatever_the_accents_and_capitals(as_user, world):
    _members("Ana Díaz")
    _members("Joaquín Ríos")
    nadia = as_user(world.nadia)
    html = _html(nadia.get(PEOPLE + "?q=diaz"))
    assert "Ana Díaz" in html and "Joaquín" not in html and "1 person" in html
    html = _html(nadia.get(PEOPLE + "?q=RIOS+joaquin"))
    assert "Joaquín Ríos" in html and "Ana Díaz" not in html


def test_a_search_never_finds_someone_by_a_field_hidden_from_the_viewer(as_user, world):
    _members("Ana Díaz", full_name="Ana Lucía Secreta", email="ana@example.org")  # full name, email: coordinators
    _members("Luis Pérez", full_name="Luis Abierto", full_name_visibility=Visibility.MEMBERS)
    nadia = as_user(world.nadia)
    assert "Ana Díaz" not in _html(nadia.get(PEOPLE + "?q=secreta"))
    assert "Ana Díaz" not in _html(nadia.get(PEOPLE + "?q=ana%40example"))
    assert "Luis Pérez" in _html(nadia.get(PEOPLE + "?q=abierto"))
    alice = as_user(world.alice)
    assert "Ana Díaz" in _html(alice.get(PEOPLE + "?q=secreta"))
    assert "Ana Díaz" in _html(alice.get(PEOPLE + "?q=ana%40example"))


def test_it_searches_organisations_by_name_with_the_filters(as_user, world):
    Organisation.objects.create(name="Central Única dos Trabalhadores de São Paulo", country="BR",
                                sector=Sector.TRADE_UNION, is_public=True)
    Organisation.objects.create(name="São Paulo Migrante", country="BR", sector=Sector.MIGRANT_RIGHTS, is_public=True)
    html = _html(as_user(None).get(ORGS + "?q=SAO+PAULO"))
    assert "Central Única" in html and "Migrante" in html and "2 organisations" in html
    html = _html(as_user(None).get(ORGS + "?q=sao+paulo&sector=trade_union"))
    assert "Central Única" in html and "São Paulo Migrante" not in html
    html = _html(as_user(None).get(ORGS + "?q=" + "x" * 101 + "&sector=migrant_rights"))  # too long: left out
    assert "São Paulo Migrante" in html


def test_the_people_list_costs_the_same_queries_for_one_and_three_rows(as_user, world):
    client = as_user(world.alice)
    url = PEOPLE + "?q=pe"
    luis = Person.objects.create(display_name="Luis Pérez")
    Membership.objects.create(person=luis, organisation=world.org_co)
    client.get(url)
    with CaptureQueriesContext(connection) as one:
        assert _html(client.get(url)).count("Pérez") >= 1
    Person.objects.create(display_name="Pedro Páez", languages="es,pt")
    elena = Person.objects.create(display_name="Elena Peña")
    Membership.objects.create(person=elena, organisation=world.org_mx)
    Membership.objects.create(person=elena, organisation=world.org_co)
    with CaptureQueriesContext(connection) as three:
        assert "3 people" in _html(client.get(url))
    assert len(one) == len(three), [q["sql"] for q in three.captured_queries]


def test_it_downloads_people_with_only_what_the_viewer_may_see(as_user, world):
    luis = _members("Luis Pérez", full_name="Luis Alberto Pérez", email="luis@example.org",
                    email_visibility=Visibility.MEMBERS, languages="es")
    Membership.objects.create(person=luis, organisation=world.org_co)
    ana = _members("=Ana", full_name="Ana Secreta")
    Membership.objects.create(person=ana, organisation=world.org_co)
    _members("Juan México")  # no organisation of Colombia: not in the Colombian committee's download
    rows = _csv(as_user(world.carla).post(PEOPLE + "export/", {"format": "csv"}))
    assert rows[0] == ["Name", "Full name", "Email", "Languages", "Organisations"]
    by_name = {r[0]: r for r in rows[1:]}
    assert set(by_name) == {"Luis Pérez", "'=Ana"}  # Bob (CO) too, but his name is for coordinators only
    assert by_name["Luis Pérez"][1:4] == ["", "luis@example.org", ""]  # full name, languages: coordinators only
    assert by_name["'=Ana"][1] == ""
    entry = Entry.objects.get(action="people.exported")
    assert entry.actor_id == world.carla.pk and entry.note == "csv"
    rows = _csv(as_user(world.alice).post(PEOPLE + "export/", {"format": "csv", "q": "perez"}))
    assert rows[1:] == [["Luis Pérez", "Luis Alberto Pérez", "luis@example.org", "Spanish", "Sindicato Andino"]]


def test_it_downloads_organisations_as_xlsx(as_user, world):
    Organisation.objects.create(name="+Frente", country="CO", sector=Sector.OTHER)
    response = as_user(world.carla).post(ORGS + "export/", {"format": "xlsx", "country": "CO"})
    assert response.status_code == 200 and "spreadsheetml" in response["Content-Type"]
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    names = [row[0].value for row in sheet.iter_rows(min_row=2)]
    assert sorted(names) == ["'+Frente", "Sindicato Andino"]
    rows = _csv(as_user(world.marco).post(ORGS + "export/", {"format": "csv"}))
    assert [r[0] for r in rows[1:]] == ["Red Migrante del Norte"]  # the Mexican committee: Mexico only
    assert Entry.objects.filter(action="organisations.exported").count() == 2


def test_bad_downloads_write_nothing(as_user, world):
    for url in (PEOPLE + "export/", ORGS + "export/"):
        for data in [{}, {"format": "ods"}, {"format": "CSV"}]:
            assert as_user(world.alice).post(url, data).status_code == 302
        assert as_user(world.nadia).post(url, {"format": "csv"}).status_code == 403
        assert as_user(world.alice).get(url).status_code == 405
    assert not Entry.objects.filter(action__endswith=".exported").exists()
