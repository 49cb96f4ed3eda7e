"""The bus of live events in one process: ids, replay, resync, listeners, the throttle."""

import threading
import time

import pytest

from convoca.core import events


def test_it_numbers_the_events_of_each_topic_one_by_one(bus):
    first = events.publish("gathering:1", {"kind": "a"})
    second = events.publish("gathering:1", {"kind": "b"})
    other = events.publish("gathering:2", {"kind": "c"})
    assert second == first + 1
    assert events.last_id("gathering:1") == second
    assert events.last_id("gathering:2") == other
    assert events.last_id("gathering:3") == 0


def test_it_starts_the_ids_of_a_new_process_above_every_id_of_an_earlier_one(bus):
    before = events.publish("gathering:1", {"kind": "a"})
    time.sleep(0.002)
    events.use(events.LocalBus())  # the server restarted: nothing remembered
    after = events.publish("gathering:1", {"kind": "a"})
    assert after > before
    assert after > 10**15  # microseconds since 1970: a browser's Last-Event-ID from before is always smaller


def test_it_replays_what_a_reader_missed_oldest_first(bus):
    ids = [events.publish("gathering:1", {"kind": "k", "n": n}) for n in range(5)]
    assert events.since("gathering:1", ids[1]) == [(ids[2], {"kind": "k", "n": 2}), (ids[3], {"kind": "k", "n": 3}),
                                                  (ids[4], {"kind": "k", "n": 4})]
    assert events.since("gathering:1", ids[4]) == []
    assert events.since("gathering:1", None) == []


def test_it_asks_for_a_resync_when_it_no_longer_knows_what_was_missed(bus):
    first = events.publish("gathering:1", {"kind": "k"})
    for _ in range(events.RECENT + 5):
        events.publish("gathering:1", {"kind": "k"})
    assert events.since("gathering:1", first) is None  # fell out of memory
    assert events.since("gathering:1", events.last_id("gathering:1") + 7) is None  # an id from nowhere
    assert events.since("gathering:9", 123) is None  # ids from before a restart: nothing known since


def test_it_announces_after_commit_only_and_never_a_rolled_back_change(bus, db, django_capture_on_commit_callbacks):
    seen = []
    unsubscribe = events.subscribe("gathering:1", lambda event_id, event: seen.append((event_id, event)))
    try:
        with django_capture_on_commit_callbacks(execute=True):
            events.publish_on_commit("gathering:1", {"kind": "k"})
            assert seen == []
        assert [event for _id, event in seen] == [{"kind": "k"}]
        from django.db import transaction

        with pytest.raises(RuntimeError), transaction.atomic():
            events.publish_on_commit("gathering:1", {"kind": "rolled back"})
            raise RuntimeError
        assert len(seen) == 1
    finally:
        unsubscribe()
    events.publish("gathering:1", {"kind": "after"})
    assert len(seen) == 1  # unsubscribed


def test_it_tells_every_listener_of_every_topic_in_order(bus):
    seen = []
    stop = events.listen(lambda topic, event_id, event: seen.append((topic, event_id)))
    try:
        threads = [threading.Thread(target=lambda: [events.publish("gathering:1", {"kind": "k"}) for _ in range(50)])
                   for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        stop()
    ids = [event_id for _topic, event_id in seen]
    assert ids == sorted(ids) and len(set(ids)) == 200  # delivered in the order of their ids, none twice


def test_it_publishes_a_figure_at_most_once_per_interval_and_always_the_last(bus):
    seen = []
    stop = events.listen(lambda topic, event_id, event: seen.append(event["n"]))
    try:
        for n in range(5):
            events.publish_throttled("gathering:1", {"kind": "poll.turnout", "n": n}, key="t", interval=0.3)
        deadline = time.monotonic() + 3
        while seen[-1:] != [4] and time.monotonic() < deadline:
            time.sleep(0.02)
    finally:
        stop()
    assert seen[0] == 0  # the first at once
    assert seen[-1] == 4  # the last one asked for, at the end of the interval
    assert len(seen) == 2  # and nothing in between
