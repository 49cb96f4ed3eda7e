"""``convoca import FILE --kind ... [--gathering SLUG] [--dry-run] [--as EMAIL]``"""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from convoca.accounts.models import User
from convoca.gatherings.models import Registration
from convoca.network.models import Organisation, Person

from .fixtures_files import ORGS_CP1252
from .helpers import csv_bytes, snapshot, xlsx_bytes


def _file(tmp_path, data, name="lista.csv"):
    path = tmp_path / name
    path.write_bytes(data)
    return str(path)


def _call(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command("import", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_it_prints_the_preview_on_a_dry_run_and_writes_nothing(world, tmp_path):
    before = snapshot()
    out, _err = _call(_file(tmp_path, ORGS_CP1252), "--kind", "organisations", "--dry-run")
    lines = out.splitlines()
    assert lines[0] == "Read 3 rows from lista.csv (Windows-1252 text, columns separated by semicolon (;))."
    assert lines[1] == "To create: 2, to update: 1, unchanged (skipped): 0."
    assert 'Row 2: create name="Confederación General" country="PE" sector="trade_union"' in lines
    assert ('Row 3: create name="Red de Mujeres Migrantes" country="GT" sector="migrant_rights" '
            'website="https://www.redmujeres.org"') in lines
    assert ('Row 4: update name="Sindicato Andino" country="CO" website="https://sindicatoandino.org" '
            '(fills in: website)') in lines
    assert lines[-1] == "Dry run: nothing was written."
    assert snapshot() == before


def test_it_prints_every_problem_by_row_and_column_and_exits_non_zero(world, tmp_path):
    data = csv_bytes([["Nombre", "País", "Sector"], ["A", "Narnia", "otro"], ["B", "CO", "club"]], delimiter=";")
    with pytest.raises(CommandError) as exc:
        out, _err = _call(_file(tmp_path, data), "--kind", "organisations", "--dry-run")
    assert "2 problems found; nothing was imported." in str(exc.value)
    with pytest.raises(CommandError):
        _call(_file(tmp_path, data), "--kind", "organisations")
    assert not Organisation.objects.filter(name__in=["A", "B"]).exists()


def test_it_lists_problems_on_stdout_in_a_dry_run(world, tmp_path):
    data = csv_bytes([["Nombre", "País", "Sector"], ["A", "Narnia", "otro"]], delimiter=";")
    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import", _file(tmp_path, data), "--kind", "organisations", "--dry-run", stdout=out)
    assert "  Row 2, column País: unknown country “Narnia”" in out.getvalue().splitlines()


def test_it_imports_and_prints_the_counts(world, tmp_path):
    out, _err = _call(_file(tmp_path, ORGS_CP1252), "--kind", "organisations")
    assert out.splitlines() == ["Imported organisations: 2 created, 1 filled in, 0 unchanged."]
    assert Organisation.objects.filter(name="Red de Mujeres Migrantes", country="GT").exists()


def test_it_imports_registrations_for_the_gathering_given(world, tmp_path):
    data = csv_bytes([["correo", "nombre", "rol"], ["nueva@example.org", "Nueva", "invitada"]])
    out, _err = _call(_file(tmp_path, data), "--kind", "registrations", "--gathering", "prep-mx")
    assert out.splitlines() == ["Imported registrations: 1 created, 0 filled in, 0 unchanged.",
                                "Also adds 1 new person."]
    assert Registration.objects.filter(gathering=world.prep_mx, person__email="nueva@example.org").exists()


def test_it_refuses_an_unknown_gathering(world, tmp_path):
    data = csv_bytes([["correo", "rol"], ["bob@example.org", "guest"]])
    with pytest.raises(CommandError, match="Unknown gathering"):
        _call(_file(tmp_path, data), "--kind", "registrations", "--gathering", "nope")


def test_it_refuses_bad_files_with_the_reason(world, tmp_path):
    with pytest.raises(CommandError, match="could not be read"):
        _call(_file(tmp_path, b"PK\x03\x04" + b"\x00" * 40, "lista.xlsx"), "--kind", "people")
    with pytest.raises(CommandError, match="empty"):
        _call(_file(tmp_path, b""), "--kind", "people")
    with pytest.raises(CommandError, match="Cannot read"):
        _call(str(tmp_path / "missing.csv"), "--kind", "people")


def test_it_acts_as_the_only_coordinator_or_asks_which(world, tmp_path):
    path = _file(tmp_path, ORGS_CP1252)
    _call(path, "--kind", "organisations", "--dry-run")  # alice is the only coordinator
    User.objects.create_user("coord2@example.org", "x" * 12, is_coordinator=True)
    with pytest.raises(CommandError, match="--as EMAIL"):
        _call(path, "--kind", "organisations", "--dry-run")
    out, _err = _call(path, "--kind", "organisations", "--dry-run", "--as", "ALICE@example.org")
    assert "Dry run" in out


def test_it_refuses_to_act_as_a_non_coordinator(world, tmp_path):
    with pytest.raises(CommandError, match="not a coordinator"):
        _call(_file(tmp_path, ORGS_CP1252), "--kind", "organisations", "--as", "bob@example.org")
    with pytest.raises(CommandError, match="No active account"):
        _call(_file(tmp_path, ORGS_CP1252), "--kind", "organisations", "--as", "nobody@example.org")
    assert not Organisation.objects.filter(name="Red de Mujeres Migrantes").exists()


def test_it_imports_a_chosen_sheet_of_a_workbook(world, tmp_path):


    data = xlsx_bytes({"Personas": [["nombre", "correo"], ["Ana", "ana.cli@example.org"]],
                       "Observadores": [["nombre", "correo"], ["Beto", "beto.cli@example.org"]]})
    path = tmp_path / "lista.xlsx"
    path.write_bytes(data)
    out, _err = _call(str(path), "--kind", "people", "--sheet", "Observadores")
    assert "1 created" in out
    assert Person.objects.filter(email="beto.cli@example.org").exists()
    assert not Person.objects.filter(email="ana.cli@example.org").exists()
    with pytest.raises(CommandError, match="no sheet called"):
        _call(str(path), "--kind", "people", "--sheet", "Nope")
