"""Issue 12 in a browser: a coordinator (two-step login) creates a day of action from the list of days through
its form (a last day before the first is shown in the error summary, then fixed) and edits it; axe finds nothing
on the create and edit pages, with and without errors. A reader of the published declaration follows its call to
endorse; on the public list of endorsements the counts follow a new endorsement without reloading the page once
its email's link is opened in another browser; axe finds nothing on the declaration and the list."""

import datetime as dt
import re

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from convoca.actions.models import Campaign
from tests.accounts.helpers import give_authenticator, totp_code
from tests.browser.conftest import open_page
from tests.browser.test_accessibility import assert_accessible
from tests.endorsements.helpers import declaration
from tests.fixtures import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LIVE = 8_000  # ms


def test_a_coordinator_creates_and_edits_a_day_of_action(browser, live_server, browser_log, page, log_in, world):
    page.goto("/days/", timeout=60_000)  # the server's first request imports every app
    give_authenticator(world.alice)
    log_in(page, world.alice.email, PASSWORD)
    page.locator("input[name=code]").fill(totp_code())
    page.locator("main form button[type=submit]").click()
    page.goto("/days/")
    page.locator("main a[href='/days/create/']").click()
    assert_accessible(page)
    first = timezone.localdate() + dt.timedelta(days=30)
    page.locator("input[name=slug]").fill("dia-del-trabajo")
    page.locator("input[name=title]").fill("Día continental del trabajo digno")
    page.locator("input[name=starts_on]").fill(first.isoformat())
    page.locator("input[name=ends_on]").fill((first - dt.timedelta(days=2)).isoformat())
    page.locator("input[name=action_types][value=march]").check()
    page.locator("input[name=action_types][value=vigil]").check()
    page.locator("main form button[type=submit]").click()
    summary = page.locator(".error-summary")
    expect(summary.locator("a[href='#id_ends_on']")).to_be_visible()
    assert not Campaign.objects.exists()
    assert_accessible(page)  # with the error summary and the error beside the field
    expect(page.locator("input[name=title]")).to_have_value("Día continental del trabajo digno")
    page.locator("input[name=ends_on]").fill((first + dt.timedelta(days=1)).isoformat())
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/days/dia-del-trabajo/$"))
    created = Campaign.objects.get()
    assert created.action_types == ["march", "vigil"] and created.ends_on == first + dt.timedelta(days=1)
    page.locator("main a[href='/days/dia-del-trabajo/edit/']").click()
    assert_accessible(page)
    page.locator("input[name=action_types][value=rally]").check()
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/days/dia-del-trabajo/$"))
    created.refresh_from_db()
    assert created.action_types == ["march", "rally", "vigil"]


def test_the_declaration_calls_to_endorse_and_the_counts_follow_live(browser, live_server, browser_log, page,
                                                                     world):
    declaration(world)
    page.goto("/gatherings/conferencia/proposals/declaration/", timeout=60_000)
    assert_accessible(page)
    page.locator(".declaration-endorse a[href$='/endorsements/']").click()
    expect(page).to_have_url(re.compile(r"/gatherings/conferencia/endorsements/$"))
    assert_accessible(page)
    expect(page.locator(".endorsement-total")).to_contain_text("0")
    page.evaluate("() => { window.stillTheSamePage = true; }")

    # Someone else endorses and opens the link of the email in their own browser.
    signer = open_page(browser, live_server, browser_log)
    signer.goto("/gatherings/conferencia/proposals/declaration/")
    signer.locator(".declaration-endorse a.button").click()
    signer.locator("input[name=organisation]").fill("Plateforme des Organisations Haïtiennes")
    signer.locator("select[name=country]").select_option("HT")
    signer.locator("select[name=sector]").select_option("social_movement")
    signer.locator("input[name=signatory]").fill("Marie Joseph")
    signer.locator("input[name=email]").fill("marie@pohdh.example")
    signer.locator("main form button[type=submit]").click()
    [link] = re.findall(r"http\S+/verify/\S+/", mail.outbox[-1].body)
    signer.goto(link[link.index("/gatherings/"):])
    signer.locator("main form button[type=submit]").click()
    expect(signer.locator(".endorsement-list")).to_contain_text("Plateforme des Organisations Haïtiennes")

    # The first reader's counts follow, without a reload.
    expect(page.locator(".endorsement-counts tr[data-country=HT]")).to_be_visible(timeout=LIVE)
    expect(page.locator(".endorsement-total")).to_contain_text("1", timeout=LIVE)
    assert page.evaluate("() => window.stillTheSamePage === true")
    signer.context.close()
