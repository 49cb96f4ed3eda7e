"""Each kind of event the plenary announces has a schema, checked on the real events: exactly these keys, of
these types, and nothing personal (pages fetch what they show from the server)."""

import datetime as dt

import pytest

from convoca.core import events
from convoca.plenary import services, ticks
from convoca.plenary.models import Speaker
from tests.plenary.helpers import add_participant, item, session

SCHEMAS = {
    "agenda.changed": {"kind": str},  # sessions, items, the current item, the programme published or not
    "speakers.changed": {"kind": str, "item": int, "version": int},  # a list of speakers or its clock
    "message.changed": {"kind": str},  # the chair's message to the hall
}


@pytest.fixture
def heard(world):
    seen = []
    unsubscribe = events.subscribe(f"gathering:{world.conference.pk}", lambda _id, event: seen.append(event))
    yield seen
    unsubscribe()


def test_every_event_of_the_plenary_has_its_schema(world, heard, django_capture_on_commit_callbacks):
    w = world
    with django_capture_on_commit_callbacks(execute=True):
        session(w)
        hall = item(w, current=True, speaking_seconds=30)
        dana, dana_reg = add_participant(w, "dana@example.org", "Dana", organisation=w.org_mx)
        services.ask_to_speak(w.bob, hall, gender="man")
        services.ask_to_speak(dana, hall)
        services.start_next(w.alice, hall)
        services.admit_remote(w.alice, dana_reg)
        services.set_message(w.alice, w.conference, "Pausa")
        started = Speaker.objects.get(item=hall, state="speaking").started_at
        ticks.tick(started + dt.timedelta(seconds=31))
    kinds = {event["kind"] for event in heard}
    assert kinds == set(SCHEMAS)
    for event in heard:
        schema = SCHEMAS[event["kind"]]
        assert set(event) == set(schema), event
        for name, kind in schema.items():
            assert type(event[name]) is kind, (name, event)
    assert "man" not in str(heard) and "Dana" not in str(heard)
