"""The create-poll form's pickers in a real browser, with more delegates than a picker shows (20): the
delegate sorted last is found by a search on the server, ticked, kept through further searches, and the
poll is created with the delegates ticked. With htmx as one types, and without JavaScript through the
Search button (the form comes back with everything typed kept)."""

import pytest
from playwright.sync_api import expect

from convoca.voting.models import Poll
from tests.browser.conftest import open_page
from tests.browser.test_accessibility import assert_accessible, page  # noqa: F401  (the axe-ready page)
from tests.browser.test_issue11_pages import log_in_as_coordinator
from tests.voting.helpers import add_delegate

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def many_delegates(world):
    for i in range(30):
        add_delegate(world, f"d{i}@example.org", f"Delegada Número {i:02d}", world.org_mx, present=False)
    _, last = add_delegate(world, "zoe@example.org", "Zoé Última", world.org_mx, present=False)
    return last


def test_it_finds_a_delegate_beyond_the_first_rows_as_one_types(page, log_in, world):  # noqa: F811
    last = many_delegates(world)
    log_in_as_coordinator(page, log_in, world)
    page.goto("/votes/conferencia/new/")
    page.locator("input[name=electorate][value=chosen]").check()
    picker = page.locator("[data-picker-for=chosen_voters]")
    expect(picker.locator("li[data-picker-item]")).to_have_count(20)
    expect(picker.locator("li[data-picker-item]", has_text="Zoé Última")).to_have_count(0)
    picker.locator("input[type=search]").fill("ULTIMA")
    expect(picker.locator("li[data-picker-item]")).to_have_count(1)
    picker.locator("li[data-picker-item]", has_text="Zoé Última").locator("input").check()
    picker.locator("input[type=search]").fill("numero 07")
    expect(picker.locator("li[data-picker-item]")).to_have_count(2)  # the ticked one stays, first
    picker.locator("li[data-picker-item]", has_text="Delegada Número 07").locator("input").check()
    picker.locator("input[type=search]").fill("zzz")
    expect(picker.locator("[data-picker-none]")).to_be_visible()
    expect(picker.locator("li[data-picker-item] input:checked")).to_have_count(2)
    expect(picker.locator("[role=status]")).to_have_text("Resultados: 0")
    assert_accessible(page)
    page.locator("input[name=title]").fill("Comisión de redacción")
    page.locator("main form button[type=submit]:not([name=picker])").click()
    expect(page.locator("h1")).to_contain_text("Comisión de redacción")
    chosen = Poll.objects.get().chosen_voters.all()
    assert {reg.person.display_name for reg in chosen} == {"Zoé Última", "Delegada Número 07"} and last in chosen


def test_it_finds_and_keeps_without_javascript(browser, live_server, browser_log, log_in, world):
    many_delegates(world)
    page = open_page(browser, live_server, browser_log, java_script_enabled=False)  # noqa: F811
    try:
        log_in_as_coordinator(page, log_in, world)
        page.goto("/votes/conferencia/new/")
        page.locator("input[name=title]").fill("Comisión de redacción")
        page.locator("input[name=electorate][value=chosen]").check()
        picker = page.locator("[data-picker-for=chosen_voters]")
        picker.locator("summary").click()
        picker.locator("input[type=search]").fill("última")
        picker.locator("button[name=picker]").click()
        page.wait_for_load_state()
        picker = page.locator("[data-picker-for=chosen_voters]")
        expect(page.locator("input[name=title]")).to_have_value("Comisión de redacción")
        expect(page.locator("input[name=electorate][value=chosen]")).to_be_checked()
        expect(picker.locator("li[data-picker-item]")).to_have_count(1)
        picker.locator("li[data-picker-item] input").check()
        page.locator("main form button[type=submit]:not([name=picker])").click()
        expect(page.locator("h1")).to_contain_text("Comisión de redacción")
        assert [reg.person.display_name for reg in Poll.objects.get().chosen_voters.all()] == ["Zoé Última"]
    finally:
        page.context.close()
