"""The buses that carry live events between processes: the hub of the embedded default, and Redis.

Each "process" here is a bus object of its own, as each worker process holds one; Redis is a private
``redis-server`` started by the test (skipped when the machine has none)."""

import json
import os
import shutil
import socket
import subprocess
import tempfile
import time

import pytest

from convoca.core import events


def wait_for(condition, seconds=5.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.01)
    return condition()


@pytest.fixture
def closing():
    """Buses made by the test, closed after it (their threads stop)."""
    made = []
    yield made
    for bus in made:
        bus.close()


def collect(bus):
    seen = []
    bus.add_listener(None, lambda topic, event_id, event: seen.append((topic, event_id, event)))
    return seen


# --- the hub --------------------------------------------------------------------------------------


@pytest.fixture
def hub():
    directory = tempfile.mkdtemp(prefix="convoca-test-hub-")
    started = events.Hub(os.path.join(directory, "hub.sock")).start()
    yield started
    started.close()
    shutil.rmtree(directory, ignore_errors=True)


def test_it_numbers_the_events_of_every_process_in_the_hub_and_sends_them_to_every_worker(hub, closing):
    worker_a, worker_b, ticker = events.HubBus(hub.path), events.HubBus(hub.path), events.HubBus(hub.path)
    closing += [worker_a, worker_b, ticker]
    seen_a, seen_b = collect(worker_a), collect(worker_b)
    assert wait_for(lambda: len(hub._subscribers) == 2)
    worker_a.publish("gathering:1", {"kind": "a"})
    ticker.publish("gathering:1", {"kind": "timer"})
    worker_b.publish("gathering:2", {"kind": "b"})
    assert wait_for(lambda: len(seen_a) == 3 and len(seen_b) == 3)
    assert seen_a == seen_b  # the same ids, in the same order, everywhere
    ones = [(event_id, event) for topic, event_id, event in seen_a if topic == "gathering:1"]
    assert ones[1][0] == ones[0][0] + 1  # whichever came first
    assert worker_b.since("gathering:1", ones[0][0]) == [ones[1]]
    (two,) = [event_id for topic, event_id, _event in seen_a if topic == "gathering:2"]  # in whatever order it came
    assert worker_a.last_id("gathering:2") == two


def test_it_gives_a_worker_that_starts_late_what_the_hub_remembers(hub, closing):
    publisher = events.HubBus(hub.path)
    closing.append(publisher)
    publisher.publish("gathering:1", {"kind": "before"})
    assert wait_for(lambda: hub._bus.last_id("gathering:1") > 0)
    first = hub._bus.last_id("gathering:1")
    late = events.HubBus(hub.path)
    closing.append(late)
    collect(late)
    assert wait_for(lambda: late.last_id("gathering:1") == first)
    publisher.publish("gathering:1", {"kind": "after"})
    assert wait_for(lambda: late.last_id("gathering:1") == first + 1)
    assert late.since("gathering:1", first) == [(first + 1, {"kind": "after"})]


def test_it_keeps_the_hub_socket_to_this_account(hub):
    assert oct(os.stat(hub.path).st_mode & 0o777) == "0o600"
    assert oct(os.stat(os.path.dirname(hub.path)).st_mode & 0o777) == "0o700"


# --- Redis ----------------------------------------------------------------------------------------


class RedisServer:
    """A private redis-server on a free port, without persistence: a restart forgets everything."""

    def __init__(self):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.proc = None

    def start(self):
        self.proc = subprocess.Popen(
            [shutil.which("redis-server"), "--port", str(self.port), "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return self
            except OSError:
                time.sleep(0.02)
        raise RuntimeError("redis-server did not start")

    def stop(self):
        if self.proc is not None:
            self.proc.kill()
            self.proc.wait()
            self.proc = None


@pytest.fixture
def redis_server():
    if shutil.which("redis-server") is None:
        pytest.skip("redis-server is not installed")
    server = RedisServer().start()
    yield server
    server.stop()


def test_it_numbers_events_in_redis_so_that_every_worker_sees_the_same_ids_in_order(redis_server, closing):
    worker_a, worker_b = events.RedisBus(redis_server.url), events.RedisBus(redis_server.url)
    closing += [worker_a, worker_b]
    seen_a, seen_b = collect(worker_a), collect(worker_b)
    assert wait_for(lambda: worker_a.client.pubsub_numsub(events.CHANNEL)[0][1] == 2)
    ids = [worker_a.publish("gathering:1", {"kind": "k", "n": n}) if n % 2 else
           worker_b.publish("gathering:1", {"kind": "k", "n": n}) for n in range(10)]
    assert ids == list(range(ids[0], ids[0] + 10))
    assert ids[0] > 10**15  # Redis's clock in microseconds: above any id from before a restart
    assert wait_for(lambda: len(seen_a) == 10 and len(seen_b) == 10)
    assert [event_id for _t, event_id, _e in seen_a] == ids == [event_id for _t, event_id, _e in seen_b]
    fresh = events.RedisBus(redis_server.url)  # a worker that just started: replays from Redis
    closing.append(fresh)
    assert fresh.since("gathering:1", ids[6]) == [(i, {"kind": "k", "n": n}) for n, i in enumerate(ids) if n > 6]
    assert fresh.last_id("gathering:1") == ids[-1]
    assert fresh.since("gathering:1", ids[0] - 5) is None  # older than what Redis keeps: resync


def test_it_resyncs_its_pages_when_redis_restarted_and_sends_the_events_that_waited(redis_server, closing):
    worker, publisher = events.RedisBus(redis_server.url), events.RedisBus(redis_server.url)
    closing += [worker, publisher]
    seen = collect(worker)
    assert wait_for(lambda: worker.client.pubsub_numsub(events.CHANNEL)[0][1] == 1)
    before = publisher.publish("gathering:1", {"kind": "before"})
    assert wait_for(lambda: len(seen) == 1)

    redis_server.stop()
    assert publisher.publish("gathering:1", {"kind": "while down"}) is None  # committed: it waits for Redis
    time.sleep(0.3)
    redis_server.start()

    # The worker reconnects and cannot prove that nothing was missed (Redis forgot everything): its pages
    # resynchronise from the server's state. Then the event that waited is sent, with a newer id.
    assert wait_for(lambda: any(event is events.RESYNC for _t, _i, event in seen), seconds=10)
    assert wait_for(lambda: any(event == {"kind": "while down"} for _t, _i, event in seen), seconds=10)
    kinds = [event["kind"] for _t, _i, event in seen]
    assert kinds[0] == "before" and "resync" in kinds and kinds[-1] == "while down"
    after = [event_id for _t, event_id, event in seen if event == {"kind": "while down"}][0]
    assert after > before
    assert worker.since("gathering:1", before) is None  # what happened meanwhile is gone: resync


def test_it_catches_up_from_the_recent_list_after_a_short_disconnection(redis_server, closing):
    worker, publisher = events.RedisBus(redis_server.url), events.RedisBus(redis_server.url)
    closing += [worker, publisher]
    seen = collect(worker)
    assert wait_for(lambda: worker.client.pubsub_numsub(events.CHANNEL)[0][1] == 1)
    publisher.publish("gathering:1", {"kind": "a"})
    assert wait_for(lambda: len(seen) == 1)
    publisher.client.execute_command("CLIENT", "KILL", "TYPE", "pubsub")  # the worker's subscription drops
    publisher.publish("gathering:1", {"kind": "b"})  # published while nobody listened
    assert wait_for(lambda: len(seen) == 2, seconds=10)
    assert seen[1][2] == {"kind": "b"} and seen[1][1] == seen[0][1] + 1  # caught up, no resync needed
    assert json.loads(publisher.client.lrange("convoca:live:recent:gathering:1", -1, -1)[0])["e"] == {"kind": "b"}
