"""Badges: a signed token over (registration, gathering, nonce), a QR code as
inline SVG, revocation by rotating the nonce."""

import re

import pytest
from django.core import signing

from convoca.core.errors import PermissionDenied, ServiceError
from convoca.gatherings import services
from convoca.gatherings.models import Registration


def test_it_shows_the_badge_with_an_inline_svg_qr_and_the_token(as_user, world):
    response = as_user(world.bob).get(f"/gatherings/conferencia/registrations/{world.bob_reg.pk}/badge/")
    assert response.status_code == 200
    html = response.content.decode()
    # The token carries the second it was signed: read the page's own and check what it says.
    token = re.search(r'<code class="token" id="badge-token">([^<]+)</code>', html).group(1)
    assert signing.loads(token, salt=services.BADGE_SALT) == {
        "r": world.bob_reg.pk, "g": world.conference.pk, "n": world.bob_reg.badge_nonce}
    svg = re.search(r"<svg.*?</svg>", html, re.S).group(0)
    assert 'class="qr"' in svg and "<path" in svg and "<title>" in svg
    assert "style=" not in html and "<style" not in html and "<script>" not in html
    assert "Bob Delegado" in html and "Sindicato Andino" in html
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]


def test_it_signs_registration_gathering_and_nonce(world):
    token = services.badge_token(world.bob_reg)
    payload = signing.loads(token, salt=services.BADGE_SALT)
    assert payload == {"r": world.bob_reg.pk, "g": world.conference.pk, "n": world.bob_reg.badge_nonce}
    with pytest.raises(signing.BadSignature):
        signing.loads(token, salt="another.salt")  # a dedicated salt: no other signed value is a badge


def test_it_gives_every_registration_a_different_random_nonce(world):
    nonces = set(Registration.objects.values_list("badge_nonce", flat=True))
    assert len(nonces) == Registration.objects.count() and all(len(n) >= 20 for n in nonces)


def test_it_shows_no_badge_for_a_requested_registration(as_user, world):
    response = as_user(world.olga).get(f"/gatherings/conferencia/registrations/{world.olga_reg.pk}/badge/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<svg" not in html and 'class="token"' not in html
    with pytest.raises(ServiceError):
        services.badge_token(world.olga_reg)


def test_it_shows_no_badge_for_a_refused_registration(as_user, world):
    services.refuse(world.alice, world.bob_reg, "Mandato retirado")
    html = as_user(world.bob).get(f"/gatherings/conferencia/registrations/{world.bob_reg.pk}/badge/").content.decode()
    assert "<svg" not in html and 'class="token"' not in html


def test_it_lets_managers_see_a_badge_but_not_other_participants(as_user, world):
    url = f"/gatherings/conferencia/registrations/{world.bob_reg.pk}/badge/"
    assert b"<svg" in as_user(world.alice).get(url).content
    assert as_user(world.olga).get(url).status_code == 404  # another participant's registration: as missing
    assert as_user(world.carla).get(url).status_code == 403  # decides bob's mandate, but the conference is not hers


def test_it_revokes_a_badge_by_rotating_the_nonce(world):
    old_nonce, old_token = world.bob_reg.badge_nonce, services.badge_token(world.bob_reg)
    services.revoke_badge(world.alice, world.bob_reg)
    world.bob_reg.refresh_from_db()
    assert world.bob_reg.badge_revoked_at is not None and world.bob_reg.badge_nonce != old_nonce
    with pytest.raises(ServiceError):
        services.badge_token(world.bob_reg)
    with pytest.raises(ServiceError) as exc:
        services.check_in(world.alice, world.conference, old_token)
    assert exc.value.code == "revoked_badge"


def test_it_reissues_a_badge_and_the_old_token_stays_dead(world):
    old_token = services.badge_token(world.bob_reg)
    services.revoke_badge(world.alice, world.bob_reg)
    services.reissue_badge(world.alice, world.bob_reg)
    world.bob_reg.refresh_from_db()
    assert world.bob_reg.badge_revoked_at is None
    new_token = services.badge_token(world.bob_reg)
    assert new_token != old_token
    with pytest.raises(ServiceError):
        services.check_in(world.alice, world.conference, old_token)
    assert services.check_in(world.alice, world.conference, new_token).admitted


def test_it_refuses_to_reissue_for_a_registration_not_accredited(world):
    nonce = world.olga_reg.badge_nonce
    with pytest.raises(ServiceError):
        services.reissue_badge(world.alice, world.olga_reg)
    world.olga_reg.refresh_from_db()
    assert world.olga_reg.badge_nonce == nonce


def test_it_refuses_revocation_by_the_holder_or_an_outsider(world):
    nonce = world.bob_reg.badge_nonce
    for user in (world.bob, world.carla, world.marco, world.olga):
        with pytest.raises(PermissionDenied):
            services.revoke_badge(user, world.bob_reg)
    world.bob_reg.refresh_from_db()
    assert world.bob_reg.badge_nonce == nonce and world.bob_reg.badge_revoked_at is None


def test_it_revokes_and_reissues_through_the_web(as_user, world):
    alice = as_user(world.alice)
    base = f"/gatherings/conferencia/registrations/{world.bob_reg.pk}"
    assert alice.post(f"{base}/badge/revoke/").status_code == 302
    html = as_user(world.bob).get(f"{base}/badge/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "revoked" in html and "<svg" not in html
    assert alice.post(f"{base}/badge/reissue/").status_code == 302
    assert b"<svg" in as_user(world.bob).get(f"{base}/badge/").content
    assert alice.get(f"{base}/badge/revoke/").status_code == 405  # never by GET


def test_it_revokes_idempotently(world):
    services.revoke_badge(world.alice, world.bob_reg)
    world.bob_reg.refresh_from_db()
    first = (world.bob_reg.badge_nonce, world.bob_reg.badge_revoked_at)
    services.revoke_badge(world.alice, Registration.objects.get(pk=world.bob_reg.pk))
    world.bob_reg.refresh_from_db()
    assert (world.bob_reg.badge_nonce, world.bob_reg.badge_revoked_at) == first


def test_it_links_the_participant_to_the_badge_from_the_gathering_page(as_user, world):
    html = as_user(world.bob).get("/gatherings/conferencia/").content.decode()
    assert f"/gatherings/conferencia/registrations/{world.bob_reg.pk}/badge/" in html
    html = as_user(world.olga).get("/gatherings/conferencia/").content.decode()
    assert "/badge/" not in html
