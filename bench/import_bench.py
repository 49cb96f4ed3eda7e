"""Benchmark: import 10,000 people from a spreadsheet as Excel saves it.

    .venv/bin/python bench/import_bench.py [--rows N]

Uses a throwaway SQLite database under var/bench/ (or DATABASE_URL if set: the
rows it creates are deleted at the end). Generates a Windows-1252 CSV with
semicolons and Spanish headers, runs preview + confirm through the same
services as the web pages, and compares with two baselines measured in the
same run: a bare ``csv.reader`` pass over the same file (the floor) and a naive
per-row importer (``Person.objects.filter(email__iexact=...)`` then
``Person.objects.create`` and ``Membership.objects.create`` for each row, no
checks at all). Preview and confirm each check every row against the database
(confirm checks again, since the registry may have changed), so the end-to-end
ratio understates the write speed-up; both are reported. Writes
var/bench/import.json.
"""

import argparse
import csv
import io
import json
import os
import random
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT_DIR = ROOT / "var" / "bench"
sys.path.insert(0, str(ROOT))

GIVEN = ["María", "José", "Lucía", "João", "Inês", "Élise", "Andrés", "Ñusta", "Martín", "Ana", "Raúl", "Begoña",
         "Thiago", "Conceição", "François", "Adriana", "Iván", "Sebastián", "Rocío", "Wilmer"]
FAMILY = ["Martínez", "Pérez", "Quispe", "Gonçalves", "Dupont", "Mamani", "Núñez", "Peña", "Ibáñez", "Araújo",
          "Céspedes", "Hernández", "Fernández", "Lefèvre", "Muñoz", "Gómez", "Villarroel", "Ortíz"]
LANGUAGES = ["es", "español", "Español, Inglés", "portugués", "es, pt", "français", "quechua, castellano", "pt; en"]


def generate(rows, tag, organisations):
    rng = random.Random(42)
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(["Nombre", "Apellidos", "Correo electrónico", "Idiomas", "Organización", "País"])
    for i in range(rows):
        org, country = organisations[i % len(organisations)] if i % 3 == 0 else ("", "")
        writer.writerow([rng.choice(GIVEN), f"{rng.choice(FAMILY)} {rng.choice(FAMILY)}",
                         f"persona.{tag}.{i}@Ejemplo.org", rng.choice(LANGUAGES), org, country])
    return buffer.getvalue().encode("cp1252")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--naive-rows", type=int, default=1_000)
    args = parser.parse_args()

    OUT_DIR.mkdir(parents=True, exist_ok=True)
    using_url = bool(os.environ.get("DATABASE_URL"))
    if not using_url:
        db_path = OUT_DIR / "import_bench.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db_path}{suffix}").unlink(missing_ok=True)
        os.environ["SQLITE_PATH"] = str(db_path)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "convoca.settings")
    os.environ.setdefault("CONVOCA_FAST_HASHER", "1")

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from convoca.accounts.models import User
    from convoca.imports import services
    from convoca.imports.models import ImportBatch
    from convoca.network.models import Membership, Organisation, Person, Sector

    call_command("migrate", interactive=False, verbosity=0)
    tag = uuid.uuid4().hex[:8]
    coordinator = User.objects.create_user(f"bench-{tag}@example.invalid", uuid.uuid4().hex, is_coordinator=True)
    organisations = [(f"Sindicato Bench {tag} {n}", country) for n, country in enumerate(["CO", "BR", "MX", "PE", "HT"])]
    created_orgs = [Organisation.objects.create(name=name, country=country, sector=Sector.TRADE_UNION)
                    for name, country in organisations]
    data = generate(args.rows, tag, [(name, {"CO": "Colombia", "BR": "Brasil", "MX": "México", "PE": "Perú",
                                              "HT": "Haïti"}[country]) for name, country in organisations])

    try:
        # Floor: decoding and splitting the same file, nothing else.
        started = time.perf_counter()
        floor_rows = sum(1 for _row in csv.reader(io.StringIO(data.decode("cp1252"), newline=""), delimiter=";")) - 1
        csv_s = time.perf_counter() - started

        cpu_started = time.process_time()
        started = time.perf_counter()
        preview, batch = services.stage_import(coordinator, "people", data, filename="personas.csv")
        preview_s = time.perf_counter() - started
        if batch is None:
            raise SystemExit("bench file has problems: " + "; ".join(str(p) for p in preview.problems[:5]))
        started = time.perf_counter()
        result = services.confirm_import(coordinator, batch)
        confirm_s = time.perf_counter() - started
        cpu_s = time.process_time() - cpu_started
        assert result.created == args.rows, result

        # Baseline: the naive importer doing the same job one row at a time (look the person up
        # by email, create them, add the membership), on fewer rows.
        naive_started = time.perf_counter()
        for i in range(args.naive_rows):
            email = f"naive.{tag}.{i}@example.org"
            if Person.objects.filter(email__iexact=email).exists():
                continue
            person = Person.objects.create(display_name=f"Naive {i}", email=email, languages="es")
            if i % 3 == 0:
                Membership.objects.create(person=person, organisation=created_orgs[i % len(created_orgs)])
        naive_s = time.perf_counter() - naive_started
    finally:
        if using_url:  # leave a real database as we found it
            Person.objects.filter(email__contains=f".{tag}.").delete()
            Organisation.objects.filter(pk__in=[o.pk for o in created_orgs]).delete()
            ImportBatch.objects.filter(created_by=coordinator).delete()
            coordinator.delete()

    total_s = preview_s + confirm_s
    rows_per_s = args.rows / total_s
    naive_rows_per_s = args.naive_rows / naive_s
    confirm_rows_per_s = args.rows / confirm_s
    report = {
        "rows": args.rows,
        "bytes": len(data),
        "database": connection.vendor,
        "preview_s": round(preview_s, 3),
        "confirm_s": round(confirm_s, 3),
        "total_s": round(total_s, 3),
        "rows_per_s": round(rows_per_s),
        "confirm_rows_per_s": round(confirm_rows_per_s),
        "cpu_s": round(cpu_s, 3),
        "memberships": result.memberships,
        "baseline_csv_reader_s": round(csv_s, 4),
        "baseline_csv_reader_rows": floor_rows,
        "baseline_naive_rows": args.naive_rows,
        "baseline_naive_s": round(naive_s, 3),
        "baseline_naive_rows_per_s": round(naive_rows_per_s),
        "ratio_vs_naive": round(rows_per_s / naive_rows_per_s, 1),
        "ratio_confirm_vs_naive": round(confirm_rows_per_s / naive_rows_per_s, 1),
        "ratio_vs_csv_reader": round(total_s / csv_s, 1),
    }
    (OUT_DIR / "import.json").write_text(json.dumps(report, indent=2) + "\n")
    print(f"import: {args.rows} rows, preview {preview_s:.2f} s, confirm {confirm_s:.2f} s, "
          f"{rows_per_s:.0f} rows/s ({connection.vendor}, {cpu_s:.2f} s CPU)")
    print(f"import baseline: naive per-row importer {naive_rows_per_s:.0f} rows/s over {args.naive_rows} rows; "
          f"ratio {report['ratio_vs_naive']}x end to end (preview + confirm), "
          f"{report['ratio_confirm_vs_naive']}x for the write alone; "
          f"bare csv.reader pass {csv_s:.3f} s")

if __name__ == "__main__":
    main()
