"""Issue 11's imports that help, in a real (Spanish-speaking) browser: a coordinator uploads an
.xlsx with a title row above the header, whose people name organisations the registry lacks and
three of whose rows have problems; the preview shows every row with its problems beside it and the
new organisations with their country; she downloads the rows with problems, writes the others,
downloads the rows not imported again from the confirmation page, corrects them and imports that
file. axe finds nothing on the preview and the confirmation page."""

import io

import openpyxl
import pytest
from playwright.sync_api import expect

from convoca.network.models import Membership, Organisation, Person, Sector
from tests.accounts.helpers import give_authenticator, totp_code
from tests.browser.test_accessibility import assert_accessible, page  # noqa: F401  (the axe-ready page)
from tests.fixtures import PASSWORD
from tests.imports.helpers import xlsx_bytes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ROWS = [
    ["Delegación — lista de participantes"],
    [],
    ["Nombre", "Apellido", "Correo", "Organización", "País"],
    ["Ana", "DÃaz", "ana.diaz@example.org", "Colectivo Río Claro", "Chile"],
    ["Beto", "Ríos", "beto@", "Colectivo Río Claro", "Chile"],
    ["Caro", "Peña", "caro.pena@example.org", "Sindicato Andino", "Colombia"],
    ["Dani", "Souza", "dani.souza@example.org", "Frente Sem Nome", ""],
    ["Eva", "Lima", "eva.lima@example.org", "Frente Sem Nome", "Brasil"],
]


def _upload(tab, data, name):
    tab.goto("/imports/")
    tab.locator("input[name=kind][value=people]").check()
    tab.locator("input[name=file]").set_input_files(
        files=[{"name": name, "mimeType": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                "buffer": data}])
    tab.locator("main form button[type=submit]").first.click()
    tab.wait_for_load_state()


def _sheet_rows(download):
    book = openpyxl.load_workbook(io.BytesIO(download.path().read_bytes()))
    return [[cell.value for cell in row] for row in book.active.iter_rows()]


def test_a_coordinator_imports_a_workbook_writes_the_good_rows_and_downloads_the_others(page, log_in, world):  # noqa: F811
    give_authenticator(world.alice)
    log_in(page, world.alice.email, PASSWORD)
    page.locator("input[name=code]").fill(totp_code())
    page.locator("main form button[type=submit]").click()
    expect(page.locator("header nav a[href='/accounts/me/']")).to_be_visible()

    _upload(page, xlsx_bytes({"Participantes": ROWS}), "participantes.xlsx")
    expect(page.locator("main h1")).to_be_visible()
    main = page.locator("main")
    expect(main).to_contain_text("«Participantes»")  # the sheet read
    expect(page.locator("table.import-new-organisations")).to_contain_text("Colectivo Río Claro")
    expect(page.locator("table.import-new-organisations")).to_contain_text("Chile")
    expect(page.locator("table.import-new-organisations")).to_contain_text("Brasil")
    problem_rows = page.locator("table.import-sample tr.import-row-problem")
    expect(problem_rows).to_have_count(2)
    expect(problem_rows.nth(0)).to_contain_text("beto@")
    expect(problem_rows.nth(1)).to_contain_text("Frente Sem Nome")
    expect(page.locator("table.import-sample")).to_contain_text("Ana Díaz")  # the repaired name, shown
    expect(page.locator("table.import-sample")).to_contain_text("«DÃaz» leído como «Díaz»")
    assert_accessible(page)

    with page.expect_download() as first:
        page.locator("a[href$='format=xlsx']").first.click()
    rows = _sheet_rows(first.value)
    assert rows[0][:5] == ["Nombre", "Apellido", "Correo", "Organización", "País"]
    assert [row[2] for row in rows[1:]] == ["beto@", "dani.souza@example.org"]

    before = Person.objects.count()
    page.locator("form[action$='/confirm/'] button[type=submit]").click()
    page.wait_for_load_state()
    expect(page.locator("main .panel-ok")).to_be_visible()
    assert Person.objects.count() == before + 3
    claro = Organisation.objects.get(name="Colectivo Río Claro")
    assert (claro.country.code, claro.sector) == ("CL", Sector.OTHER)
    assert Membership.objects.filter(person__email="ana.diaz@example.org", organisation=claro).exists()
    assert Person.objects.get(email="ana.diaz@example.org").display_name == "Ana Díaz"
    assert not Person.objects.filter(email__in=["beto@", "dani.souza@example.org"]).exists()
    assert_accessible(page)

    with page.expect_download() as second:
        page.locator("a[href$='format=xlsx']").first.click()
    book = openpyxl.load_workbook(io.BytesIO(second.value.path().read_bytes()))
    sheet = book.active
    assert [cell.value for cell in sheet[2]][2] == "beto@"
    sheet["C2"] = "beto.rios@example.org"
    sheet["E3"] = "Brasil"
    buffer = io.BytesIO()
    book.save(buffer)

    _upload(page, buffer.getvalue(), "corregido.xlsx")
    expect(page.locator("table.import-sample tr.import-row-problem")).to_have_count(0)
    expect(page.locator("table.import-new-organisations")).to_have_count(0)  # created the first time
    page.locator("form[action$='/confirm/'] button[type=submit]").click()
    page.wait_for_load_state()
    expect(page.locator("main .panel-ok")).to_be_visible()
    assert Person.objects.count() == before + 5
    assert Organisation.objects.filter(name="Colectivo Río Claro").count() == 1
    assert Organisation.objects.filter(name="Frente Sem Nome").count() == 1
    assert Membership.objects.filter(person__email="dani.souza@example.org",
                                     organisation__name="Frente Sem Nome").exists()
