"""axe-core on the key pages, in a real browser: no WCAG 2 A/AA violation and
no violation of axe's best practices (landmarks, one h1, heading order).

axe-core comes inside the ``axe-playwright-python`` package (no download at
run time). Our Content-Security-Policy forbids injected scripts, so these
tests, and only these, use a browser context that bypasses CSP; everything
else about the page (foreign requests blocked and failing the test, console
errors, uncaught exceptions) is checked as in the rest of the harness.
"""

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.browser.conftest import open_page
from tests.fixtures import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

RULES = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]
AXE = Axe()


@pytest.fixture
def page(browser, live_server, browser_log):
    """The harness' ``page`` (tests/browser/conftest.py), in a context that lets axe in."""
    page = open_page(browser, live_server, browser_log, bypass_csp=True)
    yield page
    page.context.close()
    browser_log.check()


def _report(violations):
    lines = []
    for violation in violations:
        lines.append(f"[{violation['impact']}] {violation['id']}: {violation['help']} ({violation['helpUrl']})")
        for node in violation["nodes"]:
            lines.append(f"    at {' '.join(node['target'])}: {node['html'][:200]}")
            for line in (node.get("failureSummary") or "").splitlines():
                lines.append(f"        {line.strip()}")
    return "\n".join(lines)


def assert_accessible(page, path=None):
    """axe finds nothing on a laptop screen nor on a phone, and at 320 CSS pixels wide
    (400 % zoom of a 1280 px screen) nothing needs scrolling sideways (WCAG 1.4.10)."""
    if path is not None:
        response = page.goto(path)
        assert response.status == 200, f"{path} answered {response.status}"
    page.wait_for_load_state("load")
    problems = []
    for width, height in [(1280, 800), (360, 740)]:
        page.set_viewport_size({"width": width, "height": height})
        results = AXE.run(page, options={"runOnly": {"type": "tag", "values": RULES}, "resultTypes": ["violations"]})
        violations = results.response["violations"]
        if violations:
            problems.append(f"axe at {width} px wide found {len(violations)} problem(s):\n{_report(violations)}")
    page.set_viewport_size({"width": 320, "height": 640})
    overflow = page.evaluate("() => document.documentElement.scrollWidth - document.documentElement.clientWidth")
    if overflow > 0:
        problems.append(f"at 320 px wide the page scrolls sideways by {overflow} px")
    assert not problems, f"{page.url}:\n" + "\n".join(problems)


@pytest.mark.parametrize(
    "path",
    ["/", "/gatherings/", "/gatherings/conferencia/", "/organisations/", "/accounts/login/"],
)
def test_it_finds_nothing_on_public_pages(page, world, path):
    assert_accessible(page, path)


@pytest.mark.parametrize("path", ["/people/", "/accounts/me/"])
def test_it_finds_nothing_on_member_pages(page, log_in, world, path):
    log_in(page, world.nadia.email, PASSWORD)
    assert_accessible(page, path)


def test_it_finds_nothing_on_the_login_form_with_an_error(page, world):
    page.goto("/accounts/login/")
    page.locator("input[name=username]").fill(world.nadia.email)
    page.locator("input[name=password]").fill("not the password")
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator(".error-summary").is_visible()  # the error is shown: that is the page under test
    assert_accessible(page)
