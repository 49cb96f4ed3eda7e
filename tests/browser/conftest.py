"""Browser tests: Playwright driving Debian's Chromium against pytest-django's
live server. Never a downloaded browser (no `playwright install`).

Fixtures
- ``browser``: one headless Chromium for the whole run.
- ``page``: a fresh context (empty cache, no cookies) and page per test, every
  request recorded in ``browser_log``. The test FAILS if the page asked any
  origin other than the live server (such requests are also aborted, so
  nothing leaves the machine), logged a console error (CSP violations are
  console errors) or threw an uncaught exception. A test that expects a
  console error says so with ``browser_log.allow_console_error("text")``.
- ``log_in``: ``log_in(page, email, password)`` through the real login form.

Each test is marked ``@pytest.mark.browser`` and
``@pytest.mark.django_db(transaction=True)`` (the live server runs in another
thread and must see the test's data; this also works on PostgreSQL). Create
data with the ORM or with ``tests.fixtures`` (``world``, ``make_user``).

Playwright's sync API keeps an asyncio loop running in the main thread from
the first browser test on. Django then refuses ORM calls from the test body
(SynchronousOnlyOperation) unless DJANGO_ALLOW_ASYNC_UNSAFE is set, and
``async_to_sync`` refuses to run at all. So the environment variable is set
while the browser is up, and browser tests are moved to the end of the run
(``pytest_collection_modifyitems``) so that no other test ever sees that loop.
"""

import os
from urllib.parse import urlsplit

import pytest

from .chromium import CHROMIUM, CHROMIUM_ARGS

LOCAL_SCHEMES = {"data", "blob", "about"}
BROWSER_DIR = os.path.dirname(os.path.abspath(__file__))


def _is_browser_test(item):
    return item.get_closest_marker("browser") is not None or str(item.path).startswith(BROWSER_DIR + os.sep)


def pytest_collection_modifyitems(config, items):
    items.sort(key=_is_browser_test)  # stable: browser tests last, otherwise in collection order


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    log = item.funcargs.get("browser_log")
    try:
        result = yield
    except BaseException:
        if log is not None:  # the test failed on its own: report what the page did beside it
            item.add_report_section("call", "browser", "\n".join(log.problems()) or "nothing unusual")
            log.checked = len(log.problems())
        raise
    if log is not None:
        log.check()
    return result


def origin(url):
    parts = urlsplit(url)
    scheme = {"ws": "http", "wss": "https"}.get(parts.scheme, parts.scheme)
    return f"{scheme}://{parts.netloc}"


class BrowserLog:
    """Everything a page did that a test may want to look at or forbid."""

    def __init__(self, server_origin):
        self.origin = server_origin
        self.requests = []  # every URL asked, in order
        self.foreign = []  # URLs on another origin (aborted)
        self.console_errors = []
        self.page_errors = []
        self._allowed = []
        self.checked = 0  # problems already reported by check()

    def allow_console_error(self, text):
        self._allowed.append(text)

    def is_local(self, url):
        return urlsplit(url).scheme in LOCAL_SCHEMES or origin(url) == self.origin

    def on_request(self, request):
        self.requests.append(request.url)

    def on_console(self, message):
        if message.type == "error" and not any(text in message.text for text in self._allowed):
            self.console_errors.append(message.text)

    def on_page_error(self, error):
        self.page_errors.append(str(error))

    def on_websocket(self, ws):
        self.requests.append(ws.url)
        if not self.is_local(ws.url):
            self.foreign.append(ws.url)

    def route(self, route):
        url = route.request.url
        if self.is_local(url):
            route.continue_()
        else:
            self.foreign.append(url)
            route.abort("blockedbyclient")

    def problems(self):
        found = [f"request to another origin: {url}" for url in self.foreign]
        found += [f"console error: {text}" for text in self.console_errors]
        found += [f"uncaught exception: {text}" for text in self.page_errors]
        return found

    def check(self):
        found = self.problems()
        new, self.checked = found[self.checked:], len(found)
        if new:
            pytest.fail("The page misbehaved:\n  " + "\n  ".join(new), pytrace=False)


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(f"{CHROMIUM} is missing: `make browser` installs Debian's chromium", pytrace=False)
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    playwright = sync_playwright().start()
    try:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()
    finally:
        playwright.stop()
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def browser_log(live_server):
    return BrowserLog(origin(live_server.url))


def open_page(browser, live_server, browser_log, **context_options):
    """A first visit: new context, empty cache, Spanish-speaking browser, every
    request, console message and page error recorded in ``browser_log``."""
    context = browser.new_context(base_url=live_server.url, locale="es-ES", service_workers="block", **context_options)
    context.set_default_timeout(10_000)
    context.route("**/*", browser_log.route)
    page = context.new_page()
    page.on("request", browser_log.on_request)
    page.on("console", browser_log.on_console)
    page.on("pageerror", browser_log.on_page_error)
    page.on("websocket", browser_log.on_websocket)
    return page


@pytest.fixture
def page(browser, live_server, browser_log):
    page = open_page(browser, live_server, browser_log)
    yield page
    page.context.close()
    browser_log.check()  # anything that happened after the test body


@pytest.fixture
def log_in():
    def log_in(page, email, password):
        page.goto("/accounts/login/")
        page.locator("input[name=username]").fill(email)
        page.locator("input[name=password]").fill(password)
        page.locator("main form button[type=submit]").click()
        page.wait_for_load_state()
        return page

    return log_in
