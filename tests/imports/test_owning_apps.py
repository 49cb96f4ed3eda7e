"""Imports write through the services of the apps that own the records, so
every rule of the registry and of registering applies to them too."""

import re
from pathlib import Path

from convoca.imports import services

from .helpers import csv_bytes

WRITE = re.compile(r"\.objects\.(bulk_create|bulk_update|create|get_or_create|update_or_create)\(|\.save\(|"
                   r"\.update\(|\.delete\(")


def test_it_writes_nothing_but_its_own_staged_batches():
    folder = Path(services.__file__).parent
    writes = [(path.name, number, line.strip()) for path in sorted(folder.rglob("*.py")) if "migrations" not in path.parts
              for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if WRITE.search(line)]
    assert writes and all("ImportBatch" in line for _name, _number, line in writes), writes


def test_it_reports_a_registry_rule_with_the_registrys_message(world):
    rows = [["nombre", "correo", "idiomas"], ["x" * 121, "a@example.org", "es"], ["B", "b@example.org", "élfico"],
            ["y" * 121, "c@example.org", "élfico"]]
    preview = services.preview_import(world.alice, "people", csv_bytes(rows))
    assert [str(p) for p in preview.problems] == [
        "Row 2, column nombre: This can have at most 120 characters.",
        "Row 3, column idiomas: unknown language “élfico”",
        # a row with a cell that cannot be read still has its other cells checked by the registry's rules
        "Row 4, column idiomas: unknown language “élfico”",
        "Row 4, column nombre: This can have at most 120 characters.",
    ]
    assert not preview.plans or all(plan.row not in (2, 3, 4) for plan in preview.plans)
