"""The registrations list made lighter (a page of 50 under 50 KB): each row's Accredit button belongs to the
page's one shared form. With htmx it still replaces its own row in place, twice in a row (the shared form
survives the first swap); without JavaScript it posts and comes back to the list; axe finds nothing, on a
laptop and on a phone where the rows become cards."""

import pytest
from playwright.sync_api import expect

from convoca.gatherings.models import Registration
from tests.browser.conftest import open_page
from tests.browser.test_accessibility import assert_accessible, page  # noqa: F401  (the axe-ready page)
from tests.browser.test_issue11_pages import log_in_as_coordinator
from tests.gatherings.test_registration_list_weight import full_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
LIST = "/gatherings/conferencia/registrations/"


def ready(world):
    full_page(world, rows=6)  # rows 0, 1, 4, 5: mandate confirmed, waiting to be accredited
    return list(Registration.objects.filter(status="requested", mandate="confirmed", role="delegate").order_by("pk"))


def test_each_accredit_button_replaces_its_own_row_with_htmx(page, log_in, world):  # noqa: F811
    first, second = ready(world)[:2]
    log_in_as_coordinator(page, log_in, world)
    assert_accessible(page, LIST)
    page.set_viewport_size({"width": 1280, "height": 800})
    url = page.url
    for reg in (first, second):
        row = page.locator(f"#registration-{reg.pk}")
        button = row.get_by_role("button", name=f"Acreditar {reg.person.display_name}")
        button.click()
        expect(row.locator(".tag-accredited")).to_be_visible()
        expect(row.locator("[role=status]")).to_be_visible()
        expect(row.get_by_role("button")).to_have_count(0)
    assert page.url == url  # no page load: the rows were swapped
    assert set(Registration.objects.filter(pk__in=[first.pk, second.pk]).values_list("status", flat=True)) == {
        "accredited"}
    expect(page.get_by_role("checkbox", name=f"Seleccionar {first.person.display_name}")).to_be_visible()
    assert_accessible(page)


def test_an_accredit_button_works_without_javascript(browser, live_server, browser_log, log_in, world):
    reg = ready(world)[0]
    page = open_page(browser, live_server, browser_log, java_script_enabled=False)  # noqa: F811
    try:
        log_in_as_coordinator(page, log_in, world)
        page.goto(LIST + "?q=maria")
        page.locator(f"#registration-{reg.pk} button").click()
        page.wait_for_load_state()
        assert page.url.endswith(LIST + "?q=maria")
        expect(page.locator(f"#registration-{reg.pk} .tag-accredited")).to_be_visible()
    finally:
        page.context.close()
    reg.refresh_from_db()
    assert reg.status == "accredited"
