"""Issue 10's hardening findings, each with a test named after it: secret
links in the logs, no HSTS or HTTPS redirect behind the proxy, a
world-readable SQLite database and WAL, the Referrer-Policy, identifier
enumeration on the accreditation API, and the session cookie's flags."""

import json
import os
import re
import stat
import subprocess
import sys
from email import message_from_bytes
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from convoca.accounts import services as accounts_services
from convoca.core.logs import redact
from convoca.gatherings.models import Registration
from tests.accounts.helpers import NEW_PASSWORD
from tests.fixtures import PASSWORD

ROOT = Path(__file__).resolve().parents[2]


def _mode(path):
    return stat.S_IMODE(os.stat(path).st_mode)


def _run(code, env, timeout=120):
    """Run ``code`` in a new Python process with the project's settings and ``env``."""
    base = {key: value for key, value in os.environ.items() if key not in {
        "DATABASE_URL", "SECURE_COOKIES", "BEHIND_PROXY", "DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "SITE_URL",
        "EMAIL_BACKEND", "HSTS_SECONDS", "HSTS_PRELOAD", "SQLITE_PATH", "CONVOCA_VAR_DIR",
    }}
    result = subprocess.run(
        [sys.executable, "-c", code], env={**base, "DJANGO_SETTINGS_MODULE": "convoca.settings", **env},
        cwd=ROOT, capture_output=True, text=True, timeout=timeout,
    )
    return result


# --- no personal data and no secret links in logs ---------------------------------------------


def test_it_keeps_password_reset_and_invitation_links_out_of_the_logs(
    client, world, settings, tmp_path, capfd, caplog, django_capture_on_commit_callbacks
):
    """The finding: with the default console email backend, every password-reset and invitation
    link was written to the server log. Now the message goes to a 0600 file; the log names no one."""
    settings.EMAIL_BACKEND = "convoca.core.mail.PrivateConsoleBackend"
    settings.EMAIL_FILE_PATH = tmp_path / "mail"
    caplog.set_level("DEBUG")

    client.post(reverse("accounts:password_reset"), {"email": "nadia@example.org"})
    with django_capture_on_commit_callbacks(execute=True):
        accounts_services.invite(world.alice, "new.person@example.org", "member", language="en")

    files = sorted((tmp_path / "mail").iterdir())
    assert len(files) == 2
    assert _mode(tmp_path / "mail") == 0o700 and all(_mode(path) == 0o600 for path in files)
    bodies = [message_from_bytes(path.read_bytes()).get_payload(decode=True).decode() for path in files]
    links = [re.search(r"http://\S+", body).group(0) for body in bodies]
    reset_link = next(link for link in links if "/password/reset/" in link)
    invite_link = next(link for link in links if "/invite/" in link)
    secrets = [reset_link.rstrip("/").split("/")[-1], invite_link.rstrip("/").split("/")[-1]]

    # Use the links as their owners would, and as an attacker would: each leaves log lines.
    invite_path = invite_link.removeprefix(settings.SITE_URL)
    form = {"display_name": "Nueva", "password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD}
    assert client.post(invite_path, form).status_code == 302
    assert client.get(invite_path).status_code == 410  # "Gone: <path>" in the request log
    assert client.get(invite_path[:-5] + "xxxx/").status_code == 404  # "Not Found: <path>"
    reset_path = reset_link.removeprefix(settings.SITE_URL)
    client.get(reset_path)
    client.get(reset_path[:-3] + "zz/")

    out, err = capfd.readouterr()
    logged = out + err + caplog.text + "\n".join(record.getMessage() for record in caplog.records)
    assert "Email not sent (no EMAIL_HOST)" in out
    assert "Not Found" in logged and "Gone" in logged  # the request log was written...
    for secret in secrets:
        assert secret not in logged  # ...without the tokens
        assert secret[:12] not in logged
    for address in ["nadia@example.org", "new.person@example.org", "alice@example.org"]:
        assert address not in logged


@pytest.mark.parametrize("line, hidden", [
    ("Not Found: /accounts/invite/abcdefghijklmnopqrstuvwxyzabcdefg/", "abcdefghijklmnopqrstuvwxyzabcdefg"),
    ('"GET /accounts/password/reset/MQ/set-password/ HTTP/1.1" 200', "MQ/set-password"),  # MQ: an account's id
    ("Gone: /accounts/password/reset/MTA/cz1b2c-0123456789abcdef0123456789abcdef/", "0123456789abcdef01234"),
    ("Forbidden: /gatherings/conferencia/badge/Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5/", "Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5"),
    ("Could not send to Ana.Pérez+coalition@example.org.co today", "Ana.Pérez+coalition@example.org.co"),
])
def test_it_redacts_tokens_and_email_addresses_in_log_lines(line, hidden):
    result = redact(line)
    if hidden:
        assert hidden not in result and "[" in result
    else:
        assert result == line  # nothing secret: left as it is
    assert redact("GET /gatherings/encuentro-preparatorio-colombia/ 200") == (
        "GET /gatherings/encuentro-preparatorio-colombia/ 200"
    )


# --- HSTS and HTTPS redirect behind the proxy; convoca check --deploy -------------------------------

PRODUCTION = {
    "SECRET_KEY": "x" * 20 + "production-secret-key-of-sixty-characters-or-more-0123456789",
    "ALLOWED_HOSTS": "convoca.example.org",
    "CSRF_TRUSTED_ORIGINS": "https://convoca.example.org",
    "SITE_URL": "https://convoca.example.org",
    "SECURE_COOKIES": "1",
    "BEHIND_PROXY": "1",
    "DEBUG": "0",
}


def test_it_sends_hsts_and_redirects_to_https_when_secure_cookies_and_behind_proxy(tmp_path):
    """The finding: no HSTS and no HTTPS redirect with SECURE_COOKIES=1 and BEHIND_PROXY=1."""
    code = """
import django, json
django.setup()
from django.conf import settings
from django.test import Client
client = Client()
plain = client.get("/accounts/login/", HTTP_HOST="convoca.example.org")
tls = client.get("/accounts/login/", HTTP_HOST="convoca.example.org", HTTP_X_FORWARDED_PROTO="https")
health = client.get("/healthz", HTTP_HOST="convoca.example.org")
print(json.dumps({
    "plain": [plain.status_code, plain.get("Location")], "tls": [tls.status_code, tls.get("Strict-Transport-Security")],
    "health": health.status_code, "session_cookie": settings.SESSION_COOKIE_NAME,
    "secure": [settings.SESSION_COOKIE_SECURE, settings.CSRF_COOKIE_SECURE],
}))
"""
    env = {**PRODUCTION, "CONVOCA_VAR_DIR": str(tmp_path), "SQLITE_PATH": str(tmp_path / "db.sqlite3")}
    result = _run(code, env)
    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    assert seen["plain"] == [301, "https://convoca.example.org/accounts/login/"]
    assert seen["tls"][1] == "max-age=31536000; includeSubDomains"
    assert seen["health"] == 200  # load balancers check over plain HTTP
    assert seen["session_cookie"] == "__Host-sessionid" and seen["secure"] == [True, True]
    # Without the proxy and TLS nothing changes (the embedded default on a laptop).
    local = _run(code.replace('HTTP_HOST="convoca.example.org"', 'HTTP_HOST="127.0.0.1"'),
                 {"CONVOCA_VAR_DIR": str(tmp_path), "SQLITE_PATH": str(tmp_path / "db.sqlite3")})
    assert local.returncode == 0, local.stderr
    seen = json.loads(local.stdout.strip().splitlines()[-1])
    assert seen["plain"][0] == 200 and seen["tls"][1] is None and seen["session_cookie"] == "sessionid"


def test_it_passes_check_deploy_with_the_documented_production_variables(tmp_path):
    env = {**PRODUCTION, "CONVOCA_VAR_DIR": str(tmp_path), "SQLITE_PATH": str(tmp_path / "db.sqlite3")}
    result = _run("from convoca.cli import main; main(['convoca', 'check', '--deploy', '--fail-level', 'WARNING'])",
                  env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
    # The check does fail on what it should: plain cookies.
    result = _run("from convoca.cli import main; main(['convoca', 'check', '--deploy', '--fail-level', 'WARNING'])",
                  {**env, "SECURE_COOKIES": "0"})
    assert result.returncode != 0 and "SESSION_COOKIE_SECURE" in result.stdout + result.stderr


# --- data files 0600 ----------------------------------------------------------------------------


def test_it_creates_the_sqlite_database_its_wal_and_shm_readable_by_the_owner_only(tmp_path):
    """The finding: the SQLite database and its WAL were created world-readable (0644)."""
    code = """
import django, json, os, stat
django.setup()
from django.core.management import call_command
from django.db import connection
call_command("migrate", verbosity=0)
from convoca.accounts.models import User
User.objects.create_user("owner@example.org", "a long password here")
name = connection.settings_dict["NAME"]
modes = {suffix: oct(stat.S_IMODE(os.stat(name + suffix).st_mode))
         for suffix in ("", "-wal", "-shm") if os.path.exists(name + suffix)}
print(json.dumps(modes))
"""
    var = tmp_path / "var"
    result = _run(code, {"CONVOCA_VAR_DIR": str(var), "SQLITE_PATH": str(var / "convoca.sqlite3")}, timeout=300)
    assert result.returncode == 0, result.stderr
    modes = json.loads(result.stdout.strip().splitlines()[-1])
    assert modes == {"": "0o600", "-wal": "0o600", "-shm": "0o600"}
    assert _mode(var / "secret_key") == 0o600
    assert _mode(var / "convoca.sqlite3") == 0o600


def test_it_narrows_a_database_created_world_readable_before(tmp_path):
    path = tmp_path / "old.sqlite3"
    path.touch(mode=0o644)
    os.chmod(path, 0o644)
    code = "import django; django.setup()\nfrom django.db import connection\nconnection.ensure_connection()"
    result = _run(code, {"CONVOCA_VAR_DIR": str(tmp_path), "SQLITE_PATH": str(path)})
    assert result.returncode == 0, result.stderr
    assert _mode(path) == 0o600


# --- headers, cookies -----------------------------------------------------------------------------


def test_it_sends_no_referrer_to_other_sites(client, world):
    """Referrer-Policy: same-origin sends nothing to another site (a link to an online meeting room
    leaks no page address). "no-referrer" would make browsers send "Origin: null" on every form POST
    of our own, which Django's CSRF check refuses (the browser tests log in through such a form)."""
    for path in ["/", reverse("accounts:login"), "/api/v1/gatherings"]:
        assert client.get(path)["Referrer-Policy"] == "same-origin", path


def test_it_sets_the_session_cookie_httponly_samesite_and_secure_when_asked(client, world, settings):
    response = client.post(reverse("accounts:login"), {"username": "nadia@example.org", "password": PASSWORD})
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["httponly"] and cookie["samesite"] == "Lax" and not cookie["secure"]
    settings.SESSION_COOKIE_SECURE = True
    response = Client().post(reverse("accounts:login"), {"username": "bob@example.org", "password": PASSWORD})
    assert response.cookies[settings.SESSION_COOKIE_NAME]["secure"]


# --- identifier enumeration ------------------------------------------------------------------------


@pytest.mark.parametrize("action, body", [("accredit", {}), ("refuse", {"reason": "Sin cupo"}),
                                          ("mandate", {"confirm": True})])
def test_it_answers_the_same_404_for_a_missing_registration_and_one_the_caller_may_not_decide(
    client, world, action, body
):
    """The finding: POST /api/v1/registrations/{id}/accredit answered 404 for a missing id and
    403 naming the gathering's country for an existing one."""
    hidden = Registration.objects.create(
        gathering=world.prep_co, person=world.nadia_person, role=Registration.Role.DELEGATE,
        organisation=world.org_co, mandate=Registration.Mandate.PENDING,
    )
    _token, raw = accounts_services.create_api_token(world.marco, "script")  # Mexico's committee
    headers = {"HTTP_AUTHORIZATION": f"Bearer {raw}", "HTTP_ACCEPT_LANGUAGE": "en"}

    def answer(pk):
        response = client.post(f"/api/v1/registrations/{pk}/{action}", json.dumps(body),
                               content_type="application/json", **headers)
        return response.status_code, response.json()

    existing, missing = answer(hidden.pk), answer(hidden.pk + 1000)
    assert existing == missing == (404, {"detail": "There is no such registration.", "code": "not_found"})
    assert "Colombia" not in json.dumps(existing)
    hidden.refresh_from_db()
    assert (hidden.status, hidden.mandate) == (Registration.Status.REQUESTED, Registration.Mandate.PENDING)
