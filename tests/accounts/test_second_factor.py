"""Two-step login: enrolment, the code after the password, recovery codes,
coordinators and committee members sent to enrolment first, sensitive actions
asking again after OTP_REAUTH_SECONDS. Bad input: a replayed code, a spent or
replaced recovery code, wrong codes in a row, a forged set-up page."""

import base64
import datetime as dt
import re
import time

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from convoca.accounts import second_factor, services
from convoca.accounts.second_factor import VERIFIED_AT, SecondFactorRequired, require_recent_second_factor
from convoca.core.errors import ServiceError
from tests.fixtures import PASSWORD

from .helpers import TEST_TOTP_KEY, give_authenticator, prove_second_factor, totp_code

LOGIN = reverse("accounts:login")
CODE = reverse("accounts:login_code")
SETUP = reverse("accounts:two_factor")


def _password(client, email):
    return client.post(LOGIN, {"username": email, "password": PASSWORD})


def _logged_in(client):
    return "_auth_user_id" in client.session


def _setup_page(client, url=SETUP):
    """The set-up page, with its signed key and the key as text."""
    response = client.get(url)
    html = response.content.decode()
    token = re.search(r'name="setup" value="([^"]+)"', html).group(1)
    secret = re.search(r'<code class="otp-secret">([A-Z2-7 ]+)</code>', html).group(1).replace(" ", "")
    return response, token, secret


def _key_hex(secret):
    return base64.b32decode(secret + "=" * (-len(secret) % 8)).hex()


def _later(user):
    """As if a minute had passed since the last wrong code (django-otp waits 1, 2, 4... seconds per device)."""
    earlier = timezone.now() - dt.timedelta(minutes=1)
    for model in (TOTPDevice, StaticDevice):
        model.objects.filter(user=user, throttling_failure_timestamp__isnull=False).update(
            throttling_failure_timestamp=earlier
        )


def _codes_from(response):
    return re.findall(r"<li><code>([a-z2-9-]+)</code></li>", response.content.decode())


# --- login with a second factor ------------------------------------------------------------


def test_it_asks_for_the_code_after_the_password_when_the_account_has_an_app(client, world):
    give_authenticator(world.nadia)
    response = _password(client, "nadia@example.org")
    assert response.status_code == 302 and response.url == CODE
    assert not _logged_in(client)  # the password alone logs no one in
    assert client.get(reverse("accounts:me")).status_code == 302
    page = client.get(CODE)
    assert page.status_code == 200 and b'autocomplete="one-time-code"' in page.content
    response = client.post(CODE, {"code": totp_code()})
    assert response.status_code == 302 and response.url == reverse("core:home")
    assert _logged_in(client)
    assert client.session[VERIFIED_AT] <= time.time()
    assert client.get(reverse("accounts:me")).status_code == 200


def test_it_logs_in_with_the_password_only_when_the_account_has_no_app(client, world):
    response = _password(client, "nadia@example.org")
    assert response.status_code == 302 and response.url == reverse("core:home") and _logged_in(client)


def test_it_refuses_a_replayed_totp_code(client, world):
    give_authenticator(world.nadia)
    code = totp_code()
    _password(client, "nadia@example.org")
    assert client.post(CODE, {"code": code}).status_code == 302
    client.post(reverse("accounts:logout"))
    _password(client, "nadia@example.org")
    response = client.post(CODE, {"code": code}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200 and not _logged_in(client)
    assert "already been used" in response.context["form"].errors["code"][0]


def test_it_refuses_a_code_of_another_key_or_of_another_shape(client, world):
    give_authenticator(world.nadia)
    _password(client, "nadia@example.org")
    for bad in ["000000" if totp_code() != "000000" else "111111", "12345", "x" * 40, "١٢٣٤٥٦", "\u00e9" * 6]:
        response = client.post(CODE, {"code": bad})
        assert response.status_code == 200 and not _logged_in(client), bad
        assert response.context["form"].errors["code"], bad
    response = client.post(CODE, {"code": totp_code()})  # right, but a second after a wrong one
    assert response.status_code == 200 and not _logged_in(client)
    services.SECOND_FACTOR_FAILURES.reset(str(world.nadia.pk))
    _later(world.nadia)
    assert client.post(CODE, {"code": totp_code()}).status_code == 302 and _logged_in(client)


def test_it_throttles_wrong_codes_even_before_the_right_one(client, world):
    give_authenticator(world.nadia)
    _password(client, "nadia@example.org")
    right = totp_code()
    wrong = "000000" if right != "000000" else "111111"
    for _attempt in range(services.SECOND_FACTOR_FAILURES.count):
        client.post(CODE, {"code": wrong})
    response = client.post(CODE, {"code": right}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200 and not _logged_in(client)
    assert "Too many wrong codes" in response.content.decode()


def test_it_forgets_a_login_waiting_for_its_code_after_five_minutes(client, world):
    give_authenticator(world.nadia)
    _password(client, "nadia@example.org")
    session = client.session
    session[second_factor.PENDING_LOGIN]["at"] -= second_factor.PENDING_SECONDS + 1
    session.save()
    response = client.post(CODE, {"code": totp_code()})
    assert response.status_code == 302 and response.url == LOGIN and not _logged_in(client)


def test_it_sends_to_log_in_a_code_page_opened_without_a_password(client, world):
    response = client.post(CODE, {"code": "123456"})
    assert response.status_code == 302 and response.url == LOGIN and not _logged_in(client)


# --- recovery codes ------------------------------------------------------------------------


def _enrol(client, user):
    """Enrol ``user`` through the set-up page; return the recovery codes shown."""
    _response, token, secret = _setup_page(client)
    response = client.post(SETUP, {"setup": token, "code": totp_code(_key_hex(secret))})
    assert response.status_code == 200, response.content
    return _codes_from(response), _key_hex(secret)


def test_it_enrols_with_a_qr_code_and_the_key_in_text(as_user, world):
    client = as_user(world.nadia)
    response, token, secret = _setup_page(client)
    qr = re.search(r'<div class="qr-code">(.*?)</div>', response.content.decode(), re.S).group(1)
    assert qr.startswith("<svg") and "<script" not in qr and "style" not in qr
    assert len(secret) == 32 and not TOTPDevice.objects.exists()  # nothing stored before a code proves it
    wrong = client.post(SETUP, {"setup": token, "code": "000000"}, HTTP_ACCEPT_LANGUAGE="en")
    assert wrong.status_code == 200 and wrong.context["form"].errors["code"]
    assert secret in wrong.content.decode().replace(" ", "")  # the same key again: the app already has it
    response = client.post(SETUP, {"setup": token, "code": totp_code(_key_hex(secret))})
    codes = _codes_from(response)
    assert len(codes) == 10 and len(set(codes)) == 10
    device = TOTPDevice.objects.get(user=world.nadia)
    assert device.key == _key_hex(secret) and device.confirmed
    assert client.session[VERIFIED_AT] <= time.time()


def test_it_stores_recovery_codes_only_as_digests(as_user, world):
    codes, _key = _enrol(as_user(world.nadia), world.nadia)
    stored = list(StaticToken.objects.filter(device__user=world.nadia).values_list("token", flat=True))
    assert len(stored) == 10
    normalised = {second_factor.normalise_code(code) for code in codes}
    assert not normalised & set(stored) and not set(codes) & set(stored)
    assert sorted(stored) == sorted(second_factor.recovery_digest(code) for code in codes)


def test_it_logs_in_once_with_each_recovery_code(client, world, as_user):
    codes, _key = _enrol(as_user(world.nadia), world.nadia)
    _password(client, "nadia@example.org")
    response = client.post(CODE, {"code": codes[0].upper().replace("-", " ")})  # as typed from paper
    assert response.status_code == 302 and _logged_in(client)
    assert StaticToken.objects.filter(device__user=world.nadia).count() == 9
    client.post(reverse("accounts:logout"))
    _password(client, "nadia@example.org")
    response = client.post(CODE, {"code": codes[0]})  # a used recovery code
    assert response.status_code == 200 and not _logged_in(client)


def test_it_refuses_an_old_recovery_code_after_new_ones(client, world, as_user):
    owner = as_user(world.nadia)
    old, _key = _enrol(owner, world.nadia)
    response = owner.post(reverse("accounts:recovery_codes"))
    new = _codes_from(response)
    assert response.status_code == 200 and len(new) == 10 and not set(new) & set(old)
    _password(client, "nadia@example.org")
    assert client.post(CODE, {"code": old[1]}).status_code == 200 and not _logged_in(client)
    _later(world.nadia)
    assert client.post(CODE, {"code": new[1]}).status_code == 302 and _logged_in(client)


def test_it_refuses_a_forged_or_foreign_setup_page(as_user, world):
    _response, carla_token, _secret = _setup_page(as_user(world.nadia))
    client = as_user(world.bob)
    for token in [carla_token, "forged", "", carla_token[:-2] + "xx"]:
        response = client.post(SETUP, {"setup": token, "code": "123456"}, HTTP_ACCEPT_LANGUAGE="en")
        assert response.status_code == 200, token
        assert "too old" in response.content.decode()
    assert not TOTPDevice.objects.filter(user=world.bob).exists()
    with pytest.raises(ServiceError):
        services.setup_key(world.bob, carla_token)


def test_it_lets_a_member_turn_it_off_but_not_a_coordinator(as_user, world):
    nadia = as_user(world.nadia)
    _enrol(nadia, world.nadia)
    assert nadia.post(reverse("accounts:two_factor_remove")).status_code == 302
    assert not TOTPDevice.objects.filter(user=world.nadia).exists()
    assert not StaticDevice.objects.filter(user=world.nadia).exists()
    alice = as_user(world.alice)
    response = alice.post(reverse("accounts:two_factor_remove"), follow=True, HTTP_ACCEPT_LANGUAGE="en")
    assert "must keep a second factor" in response.content.decode()
    assert TOTPDevice.objects.filter(user=world.alice).exists()


# --- required for coordinators and national committee members -----------------------------


@pytest.mark.parametrize("who", ["alice", "carla"])
def test_it_sends_a_coordinator_or_committee_member_to_enrolment_before_anything_else(client, world, who):
    email = f"{who}@example.org"
    response = _password(client, email)
    assert response.status_code == 302 and _logged_in(client)
    for path in ["/", reverse("accounts:me"), reverse("accounts:tokens"), reverse("gatherings:list")]:
        response = client.get(path)
        assert response.status_code == 302 and response.url.startswith(SETUP), path
    api = client.get("/api/v1/me")
    assert api.status_code == 403 and api.json()["code"] == "second_factor_required"
    # What they may still do: the set-up page, switch language, log out.
    assert client.get(SETUP).status_code == 200
    assert client.post(reverse("set_language"), {"language": "fr", "next": "/"}).status_code == 302
    user = getattr(world, who)
    codes, _key = _enrol(client, user)
    assert len(codes) == 10
    assert client.get(reverse("accounts:me")).status_code == 200
    assert client.get("/api/v1/me").status_code == 200
    assert client.post(reverse("accounts:logout")).status_code == 302 and not _logged_in(client)


def test_it_asks_a_coordinator_with_an_app_for_the_code_at_login(client, world):
    give_authenticator(world.alice)
    assert _password(client, "alice@example.org").url == CODE
    client.post(CODE, {"code": totp_code()})
    assert client.get(reverse("accounts:me")).status_code == 200


def test_it_sends_a_session_that_never_proved_the_code_to_the_code_page(client, world):
    give_authenticator(world.carla)
    client.force_login(world.carla)  # e.g. a session made before two-step login existed
    response = client.get(reverse("accounts:me"))
    assert response.status_code == 302 and response.url.startswith(reverse("accounts:confirm_code"))
    response = client.post(response.url, {"code": totp_code()})
    assert response.status_code == 302 and response.url == reverse("accounts:me")
    assert client.get(reverse("accounts:me")).status_code == 200


def test_it_lets_a_token_reach_the_api_without_a_session_second_factor(client, world):
    _token, raw = services.create_api_token(world.alice, "script")
    response = client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert response.status_code == 200 and response.json()["roles"]["coordinator"]


# --- sensitive actions ask again ----------------------------------------------------------------


def _age_verification(client, seconds):
    session = client.session
    session[VERIFIED_AT] = int(time.time()) - seconds
    session.save()


@pytest.mark.parametrize("path", ["accounts:tokens", "accounts:invitations"])
def test_it_asks_the_code_again_before_a_sensitive_action_after_the_configured_time(as_user, world, settings, path):
    settings.OTP_REAUTH_SECONDS = 600
    client = as_user(world.alice)
    url = reverse(path)
    _age_verification(client, 570)  # well inside the limit: a slow machine may take seconds to reach the request
    assert client.get(url).status_code == 200
    _age_verification(client, 601)
    response = client.get(url)
    assert response.status_code == 302 and response.url == f"{reverse('accounts:confirm_code')}?next={url.replace('/', '%2F')}"
    response = client.post(response.url, {"code": totp_code()})
    assert response.status_code == 302 and response.url == url
    assert client.get(url).status_code == 200


def test_it_creates_no_token_from_a_stale_session(as_user, world, settings):
    client = as_user(world.alice)
    _age_verification(client, settings.OTP_REAUTH_SECONDS + 1)
    response = client.post(reverse("accounts:tokens"), {"name": "script"}, HTTP_REFERER="http://testserver/accounts/tokens/")
    assert response.status_code == 302 and response.url.startswith(reverse("accounts:confirm_code"))
    assert not world.alice.api_tokens.exists()


def test_it_does_not_ask_members_without_an_app(as_user, world, settings):
    settings.OTP_REAUTH_SECONDS = 0
    client = as_user(world.nadia)
    assert client.post(reverse("accounts:tokens"), {"name": "script"}).status_code == 200
    assert world.nadia.api_tokens.count() == 1


def test_it_offers_an_api_check_for_other_apps(rf, world, settings):
    request = rf.post("/api/v1/polls/1/open")
    request.user = world.alice
    request.user.is_verified = lambda: True
    request.session = SessionStore()
    request.session[VERIFIED_AT] = int(time.time()) - settings.OTP_REAUTH_SECONDS - 5
    with pytest.raises(SecondFactorRequired) as refused:
        require_recent_second_factor(request)
    assert refused.value.status == 403 and refused.value.code == "second_factor_required"
    request.session[VERIFIED_AT] = int(time.time())
    require_recent_second_factor(request)  # recent: nothing raised
    token = rf.post("/api/v1/polls/1/open", HTTP_AUTHORIZATION="Bearer x")
    token.user, token.session = world.alice, SessionStore()
    require_recent_second_factor(token)  # judged by the token


def test_it_replaces_the_app_only_after_the_current_code(as_user, world, settings):
    client = as_user(world.alice)
    prove_second_factor(client, world.alice)
    _age_verification(client, settings.OTP_REAUTH_SECONDS + 1)
    response = client.get(f"{SETUP}?new=1")
    assert response.status_code == 302 and response.url.startswith(reverse("accounts:confirm_code"))
    client.post(response.url, {"code": totp_code()})
    _response, token, secret = _setup_page(client, f"{SETUP}?new=1")
    assert _key_hex(secret) != TEST_TOTP_KEY
    response = client.post(SETUP, {"setup": token, "code": totp_code(_key_hex(secret))})
    assert response.status_code == 200 and len(_codes_from(response)) == 10
    assert list(TOTPDevice.objects.filter(user=world.alice).values_list("key", flat=True)) == [_key_hex(secret)]
