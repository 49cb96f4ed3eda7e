"""From the bytes of an uploaded file to clean rows: size and type checks,
encoding and delimiter detection, column names in four languages.

File-level problems raise ``ServiceError(field="file")``; problems in single
cells are the business of the services (they depend on the database).
"""

import csv
import io
from dataclasses import dataclass, field

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

# Signatures of files people upload by mistake.
_WORKBOOK_SIGNATURES = (b"PK\x03\x04", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1")  # .xlsx/.ods (zip), .xls (OLE)
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

    @property
    def encoding_label(self):
        return ENCODING_LABELS.get(self.encoding, self.encoding)

    @property
    def delimiter_label(self):
        return {"\t": _("tab"), ";": _("semicolon (;)"), ",": _("comma (,)")}[self.delimiter]

    def to_json(self) -> dict:
        return {
            "kind": self.kind, "encoding": self.encoding, "delimiter": self.delimiter, "columns": self.columns,
            "ignored": self.ignored, "rows": [[number, values] for number, values in self.rows],
            "filename": self.filename,
        }

    @classmethod
    def from_json(cls, data: dict) -> "ParsedFile":
        return cls(
            kind=data["kind"], encoding=data["encoding"], delimiter=data["delimiter"], columns=data["columns"],
            ignored=data.get("ignored", []), rows=[(number, values) for number, values in data["rows"]],
            filename=data.get("filename", ""),
        )


def max_bytes() -> int:
    return settings.IMPORT_MAX_BYTES


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
    if head.startswith(_WORKBOOK_SIGNATURES):
        raise ServiceError(
            _("This is a spreadsheet workbook (.xlsx, .xls or .ods), not a CSV file. %(how)s") % {"how": save_as_csv},
            field="file", code="workbook",
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


def parse_upload(source, kind: str, *, filename: str = "") -> ParsedFile:
    """Read an uploaded CSV file into a ``ParsedFile`` or raise ``ServiceError``."""
    if kind not in KINDS:
        raise ServiceError(_("Choose what the file contains."), field="kind")
    data = read_limited(source)
    if not data.strip(b" \t\r\n\x00\xef\xbb\xbf\xff\xfe"):
        raise ServiceError(_("The file is empty."), field="file", code="empty")
    _check_type(data)
    text, encoding = decode(data)

    first_line = next((line for line in text.splitlines() if line.strip()), "")
    delimiter = sniff_delimiter(first_line)
    records = _records(text, delimiter)

    header = None
    header_row = 0
    for number, record in enumerate(records, start=1):
        if any(cell.strip() for cell in record):
            header, header_row = [clean_text(cell) for cell in record], number
            break
    if header is None:
        raise ServiceError(_("The file is empty."), field="file", code="empty")

    columns, positions, ignored = _map_header(header, kind)

    rows = []
    for number, record in enumerate(records, start=header_row + 1):
        if not any(cell.strip() for cell in record):
            continue
        values = {}
        for position, field_name in positions:
            values[field_name] = clean_text(record[position]) if position < len(record) else ""
        rows.append((number, values))
    if not rows:
        raise ServiceError(
            _("The file has a row of column names but no data rows below it."), field="file", code="no_rows"
        )
    safe_name = get_valid_filename(filename)[-200:] if filename else ""
    return ParsedFile(kind=kind, encoding=encoding, delimiter=delimiter, columns=columns, ignored=ignored,
                      rows=rows, filename=safe_name)


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
