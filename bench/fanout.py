"""Fan-out: how long until a change reaches every open page of a gathering, and does any page miss one?

Starts the server as a user would, on a throwaway SQLite database with the vote storm's gathering (2,000
accredited delegates, each with a logged-in session, bench/vote_storm.py), in two ways:

a) at scale: ``convoca serve --workers 2`` with Redis (a private ``redis-server`` started here);
b) the embedded default: ``convoca serve --workers 1`` without Redis.

For each of 2,000, 5,000 and 10,000 live clients: the clients open the gathering's stream
(``GET /live/gatherings/<id>/events``, each with a delegate's session cookie, as the pages' EventSource
does; several tabs per delegate past 2,000), then the chair makes 20 changes through the real services,
one a second (a speakers-list change when the plenary app is installed — ``plenary.services.add_speaker``
on an agenda item — else a gathering edit through ``gatherings.services.update_gathering`` announced with
``publish_on_commit`` in the same transaction). Measured:

* per change, the delay from its commit until each client has it: p50/p95/p99 over every (client, change),
  and max (the time until the last client had the slowest change);
* missed updates: every client's final state must be the server's (the last change); each (client, change)
  not received counts, unless the client was told to resynchronise (``resync``: it reloads from the server);
* server memory per connection: the growth of the server processes' RSS (all of its process group) with the
  clients connected and idle, divided by their number (after a warm-up: 400 streams opened and closed, so
  that Django's one-time allocations for its first requests are not counted).

With Redis and 2,000 clients connected, the web ballot storm (bench/vote_storm.py's web mode: 2,000
delegates GET the poll page and POST the ballot form) runs again while they listen, and is compared with
the same storm alone (each twice, alternated): the live clients receive the turnout events meanwhile.

The clients are cheap asyncio protocols over raw sockets, split over two processes; a delay includes the
client's own time to read the event (with 10,000 sockets ready at once, tens of milliseconds on this
machine). Prints one line per run and appends the entries to var/bench/fanout.json (keys ``clients``,
``workers``, ``p50_ms``, ``p95_ms``, ``p99_ms``, ``max_ms``, ``missed``, ``kib_per_connection``, and more).
Figures, not a timed test.

    .venv/bin/python bench/fanout.py [--clients 2000,5000,10000] [--modes redis,embedded] [--no-storm]
"""

import argparse
import asyncio
import contextlib
import json
import multiprocessing
import os
import resource
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
os.environ.setdefault("BENCH_WORK_DIR", str(ROOT / "var" / "bench" / "fanout"))  # never the vote storm's files

import vote_storm as storm  # noqa: E402 - after choosing its work directory

RESULTS = storm.BENCH_DIR / "fanout.json"
CHANGES = 20
INTERVAL = 1.0  # seconds between two changes
SETTLE = 10.0  # seconds to wait after the last change for the slowest client
CLIENT_PROCESSES = 2


# --- the chair's changes, in a Django process of their own -------------------------------------------------

CHANGER = r"""
import json, sys, time
from django.db import transaction
from django.apps import apps
from convoca.accounts.models import User
from convoca.core.events import publish_on_commit
from convoca.gatherings.models import Gathering
from convoca.gatherings import services as gatherings

chair = User.objects.get(email="coordinator@bench.invalid")
g = Gathering.objects.get(slug="storm")
topic = f"gathering:{g.pk}"
stamps = []
plenary = None
if apps.is_installed("convoca.plenary"):
    try:
        from convoca.plenary import services as plenary
        from convoca.gatherings.models import Registration
        item = plenary.create_item(chair, g, title="Fan-out")
        speakers = list(Registration.objects.filter(gathering=g).order_by("pk")[:CHANGES])
    except Exception as exc:  # an unfinished plenary app: fall back to the gathering edit
        print(f"plenary not usable ({exc!r}); gathering edits instead", file=sys.stderr)
        plenary = None
time.sleep(START_DELAY)
for i in range(1, CHANGES + 1):
    started = time.monotonic()
    with transaction.atomic():
        transaction.on_commit(lambda: stamps.append(time.time()))  # first: the commit, before any announcement
        if plenary is not None:
            plenary.add_speaker(chair, item, speakers[i - 1])
        else:
            gatherings.update_gathering(chair, g, title=f"Vote storm, change {i}", place=g.place or "Ciudad de México")
            publish_on_commit(topic, {"kind": "gathering.changed", "gathering": g.pk})
    time.sleep(max(0.0, INTERVAL - (time.monotonic() - started)))
print(json.dumps({"stamps": stamps, "via": "plenary" if plenary is not None else "gatherings"}))
"""


def make_changes(env, start_delay):
    code = (CHANGER.replace("CHANGES", str(CHANGES)).replace("INTERVAL", repr(INTERVAL))
            .replace("START_DELAY", repr(start_delay)))
    return storm.run_django(env, code)


# --- the live clients ----------------------------------------------------------------------------------


class LiveClient(asyncio.Protocol):
    """One open page: its stream, de-chunked just enough to count events."""

    __slots__ = ("request", "book", "index", "transport", "raw", "body", "headers_done", "status", "ready",
                 "events", "resyncs", "closed")

    def __init__(self, request, book, index, ready):
        self.request, self.book, self.index, self.ready = request, book, index, ready
        self.raw, self.body, self.headers_done, self.status = b"", b"", False, None
        self.events, self.resyncs, self.closed, self.transport = 0, 0, False, None

    def connection_made(self, transport):
        self.transport = transport
        transport.write(self.request)

    def data_received(self, data):
        now = time.time()
        self.raw += data
        if not self.headers_done:
            end = self.raw.find(b"\r\n\r\n")
            if end < 0:
                return
            self.status = int(self.raw[9:12])
            self.raw, self.headers_done = self.raw[end + 4 :], True
            if not self.ready.done():
                self.ready.set_result(self.status)
        while True:  # chunked transfer encoding: size line, data, CRLF
            line_end = self.raw.find(b"\r\n")
            if line_end < 0:
                return
            size = int(self.raw[:line_end].split(b";")[0], 16)
            if len(self.raw) < line_end + 2 + size + 2:
                return
            self.body += self.raw[line_end + 2 : line_end + 2 + size]
            self.raw = self.raw[line_end + 4 + size :]
            self._events(now)

    def _events(self, now):
        while True:
            end = self.body.find(b"\n\n")
            if end < 0:
                return
            block, self.body = self.body[:end], self.body[end + 2 :]
            if block.startswith(b":") or block.startswith(b"retry:"):
                continue
            self.events += 1
            if b"event: resync" in block:
                self.resyncs += 1
            if block.startswith(b"id: "):
                self.book.append((self.index, int(block[4 : block.index(b"\n")]), now))

    def connection_lost(self, exc):
        self.closed = True
        if not self.ready.done():
            self.ready.set_result(None)


def _client_process(port, requests, first_index, conn):
    """Connects its clients, reports, waits for "stop", then sends back what each client received."""
    with contextlib.suppress(ImportError):
        import uvloop

        uvloop.install()
    resource.setrlimit(resource.RLIMIT_NOFILE, (resource.getrlimit(resource.RLIMIT_NOFILE)[1],) * 2)

    async def main():
        loop = asyncio.get_running_loop()
        book, clients = [], []
        started = time.perf_counter()
        for start in range(0, len(requests), 250):
            batch = []
            for offset, request in enumerate(requests[start : start + 250]):
                ready = loop.create_future()
                client = LiveClient(request, book, first_index + start + offset, ready)
                clients.append(client)
                batch.append(ready)
                await loop.create_connection(lambda c=client: c, "127.0.0.1", port)
            await asyncio.gather(*batch)
        refused = sum(1 for c in clients if c.status != 200)
        conn.send({"connected": len(clients) - refused, "refused": refused, "seconds": time.perf_counter() - started})
        await loop.run_in_executor(None, conn.recv)  # "stop"
        closed = sum(1 for c in clients if c.closed)
        conn.send({"book": book, "closed": closed, "resyncs": [c.resyncs for c in clients]})
        for client in clients:
            client.transport.close()

    asyncio.run(main())


class Clients:
    def __init__(self, port, host, cookie_name, sessions, gathering_id, count):
        ctx = multiprocessing.get_context("fork")
        path = f"/live/gatherings/{gathering_id}/events"
        requests = [
            (f"GET {path} HTTP/1.1\r\nHost: {host}\r\nAccept: text/event-stream\r\nCache-Control: no-cache\r\n"
             f"Accept-Language: es\r\nCookie: {cookie_name}={sessions[i % len(sessions)]}\r\n\r\n").encode()
            for i in range(count)
        ]
        share = -(-count // CLIENT_PROCESSES)
        self.pipes, self.procs = [], []
        for k in range(CLIENT_PROCESSES):
            part = requests[k * share : (k + 1) * share]
            if not part:
                continue
            parent, child = ctx.Pipe()
            proc = ctx.Process(target=_client_process, args=(port, part, k * share, child), daemon=True)
            proc.start()
            self.pipes.append(parent)
            self.procs.append(proc)
        self.count = count

    def wait_connected(self):
        reports = [pipe.recv() for pipe in self.pipes]
        return (sum(r["connected"] for r in reports), sum(r["refused"] for r in reports),
                max(r["seconds"] for r in reports))

    def stop(self):
        for pipe in self.pipes:
            pipe.send("stop")
        reports = [pipe.recv() for pipe in self.pipes]
        for proc in self.procs:
            proc.join(timeout=30)
        book = [entry for r in reports for entry in r["book"]]
        resyncs = [n for r in reports for n in r["resyncs"]]
        return book, resyncs, sum(r["closed"] for r in reports)


# --- the server and its memory -------------------------------------------------------------------------


def server_rss_kib(proc):
    total = 0
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as fh:
                pgrp = int(fh.read().rsplit(")", 1)[1].split()[2])
            if pgrp != proc.pid:
                continue
            with open(f"/proc/{entry}/status") as fh:
                for line in fh:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
        except (OSError, IndexError, ValueError):
            continue
    return total


def start_redis():
    binary = shutil.which("redis-server")
    if binary is None:
        return None, None
    port = storm.free_port()
    proc = subprocess.Popen([binary, "--port", str(port), "--save", "", "--appendonly", "no", "--maxclients", "1000"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.2):
            return proc, f"redis://127.0.0.1:{port}/0"
        time.sleep(0.05)
    proc.kill()
    raise SystemExit("redis-server did not start")


def pct(values, p):
    if not values:
        return 0.0
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def warm_up(port, host, sessions, gathering_id):
    """Open and close a few hundred streams, so that the memory measured next is what idle streams cost,
    not what Django allocates once for its first requests (threads' connections, caches, catalogues)."""
    clients = Clients(port, host, sessions["cookie"], sessions["sessions"], gathering_id, 400)
    clients.wait_connected()
    clients.stop()
    time.sleep(1.0)


def measure(port, host, sessions, gathering_id, clients_n, env, proc):
    load = os.getloadavg()[0]
    rss_before = server_rss_kib(proc)
    clients = Clients(port, host, sessions["cookie"], sessions["sessions"], gathering_id, clients_n)
    connected, refused, connect_s = clients.wait_connected()
    time.sleep(2.0)  # idle
    rss_after = server_rss_kib(proc)
    changes = make_changes(env, start_delay=0.5)
    time.sleep(SETTLE if clients_n >= 5000 else SETTLE / 2)
    book, resyncs, closed = clients.stop()
    stamps = changes["stamps"]
    # Which change each event id announces: the last one committed before anyone received it (a change may
    # announce several events; its first one counts).
    earliest = {}
    for _index, event_id, at in book:
        earliest[event_id] = min(at, earliest.get(event_id, at))
    change_of = {}
    for event_id, at in earliest.items():
        k = max((k for k, stamp in enumerate(stamps) if stamp <= at), default=None)
        if k is not None:
            change_of[event_id] = k
    got = {}
    for index, event_id, at in book:
        k = change_of.get(event_id)
        if k is not None and (index, k) not in got:
            got[(index, k)] = at
    delays, slowest = [], [0.0] * len(stamps)
    missed = 0
    for index in range(clients_n):
        if resyncs[index]:
            continue  # told to reload from the server: its final state is the server's
        for k, stamp in enumerate(stamps):
            at = got.get((index, k))
            if at is None:
                missed += 1
                continue
            delay = (at - stamp) * 1000
            delays.append(delay)
            slowest[k] = max(slowest[k], delay)
    return {
        "clients": clients_n,
        "connected": connected,
        "refused": refused,
        "connect_s": round(connect_s, 1),
        "p50_ms": round(pct(delays, 50), 1),
        "p95_ms": round(pct(delays, 95), 1),
        "p99_ms": round(pct(delays, 99), 1),
        "max_ms": round(max(slowest), 1),
        "per_change_ms": [round(s, 1) for s in slowest],
        "missed": missed,
        "resynced": sum(1 for n in resyncs if n),
        "closed_early": closed,
        "kib_per_connection": round((rss_after - rss_before) / max(1, connected), 1),
        "changes_via": changes["via"],
        "load_before": round(load, 1),  # the machine's load average: other work disturbs the delays
    }


def web_storm(env, port, sessions, label):
    poll = storm.new_poll(env, f"Web {label}")
    host = f"127.0.0.1:{port}"
    phones = [storm.Phone(host, sessions["cookie"], key, storm.ACCEPT_LANGUAGES[i % len(storm.ACCEPT_LANGUAGES)])
              for i, key in enumerate(sessions["sessions"])]
    seconds, _gets, _posts, acked, refused = asyncio.run(storm.web_storm(port, poll["poll"], phones, 100))
    status, body = asyncio.run(storm.api_post(port, f"/api/v1/polls/{poll['poll']}/close", env["_COORD"]))
    assert status == 200, (status, body)
    return len(acked) / seconds, len(refused)


def run_mode(mode, clients_list, voters, with_storm):
    url = storm.fresh_database()
    env = storm.bench_env(url)
    redis_proc = None
    if mode == "redis":
        redis_proc, redis_url = start_redis()
        if redis_proc is None:
            print("  redis-server not found: skipping the Redis run")
            return []
        env["REDIS_URL"] = redis_url
        workers = 2
    else:
        env.pop("REDIS_URL", None)
        # the bench's own Django process (the chair) reaches the server's hub
        env["CONVOCA_LIVE_HUB"] = str(storm.WORK_DIR / "hub.sock")
        workers = 1
    entries = []
    try:
        tokens = storm.setup_data(env, voters)
        env["_COORD"] = tokens["coordinator"]
        sessions = storm.setup_sessions(env, voters)
        gathering_id = storm.run_django(env, "import json\nfrom convoca.gatherings.models import Gathering\n"
                                             "print(json.dumps(Gathering.objects.get(slug='storm').pk))")
        port = storm.free_port()
        proc = storm.start_server(env, port, workers)
        host = f"127.0.0.1:{port}"
        try:
            warm_up(port, host, sessions, gathering_id)
            storm_alone, storm_with = [], []
            for clients_n in clients_list:
                entry = measure(port, host, sessions, gathering_id, clients_n, env, proc)
                if with_storm and mode == "redis" and clients_n == clients_list[0]:
                    for round_ in (1, 2):
                        storm_alone.append(web_storm(env, port, sessions, f"alone {round_}")[0])
                        clients = Clients(port, host, sessions["cookie"], sessions["sessions"], gathering_id, clients_n)
                        clients.wait_connected()
                        storm_with.append(web_storm(env, port, sessions, f"with {round_}")[0])
                        clients.stop()
                    alone, together = sum(storm_alone) / 2, sum(storm_with) / 2
                    entry.update({"web_voters_per_s_alone": round(alone, 1),
                                  "web_voters_per_s_with_clients": round(together, 1),
                                  "web_slowdown_pct": round(100 * (1 - together / alone), 1)})
                entry.update({"workers": workers, "redis": mode == "redis", "at": time.strftime("%Y-%m-%dT%H:%M:%S")})
                entries.append(entry)
                print_entry(entry)
        finally:
            storm.stop_server(proc)
    finally:
        if redis_proc is not None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(redis_proc.pid, signal.SIGTERM)
            redis_proc.wait(timeout=10)
    return entries


def print_entry(e):
    line = (f"fanout [{'redis' if e['redis'] else 'embedded'}, convoca serve --workers {e['workers']}] "
            f"{e['clients']} clients ({e['connected']} connected in {e['connect_s']} s), {CHANGES} changes "
            f"({e['changes_via']}): p50 {e['p50_ms']} ms, p95 {e['p95_ms']} ms, p99 {e['p99_ms']} ms, "
            f"max {e['max_ms']} ms | missed {e['missed']}, resynced {e['resynced']} | "
            f"{e['kib_per_connection']} KiB per connection | load {e['load_before']}")
    if "web_slowdown_pct" in e:
        line += (f" | web ballot storm alone {e['web_voters_per_s_alone']} voters/s, with {e['clients']} clients "
                 f"{e['web_voters_per_s_with_clients']} voters/s ({e['web_slowdown_pct']}% slower)")
    print(line, flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", default="2000,5000,10000")
    parser.add_argument("--modes", default="redis,embedded", help="redis (2 workers), embedded (1 worker), or both")
    parser.add_argument("--voters", type=int, default=2000, help="delegates (and sessions) in the gathering")
    parser.add_argument("--no-storm", action="store_true", help="skip the web ballot storm beside 2,000 clients")
    args = parser.parse_args()
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    clients_list = [int(n) for n in args.clients.split(",") if n.strip()]
    if max(clients_list) + 100 > hard:
        raise SystemExit(f"{max(clients_list)} clients need more open files than the limit ({hard})")
    with contextlib.suppress(ImportError):
        import uvloop

        uvloop.install()
    entries = []
    for mode in [m.strip() for m in args.modes.split(",") if m.strip()]:
        print(f"fanout: {mode}, {args.voters} delegates, {CHANGES} changes per run", flush=True)
        entries += run_mode(mode, clients_list, args.voters, not args.no_storm)
    history = []
    if RESULTS.exists():
        with contextlib.suppress(ValueError):
            history = json.loads(RESULTS.read_text())
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(history + entries, indent=2) + "\n")
    return 0 if entries and all(e["missed"] == 0 and e["refused"] == 0 for e in entries) else 1


if __name__ == "__main__":
    sys.exit(main())
