"""Imports that help: every row in the preview with its problems beside it,
organisations the registry lacks planned for creation, the rows without
problems written (all or nothing), the others downloaded to correct and import
again. Bad inputs tried: a file whose rows all have problems, a skipped-rows
file imported twice, another coordinator's skipped rows, a skipped-rows file
with formula-looking cells, a batch whose rows stopped fitting."""

import csv
import io

import openpyxl
import pytest
from django.urls import reverse

from convoca.core.errors import NotFound
from convoca.gatherings.models import Registration
from convoca.imports import services, skipped_files
from convoca.imports.models import ImportBatch
from convoca.network.models import Membership, Organisation, Person, Sector

from .helpers import csv_bytes, snapshot, upload, xlsx_bytes

PEOPLE = [
    ["Nombre", "Apellido", "Correo", "Organización", "País"],
    ["Ana", "DÃaz", "ana@example.org", "Colectivo Nuevo", "Colombia"],  # repaired, new organisation
    ["Beto", "Ríos", "beto@", "Colectivo Nuevo", "Colombia"],  # bad email
    ["Caro", "Peña", "caro@example.org", "Sindicato Andino", "CO"],  # existing organisation
    ["Dani", "Souza", "dani@example.org", "Frente Sem Nome", ""],  # unknown, no country: cannot be created
    ["Eva", "Lima", "eva@example.org", "Frente Sem Nome", "Brasil"],  # new organisation in Brazil
    ["Fer", "Gil", "ana@example.org", "", ""],  # the same email as row 2
]


def _content(response):
    return b"".join(response.streaming_content) if response.streaming else response.content


def _skipped_csv_rows(data):
    text = data.decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def as_csv(rows):
    return _content(skipped_files.response(rows, "csv"))


def as_xlsx(rows):
    return _content(skipped_files.response(rows, "xlsx"))


def test_it_plans_unknown_organisations_and_lists_every_row_with_its_problems(world):
    preview = services.preview_import(world.alice, "people", csv_bytes(PEOPLE))
    assert [(org.name, org.country.code, org.sector) for org in preview.new_organisations] == [
        ("Colectivo Nuevo", "CO", Sector.OTHER), ("Frente Sem Nome", "BR", Sector.OTHER)]
    assert preview.good_rows == [2, 4, 6]
    table = {row["row"]: row for row in preview.table()}
    assert list(table) == [2, 3, 4, 5, 6, 7]
    assert table[2]["action"] == "create" and ("Name", "Ana Díaz") in table[2]["cells"]
    assert ("Organisation", "Colectivo Nuevo (CO), new") in table[2]["cells"]
    assert table[2]["repairs"] == ["“DÃaz” read as “Díaz”"]
    assert table[3]["action"] == "problem" and table[3]["action_label"] == "not imported"
    assert ("Email", "beto@") in table[3]["cells"]
    assert [str(p) for p in table[3]["problems"]] == [
        "Row 3, column Correo: Enter an email address like name@example.org."]
    assert [p.message for p in table[5]["problems"]] == [
        "unknown organisation “Frente Sem Nome”; import it first with a list of organisations"]
    assert [p.message for p in table[7]["problems"]] == [
        "the same email as row 2; each person may appear only once"]
    assert ("Organisation", "Sindicato Andino (CO)") in table[4]["cells"]


def test_it_writes_the_good_rows_and_keeps_the_others_to_download(world):
    before_orgs = Organisation.objects.count()
    _preview, batch = services.stage_import(world.alice, "people", csv_bytes(PEOPLE), filename="lista.csv")
    result = services.confirm_import(world.alice, batch)
    assert (result.created, result.organisations, result.not_imported, result.memberships) == (3, 2, 3, 3)
    assert Organisation.objects.count() == before_orgs + 2
    nuevo = Organisation.objects.get(name="Colectivo Nuevo")
    assert (nuevo.country.code, nuevo.sector) == ("CO", Sector.OTHER)
    ana = Person.objects.get(email="ana@example.org")
    assert ana.display_name == "Ana Díaz"
    assert Membership.objects.filter(person=ana, organisation=nuevo).exists()
    assert Membership.objects.filter(person__email="eva@example.org", organisation__name="Frente Sem Nome",
                                     organisation__country="BR").exists()
    assert not Person.objects.filter(email__in=["beto@", "dani@example.org"]).exists()

    batch.refresh_from_db()
    skipped = services.skipped_rows(world.alice, batch)
    assert skipped["columns"] == ["Nombre", "Apellido", "Correo", "Organización", "País"]
    assert [row[0] for row in skipped["rows"]] == [3, 5, 7]
    assert skipped["rows"][0][1] == ["Beto", "Ríos", "beto@", "Colectivo Nuevo", "Colombia"]
    assert "Correo: Enter an email address" in skipped["rows"][0][2]


def test_it_matches_what_was_written_when_the_corrected_file_comes_back(world):
    _preview, batch = services.stage_import(world.alice, "people", csv_bytes(PEOPLE))
    services.confirm_import(world.alice, batch)
    batch.refresh_from_db()
    lines = _skipped_csv_rows(as_csv(services.skipped_rows(world.alice, batch)))
    assert lines[0] == ["Nombre", "Apellido", "Correo", "Organización", "País", "Row in the first file",
                        "Problems to correct"]
    # The organiser corrects the skipped rows and imports that file.
    fixed = lines
    fixed[1][2] = "beto@example.org"
    fixed[2][4] = "Brasil"
    fixed[3][2] = "fer@example.org"
    preview, result = services.run_import(world.alice, "people", csv_bytes(fixed))
    assert preview.parsed.ignored == ["Row in the first file", "Problems to correct"]
    assert (result.created, result.organisations) == (3, 0)  # the organisations created the first time are found
    assert Organisation.objects.filter(name="Colectivo Nuevo").count() == 1
    # The whole corrected file (written rows and fixed ones) now changes nothing.
    whole = [PEOPLE[0], PEOPLE[1], fixed[1][:5], PEOPLE[3], fixed[2][:5], PEOPLE[5], fixed[3][:5]]
    before = snapshot()
    preview, result = services.run_import(world.alice, "people", csv_bytes(whole))
    assert (result.created, result.updated, result.skipped) == (0, 0, 6)
    assert snapshot() == before


def test_it_does_not_duplicate_when_the_skipped_rows_are_imported_twice(world):
    rows = [["nombre", "correo", "organización", "país"], ["Ana", "ana@example.org", "Colectivo Nuevo", "CO"],
            ["Beto", "beto@", "Colectivo Nuevo", "CO"]]
    _preview, batch = services.stage_import(world.alice, "people", csv_bytes(rows))
    services.confirm_import(world.alice, batch)
    batch.refresh_from_db()
    workbook = as_xlsx(services.skipped_rows(world.alice, batch))
    book = openpyxl.load_workbook(io.BytesIO(workbook))
    book.active["B2"] = "beto@example.org"
    buffer = io.BytesIO()
    book.save(buffer)
    for attempt in (1, 2):
        _preview, again = services.stage_import(world.alice, "people", buffer.getvalue(), filename="corregido.xlsx")
        result = services.confirm_import(world.alice, again)
        assert result.created == (1 if attempt == 1 else 0)
    assert Person.objects.filter(email="beto@example.org").count() == 1
    assert Organisation.objects.filter(name="Colectivo Nuevo").count() == 1
    assert Membership.objects.filter(person__email="beto@example.org").count() == 1


def test_it_keeps_a_file_whose_rows_all_have_problems_out_of_the_batches(world):
    rows = [["nombre", "correo"], ["A", "a@"], ["B", "b@"]]
    preview, batch = services.stage_import(world.alice, "people", csv_bytes(rows))
    assert batch is None and not preview.writable and preview.skipped_count == 2
    assert not ImportBatch.objects.exists()


def test_it_plans_new_organisations_for_registrations_too(world):
    rows = [["correo", "nombre", "rol", "organización", "país"],
            ["nueva@example.org", "Nueva", "delegada", "Colectivo Mexicano Nuevo", "México"],
            ["otra@example.org", "Otra", "delegada", "Colectivo Peruano", "Perú"]]  # wrong country for prep-mx
    before_orgs = Organisation.objects.count()
    _preview, batch = services.stage_import(world.alice, "registrations", csv_bytes(rows), "prep-mx")
    result = services.confirm_import(world.alice, batch)
    assert (result.created, result.people, result.organisations, result.not_imported) == (1, 1, 1, 1)
    assert Organisation.objects.count() == before_orgs + 1
    registration = Registration.objects.get(person__email="nueva@example.org")
    assert registration.organisation.name == "Colectivo Mexicano Nuevo"
    assert not Organisation.objects.filter(name="Colectivo Peruano").exists()


def test_it_checks_the_good_rows_again_against_the_registry_when_writing(world):
    rows = [["nombre", "correo"], ["Ana", "ana@example.org"], ["Beto", "beto@"], ["Caro", "caro@example.org"]]
    _preview, batch = services.stage_import(world.alice, "people", csv_bytes(rows))
    Person.objects.create(display_name="Otra Caro", email="CARO@example.org")  # someone took the address meanwhile
    before = snapshot()
    # The service finds Caro recorded now: her row is skipped, Ana is still written.
    result = services.confirm_import(world.alice, batch)
    assert (result.created, result.skipped) == (1, 1)
    assert snapshot() != before


def test_it_keeps_the_skipped_rows_private_to_who_uploaded_them(world):
    from convoca.accounts.models import User

    _preview, batch = services.stage_import(world.alice, "people", csv_bytes(PEOPLE))
    other = User.objects.create_user("coord2@example.org", "x" * 12, is_coordinator=True)
    with pytest.raises(NotFound):
        services.skipped_rows(other, batch)


def test_it_neutralises_formula_looking_cells_in_the_downloads(world):
    rows = {"columns": ["nombre", "correo"], "rows": [[2, ["=HYPERLINK(\"http://x\")", "+57 300"], "correo: bad"]]}
    lines = _skipped_csv_rows(as_csv(rows))
    assert lines[1][:2] == ["'=HYPERLINK(\"http://x\")", "'+57 300"]
    sheet = openpyxl.load_workbook(io.BytesIO(as_xlsx(rows))).active
    assert sheet["A2"].data_type == "s" and sheet["A2"].value == "'=HYPERLINK(\"http://x\")"


# --- the pages ---------------------------------------------------------------------------


def test_it_shows_every_row_and_offers_the_skipped_rows_on_the_pages(world, alice_client):
    data = xlsx_bytes({"Personas": [["Lista de delegados"], []] + PEOPLE})
    response = alice_client.post(reverse("imports:start"), {"kind": "people", "file": upload(data, "lista.xlsx")})
    batch = ImportBatch.objects.get()
    page = alice_client.get(response["Location"]).content.decode()
    assert "<strong>2</strong> new organisations are added to the registry" in page
    assert "Colectivo Nuevo" in page and "Colombia" in page and "Frente Sem Nome" in page
    assert "<strong>3</strong> rows have a problem and are not imported" in page
    assert "Correo: Enter an email address like name@example.org." in page
    assert "Repaired: “DÃaz” read as “Díaz”" in page
    assert "Import 3 rows" in page
    assert page.count('<tr class="import-row-problem">') == 3
    only = alice_client.get(reverse("imports:preview", args=[batch.pk]) + "?show=problems").content.decode()
    rows_table = only.split('class="stack import-sample"')[1].split("</table>")[0]
    assert rows_table.count("<tr") == 4 and "caro@example.org" not in rows_table

    download = alice_client.get(reverse("imports:skipped", args=[batch.pk]) + "?format=csv")
    assert download["Content-Disposition"] == 'attachment; filename="not-imported.csv"'
    assert [row[2] for row in _skipped_csv_rows(_content(download))[1:]] == ["beto@", "dani@example.org",
                                                                            "ana@example.org"]
    before = snapshot()
    response = alice_client.post(reverse("imports:confirm", args=[batch.pk]))
    assert response["Location"] == reverse("imports:done", args=[batch.pk])
    done = alice_client.get(response["Location"]).content.decode()
    assert "3 rows were not imported" in done and "Organisations added" in done
    assert snapshot() != before
    xlsx = alice_client.get(reverse("imports:skipped", args=[batch.pk]))
    sheet = openpyxl.load_workbook(io.BytesIO(_content(xlsx))).active
    assert [cell.value for cell in sheet[1]][:3] == ["Nombre", "Apellido", "Correo"]
    assert sheet.max_row == 4


def test_it_pages_the_rows_of_a_long_file(world, alice_client):
    rows = [["nombre", "correo"]] + [[f"P{i}", f"p{i}@example.org"] for i in range(120)] + [["Mal", "mal@"]]
    response = alice_client.post(reverse("imports:start"), {"kind": "people", "file": upload(csv_bytes(rows))})
    first = alice_client.get(response["Location"]).content.decode()
    assert "Page 1 of 3" in first and "p0@example.org" in first and "p60@example.org" not in first
    last = alice_client.get(response["Location"] + "?page=3").content.decode()
    assert "mal@" in last and "p0@example.org" not in last
    assert len(last.encode()) < 50_000


def test_it_forgets_the_rows_left_out_and_staged_workbooks_when_a_person_is_erased(world):
    from convoca.imports import personal_data

    _preview, confirmed = services.stage_import(world.alice, "people", csv_bytes(PEOPLE))
    services.confirm_import(world.alice, confirmed)
    workbook = xlsx_bytes({"Uno": [["nombre", "correo"], ["Ana", "ana@example.org"]],
                           "Dos": [["nombre", "correo"], ["Zoe", "zoe@example.org"]]})
    _preview, staged = services.stage_import(world.alice, "people", workbook)
    beto = Person(display_name="Beto", email="beto@")  # the address of a row left out
    assert personal_data.export(beto) == {"staged_imports_mentioning_you": 1}
    personal_data.erase(beto)
    assert not ImportBatch.objects.filter(pk__in=[confirmed.pk, staged.pk]).exists()


def test_it_draws_the_preview_of_1_and_3_rows_with_the_same_queries(world, alice_client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = []
    for size in (1, 3):
        rows = [PEOPLE[0]] + [[f"P{i}", "Gil", f"p{size}.{i}@example.org", f"Colectivo {size}.{i}", "Chile"]
                              for i in range(size)] + [["Mal", "Gil", "mal@", "", ""]]
        response = alice_client.post(reverse("imports:start"), {"kind": "people", "file": upload(csv_bytes(rows))})
        with CaptureQueriesContext(connection) as queries:
            page = alice_client.get(response["Location"])
        assert page.status_code == 200 and f"p{size}.0@example.org" in page.content.decode()
        counts.append(len(queries))
    assert counts[0] == counts[1], counts
