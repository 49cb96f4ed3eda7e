"""The audit trail's page (/audit/) and its API (/api/v1/audit): coordinators
read and filter every privileged action; names only as their visibility
allows."""

import datetime as dt

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from convoca.accounts import services as accounts
from convoca.audit import queries
from convoca.audit.models import Entry
from convoca.gatherings import services as gatherings
from convoca.gatherings.models import Registration
from convoca.network.models import Visibility
from tests.gatherings.helpers import observer

URL = reverse("audit:trail")


def _some_actions(w, count=1):
    """``count`` accreditations of observers at the Colombian meeting by carla, then one by alice at the conference."""
    regs = [observer(w.prep_co, person) for person in (w.olga_person, w.nadia_person, w.tomas_person)[:count]]
    for reg in regs:
        gatherings.accredit(w.carla, reg)
    gatherings.accredit(w.alice, w.olga_reg)
    return regs


def test_it_lists_every_entry_with_names_for_a_coordinator(world, as_user):
    w = world
    _some_actions(w)
    html = as_user(w.alice).get(URL).content.decode()
    assert "2 entries" in html and html.count("Accredited") >= 2
    assert w.carla_person.display_name in html and w.alice_person.display_name in html
    assert w.prep_co.title in html and w.conference.title in html
    assert f"Registration no. {w.olga_reg.pk}: {w.olga_person.display_name}" in html


def test_it_filters_by_gathering_action_actor_and_date(world, as_user):
    w = world
    _some_actions(w)
    accounts.create_api_token(w.bob, "sync")
    client = as_user(w.alice)

    def shown(**filters):
        return client.get(URL, filters).content.decode()

    assert "1 entry" in shown(gathering=w.prep_co.pk) and w.carla_person.display_name in shown(gathering=w.prep_co.pk)
    assert "1 entry" in shown(action="token.created") and "API token created" in shown(action="token.created")
    assert "1 entry" in shown(actor=w.alice.pk)
    today = timezone.localdate()
    assert "3 entries" in shown(since=today.isoformat(), until=today.isoformat())
    assert "0 entries" in shown(until=(today - dt.timedelta(days=1)).isoformat())
    backwards = shown(since=today.isoformat(), until=(today - dt.timedelta(days=1)).isoformat())
    assert "The end date must be on or after the start date." in backwards


def test_it_ignores_filters_that_are_not_valid(world, as_user):
    w = world
    _some_actions(w)
    for junk in ({"gathering": "abc"}, {"action": "nope"}, {"actor": "999999999999999999999"},
                 {"since": "2026-02-31"}, {"page": "x"}, {"until": "9999-12-31"}):
        response = as_user(w.alice).get(URL, junk)
        assert response.status_code == 200, junk
        assert "2 entries" in response.content.decode()


def test_it_pages_fifty_entries_at_a_time(world, as_user):
    w = world
    Entry.objects.bulk_create([Entry(actor_id=w.alice.pk, action="token.created") for _i in range(51)])
    client = as_user(w.alice)
    first = client.get(URL).content.decode()
    assert "51 entries" in first and "Page 1 of 2" in first
    assert first.count('data-label="When"') == 50
    assert client.get(URL, {"page": 2}).content.decode().count('data-label="When"') == 1


def test_it_costs_the_same_queries_for_one_and_three_entries(world, as_user):
    w = world
    client = as_user(w.alice)
    _some_actions(w, 1)
    client.get(URL)
    with CaptureQueriesContext(connection) as one:
        client.get(URL)
    for person in (w.tomas_person, w.marco_person):
        gatherings.accredit(w.carla, observer(w.prep_co, person))
    with CaptureQueriesContext(connection) as three:
        client.get(URL)
    assert len(three) == len(one), [q["sql"] for q in three.captured_queries]


def test_it_shows_names_only_as_visibility_allows(world):
    w = world
    _some_actions(w)
    rows = queries.describe(w.bob, queries.entries())
    assert {row.actor for row in rows} == {"Name not shown"}
    w.carla_person.display_name_visibility = Visibility.MEMBERS
    w.carla_person.save(update_fields=["display_name_visibility"])
    rows = queries.describe(w.bob, queries.entries(actor=w.carla.pk))
    assert [row.actor for row in rows] == [w.carla_person.display_name]


def test_it_answers_the_api_for_coordinators_only(world, as_user):
    w = world
    _some_actions(w)
    _token, raw = accounts.create_api_token(w.alice, "audit script")
    alice = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    body = Client().get("/api/v1/audit", {"gathering": w.prep_co.pk}, **alice).json()
    assert body["count"] == 1
    item = body["items"][0]
    assert item["action"] == "registration.accredited" and item["action_label"] == "Accredited"
    assert item["actor"] == w.carla.pk and item["actor_name"] == w.carla_person.display_name
    assert item["gathering_name"] == w.prep_co.title and item["target_type"] == "gatherings.registration"
    assert Client().get("/api/v1/audit", {"action": "token.created"}, **alice).json()["count"] == 1
    assert Client().get("/api/v1/audit", {"action": "nope"}, **alice).status_code == 400
    assert Client().get("/api/v1/audit", {"since": "2026-05-02", "until": "2026-05-01"}, **alice).status_code == 400
    assert Client().get("/api/v1/audit", {"limit": 1000}, **alice).status_code == 400
    assert as_user(w.carla).get("/api/v1/audit").status_code == 403
    assert Client().get("/api/v1/audit").status_code == 401


def test_it_names_people_organisations_and_committees_as_the_reader_may_see_them(world):
    from convoca.network import services as network

    w = world
    org = network.create_organisation(w.alice, name="Colectivo Reservado", country="MX", sector="social_movement")
    committee = network.create_committee(w.alice, "PE")
    network.add_committee_member(w.alice, committee, w.nadia_person)
    names = {row.action: row.target for row in queries.describe(w.alice, queries.entries())}
    assert names == {"Organisation registered": org.name, "National committee created": "National committee of Peru",
                     "Added to a national committee": w.nadia_person.display_name}
    hidden = {row.action: row.target for row in queries.describe(w.bob, queries.entries())}
    assert hidden["Added to a national committee"] == "Name not shown"
    assert queries.labels(None, {("network.organisation", str(org.pk))}) == {
        ("network.organisation", str(org.pk)): f"Organisation no. {org.pk}"}


def test_it_names_an_erased_person_as_erased(world):
    from convoca.network import services as network

    w = world
    network.update_person(w.alice, w.olga_person, full_name="Olga Observadora Ruiz")
    Registration.objects.filter(pk=w.olga_reg.pk).delete()
    network.erase_person(w.alice, w.olga_person)
    rows = queries.describe(w.alice, queries.entries(action="person.changed"))
    assert [row.target for row in rows] == ["Erased person"]
