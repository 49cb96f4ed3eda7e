"""Where sessions live. Every page of a logged-in person reads the session, so it may come from a cache, but
only one that every worker process reads (Redis in front of the database): a logout deletes the session
from the database and from that cache, and holds on the next request whichever process answers it. A
per-process cache (locmem) would keep the logged-out session alive in the other workers."""

import datetime as dt
from importlib import import_module

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.core.cache import caches
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.fixtures import PASSWORD


def test_it_keeps_sessions_where_every_worker_process_reads_them():
    assert settings.SESSION_ENGINE in (
        "convoca.core.sessions.db", "convoca.core.sessions.cached_db",
    )  # Django's database engines (not signed cookies: a logout could not take one back)
    if settings.SESSION_ENGINE.endswith("cached_db"):
        backend = settings.CACHES[settings.SESSION_CACHE_ALIAS]["BACKEND"]
        assert backend == "django.core.cache.backends.redis.RedisCache", backend


def test_it_ends_a_session_for_every_worker_process_at_logout(world):
    phone = Client()
    assert phone.post(reverse("accounts:login"), {"username": "bob@example.org", "password": PASSWORD}).status_code == 302
    key = phone.session.session_key
    elsewhere = Client()  # the same cookie, answered by another worker process
    elsewhere.cookies[settings.SESSION_COOKIE_NAME] = key
    assert elsewhere.get(reverse("accounts:me")).status_code == 200
    engine = import_module(settings.SESSION_ENGINE)
    cached = engine.SessionStore(key)
    phone.post(reverse("accounts:logout"))
    assert not engine.SessionStore().exists(key)
    if hasattr(cached, "cache_key"):  # cached_db: gone from the shared cache too
        assert caches[settings.SESSION_CACHE_ALIAS].get(cached.cache_key) is None
    response = elsewhere.get(reverse("accounts:me"))
    assert response.status_code == 302 and response.url.startswith(reverse("accounts:login"))


# --- a session read in one plain query (convoca.core.sessions) ---------------------------------------------


@pytest.mark.parametrize("engine_name", ["convoca.core.sessions.db", "convoca.core.sessions.cached_db"])
def test_it_reads_a_session_as_djangos_engine_does(db, settings, engine_name, django_assert_num_queries):
    settings.SESSION_ENGINE = engine_name
    engine = import_module(engine_name)
    django_engine = import_module(engine_name.replace("convoca.core.sessions", "django.contrib.sessions.backends"))
    store = engine.SessionStore()
    store["colour"] = "verde"
    store.set_expiry(3600)
    store.save()
    caches[settings.SESSION_CACHE_ALIAS].clear()  # cached_db: read from the database
    with django_assert_num_queries(1):
        ours = engine.SessionStore(store.session_key)
        data = ours.load()
    caches[settings.SESSION_CACHE_ALIAS].clear()
    assert data == django_engine.SessionStore(store.session_key).load() == {"colour": "verde", "_session_expiry": 3600}
    row = ours._get_session_from_db()
    assert row.expire_date == Session.objects.get(session_key=store.session_key).expire_date
    assert row.expire_date.tzinfo is not None


@pytest.mark.parametrize("key", ["", "short", "x" * 32, "' OR 1=1 --", "ñandú" * 8, None])
def test_an_unknown_or_malformed_session_key_reads_as_an_empty_session(db, key):
    """Bad input: an empty, too short, unknown, SQL-like or non-ASCII session key, or none."""
    store = import_module("convoca.core.sessions.db").SessionStore(key)
    assert store.load() == {} and store.session_key is None


def test_an_expired_session_reads_as_an_empty_one(db):
    engine = import_module("convoca.core.sessions.db")
    store = engine.SessionStore()
    store["colour"] = "verde"
    store.save()
    Session.objects.filter(session_key=store.session_key).update(expire_date=timezone.now() - dt.timedelta(seconds=1))
    again = engine.SessionStore(store.session_key)
    assert again.load() == {} and again.session_key is None
