"""Find and act on many (issue 11): search with accents and capitals aside, filters, pages,
downloads with only what the viewer may see, and bulk actions through the single-row services."""

import csv
import io

from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from convoca.accounts.models import Invitation
from convoca.audit.models import Entry
from convoca.core.export import neutralise
from convoca.gatherings import queries
from convoca.gatherings.models import Registration
from convoca.network.models import Organisation, Person, Sector, Visibility
from convoca.network.search import matching

from .helpers import delegate, observer, snapshot

LIST = "/gatherings/{}/registrations/"
BULK = "/gatherings/{}/registrations/bulk/"
EXPORT = "/gatherings/{}/registrations/export/"


def _html(response):
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def _rows(html):
    return html.count('<tr id="registration-')


# --- search ------------------------------------------------------------------------------


def test_it_finds_names_whatever_the_accents_and_capitals(world):
    Person.objects.create(display_name="Ana Díaz")
    Person.objects.create(display_name="JOSÉ RÍOS")
    Organisation.objects.create(name="Sindicato de São Paulo", country="BR", sector=Sector.TRADE_UNION)
    people = Person.objects.all()
    assert [p.display_name for p in matching(people, ["display_name"], "diaz")] == ["Ana Díaz"]
    assert [p.display_name for p in matching(people, ["display_name"], "DIAZ ana")] == ["Ana Díaz"]
    assert [p.display_name for p in matching(people, ["display_name"], "josé rios")] == ["JOSÉ RÍOS"]
    orgs = Organisation.objects.all()
    assert [o.name for o in matching(orgs, ["name_key"], "SAO PAULO")] == ["Sindicato de São Paulo"]
    assert [o.name for o in matching(orgs, ["name_key"], "são")] == ["Sindicato de São Paulo"]
    assert list(matching(people, ["display_name"], "")) == list(people)  # no words: no filter


def test_it_searches_registrations_by_name_and_organisation(as_user, world):
    org = Organisation.objects.create(name="Central Única de São Paulo", country="BR", sector=Sector.TRADE_UNION)
    ana = Person.objects.create(display_name="Ana Díaz")
    delegate(world, world.conference, ana, org)
    alice = as_user(world.alice)
    html = _html(alice.get(LIST.format("conferencia") + "?q=diaz"))
    assert "Ana Díaz" in html and "Bob Delegado" not in html and _rows(html) == 1
    html = _html(alice.get(LIST.format("conferencia") + "?q=SAO+PAULO"))
    assert "Ana Díaz" in html and _rows(html) == 1
    html = _html(alice.get(LIST.format("conferencia") + "?q=andino"))  # Bob's organisation
    assert "Bob Delegado" in html and _rows(html) == 1


def test_it_treats_like_wildcards_in_a_search_as_letters(as_user, world):
    html = _html(as_user(world.alice).get(LIST.format("conferencia") + "?q=%25"))  # "%"
    assert _rows(html) == 0 and "0 registrations match." in html
    html = _html(as_user(world.alice).get(LIST.format("conferencia") + "?q=_"))
    assert _rows(html) == 0


# --- filters -----------------------------------------------------------------------------


def _varied(world, gathering):
    """A delegate of a Mexican migrant-rights group (mandate pending), an accredited Colombian trade
    unionist checked in, an observer without an organisation."""
    from django.utils import timezone

    luis, maria, juan = (Person.objects.create(display_name=n) for n in ("Luis Pérez", "María Gómez", "Juan Ruiz"))
    pending = delegate(world, gathering, luis, world.org_mx)
    here = delegate(world, gathering, maria, world.org_co, mandate="confirmed", status="accredited",
                    checked_in_at=timezone.now())
    watcher = observer(gathering, juan)
    return pending, here, watcher


def test_it_filters_by_country_organisation_sector_mandate_and_check_in(as_user, world):
    _varied(world, world.conference)
    alice = as_user(world.alice)
    url = LIST.format("conferencia")
    cases = {
        "country=MX": ["Luis Pérez"],
        "country=CO": ["Bob Delegado", "María Gómez"],
        "organisation=red+migrante": ["Luis Pérez"],
        "sector=trade_union": ["Bob Delegado", "María Gómez"],
        "mandate=pending": ["Luis Pérez"],
        "checked_in=yes": ["María Gómez"],
        "checked_in=no&role=observer": ["Olga Observadora", "Juan Ruiz"],
        "country=CO&checked_in=no": ["Bob Delegado"],
    }
    everyone = ["Bob Delegado", "Olga Observadora", "Luis Pérez", "María Gómez", "Juan Ruiz"]
    for query, expected in cases.items():
        html = _html(alice.get(f"{url}?{query}"))
        assert [name for name in everyone if name in html] == [n for n in everyone if n in expected], query
        assert _rows(html) == len(expected), query
    html = _html(alice.get(url))
    assert '<option value="CO">Colombia</option>' in html and '<option value="MX">Mexico</option>' in html
    assert '<option value="BR"' not in html  # only the countries registered


def test_it_ignores_bad_filter_values_and_keeps_the_good_ones(as_user, world):
    _varied(world, world.conference)
    alice = as_user(world.alice)
    bad = ["country=ZZ", "checked_in=maybe", "sector=nonsense", "mandate=' OR 1=1", "q=" + "x" * 101, "page=-3"]
    for query in bad:
        html = _html(alice.get(LIST.format("conferencia") + f"?{query}&role=observer"))
        assert _rows(html) == 2, query  # the bad filter left out, role=observer kept


def test_the_list_is_paged(as_user, world):
    for i in range(55):
        observer(world.prep_co, Person.objects.create(display_name=f"Persona {i:02d}"))
    html = _html(as_user(world.carla).get(LIST.format("prep-co") + "?q=persona"))
    assert _rows(html) == 50 and "55 registrations match." in html and "q=persona&amp;page=2" in html
    html = _html(as_user(world.carla).get(LIST.format("prep-co") + "?q=persona&page=2"))
    assert _rows(html) == 5 and "Persona 54" in html


def test_it_costs_the_same_queries_for_one_and_three_varied_rows_with_filters(as_user, world):
    client = as_user(world.alice)
    url = LIST.format("prep-mx") + "?q=e&status=requested&checked_in=no&sector=&country="
    luis = Person.objects.create(display_name="Luis Pérez")
    delegate(world, world.prep_mx, luis, world.org_mx)
    client.get(url)  # warm caches (content types, sessions)
    with CaptureQueriesContext(connection) as one:
        assert _rows(_html(client.get(url))) == 1
    other = Organisation.objects.create(name="Frente Obrero", country="CO", sector=Sector.TRADE_UNION)
    delegate(world, world.prep_mx, Person.objects.create(display_name="Elena Vidal"), other, mandate="confirmed")
    observer(world.prep_mx, Person.objects.create(display_name="Pedro Sáenz"))
    with CaptureQueriesContext(connection) as three:
        assert _rows(_html(client.get(url))) == 3
    assert len(one) == len(three), [q["sql"] for q in three.captured_queries]


def test_a_row_offers_accredit_only_when_it_can_succeed(as_user, world):
    pending, here, watcher = _varied(world, world.prep_mx)
    confirmed = delegate(world, world.prep_mx, Person.objects.create(display_name="Rosa Luna"), world.org_mx,
                         mandate="confirmed")
    html = _html(as_user(world.marco).get(LIST.format("prep-mx")))
    assert f"/registrations/{pending.pk}/accredit/" not in html
    assert "Waiting for the mandate to be confirmed" in html
    assert f"/registrations/{confirmed.pk}/accredit/" in html and f"/registrations/{watcher.pk}/accredit/" in html
    assert f"/registrations/{here.pk}/accredit/" not in html  # already accredited
    assert f'name="registration" value="{pending.pk}" form="bulk"' in html


# --- bulk actions ------------------------------------------------------------------------


def test_it_bulk_accredits_the_ticked_rows_and_says_what_it_refused(as_user, world):
    pending, here, watcher = _varied(world, world.prep_mx)
    ready = delegate(world, world.prep_mx, Person.objects.create(display_name="Rosa Luna"), world.org_mx,
                     mandate="confirmed")
    data = {"action": "accredit", "registration": [pending.pk, watcher.pk, ready.pk, here.pk]}
    html = _html(as_user(world.marco).post(BULK.format("prep-mx"), data))
    assert "Done for 2 registrations." in html
    assert "A delegate cannot be accredited until the organisation confirms the mandate" in html
    assert "Already accredited." in html and "Luis Pérez" in html
    statuses = dict(Registration.objects.filter(gathering=world.prep_mx).values_list("pk", "status"))
    assert statuses == {pending.pk: "requested", watcher.pk: "accredited", ready.pk: "accredited", here.pk: "accredited"}
    accredited = Entry.objects.filter(action="registration.accredited", actor_id=world.marco.pk)
    assert sorted(int(e.target_id) for e in accredited) == sorted([watcher.pk, ready.pk])


def test_it_bulk_acts_on_all_that_match_the_filter(as_user, world):
    people = [Person.objects.create(display_name=f"Observadora {i}") for i in range(4)]
    for person in people:
        observer(world.prep_co, person)
    observer(world.prep_co, Person.objects.create(display_name="Otra Persona"))
    html = _html(as_user(world.carla).get(LIST.format("prep-co") + "?q=observadora"))
    assert "All 4 registrations that match this filter" in html
    assert '<input type="hidden" name="q" value="observadora">' in html
    data = {"action": "refuse", "reason": "Sin cupo en la sala", "all_matching": "on", "q": "observadora"}
    html = _html(as_user(world.carla).post(BULK.format("prep-co"), data))
    assert "Done for 4 registrations." in html
    refused = Registration.objects.filter(gathering=world.prep_co, status="refused")
    assert sorted(r.person.display_name for r in refused) == sorted(p.display_name for p in people)
    assert set(refused.values_list("refusal_reason", flat=True)) == {"Sin cupo en la sala"}


def test_it_bulk_confirms_mandates(as_user, world):
    pending, _here, watcher = _varied(world, world.conference)
    html = _html(as_user(world.alice).post(BULK.format("conferencia"), {
        "action": "confirm_mandate", "registration": [pending.pk, watcher.pk],
    }))
    assert "Done for 1 registration." in html and "Only delegates have a mandate to confirm." in html
    pending.refresh_from_db()
    assert pending.mandate == "confirmed"


def test_a_committee_bulk_action_refuses_rows_of_another_country(as_user, world):
    """Marco (MX) over his own meeting: the Colombian organisation's mandate is not his to confirm;
    rows of the Colombian meeting are not found in his; he may not act on the Colombian meeting at all."""
    mx_delegate = delegate(world, world.prep_mx, Person.objects.create(display_name="Luis Pérez"), world.org_mx)
    co_delegate = delegate(world, world.prep_mx, Person.objects.create(display_name="María Gómez"), world.org_co)
    co_meeting = observer(world.prep_co, Person.objects.create(display_name="Juan Ruiz"))
    marco = as_user(world.marco)
    data = {"action": "confirm_mandate", "registration": [mx_delegate.pk, co_delegate.pk, co_meeting.pk]}
    html = _html(marco.post(BULK.format("prep-mx"), data))
    assert "Done for 1 registration." in html
    assert "Only the organisation&#x27;s contact person, its national committee or a coordinator" in html
    assert f"Registration no. {co_meeting.pk}" in html and "Juan Ruiz" not in html
    assert "Not found among the registrations of this gathering." in html
    rows = dict(Registration.objects.values_list("pk", "mandate"))
    assert rows[mx_delegate.pk] == "confirmed" and rows[co_delegate.pk] == "pending"
    before = snapshot()
    response = marco.post(BULK.format("prep-co"), {"action": "accredit", "registration": [co_meeting.pk]})
    assert response.status_code == 403 and snapshot() == before


def test_it_bulk_invites_people_without_an_account(as_user, world, mailoutbox):
    with_email = Person.objects.create(display_name="Luis Pérez", email="luis@example.org", languages="pt")
    without = Person.objects.create(display_name="Juan Ruiz")
    a, b = observer(world.conference, with_email), observer(world.conference, without)
    data = {"action": "invite", "registration": [a.pk, b.pk, world.olga_reg.pk]}
    html = _html(as_user(world.alice).post(BULK.format("conferencia"), data))
    assert "Done for 1 registration." in html
    assert "No email address in the registry." in html and "already has an account" in html
    invitation = Invitation.objects.get()
    assert invitation.email == "luis@example.org" and invitation.role == "member" and invitation.language == "pt-br"


def test_a_committee_is_not_offered_invitations(as_user, world):
    reg = observer(world.prep_co, Person.objects.create(display_name="Juan Ruiz", email="juan@example.org"))
    html = _html(as_user(world.carla).get(LIST.format("prep-co")))
    assert 'value="invite"' not in html and 'value="accredit"' in html
    before = snapshot()
    response = as_user(world.carla).post(BULK.format("prep-co"), {"action": "invite", "registration": [reg.pk]})
    assert response.status_code == 302 and snapshot() == before and not Invitation.objects.exists()


def test_bad_bulk_input_writes_nothing(as_user, world):
    """Bad inputs tried: no action, an unknown action, refusing without a reason (or with spaces), no row
    ticked, ids that are not numbers, negative, huge, or of no registration."""
    alice = as_user(world.alice)
    url = BULK.format("conferencia")
    olga = world.olga_reg.pk
    bad = [
        {"registration": [olga]},
        {"action": "delete", "registration": [olga]},
        {"action": "refuse", "registration": [olga]},
        {"action": "refuse", "reason": "   ", "registration": [olga]},
        {"action": "accredit"},
        {"action": "accredit", "registration": ["abc"]},
        {"action": "accredit", "registration": ["-1"]},
        {"action": "accredit", "registration": ["9" * 40]},
    ]
    before = snapshot()
    for data in bad:
        response = alice.post(url, data, HTTP_ACCEPT_LANGUAGE="en")
        assert response.status_code == 302, data
        assert response["Location"].startswith(LIST.format("conferencia")), data
    assert snapshot() == before
    html = _html(alice.post(url, {"action": "accredit", "registration": [999999]}))
    assert "Registration no. 999999" in html and "Done for" not in html
    assert snapshot() == before
    page = _html(alice.post(url, {"action": "refuse", "registration": [olga]}, follow=True))
    assert "Give the reason for the refusal" in page


def test_a_bulk_action_reads_its_rows_once(as_user, world):
    """The reads do not grow with the rows (the writes do: one service call each)."""
    def reads(n):
        Registration.objects.filter(gathering=world.prep_co).delete()
        ids = [observer(world.prep_co, Person.objects.create(display_name=f"P {n} {i}")).pk for i in range(n)]
        with CaptureQueriesContext(connection) as queries_:
            as_user(world.carla).post(BULK.format("prep-co"), {"action": "accredit", "registration": ids})
        return [q["sql"] for q in queries_.captured_queries
                if q["sql"].startswith("SELECT") and "gatherings_registration" in q["sql"]]

    assert len(reads(1)) == len(reads(3))


# --- downloads ---------------------------------------------------------------------------


def _csv(response):
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def test_it_neutralises_what_a_spreadsheet_would_read_as_a_formula():
    for dangerous in ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx", '=HYPERLINK("http://x")']:
        assert neutralise(dangerous) == "'" + dangerous
    assert neutralise("Ana Díaz") == "Ana Díaz" and neutralise(None) == "" and neutralise(12) == "12"


def test_it_downloads_the_filtered_list_as_csv_with_only_what_the_viewer_may_see(as_user, world):
    luis = Person.objects.create(display_name="Luis Pérez", full_name="Luis Alberto Pérez", email="luis@example.org",
                                 email_visibility=Visibility.MEMBERS)
    org = Organisation.objects.create(name='=HYPERLINK("http://evil.example")', country="CO",
                                      sector=Sector.SOCIAL_MOVEMENT)
    delegate(world, world.prep_co, luis, org, mandate="confirmed")
    observer(world.prep_co, Person.objects.create(display_name="Juan Ruiz", email="juan@example.org"))
    rows = _csv(as_user(world.carla).post(EXPORT.format("prep-co"), {"format": "csv", "role": "delegate"}))
    assert rows[0][:4] == ["Number", "Name", "Full name", "Email"]
    assert len(rows) == 2  # the filter holds: the observer is not in it
    row = rows[1]
    assert row[1] == "Luis Pérez" and row[2] == "" and row[3] == "luis@example.org"  # full name: coordinators only
    assert row[5] == "'=HYPERLINK(\"http://evil.example\")" and row[6] == "Colombia" and row[8] == "Confirmed"
    entry = Entry.objects.get(action="registrations.exported")
    assert entry.actor_id == world.carla.pk and entry.gathering_id == world.prep_co.pk and entry.note == "csv"
    rows = _csv(as_user(world.alice).post(EXPORT.format("prep-co"), {"format": "csv"}))
    assert {r[2] for r in rows[1:]} == {"Luis Alberto Pérez", ""} and "juan@example.org" in {r[3] for r in rows}


def test_it_downloads_xlsx_with_text_cells_only(as_user, world):
    org = Organisation.objects.create(name="@cmd|' /C calc'!A0", country="CO", sector=Sector.OTHER)
    delegate(world, world.prep_co, Person.objects.create(display_name="-2+3"), org, mandate="confirmed")
    response = as_user(world.alice).post(EXPORT.format("prep-co"), {"format": "xlsx"})
    assert response.status_code == 200 and "spreadsheetml" in response["Content-Type"]
    assert 'filename="registrations-prep-co.xlsx"' in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert rows[0][1] == "Name" and rows[1][1] == "'-2+3" and rows[1][5] == "'@cmd|' /C calc'!A0"
    assert all(c.data_type == "s" for row in sheet.iter_rows() for c in row if c.value is not None)


def test_a_bad_download_format_writes_nothing(as_user, world):
    for data in [{}, {"format": "pdf"}]:
        response = as_user(world.alice).post(EXPORT.format("prep-co"), data)
        assert response.status_code == 302
    response = as_user(world.alice).post(EXPORT.format("prep-co"), {"format": "csv\x00"})
    assert response.status_code == 400 and b"cannot be stored" in response.content  # core.clean_input, as urlencoded
    assert not Entry.objects.filter(action="registrations.exported").exists()


def test_the_download_counts_the_same_queries_for_one_and_three_rows(as_user, world):
    client = as_user(world.alice)

    def count():
        with CaptureQueriesContext(connection) as captured:
            b"".join(client.post(EXPORT.format("prep-co"), {"format": "csv"}).streaming_content)
        return len(captured)

    observer(world.prep_co, Person.objects.create(display_name="Uno"))
    count()
    one = count()
    delegate(world, world.prep_co, Person.objects.create(display_name="Dos"), world.org_co, mandate="confirmed")
    observer(world.prep_co, Person.objects.create(display_name="Tres"))
    assert count() == one


def test_registrations_for_keeps_its_old_arguments(world):
    assert list(queries.registrations_for(world.conference, status="accredited")) == [world.bob_reg]


def test_a_full_page_of_the_list_stays_light(as_user, world):
    """50 rows (a page) of varied delegates: under 50 kB gzipped, as a browser receives it (UI.md)."""
    import gzip

    for i in range(60):
        org = world.org_co if i % 2 else world.org_mx
        delegate(world, world.conference, Person.objects.create(display_name=f"Delegada Núñez {i}"), org,
                 mandate="confirmed" if i % 3 else "pending")
    body = as_user(world.alice).get(LIST.format("conferencia")).content
    assert _rows(body.decode()) == 50
    assert len(gzip.compress(body, 6)) < 50_000 and len(body) < 120_000, (len(body), len(gzip.compress(body, 6)))


def test_the_api_searches_and_filters_as_the_page_does(world):
    from django.test import Client

    from .test_api import bearer

    ana = Person.objects.create(display_name="Ana Díaz")
    delegate(world, world.conference, ana, world.org_mx)
    client, auth = Client(), bearer(world.alice)
    url = "/api/v1/gatherings/conferencia/registrations"
    body = client.get(f"{url}?q=DIAZ&mandate=pending&country=mx", **auth).json()
    assert body["count"] == 1 and [item["id"] for item in body["items"]] == [ana.registrations.get().pk]
    assert client.get(f"{url}?q=diaz&country=CO", **auth).json()["count"] == 0
    for bad in ["mandate=maybe", "sector=nope", "checked_in=2"]:
        assert client.get(f"{url}?{bad}", **auth).status_code == 400, bad
