"""Lists downloaded as spreadsheets (CSV or XLSX), streamed so that a list of thousands of rows
never sits whole in memory, with every cell that a spreadsheet would read as a formula
neutralised (OWASP's CSV injection advice: a leading = + - @ tab or carriage return gets an
apostrophe in front, and XLSX cells are always written as text).

Callers pass the header and an iterable of rows already filtered to what the viewer may see;
this module imports no domain app."""

import csv
import tempfile

from django.http import FileResponse, StreamingHttpResponse

FORMATS = ("csv", "xlsx")
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value):
    """The cell's text, never read as a formula."""
    if value is None:
        return ""
    text = str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


class _Echo:
    def write(self, value):
        return value


def _csv_chunks(header, rows):
    writer = csv.writer(_Echo())
    yield "\ufeff"  # a byte-order mark, so that Excel reads UTF-8 ("São Paulo", not "SÃ£o Paulo")
    yield writer.writerow([neutralise(cell) for cell in header])
    for row in rows:
        yield writer.writerow([neutralise(cell) for cell in row])


def _xlsx_file(header, rows, title):
    from openpyxl import Workbook  # noqa: PLC0415 - only an XLSX download needs it (a few MB)
    from openpyxl.cell import WriteOnlyCell  # noqa: PLC0415 - same

    book = Workbook(write_only=True)  # rows go to a temporary file as they come
    sheet = book.create_sheet(title=title[:31] or "Sheet")

    def cells(values):
        out = []
        for value in values:
            cell = WriteOnlyCell(sheet, value=neutralise(value))
            cell.data_type = "s"  # text, whatever it looks like
            out.append(cell)
        return out

    sheet.append(cells(header))
    for row in rows:
        sheet.append(cells(row))
    spool = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115 - FileResponse closes it
    book.save(spool)
    spool.seek(0)
    return spool


def response(fmt, filename, header, rows, title="Sheet"):
    """A download of ``rows`` under ``header`` as ``fmt`` ("csv" or "xlsx")."""
    if fmt == "xlsx":
        answer = FileResponse(
            _xlsx_file(header, rows, title), as_attachment=True, filename=f"{filename}.xlsx",
            content_type=CONTENT_TYPES["xlsx"],
        )
    else:
        answer = StreamingHttpResponse(_csv_chunks(header, rows), content_type=CONTENT_TYPES["csv"])
        answer["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    answer["Cache-Control"] = "no-store"
    answer["X-Content-Type-Options"] = "nosniff"
    return answer
