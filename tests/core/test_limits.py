"""The reusable rate limiter (convoca.core.limits) for public forms: sliding
window on Django's cache, keys stored as keyed digests, 429 as a page or as
JSON, the client address behind a proxy only when told."""

import json

from django.core.cache import cache
from django.http import HttpResponse
from django.test import RequestFactory, override_settings

from convoca.core.limits import Limit, client_address, rate_limit

rf = RequestFactory()


def test_it_counts_hits_per_key_within_the_window():
    limit = Limit("test-rsvp", 3, 60)
    now = 6000.0  # the start of a window
    for expected in (1, 2, 3):
        assert limit.hit("ana@example.org", now) == expected
    assert limit.exceeded("ana@example.org", now)
    assert not limit.exceeded("other@example.org", now)


def test_it_slides_across_the_edge_of_a_window():
    limit = Limit("test-slide", 10, 60)
    for _hit in range(12):
        limit.hit("k", 6059.0)  # the last second of a window
    assert limit.exceeded("k", 6060.5)  # just after the edge the earlier hits still count
    assert limit.hits("k", 6090.0) == 6  # half-way through the next window, half of them
    assert not limit.exceeded("k", 6120.0)  # a whole window later, none


def test_it_stores_no_address_or_email_in_the_cache():
    limit = Limit("test-private", 5, 60)
    limit.hit("ana@example.org", 100.0)
    limit.hit("203.0.113.9", 100.0)
    store = cache._cache
    if isinstance(store, dict):  # LocMemCache: the in-process cache of the test run
        keys = list(store.keys())
    else:  # RedisCache (the PostgreSQL + Redis run)
        keys = [key.decode() for key in store.get_client().scan_iter()]
    assert keys and not any("ana@" in key or "203.0.113" in key for key in keys)


def test_it_answers_429_once_the_limit_is_reached():
    @rate_limit(Limit("test-form", 2, 3600))
    def view(request):
        return HttpResponse("ok")

    assert view(rf.get("/rsvp/")).status_code == 200  # reading is not counted
    assert [view(rf.post("/rsvp/")).status_code for _hit in range(3)] == [200, 200, 429]
    response = view(rf.post("/rsvp/"))
    assert response.status_code == 429 and response["Retry-After"] == "3600"
    assert b"Too many attempts" in response.content
    api = view(rf.post("/api/v1/rsvp"))
    assert api.status_code == 429 and json.loads(api.content)["code"] == "rate_limited"
    # Another address is not concerned.
    assert view(rf.post("/rsvp/", REMOTE_ADDR="198.51.100.1")).status_code == 200


def test_it_reads_the_forwarded_address_only_behind_a_proxy():
    request = rf.get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.9")
    with override_settings(BEHIND_PROXY=False):
        assert client_address(request) == "10.0.0.2"
    with override_settings(BEHIND_PROXY=True):
        assert client_address(request) == "203.0.113.9"  # the last hop, added by our proxy
        assert client_address(rf.get("/", HTTP_X_FORWARDED_FOR="2001:db8:1:2:3:4:5:6")) == "2001:db8:1:2::/64"
        assert client_address(rf.get("/", HTTP_X_FORWARDED_FOR="::ffff:192.0.2.1")) == "192.0.2.1"
        assert client_address(rf.get("/", HTTP_X_FORWARDED_FOR="garbage")) == "garbage"
        assert client_address(rf.get("/", HTTP_X_FORWARDED_FOR="")) == "127.0.0.1"
