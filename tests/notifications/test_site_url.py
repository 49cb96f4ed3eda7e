"""Every email's links start with SITE_URL; without one given, it is where `convoca serve` (and
`convoca demo --serve`, which runs it) actually listens: `make demo PORT=8301` linked to :8000 before."""

import os
import re
import subprocess
import sys

import pytest

from convoca.accounts import services as accounts
from convoca.core.management.commands.serve import point_site_url, site_url_for


@pytest.mark.parametrize("host, port, url", [
    ("127.0.0.1", 8301, "http://127.0.0.1:8301"),
    ("0.0.0.0", 8301, "http://127.0.0.1:8301"),
    ("::", 9000, "http://127.0.0.1:9000"),
    ("::1", 9000, "http://[::1]:9000"),
    ("convoca.local", 80, "http://convoca.local:80"),
])
def test_the_address_a_server_listens_at(host, port, url):
    assert site_url_for(host, port) == url


@pytest.fixture
def restore_env():
    before = os.environ.get("SITE_URL")
    yield
    if before is None:
        os.environ.pop("SITE_URL", None)
    else:
        os.environ["SITE_URL"] = before


def test_the_server_points_invitation_links_where_it_listens(world, settings, mailoutbox, restore_env,
                                                             django_capture_on_commit_callbacks):
    settings.SITE_URL_GIVEN = False
    assert point_site_url("0.0.0.0", 8301) == "http://127.0.0.1:8301"
    assert os.environ["SITE_URL"] == "http://127.0.0.1:8301"  # for the workers it starts
    with django_capture_on_commit_callbacks(execute=True):
        accounts.invite(world.alice, "nueva@example.org", "member", language="es")
    [message] = mailoutbox
    assert re.search(r"http://127\.0\.0\.1:8301/accounts/invite/\S+", message.body), message.body
    assert ":8000" not in message.body


def test_an_operator_s_site_url_wins(settings, restore_env):
    settings.SITE_URL_GIVEN, settings.SITE_URL = True, "https://convoca.example.org"
    assert point_site_url("0.0.0.0", 8301) == "https://convoca.example.org"


@pytest.mark.parametrize("env, url", [
    ({"PORT": "8301"}, "http://127.0.0.1:8301"),
    ({"PORT": "8301", "SITE_URL": "https://convoca.example.org/"}, "https://convoca.example.org"),
    ({}, "http://127.0.0.1:8000"),
])
def test_the_setting_s_default_follows_port(env, url):
    clean = {k: v for k, v in os.environ.items() if k not in ("PORT", "SITE_URL")}
    out = subprocess.run(
        [sys.executable, "-c", "from django.conf import settings; print(settings.SITE_URL)"],
        env={**clean, "DJANGO_SETTINGS_MODULE": "convoca.settings", **env}, capture_output=True, text=True,
        check=True,
    )
    assert out.stdout.strip() == url
