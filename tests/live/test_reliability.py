"""Live pages through real failures: Redis restarted, a worker killed. Real processes (``convoca serve``, a
private redis-server, the chair's process making changes through the services); each page ends on the
server's state within seconds, and no acknowledged change is lost."""

import os
import shutil
import signal
import time

import pytest

from .servers import Chair, Page, Redis, Server, prepare_database, wait_for

pytestmark = pytest.mark.filterwarnings("ignore::pytest.PytestUnhandledThreadExceptionWarning")

PAGES = 6
WITHIN = 15  # seconds for every page to show the server's state again


@pytest.fixture(scope="module")
def database(tmp_path_factory):
    directory = tmp_path_factory.mktemp("live")
    prepare_database(directory)
    return directory / "db.sqlite3"


@pytest.fixture
def directory(database, tmp_path):
    shutil.copy(database, tmp_path / "db.sqlite3")
    return tmp_path


@pytest.fixture
def redis():
    if shutil.which("redis-server") is None:
        pytest.skip("redis-server is not installed")
    server = Redis().start()
    yield server
    server.stop()


def open_pages(server, n=PAGES):
    pages = [Page(server.port, 1) for _ in range(n)]
    for page in pages:
        page.start()
    assert all(page.connected.wait(30) for page in pages)
    return pages


def all_show(pages, title, seconds=WITHIN):
    return wait_for(lambda: all(page.title == title for page in pages), seconds)


def test_it_resynchronises_every_page_when_redis_restarts_and_loses_no_acknowledged_change(directory, redis):
    server = Server(directory, workers=2, redis_url=redis.url)
    chair = Chair(server.env)
    pages = []
    try:
        pages = open_pages(server)
        chair.change("Change 1")
        assert all_show(pages, "Change 1", 10)

        redis.stop()
        chair.change("Change 2")  # committed while Redis is down: acknowledged, its announcement waits
        redis.start()
        started = time.monotonic()
        assert all_show(pages, "Change 2"), [page.title for page in pages]
        resynced = time.monotonic() - started
        chair.change("Change 3")  # and the pages follow as before
        assert all_show(pages, "Change 3", 10), [page.title for page in pages]
        assert resynced < WITHIN
        assert any(page.resyncs for page in pages)  # Redis forgot everything: the pages reloaded from the server
    finally:
        for page in pages:
            page.stop()
        chair.stop()
        server.stop()


@pytest.mark.parametrize("workers,with_redis", [(1, False), (2, True)], ids=["embedded", "redis"])
def test_it_reconnects_the_pages_of_a_killed_worker_from_their_last_id(directory, workers, with_redis, request):
    redis = request.getfixturevalue("redis") if with_redis else None
    server = Server(directory, workers=workers, redis_url=redis.url if redis else None)
    chair = Chair(server.env)
    pages = []
    try:
        pages = open_pages(server)
        chair.change("Change 1")
        assert all_show(pages, "Change 1", 10)
        before = sum(page.connections for page in pages)

        victim = server.workers()[0]
        os.kill(victim, signal.SIGKILL)  # granian starts another; its pages reconnect with Last-Event-ID
        chair.change("Change 2")  # while they reconnect
        assert all_show(pages, "Change 2"), [page.title for page in pages]
        assert wait_for(lambda: len(server.workers()) == workers and victim not in server.workers(), 30)
        assert sum(page.connections for page in pages) > before  # some pages did lose their stream
        chair.change("Change 3")
        assert all_show(pages, "Change 3", 10), [page.title for page in pages]
    finally:
        for page in pages:
            page.stop()
        chair.stop()
        server.stop()


def test_it_sends_heartbeats_and_ends_the_streams_when_the_server_stops(directory):
    server = Server(directory, workers=1)
    pages = []
    try:
        pages = open_pages(server, 2)
        conn = __import__("http.client").client.HTTPConnection("127.0.0.1", server.port, timeout=10)
        conn.request("GET", "/live/gatherings/1/events")
        response = conn.getresponse()
        assert response.getheader("X-Accel-Buffering") == "no"
        lines = [response.readline() for _ in range(4)]
        assert lines[:2] == [b"retry: 2000\n", b"\n"] and lines[2:] == [b":\n", b"\n"]  # a heartbeat (every 2 s here)
        started = time.monotonic()
    finally:
        for page in pages:
            page.stop()
        server.stop()
    assert time.monotonic() - started < 20  # the open streams did not hold the graceful stop
    assert response.readline() == b""  # the stream was ended
