"""The pages of days of action: the campaign's list, filters and counters, an RSVP through the real form, the
host's list and export, moderation, the confirmation link, the feeds, the map data and the widget's headers."""

import csv
import io
import re

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from convoca.actions import services
from convoca.actions.models import Action, Rsvp
from tests.actions.helpers import action, campaign, data


def _csrf(client, url):
    page = client.get(url)
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode())[1]


@pytest.mark.django_db
class TestCampaignPage:
    def test_it_lists_published_actions_with_counters(self, world):
        published = action(world)
        action(world, approve=False, title="Todavía en moderación")
        page = Client().get(reverse("actions:campaign", args=["dia-migrar"]))
        text = page.content.decode()
        assert page.status_code == 200
        assert published.title in text and "Todavía en moderación" not in text
        assert 'data-country="CO"' in text and "1 action" in text
        assert 'data-live-refresh="/days/dia-migrar/counts/"' in text

    def test_it_filters_by_country_city_type_and_day(self, world):
        action(world)
        action(world, title="Vigilia en Ciudad de México", kind="vigil", country="MX", city="Ciudad de México",
               timezone="America/Mexico_City")
        url = reverse("actions:campaign", args=["dia-migrar"])
        assert "Vigilia" not in Client().get(url, {"country": "CO"}).content.decode()
        assert "Marcha" not in Client().get(url, {"kind": "vigil"}).content.decode()
        assert "Vigilia" in Client().get(url, {"city": "ciudad de méxico"}).content.decode()
        assert "No action matches" in Client().get(url, {"day": "2001-01-01"}).content.decode()
        assert Client().get(url, {"day": "not-a-day", "country": "ZZ", "page": "x"}).status_code == 200

    def test_it_costs_the_same_queries_for_one_and_three_actions(self, world):
        url = reverse("actions:campaign", args=["dia-migrar"])
        action(world)
        client = Client()
        client.get(url)
        with CaptureQueriesContext(connection) as one:
            client.get(url)
        action(world, title="Dos")
        action(world, title="Tres")
        client.get(url)  # counters and map cached again for the new version
        with CaptureQueriesContext(connection) as three:
            client.get(url)
        assert len(one) == len(three)

    def test_it_serves_the_map_as_compact_data_without_hosts_or_addresses(self, world):
        action(world)
        body = Client().get(reverse("actions:map", args=["dia-migrar"])).json()
        assert body["points"] == [[4.6, -74.1, "CO", "Bogotá", 1, 0]]
        assert "Plaza" not in str(body)

    def test_it_serves_ical_feeds(self, world):
        target = action(world)
        feed = Client().get(reverse("actions:campaign_ics", args=["dia-migrar"]))
        assert feed["Content-Type"].startswith("text/calendar") and b"Marcha por el derecho" in feed.content
        assert b"Plaza de Bol" not in feed.content
        one = Client().get(reverse("actions:action_ics", args=["dia-migrar", target.pk]))
        assert b"BEGIN:VEVENT" in one.content

    def test_it_lets_the_chosen_sites_frame_the_widget(self, world, settings):
        action(world)
        settings.ACTIONS_WIDGET_FRAME_ANCESTORS = ["https://sindicato.example"]
        page = Client().get(reverse("actions:widget", args=["dia-migrar"]))
        assert "frame-ancestors https://sindicato.example" in page["Content-Security-Policy"]
        assert "X-Frame-Options" not in page
        assert "Marcha por el derecho" in page.content.decode()
        other = Client().get(reverse("actions:campaign", args=["dia-migrar"]))
        assert "frame-ancestors 'none'" in other["Content-Security-Policy"]

    def test_it_allows_only_the_configured_tile_server(self, world, settings):
        campaign(world)
        settings.ACTIONS_TILE_URL = "https://tiles.example.org/{z}/{x}/{y}.png"
        page = Client().get(reverse("actions:campaign", args=["dia-migrar"]))
        assert "img-src 'self' data: https://tiles.example.org;" in page["Content-Security-Policy"]


@pytest.mark.django_db(transaction=True)
class TestRsvpForm:
    def test_it_takes_an_rsvp_through_the_form_and_confirms_it(self, world):
        target = action(world)
        client = Client()
        url = reverse("actions:action", args=["dia-migrar", target.pk])
        token = _csrf(client, url)
        mail.outbox.clear()
        answer = client.post(url, {"csrfmiddlewaretoken": token, "name": "Luz", "email": "luz@example.org",
                                   "share_name": "on"})
        assert answer.status_code == 302 and answer.url.endswith("/thanks/")
        link = re.search(r"https?://\S+/days/rsvp/\S+/", mail.outbox[0].body)[0]
        path = link.split("testserver")[-1].split("8000")[-1]
        assert "Confirm my place" in client.get(path).content.decode()
        assert Rsvp.objects.get().state == Rsvp.State.UNCONFIRMED  # a GET changes nothing
        client.post(path, {"csrfmiddlewaretoken": _csrf(client, path)})
        assert Rsvp.objects.get().state == Rsvp.State.CONFIRMED

    def test_it_shows_each_bad_input_on_the_form(self, world):
        target = action(world, capacity=1)
        client = Client()
        url = reverse("actions:action", args=["dia-migrar", target.pk])
        empty = client.post(url, {"name": "", "email": "no-at-sign"})
        assert empty.status_code == 200 and "Enter a valid email address" in empty.content.decode()
        client.post(url, {"name": "<script>alert(1)</script>", "email": "a@example.org"})
        page = client.get(url).content.decode()
        assert "full" in page  # the one place is taken
        full = client.post(url, {"name": "B", "email": "b@example.org"})
        assert "This action is full" in full.content.decode()
        assert Rsvp.objects.count() == 1
        assert Rsvp.objects.get().name == "<script>alert(1)</script>"  # stored as text, shown escaped

    def test_it_limits_floods_per_address(self, world, settings):
        settings.ACTIONS_RSVP_PER_IP = 3
        target = action(world)
        client = Client()
        url = reverse("actions:action", args=["dia-migrar", target.pk])
        for n in range(3):
            client.post(url, {"name": "N", "email": f"n{n}@example.org"})
        refused = client.post(url, {"name": "N", "email": "n9@example.org"})
        assert refused.status_code == 429 and "Too many attempts" in refused.content.decode()
        assert Rsvp.objects.count() == 3

    def test_it_answers_404_for_an_unapproved_action(self, world):
        pending = action(world, approve=False)
        url = reverse("actions:action", args=["dia-migrar", pending.pk])
        assert Client().get(url).status_code == 404
        assert Client().post(url, {"name": "N", "email": "n@example.org"}).status_code == 404
        assert not Rsvp.objects.exists()

    def test_it_answers_a_forged_link_with_a_clear_page(self, world):
        page = Client().get(reverse("actions:confirm", args=["forged-token"]))
        assert page.status_code == 400 and "not valid" in page.content.decode()


@pytest.mark.django_db(transaction=True)
class TestHostAndModeration:
    def test_it_shows_the_host_only_what_people_shared(self, world, as_user):
        target = action(world)
        services.rsvp(target, name="Luz", email="luz@example.org", share_name=True)
        services.rsvp(target, name="Secreta", email="secreta@example.org")
        client = as_user(world.bob)
        page = client.get(reverse("actions:rsvps", args=["dia-migrar", target.pk])).content.decode()
        assert "Luz" in page and "Secreta" not in page and "luz@example.org" not in page
        rows = list(csv.reader(io.StringIO(client.get(reverse("actions:rsvps_csv", args=["dia-migrar", target.pk]))
                                           .content.decode())))
        assert rows[1][:2] == ["Luz", "(not shared)"] and rows[2][:2] == ["(not shared)", "(not shared)"]
        assert as_user(world.nadia).get(reverse("actions:rsvps", args=["dia-migrar", target.pk])).status_code == 403
        assert as_user(world.carla).get(reverse("actions:rsvps_csv", args=["dia-migrar", target.pk])).status_code \
            == 403

    def test_it_registers_then_the_committee_approves_from_its_queue(self, world, as_user):
        campaign(world)
        host = as_user(world.bob)
        form = data()
        form.update(starts_at=form["starts_at"].strftime("%Y-%m-%dT%H:%M"),
                    ends_at=form["ends_at"].strftime("%Y-%m-%dT%H:%M"), latitude="4.61", longitude="-74.08",
                    capacity="")
        answer = host.post(reverse("actions:action_create", args=["dia-migrar"]), form)
        assert answer.status_code == 302, answer.content.decode()[:3000]
        created = Action.objects.get()
        assert created.state == Action.State.PENDING and created.timezone == "America/Bogota"
        committee = as_user(world.carla)
        queue = committee.get(reverse("actions:moderation")).content.decode()
        assert created.title in queue
        assert created.title not in as_user(world.marco).get(reverse("actions:moderation")).content.decode()
        # a pending action of another country is missing for Mexico's committee, as on every page
        assert as_user(world.marco).post(reverse("actions:approve", args=[created.pk])).status_code == 404
        committee.post(reverse("actions:approve", args=[created.pk]), {"trust": "1"})
        created.refresh_from_db()
        assert created.state == Action.State.APPROVED

    def test_it_shows_bad_dates_on_the_form_and_writes_nothing(self, world, as_user):
        campaign(world)
        form = data()
        form.update(starts_at="2001-01-01T10:00", ends_at="2001-01-01T09:00", latitude="", longitude="",
                    capacity="")
        page = as_user(world.bob).post(reverse("actions:action_create", args=["dia-migrar"]), form)
        assert page.status_code == 200 and "already passed" in page.content.decode()
        assert "Día continental por el derecho a migrar" in page.content.decode()  # the campaign, in its language
        form.update(timezone="Mars/Olympus")
        page = as_user(world.bob).post(reverse("actions:action_create", args=["dia-migrar"]), form)
        assert "Select a valid choice" in page.content.decode()
        assert not Action.objects.exists()


@pytest.mark.django_db
def test_it_keeps_a_full_campaign_page_light(world):
    """A page of 50 actions and the counters of 35 countries: the HTML stays a small part of the 50 KB budget
    (Leaflet is fetched only when the map is asked for)."""
    import gzip

    from convoca.actions.models import Action

    day = campaign(world)
    countries = ["AR", "BO", "BR", "BZ", "CA", "CL", "CO", "CR", "CU", "DO", "EC", "GF", "GP", "GT", "GY", "HN", "HT",
                 "JM", "MQ", "MX", "NI", "PA", "PE", "PR", "PY", "SR", "SV", "TT", "US", "UY", "VE", "BB", "LC", "VC",
                 "GD"]
    first = action(world)
    Action.objects.bulk_create([Action(campaign=day, host_user=world.bob, title=f"Acción número {i}", kind="march",
                                       starts_at=first.starts_at, ends_at=first.ends_at, timezone="America/Bogota",
                                       city=f"Ciudad {i}", country=countries[i % 35], state="approved")
                                for i in range(70)])
    page = Client().get(reverse("actions:campaign", args=[day.slug]))
    html = page.content
    assert html.count(b'data-country="') == 35 and html.count(b"<tr>") >= 50
    assert len(gzip.compress(html)) < 20_000
    assert b"leaflet.js" not in html.split(b"data-leaflet-js")[0]  # no script tag loads it up front


@pytest.mark.django_db
class TestSharedActionPage:
    """An action's page as anonymous visitors see it is drawn once a second and shared, each copy with the
    visitor's own CSRF token (core.shared_pages)."""

    @staticmethod
    def _page(client, url):
        html = client.get(url).content.decode()
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)[1]
        return html, token

    def test_visitors_share_the_page_each_with_a_token_that_works_for_them_alone(self, world):
        shown = action(world, capacity=10)
        url = shown.get_absolute_url()
        first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
        page_1, token_1 = self._page(first, url)
        page_2, token_2 = self._page(second, url)
        assert token_1 != token_2 and page_1.replace(token_1, "T") == page_2.replace(token_2, "T")
        assert "\x00" not in page_2 and "0 of 10 taken" in page_2
        refused = second.post(url, {"name": "Ana", "email": "ana@example.org", "csrfmiddlewaretoken": token_1})
        assert refused.status_code == 403 and not Rsvp.objects.exists()
        done = second.post(url, {"name": "Ana", "email": "ana@example.org", "csrfmiddlewaretoken": token_2})
        assert done.status_code == 302 and Rsvp.objects.count() == 1
        assert "1 of 10 taken" in self._page(first, url)[0]  # a new count is a new page at once

    def test_what_is_not_the_same_for_everyone_is_never_shared(self, world, as_user):
        shown = action(world, address_visibility="public")
        url = shown.get_absolute_url()
        assert "Plaza de Bolívar" in Client().get(url).content.decode()
        Action.objects.filter(pk=shown.pk).update(address_visibility="day")  # the host hides it until the day
        assert "Plaza de Bolívar" not in Client().get(url).content.decode()
        assert "RSVPs and report" in as_user(world.bob).get(url).content.decode()  # the host's own page
        assert "RSVPs and report" not in Client().get(url).content.decode()
        Action.objects.filter(pk=shown.pk).update(state="cancelled")
        assert "This action has been cancelled." in Client().get(url).content.decode()

    def test_an_edit_shows_at_once_and_the_places_taken_in_every_copy(self, world):
        shown = action(world, capacity=3)
        url = shown.get_absolute_url()
        assert "0 of 3 taken" in Client().get(url).content.decode()
        Action.objects.filter(pk=shown.pk).update(title="Marcha corregida", rsvp_count=2)
        page = Client().get(url).content.decode()
        assert "Marcha corregida" in page and "2 of 3 taken" in page and "\x00" not in page
        Action.objects.filter(pk=shown.pk).update(rsvp_count=3)  # full: no form any more
        page = Client().get(url).content.decode()
        assert "This action is full." in page and 'name="csrfmiddlewaretoken"' not in page.split("rsvp-title")[1]
