"""Each kind of live event introduced by the live mechanism has a schema, checked on the real event (zulip's
habit): exactly these keys, of these types, and nothing personal."""

import time

import pytest

from convoca.core import events
from convoca.live.sse import frame
from convoca.voting import ballot_box, services
from tests.voting.helpers import check_in, key, open_poll

SCHEMAS = {
    # The ballot box, after a group commit with new votes (at most once a second per poll and process).
    "poll.turnout": {"kind": str, "poll": int},
    # The server could not say what a page missed: it reloads its fragments from the server's state.
    "resync": {"kind": str},
}


def check(event):
    schema = SCHEMAS[event["kind"]]
    assert set(event) == set(schema), event
    for name, kind in schema.items():
        assert type(event[name]) is kind, (name, event)


@pytest.mark.django_db(transaction=True)
def test_it_announces_the_turnout_of_a_poll_after_new_votes_are_committed(world, bus):
    check_in(world.bob_reg)
    poll = open_poll(world)
    ballot_box.poll_spec(poll.pk)  # as a server process has it once the poll opened
    seen = []
    stop = events.listen(lambda topic, event_id, event: seen.append((topic, event)))
    try:
        services.cast_ballot(world.bob, poll.pk, ["yes"], key())
        deadline = time.monotonic() + 3
        while not seen and time.monotonic() < deadline:
            time.sleep(0.02)
    finally:
        stop()
    assert seen == [(f"gathering:{world.conference.pk}", {"kind": "poll.turnout", "poll": poll.pk})]
    check(seen[0][1])
    assert "bob" not in str(seen) and "yes" not in str(seen)  # who voted, and what: never


@pytest.mark.django_db(transaction=True)
def test_it_announces_nothing_for_a_refused_or_repeated_ballot(world, bus):
    check_in(world.bob_reg)
    poll = open_poll(world)
    ballot_box.poll_spec(poll.pk)
    request_key = key()
    services.cast_ballot(world.bob, poll.pk, ["yes"], request_key)
    time.sleep(1.2)  # past the throttle's interval
    seen = []
    stop = events.listen(lambda topic, event_id, event: seen.append(event))
    try:
        services.cast_ballot(world.bob, poll.pk, ["yes"], request_key)  # a retry: counted once, nothing new
        time.sleep(0.3)
    finally:
        stop()
    assert seen == []


def test_it_describes_the_resync_event():
    check(events.RESYNC)
    assert frame(7, events.RESYNC) == b'id: 7\nevent: resync\ndata: {"kind":"resync"}\n\n'
