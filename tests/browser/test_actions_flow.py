"""Issue 12's acceptance path for days of action, each person in their own browser: a host registers an action
in Guadeloupe through the form; a visitor keeps the campaign's page open; Guadeloupe's national committee
(two-step login) approves it from its queue; the visitor's counters show it without reloading; a person RSVPs
through the action's form, gets the confirmation email and confirms from its link; the counters follow; the map
opens on request (Leaflet served by the app, no tile server: no request leaves the site)."""

import datetime as dt
import re

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from convoca.actions.models import Action, Rsvp
from convoca.network.models import NationalCommittee
from tests.accounts.helpers import give_authenticator, totp_code
from tests.actions.helpers import campaign
from tests.browser.conftest import open_page
from tests.fixtures import PASSWORD, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LIVE = 8_000  # ms: the counters are fetched again when the campaign's event arrives


def test_a_host_a_committee_and_a_visitor_bring_an_action_in_guadeloupe_to_life(browser, live_server, browser_log,
                                                                                page, log_in, world):
    w = world
    day = campaign(w)
    gabi, gabi_person = make_user("gabi@example.org", "Gabrielle Comité")
    NationalCommittee.objects.create(country="GP").members.add(gabi_person)

    # A visitor opens the campaign's page: nothing yet.
    visitor = open_page(browser, live_server, browser_log)
    visitor.goto(f"/days/{day.slug}/", timeout=60_000)  # the server's first request imports every app
    expect(visitor.locator("#counts [role=status]")).to_contain_text("0")

    # Bob registers a march in Pointe-à-Pitre, typed in the island's own time.
    host = page
    log_in(host, w.bob.email, PASSWORD)
    host.goto(f"/days/{day.slug}/new/")
    start = (timezone.now() + dt.timedelta(days=3)).strftime("%Y-%m-%dT10:00")
    host.locator("input[name=title]").fill("Marche pour le droit de migrer")
    host.locator("select[name=kind]").select_option("march")
    host.locator("input[name=starts_at]").fill(start)
    host.locator("input[name=ends_at]").fill(start.replace("T10:00", "T12:30"))
    host.locator("select[name=timezone]").select_option("America/Guadeloupe")
    host.locator("input[name=city]").fill("Pointe-à-Pitre")
    host.locator("select[name=country]").select_option("GP")
    host.locator("input[name=address]").fill("Place de la Victoire")
    host.locator("input[name=latitude]").fill("16.24")
    host.locator("input[name=longitude]").fill("-61.53")
    host.locator("main form button[type=submit]").click()
    expect(host.locator(".messages")).to_contain_text("comité nacional")
    action = Action.objects.get()
    assert action.state == "pending" and action.starts_at.astimezone(dt.UTC).hour == 14  # 10:00 at UTC-4

    # Guadeloupe's committee approves it from its queue.
    committee = open_page(browser, live_server, browser_log)
    give_authenticator(gabi)
    log_in(committee, gabi.email, PASSWORD)
    committee.locator("input[name=code]").fill(totp_code())
    committee.locator("main form button[type=submit]").click()
    committee.goto("/days/moderation/")
    expect(committee.locator("main")).to_contain_text("Marche pour le droit de migrer")
    committee.locator(f"form[action='/days/moderation/{action.pk}/approve/'] button").first.click()
    expect(committee.locator(".messages")).to_contain_text("Aprobada")
    assert any("Marche pour le droit de migrer" in m.subject for m in mail.outbox)  # the host is told

    # The visitor's counters show it, without reloading.
    expect(visitor.locator("#counts tr[data-country=GP]")).to_contain_text("1", timeout=LIVE)

    # A person RSVPs through the form and gets the confirmation email.
    person = open_page(browser, live_server, browser_log)
    person.goto(f"/days/{day.slug}/{action.pk}/")
    expect(person.locator("h1")).to_have_text("Marche pour le droit de migrer")
    assert "Place de la Victoire" not in person.content()  # nobody sees the address until the day
    person.locator("input[name=name]").fill("Manon")
    person.locator("input[name=email]").fill("manon@example.org")
    person.locator("main form button[type=submit]").click()
    expect(person.locator("h1")).to_have_text("Revise su correo")
    confirmation = next(m for m in mail.outbox if m.to == ["manon@example.org"])
    link = re.search(r"/days/rsvp/\S+/", confirmation.body)[0]
    person.goto(link)
    person.locator("main form button[type=submit]").first.click()
    expect(person.locator("main p[role=status]")).to_contain_text("confirmada")
    assert Rsvp.objects.get().state == "confirmed"

    # The visitor's counters follow; the map opens on request, drawn from the app's own files.
    expect(visitor.locator("#counts tr[data-country=GP] td").nth(2)).to_have_text("1", timeout=LIVE)
    visitor.locator("#action-map button").click()
    expect(visitor.locator("#action-map .leaflet-interactive")).to_have_count(1)
    assert browser_log.foreign == []
    for extra in (visitor, committee, person):
        extra.context.close()


def test_the_pages_of_a_day_of_action_are_accessible(browser, live_server, browser_log, log_in, world):
    from tests.actions.helpers import action
    from tests.browser.test_accessibility import assert_accessible

    target = action(world)
    page = open_page(browser, live_server, browser_log, bypass_csp=True)
    try:
        for path in (f"/days/{target.campaign.slug}/", f"/days/{target.campaign.slug}/calendar/",
                     f"/days/{target.campaign.slug}/{target.pk}/", f"/days/{target.campaign.slug}/widget/"):
            assert_accessible(page, path)
        log_in(page, world.bob.email, PASSWORD)
        assert_accessible(page, f"/days/{target.campaign.slug}/new/")
        assert_accessible(page, f"/days/{target.campaign.slug}/{target.pk}/rsvps/")
    finally:
        page.context.close()
