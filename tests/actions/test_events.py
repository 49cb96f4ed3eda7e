"""The campaign's live events: their schema (exactly these keys and types, nothing personal), sent only after
a commit, and the stream that carries them to the campaign's open pages."""

import time

import pytest
from django.test import Client
from django.urls import reverse

from convoca.actions import services
from convoca.core import events
from tests.actions.helpers import action, campaign, data

SCHEMAS = {
    # An action was published, cancelled or reported on: the list, the counters and the map change.
    "actions.changed": {"kind": str, "campaign": int, "action": int, "country": str},
    # A place was taken or given back: the counters change.
    "actions.rsvps": {"kind": str, "campaign": int, "action": int, "country": str},
}


def until(condition, seconds=3):
    """Counters' events go out from the throttle's own thread (``events.publish_throttled``): wait for it."""
    deadline = time.monotonic() + seconds
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.01)
    return condition()


def check(event):
    schema = SCHEMAS[event["kind"]]
    assert set(event) == set(schema), event
    for name, kind in schema.items():
        assert type(event[name]) is kind, (name, event)


@pytest.mark.django_db(transaction=True)
def test_it_announces_publication_and_rsvps_after_the_commit(world, bus):
    topic = services.campaign_topic(campaign(world).pk)
    seen = []
    events.subscribe(topic, lambda _id, event: seen.append(event))
    created = services.create_action(world.bob, campaign(world), data())
    assert seen == []  # pending: nothing public changed
    services.approve_action(world.carla, created)
    services.rsvp(created, name="Luz", email="luz@example.org")
    assert until(lambda: len(seen) == 2) and [e["kind"] for e in seen] == ["actions.changed", "actions.rsvps"]
    for event in seen:
        check(event)
        assert "Luz" not in str(event) and "luz@" not in str(event)


@pytest.mark.django_db(transaction=True)
def test_it_announces_nothing_for_a_refused_rsvp(world, bus):
    target = action(world, capacity=1)
    seen = []
    events.subscribe(services.campaign_topic(target.campaign_id), lambda _id, event: seen.append(event))
    services.rsvp(target, name="Luz", email="luz@example.org")
    assert until(lambda: seen) and [e["kind"] for e in seen] == ["actions.rsvps"]  # the place taken
    with pytest.raises(Exception, match="full"):
        services.rsvp(target, name="Ana", email="ana@example.org")
    time.sleep(1.2)  # past the throttle's interval, when a second announcement would have gone out
    assert len(seen) == 1


@pytest.mark.django_db
def test_it_streams_the_campaigns_events_to_anyone(world):
    campaign(world)
    response = Client().get(reverse("actions:events", args=["dia-migrar"]), {"last": "1"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/event-stream")
    assert response["Cache-Control"].startswith("max-age=0") or "no-cache" in response["Cache-Control"]
    assert Client().get(reverse("actions:events", args=["no-such-day"])).status_code == 404
