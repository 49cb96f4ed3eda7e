"""Issue 12's acceptance path for endorsements and the follow-up, each person in their own browser (Spanish):
an organisation endorses the published declaration through the public form, is not shown until it opens the
link of its email, then appears in the list by country; a working group's coordinator posts progress on a
resolution, which an anonymous visitor then reads on the public accountability page. axe finds nothing on the
pages they use."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from tests.browser.conftest import open_page
from tests.browser.test_accessibility import assert_accessible
from tests.endorsements.helpers import declaration
from tests.fixtures import PASSWORD
from tests.followup.helpers import resolution

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_organisation_endorses_and_a_group_reports_progress(browser, live_server, browser_log, page, log_in,
                                                                world):
    declaration(world)
    item = resolution(world, title="Jornada continental por el derecho a migrar")

    # An organisation from Haiti signs on, without an account.
    page.goto("/gatherings/conferencia/endorsements/sign/")
    page.locator("input[name=organisation]").fill("Plateforme des Organisations Haïtiennes")
    page.locator("select[name=country]").select_option("HT")
    page.locator("select[name=sector]").select_option("social_movement")
    page.locator("input[name=signatory]").fill("Marie Joseph")
    page.locator("input[name=role]").fill("Coordinatrice")
    page.locator("input[name=email]").fill("marie@pohdh.example")
    page.locator("main form button[type=submit]").click()
    expect(page.locator("main")).to_contain_text("Le enviamos un enlace")
    page.goto("/gatherings/conferencia/endorsements/")
    expect(page.locator(".endorsement-list")).not_to_contain_text("Plateforme")

    # The link of the email: a button confirms, and the organisation is listed under its country.
    [link] = re.findall(r"http\S+/verify/\S+/", mail.outbox[-1].body)
    page.goto(link[link.index("/gatherings/"):])
    page.locator("main form button[type=submit]").click()
    expect(page.locator(".endorsement-list")).to_contain_text("Plateforme des Organisations Haïtiennes")
    expect(page.locator(".endorsement-counts")).to_contain_text("Haití")
    expect(page.locator("main")).not_to_contain_text("Marie Joseph")  # she did not choose to be shown

    # Bob coordinates the working group responsible for the resolution: he posts progress.
    bob = open_page(browser, live_server, browser_log)
    log_in(bob, world.bob.email, PASSWORD)
    bob.goto(f"/gatherings/conferencia/followup/resolutions/{item.pk}/")
    bob.locator("select[name=status]").select_option("in_progress")
    bob.locator("textarea[name=text]").fill("Marchas convocadas en doce ciudades del continente.")
    bob.locator("main form button[type=submit]").last.click()
    expect(bob.locator(".progress-updates")).to_contain_text("Marchas convocadas en doce ciudades")

    # Anyone reads it on the accountability page.
    visitor = open_page(browser, live_server, browser_log)
    visitor.goto("/gatherings/conferencia/followup/")
    rows = visitor.locator(".accountability-items")
    expect(rows).to_contain_text("Jornada continental por el derecho a migrar")
    expect(rows).to_contain_text("En curso")
    expect(rows).to_contain_text("Marchas convocadas en doce ciudades")
    expect(visitor.locator("main")).to_contain_text("Colombia")  # the group's country: progress by country
    for context in (bob.context, visitor.context):
        context.close()


@pytest.fixture
def axe_page(browser, live_server, browser_log):
    page = open_page(browser, live_server, browser_log, bypass_csp=True)
    yield page
    page.context.close()
    browser_log.check()


def test_axe_finds_nothing_on_the_endorsement_and_accountability_pages(axe_page, log_in, world):
    declaration(world)
    item = resolution(world)
    for path in ("/gatherings/conferencia/endorsements/sign/", "/gatherings/conferencia/endorsements/",
                 "/gatherings/conferencia/followup/", f"/gatherings/conferencia/followup/resolutions/{item.pk}/"):
        assert_accessible(axe_page, path)
    log_in(axe_page, world.bob.email, PASSWORD)
    assert_accessible(axe_page, f"/gatherings/conferencia/followup/resolutions/{item.pk}/")
    assert_accessible(axe_page, f"/gatherings/conferencia/followup/groups/{item.group_id}/")
