"""The foundation's acceptance path, in a real browser: a newcomer logs in,
switches to Portuguese, imports a Windows-1252 spreadsheet, reviews the
preview, confirms, accredits a delegate, opens the badge and checks in with it.
Every request is recorded; any request to another origin fails the test."""

import pytest
from playwright.sync_api import expect

from convoca.accounts.models import User
from convoca.gatherings.models import Registration
from convoca.network.models import Person
from tests.accounts.helpers import give_authenticator, totp_code
from tests.fixtures import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# As Excel on Windows saves it: cp1252, semicolons, Spanish headers, a country
# by its Portuguese name and one by ISO code, and text garbled by an earlier
# copy from a web page ("MartÃnez": a byte lost on the way).
SPREADSHEET = (
    "Nombre;Correo electrónico;País;Organización;Rol\r\n"
    "María MartÃnez;maria.martinez@example.org;Colômbia;Sindicato Andino;delegada\r\n"
    "João Pereira;joao.pereira@example.org;CO;;observador\r\n"
).encode("cp1252")


def test_it_takes_a_newcomer_from_spreadsheet_to_check_in(page, log_in, world, browser_log, tmp_path):
    newcomer = User.objects.create_user("renata@example.org", PASSWORD, is_coordinator=True)
    Person.objects.create(display_name="Renata Nova", email=newcomer.email, user=newcomer)
    csv_path = tmp_path / "inscricoes.csv"
    csv_path.write_bytes(SPREADSHEET)

    give_authenticator(newcomer)  # a coordinator logs in with two-step login
    log_in(page, newcomer.email, PASSWORD)
    page.locator("input[name=code]").fill(totp_code())
    page.locator("main form button[type=submit]").click()
    expect(page.locator("header nav a[href='/accounts/me/']")).to_be_visible()

    page.get_by_role("button", name="Português").click()
    expect(page.locator("html")).to_have_attribute("lang", "pt-br")

    # Import: upload, preview (nothing written yet), confirm.
    page.locator("header nav a[href='/imports/']").click()
    page.locator("input[name=kind][value=registrations]").check()
    page.locator("select[name=gathering]").select_option(world.prep_co.slug)
    page.locator("input[name=file]").set_input_files(str(csv_path))
    page.locator("main form[enctype] button[type=submit]").click()
    expect(page.locator("main")).to_contain_text("María Martínez")  # repaired before anything is saved
    assert not Person.objects.filter(email="maria.martinez@example.org").exists()
    page.locator("main form[action$='/confirm/'] button[type=submit]").click()
    page.wait_for_load_state()
    maria = Person.objects.get(email="maria.martinez@example.org")
    assert maria.display_name == "María Martínez"
    registration = Registration.objects.get(gathering=world.prep_co, person=maria)
    assert registration.status == Registration.Status.REQUESTED
    assert Registration.objects.filter(gathering=world.prep_co).count() == 2

    # Accredit the delegate: confirm the mandate, then accredit.
    page.goto(f"/gatherings/{world.prep_co.slug}/registrations/")
    page.locator(f"a[href='/gatherings/{world.prep_co.slug}/registrations/{registration.pk}/']").first.click()
    expect(page.locator("h1")).to_have_text("María Martínez")
    page.locator("form[action$='/mandate/'] input[value=confirm] + button").click()
    page.locator("form[action$='/accredit/'] button").click()
    expect(page.locator(".tag-accredited").first).to_be_visible()
    registration.refresh_from_db()
    assert registration.status == Registration.Status.ACCREDITED

    # The badge: a QR code and the same token as text.
    page.locator(f"a[href$='/registrations/{registration.pk}/badge/']").click()
    expect(page.locator(".badge svg")).to_be_visible()
    token = page.locator("#badge-token").inner_text().strip()
    assert len(token) > 20

    # Check in at the door: a forged token is refused, the real one admitted.
    page.goto(f"/gatherings/{world.prep_co.slug}/checkin/")
    page.locator("input[name=token]").fill(token[:-3] + "xyz")
    page.locator(".checkin-form button[type=submit]").click()
    expect(page.locator(".checkin-refused")).to_be_visible()
    page.locator("input[name=token]").fill(token)
    page.locator(".checkin-form button[type=submit]").click()
    expect(page.locator(".checkin-admitted")).to_contain_text("María Martínez")
    registration.refresh_from_db()
    assert registration.checked_in_at is not None

    # Everything came from the server itself.
    assert browser_log.foreign == []
    assert all(browser_log.is_local(url) for url in browser_log.requests)
