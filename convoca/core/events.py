"""Events for pages that others are looking at (the live plenary, a proposal's page, a poll's turnout).

A service that changes something calls ``publish_on_commit(topic, event)``: nothing happens until its
transaction commits (a rolled-back change announces nothing), then every subscriber of ``topic`` gets
``(id, event)``. Topics are strings such as ``"gathering:12"``; ids are monotonic per topic within the
process that publishes. This is the in-process bus of the embedded default; the live plenary adds the
streams to browsers and the fan-out across workers (Redis pub/sub) behind the same two functions.
Events carry what changed (kind, object ids, new state), never personal data or a ballot's content."""

import itertools
import threading
from collections import defaultdict, deque

from django.db import transaction

RECENT = 200  # events kept per topic, for a client that reconnects with the last id it saw

_lock = threading.Lock()
_counters = defaultdict(itertools.count)
_recent = defaultdict(lambda: deque(maxlen=RECENT))
_subscribers = defaultdict(list)


def publish_on_commit(topic, event):
    """Announce ``event`` (a JSON-ready dict with a ``"kind"``) on ``topic`` once the current transaction commits."""
    transaction.on_commit(lambda: publish(topic, event))


def publish(topic, event):
    with _lock:
        event_id = next(_counters[topic]) + 1
        _recent[topic].append((event_id, event))
        subscribers = list(_subscribers[topic])
    for callback in subscribers:
        callback(event_id, event)
    return event_id


def subscribe(topic, callback):
    """Call ``callback(id, event)`` for every event on ``topic`` from now on; returns a function that unsubscribes."""
    with _lock:
        _subscribers[topic].append(callback)

    def unsubscribe():
        with _lock:
            if callback in _subscribers[topic]:
                _subscribers[topic].remove(callback)

    return unsubscribe


def since(topic, last_id):
    """The events of ``topic`` after ``last_id`` still kept in memory, oldest first."""
    with _lock:
        return [(event_id, event) for event_id, event in _recent[topic] if event_id > last_id]
