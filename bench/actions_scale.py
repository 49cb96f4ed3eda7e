"""Days of action at scale: a campaign with A actions across 35 countries and R RSVPs (20,000 and 1,000,000 on
PostgreSQL, 200,000 RSVPs on SQLite by default), then

- per-country counts (actions and RSVPs of every country: ``queries.country_counts``) and the whole campaign's
  map as compact JSON (``queries.map_data`` serialised), each computed from the database with the cache
  emptied first (what the first page after a change pays), median and p95 over 30 runs;
- the list page with filters (country + type, and country + city + day), GET by anonymous browsers against a
  real ``convoca serve --workers 2``, median and p95; the map's JSON over HTTP as well (warm);
- RSVP throughput through the public form as a visitor's browser sends it (GET the action's page, POST the form
  with its CSRF token and cookie), 100 concurrent clients, each from its own address behind the proxy (the
  flood limits hold per address and per email); then every acknowledged RSVP is looked for in the database
  (``rsvp_lost``). Baseline measured in the same run: the same clients only GETting the action page.
- the endorsement burst (``bench/endorse_burst.py``, 10,000 sign-ons by default) run on the same database kind,
  its figures copied here (endorse_per_s, endorse_lost, endorse_double_counted).

Written to var/bench/actions.json, one entry per database.

    .venv/bin/python bench/actions_scale.py [--actions 20000] [--rsvps N] [--posts 5000] [--endorse 10000]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/actions_scale.py
"""

import argparse
import asyncio
import json
import os
import random
import re
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _server import BROWSER, Conn, Workspace, free_port, run_django, stop_server  # noqa: E402  (shared with the other benches)

ROOT = Path(__file__).resolve().parent.parent
RESULTS_DIR = ROOT / "var" / "bench"
SPACE = Workspace("actions_scale", sqlite_name="actions.sqlite3", database="convoca_bench_actions")
WORK_DIR = SPACE.dir
RESULTS = RESULTS_DIR / "actions.json"
SLUG = "bench-day"
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')

SETUP = r"""
import datetime as dt, json, random, time, zoneinfo
from django.core.management import call_command
from django.db import connection, transaction
from django.utils import timezone
call_command("migrate", verbosity=0, interactive=False)
from convoca.accounts.models import User
from convoca.gatherings.models import Gathering
from convoca.actions import services
from convoca.actions.models import Action, ActionType, Campaign, Rsvp
N_ACTIONS, N_RSVPS = %(actions)d, %(rsvps)d
COUNTRIES = %(countries)r
rng = random.Random(7)
today = timezone.localdate()
g = Gathering.objects.create(kind="conference", slug="bench", title="Bench", starts_on=today, ends_on=today)
coordinator = User.objects.create_user(email="coord@bench.invalid", password="x", is_coordinator=True)
host = User.objects.create_user(email="host@bench.invalid", password="x")
campaign = services.create_campaign(coordinator, g, slug="bench-day", title="Jornada", starts_on=today,
                                    ends_on=today + dt.timedelta(days=2), action_types=[t.value for t in ActionType])
day = timezone.now() + dt.timedelta(days=1)
kinds = [t.value for t in ActionType]
t0 = time.time()
actions = []
for i in range(N_ACTIONS):
    country = COUNTRIES[i %% len(COUNTRIES)]
    start = day + dt.timedelta(minutes=rng.randrange(0, 36 * 60, 30))
    actions.append(Action(campaign=campaign, host_user=host, title=f"Acción {i}", kind=kinds[i %% len(kinds)],
                          starts_at=start, ends_at=start + dt.timedelta(hours=2), timezone="America/Bogota",
                          city=f"Ciudad {i %% 17}", country=country, state="approved",
                          latitude=round(rng.uniform(-40, 45), 1), longitude=round(rng.uniform(-110, -40), 1)))
Action.objects.bulk_create(actions, batch_size=2000)
ids = list(Action.objects.filter(campaign=campaign).values_list("pk", flat=True))
counts = dict.fromkeys(ids, 0)
batch = []
for j in range(N_RSVPS):
    pk = ids[j %% len(ids)]
    counts[pk] += 1
    batch.append(Rsvp(action_id=pk, name="P", email=f"s{j}@bench.invalid", email_key=f"s{j}@bench.invalid",
                      state="confirmed"))
    if len(batch) == 10000:
        Rsvp.objects.bulk_create(batch)
        batch = []
Rsvp.objects.bulk_create(batch)
with transaction.atomic():
    by_count = {}
    for pk, n in counts.items():
        by_count.setdefault(n, []).append(pk)
    for n, pks in by_count.items():
        for k in range(0, len(pks), 5000):
            Action.objects.filter(pk__in=pks[k:k + 5000]).update(rsvp_count=n)
with connection.cursor() as c:
    # As a database that gathered its RSVPs over weeks would be: vacuumed (on PostgreSQL, autovacuum would
    # otherwise visit the million rows just loaded during the measurement) and analysed.
    c.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
targets = ids[:500]
print(json.dumps({"seconds": round(time.time() - t0, 1), "targets": targets}))
"""

QUERIES = r"""
import json, time
from django.core.cache import cache
from django.db import connection
from convoca.actions import queries
from convoca.actions.models import Action, Campaign
campaign = Campaign.objects.get(slug="bench-day")
def timed(fn):
    out = []
    for _ in range(30):
        cache.clear()
        t0 = time.perf_counter(); fn(); out.append(time.perf_counter() - t0)
    return out
counts = timed(lambda: queries.country_counts(campaign))
mapped = timed(lambda: json.dumps(queries.map_data(campaign), separators=(",", ":")))
baseline = timed(lambda: Action.objects.filter(campaign=campaign).count())
size = len(json.dumps(queries.map_data(campaign), separators=(",", ":")))
print(json.dumps({"counts": counts, "map": mapped, "baseline": baseline, "map_bytes": size,
                  "countries": len(queries.country_counts(campaign)), "vendor": connection.vendor}))
"""

VERIFY = r"""
import json
from convoca.actions.models import Rsvp
emails = set(Rsvp.objects.filter(email_key__endswith="@visitor.invalid").values_list("email_key", flat=True))
print(json.dumps({"emails": sorted(emails), "total": Rsvp.objects.count()}))
"""

COUNTRIES = ["AR", "BO", "BR", "BZ", "CA", "CL", "CO", "CR", "CU", "DO", "EC", "GF", "GP", "GT", "GY", "HN", "HT",
             "JM", "MQ", "MX", "NI", "PA", "PE", "PR", "PY", "SR", "SV", "TT", "US", "UY", "VE", "BB", "LC", "VC",
             "GD"]


class Visitor:
    """One visitor's browser: its address (behind the proxy), its cookies, its form."""

    def __init__(self, i, host):
        self.i, self.host = i, host
        self.address = f"10.{(i // 65536) % 256}.{(i // 256) % 256}.{i % 256}"
        self.cookies = {}

    def _head(self):
        cookies = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        return (f"Host: {self.host}\r\n{BROWSER}Accept-Language: es-CO,es;q=0.9\r\nX-Forwarded-For: {self.address}\r\n"
                + (f"Cookie: {cookies}\r\n" if cookies else ""))

    def take_cookies(self, headers):
        for name, value in headers:
            if name == "set-cookie":
                key, _sep, val = value.split(";", 1)[0].partition("=")
                self.cookies[key.strip()] = val.strip()

    def get(self, path):
        return f"GET {path} HTTP/1.1\r\n{self._head()}\r\n".encode()

    def post(self, path, token):
        body = urlencode({"name": f"Visitante {self.i}", "email": f"v{self.i}@visitor.invalid", "share_name": "on",
                          "csrfmiddlewaretoken": token}).encode()
        return (f"POST {path} HTTP/1.1\r\n{self._head()}Content-Type: application/x-www-form-urlencoded\r\n"
                f"Content-Length: {len(body)}\r\nOrigin: http://{self.host}\r\nReferer: http://{self.host}{path}\r\n\r\n"
                ).encode() + body


async def rsvp_storm(port, targets, count, connections, get_only=False, offset=0):
    host = f"127.0.0.1:{port}"
    queue = list(range(offset + count - 1, offset - 1, -1))
    gets, posts, acked, failures = [], [], set(), []

    async def worker():
        conn = Conn(port)
        await conn.open()
        while queue:
            i = queue.pop()
            visitor = Visitor(i, host)
            path = f"/days/{SLUG}/{targets[i % len(targets)]}/"
            try:
                t0 = time.perf_counter()
                status, headers, body = await conn.send_full(visitor.get(path))
                gets.append(time.perf_counter() - t0)
                visitor.take_cookies(headers)
                token = CSRF.search(body.decode())
                if status != 200 or not token:
                    failures.append(("GET", status, body[:200]))
                    continue
                if get_only:
                    continue
                t0 = time.perf_counter()
                status, headers, body = await conn.send_full(visitor.post(path, token.group(1)))
                posts.append(time.perf_counter() - t0)
            except (OSError, asyncio.IncompleteReadError) as error:
                failures.append(("conn", 0, repr(error)[:200]))
                conn.close()
                continue
            if status == 302:
                acked.add(f"v{i}@visitor.invalid")
            else:
                failures.append(("POST", status, body[:300]))
        conn.close()

    t0 = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(connections)))
    return time.perf_counter() - t0, gets, posts, acked, failures


async def pages(port, paths, rounds):
    conn = Conn(port)
    await conn.open()
    times = []
    for _ in range(rounds):
        for path in paths:
            t0 = time.perf_counter()
            status, _headers, body = await conn.send_full(
                f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n{BROWSER}Accept-Language: es\r\n\r\n".encode())
            times.append(time.perf_counter() - t0)
            if status != 200:
                raise SystemExit(f"{path}: {status} {body[:200]!r}")
    conn.close()
    return times


def endorsements(count, connections):
    """The endorsement burst on the same kind of database (its own database/file), its figures read back."""
    if count > 0:
        subprocess.run([sys.executable, str(ROOT / "bench" / "endorse_burst.py"), "--count", str(count),
                        "--connections", str(connections)], cwd=ROOT, check=False)
    path = RESULTS_DIR / "endorsements.json"
    kind = "postgresql" if os.environ.get("DATABASE_URL") else "sqlite"
    rows = json.loads(path.read_text()) if path.exists() else []
    return next((r for r in rows if r.get("database") == kind), {})


def pct(values, p):
    values = sorted(values)
    return round(values[min(len(values) - 1, int(len(values) * p / 100))] * 1000, 1) if values else None


def bench_env(database_url):
    return SPACE.env(database_url, settings="actions_settings",
                      TASKS_BACKEND="database",  # confirmations are queued, as at scale (a worker sends them)
                      ACTIONS_RSVP_PER_IP="50")


def main(argv=None):
    postgres = bool(os.environ.get("DATABASE_URL"))
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--actions", type=int, default=20_000)
    parser.add_argument("--rsvps", type=int, default=1_000_000 if postgres else 200_000)
    parser.add_argument("--posts", type=int, default=5_000, help="RSVPs sent through the form")
    parser.add_argument("--connections", type=int, default=100)
    parser.add_argument("--endorse", type=int, default=10_000,
                        help="sign-ons of the endorsement burst (0: read its last figures from endorsements.json)")
    args = parser.parse_args(argv)
    database_url = SPACE.fresh_database()
    env = bench_env(database_url)
    t0 = time.perf_counter()
    seeded = run_django(env, SETUP % {"actions": args.actions, "rsvps": args.rsvps, "countries": COUNTRIES})
    print(f"seeded {args.actions} actions and {args.rsvps} RSVPs in {time.perf_counter() - t0:.0f} s", flush=True)
    measured = run_django(env, QUERIES)
    port = free_port()
    server = SPACE.start_server(env, port)
    try:
        list_paths = [f"/days/{SLUG}/?country=MX&kind=march", f"/days/{SLUG}/?country=BR&city=Ciudad+3",
                      f"/days/{SLUG}/?kind=vigil&page=3"]
        asyncio.run(pages(port, list_paths, 2))  # warm the workers
        list_times = asyncio.run(pages(port, list_paths, 20))
        map_http = asyncio.run(pages(port, [f"/days/{SLUG}/map.json"], 20))
        targets = seeded["targets"]
        baseline_n = min(2000, args.posts)
        base_seconds, base_gets, *_rest = asyncio.run(
            rsvp_storm(port, targets, baseline_n, args.connections, get_only=True, offset=10**6))
        seconds, gets, posts, acked, failures = asyncio.run(rsvp_storm(port, targets, args.posts, args.connections))
    finally:
        stop_server(server)
    stored = run_django(env, VERIFY)
    lost = len(acked - set(stored["emails"]))
    endorse = endorsements(args.endorse, args.connections)
    result = {
        "database": "postgresql" if database_url else "sqlite", "actions": args.actions, "rsvps": args.rsvps,
        "countries": measured["countries"],
        "per_country_p50_ms": pct(measured["counts"], 50), "per_country_p95_ms": pct(measured["counts"], 95),
        "map_p50_ms": pct(measured["map"], 50), "map_p95_ms": pct(measured["map"], 95),
        "map_bytes": measured["map_bytes"], "map_http_warm_p50_ms": pct(map_http, 50),
        "count_baseline_p50_ms": pct(measured["baseline"], 50),
        "list_p50_ms": pct(list_times, 50), "list_p95_ms": pct(list_times, 95),
        "rsvp_posts": args.posts, "connections": args.connections, "rsvp_seconds": round(seconds, 2),
        "rsvp_per_s": round(len(acked) / seconds, 1), "rsvp_lost": lost, "rsvp_acknowledged": len(acked),
        "rsvp_failures": len(failures), "rsvp_post_p50_ms": pct(posts, 50), "rsvp_post_p95_ms": pct(posts, 95),
        "rsvp_get_p50_ms": pct(gets, 50), "rsvp_get_p95_ms": pct(gets, 95),
        "baseline_page_get_per_s": round(len(base_gets) / base_seconds, 1),
        "endorse_per_s": endorse.get("endorse_per_s"), "endorse_lost": endorse.get("endorse_lost"),
        "endorse_double_counted": endorse.get("endorse_double_counted"), "endorse_count": endorse.get("count"),
    }
    result["rsvp_ratio_to_baseline"] = round(result["rsvp_per_s"] / result["baseline_page_get_per_s"], 3)
    print(f"actions at scale ({result['database']}, {args.actions} actions in {result['countries']} countries, "
          f"{args.rsvps} RSVPs): per-country counts p50 {result['per_country_p50_ms']} ms p95 "
          f"{result['per_country_p95_ms']} ms; map ({result['map_bytes']} bytes) p50 {result['map_p50_ms']} ms p95 "
          f"{result['map_p95_ms']} ms (baseline count(*) {result['count_baseline_p50_ms']} ms); list page with "
          f"filters p50 {result['list_p50_ms']} ms p95 {result['list_p95_ms']} ms")
    print(f"RSVP through the form ({args.posts}, {args.connections} clients): {result['rsvp_per_s']}/s, lost {lost}, "
          f"{len(failures)} failures; GET p50 {result['rsvp_get_p50_ms']} ms p95 {result['rsvp_get_p95_ms']} ms, "
          f"POST p50 {result['rsvp_post_p50_ms']} ms p95 {result['rsvp_post_p95_ms']} ms; "
          f"baseline (GET the page only) {result['baseline_page_get_per_s']}/s, ratio "
          f"{result['rsvp_ratio_to_baseline']}")
    print(f"endorsements: {result['endorse_per_s']} sign-ons/s, lost {result['endorse_lost']}, double-counted "
          f"{result['endorse_double_counted']}")
    for failure in failures[:5]:
        print("  failure:", failure)
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    previous = json.loads(RESULTS.read_text()) if RESULTS.exists() else []
    previous = [r for r in previous if r.get("database") != result["database"]] if isinstance(previous, list) else []
    RESULTS.write_text(json.dumps([*previous, result], indent=2) + "\n")
    return 0 if lost == 0 else 1


if __name__ == "__main__":
    random.seed(0)
    sys.exit(main())
