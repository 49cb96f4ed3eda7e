"""Events are announced only after the transaction commits, in order, with monotonic ids per topic."""

import pytest
from django.db import transaction

from convoca.core import events


def test_it_announces_after_commit_only(db, django_capture_on_commit_callbacks):
    seen = []
    unsubscribe = events.subscribe("gathering:test-a", lambda event_id, event: seen.append((event_id, event)))
    try:
        with django_capture_on_commit_callbacks(execute=True):
            events.publish_on_commit("gathering:test-a", {"kind": "proposal.admitted", "id": 1})
            assert seen == []  # not before the commit
        assert [event for _id, event in seen] == [{"kind": "proposal.admitted", "id": 1}]
        with pytest.raises(RuntimeError), transaction.atomic():
            events.publish_on_commit("gathering:test-a", {"kind": "proposal.withdrawn", "id": 1})
            raise RuntimeError("rolled back")
        assert len(seen) == 1  # a rolled-back change announces nothing
    finally:
        unsubscribe()


def test_it_numbers_events_per_topic_and_keeps_recent_ones():
    first = events.publish("gathering:test-b", {"kind": "a"})
    second = events.publish("gathering:test-b", {"kind": "b"})
    events.publish("gathering:test-c", {"kind": "other"})
    assert second == first + 1
    assert events.since("gathering:test-b", first) == [(second, {"kind": "b"})]
