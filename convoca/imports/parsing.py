"""From the bytes of an uploaded file to clean rows: size and type checks,
encoding and delimiter detection, workbooks (.xlsx, .xlsm, .ods, .xls, read by
python-calamine: values only, never a macro), the header row found below title
rows, column names in four languages.

File-level problems raise ``ServiceError(field="file")``; problems in single
cells are the business of the services (they depend on the database).
"""

import csv
import datetime as dt
import io
import re
import zipfile
from dataclasses import dataclass, field
from xml.etree import ElementTree

import python_calamine
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _

from convoca.core.errors import ServiceError

from .cleaning import clean_text
from .vocab import KIND_FIELDS, REQUIRED, column_examples, field_label, header_key, header_table

KINDS = ("organisations", "people", "registrations")
DELIMITERS = (";", ",", "\t")
ENCODING_LABELS = {"utf-8": "UTF-8", "utf-8-sig": "UTF-8", "utf-16": "UTF-16", "cp1252": "Windows-1252",
                   "latin-1": "ISO-8859-1"}

# Workbooks: .xlsx, .xlsm and .ods are zip files, .xls (and an encrypted .xlsx) an OLE compound file.
_ZIP, _OLE = b"PK\x03\x04", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_WORKBOOK_SIGNATURES = (_ZIP, _OLE)
# Signatures of files people upload by mistake.
_OTHER_SIGNATURES = (b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"%PDF", b"RIFF", b"\x1f\x8b", b"BM")


@dataclass
class ParsedFile:
    """A decoded CSV file: recognised columns only, cells cleaned.

    ``rows`` holds (spreadsheet row number, {field: value}); the header is
    the row above the first data row, so numbers match what Excel shows."""

    kind: str
    encoding: str
    delimiter: str
    columns: dict[str, str]  # field -> the column name as written in the file
    ignored: list[str] = field(default_factory=list)
    rows: list[tuple[int, dict[str, str]]] = field(default_factory=list)
    filename: str = ""
    sheet: str = ""  # the sheet read, for a workbook
    sheets: list[str] = field(default_factory=list)  # the workbook's visible sheets, to choose another
    repairs: dict[str, dict[str, str]] = field(default_factory=dict)  # "row" -> {field: the cell before repair}

    @property
    def is_workbook(self):
        return self.encoding == "workbook"

    @property
    def encoding_label(self):
        return ENCODING_LABELS.get(self.encoding, self.encoding)

    @property
    def delimiter_label(self):
        return {"\t": _("tab"), ";": _("semicolon (;)"), ",": _("comma (,)"), "": ""}[self.delimiter]

    @property
    def read_as(self):
        """How the file was read, for the preview and the command line."""
        if self.is_workbook:
            return _("the sheet “%(sheet)s” of a workbook") % {"sheet": self.sheet}
        return _("%(encoding)s text, columns separated by %(delimiter)s") % {
            "encoding": self.encoding_label, "delimiter": self.delimiter_label}

    def to_json(self) -> dict:
        return {
            "kind": self.kind, "encoding": self.encoding, "delimiter": self.delimiter, "columns": self.columns,
            "ignored": self.ignored, "rows": [[number, values] for number, values in self.rows],
            "filename": self.filename, "sheet": self.sheet, "sheets": self.sheets, "repairs": self.repairs,
        }

    @classmethod
    def from_json(cls, data: dict) -> "ParsedFile":
        return cls(
            kind=data["kind"], encoding=data["encoding"], delimiter=data["delimiter"], columns=data["columns"],
            ignored=data.get("ignored", []), rows=[(number, values) for number, values in data["rows"]],
            filename=data.get("filename", ""), sheet=data.get("sheet", ""), sheets=data.get("sheets", []),
            repairs=data.get("repairs", {}),
        )


def max_bytes() -> int:
    return settings.IMPORT_MAX_BYTES


def max_rows() -> int:
    return getattr(settings, "IMPORT_MAX_ROWS", 50_000)


def too_many_rows_error(limit=None) -> ServiceError:
    return ServiceError(
        _("The file has more than %(limit)s rows. Split it into smaller files and import them one after the other.")
        % {"limit": f"{limit or max_rows():,}".replace(",", "\u202f")},
        field="file", code="too_many_rows",
    )


def too_big_error(limit=None) -> ServiceError:
    return ServiceError(
        _("The file is larger than %(limit)s. Split it into smaller files and import them one after the other.")
        % {"limit": filesizeformat(limit or max_bytes())},
        field="file", code="too_big",
    )


def read_limited(source, limit=None) -> bytes:
    """The bytes of ``source`` (bytes, or a file object with ``read``), refusing
    anything over the limit before reading it all."""
    limit = limit or max_bytes()
    if isinstance(source, (bytes, bytearray)):
        data = bytes(source)
    else:
        size = getattr(source, "size", None)
        if size is not None and size > limit:
            raise too_big_error(limit)
        data = source.read(limit + 1)
        if isinstance(data, str):
            data = data.encode("utf-8")
    if len(data) > limit:
        raise too_big_error(limit)
    return data


def _check_type(data: bytes):
    head = data[:8]
    save_as_csv = _(
        "In Excel or LibreOffice choose File › Save as…, pick “CSV” as the file type, and upload that file."
    )
    utf16 = data.startswith((b"\xff\xfe", b"\xfe\xff"))
    if head.startswith(_OTHER_SIGNATURES) or (b"\x00" in data[:4096] and not utf16):
        raise ServiceError(
            _("This is not a text file (it looks like an image, a PDF or an archive). %(how)s") % {"how": save_as_csv},
            field="file", code="not_text",
        )


def decode(data: bytes) -> tuple[str, str]:
    """UTF-16 if it says so; else UTF-8 (with or without BOM), else Windows-1252
    (what Excel writes), else Latin-1 (which decodes anything)."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):  # Excel's "Unicode text"
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError:
            pass
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if encoding == "utf-8-sig":
            encoding = "utf-8"
        return text, encoding
    return data.decode("latin-1"), "latin-1"


def sniff_delimiter(header_line: str) -> str:
    """The delimiter used most in the header row (column names rarely contain one)."""
    counts = {d: header_line.count(d) for d in DELIMITERS}
    best = max(DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] else ","


def _records(text: str, delimiter: str):
    reader = csv.reader(io.StringIO(text, newline=None), delimiter=delimiter)
    try:
        yield from reader
    except csv.Error as exc:
        raise ServiceError(
            _("The file could not be read as CSV near line %(line)s (%(error)s). Save it again as CSV.")
            % {"line": reader.line_num, "error": exc},
            field="file", code="bad_csv",
        ) from exc


def is_workbook(data: bytes) -> bool:
    return data[:8].startswith(_WORKBOOK_SIGNATURES)


def parse_upload(source, kind: str, *, filename: str = "", sheet: str = "") -> ParsedFile:
    """Read an uploaded CSV file or workbook into a ``ParsedFile`` or raise
    ``ServiceError``. ``sheet``: the workbook's sheet to read (by default the
    first visible one whose columns are recognised)."""
    if kind not in KINDS:
        raise ServiceError(_("Choose what the file contains."), field="kind")
    data = read_limited(source)
    if not data.strip(b" \t\r\n\x00\xef\xbb\xbf\xff\xfe"):
        raise ServiceError(_("The file is empty."), field="file", code="empty")
    safe_name = get_valid_filename(filename)[-200:] if filename else ""
    if is_workbook(data):
        return _parse_workbook(data, kind, safe_name, sheet)
    _check_type(data)
    text, encoding = decode(data)

    first_line = next((line for line in text.splitlines() if line.strip()), "")
    delimiter = sniff_delimiter(first_line)
    parsed = _parse_records(_records(text, delimiter), kind)
    parsed.encoding, parsed.delimiter, parsed.filename = encoding, delimiter, safe_name
    return parsed


# How far below the top of a sheet the row of column names may be (title rows, notes, a blank line).
HEADER_SEARCH_ROWS = 20


def _header_score(record, table):
    return sum(1 for cell in record if cell and table.get(header_key(cell)) is not None)


def _parse_records(records, kind: str) -> ParsedFile:
    """Rows of cells (strings) -> a ``ParsedFile``. The header is the first
    row, among the first few that are not empty, naming at least two known
    columns (else one, else the first row: its error then says what is
    expected); the rows above it are titles and are left out."""
    table = header_table(kind)
    top = []  # (row number, record) of the first non-empty rows
    records = iter(records)
    for number, record in enumerate(records, start=1):
        if any(cell.strip() for cell in record):
            top.append((number, record))
            if len(top) >= HEADER_SEARCH_ROWS or _header_score(record, table) >= 2:
                break
    if not top:
        raise ServiceError(_("The file is empty."), field="file", code="empty")
    scores = [_header_score(record, table) for _number, record in top]
    best = next((i for i, score in enumerate(scores) if score >= 2), None)
    if best is None:
        best = next((i for i, score in enumerate(scores) if score >= 1), 0)
    header = [clean_text(cell) for cell in top[best][1]]
    columns, positions, ignored = _map_header(header, kind)

    rows, repairs, limit = [], {}, max_rows()

    def add(number, record):
        if not any(cell.strip() for cell in record):
            return
        if len(rows) >= limit:
            raise too_many_rows_error(limit)
        values = {}
        for position, field_name in positions:
            raw = record[position] if position < len(record) else ""
            value = values[field_name] = clean_text(raw)
            if value and not raw.isascii() and value != " ".join(raw.split()):
                repairs.setdefault(str(number), {})[field_name] = raw
        rows.append((number, values))

    for number, record in top[best + 1:]:
        add(number, record)
    for number, record in enumerate(records, start=top[-1][0] + 1):
        add(number, record)
    if not rows:
        raise ServiceError(
            _("The file has a row of column names but no data rows below it."), field="file", code="no_rows"
        )
    parsed = ParsedFile(kind=kind, encoding="", delimiter="", columns=columns, ignored=ignored, rows=rows,
                        repairs=repairs)
    parsed.positions = {position for position, _field in positions}  # not kept: only for the formula check
    return parsed


# --- workbooks ------------------------------------------------------------------------

# A workbook may hold at most this many times IMPORT_MAX_BYTES once unzipped (a "zip bomb" stops here).
_UNZIPPED_RATIO = 30
_ENCRYPTED_MARKER = "EncryptedPackage".encode("utf-16-le")


def _workbook_error(code):
    save_again = _("Open it in Excel or LibreOffice, save it again as .xlsx (or as CSV) and upload that file.")
    messages = {
        "password": _("This workbook is protected by a password, so it cannot be read. Remove the password "
                      "(in Excel: File › Info › Protect workbook; in LibreOffice: File › Properties › Security), "
                      "save it and upload it again."),
        "unreadable": _("This file looks like a workbook but could not be read: it may be damaged, or be "
                        "another kind of file renamed. %(how)s") % {"how": save_again},
        "no_sheet": _("This workbook has no visible sheet with data."),
        "formula": _("The cell %(cell)s holds a formula whose result was never calculated (the file was "
                     "written by a program, not saved by a spreadsheet). %(how)s"),
    }
    return messages[code], save_again


def _refuse_workbook(code, **params):
    message, save_again = _workbook_error(code)
    if params:
        message = message % {**params, "how": save_again}
    return ServiceError(message, field="file", code=f"workbook_{code}")


def _check_zip(data: bytes):
    """Refuse a damaged zip, an encrypted one and a zip bomb before the reader unpacks anything."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unzipped = sum(info.file_size for info in archive.infolist())
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise _refuse_workbook("unreadable") from exc
    if unzipped > _UNZIPPED_RATIO * max_bytes():
        raise too_big_error()
    if not ({"xl/workbook.xml", "content.xml"} & names):
        raise _refuse_workbook("unreadable")  # a .docx, a .zip, an .epub... renamed


def _cell_text(value) -> str:
    """A workbook's cell as the text it shows: 12 not 12.0, dates as 2026-10-19."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e16 else f"{value:.15g}"
    if isinstance(value, dt.datetime):
        if (value.hour, value.minute, value.second) == (0, 0, 0):
            return value.date().isoformat()
        return value.isoformat(sep=" ", timespec="minutes" if not value.second else "seconds")
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    if value is None:
        return ""
    return str(value)


_UNCACHED_FORMULA = re.compile(
    rb'<c r="([A-Z]{1,3}[0-9]{1,7})"[^>]*>\s*<f(?:[^>]*/>|[^>]*>[^<]*</f>)\s*(?:<v\s*/>|<v>\s*</v>)?\s*</c>')


def _column_index(cell: bytes) -> int:
    index = 0
    for letter in cell.rstrip(b"0123456789"):
        index = index * 26 + letter - 64
    return index - 1


def _uncached_formula(data: bytes, sheet: str, used: set[int]) -> str | None:
    """The first cell, in a column the import reads, of an .xlsx sheet whose formula has no stored
    result (calamine would read it as empty): files written by scripts, never opened in a spreadsheet."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            if "xl/workbook.xml" not in archive.namelist():
                return None
            relationships = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
            book = ElementTree.fromstring(archive.read("xl/workbook.xml"))
            rel_id = next((node.get(relationships) for node in book.iter() if node.tag.endswith("}sheet")
                           and node.get("name") == sheet), None)
            rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
            target = next((node.get("Target") for node in rels if node.get("Id") == rel_id), None)
            if not target:
                return None
            path = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
            with archive.open(path) as stream:
                tail = b""
                while chunk := stream.read(1 << 20):
                    text = tail + chunk
                    for found in _UNCACHED_FORMULA.finditer(text):
                        if _column_index(found.group(1)) in used:
                            return found.group(1).decode()
                    tail = text[-4096:]
    except (KeyError, zipfile.BadZipFile, ElementTree.ParseError, OSError):
        return None
    return None


def _parse_workbook(data: bytes, kind: str, filename: str, sheet: str) -> ParsedFile:
    if data.startswith(_OLE) and _ENCRYPTED_MARKER in data:
        raise _refuse_workbook("password")  # an encrypted .xlsx is an OLE file holding the encrypted package
    if data.startswith(_ZIP):
        _check_zip(data)
    try:
        book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
        visible = [meta.name for meta in book.sheets_metadata
                   if meta.visible == python_calamine.SheetVisibleEnum.Visible
                   and meta.typ == python_calamine.SheetTypeEnum.WorkSheet]
        if not visible:
            raise _refuse_workbook("no_sheet")
        if sheet and sheet not in visible:
            raise ServiceError(_("This workbook has no sheet called “%(sheet)s”.") % {"sheet": sheet},
                               field="sheet", code="no_such_sheet")
        candidates = [sheet] if sheet else visible
        first_error = None
        for name in candidates:
            records = _sheet_records(book.get_sheet_by_name(name))
            try:
                parsed = _parse_records(records, kind)
            except ServiceError as exc:
                if exc.code == "too_many_rows":
                    raise
                first_error = first_error or exc
                continue
            break
        else:
            raise first_error
    except python_calamine.PasswordError as exc:
        raise _refuse_workbook("password") from exc
    except (python_calamine.CalamineError, python_calamine.ZipError, python_calamine.XmlError,
            python_calamine.WorksheetNotFound, ValueError, TypeError, OverflowError) as exc:
        raise _refuse_workbook("unreadable") from exc
    cell = _uncached_formula(data, name, parsed.positions) if data.startswith(_ZIP) else None
    if cell:
        raise _refuse_workbook("formula", cell=cell)
    parsed.encoding, parsed.filename, parsed.sheet, parsed.sheets = "workbook", filename, name, visible
    return parsed


def _sheet_records(sheet):
    """The sheet's rows as text, from A1. A range merged down a column (an
    organisation written once for several people) gives its value to each
    row; a range merged across columns keeps it in its first column only."""
    rows = [[_cell_text(value) for value in row] for row in sheet.to_python(skip_empty_area=False)]
    for (top, left), (bottom, _right) in sheet.merged_cell_ranges or ():
        if top >= len(rows) or left >= len(rows[top]):
            continue
        value = rows[top][left]
        for r in range(top + 1, min(bottom, len(rows) - 1) + 1):
            if left < len(rows[r]):
                rows[r][left] = value
    return rows


def _map_header(header: list[str], kind: str):
    table = header_table(kind)
    columns: dict[str, str] = {}
    positions: list[tuple[int, str]] = []
    ignored: list[str] = []
    for position, name in enumerate(header):
        field_name = table.get(header_key(name))
        if field_name is None:
            if name:
                ignored.append(name)
            continue
        if field_name in columns:
            raise ServiceError(
                _("The columns “%(first)s” and “%(second)s” both hold the %(field)s. Keep only one of them.")
                % {"first": columns[field_name], "second": name, "field": field_label(field_name)},
                field="file", code="duplicate_column",
            )
        columns[field_name] = name
        positions.append((position, field_name))
    if not columns:
        expected = ", ".join(column_examples(f) for f in KIND_FIELDS[kind][:3])
        raise ServiceError(
            _("None of the column names in the first row was recognised. The first row must name the columns, "
              "for example: %(examples)s.") % {"examples": expected},
            field="file", code="no_columns",
        )
    for required in REQUIRED[kind]:
        options = required if isinstance(required, tuple) else (required,)
        if not any(option in columns for option in options):
            raise ServiceError(
                _("The file has no %(field)s column. Add one named, for example: %(examples)s.")
                % {"field": field_label(options[0]), "examples": column_examples(options[0])},
                field="file", code="missing_column",
            )
    return columns, positions, ignored
