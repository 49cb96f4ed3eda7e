"""Gathering pages (list, detail) and create/edit through the web and the services."""

import datetime as dt

import pytest

from convoca.core.errors import PermissionDenied, ServiceError
from convoca.gatherings import services
from convoca.gatherings.models import Gathering

from .helpers import gathering_data, snapshot


def test_it_lists_upcoming_and_past_gatherings_publicly(client, world):
    Gathering.objects.create(
        kind="preparatory", slug="prep-ar", title="Encuentro Argentina", country="AR",
        starts_on=world.today - dt.timedelta(days=40), ends_on=world.today - dt.timedelta(days=39), place="Rosario",
    )
    html = client.get("/gatherings/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    upcoming, past = html.split("<h2>Past</h2>")
    assert "Conferencia Continental" in upcoming and "Encuentro preparatorio Colombia" in upcoming
    assert "Encuentro Argentina" in past and "Encuentro Argentina" not in upcoming
    assert "/gatherings/new/" not in html


def test_it_shows_the_create_link_to_coordinators_only(as_user, world):
    assert b"/gatherings/new/" in as_user(world.alice).get("/gatherings/").content
    assert b"/gatherings/new/" not in as_user(world.carla).get("/gatherings/").content


def test_it_shows_a_gathering_to_the_public_without_its_online_room(client, world):
    world.conference.online_url = "https://meet.example.org/secret-room"
    world.conference.save(update_fields=["online_url"])
    html = client.get("/gatherings/conferencia/").content.decode()
    assert "Conferencia Continental" in html and "Ciudad de Panamá" in html
    assert "secret-room" not in html
    assert "/gatherings/conferencia/registrations/" not in html


def test_it_shows_the_online_room_to_accredited_participants_and_managers(as_user, world):
    world.conference.online_url = "https://meet.example.org/secret-room"
    world.conference.save(update_fields=["online_url"])
    assert b"secret-room" in as_user(world.bob).get("/gatherings/conferencia/").content  # accredited
    assert b"secret-room" in as_user(world.alice).get("/gatherings/conferencia/").content  # coordinator
    assert b"secret-room" not in as_user(world.olga).get("/gatherings/conferencia/").content  # requested only
    assert b"secret-room" not in as_user(world.nadia).get("/gatherings/conferencia/").content


def test_it_links_managers_to_registrations_and_checkin(as_user, world):
    html = as_user(world.carla).get("/gatherings/prep-co/").content.decode()
    assert "/gatherings/prep-co/registrations/" in html and "/gatherings/prep-co/checkin/" in html
    html = as_user(world.marco).get("/gatherings/prep-co/").content.decode()
    assert "/gatherings/prep-co/registrations/" not in html


def test_it_returns_404_for_an_unknown_gathering(client, world):
    response = client.get("/gatherings/no-such-thing/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 404 and b"<h1>Page not found</h1>" in response.content


def test_it_lets_a_coordinator_create_a_gathering(as_user, world):
    response = as_user(world.alice).post("/gatherings/new/", gathering_data())
    assert response.status_code == 302 and response["Location"] == "/gatherings/prep-br/"
    g = Gathering.objects.get(slug="prep-br")
    assert g.country == "BR" and g.kind == "preparatory" and g.registration_open


@pytest.mark.parametrize(
    "bad, field, message",
    [
        ({"ends_on": (dt.date.today() + dt.timedelta(days=10)).isoformat()}, "ends_on", "on or after the start date"),
        ({"country": ""}, "country", "needs a country"),
        ({"slug": "conferencia"}, "slug", "already uses this short name"),
        ({"slug": "new"}, "slug", "reserved"),
        ({"slug": "con espacios"}, "slug", ""),
        ({"place": "", "online_url": ""}, "place", "place, an online room, or both"),
        ({"online_url": "javascript:alert(1)"}, "online_url", ""),
        ({"starts_on": "31/02/2026"}, "starts_on", ""),
        ({"kind": "party"}, "kind", ""),
        ({"country": "XX"}, "country", ""),
        ({"title": ""}, "title", ""),
    ],
    ids=["ends_before_starts", "preparatory_without_country", "slug_taken", "slug_reserved", "slug_with_spaces",
         "no_place_nor_room", "javascript_url", "impossible_date", "unknown_kind", "unknown_country", "no_title"],
)
def test_it_refuses_bad_gathering_input_with_a_form_error(as_user, world, bad, field, message):
    before = snapshot()
    response = as_user(world.alice).post("/gatherings/new/", gathering_data(**bad), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    form = response.context["form"]
    assert field in form.errors, form.errors
    assert message in " ".join(form.errors[field])
    html = response.content.decode()
    assert 'class="error-summary"' in html and f'href="#id_{field}' in html
    assert snapshot() == before


def test_it_refuses_creation_by_a_national_committee(as_user, world):
    before = snapshot()
    assert as_user(world.carla).post("/gatherings/new/", gathering_data()).status_code == 403
    assert snapshot() == before


def test_it_lets_the_national_committee_edit_its_own_meeting_but_not_its_country(as_user, world):
    data = gathering_data(slug="prep-co", title="Encuentro Colombia 2026", country="MX", kind="conference", place="Cali")
    response = as_user(world.carla).post("/gatherings/prep-co/edit/", data)
    assert response.status_code == 302
    world.prep_co.refresh_from_db()
    assert world.prep_co.title == "Encuentro Colombia 2026" and world.prep_co.place == "Cali"
    assert world.prep_co.country == "CO" and world.prep_co.kind == "preparatory"  # disabled fields ignored


def test_it_refuses_an_edit_by_another_countrys_committee(as_user, world):
    before = snapshot()
    response = as_user(world.marco).post("/gatherings/prep-co/edit/", gathering_data(slug="prep-co", country="CO"))
    assert response.status_code == 403
    assert snapshot() == before


def test_it_keeps_input_after_an_edit_error(as_user, world):
    data = gathering_data(slug="prep-co", country="CO", title="Nuevo título", ends_on="2000-01-01")
    response = as_user(world.alice).post("/gatherings/prep-co/edit/", data)
    assert response.status_code == 200 and "ends_on" in response.context["form"].errors
    assert b'value="Nuevo t' in response.content
    world.prep_co.refresh_from_db()
    assert world.prep_co.title == "Encuentro preparatorio Colombia"


class TestServices:
    def test_it_creates_through_the_service(self, world):
        g = services.create_gathering(
            world.alice, kind="conference", slug="Conf-2027", title="  Conferencia 2027 ",
            starts_on=world.today, ends_on=world.today, online_url="https://meet.example.org/x",
        )
        assert g.slug == "conf-2027" and g.title == "Conferencia 2027" and g.country == ""

    def test_it_refuses_a_committee_member_creating(self, world):
        with pytest.raises(PermissionDenied):
            services.create_gathering(
                world.carla, kind="preparatory", slug="x", title="x", country="CO", starts_on=world.today,
                ends_on=world.today, place="x",
            )

    def test_it_refuses_ends_before_starts(self, world):
        with pytest.raises(ServiceError) as exc:
            services.create_gathering(
                world.alice, kind="conference", slug="x", title="x", starts_on=world.today,
                ends_on=world.today - dt.timedelta(days=1), place="x",
            )
        assert exc.value.field == "ends_on" and exc.value.status == 400
        assert not Gathering.objects.filter(slug="x").exists()

    def test_it_refuses_a_committee_changing_the_country(self, world):
        with pytest.raises(PermissionDenied):
            services.update_gathering(world.carla, world.prep_co, country="MX")
        world.prep_co.refresh_from_db()
        assert world.prep_co.country == "CO"

    def test_it_refuses_a_committee_member_editing_outside_its_country(self, world):
        with pytest.raises(PermissionDenied):
            services.update_gathering(world.marco, world.prep_co, title="Hackeado")
        world.prep_co.refresh_from_db()
        assert world.prep_co.title == "Encuentro preparatorio Colombia"

    def test_it_refuses_the_conference_to_a_committee(self, world):
        with pytest.raises(PermissionDenied):
            services.update_gathering(world.carla, world.conference, title="x")

    def test_it_saves_only_changed_fields(self, world):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as ctx:
            services.update_gathering(world.alice, world.prep_co, place="Medellín", title=world.prep_co.title)
        updates = [q["sql"] for q in ctx.captured_queries if q["sql"].startswith("UPDATE")]
        assert len(updates) == 1 and '"place"' in updates[0] and '"title"' not in updates[0]
        world.prep_co.refresh_from_db()
        assert world.prep_co.place == "Medellín"
