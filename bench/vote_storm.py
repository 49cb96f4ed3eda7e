"""Vote storm: how many ballots per second does Convoca take, and does it lose any?

Starts the server as a user would (``convoca serve --workers 2``) on a fresh
throwaway database (SQLite under var/bench/vote_storm/, or PostgreSQL when
DATABASE_URL is set: a database ``convoca_bench`` is created beside the one
named, or the one named by BENCH_DATABASE), creates a gathering with 2,000 accredited, checked-in delegates, and:

a) sustained: 100 keep-alive connections, each casting for one delegate after
   another, until all 2,000 have voted;
b) burst: a fresh poll, 2,000 connections each sending its ballot at the same
   instant; time until the last acknowledgement;
c) web: the path people actually take. Each delegate holds a logged-in
   session, made before the timed part by ``django.contrib.auth.login`` on a
   request from their phone (what the login form does once the password is
   checked: a session in the configured engine, the login on record; the
   bench delegates have no password); over 100 keep-alive connections, each delegate
   GETs the poll page with the session cookie, reads the CSRF token and the
   request key from the ballot form, and POSTs the form as a phone's browser
   does (form-urlencoded, ``csrftoken`` cookie and ``csrfmiddlewaretoken``
   field, Origin and Referer, gzip); redirects are not followed. A POST
   answered with the confirmation page (a receipt) is an acknowledged ballot;
then /healthz with the same client and 100 connections.

After each phase the poll is closed through the API, counted (the bench
coordinator is the secret poll's one teller and unlocks its sealed ballots)
and the stored tally is compared with the ballots acknowledged. Then the crash step (bench/vote_crash.py:
SIGKILL mid-storm, restart, retries) runs unless --no-crash. Prints the
figures and appends a record to var/bench/vote_storm.json. Figures, not a
timed test.

The server is ``convoca serve --workers 2 --server granian`` (WSGI, with the
ballot box's short way in); ``--server uvicorn`` measures the ASGI default.

    .venv/bin/python bench/vote_storm.py [--voters 2000] [--connections 100] [--server granian] [--modes api,web]
"""

import argparse
import asyncio
import json
import os
import re
import secrets
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _server import (  # noqa: E402  (the shared database, server and client handling)
    BENCH_DIR,
    BROWSER,
    PHONE_AGENT,
    Conn,
    Workspace,
    free_port,
    pct,
    run_django,
    server_cpu_s,
    stop_server,
)

RESULTS = BENCH_DIR / "vote_storm.json"


# --- database and data ------------------------------------------------------------


SPACE = Workspace("vote_storm", sqlite_name="storm.sqlite3", database="convoca_bench")
WORK_DIR = SPACE.dir  # the SQLite file, the server's log


def bench_env(database_url=None):
    # The bench coordinator is the one teller of each secret poll: its passphrase's key derivation at the
    # lowest level (it is not what is measured).
    return SPACE.env(database_url, VOTING_TELLER_KDF=os.environ.get("VOTING_TELLER_KDF", "min"))


def fresh_database():
    """Returns the DATABASE_URL of a new empty database (None for SQLite)."""
    return SPACE.fresh_database()


SETUP = r"""
import datetime as dt, json, secrets, sys
from django.core.management import call_command
from django.utils import timezone
call_command("migrate", verbosity=0, interactive=False)
from convoca.accounts.models import ApiToken, User, hash_token
from convoca.gatherings.models import Gathering, Registration
from convoca.network.models import Organisation, Person, Sector

N = int(sys.argv[1]) if len(sys.argv) > 1 else VOTERS
today = dt.date.today()
coordinator = User.objects.create_user("coordinator@bench.invalid", None, is_coordinator=True)
g = Gathering.objects.create(kind="conference", slug="storm", title="Vote storm", starts_on=today, ends_on=today)
countries = ["AR", "BR", "CL", "CO", "MX", "PE", "UY", "EC", "BO", "PY"]
sectors = [s for s, _ in Sector.choices]
orgs = Organisation.objects.bulk_create(
    Organisation(name=f"Org {i}", name_key=f"org {i}", country=countries[i % 10], sector=sectors[i % len(sectors)])
    for i in range(200)
)
users = User.objects.bulk_create(User(email=f"d{i}@bench.invalid", password="!") for i in range(N))
people = Person.objects.bulk_create(Person(display_name=f"Delegate {i}", user=u) for i, u in enumerate(users))
now = timezone.now()
Registration.objects.bulk_create(
    Registration(gathering=g, person=p, role="delegate", organisation=orgs[i % 200], status="accredited",
                 mandate="confirmed", checked_in_at=now)
    for i, p in enumerate(people)
)
tokens = []
rows = []
for u in [coordinator] + users:
    raw = secrets.token_urlsafe(32)
    tokens.append(raw)
    rows.append(ApiToken(user=u, name="bench", prefix=raw[:8], key_hash=hash_token(raw)))
ApiToken.objects.bulk_create(rows, batch_size=1000)
print(json.dumps({"coordinator": tokens[0], "voters": tokens[1:]}))
"""

NEW_POLL = r"""
import json
from convoca.accounts.models import User
from convoca.gatherings.models import Gathering
from convoca.voting import services
alice = User.objects.get(email="coordinator@bench.invalid")
poll = services.create_poll(alice, Gathering.objects.get(slug="storm"), title=TITLE, kind="yes_no", secrecy="secret")
services.set_teller_passphrase(alice, poll, PASSPHRASE)  # the coordinator is its one teller
services.open_poll(alice, poll)
print(json.dumps({"poll": poll.pk, "options": [o.pk for o in poll.options.all()]}))
"""

COUNT = r"""
import json
from django.db.models import Count, Sum
from convoca.accounts.models import User
from convoca.voting import services
from convoca.voting.models import Ballot, Participation, Poll
poll = Poll.objects.get(pk=POLL)
if poll.secrecy == "secret" and poll.state == "closed" and poll.result is None:  # sealed: the teller unlocks the count
    alice = User.objects.get(email="coordinator@bench.invalid")
    poll = services.count_sealed(alice, poll, [(alice, PASSPHRASE)])
agg = Ballot.objects.filter(poll=poll).aggregate(n=Count("pk"), w=Sum("weight"), r=Count("receipt", distinct=True))
print(json.dumps({"state": poll.state, "ballots": agg["n"], "receipts": agg["r"], "weight": agg["w"] or 0,
                  "participations": Participation.objects.filter(poll=poll).count(),
                  "result_ballots": (poll.result or {}).get("ballots"), "result_cast": (poll.result or {}).get("cast"),
                  "receipt_list": list(Ballot.objects.filter(poll=poll).values_list("receipt", flat=True))}))
"""


SESSIONS = r"""
import json
from importlib import import_module
from django.conf import settings
from django.contrib.auth import login
from django.db import transaction
from django.test import RequestFactory
from convoca.accounts.models import User

# Each delegate logs in as the login form would have it (django.contrib.auth.login: a new session through the
# configured engine, the login on record), on a request from their phone; the session is then saved.
if settings.SESSION_ENGINE == "django.contrib.sessions.backends.cache" and "locmem" in settings.CACHES[
        settings.SESSION_CACHE_ALIAS]["BACKEND"].lower():
    raise SystemExit("sessions live in one process's memory: the bench cannot hand them to the server")
engine = import_module(settings.SESSION_ENGINE)
factory = RequestFactory(HTTP_USER_AGENT=PHONE_UA)
emails = [f"d{i}@bench.invalid" for i in range(VOTERS)]
users = {u.email: u for u in User.objects.filter(email__in=emails)}
keys = []
with transaction.atomic():
    for email in emails:
        request = factory.post("/accounts/login/")
        request.session = engine.SessionStore()
        login(request, users[email], backend="django.contrib.auth.backends.ModelBackend")
        request.session.save()
        keys.append(request.session.session_key)
print(json.dumps({"cookie": settings.SESSION_COOKIE_NAME, "csrf_cookie": settings.CSRF_COOKIE_NAME,
                  "engine": settings.SESSION_ENGINE, "sessions": keys}))
"""


def setup_sessions(env, voters):
    """A logged-in session per delegate, made through the server's own session engine."""
    return run_django(env, SESSIONS.replace("VOTERS", str(voters)).replace("PHONE_UA", repr(PHONE_AGENT)))


def setup_data(env, voters):
    return run_django(env, SETUP.replace("VOTERS", str(voters)))


TELLER_PASSPHRASE = "bench teller passphrase"


def new_poll(env, title):
    return run_django(env, NEW_POLL.replace("TITLE", repr(title)).replace("PASSPHRASE", repr(TELLER_PASSPHRASE)))


def count_poll(env, poll_id):
    """Counts a closed secret poll (its teller unlocks it), then reads what is stored."""
    return run_django(env, COUNT.replace("POLL", str(int(poll_id))).replace("PASSPHRASE", repr(TELLER_PASSPHRASE)))


# --- the server ---------------------------------------------------------------------------


def start_server(env, port, workers=2, extra=()):
    return SPACE.start_server(env, port, workers, extra)


def vote_request(poll_id, token, option, key):
    body = json.dumps({"choices": [option], "idempotency_key": key}).encode()
    return (
        f"POST /api/v1/polls/{poll_id}/ballots HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {token}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
    ).encode() + body


def post_request(path, token, payload=None):
    body = json.dumps(payload or {}).encode()
    return (
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {token}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
    ).encode() + body


HEALTHZ = b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"


async def sustained(port, requests, connections):
    """Each connection takes the next ballot and sends it, one after another."""
    queue = list(enumerate(requests))
    queue.reverse()
    latencies, acked, failures = [], {}, []

    async def worker():
        conn = Conn(port)
        await conn.open()
        while queue:
            i, raw = queue.pop()
            t0 = time.perf_counter()
            status, body = await conn.send(raw)
            latencies.append(time.perf_counter() - t0)
            if status in (200, 201):
                acked[i] = json.loads(body)["receipt"]
            else:
                failures.append((status, body[:200]))
        conn.close()

    t0 = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(connections)))
    elapsed = time.perf_counter() - t0
    return elapsed, latencies, acked, failures


async def burst(port, requests):
    """One connection per ballot, all opened first, then every ballot written at once."""
    conns = [Conn(port) for _ in requests]
    for start in range(0, len(conns), 200):
        await asyncio.gather(*(c.open() for c in conns[start : start + 200]))
    acked, failures = {}, []
    t0 = time.perf_counter()
    for c, raw in zip(conns, requests, strict=True):
        c.writer.write(raw)

    async def one(i, c):
        status, body = await c.read_response()
        if status in (200, 201):
            acked[i] = json.loads(body)["receipt"]
        else:
            failures.append((status, body[:200]))
        c.close()

    await asyncio.gather(*(one(i, c) for i, c in enumerate(conns)))
    return time.perf_counter() - t0, acked, failures


async def healthz(port, connections, total):
    remaining = [total]

    async def worker():
        conn = Conn(port)
        await conn.open()
        while remaining[0] > 0:
            remaining[0] -= 1
            status, _ = await conn.send(HEALTHZ)
            assert status == 200, status
        conn.close()

    t0 = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(connections)))
    return total / (time.perf_counter() - t0)


# --- the web ballot, as a phone's browser takes it -------------------------------------------

# Delegates' phones in the four languages of the conference.
ACCEPT_LANGUAGES = ["es-CO,es;q=0.9", "pt-BR,pt;q=0.9,en;q=0.8", "en-US,en;q=0.9", "fr-FR,fr;q=0.9,en;q=0.8"]
INPUT = re.compile(r"<input\b[^>]*>", re.I)
ATTR = re.compile(r'([\w-]+)="([^"]*)"')
RECEIPT = re.compile(rb'<code id="receipt">([A-Z0-9-]+)</code>')


class Phone:
    """One delegate's browser: its cookies, its language."""

    def __init__(self, host, cookie_name, session_key, language):
        self.host = host
        self.cookies = {cookie_name: session_key}
        self.language = language

    def take_cookies(self, headers):
        for name, value in headers:
            if name == "set-cookie":
                pair = value.split(";", 1)[0]
                key, _sep, val = pair.partition("=")
                if 'expires=Thu, 01 Jan 1970' in value or "Max-Age=0" in value:
                    self.cookies.pop(key.strip(), None)
                else:
                    self.cookies[key.strip()] = val.strip()

    def cookie_header(self):
        return "; ".join(f"{k}={v}" for k, v in self.cookies.items())

    def get(self, path):
        return (
            f"GET {path} HTTP/1.1\r\nHost: {self.host}\r\n{BROWSER}Accept-Language: {self.language}\r\n"
            f"Upgrade-Insecure-Requests: 1\r\nCookie: {self.cookie_header()}\r\n\r\n"
        ).encode()

    def post_form(self, path, referer, fields):
        body = urlencode(fields).encode()
        return (
            f"POST {path} HTTP/1.1\r\nHost: {self.host}\r\n{BROWSER}Accept-Language: {self.language}\r\n"
            f"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {len(body)}\r\n"
            f"Origin: http://{self.host}\r\nReferer: http://{self.host}{referer}\r\n"
            f"Upgrade-Insecure-Requests: 1\r\nCookie: {self.cookie_header()}\r\n\r\n"
        ).encode() + body


def ballot_form(html, action):
    """The fields a browser would submit from the form posting to ``action``: hidden inputs as they are,
    and the radio choices offered (name, [values])."""
    start = html.find(f'action="{action}"')
    if start < 0:
        return None, None
    end = html.find("</form>", start)
    hidden, radios = [], {}
    for tag in INPUT.findall(html, start, end):
        attrs = dict(ATTR.findall(tag))
        if attrs.get("type") == "hidden":
            hidden.append((attrs["name"], attrs.get("value", "")))
        elif attrs.get("type") == "radio":
            radios.setdefault(attrs["name"], []).append(attrs["value"])
    return hidden, radios


async def web_storm(port, poll_id, phones, connections):
    """Each connection takes the next delegate: GET the poll page, POST the ballot form from it."""
    page = f"/votes/poll/{poll_id}/"
    action = f"/votes/poll/{poll_id}/vote/"
    queue = list(enumerate(phones))
    queue.reverse()
    gets, posts, acked, failures = [], [], {}, []

    async def worker():
        conn = Conn(port)
        await conn.open()
        while queue:
            i, phone = queue.pop()
            t0 = time.perf_counter()
            status, headers, body = await conn.send_full(phone.get(page))
            gets.append(time.perf_counter() - t0)
            phone.take_cookies(headers)
            hidden, radios = ballot_form(body.decode(), action) if status == 200 else (None, None)
            if not hidden or not radios.get("choice"):
                failures.append(("GET", status, body[:200]))
                continue
            choices = radios["choice"]
            fields = [*hidden, ("choice", choices[i % len(choices)])]
            t0 = time.perf_counter()
            status, headers, body = await conn.send_full(phone.post_form(action, page, fields))
            posts.append(time.perf_counter() - t0)
            phone.take_cookies(headers)
            found = RECEIPT.search(body) if status == 200 else None
            if found:
                acked[i] = found.group(1).decode()
            else:
                failures.append(("POST", status, body[:200]))
        conn.close()

    t0 = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(connections)))
    return time.perf_counter() - t0, gets, posts, acked, failures


async def api_post(port, path, token, payload=None):
    conn = Conn(port)
    status, body = await conn.send(post_request(path, token, payload))
    conn.close()
    return status, body


def verify(env, poll_id, acked):
    """Close was done; compare the stored tally with the acknowledged ballots."""
    counted = count_poll(env, poll_id)
    receipts = set(counted.pop("receipt_list"))
    lost = [r for r in acked.values() if r not in receipts]
    return {
        "acknowledged": len(acked),
        "counted": counted["result_ballots"],
        "double_counted": max(0, counted["ballots"] - counted["receipts"]) + max(0, counted["result_ballots"] - len(acked)),
        "lost": len(lost),
        "participations": counted["participations"],
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--voters", type=int, default=2000)
    parser.add_argument("--connections", type=int, default=100)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--healthz", type=int, default=20000, help="healthz requests to time")
    parser.add_argument("--server", default="granian", choices=["granian", "uvicorn"], help="convoca serve --server")
    parser.add_argument("--server-arg", action="append", default=[], help="extra argument for convoca serve")
    parser.add_argument("--modes", default="api,web", help="api (sustained and burst through the API), web "
                        "(the ballot page and form with a session), or both (default)")
    parser.add_argument("--no-crash", action="store_true", help="skip the SIGKILL step (bench/vote_crash.py)")
    args = parser.parse_args()
    args.server_arg = [f"--server={args.server}", *args.server_arg]
    modes = {m.strip() for m in args.modes.split(",") if m.strip()}
    if not modes or modes - {"api", "web"}:
        parser.error("--modes: api, web or api,web")
    try:
        import uvloop

        uvloop.install()
    except ImportError:
        pass

    url = fresh_database()
    env = bench_env(url)
    database = "postgresql" if url else "sqlite"
    print(f"vote storm on {database}: {args.voters} delegates, {args.connections} connections, {args.workers} workers")
    t0 = time.perf_counter()
    tokens = setup_data(env, args.voters)
    sessions = setup_sessions(env, args.voters) if "web" in modes else None
    print(f"  setup {time.perf_counter() - t0:.1f} s")
    coord = tokens["coordinator"]
    voters = tokens["voters"]
    port = free_port()
    proc = start_server(env, port, args.workers, args.server_arg)
    record = {"voters": args.voters, "connections": args.connections}
    checks = []
    failures = []
    try:
        if "api" in modes:
            # (a) sustained
            poll = new_poll(env, "Sustained")
            yes, no = poll["options"][0], poll["options"][1]
            requests = [
                vote_request(poll["poll"], tok, yes if i % 3 else no, secrets.token_urlsafe(18))
                for i, tok in enumerate(voters)
            ]
            elapsed, latencies, acked, refused = asyncio.run(sustained(port, requests, args.connections))
            failures += refused
            status, body = asyncio.run(api_post(port, f"/api/v1/polls/{poll['poll']}/close", coord))
            assert status == 200, (status, body)
            checks.append(verify(env, poll["poll"], acked))
            votes_per_s = len(acked) / elapsed
            # (b) burst
            poll_b = new_poll(env, "Burst")
            requests_b = [
                vote_request(poll_b["poll"], tok, poll_b["options"][i % 3], secrets.token_urlsafe(18))
                for i, tok in enumerate(voters)
            ]
            burst_s, acked_b, refused = asyncio.run(burst(port, requests_b))
            failures += refused
            status, body = asyncio.run(api_post(port, f"/api/v1/polls/{poll_b['poll']}/close", coord))
            assert status == 200, (status, body)
            checks.append(verify(env, poll_b["poll"], acked_b))
            record.update({
                "votes_per_s": round(votes_per_s, 1),
                "p50_ms": round(pct(latencies, 50), 1),
                "p95_ms": round(pct(latencies, 95), 1),
                "p99_ms": round(pct(latencies, 99), 1),
                "burst_s": round(burst_s, 3),
            })
        if "web" in modes:
            # (c) the web ballot with a session and CSRF
            poll_w = new_poll(env, "Web")
            host = f"127.0.0.1:{port}"
            phones = [Phone(host, sessions["cookie"], key, ACCEPT_LANGUAGES[i % len(ACCEPT_LANGUAGES)])
                      for i, key in enumerate(sessions["sessions"])]
            cpu0 = server_cpu_s(proc)
            web_s, gets, posts, acked_w, refused = asyncio.run(web_storm(port, poll_w["poll"], phones, args.connections))
            web_cpu = server_cpu_s(proc) - cpu0
            failures += refused
            status, body = asyncio.run(api_post(port, f"/api/v1/polls/{poll_w['poll']}/close", coord))
            assert status == 200, (status, body)
            checks.append(verify(env, poll_w["poll"], acked_w))
            record.update({
                "web_voters_per_s": round(len(acked_w) / web_s, 1),
                "web_get_p50_ms": round(pct(gets, 50), 1),
                "web_get_p99_ms": round(pct(gets, 99), 1),
                "web_post_p50_ms": round(pct(posts, 50), 1),
                "web_post_p99_ms": round(pct(posts, 99), 1),
                "web_server_cpu_ms": round(web_cpu * 1000 / max(1, len(acked_w)), 2),
                "web_acknowledged": checks[-1]["acknowledged"],
                "web_counted": checks[-1]["counted"] or 0,
                "web_lost": checks[-1]["lost"],
                "session_engine": sessions["engine"],
            })
        # healthz with the same client and connections
        healthz_per_s = asyncio.run(healthz(port, args.connections, args.healthz))
    finally:
        stop_server(proc)
    record["healthz_per_s"] = round(healthz_per_s, 1)
    if "api" in modes:
        record["ratio"] = round(record["votes_per_s"] / healthz_per_s, 3)
    if "web" in modes:
        record["web_ratio"] = round(2 * record["web_voters_per_s"] / healthz_per_s, 3)
    record.update({
        "acknowledged": sum(c["acknowledged"] for c in checks),
        "counted": sum(c["counted"] or 0 for c in checks),
        "double_counted": sum(c["double_counted"] for c in checks),
        "lost": sum(c["lost"] for c in checks),
        "refused": len(failures),
        "database": database,
        "workers": args.workers,
        "server": " ".join(["convoca serve", f"--workers {args.workers}", *args.server_arg]),
        "at": time.strftime("%Y-%m-%dT%H:%M:%S"),
    })
    if failures:
        print("  refused:", failures[:3])
    tally = (f"acknowledged {record['acknowledged']}, counted {record['counted']}, lost {record['lost']}, "
             f"double-counted {record['double_counted']}")
    if "api" in modes:
        print(
            f"vote storm [{database}, {record['server']}] sustained: {record['votes_per_s']} votes/s, p50 {record['p50_ms']} ms, "
            f"p95 {record['p95_ms']} ms, p99 {record['p99_ms']} ms | burst {args.voters} ballots: {record['burst_s']} s | "
            f"healthz {record['healthz_per_s']} req/s | ratio {record['ratio']} | {tally}"
        )
    if "web" in modes:
        print(
            f"vote storm web [{database}, {record['server']}, sessions {record['session_engine'].rsplit('.', 1)[-1]}] "
            f"{args.voters} delegates, GET the ballot page + POST the form: {record['web_voters_per_s']} voters/s, "
            f"GET p50 {record['web_get_p50_ms']} ms, p99 {record['web_get_p99_ms']} ms, POST p50 {record['web_post_p50_ms']} ms, "
            f"p99 {record['web_post_p99_ms']} ms, server CPU {record['web_server_cpu_ms']} ms per voter | healthz {record['healthz_per_s']} req/s | web ratio {record['web_ratio']} | "
            f"acknowledged {record['web_acknowledged']}, counted {record['web_counted']}, lost {record['web_lost']}"
        )
    crash_ok = True
    if not args.no_crash:
        import vote_crash

        crash_ok = vote_crash.main(["--voters", str(args.voters), "--connections", str(args.connections),
                                    "--workers", str(args.workers), "--server", args.server]) == 0
        record["crash"] = vote_crash.main.summary
    history = []
    if RESULTS.exists():
        try:
            history = json.loads(RESULTS.read_text())
        except ValueError:
            history = []
    history.append(record)
    RESULTS.write_text(json.dumps(history, indent=2) + "\n")
    ok = record["lost"] == 0 and record["double_counted"] == 0 and record["counted"] == record["acknowledged"]
    return 0 if ok and crash_ok else 1


if __name__ == "__main__":
    sys.exit(main())
