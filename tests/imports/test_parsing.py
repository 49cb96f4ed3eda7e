"""Reading files as organisers save them: encodings, delimiters, column names
in four languages, text garbled by a wrong encoding."""

import pytest

from convoca.core.errors import ServiceError
from convoca.imports.cleaning import clean_text
from convoca.imports.parsing import parse_upload

from .helpers import csv_bytes

ROWS = [["Nombre", "País", "Sector"], ["Confederación Sindical", "Perú", "sindicato"]]


def test_it_reads_utf8():
    parsed = parse_upload(csv_bytes(ROWS), "organisations")
    assert parsed.encoding == "utf-8" and parsed.delimiter == ","
    assert parsed.rows == [(2, {"name": "Confederación Sindical", "country": "Perú", "sector": "sindicato"})]


def test_it_reads_utf8_with_bom():
    parsed = parse_upload(csv_bytes(ROWS, bom=True), "organisations")
    assert parsed.columns["name"] == "Nombre"  # the BOM is not part of the first column name
    assert parsed.rows[0][1]["name"] == "Confederación Sindical"


def test_it_reads_windows_1252_with_semicolons_as_excel_saves_it():
    parsed = parse_upload(csv_bytes(ROWS, delimiter=";", encoding="cp1252"), "organisations")
    assert parsed.encoding == "cp1252" and parsed.delimiter == ";"
    assert parsed.encoding_label == "Windows-1252"
    assert parsed.rows[0][1] == {"name": "Confederación Sindical", "country": "Perú", "sector": "sindicato"}


def test_it_falls_back_to_latin1_when_cp1252_cannot_decode():
    # 0x81 is undefined in Windows-1252: only Latin-1 decodes this file.
    data = "nombre;país;sector\nAsociación\x81;Chile;otro\n".encode("latin-1")
    parsed = parse_upload(data, "organisations")
    assert parsed.encoding == "latin-1"
    assert parsed.rows[0][1]["country"] == "Chile"


def test_it_reads_tab_separated_utf16_as_excel_unicode_text():
    data = "Nombre\tPaís\tSector\r\nRed Andina\tBolivia\tmovimiento social\r\n".encode("utf-16")
    parsed = parse_upload(data, "organisations")
    assert parsed.delimiter == "\t" and parsed.encoding == "utf-16"
    assert parsed.rows[0][1]["name"] == "Red Andina"


def test_it_understands_portuguese_headers():
    data = csv_bytes([["Nome", "E-mail", "Línguas", "Organização", "País"],
                      ["João Silva", "joao@example.org", "português", "CUT", "Brasil"]], delimiter=";")
    parsed = parse_upload(data, "people")
    assert set(parsed.columns) == {"name", "email", "languages", "organisation", "country"}
    assert parsed.columns["languages"] == "Línguas"


def test_it_understands_french_headers_with_prenom_and_nom():
    data = csv_bytes([["Prénom", "Nom", "Courriel", "Langues"], ["Élise", "Dupont", "elise@example.org", "français"]])
    parsed = parse_upload(data, "people")
    assert parsed.columns == {"first_name": "Prénom", "name": "Nom", "email": "Courriel", "languages": "Langues"}


def test_it_ignores_case_accents_and_decorations_in_headers():
    data = csv_bytes([["NOMBRE", "pais", "SECTOR (obligatorio)", "Sitio Web*", "Notas"], ["A", "CO", "otro", "", "vive en la calle 5"]])
    parsed = parse_upload(data, "organisations")
    assert set(parsed.columns) == {"name", "country", "sector", "website"}
    assert parsed.ignored == ["Notas"]
    assert "calle" not in str(parsed.to_json())  # cells of unknown columns are not kept (data minimisation)


def test_it_reads_the_organisacion_column_as_the_name_in_a_list_of_organisations():
    parsed = parse_upload(csv_bytes([["Organización", "País", "Secteur"], ["CUT", "BR", "syndicat"]]), "organisations")
    assert parsed.columns["name"] == "Organización"


def test_it_numbers_rows_as_the_spreadsheet_shows_them():
    data = b"\r\n\r\nnombre,pais,sector\r\nA,CO,otro\r\n,,\r\nB,MX,otro\r\n"
    parsed = parse_upload(data, "organisations")
    assert [number for number, _values in parsed.rows] == [4, 6]


def test_it_keeps_line_breaks_inside_quoted_cells_in_one_row():
    data = b'nombre,pais,sector\r\n"Red\r\nAndina",BO,otro\r\nB,MX,otro\r\n'
    parsed = parse_upload(data, "organisations")
    assert parsed.rows == [(2, {"name": "Red Andina", "country": "BO", "sector": "otro"}),
                           (3, {"name": "B", "country": "MX", "sector": "otro"})]


def test_it_reads_old_mac_line_endings():
    parsed = parse_upload(b"nombre,pais,sector\rA,CO,otro\rB,MX,otro\r", "organisations")
    assert len(parsed.rows) == 2


def test_it_reads_short_rows_and_trailing_empty_cells():
    parsed = parse_upload(b"nombre;pais;sector;;;\nA;CO\n", "organisations")
    assert parsed.rows[0][1] == {"name": "A", "country": "CO", "sector": ""}


def test_it_round_trips_through_json():
    from convoca.imports.parsing import ParsedFile

    parsed = parse_upload(csv_bytes(ROWS, delimiter=";"), "organisations", filename="../../etc/lista final.csv")
    again = ParsedFile.from_json(parsed.to_json())
    assert again == parsed
    assert "/" not in parsed.filename


@pytest.mark.parametrize(
    "garbled, repaired",
    [
        ("JosÃ©", "José"),
        ("MarÃa", "María"),  # the invisible byte of "í" was dropped when copied from a web page
        ("MartÃnez", "Martínez"),
        ("MarÃa JosÃ© MartÃnez", "María José Martínez"),
        ("GarcÃa LÃ³pez", "García López"),
        ("ConfederaÃ§Ã£o", "Confederação"),
        ("FÃ©dÃ©ration", "Fédération"),
        ("Â¿QuÃ© tal?", "¿Qué tal?"),
    ],
)
def test_it_repairs_mojibake(garbled, repaired):
    assert clean_text(garbled) == repaired


@pytest.mark.parametrize("text", ["JOÃO", "SÃO PAULO", "Bogotá", "São Paulo", "O’Brien", "pâte", "AT&T"])
def test_it_leaves_correct_text_alone(text):
    assert clean_text(text) == text


def test_it_strips_and_collapses_whitespace_and_normalises_to_nfc():
    assert clean_text("  Ana \u00a0  Pe\u0301rez \t") == "Ana Pérez"


def test_it_repairs_mojibake_in_a_whole_file():
    data = csv_bytes([["nombre", "correo"], ["MarÃa JosÃ© MartÃnez", "maria@example.org"]])
    parsed = parse_upload(data, "people")
    assert parsed.rows[0][1]["name"] == "María José Martínez"


def test_it_repairs_a_file_mixing_utf8_and_windows_1252():
    data = b"nombre;correo\n" + "José;jose@example.org\n".encode() + "Inês;ines@example.org\n".encode("cp1252")
    parsed = parse_upload(data, "people")
    assert [values["name"] for _n, values in parsed.rows] == ["José", "Inês"]


def test_it_refuses_an_unknown_kind():
    with pytest.raises(ServiceError):
        parse_upload(csv_bytes(ROWS), "votes")
