"""``convoca export-proposals SLUG --format json|csv``."""

import csv
import io
import json

import pytest
from django.core.management import CommandError, call_command

from .helpers import amend, proposal


def test_it_exports_json_and_csv(world, tmp_path):
    p = proposal(world, "amendment")
    amend(world, p, "delete", 2)
    out = io.StringIO()
    call_command("export-proposals", "conferencia", "--format", "json", stdout=out)
    data = json.loads(out.getvalue())
    assert data["proposals"][0]["number"] == "P-1" and data["proposals"][0]["amendments"][0]["first"] == 2
    target = tmp_path / "out.csv"
    call_command("export-proposals", "conferencia", "--format", "csv", "--output", str(target))
    rows = list(csv.DictReader(target.open(encoding="utf-8")))
    assert [r["record"] for r in rows] == ["proposal", "amendment"] and rows[1]["amendment"] == "A1"


def test_it_refuses_an_unknown_gathering(world):
    with pytest.raises(CommandError, match="There is no gathering with this short name"):
        call_command("export-proposals", "nowhere")
