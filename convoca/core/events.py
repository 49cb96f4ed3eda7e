"""Events for pages that others are looking at (the live plenary, a proposal's page, a poll's turnout).

The contract (see docs/CONTRIBUTING.md, "Live pages"):

* A service that changes something others look at calls ``publish_on_commit(f"gathering:{id}", {"kind": ...})``
  inside its transaction. Nothing happens until the transaction commits (a rolled-back change announces
  nothing); then the event gets an **id, monotonic per topic across every process of the server**, and every
  open page of the gathering receives it (``convoca.live``: server-sent events).
* Events say what changed (kind, object ids, new state), never personal data or a ballot's content: pages
  fetch what they show from the server, which checks the reader's permissions.
* Ids never go back, even across a restart of the server or of Redis: a topic's first id is the time in
  microseconds, later ones count up by one. So a page that reconnects with the last id it saw is either
  given what it missed (``since``) or told to resynchronise from the server's state (``RESYNC``), never
  given an older event under a newer number.

Three ways to carry them, one interface (``bus()``):

* ``LocalBus``: this process only (tests, ``runserver``, a shell);
* ``HubBus``: the embedded default. ``convoca serve`` without Redis keeps a small hub in its own process
  (``Hub``, a Unix socket in a private directory): its web workers and its ticker publish to it, it numbers
  the events and sends them to every worker;
* ``RedisBus``: with ``REDIS_URL``. One Lua script numbers the event (INCR per topic), keeps the recent ones
  (a capped list per topic, for replay) and publishes it on one channel, atomically, so every worker sees
  the events of a topic in the order of their ids; each process runs one subscriber thread. After a lost
  connection it catches up from the list, or tells its pages to resynchronise when it cannot prove that
  nothing was missed; an event that could not be published is kept and sent again when Redis answers.
"""

import contextlib
import itertools
import json
import logging
import os
import queue
import socket
import tempfile
import threading
import time
from collections import defaultdict, deque

from django.db import transaction

logger = logging.getLogger(__name__)

RECENT = 200  # events kept per topic, for a client that reconnects with the last id it saw
RESYNC = {"kind": "resync"}  # delivered to listeners (with the topic's latest id) when events may have been missed
CHANNEL = "convoca:live"
KEY_PREFIX = "convoca:live:"
REDIS_TTL = 7 * 24 * 3600  # a topic's counter and recent events, after its last event
HUB_ENV = "CONVOCA_LIVE_HUB"


def _floor():
    """The first id of a topic: now in microseconds, so ids keep growing after any restart."""
    return time.time_ns() // 1000


def _dumps(value):
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


# --- the interface -----------------------------------------------------------------------------------


def publish_on_commit(topic, event):
    """Announce ``event`` (a JSON-ready dict with a ``"kind"``) on ``topic`` once the current transaction commits."""
    transaction.on_commit(lambda: publish(topic, event))


def publish(topic, event):
    """Announce ``event`` on ``topic`` now; returns its id (None when the hub numbers it)."""
    return bus().publish(topic, event)


def subscribe(topic, callback):
    """Call ``callback(id, event)`` for every event on ``topic`` from now on (``RESYNC`` when some may have been
    missed); returns a function that unsubscribes. Callbacks run in the thread that delivers: keep them short."""
    return bus().add_listener(topic, callback)


def listen(callback):
    """Call ``callback(topic, id, event)`` for every event on every topic; returns a function that stops."""
    return bus().add_listener(None, callback)


def since(topic, last_id):
    """The events of ``topic`` after ``last_id``, oldest first, or None when they are no longer all known
    (the reader must resynchronise from the server's state)."""
    return bus().since(topic, last_id)


def last_id(topic):
    """The id of the latest event of ``topic`` (0 when none is known)."""
    return bus().last_id(topic)


class _Throttle:
    """At most one event per key and interval; the last one asked for meanwhile goes out at the end of the
    interval, so the last state is always announced. Its own thread publishes: the caller (the ballot box's
    writer, holding the database's write lock) never waits for Redis or the hub."""

    def __init__(self):
        self._queue = queue.SimpleQueue()
        self._thread = None
        self._lock = threading.Lock()

    def publish(self, topic, event, key, interval):
        self._queue.put((topic, event, key, interval))
        if self._thread is None:
            with self._lock:
                if self._thread is None:
                    self._thread = threading.Thread(target=self._run, name="convoca-live-throttle", daemon=True)
                    self._thread.start()

    def _run(self):
        last, waiting = {}, {}  # key -> when its last event went out; key -> (due, topic, event)
        while True:
            timeout = max(0.0, min(due for due, _t, _e in waiting.values()) - time.monotonic()) if waiting else None
            try:
                item = self._queue.get(timeout=timeout)
            except queue.Empty:
                item = None
            now = time.monotonic()
            if item is not None:
                topic, event, key, interval = item
                if key in waiting:
                    waiting[key] = (waiting[key][0], topic, event)
                elif now - last.get(key, -interval) >= interval:
                    last[key] = now
                    self._send(topic, event)
                else:
                    waiting[key] = (last[key] + interval, topic, event)
            for key, (due, topic, event) in list(waiting.items()):
                if due <= now:
                    del waiting[key]
                    last[key] = now
                    self._send(topic, event)
            if len(last) > 10000:  # keys come and go (one per poll): keep the map bounded
                last = {k: t for k, t in last.items() if now - t < 60}

    @staticmethod
    def _send(topic, event):
        try:
            publish(topic, event)
        except Exception:  # noqa: BLE001 - an announcement is never worth the thread
            logger.exception("could not publish a throttled event")


_throttle = _Throttle()


def publish_throttled(topic, event, key, interval=1.0):
    """``publish`` at most once per ``interval`` seconds per ``key`` in this process (the last event asked
    for is published at the end of the interval). For figures that change with every write, such as a poll's
    turnout: call it after the commit."""
    _throttle.publish(topic, event, key, interval)


# --- what each process remembers -----------------------------------------------------------------------


class _Memory:
    """The recent events of each topic and the latest id, as this process knows them."""

    def __init__(self):
        self.latest = {}
        self.recent = defaultdict(lambda: deque(maxlen=RECENT))

    def record(self, topic, event_id, event):
        self.latest[topic] = max(event_id, self.latest.get(topic, 0))
        self.recent[topic].append((event_id, event))

    def since(self, topic, last_id, latest=None):
        latest = self.latest.get(topic, 0) if latest is None else latest
        if last_id is None or last_id == latest:
            return []
        if last_id > latest:  # an id from before a restart, or from nowhere
            return None
        kept = self.recent.get(topic)
        if not kept or kept[0][0] > last_id + 1:  # the oldest we keep is already too recent
            return None
        return [(event_id, event) for event_id, event in kept if event_id > last_id]


class _Listeners:
    def __init__(self):
        self._lock = threading.Lock()
        self._by_topic = defaultdict(list)

    def add(self, topic, callback):
        with self._lock:
            self._by_topic[topic].append(callback)

        def remove():
            with self._lock:
                if callback in self._by_topic.get(topic, ()):
                    self._by_topic[topic].remove(callback)

        return remove

    def deliver(self, topic, event_id, event):
        with self._lock:
            own, every = list(self._by_topic.get(topic, ())), list(self._by_topic.get(None, ()))
        for callback in own:
            callback(event_id, event)
        for callback in every:
            callback(topic, event_id, event)

    def __bool__(self):
        with self._lock:
            return any(self._by_topic.values())


class LocalBus:
    """One process: ids, memory and listeners here."""

    def __init__(self):
        self._lock = threading.Lock()
        self._memory = _Memory()
        self._counters = {}
        self.listeners = _Listeners()

    def publish(self, topic, event):
        with self._lock:
            counter = self._counters.get(topic)
            if counter is None:
                counter = self._counters[topic] = itertools.count(_floor() + 1)
            event_id = next(counter)
            self._memory.record(topic, event_id, event)
            # delivered under the lock, so that every listener sees the ids of a topic in order
            self.listeners.deliver(topic, event_id, event)
        return event_id

    def add_listener(self, topic, callback):
        return self.listeners.add(topic, callback)

    def since(self, topic, last_id):
        with self._lock:
            return self._memory.since(topic, last_id)

    def last_id(self, topic):
        with self._lock:
            return self._memory.latest.get(topic, 0)

    def close(self):
        pass


# --- the hub of the embedded default -------------------------------------------------------------------


class Hub:
    """Numbers and relays the events of every process of one ``convoca serve`` without Redis: its web
    workers subscribe, they and the ticker publish. Runs in threads of the serving process; newline-separated
    JSON over a Unix socket in a directory only this account can open."""

    def __init__(self, path=None):
        if path is None:
            path = os.path.join(tempfile.mkdtemp(prefix="convoca-live-"), "hub.sock")
        self.path = path
        self._bus = LocalBus()
        self._subscribers = []
        self._lock = threading.Lock()
        self._server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        with contextlib.suppress(FileNotFoundError):
            os.unlink(path)
        self._server.bind(path)
        os.chmod(path, 0o600)
        self._server.listen(64)
        self._bus.add_listener(None, self._relay)

    def start(self):
        threading.Thread(target=self._accept, name="convoca-live-hub", daemon=True).start()
        return self

    def close(self):
        with contextlib.suppress(OSError):
            self._server.close()
        with contextlib.suppress(OSError):
            os.unlink(self.path)

    def _accept(self):
        while True:
            try:
                conn, _addr = self._server.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(conn,), name="convoca-live-hub-conn", daemon=True).start()

    def _serve(self, conn):
        reader = conn.makefile("rb")
        try:
            for line in reader:
                message = json.loads(line)
                if message.get("sub"):
                    with self._lock:  # what it missed so far, then everything from now on, in order
                        for topic, kept in list(self._bus._memory.recent.items()):
                            for event_id, event in list(kept):
                                conn.sendall(_line(topic, event_id, event))
                        self._subscribers.append(conn)
                else:
                    with self._lock:
                        self._bus.publish(message["t"], message["e"])
        except (OSError, ValueError, KeyError):
            pass
        finally:
            with self._lock:
                if conn in self._subscribers:
                    self._subscribers.remove(conn)
            with contextlib.suppress(OSError):
                conn.close()

    def _relay(self, topic, event_id, event):  # called under self._lock, by the publishing connection's thread
        data = _line(topic, event_id, event)
        for conn in list(self._subscribers):
            try:
                conn.sendall(data)
            except OSError:
                self._subscribers.remove(conn)


def _line(topic, event_id, event):
    return (_dumps({"t": topic, "i": event_id, "e": event}) + "\n").encode()


def start_hub():
    """Start the hub in this process and point the processes started from now on at it (``convoca serve``)."""
    hub = Hub(os.environ.get(HUB_ENV) or None).start()
    os.environ[HUB_ENV] = hub.path
    return hub


class HubBus:
    """A process of ``convoca serve`` without Redis: publishes to the hub, and (once something listens)
    receives every event from it."""

    def __init__(self, path):
        self.path = path
        self._memory = _Memory()
        self._lock = threading.Lock()
        self._send_lock = threading.Lock()
        self._sender = None
        self._listening = False
        self._closed = False
        self._conn = None
        self.listeners = _Listeners()

    def publish(self, topic, event):
        data = (_dumps({"t": topic, "e": event}) + "\n").encode()
        with self._send_lock:
            for attempt in (1, 2):
                try:
                    if self._sender is None:
                        self._sender = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                        self._sender.connect(self.path)
                    self._sender.sendall(data)
                    return None
                except OSError:
                    with contextlib.suppress(OSError):
                        if self._sender is not None:
                            self._sender.close()
                    self._sender = None
                    if attempt == 2:
                        logger.warning("live events: the hub does not answer; an event was not announced")
        return None

    def add_listener(self, topic, callback):
        remove = self.listeners.add(topic, callback)
        with self._lock:
            if not self._listening:
                self._listening = True
                threading.Thread(target=self._receive, name="convoca-live-hub-sub", daemon=True).start()
        return remove

    def _receive(self):
        connected_before = False
        while not self._closed:
            try:
                with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as conn:
                    self._conn = conn
                    conn.connect(self.path)
                    conn.sendall(b'{"sub":1}\n')
                    if connected_before:
                        self._resync_all()
                    connected_before = True
                    for line in conn.makefile("rb"):
                        message = json.loads(line)
                        self._receive_one(message["t"], message["i"], message["e"])
            except (OSError, ValueError, KeyError):
                pass
            time.sleep(0.5)

    def _receive_one(self, topic, event_id, event):
        with self._lock:
            if event_id <= self._memory.latest.get(topic, 0):  # already known (the hub's catch-up on connect)
                return
            self._memory.record(topic, event_id, event)
            self.listeners.deliver(topic, event_id, event)

    def _resync_all(self):
        with self._lock:
            for topic, latest in self._memory.latest.items():
                self.listeners.deliver(topic, latest, RESYNC)

    def since(self, topic, last_id):
        with self._lock:
            return self._memory.since(topic, last_id)

    def last_id(self, topic):
        with self._lock:
            return self._memory.latest.get(topic, 0)

    def close(self):
        self._closed = True
        for conn in (self._conn, self._sender):
            if conn is not None:
                with contextlib.suppress(OSError):
                    conn.shutdown(socket.SHUT_RDWR)


# --- Redis -----------------------------------------------------------------------------------------------

# KEYS: the topic's counter, its recent events. ARGV: the topic (JSON), the event (JSON), how many to keep,
# the TTL, the channel. Atomic: ids are given, kept and published in the same order.
_PUBLISH = """
if redis.call('EXISTS', KEYS[1]) == 0 then
  local now = redis.call('TIME')
  redis.call('SET', KEYS[1], string.format('%.0f', tonumber(now[1]) * 1000000 + tonumber(now[2])))
end
local id = string.format('%.0f', redis.call('INCR', KEYS[1]))
local message = '{"t":' .. ARGV[1] .. ',"i":' .. id .. ',"e":' .. ARGV[2] .. '}'
redis.call('RPUSH', KEYS[2], message)
redis.call('LTRIM', KEYS[2], -tonumber(ARGV[3]), -1)
redis.call('EXPIRE', KEYS[1], ARGV[4])
redis.call('EXPIRE', KEYS[2], ARGV[4])
redis.call('PUBLISH', ARGV[5], message)
return id
"""


class RedisBus:
    """Several processes, several machines: Redis numbers, keeps and carries the events."""

    PENDING_MAX = 10000  # events kept while Redis does not answer

    def __init__(self, url):
        import redis

        self._redis = redis
        self.url = url
        self.client = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=1)
        self._script = self.client.register_script(_PUBLISH)
        self._memory = _Memory()
        self._lock = threading.Lock()
        self._pending = deque(maxlen=self.PENDING_MAX)
        self._retrying = False
        self._listening = False
        self._pubsub = None
        self._closed = False
        self._watched = set()  # topics this process opened a stream on (since, last_id)
        self.listeners = _Listeners()

    @staticmethod
    def _keys(topic):
        return KEY_PREFIX + "id:" + topic, KEY_PREFIX + "recent:" + topic

    def publish(self, topic, event):
        with self._lock:
            if self._pending:  # keep the order: after what is still waiting
                self._pending.append((topic, event))
                return None
        try:
            return self._publish(topic, event)
        except self._redis.RedisError:
            logger.warning("live events: Redis does not answer; the event waits")
            with self._lock:
                self._pending.append((topic, event))
                self._start_retrying()
            return None

    def _publish(self, topic, event):
        return int(self._script(keys=self._keys(topic), args=[_dumps(topic), _dumps(event), RECENT, REDIS_TTL, CHANNEL]))

    def _start_retrying(self):  # under self._lock
        if not self._retrying:
            self._retrying = True
            threading.Thread(target=self._retry, name="convoca-live-retry", daemon=True).start()

    def _retry(self):
        while not self._closed:
            time.sleep(0.5)
            with self._lock:
                if not self._pending:
                    self._retrying = False
                    return
                topic, event = self._pending[0]
            try:
                self._publish(topic, event)
            except self._redis.RedisError:
                continue
            with self._lock:
                self._pending.popleft()

    def add_listener(self, topic, callback):
        remove = self.listeners.add(topic, callback)
        with self._lock:
            if not self._listening:
                self._listening = True
                threading.Thread(target=self._receive, name="convoca-live-redis-sub", daemon=True).start()
        return remove

    def _receive(self):
        while not self._closed:
            pubsub = None
            try:
                client = self._redis.Redis.from_url(self.url, socket_connect_timeout=1, socket_keepalive=True,
                                                    health_check_interval=15)
                pubsub = client.pubsub(ignore_subscribe_messages=True)
                pubsub.subscribe(CHANNEL)
                self._pubsub = pubsub
                self._catch_up()
                quiet_since = time.monotonic()
                while not self._closed:
                    message = pubsub.get_message(timeout=1)
                    if message is None or message.get("type") != "message":
                        if time.monotonic() - quiet_since > 15:
                            pubsub.ping()  # a silent channel: make sure the connection still works
                            quiet_since = time.monotonic()
                        continue
                    quiet_since = time.monotonic()
                    data = json.loads(message["data"])
                    self._receive_one(data["t"], data["i"], data["e"])
            except (self._redis.RedisError, OSError, ValueError, KeyError):
                pass
            finally:
                if pubsub is not None:
                    with contextlib.suppress(Exception):  # noqa: BLE001 - the connection may already be gone
                        pubsub.close()
            time.sleep(0.2)

    def _receive_one(self, topic, event_id, event):
        with self._lock:
            if event_id <= self._memory.latest.get(topic, 0):
                return
            self._memory.record(topic, event_id, event)
            self.listeners.deliver(topic, event_id, event)

    def _catch_up(self):
        """After (re)subscribing: the events published while this process was not subscribed, from the recent
        lists, for every topic it delivered or opened a stream on; RESYNC for a topic whose list no longer
        reaches back to what it delivered (Redis restarted, or too many events)."""
        with self._lock:
            known, watched = dict(self._memory.latest), set(self._watched)
        for topic in set(known) | watched:
            counter, recent = self._keys(topic)
            latest = self.client.get(counter)
            kept = [json.loads(raw) for raw in self.client.lrange(recent, 0, -1)]
            latest = int(latest) if latest is not None else None
            seen = known.get(topic)
            with self._lock:
                if seen is None:  # nothing delivered here yet: the streams opened here start from these
                    for message in kept:
                        if message["i"] > self._memory.latest.get(topic, 0):
                            self._memory.record(topic, message["i"], message["e"])
                            self.listeners.deliver(topic, message["i"], message["e"])
                    continue
                missed = [(m["i"], m["e"]) for m in kept if m["i"] > seen]
                if latest == seen:
                    continue
                if latest is not None and latest > seen and missed and missed[0][0] == seen + 1:
                    for event_id, event in missed:
                        if event_id > self._memory.latest.get(topic, 0):
                            self._memory.record(topic, event_id, event)
                            self.listeners.deliver(topic, event_id, event)
                    continue
                # Cannot prove that nothing was missed: the pages reload from the server's state.
                now = latest if latest is not None and latest > seen else seen
                self._memory.latest[topic] = now
                self._memory.recent.pop(topic, None)
                self.listeners.deliver(topic, now, RESYNC)

    def since(self, topic, last_id):
        with self._lock:
            self._watched.add(topic)
        if last_id is None:
            return []
        with self._lock:
            found = self._memory.since(topic, last_id)
        if found is not None and found and found[0][0] == last_id + 1:
            return found
        counter, recent = self._keys(topic)
        try:
            latest = self.client.get(counter)
            kept = [json.loads(raw) for raw in self.client.lrange(recent, 0, -1)]
        except self._redis.RedisError:
            return None
        memory = _Memory()
        for message in kept:
            memory.record(topic, message["i"], message["e"])
        return memory.since(topic, last_id, int(latest) if latest is not None else 0)

    def last_id(self, topic):
        with self._lock:
            self._watched.add(topic)
        try:
            latest = self.client.get(self._keys(topic)[0])
        except self._redis.RedisError:
            latest = None
        with self._lock:
            known = self._memory.latest.get(topic, 0)
        return max(int(latest) if latest is not None else 0, known)

    def close(self):
        self._closed = True
        with contextlib.suppress(Exception):  # noqa: BLE001 - closing what may already be broken
            self.client.close()


# --- which bus -----------------------------------------------------------------------------------------

_bus = None
_bus_lock = threading.Lock()


def bus():
    """This process's bus: Redis with ``REDIS_URL``, the hub under ``convoca serve``, else in-process
    (``CONVOCA_LIVE_BUS=local`` forces the last: the test suite's own process, even beside a Redis)."""
    global _bus
    if _bus is None:
        with _bus_lock:
            if _bus is None:
                from django.conf import settings

                url = getattr(settings, "REDIS_URL", None)
                hub = os.environ.get(HUB_ENV)
                if os.environ.get("CONVOCA_LIVE_BUS") == "local":
                    url = hub = None
                _bus = RedisBus(url) if url else HubBus(hub) if hub else LocalBus()
    return _bus


def use(new_bus):
    """Replace this process's bus (tests of one kind of bus); returns the previous one."""
    global _bus
    with _bus_lock:
        previous, _bus = _bus, new_bus
    return previous


def _after_fork_in_child():
    global _bus, _bus_lock, _throttle
    _bus, _bus_lock, _throttle = None, threading.Lock(), _Throttle()


os.register_at_fork(after_in_child=_after_fork_in_child)
