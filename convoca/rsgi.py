"""The application ``convoca serve`` runs under granian (RSGI): one port for the pages, the API and the
live streams.

Every request but a live stream is Django's WSGI application (``convoca.wsgi_granian``, with the ballot
box's short way in), run by a pool of threads (``--threads``) as granian's WSGI interface would run it:
granian's scheduling thread hands the request straight to a pool thread (``Application.direct``; a body
is read first), which calls the application and answers granian directly (its response methods are
thread-safe). The event loop is not involved, except to say that a request's body has arrived.

A live stream (``/live/...``) takes granian's usual way, as a coroutine on the worker's event loop: Django
checks the session and the permission in a pool thread and answers with a ``LiveStreamResponse``
(``convoca.live.views``); its status and headers go out from here, and the stream itself stays on the loop
(``convoca.live.fanout``), costing no thread: thousands of idle streams per worker cost a few KiB each.

Assembled here, at the project level beside ``wsgi_granian.py``, so that core's ``serve`` command
names no domain app."""

import logging
import os
import queue
import re
import signal
import sys
import threading
from functools import partial

logger = logging.getLogger("convoca.server")

BODY_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
BALLOT_PATH = re.compile(r"^/api/v1/polls/\d{1,18}/ballots$")  # the ballot box's short way in (voting.fastpath)
LIVE_PREFIX = "/live/"
_BASE_ENVIRON = {
    "GATEWAY_INTERFACE": "CGI/1.1",
    "SCRIPT_NAME": "",
    "SERVER_SOFTWARE": "Granian",
    "wsgi.input_terminated": True,
    "wsgi.multiprocess": True,
    "wsgi.multithread": True,
    "wsgi.run_once": False,
    "wsgi.version": (1, 0),
}


class _Body:
    """``wsgi.input``: the request body, read whole by the event loop before the thread starts."""

    __slots__ = ("_data", "_pos")

    def __init__(self, data):
        self._data, self._pos = data, 0

    def read(self, size=-1):
        if size is None or size < 0:
            size = len(self._data) - self._pos
        chunk = self._data[self._pos : self._pos + size]
        self._pos += len(chunk)
        return chunk

    def readline(self, size=-1):
        end = self._data.find(b"\n", self._pos)
        end = len(self._data) if end < 0 else end + 1
        if size is not None and size >= 0:
            end = min(end, self._pos + size)
        chunk = self._data[self._pos : end]
        self._pos = end
        return chunk

    def __iter__(self):
        while True:
            line = self.readline()
            if not line:
                return
            yield line


def _split_address(value):
    host, _sep, port = value.rpartition(":")
    return host.strip("[]"), port


def environ_for(scope, body):
    """The WSGI environ of an RSGI request, as granian's WSGI interface builds it."""
    environ = dict(_BASE_ENVIRON)
    environ["wsgi.errors"] = sys.stderr
    environ["REQUEST_METHOD"] = scope.method
    # RSGI gives the path percent-decoded as UTF-8; WSGI wants those bytes as latin-1.
    environ["PATH_INFO"] = scope.path.encode("utf-8").decode("latin-1")
    environ["QUERY_STRING"] = scope.query_string
    environ["SERVER_PROTOCOL"] = "HTTP/" + scope.http_version
    environ["wsgi.url_scheme"] = scope.scheme
    environ["REMOTE_ADDR"] = _split_address(scope.client)[0]
    environ["SERVER_NAME"], environ["SERVER_PORT"] = _split_address(scope.server)
    environ["wsgi.input"] = _Body(body)
    for name, value in scope.headers.items():
        if name == "content-type":
            environ["CONTENT_TYPE"] = value
            continue
        if name == "content-length":
            environ["CONTENT_LENGTH"] = value
            continue
        key = "HTTP_" + name.upper().replace("-", "_")
        if key in environ:  # a repeated header: cookies joined by "; ", the others by ","
            value = environ[key] + ("; " if key == "HTTP_COOKIE" else ",") + value
        environ[key] = value
    if "HTTP_HOST" not in environ and scope.authority:
        environ["HTTP_HOST"] = scope.authority
    return environ


class _StartResponse:
    __slots__ = ("status", "headers")

    def __init__(self):
        self.status, self.headers = 500, []

    def __call__(self, status, headers, exc_info=None):
        self.status = int(status.split(" ", 1)[0])
        self.headers = headers
        return self._write

    @staticmethod
    def _write(_data):  # the legacy write() callable: Django never uses it
        raise NotImplementedError("write() is not supported")


class WSGIPool:
    """Threads that run the WSGI application, for granian's scheduling thread (``submit_direct``) and for the
    event loop (``submit``: a live stream's opening request, or any request when ``direct`` declined)."""

    def __init__(self, app, threads):
        self.app = app
        self.threads = threads
        self._queue = queue.SimpleQueue()
        self._finished = []
        self._finished_lock = threading.Lock()
        self._loop = None

    def start(self, loop):
        self._loop = loop
        for i in range(self.threads):
            threading.Thread(target=self._run, name=f"convoca-wsgi-{i}", daemon=True).start()

    def stop(self):
        for _i in range(self.threads):
            self._queue.put(None)

    def submit(self, scope, proto, body, future):
        self._queue.put((scope, proto, body, future))

    def submit_direct(self, watcher, body):
        """A request handed over by granian's scheduling thread, without the event loop (``_DirectScheduler``)."""
        self._queue.put((watcher, body))

    def _run(self):
        while True:
            job = self._queue.get()
            if job is None:
                return
            if len(job) == 2:
                self._run_direct(*job)
                continue
            scope, proto, body, future = job
            result = None
            try:
                result = self._call(scope, proto, body)
            except BaseException:  # noqa: BLE001 - one request's failure must not end the thread
                logger.exception("request failed")
                proto.response_empty(500, [])  # does nothing if an answer already went out
            self._finish(future, result)

    def _run_direct(self, watcher, body):
        try:
            if self._call(watcher.scope, watcher.proto, body) is not None:
                logger.error("a live stream outside /live/ cannot be served")
                watcher.proto.response_empty(500, [])
        except BaseException:  # noqa: BLE001 - one request's failure must not end the thread
            logger.exception("request failed")
        finally:
            watcher.done()  # granian answers 500 if nothing was answered, and forgets the request

    def _call(self, scope, proto, body):
        start = _StartResponse()
        answer = self.app(environ_for(scope, body), start)
        try:
            live = getattr(answer, "live_stream", None)
            if live is not None:  # a live stream: the event loop serves it from now on
                return live, start.status, start.headers
            if isinstance(answer, list) or any(name.lower() == "content-length" for name, _v in start.headers):
                proto.response_bytes(start.status, start.headers, b"".join(answer))
            else:  # a streaming answer (an export): passed on chunk by chunk
                transport = proto.response_stream(start.status, start.headers)
                for chunk in answer:
                    if chunk:
                        transport.send_bytes(chunk)
        finally:
            close = getattr(answer, "close", None)
            if close is not None:
                close()
        return None

    def _finish(self, future, result):
        """Tell the loop that ``future`` is done, waking it once for all the requests finished meanwhile."""
        with self._finished_lock:
            self._finished.append((future, result))
            wake = len(self._finished) == 1
        if wake:
            self._loop.call_soon_threadsafe(self._resolve)

    def _resolve(self):
        with self._finished_lock:
            finished, self._finished = self._finished, []
        for future, result in finished:
            if not future.done():
                future.set_result(result)


class Application:
    """The RSGI application: a live stream stays on the loop, API ballots go to their own pool of threads,
    everything else to the pages' pool.

    Two pools, because the two kinds of request spend their time differently. A page is Python from end to
    end, and the threads of a worker share one interpreter lock: with more threads than cores' worth of
    work they take the lock from one another every few hundred microseconds, and each hand-over costs a
    thread switch, cold caches and waits on the locks the last thread held (measured with the web ballot,
    bench/vote_storm.py --modes web: 16 threads cost each voter 40 % more CPU than 4). An API ballot is
    mostly waiting, for its token check and its group commit (``voting.ballot_box``), without the lock; the
    more of them wait together, the larger the batch: they need many threads, which cost little."""

    def __init__(self, wsgi_app=None, threads=None, ballot_threads=None):
        self._wsgi_app = wsgi_app
        self._threads = threads or int(os.environ.get("CONVOCA_THREADS", "4"))
        self._ballot_threads = ballot_threads or int(os.environ.get("CONVOCA_BALLOT_THREADS", "32"))
        self.pool = None
        self.ballot_pool = None
        self.loop = None

    def _pool_for(self, scope):
        if scope.method == "POST" and BALLOT_PATH.match(scope.path):
            return self.ballot_pool
        return self.pool

    def __rsgi_init__(self, loop):
        if self._wsgi_app is None:
            from convoca.wsgi_granian import application as wsgi_app

            self._wsgi_app = wsgi_app
        self.loop = loop
        self.pool = WSGIPool(self._wsgi_app, self._threads)
        self.pool.start(loop)
        self.ballot_pool = WSGIPool(self._wsgi_app, self._ballot_threads)
        self.ballot_pool.start(loop)
        from convoca.live import fanout

        fanout.start(loop)

    def direct(self, watcher):
        """Called by granian's scheduling thread for each request (``_DirectScheduler``): hand it straight to
        the pool, unless it is a live stream (which the loop serves). A request with a body waits for it
        first (granian tells the loop when it has arrived; that callback only queues the request). Returns
        False to let the request take the usual way through the loop. Must never raise."""
        try:
            scope = watcher.scope
            if self.pool is None or scope.proto != "http" or scope.path.startswith(LIVE_PREFIX):
                return False
            if scope.method not in BODY_METHODS:
                self.pool.submit_direct(watcher, b"")
                return True
            pool = self._pool_for(scope)
            arriving = watcher.proto()
        except Exception:  # noqa: BLE001 - granian ignores errors raised here: take the usual way
            return False
        arriving.add_done_callback(partial(self._body_arrived, watcher, pool))
        return True

    def _body_arrived(self, watcher, pool, arriving):
        try:
            body = arriving.result()
        except Exception:  # noqa: BLE001 - the client went away while sending its body
            watcher.done()
            return
        pool.submit_direct(watcher, body)

    def __rsgi_del__(self, loop):
        for pool in (self.pool, self.ballot_pool):
            if pool is not None:
                pool.stop()

    async def __rsgi__(self, scope, proto):
        if scope.proto != "http":  # websockets are off
            return
        body = await proto() if scope.method in BODY_METHODS else b""
        future = self.loop.create_future()
        self._pool_for(scope).submit(scope, proto, body, future)
        result = await future
        if result is not None:
            from convoca.live import fanout

            stream = fanout.serve(result, proto)
            scope = body = future = result = None  # a stream lives for hours: its frames keep only what it needs
            await stream


def _end_streams_on_shutdown():
    """Granian stops a worker gracefully: it waits for every response in progress, and a live stream never
    ends by itself. Granian sets up the worker's stop signals (``granian._signals.set_loop_signals``) after
    loading this module: wrap it, so that a stop signal first ends the streams, then stops the worker as
    before. Browsers reconnect to the next worker from the last id they saw."""
    try:
        import granian._signals as granian_signals
    except ImportError:  # pragma: no cover - granian is a dependency
        return
    original = getattr(granian_signals, "set_loop_signals", None)
    if original is None or getattr(original, "convoca", False):
        return

    def set_loop_signals(loop):
        stop_event = original(loop)

        def stop(*_args):
            from convoca.live import fanout

            fanout.fanout.close_all()
            stop_event.set()

        try:
            for signum in (signal.SIGINT, signal.SIGTERM):
                loop.add_signal_handler(signum, stop)
        except NotImplementedError:  # pragma: no cover - not on Linux
            pass
        return stop_event

    set_loop_signals.convoca = True
    granian_signals.set_loop_signals = set_loop_signals


def _hand_requests_straight_to_the_pool():
    """Granian runs an RSGI application as a coroutine on the worker's event loop: a request would cross from
    granian's scheduling thread to the loop, to a pool thread, and back to the loop to finish, where its WSGI
    interface calls the application in one thread. Measured here, those crossings cost a fifth of the API
    vote storm and a quarter of /healthz. So every request but a live stream goes from granian's scheduling
    thread straight to the pool (``Application.direct``), as with its WSGI interface; the thread answers
    granian and tells it the request is done (``watcher.done()``). Granian builds its scheduler after loading
    this module (``granian.server.mp._new_cbscheduler``): this wraps that function, and keeps granian's own
    scheduling for everything ``direct`` declines. ``CONVOCA_RSGI_DIRECT=0`` turns it off."""
    if os.environ.get("CONVOCA_RSGI_DIRECT", "1") == "0":
        return
    try:
        import granian._futures as granian_futures
        import granian.server.mp as granian_mp
    except ImportError:  # pragma: no cover - granian is a dependency
        return
    base = getattr(granian_futures, "_BaseCBScheduler", None)
    to_loop = getattr(granian_futures, "_cbsched_aioschedule", None)
    original = getattr(granian_mp, "_new_cbscheduler", None)
    if None in (base, to_loop, original) or getattr(original, "convoca", False):
        return

    class _DirectScheduler(base):
        __slots__ = []

        def __init__(self, loop, cb, aio_task, aio_tenter, aio_texit):
            super().__init__()
            through_loop = to_loop(loop, self._ctx, cb)
            direct = application.direct

            def schedule(watcher):
                if not direct(watcher):
                    through_loop(watcher)

            self._schedule_fn = schedule

    def new_cbscheduler(loop, cb, impl_asyncio=False):
        if not impl_asyncio:
            return original(loop, cb, impl_asyncio)
        import asyncio.tasks

        return _DirectScheduler(loop, cb, None, partial(asyncio.tasks._enter_task, loop),
                                partial(asyncio.tasks._leave_task, loop))

    new_cbscheduler.convoca = True
    granian_mp._new_cbscheduler = new_cbscheduler


_end_streams_on_shutdown()
_hand_requests_straight_to_the_pool()
application = Application()
