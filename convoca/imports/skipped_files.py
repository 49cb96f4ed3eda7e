"""The rows an import left out, with their problems, as a spreadsheet the
organiser corrects and imports again: the file's own column names (so it is
read back the same way), then the row it came from and its problems (two
columns no import reads). Written by ``core.export`` (formula-looking cells
neutralised, XLSX cells always text)."""

from django.utils.translation import gettext as _

from convoca.core import export


def header(rows):
    return [*rows["columns"], _("Row in the first file"), _("Problems to correct")]


def lines(rows):
    return [[*cells, str(number), problems] for number, cells, problems in rows["rows"]]


def response(rows, file_format="xlsx"):
    file_format = file_format if file_format in export.FORMATS else "xlsx"
    return export.response(file_format, "not-imported", header(rows), lines(rows), title=_("Not imported"))
