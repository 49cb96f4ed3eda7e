"""Server-sent events, as the bytes of the stream (https://html.spec.whatwg.org/#server-sent-events)."""

import json

RETRY_MS = 2000  # how long a browser waits before it reconnects


def frame(event_id, event):
    """One event: ``id:`` (the browser sends it back as Last-Event-ID), ``event:`` (its kind), ``data:`` (JSON)."""
    data = json.dumps(event, separators=(",", ":"), ensure_ascii=False)  # one line: JSON escapes newlines
    kind = str(event.get("kind", "message")).replace("\n", " ").replace("\r", " ")
    return f"id: {event_id}\nevent: {kind}\ndata: {data}\n\n".encode()


def comment(text=""):
    """A comment line: ignored by browsers, it keeps the connection (and the proxies on the way) awake."""
    return f":{text}\n\n".encode()


def retry():
    return f"retry: {RETRY_MS}\n\n".encode()
