"""The live plenary in a real browser: two participants and a screen of the hall follow, without reloading,
as the chair runs a list of speakers; a point of order jumps the queue; a remote guest appears as a remote
speaker. And on a phone the logged-in header leaves the screen to the page.

Pages follow the gathering's events through the live stream (static/js/live.js, server-sent events): nobody
reloads a page below after opening it, except the chair, whose console works by plain forms."""

import pytest
from playwright.sync_api import expect

from convoca.gatherings.models import Registration
from convoca.network.models import Visibility
from convoca.plenary import services
from tests.accounts.helpers import give_authenticator, totp_code
from tests.browser.conftest import open_page
from tests.fixtures import PASSWORD
from tests.plenary.helpers import add_participant, item

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LIVE = 5_000  # ms: a live part is fetched again when its event arrives (within a second here)


def _public(*people):
    for person in people:
        person.display_name_visibility = Visibility.PUBLIC
        person.save(update_fields=["display_name_visibility"])


def _log_in_chair(page, log_in, user):
    give_authenticator(user)
    log_in(page, user.email, PASSWORD)
    page.locator("input[name=code]").fill(totp_code())
    page.locator("main form button[type=submit]").click()
    expect(page.locator("header nav a[href='/accounts/me/']")).to_be_visible()


def test_participants_and_a_screen_follow_the_chair_live(browser, live_server, browser_log, page, log_in, world):
    w = world
    hall = item(w, current=True, title="Debate de la declaración", speaking_seconds=120)
    dana, dana_reg = add_participant(w, "dana@example.org", "Dana Delegada", organisation=w.org_mx)
    eva, _ = add_participant(w, "eva@example.org", "Eva Delegada")
    gina, gina_reg = add_participant(w, "gina@example.org", "Gina Invitada", role=Registration.Role.GUEST)
    _public(w.bob_person, dana.person, eva.person, gina.person)
    _projector, token = services.create_projector(w.alice, w.conference, "Sala principal")
    live_url = f"/gatherings/{w.conference.slug}/plenary/live/"

    # The screen of the hall and two participants open their pages once.
    screen = open_page(browser, live_server, browser_log)
    screen.goto(f"/gatherings/{w.conference.slug}/plenary/screen/{token}/")
    expect(screen.locator(".screen-item")).to_have_text("Debate de la declaración")
    expect(screen.locator(".screen-speaker")).to_have_text("Nadie tiene la palabra.")
    bob = open_page(browser, live_server, browser_log)
    log_in(bob, w.bob.email, PASSWORD)
    bob.goto(live_url)
    dana_page = open_page(browser, live_server, browser_log)
    log_in(dana_page, dana.email, PASSWORD)
    dana_page.goto(live_url)

    # Bob asks to speak through his page; Dana's page and the screen see him without reloading.
    bob.locator(".ask-to-speak button[type=submit]").click()
    expect(bob.locator(".my-place")).to_contain_text("1")
    expect(dana_page.locator("#now .speakers")).to_contain_text("Bob Delegado", timeout=LIVE)
    expect(screen.locator(".screen-next")).to_contain_text("Bob Delegado", timeout=LIVE)
    dana_page.locator(".ask-to-speak button[type=submit]").click()
    expect(screen.locator(".screen-next li")).to_have_count(2, timeout=LIVE)

    # The chair gives Bob the floor: everyone sees him speak and his clock run.
    chair = page
    _log_in_chair(chair, log_in, w.alice)
    chair.goto(f"/gatherings/{w.conference.slug}/plenary/console/")
    chair.locator("#floor form button[name=action][value=next]").first.click()
    expect(chair.locator(".floor-name")).to_contain_text("Bob Delegado")
    expect(screen.locator(".screen-speaker")).to_contain_text("Bob Delegado", timeout=LIVE)
    expect(dana_page.locator("#now .floor-name")).to_contain_text("Bob Delegado", timeout=LIVE)
    clock = screen.locator(".screen-floor .timer")
    first = clock.inner_text()
    expect(clock).not_to_have_text(first, timeout=5_000)  # the clock counts down on its own
    assert first.startswith(("2:0", "1:5"))

    # A point of order jumps the queue, with its reason, on every page.
    services.ask_to_speak(eva, hall, kind="point_of_order")
    expect(screen.locator(".screen-next li").first).to_contain_text("Eva Delegada", timeout=LIVE)
    expect(screen.locator(".screen-next li").first).to_contain_text("Cuestión de orden")
    expect(dana_page.locator("#now .speakers li").first).to_contain_text("Eva Delegada", timeout=LIVE)
    expect(bob.locator("#now .speakers li").first).to_contain_text("Eva Delegada", timeout=LIVE)
    expect(dana_page.locator(".my-place")).to_contain_text("2", timeout=LIVE)

    # The chair admits a guest by video and puts her on the list: a remote speaker everywhere.
    chair.goto(f"/gatherings/{w.conference.slug}/plenary/console/")
    chair.locator("form[action$='/console/remote/'] select[name=registration]").select_option(str(gina_reg.pk))
    chair.locator("form[action$='/console/remote/'] button[type=submit]").click()
    expect(chair.locator(".messages")).to_contain_text("distancia")
    chair.locator("form[action$='/add/'] select[name=registration]").select_option(str(gina_reg.pk))
    chair.locator("form[action$='/add/'] button[type=submit]").click()
    remote_row = screen.locator(".screen-next li", has_text="Gina Invitada")
    expect(remote_row).to_contain_text("a distancia", timeout=LIVE)
    expect(bob.locator("#now .speakers li", has_text="Gina Invitada")).to_contain_text("a distancia", timeout=LIVE)
    gina_reg.refresh_from_db()
    assert gina_reg.checked_in_at is not None  # counts as present

    # The chair moves on: Eva (point of order) speaks next, and everyone sees it.
    chair.locator("#floor form button[name=action][value=next]").first.click()
    expect(screen.locator(".screen-speaker")).to_contain_text("Eva Delegada", timeout=LIVE)
    expect(bob.locator("#now .floor-name")).to_contain_text("Eva Delegada", timeout=LIVE)

    assert browser_log.foreign == []
    for extra in (screen, bob, dana_page):
        extra.context.close()


def test_the_logged_in_header_leaves_a_phone_screen_to_the_page(browser, live_server, browser_log, log_in, world):
    phone = open_page(browser, live_server, browser_log, viewport={"width": 390, "height": 844},
                      is_mobile=True, has_touch=True)
    log_in(phone, world.bob.email, PASSWORD)
    phone.goto("/")
    header = phone.locator("header.site-header").bounding_box()
    assert header["height"] <= 130, header
    phone.locator(".lang-menu summary").click()
    phone.locator(".lang-menu-choices button[lang=pt-br]").click()
    expect(phone.locator("html")).to_have_attribute("lang", "pt-br")
    expect(phone.locator("header nav a[href='/accounts/me/']")).to_be_attached()
    phone.context.close()
