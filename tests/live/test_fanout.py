"""The streams of one worker on its event loop (convoca/live/fanout.py) and the RSGI application in front of
Django (convoca/rsgi.py), driven in this process. Granian's protocol objects are stood in for by small
classes with the same methods (a write returns an awaitable that raises once the client is gone); the
real thing is exercised by test_reliability.py and test_rsgi.py."""

import asyncio

import pytest
from django.core.wsgi import get_wsgi_application

from convoca.core import events
from convoca.live.fanout import Fanout
from convoca.live.views import LiveStream
from convoca.rsgi import Application


class Sent:
    def __await__(self):
        return iter(())


class Gone:
    def __await__(self):
        raise RuntimeError("stream closed")
        yield  # pragma: no cover


class Transport:
    def __init__(self):
        self.chunks, self.closed = [], False

    def send_bytes(self, data):
        if self.closed:
            return Gone()
        self.chunks.append(data)
        return Sent()

    def text(self):
        return b"".join(self.chunks).decode()


class Proto:
    """What granian hands an RSGI application for one request."""

    def __init__(self, loop, body=b""):
        self.body, self.transport, self.answer = body, None, None
        self.gone = loop.create_future()

    async def __call__(self):
        return self.body

    def client_disconnect(self):
        return self.gone

    def response_stream(self, status, headers):
        self.answer = (status, dict(headers))
        self.transport = Transport()
        return self.transport

    def response_bytes(self, status, headers, body):
        self.answer = (status, dict(headers), body)

    def response_empty(self, status, headers):
        self.answer = self.answer or (status, dict(headers), b"")


class Headers(list):
    def items(self):
        return list(self)


class Scope:
    proto, http_version, scheme, client, server, authority = "http", "1.1", "http", "127.0.0.1:5000", "127.0.0.1:80", None

    def __init__(self, method, path, query="", headers=()):
        self.method, self.path, self.query_string = method, path, query
        self.headers = Headers([("host", "127.0.0.1"), *headers])


async def settle():
    for _ in range(5):
        await asyncio.sleep(0.01)


def test_it_sends_each_event_once_to_every_stream_of_its_topic_after_the_replay(bus):
    async def scenario():
        loop = asyncio.get_running_loop()
        fanout = Fanout()
        fanout.start(loop)
        first = events.publish("gathering:1", {"kind": "a"})
        second = events.publish("gathering:1", {"kind": "b"})  # after the view looked: the loop has it
        await settle()
        proto = Proto(loop)
        serving = asyncio.ensure_future(fanout.serve(LiveStream("gathering:1", first - 1, [(first, {"kind": "a"})]),
                                                     200, [("Content-Type", "text/event-stream"),
                                                           ("Content-Length", "0")], proto))
        other = Proto(loop)
        elsewhere = asyncio.ensure_future(fanout.serve(LiveStream("gathering:2", 0), 200, [], other))
        await settle()
        third = events.publish("gathering:1", {"kind": "c"})
        await settle()
        assert proto.answer == (200, {"Content-Type": "text/event-stream"})  # no length: it streams
        text = proto.transport.text()
        assert text.startswith("retry: 2000\n\n")
        assert [line for line in text.split("\n") if line.startswith("id: ")] == [
            f"id: {first}", f"id: {second}", f"id: {third}"]  # each once, in order
        assert other.transport.text() == "retry: 2000\n\n"  # another gathering's page hears nothing of it
        assert fanout.count() == 2
        proto.gone.set_result(None)  # the browser went away
        await settle()
        assert serving.done() and fanout.count() == 1
        fanout.close_all()  # the worker stops: every stream ends
        await settle()
        assert elsewhere.done() and fanout.count() == 0
        fanout.stop()

    asyncio.run(scenario())


def test_it_resyncs_streams_drops_the_gone_ones_and_sends_heartbeats(bus):
    async def scenario():
        loop = asyncio.get_running_loop()
        fanout = Fanout()
        fanout.start(loop)
        protos = [Proto(loop) for _ in range(3)]
        for proto in protos:
            asyncio.ensure_future(fanout.serve(LiveStream("gathering:1", 0), 200, [], proto))
        resynced = Proto(loop)
        asyncio.ensure_future(fanout.serve(LiveStream("gathering:1", 41, resync=True), 200, [], resynced))
        await settle()
        assert 'id: 41\nevent: resync\ndata: {"kind":"resync"}' in resynced.transport.text()
        protos[0].transport.closed = True  # a client gone without the connection saying so yet
        fanout._heartbeat()
        assert fanout.count() == 3 and protos[1].transport.chunks[-1] == b":\n\n"
        fanout._receive("gathering:1", 42, events.RESYNC)  # the bus lost track (Redis restarted)
        await settle()
        assert protos[2].transport.text().endswith('id: 42\nevent: resync\ndata: {"kind":"resync"}\n\n')
        fanout.close_all()
        fanout.stop()

    asyncio.run(scenario())


@pytest.mark.django_db(transaction=True)
def test_it_runs_django_on_its_threads_and_keeps_a_live_stream_on_the_loop(world, bus):
    gathering = world.conference.pk

    async def scenario():
        loop = asyncio.get_running_loop()
        app = Application(get_wsgi_application(), threads=2)
        app.__rsgi_init__(loop)
        try:
            health = Proto(loop)
            await app.__rsgi__(Scope("GET", "/healthz"), health)
            assert health.answer[0] == 200 and health.answer[2] == b'{"status": "ok"}'

            login = Proto(loop, body=b"email=a%40b.org&password=x")
            await app.__rsgi__(Scope("POST", "/accounts/login/", headers=[
                ("content-type", "application/x-www-form-urlencoded"), ("content-length", "26")]), login)
            assert login.answer[0] == 403  # read, then refused without its CSRF cookie

            missing = Proto(loop)
            await app.__rsgi__(Scope("GET", "/live/gatherings/987654/events"), missing)
            assert missing.answer[0] == 404

            stream = Proto(loop)
            serving = asyncio.ensure_future(app.__rsgi__(Scope("GET", f"/live/gatherings/{gathering}/events"), stream))
            for _ in range(200):
                await asyncio.sleep(0.01)
                if stream.transport is not None:
                    break
            event_id = events.publish(f"gathering:{gathering}", {"kind": "agenda.changed"})
            await settle()
            status, headers = stream.answer
            assert status == 200 and headers["Content-Type"] == "text/event-stream; charset=utf-8"
            assert "Content-Encoding" not in headers
            assert f"id: {event_id}\nevent: agenda.changed" in stream.transport.text()
            stream.gone.set_result(None)
            await asyncio.wait_for(serving, 5)
        finally:
            from convoca.live import fanout

            fanout.fanout.stop()
            app.__rsgi_del__(loop)

    asyncio.run(scenario())
