"""Abuse limits on login and on the public forms (password reset, invitation
accept): counted in Django's cache per account and per client address,
with a translated message that never tells whether an account exists."""

import pytest
from django.urls import reverse

from convoca.accounts import services
from tests.fixtures import PASSWORD

from .helpers import NEW_PASSWORD, counts, make_invitation

LOGIN = reverse("accounts:login")


def _login(client, email, password, **headers):
    return client.post(LOGIN, {"username": email, "password": password}, **headers)


def _logged_in(client):
    return "_auth_user_id" in client.session


def test_it_refuses_the_right_password_after_60_wrong_ones(client, world):
    """The finding: 60 wrong passwords in a row, then the right one, logged in."""
    for attempt in range(60):
        response = _login(client, "nadia@example.org", f"wrong password {attempt}")
        assert response.status_code == 200 and not _logged_in(client)
    response = _login(client, "nadia@example.org", PASSWORD, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert not _logged_in(client)
    assert "Too many failed attempts to log in" in response.content.decode()


def test_it_says_the_same_for_an_account_that_does_not_exist(client, world):
    for email in ["nadia@example.org", "nobody@example.org"]:
        for _attempt in range(services.LOGIN_FAILURES_PER_ACCOUNT.count):
            _login(client, email, "wrong")
    known = _login(client, "nadia@example.org", "wrong", HTTP_ACCEPT_LANGUAGE="en")
    unknown = _login(client, "nobody@example.org", "wrong", HTTP_ACCEPT_LANGUAGE="en")
    assert known.status_code == unknown.status_code == 200
    assert known.context["form"].non_field_errors() == unknown.context["form"].non_field_errors()
    assert "Too many failed attempts" in known.context["form"].non_field_errors()[0]


def test_it_counts_the_email_however_it_is_written(client, world):
    for attempt in range(services.LOGIN_FAILURES_PER_ACCOUNT.count):
        _login(client, ["NADIA@example.org", " nadia@EXAMPLE.org "][attempt % 2], "wrong")
    assert not _logged_in(client)
    _login(client, "nadia@example.org", PASSWORD)
    assert not _logged_in(client)


def test_it_leaves_other_accounts_alone_below_the_address_limit(client, world):
    for _attempt in range(services.LOGIN_FAILURES_PER_ACCOUNT.count):
        _login(client, "nadia@example.org", "wrong")
    assert _login(client, "bob@example.org", PASSWORD).status_code == 302 and _logged_in(client)


def test_it_throttles_one_address_trying_many_accounts(client, world):
    for attempt in range(services.LOGIN_FAILURES_PER_ADDRESS.count):
        _login(client, f"someone{attempt}@example.org", "wrong")
    _login(client, "bob@example.org", PASSWORD)
    assert not _logged_in(client)
    # Another address is not concerned.
    other = _login(client, "bob@example.org", PASSWORD, REMOTE_ADDR="198.51.100.7")
    assert other.status_code == 302 and _logged_in(client)


def test_it_takes_the_address_from_the_proxy_only_when_behind_one(client, world, settings):
    def fail_from(forwarded):
        for attempt in range(services.LOGIN_FAILURES_PER_ADDRESS.count):
            _login(client, f"x{attempt}@example.org", "wrong", HTTP_X_FORWARDED_FOR=forwarded)

    settings.BEHIND_PROXY = False
    fail_from("203.0.113.9")  # a header anyone can send: the address is still REMOTE_ADDR
    assert _login(client, "bob@example.org", PASSWORD, HTTP_X_FORWARDED_FOR="203.0.113.10").status_code == 200
    services.LOGIN_FAILURES_PER_ADDRESS.reset("127.0.0.1")
    settings.BEHIND_PROXY = True
    fail_from("10.0.0.1, 203.0.113.9")  # the proxy appends the real client last
    refused = _login(client, "bob@example.org", PASSWORD, HTTP_X_FORWARDED_FOR="10.9.9.9, 203.0.113.9")
    assert refused.status_code == 200 and not _logged_in(client)
    ok = _login(client, "bob@example.org", PASSWORD, HTTP_X_FORWARDED_FOR="203.0.113.9, 203.0.113.10")
    assert ok.status_code == 302 and _logged_in(client)


def test_it_limits_password_reset_requests_per_address(client, world, mailoutbox):
    url = reverse("accounts:password_reset")
    for attempt in range(services.PASSWORD_RESETS_PER_ADDRESS.count):
        assert client.post(url, {"email": f"someone{attempt}@example.org"}).status_code == 302
    response = client.post(url, {"email": "nadia@example.org"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 429 and int(response["Retry-After"]) > 0
    assert "Too many attempts" in response.content.decode()
    assert mailoutbox == []


def test_it_sends_at_most_three_reset_links_an_hour_to_one_mailbox(client, world, mailoutbox):
    url = reverse("accounts:password_reset")
    answers = {client.post(url, {"email": "nadia@example.org"}).url for _attempt in range(5)}
    assert answers == {reverse("accounts:password_reset_done")}  # the page says nothing more
    assert len(mailoutbox) == services.PASSWORD_RESETS_PER_EMAIL.count == 3


def test_it_limits_invitation_accepts_per_address(client, world):
    _invitation, raw = make_invitation(world)
    url = reverse("accounts:invitation_accept", args=[raw])
    before = counts()
    for _attempt in range(services.INVITATION_ACCEPTS_PER_ADDRESS.count):
        response = client.post(url, {"display_name": "", "password": "x", "password_confirm": "y"})
        assert response.status_code == 200
    response = client.post(url, {"display_name": "Nueva", "password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD})
    assert response.status_code == 429
    assert counts() == before
    assert client.get(url).status_code == 200  # reading the page is not counted


@pytest.mark.parametrize("forwarded", ["", "not an address", "2001:db8::1, ::ffff:192.0.2.1"])
def test_it_never_fails_on_a_strange_forwarded_header(client, world, settings, forwarded):
    settings.BEHIND_PROXY = True
    assert _login(client, "nadia@example.org", PASSWORD, HTTP_X_FORWARDED_FOR=forwarded).status_code == 302
