"""The stream of a gathering's events as Django answers it: permission, headers, replay, resync,
heartbeats; and the pages that opt in (the poll's turnout)."""

import rules

from convoca.core import events
from convoca.live.views import LiveStream, _thread_stream, start
from tests.fixtures import client_for


def url(gathering):
    return f"/live/gatherings/{gathering.pk}/events"


def test_it_opens_the_stream_of_a_gathering_the_reader_may_see(world, bus):
    response = client_for(world.bob).get(url(world.conference))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/event-stream; charset=utf-8"
    assert "no-store" in response["Cache-Control"]
    assert response["X-Accel-Buffering"] == "no"  # nginx passes each event on at once
    assert response.live_stream.topic == f"gathering:{world.conference.pk}"
    anonymous = client_for(None).get(url(world.conference))  # every gathering is public, so is its stream
    assert anonymous.status_code == 200


def test_it_answers_a_forged_subscription_with_the_missing_page_and_no_event(world, bus):
    events.publish(f"gathering:{world.conference.pk}", {"kind": "secret.thing"})
    missing = client_for(world.bob).get("/live/gatherings/987654/events")
    assert missing.status_code == 404 and not hasattr(missing, "live_stream")
    # A gathering the reader may not see looks missing too (today every gathering is public: a rule that
    # hides this one from bob stands in for a future private gathering).
    hidden_from_bob = rules.predicate(lambda user, gathering: user.pk != world.bob.pk)
    original = rules.permissions.permissions["gatherings.view_gathering"]
    rules.set_perm("gatherings.view_gathering", hidden_from_bob)
    try:
        refused = client_for(world.bob).get(url(world.conference), HTTP_LAST_EVENT_ID="1")
        allowed = client_for(world.alice).get(url(world.conference))
    finally:
        rules.set_perm("gatherings.view_gathering", original)
    assert refused.status_code == 404 and not hasattr(refused, "live_stream")
    assert b"secret.thing" not in refused.content
    assert allowed.status_code == 200


def test_it_replays_what_a_reconnecting_page_missed_after_its_last_event_id(world, bus):
    topic = f"gathering:{world.conference.pk}"
    ids = [events.publish(topic, {"kind": "speakers.changed", "n": n}) for n in range(4)]
    response = client_for(world.bob).get(url(world.conference), HTTP_LAST_EVENT_ID=str(ids[1]))
    live = response.live_stream
    assert live.replay == [(ids[2], {"kind": "speakers.changed", "n": 2}), (ids[3], {"kind": "speakers.changed", "n": 3})]
    assert live.cursor == ids[3] and not live.resync
    # The first connection of a page says the id it was drawn at (?last=); a reconnection's header wins.
    assert client_for(world.bob).get(url(world.conference) + f"?last={ids[2]}").live_stream.replay == [
        (ids[3], {"kind": "speakers.changed", "n": 3})]
    # Nothing to catch up: the stream starts at the latest id.
    fresh = client_for(world.bob).get(url(world.conference)).live_stream
    assert fresh.replay == [] and fresh.cursor == ids[3] and not fresh.resync
    garbage = client_for(world.bob).get(url(world.conference), HTTP_LAST_EVENT_ID="12; DROP").live_stream
    assert garbage.replay == [] and garbage.cursor == ids[3]


def test_it_tells_a_page_to_resync_when_what_it_missed_is_no_longer_known(world, bus):
    topic = f"gathering:{world.conference.pk}"
    old = events.publish(topic, {"kind": "k"})
    for _ in range(events.RECENT + 1):
        events.publish(topic, {"kind": "k"})
    live = client_for(world.bob).get(url(world.conference), HTTP_LAST_EVENT_ID=str(old)).live_stream
    assert live.resync and live.replay == [] and live.cursor == events.last_id(topic)
    before_restart = start(topic, 12345)  # an id this server never gave
    assert before_restart.resync


def test_it_streams_from_a_thread_outside_convoca_serve_with_heartbeats(world, bus):
    topic = f"gathering:{world.conference.pk}"
    first = events.publish(topic, {"kind": "agenda.changed", "item": 3})
    chunks = _thread_stream(LiveStream(topic, first, [(first, {"kind": "agenda.changed", "item": 3})]), seconds=0.2)
    assert next(chunks) == b"retry: 2000\n\n"
    assert next(chunks) == (f'id: {first}\nevent: agenda.changed\ndata: {{"kind":"agenda.changed","item":3}}\n\n'
                            .encode())
    later = events.publish(topic, {"kind": "speakers.changed"})
    assert next(chunks) == f'id: {later}\nevent: speakers.changed\ndata: {{"kind":"speakers.changed"}}\n\n'.encode()
    assert next(chunks) == b":\n\n"  # nothing more: a heartbeat
    assert list(chunks) in ([], [b":\n\n"])  # and the stream ends after its time (the browser reconnects)
    resync = _thread_stream(LiveStream(topic, later, resync=True), seconds=0.01)
    assert list(resync)[:2] == [b"retry: 2000\n\n", f'id: {later}\nevent: resync\ndata: {{"kind":"resync"}}\n\n'.encode()]
