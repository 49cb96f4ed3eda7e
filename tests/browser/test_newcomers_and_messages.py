"""Issue 11, items 4, 5 and the address form, in a real browser (Spanish-speaking), axe on every page:
a member who belongs to no organisation reads on the registration form what is missing and where to go,
proposes her collective and asks to join an organisation (a bad proposal first); Colombia's committee
accepts her request and she is told by email; a coordinator writes to the conference's observers; the
observer follows her unsubscribe link (asked, then done; the same link again says it was used); a
delegate who chose the feminine form sees "Delegada" on her badge."""

import re

import pytest
from playwright.sync_api import expect

from convoca.network.models import JoinRequest
from tests.accounts.helpers import give_authenticator, totp_code
from tests.browser.test_accessibility import assert_accessible, page  # noqa: F401  (the axe-ready page)
from tests.fixtures import PASSWORD, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _log_in_with_code(page, log_in, user):  # noqa: F811
    give_authenticator(user)
    log_in(page, user.email, PASSWORD)
    page.locator("input[name=code]").fill(totp_code())
    page.locator("main form button[type=submit]").click()
    expect(page.locator("header nav a[href='/accounts/me/']")).to_be_visible()


def _log_out(page):  # noqa: F811
    page.context.clear_cookies()


def test_a_newcomer_joins_and_is_told(page, log_in, world, mailoutbox):  # noqa: F811
    newcomer, _person = make_user("renata@example.org", "Renata Nueva")
    log_in(page, newcomer.email, PASSWORD)
    assert_accessible(page, "/gatherings/conferencia/register/")
    hint = page.locator("#id_organisation_helptext")
    expect(hint).to_contain_text("Aún no perteneces a ninguna organización")
    expect(page.locator("main")).not_to_contain_text("(opcional)")
    hint.locator("a").click()
    expect(page).to_have_url(re.compile("/organisations/join/$"))
    assert_accessible(page)
    # A proposal without a name or a country: the summary says so, nothing is written.
    page.locator("#id_new-sector").select_option("social_movement")
    page.get_by_role("button", name="Proponerla").click()
    expect(page.locator(".error-summary")).to_be_visible()
    assert_accessible(page)
    assert not JoinRequest.objects.exists()
    page.locator("#id_new-name").fill("Colectiva de Recicladoras")
    page.locator("#id_new-country").select_option("CO")
    page.get_by_role("button", name="Proponerla").click()
    expect(page.locator("main")).to_contain_text("Colectiva de Recicladoras")
    page.locator("#id_organisation").select_option(label="Sindicato Andino")
    page.get_by_role("button", name="Enviar la solicitud").click()
    expect(page.locator("main")).to_contain_text("Sindicato Andino")
    assert JoinRequest.objects.filter(person__user=newcomer, status="pending").count() == 2
    told = [m for m in mailoutbox if m.to == ["carla@example.org"]]  # who decides is told of each (issue 11)
    assert len(told) == 2 and all("/organisations/join/requests/" in m.body for m in told)
    mailoutbox.clear()

    _log_out(page)
    _log_in_with_code(page, log_in, world.carla)  # Colombia's committee (and Sindicato Andino's contact)
    assert_accessible(page, "/organisations/join/requests/")
    rows = page.locator("main tbody tr")
    expect(rows).to_have_count(2)
    rows.filter(has_text="Sindicato Andino").get_by_role("button", name=re.compile("^Aceptar")).click()
    expect(page.locator("main tbody tr")).to_have_count(1)
    [message] = mailoutbox
    assert message.to == ["renata@example.org"]
    assert "Sindicato Andino" in message.subject


def test_a_coordinator_writes_and_the_observer_unsubscribes(page, log_in, world, mailoutbox, browser_log):  # noqa: F811
    _log_in_with_code(page, log_in, world.alice)
    page.goto("/gatherings/conferencia/")
    page.get_by_role("link", name="Escribir a participantes").click()
    assert_accessible(page)
    page.get_by_role("button", name="Enviar").click()  # empty: the form says what is missing
    expect(page.locator(".error-summary")).to_be_visible()
    assert_accessible(page)
    page.locator("input[name=roles][value=observer]").check()
    page.locator("#id_subject").fill("Transporte")
    page.locator("#id_body").fill("El bus sale a las 8.")
    page.get_by_role("button", name="Enviar").click()
    expect(page.locator("main")).to_contain_text("1 persona")
    [message] = mailoutbox
    assert message.to == ["olga@example.org"]
    link = re.search(r"https?://\S+/unsubscribe/\S+/", message.body).group(0)
    path = link[link.index("/unsubscribe/"):]

    _log_out(page)
    assert_accessible(page, path)
    page.get_by_role("button", name="Dejar de recibirlos").click()
    expect(page.locator("main")).to_contain_text("Listo")
    assert_accessible(page)
    page.goto(path)
    browser_log.allow_console_error("status of 400")  # a used link is refused with a 400, and says why
    page.get_by_role("button", name="Dejar de recibirlos").click()
    expect(page.locator("main")).to_contain_text("Este enlace ya se usó")


def test_her_badge_says_delegada(page, log_in, world):  # noqa: F811
    world.bob_person.address_form = "feminine"
    world.bob_person.save(update_fields=["address_form"])
    log_in(page, world.bob.email, PASSWORD)
    assert_accessible(page, f"/gatherings/conferencia/registrations/{world.bob_reg.pk}/badge/")
    expect(page.locator(".badge-role")).to_have_text("Delegada")
