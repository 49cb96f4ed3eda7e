"""The stream of a gathering's events: ``GET /live/gatherings/<id>/events`` (server-sent events).

Django checks the session and the permission as for any page; the answer is a ``LiveStreamResponse``. Under
``convoca serve`` the stream itself then runs on the worker's event loop (``convoca.rsgi`` and
``fanout``); anywhere else (``runserver``, a plain WSGI server) the response's own body streams for a
minute from a thread, and the browser reconnects."""

import queue
import re
import time
from dataclasses import dataclass, field

from django.http import Http404, StreamingHttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from convoca.core import events
from convoca.core.web import get_for_user
from convoca.gatherings.models import Gathering

from .sse import comment, frame, retry

EVENT_ID = re.compile(r"\d{1,18}")
THREAD_STREAM_SECONDS = 60  # outside convoca serve, a stream holds a thread: not for longer
HEARTBEAT = 15.0


@dataclass
class LiveStream:
    """What a new stream starts with: the replay (or a resync), and the id it has reached (its cursor)."""

    topic: str
    cursor: int
    replay: list = field(default_factory=list)
    resync: bool = False


def start(topic, last_id):
    """The stream of ``topic`` for a reader who saw everything up to ``last_id`` (None: nothing to catch up)."""
    if last_id is None:
        return LiveStream(topic, events.last_id(topic))
    replay = events.since(topic, last_id)
    if replay is None:  # what it missed is no longer known: it reloads from the server's state
        return LiveStream(topic, events.last_id(topic), resync=True)
    return LiveStream(topic, replay[-1][0] if replay else last_id, replay)


def last_event_id(request):
    """The browser's Last-Event-ID on a reconnection, else the page's own (``?last=``, the id it was drawn at)."""
    for value in (request.headers.get("Last-Event-ID"), request.GET.get("last")):
        if value is not None and EVENT_ID.fullmatch(value.strip()):
            return int(value.strip())
    return None


class LiveStreamResponse(StreamingHttpResponse):
    """Server-sent events. ``live_stream`` tells ``convoca.rsgi`` to serve it on the event loop."""

    def __init__(self, live):
        super().__init__(_thread_stream(live), content_type="text/event-stream; charset=utf-8")
        self.live_stream = live
        self["X-Accel-Buffering"] = "no"  # nginx: pass each event on at once


@require_GET
@never_cache
def gathering_events(request, pk):
    # A gathering the reader may not see is missing, as on the other pages of gatherings.
    gathering = get_for_user(request, Gathering.objects.only("pk"), pk=pk)
    if not request.user.has_perm("gatherings.view_gathering", gathering):
        raise Http404
    return stream_response(request, f"gathering:{gathering.pk}")


def stream_response(request, topic):
    """The server-sent stream of ``topic`` for this reader (after the view checked they may follow it): from
    where their Last-Event-ID (or the page's ``?last=``) says they are."""
    # GZipMiddleware would compress the stream: it holds each event back until its buffer fills (runserver,
    # tests, --interface wsgi) and labels the raw frames that convoca serve sends as gzip. Events stay plain.
    request.META.pop("HTTP_ACCEPT_ENCODING", None)
    return LiveStreamResponse(start(topic, last_event_id(request)))


def _thread_stream(live, seconds=THREAD_STREAM_SECONDS):
    """The same stream from a thread, for a minute (outside ``convoca serve``)."""
    waiting = queue.SimpleQueue()
    unsubscribe = events.subscribe(live.topic, lambda event_id, event: waiting.put((event_id, event)))
    try:
        yield retry()
        if live.resync:
            yield frame(live.cursor, events.RESYNC)
        for event_id, event in live.replay:
            yield frame(event_id, event)
        cursor, deadline = live.cursor, time.monotonic() + seconds
        while time.monotonic() < deadline:
            try:
                event_id, event = waiting.get(timeout=min(HEARTBEAT, max(0.01, deadline - time.monotonic())))
            except queue.Empty:
                yield comment()
                continue
            if event is events.RESYNC or event_id > cursor:
                cursor = event_id
                yield frame(event_id, event)
    finally:
        unsubscribe()
