"""Every bad input gets a clear error, writes nothing and never makes a 500 —
through the services and through the upload page."""

import pytest
from django.test import override_settings
from django.urls import reverse

from convoca.core.errors import ServiceError
from convoca.imports import services
from convoca.imports.models import ImportBatch
from tests.accounts.helpers import enrol_if_required

from .helpers import csv_bytes, snapshot, upload

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01" + b"\x00" * 40
XLSX = b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00" + b"[Content_Types].xml" + b"\x00" * 40
XLS = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 60

FILE_ERRORS = [
    ("empty file", b"", "organisations", "is empty"),
    ("only blank lines", b"\r\n \r\n;;\r\n", "organisations", "The file is empty."),
    ("only a header", b"nombre;pais;sector\r\n", "organisations", "no data rows"),
    ("header without any known column", b"foo,bar\r\n1,2\r\n", "organisations", "None of the column names"),
    ("png image", PNG, "organisations", "not a text file"),
    ("damaged xlsx workbook", XLSX, "people", "could not be read"),
    ("damaged xls workbook", XLS, "people", "could not be read"),
    ("missing required column", b"nombre,pais\r\nA,CO\r\n", "organisations", "no sector column"),
    ("missing email column", b"nombre,idiomas\r\nA,es\r\n", "people", "no email column"),
    ("two columns for the same thing", b"correo,email,nombre\r\na@x.org,a@x.org,A\r\n", "people", "both hold"),
]


@pytest.mark.parametrize("label, data, kind, message", FILE_ERRORS, ids=[e[0] for e in FILE_ERRORS])
def test_it_refuses_bad_files_through_the_service(world, label, data, kind, message):
    before = snapshot()
    with pytest.raises(ServiceError) as exc:
        services.stage_import(world.alice, kind, data)
    assert message.lower() in str(exc.value.message).lower()
    assert exc.value.field == "file"
    assert snapshot() == before and not ImportBatch.objects.exists()


@pytest.mark.parametrize("label, data, kind, message", FILE_ERRORS, ids=[e[0] for e in FILE_ERRORS])
def test_it_refuses_bad_files_through_the_upload_page(world, alice_client, label, data, kind, message):
    before = snapshot()
    response = alice_client.post(reverse("imports:start"), {"kind": kind, "file": upload(data)})
    assert response.status_code == 200
    assert message.lower() in response.content.decode().lower()
    assert 'class="error-summary"' in response.content.decode()
    assert snapshot() == before and not ImportBatch.objects.exists()


def test_it_refuses_an_oversized_file_before_reading_it_all(world):
    class Upload:
        size = 50_000
        read_calls = 0

        def read(self, n=-1):  # pragma: no cover - must not be called
            self.read_calls += 1
            return b""

    source = Upload()
    with override_settings(IMPORT_MAX_BYTES=1000), pytest.raises(ServiceError) as exc:
        services.preview_import(world.alice, "people", source)
    assert exc.value.code == "too_big" and source.read_calls == 0


def test_it_refuses_an_oversized_stream_without_a_size(world):
    import io

    with override_settings(IMPORT_MAX_BYTES=1000), pytest.raises(ServiceError) as exc:
        services.preview_import(world.alice, "people", io.BytesIO(b"nombre,correo\n" + b"a,a@x.org\n" * 500))
    assert exc.value.code == "too_big"


def test_it_refuses_an_oversized_upload_on_the_page(world, alice_client):
    before = snapshot()
    data = b"nombre,correo\r\n" + b"Ana,ana@example.org\r\n" * 200
    with override_settings(IMPORT_MAX_BYTES=1000):
        response = alice_client.post(reverse("imports:start"), {"kind": "people", "file": upload(data)})
    assert response.status_code == 200
    assert "The file is larger than" in response.content.decode()
    assert "This field is required" not in response.content.decode()
    assert snapshot() == before and not ImportBatch.objects.exists()


ROW_ERRORS = [
    ("unknown country", "organisations", [["nombre", "país", "sector"], ["A", "Narnia", "otro"]],
     "Row 2, column país: unknown country “Narnia”"),
    ("unknown sector", "organisations", [["nombre", "país", "sector"], ["A", "CO", "club"]],
     "Row 2, column sector: unknown sector “club”"),
    ("invalid email", "people", [["nombre", "correo"], ["A", "a@"]], "Row 2, column correo: Enter an email address like name@example.org."),
    ("unknown gathering", "registrations", [["correo", "evento", "rol"], ["bob@example.org", "nope", "guest"]],
     "Row 2, column evento: unknown gathering “nope”"),
    ("the same bad email twice", "people", [["nombre", "correo"], ["A", "a@"], ["A", "a@"]],
     "Row 3, column correo: Enter an email address"),
]


@pytest.mark.parametrize("label, kind, rows, message", ROW_ERRORS, ids=[e[0] for e in ROW_ERRORS])
def test_it_shows_row_problems_and_keeps_nothing(world, alice_client, label, kind, rows, message):
    before = snapshot()
    response = alice_client.post(reverse("imports:start"), {"kind": kind, "file": upload(csv_bytes(rows))})
    html = response.content.decode()
    assert response.status_code == 200
    assert " in the file</h2>" in html and "Nothing has been imported" in html
    preview = response.context["preview"]
    assert any(str(p).startswith(message) for p in preview.problems), [str(p) for p in preview.problems]
    assert snapshot() == before and not ImportBatch.objects.exists()


def test_it_refuses_a_page_post_without_a_file_or_kind(world, alice_client):
    response = alice_client.post(reverse("imports:start"), {})
    assert response.status_code == 200
    assert response.context["form"].errors.keys() == {"kind", "file"}


def test_it_reports_a_missing_gathering_next_to_the_gathering_field(world, alice_client):
    data = csv_bytes([["correo", "rol"], ["bob@example.org", "guest"]])
    response = alice_client.post(reverse("imports:start"), {"kind": "registrations", "file": upload(data)})
    assert response.status_code == 200
    assert "gathering" in response.context["form"].errors


def test_it_lists_the_first_200_problems_of_a_very_bad_file(world, alice_client):
    rows = [["nombre", "correo"]] + [[f"P{i}", f"not-an-email-{i}"] for i in range(250)]
    response = alice_client.post(reverse("imports:start"), {"kind": "people", "file": upload(csv_bytes(rows))})
    html = response.content.decode()
    assert "There are 250 problems in the file" in html
    assert "The first 200 of 250 problems are shown" in html
    assert html.count('<td data-label="Problem">') == 200


def test_it_checks_the_csrf_token_on_upload(world):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(world.alice)
    enrol_if_required(client, world.alice)  # a coordinator's session proves a second factor
    data = csv_bytes([["nombre", "país", "sector"], ["Nueva", "CO", "otro"]])
    response = client.post(reverse("imports:start"), {"kind": "organisations", "file": upload(data)})
    assert response.status_code == 403
    assert not ImportBatch.objects.exists()
    token = client.get(reverse("imports:start")).cookies["csrftoken"].value
    response = client.post(reverse("imports:start"), {"kind": "organisations", "file": upload(data),
                                                       "csrfmiddlewaretoken": token})
    assert response.status_code == 302 and ImportBatch.objects.count() == 1
