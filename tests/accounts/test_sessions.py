"""Sessions listed on the account page and ended by their owner: one, or all
but the current one. Bad input: a stolen cookie used after its owner ended
the session, another account's session, a session id that is not a number."""

import pytest
from django.contrib.auth.backends import ModelBackend
from django.contrib.sessions.models import Session
from django.test import Client, RequestFactory
from django.urls import reverse

from convoca.accounts import agents, queries, services
from convoca.accounts.middleware import get_user
from convoca.accounts.models import LoginSession, hash_token
from convoca.network.rules import committee_countries
from tests.fixtures import PASSWORD

FIREFOX_ANDROID = "Mozilla/5.0 (Android 14; Mobile; rv:128.0) Gecko/128.0 Firefox/128.0"
SAFARI_IPHONE = ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
                 "Version/17.5 Mobile/15E148 Safari/604.1")
CHROME_WINDOWS = ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
                  "Chrome/126.0.0.0 Safari/537.36")


def _log_in(email="nadia@example.org", agent=FIREFOX_ANDROID):
    client = Client(HTTP_USER_AGENT=agent)
    response = client.post(reverse("accounts:login"), {"username": email, "password": PASSWORD})
    assert response.status_code == 302 and "_auth_user_id" in client.session
    return client


def _me(client):
    return client.get(reverse("accounts:me"))


def test_it_lists_each_login_with_a_coarse_browser_summary_and_no_address(world):
    phone = _log_in(agent=FIREFOX_ANDROID)
    laptop = _log_in(agent=CHROME_WINDOWS)
    rows = LoginSession.objects.filter(user=world.nadia)
    assert {(row.browser, row.system) for row in rows} == {("firefox", "android"), ("chrome", "windows")}
    values = str(list(rows.values()))
    assert "127.0.0.1" not in values and "128.0" not in values and "Mozilla" not in values
    html = _me(laptop).content.decode()
    assert "Firefox on Android" in html and "Chrome on Windows" in html
    assert html.count("This session") == 1
    own = rows.get(browser="chrome")
    assert f"/accounts/sessions/{own.pk}/end/" not in html  # the current one is ended by logging out
    assert phone.session[queries.LOGIN_ID] != laptop.session[queries.LOGIN_ID]
    assert own.key_hash == hash_token(laptop.session[queries.LOGIN_ID])
    assert laptop.session[queries.LOGIN_ID] not in values and laptop.session.session_key not in values


def test_it_refuses_a_stolen_session_cookie_after_the_owner_revoked_it(world, settings):
    owner = _log_in(agent=CHROME_WINDOWS)
    victim_phone = _log_in(agent=FIREFOX_ANDROID)
    stolen = Client()
    stolen.cookies[settings.SESSION_COOKIE_NAME] = victim_phone.cookies[settings.SESSION_COOKIE_NAME].value
    assert _me(stolen).status_code == 200  # the copied cookie works... until the owner ends that session
    row = LoginSession.objects.get(user=world.nadia, browser="firefox")
    response = owner.post(reverse("accounts:session_revoke", args=[row.pk]), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 302 and response.url == reverse("accounts:me")
    assert not LoginSession.objects.filter(pk=row.pk).exists()
    assert not Session.objects.filter(session_key=victim_phone.session.session_key).exists()  # gone from the store
    response = _me(stolen)
    assert response.status_code == 302 and response.url.startswith(reverse("accounts:login"))
    assert stolen.get("/api/v1/me").status_code == 401
    assert _me(owner).status_code == 200


@pytest.mark.parametrize("engine", [
    "django.contrib.sessions.backends.cache",
    "django.contrib.sessions.backends.cached_db",
    "django.contrib.sessions.backends.signed_cookies",
])
def test_it_ends_a_session_whatever_the_session_engine(world, settings, engine):
    settings.SESSION_ENGINE = engine
    owner = _log_in(agent=CHROME_WINDOWS)
    thief = _log_in(agent=FIREFOX_ANDROID)
    assert _me(thief).status_code == 200
    row = LoginSession.objects.get(user=world.nadia, browser="firefox")
    owner.post(reverse("accounts:session_revoke", args=[row.pk]))
    assert _me(thief).status_code == 302
    assert _me(owner).status_code == 200


def test_it_logs_out_everywhere_else(world):
    here = _log_in(agent=CHROME_WINDOWS)
    elsewhere = [_log_in(agent=FIREFOX_ANDROID), _log_in(agent=SAFARI_IPHONE)]
    other_account = _log_in("bob@example.org")
    response = here.post(reverse("accounts:sessions_revoke_others"), follow=True, HTTP_ACCEPT_LANGUAGE="en")
    assert "2 other sessions have ended." in response.content.decode()
    assert [row.browser for row in LoginSession.objects.filter(user=world.nadia)] == ["chrome"]
    for client in elsewhere:
        assert _me(client).status_code == 302
    assert _me(here).status_code == 200
    assert _me(other_account).status_code == 200


def test_it_does_not_end_another_accounts_session(world):
    _log_in("bob@example.org")
    bobs = LoginSession.objects.get(user=world.bob)
    nadia = _log_in()
    for pk in [bobs.pk, 0, 2**63]:
        assert nadia.post(f"/accounts/sessions/{pk}/end/").status_code == 404, pk
    assert nadia.post("/accounts/sessions/abc/end/").status_code == 404
    assert LoginSession.objects.filter(pk=bobs.pk).exists()


def test_it_forgets_the_session_at_logout(world):
    client = _log_in()
    assert LoginSession.objects.filter(user=world.nadia).count() == 1
    client.post(reverse("accounts:logout"))
    assert not LoginSession.objects.filter(user=world.nadia).exists()


def test_it_ends_every_session_after_a_password_reset(world):
    old = _log_in()
    services.end_all_login_sessions(world.nadia)
    assert not LoginSession.objects.filter(user=world.nadia).exists()
    assert _me(old).status_code == 302


def test_it_lets_a_session_from_before_the_list_keep_working(world):
    """Sessions made before this list existed hold no login id: they are not refused (and not listed)."""
    client = Client()
    client.force_login(world.nadia)
    LoginSession.objects.all().delete()
    session = client.session
    del session[queries.LOGIN_ID]
    session.save()
    response = _me(client)
    assert response.status_code == 200 and "This session was started before" in response.content.decode()


@pytest.mark.parametrize("agent, expected", [
    (FIREFOX_ANDROID, "Firefox on Android"),
    (SAFARI_IPHONE, "Safari on iOS"),
    (CHROME_WINDOWS, "Chrome on Windows"),
    ("Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15",
     "Safari on macOS"),
    ("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36 Edg/126.0",
     "Edge on Linux"),
    ("Mozilla/5.0 (Linux; Android 14; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/25.0 "
     "Chrome/121.0 Mobile Safari/537.36", "Samsung Internet on Android"),
    ("curl/8.5.0", "An unknown browser"),
    ("", "An unknown browser"),
    ("\ufffd" * 5000, "An unknown browser"),
])
def test_it_summarises_a_user_agent_coarsely(agent, expected):
    assert str(agents.describe(*agents.summarise(agent))) == expected


# --- who a session is: one query (accounts.middleware.get_user), Django's checks kept ---------------------


class OwnGetUserBackend(ModelBackend):
    """A backend with its own ``get_user``: the account comes from it, the login record is read apart."""

    def get_user(self, user_id):
        return super().get_user(user_id)


def test_a_logged_in_page_reads_the_account_its_login_and_its_committees_in_one_query(world, settings,
                                                                                      django_assert_num_queries):
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cache"  # the session then costs no query
    client = _log_in()
    with django_assert_num_queries(1) as captured:
        request = RequestFactory().get("/")
        request.session = client.session
        user = get_user(request)
        assert user == world.nadia and committee_countries(user) == frozenset()
    assert "accounts_loginsession" in captured.captured_queries[0]["sql"]


def test_a_committee_members_countries_are_still_read(world):
    carla = Client()
    carla.force_login(world.carla)
    request = RequestFactory().get("/")
    request.session = carla.session
    assert committee_countries(get_user(request)) == frozenset({"CO"})


@pytest.mark.parametrize("bad", ["not-a-number", "", None, "99999"])
def test_a_session_naming_no_account_is_anonymous(world, bad):
    """Bad input: a session whose account id is junk, empty, of the wrong type or of nobody."""
    client = _log_in()
    session = client.session
    session["_auth_user_id"] = bad
    session.save()
    request = RequestFactory().get("/")
    request.session = session
    assert not get_user(request).is_authenticated
    assert _me(client).status_code == 302


def test_a_changed_password_ends_the_other_sessions(world):
    client = _log_in()
    world.nadia.set_password("another long passphrase")
    world.nadia.save()
    assert _me(client).status_code == 302
    assert not Session.objects.filter(session_key=client.session.session_key).exists()


def test_a_session_made_under_a_previous_secret_key_survives_its_rotation(world, settings):
    client = _log_in()
    old_key = client.session.session_key
    settings.SECRET_KEY_FALLBACKS = [settings.SECRET_KEY]
    settings.SECRET_KEY = "a new secret key for this test, long enough to be one" * 2
    assert _me(client).status_code == 200
    assert client.session.session_key != old_key  # re-keyed, as Django does


def test_a_backend_with_its_own_get_user_still_has_the_login_checked(world, settings):
    settings.AUTHENTICATION_BACKENDS = [*settings.AUTHENTICATION_BACKENDS, f"{__name__}.OwnGetUserBackend"]
    thief = Client()
    thief.force_login(world.nadia, backend=f"{__name__}.OwnGetUserBackend")
    assert _me(thief).status_code == 200
    LoginSession.objects.filter(user=world.nadia).delete()  # its owner ended it
    assert _me(thief).status_code == 302
