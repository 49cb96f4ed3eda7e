"""Builders for the spreadsheets organisers really send."""

import csv
import io

from django.core.files.uploadedfile import SimpleUploadedFile

from convoca.gatherings.models import Registration
from convoca.network.models import Membership, Organisation, Person


def csv_bytes(rows, *, delimiter=",", encoding="utf-8", bom=False):
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerows(rows)
    data = buffer.getvalue().encode(encoding)
    return (b"\xef\xbb\xbf" + data) if bom else data


def upload(data, name="lista.csv"):
    return SimpleUploadedFile(name, data, content_type="text/csv")


def snapshot():
    """Counts of everything an import may write."""
    return (
        Organisation.objects.count(), Person.objects.count(), Membership.objects.count(),
        Registration.objects.count(),
        list(Organisation.objects.order_by("pk").values_list("name", "website", "sector")),
        list(Person.objects.order_by("pk").values_list("display_name", "full_name", "email", "languages")),
        list(Registration.objects.order_by("pk").values_list("role", "organisation_id", "status")),
    )


def people_csv(count, *, start=0, delimiter=",", encoding="utf-8", organisation=None):
    header = ["nombre", "correo", "idiomas"] + (["organización", "país"] if organisation else [])
    rows = [header]
    for i in range(start, start + count):
        row = [f"Persona {i}", f"persona{i}@example.org", "es, pt"]
        if organisation:
            row += list(organisation)
        rows.append(row)
    return csv_bytes(rows, delimiter=delimiter, encoding=encoding)


def xlsx_bytes(sheets, *, hidden=(), merged=None, macros=False):
    """A workbook as Excel saves it: ``sheets`` {name: rows}; ``merged``
    {sheet: ["A1:C1", ...]}; ``macros``: an .xlsm with a VBA project."""
    import openpyxl

    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
        for cells in (merged or {}).get(name, []):
            sheet.merge_cells(cells)
        if name in hidden:
            sheet.sheet_state = "hidden"
    buffer = io.BytesIO()
    book.save(buffer)
    data = buffer.getvalue()
    if macros:  # what Excel adds to an .xlsm: a VBA project (never run, never read)
        import zipfile

        out = io.BytesIO()
        with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
            for item in source.infolist():
                target.writestr(item, source.read(item.filename))
            target.writestr("xl/vbaProject.bin", b"\xd0\xcf\x11\xe0" + b"Sub AutoOpen() Shell \"calc\" End Sub")
        data = out.getvalue()
    return data


def ods_bytes(rows, sheet="Hoja1"):
    """A LibreOffice Calc file (OpenDocument), as small as LibreOffice accepts: strings and floats."""
    import zipfile
    from xml.sax.saxutils import escape

    def cell(value):
        if isinstance(value, (int, float)):
            return (f'<table:table-cell office:value-type="float" office:value="{value}">'
                    f"<text:p>{value}</text:p></table:table-cell>")
        return f'<table:table-cell office:value-type="string"><text:p>{escape(value)}</text:p></table:table-cell>'

    body = "".join("<table:table-row>" + "".join(cell(v) for v in row) + "</table:table-row>" for row in rows)
    content = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
        f'<office:body><office:spreadsheet><table:table table:name="{escape(sheet)}">{body}</table:table>'
        "</office:spreadsheet></office:body></office:document-content>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
        '<manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        "</manifest:manifest>"
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet", compress_type=zipfile.ZIP_STORED)
        archive.writestr("META-INF/manifest.xml", manifest)
        archive.writestr("content.xml", content)
    return out.getvalue()
