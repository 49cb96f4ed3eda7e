"""Benchmark: import 10,000 people from a spreadsheet as Excel saves it, as CSV and as .xlsx.

    .venv/bin/python bench/import_bench.py [--rows N] [--formats csv,xlsx]

Uses a throwaway SQLite database under var/bench/ (or DATABASE_URL if set: the
rows it creates are deleted at the end). Generates a Windows-1252 CSV with
semicolons and Spanish headers (and the same rows as an .xlsx workbook with
title rows above the header), one row in three naming an organisation, three
of them not in the registry (planned and created by the import), runs preview
+ confirm through the same services as the web pages, and compares with two
baselines measured in the same run: a bare read of the same file
(``csv.reader``, or calamine's sheet to Python: the floor) and a naive
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


NEW_ORGANISATIONS = 3  # organisations the file names that the registry lacks: planned, then created by the import
TARGET_ROWS_PER_S = 5_000


def table(rows, tag, organisations):
    """The file's cells: a header, then people; one row in three names an organisation (some not registered)."""
    rng = random.Random(42)
    lines = [["Nombre", "Apellidos", "Correo electrónico", "Idiomas", "Organización", "País"]]
    for i in range(rows):
        org, country = organisations[i % len(organisations)] if i % 3 == 0 else ("", "")
        lines.append([rng.choice(GIVEN), f"{rng.choice(FAMILY)} {rng.choice(FAMILY)}",
                      f"persona.{tag}.{i}@Ejemplo.org", rng.choice(LANGUAGES), org, country])
    return lines


def generate(rows, tag, organisations):
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerows(table(rows, tag, organisations))
    return buffer.getvalue().encode("cp1252")


def generate_xlsx(rows, tag, organisations):
    """The same rows as an Excel workbook, with two title rows above the header, as organisers send them."""
    import openpyxl

    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("Delegados")
    sheet.append(["Lista de participantes"])
    sheet.append([])
    for line in table(rows, tag, organisations):
        sheet.append(line)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def floor_seconds(file_format, data):
    """The bare read of the same file, nothing else: csv.reader, or calamine's sheet to Python."""
    started = time.perf_counter()
    if file_format == "csv":
        count = sum(1 for _row in csv.reader(io.StringIO(data.decode("cp1252"), newline=""), delimiter=";")) - 1
    else:
        import python_calamine

        book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
        count = len(book.get_sheet_by_index(0).to_python()) - 2
    return time.perf_counter() - started, count


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--naive-rows", type=int, default=1_000)
    parser.add_argument("--formats", default="csv,xlsx", help="csv, xlsx or both (comma-separated)")
    args = parser.parse_args()
    formats = [f for f in args.formats.split(",") if f in ("csv", "xlsx")]

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
    names = {"CO": "Colombia", "BR": "Brasil", "MX": "México", "PE": "Perú", "HT": "Haïti"}
    organisations = [(f"Sindicato Bench {tag} {n}", country) for n, country in enumerate(names)]
    created_orgs = [Organisation.objects.create(name=name, country=country, sector=Sector.TRADE_UNION)
                    for name, country in organisations]
    runs = {}
    try:
        for file_format in formats:
            run_tag = f"{tag}{file_format}"
            named = [(name, names[country]) for name, country in organisations] + [
                (f"Colectivo Nuevo {run_tag} {n}", "Chile") for n in range(NEW_ORGANISATIONS)]
            build = generate if file_format == "csv" else generate_xlsx
            data = build(args.rows, run_tag, named)
            floor_s, floor_rows = floor_seconds(file_format, data)

            cpu_started = time.process_time()
            started = time.perf_counter()
            preview, batch = services.stage_import(coordinator, "people", data, filename=f"personas.{file_format}")
            preview_s = time.perf_counter() - started
            if batch is None or preview.problems:
                raise SystemExit("bench file has problems: " + "; ".join(str(p) for p in preview.problems[:5]))
            started = time.perf_counter()
            result = services.confirm_import(coordinator, batch)
            confirm_s = time.perf_counter() - started
            cpu_s = time.process_time() - cpu_started
            assert result.created == args.rows, result
            assert result.organisations == NEW_ORGANISATIONS, result
            runs[file_format] = {"bytes": len(data), "preview_s": preview_s, "confirm_s": confirm_s, "cpu_s": cpu_s,
                                 "floor_s": floor_s, "floor_rows": floor_rows, "memberships": result.memberships,
                                 "organisations_created": result.organisations}

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
            Person.objects.filter(email__contains=f".{tag}").delete()
            Organisation.objects.filter(pk__in=[o.pk for o in created_orgs]).delete()
            Organisation.objects.filter(name__startswith="Colectivo Nuevo ", name__contains=tag).delete()
            ImportBatch.objects.filter(created_by=coordinator).delete()
            coordinator.delete()

    naive_rows_per_s = args.naive_rows / naive_s
    report = {"rows": args.rows, "database": connection.vendor, "new_organisations": NEW_ORGANISATIONS,
              "target_rows_per_s": TARGET_ROWS_PER_S, "baseline_naive_rows": args.naive_rows,
              "baseline_naive_s": round(naive_s, 3), "baseline_naive_rows_per_s": round(naive_rows_per_s)}
    for file_format, run in runs.items():
        total_s = run["preview_s"] + run["confirm_s"]
        rows_per_s = args.rows / total_s
        figures = {
            "bytes": run["bytes"], "preview_s": round(run["preview_s"], 3), "confirm_s": round(run["confirm_s"], 3),
            "total_s": round(total_s, 3), "rows_per_s": round(rows_per_s),
            "confirm_rows_per_s": round(args.rows / run["confirm_s"]), "cpu_s": round(run["cpu_s"], 3),
            "memberships": run["memberships"], "organisations_created": run["organisations_created"],
            "baseline_read_s": round(run["floor_s"], 4), "baseline_read_rows": run["floor_rows"],
            "ratio_vs_naive": round(rows_per_s / naive_rows_per_s, 1),
            "ratio_confirm_vs_naive": round(args.rows / run["confirm_s"] / naive_rows_per_s, 1),
            "ratio_vs_bare_read": round(total_s / run["floor_s"], 1),
            "meets_target": rows_per_s >= TARGET_ROWS_PER_S,
        }
        if file_format == "csv":  # the keys earlier runs wrote, kept for comparison
            report.update(figures, baseline_csv_reader_s=figures["baseline_read_s"],
                          baseline_csv_reader_rows=run["floor_rows"], ratio_vs_csv_reader=figures["ratio_vs_bare_read"])
        report[file_format] = figures
        print(f"import {file_format}: {args.rows} rows ({NEW_ORGANISATIONS} new organisations planned and created), "
              f"preview {run['preview_s']:.2f} s, confirm {run['confirm_s']:.2f} s, {rows_per_s:.0f} rows/s "
              f"({connection.vendor}, {run['cpu_s']:.2f} s CPU; target {TARGET_ROWS_PER_S}: "
              f"{'met' if rows_per_s >= TARGET_ROWS_PER_S else 'MISSED'}); bare read {run['floor_s']:.3f} s, "
              f"ratio {figures['ratio_vs_naive']}x the naive importer")
    (OUT_DIR / "import.json").write_text(json.dumps(report, indent=2) + "\n")
    print(f"import baseline: naive per-row importer {naive_rows_per_s:.0f} rows/s over {args.naive_rows} rows")


if __name__ == "__main__":
    main()
