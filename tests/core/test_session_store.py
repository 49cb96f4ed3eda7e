"""Where sessions live. Every page of a logged-in person reads the session, so it may come from a cache, but
only one that every worker process reads (Redis in front of the database): a logout deletes the session
from the database and from that cache, and holds on the next request whichever process answers it. A
per-process cache (locmem) would keep the logged-out session alive in the other workers."""

from importlib import import_module

from django.conf import settings
from django.core.cache import caches
from django.test import Client
from django.urls import reverse

from tests.fixtures import PASSWORD


def test_it_keeps_sessions_where_every_worker_process_reads_them():
    assert settings.SESSION_ENGINE in (
        "django.contrib.sessions.backends.db", "django.contrib.sessions.backends.cached_db",
    )  # not signed cookies: a logout could not take one back
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
