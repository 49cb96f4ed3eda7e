"""Speaking time: worked out on reading from started_at/elapsed; what happens when it runs out is the ticker's
(convoca tick), never a page read's."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from convoca.plenary import queries, services, ticks
from convoca.plenary.models import AgendaItem, Speaker
from tests.plenary.helpers import add_participant, fresh, item


@pytest.fixture
def floor(world):
    w = world
    w.item = item(w, current=True, speaking_seconds=60, total_seconds=90)
    w.dana, w.dana_reg = add_participant(w, "dana@example.org", "Dana Delegada", organisation=w.org_mx)
    services.ask_to_speak(w.bob, w.item)
    services.ask_to_speak(w.dana, w.item)
    services.start_next(w.alice, w.item)
    return w


def test_it_counts_down_on_reading_without_writing(floor, client):
    w = floor
    bob = Speaker.objects.get(item=w.item, state="speaking")
    later = bob.started_at + dt.timedelta(seconds=25)
    timer = queries.Timer.of(bob, later)
    assert (timer.remaining, timer.running, timer.over) == (35, True, False)
    assert timer.shown == "0:35"
    assert queries.Timer.of(bob, bob.started_at + dt.timedelta(seconds=75)).shown == "-0:15"
    with CaptureQueriesContext(connection) as reads:
        queries.speakers_list(w.bob, w.item)
    assert not [q for q in reads.captured_queries if not q["sql"].lstrip().upper().startswith("SELECT")]


def test_the_ticker_marks_a_speech_over_time_once(floor):
    w = floor
    bob = Speaker.objects.get(item=w.item, state="speaking")
    assert ticks.tick(bob.started_at + dt.timedelta(seconds=30)) == {"speeches": 0, "items": 0}
    due = bob.started_at + dt.timedelta(seconds=61)
    assert ticks.tick(due)["speeches"] == 1
    assert ticks.tick(due)["speeches"] == 0  # a second ticker finds nothing left to do
    bob.refresh_from_db()
    assert bob.overtime_at == due and bob.state == "speaking"  # the chair ends the speech, not the clock


def test_the_ticker_closes_the_list_when_the_items_time_is_spent(floor):
    w = floor
    version = fresh(w.item).version
    bob = Speaker.objects.get(item=w.item, state="speaking")
    due = bob.started_at + dt.timedelta(seconds=91)
    assert ticks.tick(due)["items"] == 1
    row = fresh(w.item)
    assert row.list_closed and row.time_up_at == due and row.time_runs_out_at is None
    assert row.version == version + 1
    assert ticks.tick(due + dt.timedelta(seconds=5))["items"] == 0


def test_a_paused_speech_never_runs_out(floor):
    w = floor
    services.pause_speaker(w.alice, w.item)
    assert ticks.tick(timezone.now() + dt.timedelta(hours=1)) == {"speeches": 0, "items": 0}
    assert not fresh(w.item).list_closed


def test_the_items_time_counts_every_speech(floor):
    w = floor
    bob = Speaker.objects.get(item=w.item, state="speaking")
    Speaker.objects.filter(pk=bob.pk).update(started_at=bob.started_at - dt.timedelta(seconds=50))
    services.start_next(w.alice, w.item)  # bob spoke ~50 s; dana starts with ~40 s left on the item
    row = fresh(w.item)
    assert 49 <= row.spent_seconds <= 52
    dana = Speaker.objects.get(item=w.item, state="speaking")
    left = (row.time_runs_out_at - dana.started_at).total_seconds()
    assert 38 <= left <= 41
    assert AgendaItem.objects.filter(time_runs_out_at__isnull=False).count() == 1
