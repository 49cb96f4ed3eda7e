"""Endorsement burst: N sign-ons of the published declaration through the public form, as signers' browsers
send them (GET the sign-on page, POST the form with its CSRF token and cookie), by C concurrent clients against
a real ``convoca serve --workers 2``. The flood limits are those of a real burst from many addresses: the
server runs behind a "proxy" (``bench/endorse_settings.py``) and each signer comes from one of N/4 addresses
(``X-Forwarded-For``), so every address stays under its limit. One sign-on in 20 is a duplicate of another
(the same email in other capitals, or the same organisation and country in other case and accents), sent in
the same burst.

Figures: sign-ons/s (acknowledged new sign-ons per second of the burst), lost (acknowledged sign-ons missing
from the database), double-counted (rows beyond one per email and per organisation and country, and
duplicates the server acknowledged as new), the GET and POST latencies, and as a baseline measured in the same
run the rate at which the same clients only GET the sign-on page. Written to var/bench/endorsements.json.

    .venv/bin/python bench/endorse_burst.py [--count 10000] [--connections 100]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/endorse_burst.py
"""

import argparse
import asyncio
import json
import random
import re
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _server import BROWSER, Conn, Workspace, free_port, run_django, stop_server  # noqa: E402  (shared with the other benches)

ROOT = Path(__file__).resolve().parent.parent
RESULTS_DIR = ROOT / "var" / "bench"
SPACE = Workspace("endorse_burst", sqlite_name="burst.sqlite3", database="convoca_bench_endorse")
WORK_DIR = SPACE.dir
RESULTS = RESULTS_DIR / "endorsements.json"
SLUG = "burst"
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
COUNTRIES = ["AR", "BO", "BR", "CA", "CL", "CO", "CR", "CU", "DO", "EC", "GT", "GP", "HN", "HT", "JM", "MX", "NI",
             "PA", "PE", "PR", "PY", "SV", "TT", "US", "UY", "VE"]
LANGUAGES = ["es-CO,es;q=0.9", "pt-BR,pt;q=0.9", "en-US,en;q=0.9", "fr-FR,fr;q=0.9"]

SETUP = r"""
import json
from django.core.management import call_command
from django.utils import timezone
call_command("migrate", verbosity=0, interactive=False)
from convoca.gatherings.models import Gathering
from convoca.proposals.models import Declaration
today = timezone.localdate()
g = Gathering.objects.create(kind="conference", slug="burst", title="Burst", starts_on=today, ends_on=today)
Declaration.objects.create(gathering=g, title="Declaración de la ráfaga", state="published", published_at=timezone.now(),
                           published_version=1)
print(json.dumps({"ok": True}))
"""

COUNT = r"""
import json
from django.db.models import Count
from convoca.endorsements.models import Endorsement
rows = Endorsement.objects.filter(declaration__gathering__slug="burst")
emails = set(rows.values_list("email_key", flat=True))
orgs = rows.values("organisation_key", "country").annotate(n=Count("pk")).filter(n__gt=1).count()
by_email = rows.values("email_key").annotate(n=Count("pk")).filter(n__gt=1).count()
print(json.dumps({"rows": rows.count(), "emails": sorted(emails), "dup_orgs": orgs, "dup_emails": by_email}))
"""


class Signer:
    """One signer's browser: its address (behind the proxy), its cookies, its language, its form."""

    def __init__(self, i, fields, host, address):
        self.i, self.fields, self.host, self.address = i, fields, host, address
        self.language = LANGUAGES[i % len(LANGUAGES)]
        self.cookies = {}

    def _head(self):
        cookies = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        return (f"Host: {self.host}\r\n{BROWSER}Accept-Language: {self.language}\r\nX-Forwarded-For: {self.address}\r\n"
                + (f"Cookie: {cookies}\r\n" if cookies else ""))

    def take_cookies(self, headers):
        for name, value in headers:
            if name == "set-cookie":
                key, _sep, val = value.split(";", 1)[0].partition("=")
                self.cookies[key.strip()] = val.strip()

    def get(self, path):
        return f"GET {path} HTTP/1.1\r\n{self._head()}\r\n".encode()

    def post(self, path, token):
        body = urlencode({**self.fields, "csrfmiddlewaretoken": token}).encode()
        return (f"POST {path} HTTP/1.1\r\n{self._head()}Content-Type: application/x-www-form-urlencoded\r\n"
                f"Content-Length: {len(body)}\r\nOrigin: http://{self.host}\r\nReferer: http://{self.host}{path}\r\n\r\n"
                ).encode() + body


def plan(count, seed=12):
    """The sign-ons: 19 in 20 new, 1 in 20 a duplicate of an earlier one (email or organisation + country)."""
    rng = random.Random(seed)
    originals, signers = [], []
    for i in range(count):
        if originals and i % 20 == 19:
            kind, source = ("email", rng.choice(originals)) if i % 40 == 19 else ("organisation", rng.choice(originals))
            fields = dict(source)
            if kind == "email":
                fields["email"] = fields["email"].upper()
                fields["organisation"] = f"Otra organización {i}"
            else:
                fields["email"] = f"dup{i}@burst.invalid"
                fields["organisation"] = fields["organisation"].upper().replace("A", "Á")
            signers.append((i, fields, source["email"]))  # a duplicate: the email of the sign-on it repeats
            continue
        fields = {"kind": "organisation", "organisation": f"Sindicato número {i}", "country": COUNTRIES[i % len(COUNTRIES)],
                  "sector": "trade_union", "signatory": f"Firmante {i}", "role": "Secretaría",
                  "email": f"firma{i}@burst.invalid"}
        originals.append(fields)
        signers.append((i, fields, ""))
    return signers


async def burst(port, signers, connections, get_only=False):
    host = f"127.0.0.1:{port}"
    page = f"/gatherings/{SLUG}/endorsements/sign/"
    queue = list(reversed(signers))
    gets, posts, acked, duplicate_answers, failures, acked_duplicates = [], [], set(), [], [], []
    refused_originals = []

    async def worker():
        conn = Conn(port)
        await conn.open()
        while queue:
            i, fields, is_duplicate = queue.pop()
            browser = Signer(i, fields, host, f"10.{(i // 4) // 65536 % 256}.{(i // 4) // 256 % 256}.{(i // 4) % 256}")
            try:
                t0 = time.perf_counter()
                status, headers, body = await conn.send_full(browser.get(page))
                gets.append(time.perf_counter() - t0)
                browser.take_cookies(headers)
                token = CSRF.search(body.decode())
                if status != 200 or not token:
                    failures.append(("GET", status, body[:200]))
                    continue
                if get_only:
                    continue
                t0 = time.perf_counter()
                status, headers, body = await conn.send_full(browser.post(page, token.group(1)))
                posts.append(time.perf_counter() - t0)
            except (OSError, asyncio.IncompleteReadError) as error:
                failures.append(("conn", 0, repr(error)[:200]))
                conn.close()
                continue
            if status == 302 and not is_duplicate:
                acked.add(fields["email"].lower())
            elif status == 302:
                # Acknowledged: counted twice only if the sign-on it repeats was acknowledged too (when the
                # duplicate arrives first, the original is the one refused: still counted once).
                acked_duplicates.append((fields["email"].lower(), is_duplicate.lower()))
            elif status == 200 and is_duplicate and b"error-summary" in body:  # the form again, with why
                duplicate_answers.append(i)
            elif status == 200 and b"error-summary" in body:  # refused: was its duplicate there first?
                refused_originals.append((i, fields["email"].lower(), body[:300]))
            else:
                failures.append(("POST", status, body[:300]))
        conn.close()

    t0 = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(connections)))
    double = sum(1 for _email, source in acked_duplicates if source in acked)
    # An original refused because its duplicate arrived first and was acknowledged is the pair counted once,
    # the duplicate's refusal in the other order; any other refusal is a failure.
    came_first = {source for _email, source in acked_duplicates}
    for i, email, body in refused_originals:
        if email in came_first:
            duplicate_answers.append(i)
        else:
            failures.append(("POST", 200, body))
    acked |= {email for email, _source in acked_duplicates}
    return time.perf_counter() - t0, gets, posts, acked, duplicate_answers, failures, double


def pct(values, p):
    values = sorted(values)
    return round(values[min(len(values) - 1, int(len(values) * p / 100))] * 1000, 1) if values else None


def bench_env(database_url):
    return SPACE.env(database_url, settings="endorse_settings")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--connections", type=int, default=100)
    args = parser.parse_args(argv)
    database_url = SPACE.fresh_database()
    env = bench_env(database_url)
    run_django(env, SETUP)
    port = free_port()
    server = SPACE.start_server(env, port)
    try:
        signers = plan(args.count)
        baseline_n = min(2000, args.count)
        base_seconds, base_gets, *_rest = asyncio.run(burst(port, signers[:baseline_n], args.connections, get_only=True))
        seconds, gets, posts, acked, duplicate_answers, failures, double = asyncio.run(
            burst(port, signers, args.connections))
    finally:
        stop_server(server)
    stored = run_django(env, COUNT)
    lost = len(acked - set(stored["emails"]))
    duplicates_sent = sum(1 for s in signers if s[2])
    double_counted = stored["dup_orgs"] + stored["dup_emails"] + double
    result = {
        "database": "postgresql" if database_url else "sqlite", "count": args.count, "connections": args.connections,
        "seconds": round(seconds, 2), "sign_ons": len(acked), "endorse_per_s": round(len(acked) / seconds, 1),
        "endorse_lost": lost, "endorse_double_counted": double_counted, "rows": stored["rows"],
        "duplicates_sent": duplicates_sent, "duplicates_refused": len(duplicate_answers),
        "failures": len(failures), "get_p50_ms": pct(gets, 50), "post_p50_ms": pct(posts, 50),
        "post_p95_ms": pct(posts, 95), "post_p99_ms": pct(posts, 99),
        "baseline_page_get_per_s": round(len(base_gets) / base_seconds, 1),
    }
    result["ratio_to_baseline"] = round(result["endorse_per_s"] / result["baseline_page_get_per_s"], 3)
    print(f"endorsement burst ({result['database']}, {args.count} sign-ons, {args.connections} clients): "
          f"{result['endorse_per_s']} sign-ons/s, lost {lost}, double-counted {double_counted}, "
          f"{len(acked)} acknowledged, {len(duplicate_answers)}/{duplicates_sent} duplicates refused, "
          f"{len(failures)} failures; POST p50 {result['post_p50_ms']} ms p95 {result['post_p95_ms']} ms; "
          f"baseline (GET the page only) {result['baseline_page_get_per_s']}/s, ratio {result['ratio_to_baseline']}")
    for failure in failures[:5]:
        print("  failure:", failure)
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    previous = json.loads(RESULTS.read_text()) if RESULTS.exists() else []
    previous = [r for r in previous if r.get("database") != result["database"]] if isinstance(previous, list) else []
    RESULTS.write_text(json.dumps([*previous, result], indent=2) + "\n")
    return 0 if lost == 0 and double_counted == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
