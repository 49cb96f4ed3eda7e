"""Benchmark: the coordinators' list of registrations with 200 and with 2,000 registrations (issue 11).

    .venv/bin/python bench/registrations_bench.py [--runs N]

Uses a throwaway SQLite database under var/bench/ (or DATABASE_URL if set: the rows it creates are
deleted at the end). The rows are seeded in bulk (setup, not measured): delegates of 80 organisations in
20 countries, observers, every status and mandate. Each page is requested through Django's test client
as a logged-in coordinator (second factor proved), with the whole middleware stack: server time (median
and p95 over ``--runs`` requests after a warm-up), queries, bytes of HTML and the same gzipped (what a
browser receives from ``convoca serve``). Pages: the list's first page, a search with two filters, and
the CSV download of all the rows (its time and size). The baseline is the 200-registration conference
measured in the same run: the ratios say how each figure grows with ten times the rows (the page and
its queries should not). Writes var/bench/registrations.json.
"""

import argparse
import gzip
import json
import os
import statistics
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT_DIR = ROOT / "var" / "bench"
sys.path.insert(0, str(ROOT))

COUNTRIES = ["AR", "BO", "BR", "CA", "CL", "CO", "CR", "CU", "DO", "EC", "GT", "HN", "HT", "MX", "NI", "PA", "PE",
             "PY", "US", "UY"]
NAMES = ["Ana Díaz", "José Ríos", "María Gómez", "João Conceição", "Lúcia Araújo", "Hélène Côté", "Iñaki Núñez",
         "Luis Pérez", "Rosa Luna", "Pedro Sáenz"]


def percentile(values, share):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def timed(request, runs):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    body = request()  # warm-up: caches, template loading
    times, queries = [], None
    for _ in range(runs):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            body = request()
            times.append((time.perf_counter() - started) * 1000)
        queries = len(captured)
    return {
        "p50_ms": round(statistics.median(times), 1), "p95_ms": round(percentile(times, 0.95), 1),
        "queries": queries, "bytes": len(body), "gzip_bytes": len(gzip.compress(body, 6)),
    }


def seed(size, tag, orgs):
    from convoca.gatherings.models import Gathering, Registration
    from convoca.network.models import Person

    gathering = Gathering.objects.create(
        kind="conference", slug=f"bench-{size}-{tag}", title=f"Conferencia de {size}", starts_on="2030-01-10",
        ends_on="2030-01-12", place="Panamá", original_language="es",
    )
    people = Person.objects.bulk_create(
        (Person(display_name=f"{NAMES[i % len(NAMES)]} {i}") for i in range(size)), batch_size=1000)
    statuses = ["requested", "requested", "accredited", "refused"]
    mandates = ["pending", "confirmed", "confirmed", "rejected"]
    rows = []
    for i, person in enumerate(people):
        status = statuses[i % 4]
        if i % 10 == 9:
            rows.append(Registration(gathering=gathering, person=person, role="observer", status=status,
                                     refusal_reason="Sin cupo" if status == "refused" else ""))
        else:
            mandate = "confirmed" if status == "accredited" else mandates[i % 4]
            rows.append(Registration(gathering=gathering, person=person, role="delegate", organisation=orgs[i % len(orgs)],
                                     mandate=mandate, status=status,
                                     refusal_reason="Sin cupo" if status == "refused" else ""))
    Registration.objects.bulk_create(rows, batch_size=1000)
    return gathering, people


def measure(client, gathering, runs):
    base = f"/gatherings/{gathering.slug}/registrations/"

    def get(url):
        def request():
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)
            return response.content
        return request

    def download():
        response = client.post(f"{base}export/", {"format": "csv"})
        assert response.status_code == 200, response.status_code
        return b"".join(response.streaming_content)

    return {
        "list": timed(get(base), runs),
        "search": timed(get(f"{base}?q=diaz&status=requested&country=CO"), runs),
        "csv_all": timed(download, max(3, runs // 10)),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()

    OUT_DIR.mkdir(parents=True, exist_ok=True)
    if not os.environ.get("DATABASE_URL"):
        db_path = OUT_DIR / "registrations_bench.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db_path}{suffix}").unlink(missing_ok=True)
        os.environ["SQLITE_PATH"] = str(db_path)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "convoca.settings")
    os.environ.setdefault("CONVOCA_FAST_HASHER", "1")
    os.environ.setdefault("STATICFILES_STORAGE", "django.contrib.staticfiles.storage.StaticFilesStorage")

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.test import Client

    from convoca.accounts.models import User
    from convoca.gatherings.models import Gathering
    from convoca.network.models import Organisation, Person, Sector
    from tests.accounts.helpers import enrol_if_required

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    call_command("migrate", interactive=False, verbosity=0)
    tag = uuid.uuid4().hex[:8]
    coordinator = User.objects.create_user(f"bench.coordinator.{tag}@example.org", "bench-password-123",
                                           is_coordinator=True)
    client = Client()
    client.force_login(coordinator)
    enrol_if_required(client, coordinator)
    orgs = Organisation.objects.bulk_create(
        Organisation(name=f"Sindicato {tag} {i}", name_key=f"sindicato {tag} {i}", country=COUNTRIES[i % 20],
                     sector=list(Sector.values)[i % 7], is_public=True)
        for i in range(80)
    )
    created, results = [], {}
    try:
        for size in (200, 2000):
            gathering, people = seed(size, tag, orgs)
            created.append((gathering, people))
            results[str(size)] = measure(client, gathering, args.runs)
    finally:
        for gathering, people in created:
            Gathering.objects.filter(pk=gathering.pk).delete()
            Person.objects.filter(pk__in=[p.pk for p in people]).delete()
        Organisation.objects.filter(pk__in=[o.pk for o in orgs]).delete()
        # The audit trail keeps its entries (the database refuses to delete them), so the account stays too.

    base, big = results["200"], results["2000"]
    print(f"{'page':<10} {'rows':>5} {'p50 ms':>8} {'p95 ms':>8} {'queries':>8} {'HTML B':>9} {'gzip B':>8}")
    for size, figures in results.items():
        for page, r in figures.items():
            print(f"{page:<10} {size:>5} {r['p50_ms']:>8} {r['p95_ms']:>8} {r['queries']:>8} {r['bytes']:>9} "
                  f"{r['gzip_bytes']:>8}")
    ratios = {
        f"{page}_{figure}_ratio": round(big[page][figure] / base[page][figure], 2)
        for page in ("list", "search", "csv_all") for figure in ("p50_ms", "queries", "bytes")
        if base[page][figure]
    }
    print("ratio 2,000 / 200 (baseline: 200 in this run): "
          + ", ".join(f"{name}={value}" for name, value in ratios.items()))
    out = {"results": results, **ratios, "target_gzip_bytes": 50_000,
           "list_gzip_bytes_2000": big["list"]["gzip_bytes"]}
    (OUT_DIR / "registrations.json").write_text(json.dumps(out, indent=2))
    if big["list"]["gzip_bytes"] >= 50_000 or big["list"]["queries"] != base["list"]["queries"]:
        print("the list's page is over 50 kB or its queries grow with the rows")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
