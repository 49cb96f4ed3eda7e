"""axe on the pages issue 11 changed for people: the API's documentation (our
own page, no longer Swagger UI), the create-poll form (its pickers unfolded,
filtered and with an error) on a laptop and a phone, and the check-in page
with its camera control. And on a phone, the create-poll form's legends stand
right above their choices."""

import pytest
from playwright.sync_api import expect

from tests.accounts.helpers import give_authenticator, totp_code
from tests.browser.test_accessibility import assert_accessible, page  # noqa: F401  (the axe-ready page)
from tests.fixtures import PASSWORD
from tests.voting.helpers import add_delegate

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in_as_coordinator(page, log_in, world):  # noqa: F811
    give_authenticator(world.alice)
    log_in(page, world.alice.email, PASSWORD)
    page.locator("input[name=code]").fill(totp_code())
    page.locator("main form button[type=submit]").click()
    expect(page.locator("header nav a[href='/accounts/me/']")).to_be_visible()


def test_it_finds_nothing_on_the_api_documentation(page, world):  # noqa: F811
    from convoca.api.urls import api

    api.docs.digest_for(api)  # the schema takes seconds to build, once per process: not under the page's timeout
    assert_accessible(page, "/api/v1/docs")
    expect(page.locator("h1")).to_have_text("Documentación de la API")
    expect(page.locator("a[href='/api/v1/openapi.json']")).to_be_visible()


def test_it_finds_nothing_on_the_poll_form_and_its_pickers(page, log_in, world):  # noqa: F811
    add_delegate(world, "dora@example.org", "Dora Migrante", world.org_mx, present=False)
    add_delegate(world, "ines@example.org", "Inés Díaz", world.org_co, present=False)
    log_in_as_coordinator(page, log_in, world)
    page.goto("/votes/conferencia/new/")
    page.wait_for_load_state()
    assert_accessible(page)
    # Unfold the delegates, filter them (accents ignored), pick one.
    page.locator("input[name=electorate][value=chosen]").check()
    picker = page.locator("[data-picker-for=chosen_voters]")
    expect(picker).to_have_attribute("open", "")
    picker.locator("input[type=search]").fill("diaz")
    expect(picker.locator("li[data-picker-item]:visible")).to_have_count(1)
    expect(picker.locator("li[data-picker-item]:visible")).to_contain_text("Inés Díaz")
    picker.locator("li[data-picker-item]:visible input").check()
    picker.locator("input[type=search]").fill("zzz")
    expect(picker.locator("[data-picker-none]")).to_be_visible()
    expect(picker.locator("li[data-picker-item]:visible")).to_have_count(1)  # a ticked box stays in sight
    assert_accessible(page)
    # A weight that is not a number: the summary names the field and links to it.
    weights = page.locator("[data-picker-for=custom_weights]")
    weights.locator("summary").click()
    weights.locator(f"#id_custom_weights_org_{world.org_co.pk}").fill("tres")
    page.locator("main form button[type=submit]:not([name=picker])").click()  # not a picker's Search
    page.wait_for_load_state()
    link = page.locator(".error-summary a[href='#id_custom_weights']")
    expect(link).to_contain_text("Pesos por bloque: Peso de Sindicato Andino")
    assert_accessible(page)


def test_it_keeps_each_legend_above_its_choices_on_a_phone(page, log_in, world):  # noqa: F811
    log_in_as_coordinator(page, log_in, world)
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto("/votes/conferencia/new/")
    for name in ("kind", "secrecy", "electorate", "weighting"):
        group = page.locator(f"fieldset#id_{name}")
        legend = group.locator("legend").bounding_box()
        first = group.locator("input").first.bounding_box()
        assert 0 <= first["y"] - legend["y"] < 120, name


def test_it_finds_nothing_on_the_check_in_page(page, log_in, world):  # noqa: F811
    log_in_as_coordinator(page, log_in, world)
    page.goto("/gatherings/conferencia/checkin/")
    expect(page.locator("[data-camera-start]")).to_be_visible()
    assert_accessible(page)
