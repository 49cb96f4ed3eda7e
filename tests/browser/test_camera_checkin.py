"""Camera check-in (issue 11): a volunteer at the door checks a badge in with
the phone camera. Chromium's fake camera plays a Y4M video of a badge's QR
code (made here with segno, the same library that draws badges); the QR
reader is vendored jsQR served by the app; nothing leaves the machine.
Without a camera the page says so and the scanner/paste form still works."""

import pytest
import segno
from django.test import Client
from playwright.sync_api import expect

from convoca.gatherings import services
from convoca.gatherings.models import Registration
from tests.accounts.helpers import give_authenticator, totp_code
from tests.fixtures import PASSWORD

from .chromium import CHROMIUM, CHROMIUM_ARGS
from .conftest import open_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

URL = "/gatherings/conferencia/checkin/"


def write_y4m(path, text, width=640, height=480, frames=10, scale=8):
    """A short grey-scale YUV4MPEG2 video (Chromium's fake camera loops it)
    whose every frame shows the QR code of ``text`` in the middle, on white."""
    matrix = [list(row) for row in segno.make(text, error="m").matrix_iter(scale=scale, border=4)]
    size = len(matrix)
    assert size <= min(width, height), "QR code larger than the frame"
    top, left = (height - size) // 2, (width - size) // 2
    luma = bytearray(b"\xeb" * (width * height))  # 235: white in video range
    for y, row in enumerate(matrix):
        start = (top + y) * width + left
        luma[start:start + size] = bytes(16 if dark else 235 for dark in row)
    chroma = b"\x80" * ((width // 2) * (height // 2) * 2)  # no colour
    with open(path, "wb") as video:
        video.write(f"YUV4MPEG2 W{width} H{height} F10:1 Ip A1:1 C420jpeg\n".encode())
        for _ in range(frames):
            video.write(b"FRAME\n" + bytes(luma) + chroma)
    return path


@pytest.fixture
def camera_page(browser, live_server, browser_log, tmp_path):
    """A page in a Chromium whose camera films ``camera_page.show(text)``'s QR code."""
    launched = []
    Client().get("/accounts/login/")  # warm the process (URLs, templates) before the page's 10 s timeout runs

    def show(text):
        video = write_y4m(tmp_path / "badge.y4m", text)
        chromium = browser.browser_type.launch(
            executable_path=CHROMIUM, headless=True,
            args=CHROMIUM_ARGS + [
                "--use-fake-ui-for-media-stream",
                "--use-fake-device-for-media-stream",
                f"--use-file-for-fake-video-capture={video}",
            ],
        )
        launched.append(chromium)
        return open_page(chromium, live_server, browser_log, permissions=["camera"])

    yield show
    for chromium in launched:
        chromium.close()
    browser_log.check()


def log_in_as_coordinator(page, log_in, world):
    give_authenticator(world.alice)
    log_in(page, world.alice.email, PASSWORD)
    page.locator("input[name=code]").fill(totp_code())
    page.locator("main form button[type=submit]").click()
    expect(page.locator("header nav a[href='/accounts/me/']")).to_be_visible()


def test_it_checks_a_badge_in_with_the_camera(camera_page, log_in, world, browser_log):
    page = camera_page(services.badge_token(world.bob_reg))
    log_in_as_coordinator(page, log_in, world)
    page.goto(URL)
    assert not any("jsQR" in url for url in browser_log.requests)  # loaded only when the camera starts
    page.locator("[data-camera-start]").click()
    expect(page.locator(".checkin-admitted")).to_contain_text("Bob Delegado", timeout=15_000)
    expect(page.locator(".checkin-admitted")).to_contain_text("Acceso permitido")
    assert Registration.objects.get(pk=world.bob_reg.pk).checked_in_at is not None
    assert any(url.endswith("/static/vendor/jsQR.js") for url in browser_log.requests)
    # The camera keeps reading: the same badge again says "already" only after the pause, never twice at once.
    expect(page.locator("[data-camera-stop]")).to_be_visible()
    page.locator("[data-camera-stop]").click()
    expect(page.locator("video.checkin-video")).to_be_hidden()
    expect(page.locator("[data-camera-start]")).to_be_visible()


def test_it_says_when_a_scanned_qr_code_is_not_a_badge(camera_page, log_in, world, browser_log):
    page = camera_page("https://example.org/not-a-badge")
    log_in_as_coordinator(page, log_in, world)
    page.goto(URL)
    page.locator("[data-camera-start]").click()
    expect(page.locator("[data-camera-status]")).to_contain_text("no es una credencial de Convoca", timeout=15_000)
    expect(page.locator(".checkin-result")).to_have_count(0)  # nothing was sent
    assert Registration.objects.filter(checked_in_at__isnull=False).count() == 0
    assert not any("example.org" in url for url in browser_log.requests)


def test_it_falls_back_to_the_form_without_a_camera(page, log_in, world):
    log_in_as_coordinator(page, log_in, world)
    page.goto(URL)
    page.locator("[data-camera-start]").click()  # headless Chromium without a fake device: no camera
    expect(page.locator("[data-camera-status]")).to_contain_text("La cámara no está disponible")
    expect(page.locator("video.checkin-video")).to_be_hidden()
    page.locator("input[name=token]").fill(services.badge_token(world.bob_reg))
    page.locator(".checkin-form button[type=submit]").click()
    expect(page.locator(".checkin-admitted")).to_contain_text("Bob Delegado")


def test_it_offers_no_camera_button_without_javascript(browser, live_server, browser_log, log_in, world):
    page = open_page(browser, live_server, browser_log, java_script_enabled=False)
    try:
        log_in_as_coordinator(page, log_in, world)
        page.goto(URL)
        expect(page.locator("[data-checkin-camera]")).to_be_hidden()
        page.locator("input[name=token]").fill(services.badge_token(world.bob_reg))
        page.locator(".checkin-form button[type=submit]").click()
        expect(page.locator(".checkin-admitted")).to_contain_text("Bob Delegado")
    finally:
        page.context.close()
