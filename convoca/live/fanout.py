"""The live streams of one server process, held on its event loop (``convoca.rsgi``).

The bus (``convoca.core.events``) hands every event to this process once, in its own thread; ``_receive``
passes them to the loop in batches, and the loop writes each event, formatted once, to every stream of its
topic. A write is a call into granian (no task, no thread per stream): a stream costs its connection and a
few small objects, and a change reaches thousands of streams in milliseconds.

Each stream keeps the id of the last event it was sent (its cursor): an event already sent (or replayed)
is never sent twice, and ``RESYNC`` moves the cursor to the topic's latest id. A comment line every
``HEARTBEAT`` seconds keeps proxies from closing quiet streams and finds the closed ones."""

import os
import threading
from collections import defaultdict, deque

from convoca.core import events

from .sse import comment, frame, retry

HEARTBEAT = float(os.environ.get("CONVOCA_LIVE_HEARTBEAT", "15"))  # seconds between two comment lines
RECENT = 64  # events of each topic kept here for streams that start just after them


class Stream:
    __slots__ = ("transport", "cursor", "ended")

    def __init__(self, transport, cursor, ended):
        self.transport = transport
        self.cursor = cursor
        self.ended = ended  # a future: set when the client goes away, or when this worker stops


class Fanout:
    def __init__(self):
        self.loop = None
        self.streams = defaultdict(set)
        self.recent = defaultdict(lambda: deque(maxlen=RECENT))
        self._incoming = []
        self._lock = threading.Lock()
        self._stop_listening = None
        self._ok = None  # the type of the value granian returns for a write that went out
        self.closing = False

    def start(self, loop):
        self.loop = loop
        self._stop_listening = events.listen(self._receive)
        loop.call_later(HEARTBEAT, self._heartbeat)

    def stop(self):
        if self._stop_listening is not None:
            self._stop_listening()

    def close_all(self):
        """The worker stops: end every stream (the browsers reconnect elsewhere, from the last id they saw), so
        that the server's graceful shutdown does not wait for them."""
        self.closing = True
        for streams in list(self.streams.values()):
            for stream in list(streams):
                if not stream.ended.done():
                    stream.ended.set_result(None)

    # --- from the bus's thread to the loop ---

    def _receive(self, topic, event_id, event):
        with self._lock:
            self._incoming.append((topic, event_id, event))
            wake = len(self._incoming) == 1
        if wake:
            self.loop.call_soon_threadsafe(self._deliver)

    def _deliver(self):
        with self._lock:
            batch, self._incoming = self._incoming, []
        for topic, event_id, event in batch:
            resync = event is events.RESYNC
            if resync:
                self.recent.pop(topic, None)
            else:
                self.recent[topic].append((event_id, event))
            streams = self.streams.get(topic)
            if not streams:
                continue
            data = frame(event_id, event)
            closed = [s for s in streams if (resync or event_id > s.cursor) and not self._send(s, data, event_id)]
            for stream in closed:
                streams.discard(stream)

    def _send(self, stream, data, event_id=None):
        """Write ``data`` to ``stream``; False when its connection is gone."""
        if event_id is not None:
            stream.cursor = event_id
        result = stream.transport.send_bytes(data)
        if self._ok is None or type(result) is not self._ok:
            try:
                for _ in result.__await__():  # an error is raised at once; a write that went out completes
                    break
            except StopIteration:
                pass
            except Exception:  # noqa: BLE001 - granian's "stream closed" error: the client went away
                return False
            if self._ok is None:
                self._ok = type(result)
        return True

    def _heartbeat(self):
        data = comment()
        for topic, streams in list(self.streams.items()):
            for stream in [s for s in streams if not self._send(s, data)]:
                streams.discard(stream)
            if not streams:
                del self.streams[topic]
        self.loop.call_later(HEARTBEAT, self._heartbeat)

    # --- one stream ---

    async def serve(self, live, status, headers, proto):
        """Answer with ``status`` and ``headers`` (from Django), then ``live``'s replay or resync, then every
        new event of its topic until the client goes away. A stream lives for hours and there are thousands:
        once it is registered, its frame keeps only the stream and its topic."""
        headers = [(k, v) for k, v in headers if k.lower() not in ("content-length", "content-encoding")]
        transport = proto.response_stream(status, headers)
        stream = Stream(transport, live.cursor, self.loop.create_future())
        first = [retry()]
        if live.resync:
            first.append(frame(live.cursor, events.RESYNC))
        else:
            for event_id, event in live.replay:
                first.append(frame(event_id, event))
                stream.cursor = max(stream.cursor, event_id)
        topic = live.topic
        # what this process received since the view looked, then everything from now on
        for event_id, event in self.recent.get(topic, ()):
            if event_id > stream.cursor:
                first.append(frame(event_id, event))
                stream.cursor = event_id
        if not self._send(stream, b"".join(first)) or self.closing:
            return
        streams = self.streams[topic]
        streams.add(stream)
        ended = stream.ended
        proto.client_disconnect().add_done_callback(lambda _gone: ended.done() or ended.set_result(None))
        live = headers = transport = first = proto = event = None  # noqa: F841 - not kept for the stream's life
        try:
            await ended
        finally:
            streams.discard(stream)
            if not streams and self.streams.get(topic) is streams:
                del self.streams[topic]

    def count(self):
        return sum(len(s) for s in self.streams.values())


fanout = Fanout()


def start(loop):
    fanout.start(loop)


def serve(result, proto):
    """The coroutine serving ``result`` ((live, status, headers), from the thread pool): no frame of its own."""
    return fanout.serve(*result, proto)
