"""Check-in at the door: scan or paste a badge token; admitted or refused, clearly."""

import pytest
from django.core import signing

from convoca.core.errors import PermissionDenied, ServiceError
from convoca.gatherings import services
from convoca.gatherings.models import Registration

from .helpers import observer, snapshot

URL = "/gatherings/conferencia/checkin/"


@pytest.fixture
def token(world):
    return services.badge_token(world.bob_reg)


def test_it_admits_a_valid_badge_and_records_the_time(world, token):
    result = services.check_in(world.alice, world.conference, token)
    assert result.admitted and not result.already
    world.bob_reg.refresh_from_db()
    assert world.bob_reg.checked_in_at == result.checked_in_at is not None


def test_it_tolerates_the_newline_a_scanner_adds_and_pasted_spaces(world, token):
    assert services.check_in(world.alice, world.conference, f"  {token}\r\n").admitted


def test_it_says_already_checked_in_on_a_second_scan(as_user, world, token):
    first = services.check_in(world.alice, world.conference, token)
    second = services.check_in(world.alice, world.conference, token)
    assert second.already and second.checked_in_at == first.checked_in_at
    response = as_user(world.alice).post(URL, {"token": token}, HTTP_ACCEPT_LANGUAGE="en")
    html = response.content.decode()
    assert response.status_code == 200 and "Already checked in at" in html and "checkin-refused" not in html


def test_it_shows_a_big_green_admitted_panel(as_user, world, token):
    response = as_user(world.alice).post(URL, {"token": token}, HTTP_ACCEPT_LANGUAGE="en")
    html = response.content.decode()
    assert 'class="checkin-result checkin-admitted" role="status"' in html
    assert "Admitted: Bob Delegado" in html and "Delegate" in html and "Sindicato Andino" in html
    assert token not in html


def test_it_swaps_in_the_result_with_htmx(as_user, world, token):
    response = as_user(world.alice).post(URL, {"token": token}, HTTP_HX_REQUEST="true", HTTP_ACCEPT_LANGUAGE="en")
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="checkin"') and "<html" not in html
    assert "Admitted: Bob Delegado" in html and "autofocus" in html


def test_it_has_an_htmx_form_that_works_without_js(as_user, world):
    html = as_user(world.alice).get(URL).content.decode()
    assert f'method="post" action="{URL}" hx-post="{URL}" hx-target="#checkin"' in html
    assert " style=" not in html and "<script>" not in html


def _refused(as_user, world, token, gathering_url=URL):
    before = snapshot()
    response = as_user(world.alice).post(gathering_url, {"token": token}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'class="checkin-result checkin-refused" role="alert"' in html and "Refused:" in html
    assert "Admitted" not in html
    assert snapshot() == before
    return html


@pytest.mark.parametrize(
    "garbage",
    [
        "hello",
        "eyJyIjoxLCJnIjoxLCJuIjoieCJ9:1tXyZa:forgedsignatureforgedsignatureforgedsig",
        "' OR 1=1 --",
        "x" * 600,
        "🙂:🙂:🙂",
    ],
    ids=["word", "forged_signature", "sql", "overlong", "emoji"],
)
def test_it_refuses_a_forged_or_garbled_token(as_user, world, garbage):
    html = _refused(as_user, world, garbage)
    assert "not a valid badge" in html
    with pytest.raises(ServiceError) as exc:
        services.check_in(world.alice, world.conference, garbage)
    assert exc.value.code == "invalid_token"


def test_it_refuses_a_token_signed_with_our_key_but_another_salt(world):
    token = signing.dumps({"r": world.bob_reg.pk, "g": world.conference.pk, "n": world.bob_reg.badge_nonce})
    with pytest.raises(ServiceError) as exc:
        services.check_in(world.alice, world.conference, token)
    assert exc.value.code == "invalid_token"


def test_it_refuses_a_well_signed_token_of_the_wrong_shape(world):
    token = signing.dumps(["r", 1], salt=services.BADGE_SALT)
    with pytest.raises(ServiceError) as exc:
        services.check_in(world.alice, world.conference, token)
    assert exc.value.code == "invalid_token"


def test_it_refuses_an_empty_token(as_user, world):
    html = _refused(as_user, world, "   ")
    assert "Scan a badge" in html


def test_it_refuses_a_token_for_another_gathering(as_user, world):
    reg = observer(world.prep_co, world.nadia_person, status="accredited")
    token = services.badge_token(reg)
    html = _refused(as_user, world, token)
    assert "Wrong gathering" in html and "Encuentro preparatorio Colombia" in html
    with pytest.raises(ServiceError) as exc:
        services.check_in(world.alice, world.conference, token)
    assert exc.value.code == "other_gathering"


def test_it_refuses_a_revoked_badge(as_user, world, token):
    services.revoke_badge(world.alice, world.bob_reg)
    html = _refused(as_user, world, token)
    assert "revoked" in html


def test_it_refuses_a_refused_registrations_badge(as_user, world, token):
    services.refuse(world.alice, world.bob_reg, "Mandato retirado")
    html = _refused(as_user, world, token)
    assert "not accredited" in html
    world.bob_reg.refresh_from_db()
    assert world.bob_reg.checked_in_at is None


def test_it_refuses_a_badge_whose_registration_was_deleted(world, token):
    Registration.objects.filter(pk=world.bob_reg.pk).delete()
    with pytest.raises(ServiceError) as exc:
        services.check_in(world.alice, world.conference, token)
    assert exc.value.code == "unknown_badge"


def test_it_refuses_an_observer_trying_to_check_people_in(as_user, world, token):
    before = snapshot()
    with pytest.raises(PermissionDenied):
        services.check_in(world.olga, world.conference, token)
    assert as_user(world.olga).post(URL, {"token": token}).status_code == 403
    assert as_user(world.bob).post(URL, {"token": token}).status_code == 403  # the badge holder either
    assert snapshot() == before


def test_it_lets_the_national_committee_check_in_at_its_own_meeting_only(world):
    reg = observer(world.prep_co, world.nadia_person, status="accredited")
    token = services.badge_token(reg)
    with pytest.raises(PermissionDenied):
        services.check_in(world.marco, world.prep_co, token)
    assert services.check_in(world.carla, world.prep_co, token).admitted
    with pytest.raises(PermissionDenied):
        services.check_in(world.carla, world.conference, services.badge_token(world.bob_reg))


def test_it_counts_people_checked_in(as_user, world, token):
    services.check_in(world.alice, world.conference, token)
    html = as_user(world.alice).get(URL, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "1 participant checked in so far." in html


def test_it_keeps_the_first_time_under_concurrent_scans(world, token):
    """The claim is a conditional UPDATE: a second claim on the same row changes nothing."""
    first = services.check_in(world.alice, world.conference, token)
    updated = Registration.objects.filter(pk=world.bob_reg.pk, checked_in_at__isnull=True).update(
        checked_in_at=first.checked_in_at.replace(year=2000)
    )
    assert updated == 0


def test_it_offers_the_camera_only_through_its_static_script(as_user, world):
    """Camera check-in (issue 11): the page names its script and the vendored QR reader (served
    by the app, loaded only when the camera starts); the camera block is hidden until the script
    shows it; this page alone may ask for the camera."""
    response = as_user(world.alice).get(URL, HTTP_ACCEPT_LANGUAGE="fr")
    html = response.content.decode()
    assert '<script src="/static/js/checkin-camera.js" defer></script>' in html
    assert 'data-reader="/static/vendor/jsQR.js"' in html and "<script>" not in html and " style=" not in html
    assert '<div class="checkin-camera" data-checkin-camera hidden' in html
    assert "Scanner avec la caméra" in html and "Ce code QR n’est pas un badge Convoca." in html
    assert response["Permissions-Policy"].startswith("camera=(self)")
    assert as_user(world.alice).get("/gatherings/conferencia/")["Permissions-Policy"].startswith("camera=()")


def test_it_serves_the_vendored_qr_reader_with_its_licence():
    from pathlib import Path

    vendor = Path(__file__).resolve().parents[2] / "convoca" / "static" / "vendor"
    assert "Apache License" in (vendor / "jsQR.LICENSE").read_text()
    assert "jsQR" in (vendor / "jsQR.js").read_text()[:2000]
