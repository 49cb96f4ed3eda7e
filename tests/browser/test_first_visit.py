"""A newcomer's first visit, in a real browser."""

import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect

from tests.fixtures import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_it_logs_in_and_switches_to_portuguese(page, log_in, world, browser_log):
    response = page.goto("/")
    assert response.status == 200
    expect(page.locator("html")).to_have_attribute("lang", "es")
    expect(page.locator("h1")).to_have_count(1)
    expect(page.locator("main")).to_contain_text(world.conference.title)

    page.locator("header nav a[href='/accounts/login/']").click()
    expect(page).to_have_url(f"{browser_log.origin}/accounts/login/")
    log_in(page, world.nadia.email, PASSWORD)
    expect(page.locator("header nav a[href='/accounts/me/']")).to_be_visible()

    page.locator("header nav a[href='/gatherings/']").click()
    expect(page).to_have_url(f"{browser_log.origin}/gatherings/")
    page.get_by_role("button", name="Português").click()

    expect(page.locator("html")).to_have_attribute("lang", "pt-br")
    expect(page.get_by_role("button", name="Português")).to_have_attribute("aria-current", "true")
    expect(page.get_by_role("button", name="Español")).not_to_have_attribute("aria-current", "true")
    expect(page).to_have_url(f"{browser_log.origin}/gatherings/")  # the switcher keeps you on the page
    expect(page.locator("header nav a[href='/accounts/me/']")).to_be_visible()  # and logged in
    assert any(url.endswith(".css") for url in browser_log.requests)


def test_it_catches_other_origins_and_csp_violations(page, browser_log):
    """The harness itself: what must fail a browser test is recorded."""
    page.goto("/")
    page.evaluate("() => { const img = new Image(); img.src = 'https://cdn.example.com/x.png'; }")
    with pytest.raises(PlaywrightError):
        page.goto("https://cdn.example.com/")
    assert browser_log.foreign == ["https://cdn.example.com/"]  # blocked before it left the machine
    assert any("Content Security Policy" in text for text in browser_log.console_errors)
    assert len(browser_log.problems()) == 2
    browser_log.foreign.clear()  # expected here: do not fail this test
    browser_log.console_errors.clear()
