"""Workbooks (.xlsx, .xlsm, .ods) read like CSV files: the same limits, preview
and rules. Bad inputs tried: a formula never calculated, merged cells, a
hidden sheet, several sheets, more rows than the limit, a password-protected
(encrypted) workbook, a macro-enabled file, a renamed non-workbook (a .docx, a
zip, random bytes after a zip signature), a zip bomb."""

import datetime as dt
import io
import zipfile

import pytest
from django.test import override_settings
from django.urls import reverse

from convoca.core.errors import ServiceError
from convoca.imports import services
from convoca.imports.models import ImportBatch
from convoca.imports.parsing import parse_upload
from convoca.network.models import Person

from .helpers import ods_bytes, snapshot, upload, xlsx_bytes

TITLED = [
    ["Encuentro preparatorio — lista de delegados"],
    ["Actualizada el 3 de octubre"],
    [],
    ["Nombre", "Apellido", "Correo electrónico", "Teléfono", "Fecha de nacimiento", "Idiomas"],
    ["María", "Díaz", "maria.diaz@example.org", 5511987654321, dt.date(1990, 10, 19), "es"],
    ["João", "Gonçalves", "joao@example.org", 12.5, dt.datetime(2026, 10, 19, 8, 30), "pt, es"],
]


def test_it_finds_the_header_below_title_rows_and_reads_numbers_and_dates_as_text(world):
    parsed = parse_upload(xlsx_bytes({"Delegados": TITLED}), "people", filename="lista.xlsx")
    assert parsed.is_workbook and parsed.sheet == "Delegados" and parsed.sheets == ["Delegados"]
    assert parsed.columns == {"name": "Nombre", "last_name": "Apellido", "email": "Correo electrónico",
                              "languages": "Idiomas"}
    assert parsed.ignored == ["Teléfono", "Fecha de nacimiento"]
    assert parsed.rows == [
        (5, {"name": "María", "last_name": "Díaz", "email": "maria.diaz@example.org", "languages": "es"}),
        (6, {"name": "João", "last_name": "Gonçalves", "email": "joao@example.org", "languages": "pt, es"}),
    ]
    assert "workbook" in parsed.read_as and "Delegados" in parsed.read_as


def test_it_reads_numbers_and_dates_of_used_columns_as_their_text(world):
    rows = [["nombre", "correo", "idiomas"], [2026, "n@example.org", dt.date(2026, 10, 19)],
            [12.5, "m@example.org", dt.datetime(2026, 10, 19, 8, 30)]]
    parsed = parse_upload(xlsx_bytes({"Hoja": rows}), "people")
    assert [values["name"] for _n, values in parsed.rows] == ["2026", "12.5"]
    assert [values["languages"] for _n, values in parsed.rows] == ["2026-10-19", "2026-10-19 08:30"]


def test_it_imports_an_xlsx_through_the_same_services(world):
    before = Person.objects.count()
    preview, result = services.run_import(world.alice, "people", xlsx_bytes({"Delegados": TITLED}))
    assert (result.created, preview.rows_total) == (2, 2)
    assert Person.objects.count() == before + 2
    maria = Person.objects.get(email="maria.diaz@example.org")
    assert (maria.display_name, maria.languages) == ("María Díaz", "es")


def test_it_reads_an_ods_file(world):
    data = ods_bytes([["Lista de organizaciones"], ["Nombre", "País", "Sector"],
                      ["Colectivo Andino", "Perú", "sindicato"], ["Red Sur", "Chile", "movimiento social"]])
    preview, result = services.run_import(world.alice, "organisations", data, filename="orgs.ods")
    assert result.created == 2 and preview.parsed.is_workbook


def test_it_repairs_mojibake_in_workbook_cells_too(world):
    rows = [["nombre", "correo"], ["JosÃ© DÃaz", "jose@example.org"]]
    parsed = parse_upload(xlsx_bytes({"Hoja": rows}), "people")
    assert parsed.rows[0][1]["name"] == "José Díaz"
    assert parsed.repairs == {"2": {"name": "JosÃ© DÃaz"}}


def test_it_reads_the_first_visible_sheet_with_known_columns_and_offers_the_others(world):
    data = xlsx_bytes({
        "Portada": [["Instrucciones: una persona por fila"]],
        "Secreta": [["nombre", "correo"], ["Oculto", "oculto@example.org"]],
        "Personas": [["nombre", "correo"], ["Ana", "ana@example.org"]],
        "Observadores": [["nombre", "correo"], ["Beto", "beto@example.org"], ["Caro", "caro@example.org"]],
    }, hidden={"Secreta"})
    parsed = parse_upload(data, "people")
    assert parsed.sheet == "Personas" and parsed.sheets == ["Portada", "Personas", "Observadores"]
    assert [values["email"] for _n, values in parsed.rows] == ["ana@example.org"]
    with pytest.raises(ServiceError) as exc:
        parse_upload(data, "people", sheet="Secreta")  # hidden: as if it were not there
    assert exc.value.code == "no_such_sheet" and "Secreta" in exc.value.message


def test_it_lets_the_organiser_choose_another_sheet_without_javascript(world, alice_client):
    data = xlsx_bytes({"Personas": [["nombre", "correo"], ["Ana", "ana@example.org"]],
                       "Observadores": [["nombre", "correo"], ["Beto", "beto@example.org"],
                                        ["Caro", "caro@example.org"]]})
    response = alice_client.post(reverse("imports:start"), {"kind": "people", "file": upload(data, "lista.xlsx")})
    batch = ImportBatch.objects.get()
    page = alice_client.get(response["Location"]).content.decode()
    assert '<select name="sheet" id="id_sheet">' in page and '<option value="Personas" selected>' in page
    assert "ana@example.org" in page and "beto@example.org" not in page
    before = snapshot()
    response = alice_client.post(reverse("imports:sheet", args=[batch.pk]), {"sheet": "Observadores"}, follow=True)
    page = response.content.decode()
    assert "beto@example.org" in page and "caro@example.org" in page and "ana@example.org" not in page
    assert snapshot() == before
    response = alice_client.post(reverse("imports:sheet", args=[batch.pk]), {"sheet": "Nope"}, follow=True)
    assert "no sheet called “Nope”" in response.content.decode()
    alice_client.post(reverse("imports:confirm", args=[batch.pk]))
    assert set(Person.objects.filter(email__in=["ana@example.org", "beto@example.org", "caro@example.org"])
               .values_list("email", flat=True)) == {"beto@example.org", "caro@example.org"}
    batch.refresh_from_db()
    assert batch.data == {}  # the workbook's bytes are gone with the rows


def test_it_gives_a_merged_cell_down_a_column_to_each_row(world):
    rows = [["Delegación de Colombia"], ["nombre", "correo", "organización", "país"],
            ["Ana", "ana@example.org", "Sindicato Andino", "Colombia"],
            ["Beto", "beto@example.org", None, None], ["Caro", "caro@example.org", "", ""]]
    data = xlsx_bytes({"Hoja": rows}, merged={"Hoja": ["A1:D1", "C3:C5", "D3:D5"]})
    parsed = parse_upload(data, "people")
    assert [(values["organisation"], values["country"]) for _n, values in parsed.rows] == [
        ("Sindicato Andino", "Colombia")] * 3
    assert parsed.columns["name"] == "nombre"  # the merged title row is not taken for the header


def test_it_refuses_a_formula_never_calculated_in_a_column_it_reads(world):
    rows = [["nombre", "correo", "total"], ["Ana", '=LOWER("ANA@EXAMPLE.ORG")', "=1+2"]]
    before = snapshot()
    with pytest.raises(ServiceError) as exc:
        services.stage_import(world.alice, "people", xlsx_bytes({"Hoja": rows}))
    assert exc.value.code == "workbook_formula" and "B2" in exc.value.message
    assert "never calculated" in exc.value.message
    assert snapshot() == before and not ImportBatch.objects.exists()
    # A formula in a column the import does not read does not matter.
    parsed = parse_upload(xlsx_bytes({"Hoja": [["nombre", "correo", "total"], ["Ana", "ana@example.org", "=1+2"]]}),
                          "people")
    assert parsed.rows == [(2, {"name": "Ana", "email": "ana@example.org"})]


def test_it_uses_the_value_a_spreadsheet_saved_for_a_formula(world):
    data = xlsx_bytes({"Hoja": [["nombre", "correo"], ["Ana", "=LOWER(A2)"]]})
    # What Excel writes after calculating: the formula and its cached value.
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                content = content.replace(b"<f>LOWER(A2)</f><v />",
                                          b'<f>LOWER(A2)</f><v>ana@example.org</v>').replace(
                    b'<c r="B2">', b'<c r="B2" t="str">')
            target.writestr(item, content)
    parsed = parse_upload(out.getvalue(), "people")
    assert parsed.rows == [(2, {"name": "Ana", "email": "ana@example.org"})]


def test_it_reads_the_values_of_a_macro_enabled_file_and_never_its_macros(world):
    data = xlsx_bytes({"Hoja": [["nombre", "correo"], ["Ana", "ana@example.org"]]}, macros=True)
    preview, result = services.run_import(world.alice, "people", data, filename="lista.xlsm")
    assert result.created == 1 and preview.parsed.rows == [(2, {"name": "Ana", "email": "ana@example.org"})]


def test_it_refuses_a_password_protected_workbook_clearly(world, alice_client):
    from msoffcrypto.format.ooxml import OOXMLFile

    encrypted = io.BytesIO()
    OOXMLFile(io.BytesIO(xlsx_bytes({"Hoja": [["nombre", "correo"], ["Ana", "ana@example.org"]]}))).encrypt(
        "secreto", encrypted)
    before = snapshot()
    response = alice_client.post(reverse("imports:start"), {"kind": "people",
                                                            "file": upload(encrypted.getvalue(), "lista.xlsx")})
    page = response.content.decode()
    assert response.status_code == 200 and "protected by a password" in page
    assert snapshot() == before and not ImportBatch.objects.exists()


def _zip(members):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return out.getvalue()


RENAMED = [
    ("a Word document renamed .xlsx", _zip({"[Content_Types].xml": "<Types/>", "word/document.xml": "<w/>"})),
    ("a zip archive renamed .xlsx", _zip({"fotos/ana.jpg": b"\xff\xd8\xff" + b"0" * 100})),
    ("random bytes after a zip signature", b"PK\x03\x04" + bytes(range(256)) * 4),
    ("an xls signature over garbage", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x01" * 600),
    ("a workbook cut in half", xlsx_bytes({"Hoja": [["nombre", "correo"], ["Ana", "ana@example.org"]]})[:900]),
]


@pytest.mark.parametrize("label, data", RENAMED, ids=[label for label, _data in RENAMED])
def test_it_refuses_a_renamed_non_workbook_clearly(world, alice_client, label, data):
    before = snapshot()
    response = alice_client.post(reverse("imports:start"), {"kind": "people", "file": upload(data, "lista.xlsx")})
    page = response.content.decode()
    assert response.status_code == 200 and 'class="error-summary"' in page
    assert "could not be read" in page
    assert snapshot() == before and not ImportBatch.objects.exists()


def test_it_refuses_a_zip_bomb_before_unpacking_it(world):
    bomb = _zip({"xl/workbook.xml": "<workbook/>", "xl/worksheets/sheet1.xml": b"0" * (40 * 1024 * 1024)})
    assert len(bomb) < 100_000
    with override_settings(IMPORT_MAX_BYTES=1024 * 1024), pytest.raises(ServiceError) as exc:
        parse_upload(bomb, "people")
    assert exc.value.code == "too_big"


@override_settings(IMPORT_MAX_ROWS=1000)
def test_it_applies_the_row_limit_to_workbooks_and_csv_alike(world, alice_client):
    rows = [["nombre", "correo"]] + [[f"P{i}", f"p{i}@example.org"] for i in range(1001)]
    before = snapshot()
    with pytest.raises(ServiceError) as exc:
        parse_upload(xlsx_bytes({"Hoja": rows}), "people")
    assert exc.value.code == "too_many_rows" and "more than 1" in exc.value.message
    response = alice_client.post(reverse("imports:start"),
                                 {"kind": "people", "file": upload(xlsx_bytes({"Hoja": rows}), "lista.xlsx")})
    assert response.status_code == 200 and "Split it into smaller files" in response.content.decode()
    csv_data = "\r\n".join(",".join(row) for row in rows).encode()
    with pytest.raises(ServiceError) as exc:
        parse_upload(csv_data, "people")
    assert exc.value.code == "too_many_rows"
    assert len(parse_upload(xlsx_bytes({"Hoja": rows[:1001]}), "people").rows) == 1000
    assert snapshot() == before and not ImportBatch.objects.exists()


def test_it_refuses_100000_rows_with_the_row_limit(world):
    """The real default limit, with a real file of 100,000 rows (about 2 MB of .xlsx)."""
    import openpyxl

    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("Hoja")
    sheet.append(["nombre", "correo"])
    for i in range(100_000):
        sheet.append([f"P{i}", f"p{i}@example.org"])
    buffer = io.BytesIO()
    book.save(buffer)
    with pytest.raises(ServiceError) as exc:
        services.stage_import(world.alice, "people", buffer.getvalue())
    assert exc.value.code == "too_many_rows" and "50" in exc.value.message
    assert not ImportBatch.objects.exists()
