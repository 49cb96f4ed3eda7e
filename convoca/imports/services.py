"""Spreadsheet imports of organisations, people and registrations.

One path for the web views and the ``convoca import`` command:

    parsed = parse_upload(file, kind)                  # file-level checks, ServiceError
    preview = preview_import(user, kind, parsed)       # row checks against the database, no writes
    preview, batch = stage_import(user, kind, parsed)  # the same, and keep the rows for confirm_import
    result = confirm_import(user, batch)               # re-check and write, all or nothing, once
    preview, result = run_import(user, kind, parsed)   # CLI: check and write in one go

Matching (documented on the upload page):
- organisations by name + country, ignoring case, accents and spacing (``match_key``);
- people by email, ignoring case;
- registrations by person + gathering.
An existing organisation or person is never overwritten: an import only fills
its *empty* fields (and adds memberships). A registration that is still
"requested" takes the role and organisation in the file; one already accredited
or refused is left alone. Rows that would change nothing are skipped.

Organisations that a list of people or registrations names, with a country,
and that the registry does not hold yet are planned for creation (sector
"other", to be corrected on their page) through the same bulk service as a list
of organisations.

A staged file keeps its rows without problems (``good``) and those with
problems; confirming writes the good rows, all or nothing (any of them that no
longer fits refuses everything), and keeps the skipped rows with their problems
for a day, for the organiser to download (``skipped_rows_file``), correct and
import again. The command line (``run_import``) still refuses a file with any
problem. Reads are one query per kind of record per chunk of keys (never
one per row) and writes are bulk, so 10,000 rows take seconds.

This module only reads the file: it turns cells into values (countries,
sectors, roles and languages as people write them, organisations and
gatherings by name) and reports the cells it cannot read. Every rule of the
registry and of registering, and every write, belongs to the owning apps: the
rows go to ``network.services`` (``plan_organisations`` /
``bulk_upsert_organisations``, ``plan_people`` / ``bulk_upsert_people``) and
``gatherings.services`` (``plan_registrations`` / ``bulk_register``), whose
plans the preview shows and whose problems it lists by row and column. The
only rows this module writes itself are its own staged ``ImportBatch``.
"""

import base64
import datetime as dt
import functools
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from convoca.audit import services as audit
from convoca.core.bulk import CREATE, SKIP, UPDATE, RowOutcome, RowProblems, chunks
from convoca.core.errors import NotFound, PermissionDenied, ServiceError
from convoca.gatherings import services as gatherings_services
from convoca.gatherings.models import Gathering, Registration
from convoca.network import services as network_services
from convoca.network.models import Organisation, Sector, match_key
from convoca.network.queries import country_name, resolve_country

from .models import ImportBatch
from .parsing import KINDS, ParsedFile, parse_upload, read_limited
from .vocab import NAME_FIELDS, field_label, resolve_languages, resolve_role, resolve_sector

__all__ = [
    "KINDS", "ImportProblems", "ImportResult", "Preview", "Problem", "RowPlan", "batch_preview", "choose_sheet",
    "confirm_import", "discard_import", "parse_upload", "preview_import", "purge_expired_batches", "run_import",
    "skipped_rows", "stage_import",
]

SAMPLE_SIZE = 20

# Names, countries and languages repeat a lot in a big file: remember the answers.
_match_key = functools.lru_cache(maxsize=65536)(match_key)
_resolve_country = functools.lru_cache(maxsize=4096)(resolve_country)


@functools.lru_cache(maxsize=4096)
def _resolve_languages(text):
    # Tuples: shared by thousands of rows, and left alone by the garbage collector.
    codes, unknown = resolve_languages(text)
    return tuple(codes), tuple(unknown)


# --- what a preview and a result look like ------------------------------------------


@dataclass
class Problem:
    row: int | None  # spreadsheet row number; None for the whole file
    column: str | None  # the column name as written in the file
    message: str

    def __str__(self):
        if self.row and self.column:
            return _("Row %(row)s, column %(column)s: %(message)s") % {
                "row": self.row, "column": self.column, "message": self.message}
        if self.row:
            return _("Row %(row)s: %(message)s") % {"row": self.row, "message": self.message}
        return str(self.message)


@dataclass
class RowPlan:
    row: int
    action: str  # create | update | skip
    fields: dict  # what will be written (for an update: the record's key and the changed fields)
    note: str = ""

    @property
    def action_label(self):
        return {CREATE: _("create"), UPDATE: _("update"), SKIP: _("skip")}[self.action]


@dataclass
class ImportResult:
    kind: str
    created: int = 0
    updated: int = 0
    skipped: int = 0
    memberships: int = 0  # memberships added to people
    people: int = 0  # people created along with their registrations
    organisations: int = 0  # organisations created because rows named them
    not_imported: int = 0  # rows with a problem, left out (see skipped_rows)

    def to_json(self):
        return dict(self.__dict__)

    @classmethod
    def from_json(cls, data, kind=""):
        return cls(**{"kind": kind, **(data or {})})

    @property
    def total(self):
        return self.created + self.updated + self.skipped

    def text_lines(self):
        counts = {"kind": self.kind, "created": self.created, "updated": self.updated, "skipped": self.skipped}
        return [_("Imported %(kind)s: %(created)s created, %(updated)s filled in, %(skipped)s unchanged.") % counts,
                *_extra_lines(self.people, self.memberships, self.organisations)]


@dataclass
class Preview:
    kind: str
    parsed: ParsedFile
    gathering: Gathering | None
    problems: list[Problem]
    memberships: int = 0
    people: int = 0
    outcomes: list = field(default_factory=list, repr=False)  # the services' RowOutcomes, for rows without problems
    row_plan: Callable[[RowOutcome], RowPlan] | None = field(default=None, repr=False)
    new_organisations: list = field(default_factory=list)  # unsaved Organisations the rows name, to be created
    problem_cells: Callable[[dict], dict] | None = field(default=None, repr=False)

    @functools.cached_property
    def plans(self) -> list[RowPlan]:
        """Every row as it will be written. Made on demand: a page shows the first few."""
        return [self.row_plan(outcome) for outcome in self.outcomes]

    @property
    def ok(self):
        return not self.problems

    @property
    def rows_total(self):
        return len(self.parsed.rows)

    @functools.cached_property
    def problem_rows(self) -> dict[int, list[Problem]]:
        """{row: its problems} (row None: problems of the whole file, under 0)."""
        found = {}
        for problem in self.problems:
            found.setdefault(problem.row or 0, []).append(problem)
        return found

    @property
    def good_rows(self) -> list[int]:
        """The rows that can be written now (those without problems)."""
        return [outcome.row for outcome in self.outcomes]

    @property
    def skipped_count(self):
        return len([row for row in self.problem_rows if row])

    @property
    def writable(self):
        """Something can be written: some rows have no problem, and the file as a whole has none."""
        return bool(self.outcomes) and 0 not in self.problem_rows

    @property
    def new_organisation_list(self):
        return [{"name": org.name, "country": country_name(org.country.code) or org.country.code,
                 "sector": str(Sector(org.sector).label)} for org in self.new_organisations]

    def table(self, rows=None):
        """Every row (or those numbered in ``rows``) in file order, as it will be
        written or, for a row with problems, as read, with its problems and the
        cells that were repaired."""
        columns = _display_fields(self.kind)
        outcomes = {outcome.row: outcome for outcome in self.outcomes}
        problems = self.problem_rows
        if rows is not None:
            wanted = set(rows)
            selected = [(number, values) for number, values in self.parsed.rows if number in wanted]
        else:
            selected = self.parsed.rows
        lines = []
        for number, values in selected:
            repairs = [
                _("“%(before)s” read as “%(after)s”") % {"before": before, "after": values.get(name, "")}
                for name, before in self.parsed.repairs.get(str(number), {}).items()]
            if number in outcomes:
                plan = self.row_plan(outcomes[number])
                fields, action, label, note = plan.fields, plan.action, plan.action_label, plan.note
            else:
                fields = self.problem_cells(values) if self.problem_cells else values
                action, label, note = "problem", pgettext("import row", "not imported"), ""
            lines.append({
                "row": number, "action": action, "action_label": label, "note": note, "repairs": repairs,
                "problems": problems.get(number, []),
                "cells": [(label_, _display_value(key, fields.get(key, ""))) for key, label_ in columns],
            })
        return lines

    def count(self, action):
        return sum(1 for outcome in self.outcomes if outcome.action == action)

    @property
    def counts(self):
        return {CREATE: self.count(CREATE), UPDATE: self.count(UPDATE), SKIP: self.count(SKIP)}

    @property
    def column_map(self):
        """[(column name in the file, what it was read as)]."""
        return [(header, field_label(name)) for name, header in self.parsed.columns.items()]

    @property
    def sample_headers(self):
        return [label for _key, label in _display_fields(self.kind)]

    def sample(self, size=SAMPLE_SIZE):
        """The first rows as they would be written, for the preview page."""
        columns = _display_fields(self.kind)
        return [
            {"row": plan.row, "action": plan.action, "action_label": plan.action_label, "note": plan.note,
             "cells": [(label, _display_value(key, plan.fields.get(key, ""))) for key, label in columns]}
            for plan in (self.row_plan(outcome) for outcome in self.outcomes[:size])
        ]

    def text_lines(self):
        """The preview as plain text lines (the CLI's --dry-run)."""
        counts = self.counts
        lines = [
            _("Read %(rows)s rows from %(file)s (%(how)s).") % {
                "rows": self.rows_total, "file": self.parsed.filename or "-", "how": self.parsed.read_as},
            _("To create: %(create)s, to update: %(update)s, unchanged (skipped): %(skip)s.") % counts,
        ]
        lines.extend(_extra_lines(self.people, self.memberships, len(self.new_organisations)))
        if self.parsed.ignored:
            lines.append(_("Ignored columns: %(columns)s") % {"columns": ", ".join(self.parsed.ignored)})
        if self.problems:
            lines.append(ngettext("%(count)s problem:", "%(count)s problems:", len(self.problems))
                         % {"count": len(self.problems)})
            lines.extend(f"  {problem}" for problem in self.problems)
        for plan in self.plans:
            values = " ".join(f'{key}="{value}"' for key, value in plan.fields.items() if value not in ("", None))
            line = _("Row %(row)s: %(action)s %(fields)s") % {
                "row": plan.row, "action": plan.action, "fields": values}
            if plan.note:
                line = _("%(line)s (%(note)s)") % {"line": line, "note": plan.note}
            lines.append(line)
        return lines


def _extra_lines(people, memberships, organisations=0):
    lines = []
    if organisations:
        lines.append(ngettext("Also adds %(count)s new organisation.", "Also adds %(count)s new organisations.",
                              organisations) % {"count": organisations})
    if people:
        lines.append(ngettext("Also adds %(count)s new person.", "Also adds %(count)s new people.", people)
                     % {"count": people})
    if memberships:
        lines.append(ngettext("Also adds %(count)s membership of an organisation.",
                              "Also adds %(count)s memberships of organisations.", memberships)
                     % {"count": memberships})
    return lines


class ImportProblems(ServiceError):
    """The file (or the database, since the preview) has problems: nothing was written."""

    def __init__(self, preview):
        count = len(preview.problems)
        super().__init__(
            ngettext("%(count)s problem found; nothing was imported.",
                     "%(count)s problems found; nothing was imported.", count) % {"count": count},
            field="file", code="problems",
        )
        self.preview = preview


def _display_fields(kind):
    if kind == "organisations":
        return [("name", _("Name")), ("country", _("Country")), ("sector", _("Sector")), ("website", _("Website"))]
    if kind == "people":
        return [("display_name", _("Name")), ("full_name", _("Full name")), ("email", _("Email")),
                ("languages", _("Languages")), ("organisation", _("Organisation"))]
    return [("email", _("Email")), ("display_name", _("Name")), ("gathering", _("Gathering")), ("role", _("Role")),
            ("organisation", _("Organisation"))]


def _display_value(key, value):
    if not value:
        return ""
    if key == "country":
        return country_name(value) or value
    if key == "sector" and value in Sector.values:  # else a row with problems, shown as read
        return str(Sector(value).label)
    if key == "role" and value in Registration.Role.values:
        return str(Registration.Role(value).label)
    return value


# --- entry points ----------------------------------------------------------------------


def _require(user):
    if user is None or not user.has_perm("imports.run"):
        raise PermissionDenied(_("Only coordinators can import spreadsheets."))


def _own_batch(user, batch):
    _require(user)
    if batch.created_by_id != user.pk:
        raise NotFound()


def _resolve_gathering(gathering):
    if gathering is None or gathering == "" or isinstance(gathering, Gathering):
        return gathering or None
    found = Gathering.objects.filter(slug=str(gathering).strip().lower()).first()
    if found is None:
        raise ServiceError(_("Unknown gathering “%(value)s”.") % {"value": gathering}, field="gathering")
    return found


def _parsed(kind, data, filename="", sheet=""):
    if isinstance(data, ParsedFile):
        if data.kind != kind:
            raise ServiceError(_("Choose what the file contains."), field="kind")
        return data
    return parse_upload(data, kind, filename=filename, sheet=sheet)


def _with_rows(parsed, numbers) -> ParsedFile:
    """The same file with only the rows numbered in ``numbers``."""
    numbers = set(numbers)
    return ParsedFile(**{**parsed.__dict__, "rows": [(n, values) for n, values in parsed.rows if n in numbers]})


def preview_import(user, kind, data, gathering=None, *, filename="") -> Preview:
    """Check every row against the database and say what an import would do. Writes nothing.

    ``data``: a ``ParsedFile``, the file's bytes or a file object. ``gathering``:
    a ``Gathering`` or its slug, used for registration rows that name none."""
    _require(user)
    parsed = _parsed(kind, data, filename)
    return _preview(user, parsed, _resolve_gathering(gathering))


def stage_import(user, kind, data, gathering=None, *, filename="", sheet="") -> tuple[Preview, ImportBatch | None]:
    """Preview, and when some rows can be written keep the file's rows for
    ``confirm_import`` (which writes those, and keeps the others, with their
    problems, to download). A file none of whose rows can be written is not kept."""
    _require(user)
    raw = None
    if not isinstance(data, ParsedFile):
        raw = data if isinstance(data, (bytes, bytearray)) else None
        if raw is None:  # read once, here, to keep a workbook's bytes for choose_sheet
            raw = read_limited(data)
    parsed = _parsed(kind, raw if raw is not None else data, filename, sheet)
    preview = _preview(user, parsed, _resolve_gathering(gathering))
    purge_expired_batches()
    if not preview.writable:
        return preview, None
    batch = ImportBatch.objects.create(
        kind=kind, gathering=preview.gathering, created_by=user, data=_staged_data(preview, raw)
    )
    return preview, batch


def _staged_data(preview, raw):
    data = preview.parsed.to_json() | {"good": preview.good_rows, "skipped": _skipped(preview)}
    if raw is not None and len(preview.parsed.sheets) > 1:  # kept (for a day at most) to read another sheet
        data["workbook"] = base64.b64encode(bytes(raw)).decode("ascii")
    return data


def _skipped(preview):
    """The rows with problems, as the file has them (its own column names), each with its problems."""
    columns = list(preview.parsed.columns.items())
    rows = []
    for number, values in preview.parsed.rows:
        problems = preview.problem_rows.get(number)
        if problems:
            rows.append([number, [values.get(name, "") for name, _header in columns],
                         "; ".join(_problem_text(problem) for problem in problems)])
    return {"columns": [header for _name, header in columns], "rows": rows}


def _problem_text(problem):
    if problem.column:
        return _("%(column)s: %(message)s") % {"column": problem.column, "message": problem.message}
    return str(problem.message)


def choose_sheet(user, batch, sheet) -> Preview:
    """Read another sheet of a staged workbook instead (before it is confirmed)."""
    _own_batch(user, batch)
    if batch.is_confirmed:
        raise ServiceError(_("This import has already been done."), code="confirmed")
    if "workbook" not in batch.data:
        raise ServiceError(_("This file has only one sheet."), field="sheet", code="one_sheet")
    raw = base64.b64decode(batch.data["workbook"])
    parsed = parse_upload(raw, batch.kind, filename=batch.data.get("filename", ""), sheet=sheet)
    preview = _preview(user, parsed, batch.gathering)
    data = _staged_data(preview, raw)
    if ImportBatch.objects.filter(pk=batch.pk, confirmed_at__isnull=True).update(data=data) != 1:
        raise ServiceError(_("This import has already been done."), code="confirmed")
    batch.data = data
    return preview


def skipped_rows(user, batch) -> dict:
    """The rows of a staged or confirmed import that were not (or will not be) written, with their
    problems: ``{"columns": [...], "rows": [[row, [cells], problems], ...]}``."""
    _own_batch(user, batch)
    return (batch.data or {}).get("skipped") or {"columns": [], "rows": []}


def batch_preview(user, batch) -> Preview:
    """The preview of a staged batch, checked again against the database as it is now."""
    _own_batch(user, batch)
    if batch.is_confirmed:
        raise ServiceError(_("This import has already been done."), code="confirmed")
    return _preview(user, ParsedFile.from_json(batch.data), batch.gathering)


def confirm_import(user, batch) -> ImportResult:
    """Write a staged batch, all or nothing. A second call does nothing and
    returns the first call's result. Raises ``ImportProblems`` (and writes
    nothing) if the database changed so that some row no longer fits."""
    _own_batch(user, batch)
    parsed = ParsedFile.from_json(batch.data) if batch.data else None
    if parsed is not None and "good" in batch.data:
        parsed = _with_rows(parsed, batch.data["good"])
    try:
        with transaction.atomic():
            claimed = ImportBatch.objects.filter(pk=batch.pk, confirmed_at__isnull=True).update(
                confirmed_at=timezone.now()
            )
            if not claimed:  # confirmed before (double click, retry): nothing more to do
                batch.refresh_from_db()
                return ImportResult.from_json(batch.result, batch.kind)
            _preview_unused, result = _write(user, parsed, batch.gathering)
            skipped = batch.data.get("skipped") or {"rows": []}
            result.not_imported = len(skipped["rows"])
            # The rows written are personal data no longer needed: keep only the counts, and the rows
            # left out for the organiser to download and correct (until the batch expires).
            ImportBatch.objects.filter(pk=batch.pk).update(
                data={"skipped": skipped} if skipped["rows"] else {}, result=result.to_json())
            audit.record(user, "import.confirmed", gathering=batch.gathering_id, target=batch, note=batch.kind)
    except _Refused:
        raise _problems(user, parsed, batch.gathering) from None
    batch.refresh_from_db()
    return result


def discard_import(user, batch) -> bool:
    """Forget a staged batch now rather than in a day."""
    _own_batch(user, batch)
    deleted, _detail = ImportBatch.objects.filter(pk=batch.pk, confirmed_at__isnull=True).delete()
    return bool(deleted)


def run_import(user, kind, data, gathering=None, *, dry_run=False, filename="",
               sheet="") -> tuple[Preview, ImportResult | None]:
    """Check and write in one go (the CLI). With ``dry_run`` only the preview.
    Raises ``ImportProblems`` when any row has a problem; nothing is written."""
    _require(user)
    parsed = _parsed(kind, data, filename, sheet)
    gathering = _resolve_gathering(gathering)
    if dry_run:
        return _preview(user, parsed, gathering), None
    try:
        with transaction.atomic():
            written = _write(user, parsed, gathering)
            audit.record(user, "import.confirmed", gathering=gathering, note=kind)
            return written
    except _Refused:
        raise _problems(user, parsed, gathering) from None


def purge_expired_batches(now=None, *, dry_run=False) -> int:
    """Delete staged imports older than ``RETENTION_IMPORT_HOURS`` (a day by default), confirmed or not
    (they hold personal data). ``dry_run``: only count them."""
    cutoff = (now or timezone.now()) - dt.timedelta(hours=settings.RETENTION_IMPORT_HOURS)
    if dry_run:
        return ImportBatch.objects.filter(created_at__lt=cutoff).count()
    deleted, _detail = ImportBatch.objects.filter(created_at__lt=cutoff).delete()
    return deleted


def _concurrent_change():
    return ServiceError(
        _("Someone changed the same records while the import ran. Nothing was imported; please try again."),
        code="conflict",
    )


# --- preview and write: the file's rows through the owning apps' services --------------


class _Refused(Exception):
    """A row did not fit when writing: the transaction is rolled back, then the
    whole preview is made again to list every problem (``_problems``)."""


def _reader(parsed, gathering):
    return {"organisations": _OrganisationsFile, "people": _PeopleFile,
            "registrations": _RegistrationsFile}[parsed.kind](parsed, gathering)


def _preview(user, parsed, gathering) -> Preview:
    """Read the file and ask the services what they would do. Writes nothing."""
    return _reader(parsed, gathering).plan(user)


def _write(user, parsed, gathering) -> tuple[Preview, ImportResult]:
    """Read the file and have the services write it (inside the caller's
    transaction). Raises ``_Refused`` when anything does not fit."""
    reader = _reader(parsed, gathering)
    if reader.rows.problems:
        raise _Refused()
    try:
        return reader.write(user)
    except RowProblems:
        raise _Refused() from None
    except ServiceError as exc:
        if exc.code == "conflict":  # a service lost a race with another writer
            raise _concurrent_change() from exc
        raise


def _problems(user, parsed, gathering) -> ServiceError:
    """The error for a refused write, after the rollback: every problem of the
    file as the database is now."""
    preview = _preview(user, parsed, gathering)
    if preview.problems:
        return ImportProblems(preview)
    return _concurrent_change()  # it fitted a moment ago and fits again: someone wrote meanwhile


# --- reading cells ------------------------------------------------------------------------


class _Rows:
    """Collects the problems of one file, worded with its own column names."""

    def __init__(self, parsed):
        self.parsed = parsed
        self.new_organisations: dict[tuple[str, str], Organisation] = {}  # (name key, country) -> stand-in
        self.naming: dict[int, list[int]] = {}  # id(stand-in) -> the rows that name it
        self.problems: list[Problem] = []
        self.flagged: set[tuple[int, str | None]] = set()  # (row, column) already reported
        self.rows_with_problems: set[int] = set()

    def column(self, field_name):
        if field_name == "display_name":  # built from whichever name columns the file has
            field_name = _first_name_field(self.parsed) or "email"
        elif field_name in ("organisations", "person"):
            field_name = {"organisations": "organisation", "person": "email"}[field_name]
        return self.parsed.columns.get(field_name)

    def problem(self, row, field_name, message):
        column = self.column(field_name)
        self.flagged.add((row, column))
        self.rows_with_problems.add(row)
        self.problems.append(Problem(row, column, message))

    def service_problems(self, problems):
        """The problems a service found (anything with ``row``, ``field`` and
        ``message``: ``RowProblem``, ``_RowError``), except on cells already reported."""
        for problem in problems:
            if (problem.row, self.column(problem.field)) not in self.flagged:
                self.problem(problem.row, problem.field, problem.message)

    def cell_problems(self, row, cleaner, values):
        """A row that cannot go to a service (a cell could not be read): its
        other cells checked by the service's own cleaning function."""
        _clean, errors = cleaner({name: value for name, value in values.items() if value})
        self.service_problems(_RowError(row, error) for error in errors)

    def has_problem(self, row):
        return row in self.rows_with_problems

    def new_organisation(self, row, name, country):
        """The stand-in (an unsaved ``Organisation`` with a negative pk, so that
        the services' plans tell it from any other) of an organisation the
        registry does not hold yet, one per name and country, to be created
        with sector "other" before the rows that name it are written."""
        key = (_match_key(name), country)
        organisation = self.new_organisations.get(key)
        if organisation is None:
            organisation = Organisation(name=name, name_key=key[0], country=country, sector=Sector.OTHER)
            organisation.pk = -1 - len(self.new_organisations)
            self.new_organisations[key] = organisation
        self.naming.setdefault(id(organisation), []).append(row)
        return organisation

    def plan_new_organisations(self, user, *, write=False):
        """Ask the registry's bulk service about the organisations to create
        (``write``: create them, and give each stand-in its saved pk). A problem
        with one lands on every row that names it."""
        if not self.new_organisations:
            return []
        stand_ins = list(self.new_organisations.values())
        rows = [{"row": index + 1, "name": org.name, "country": org.country.code, "sector": org.sector}
                for index, org in enumerate(stand_ins)]
        service = network_services.bulk_upsert_organisations if write else network_services.plan_organisations
        plan = service(user, rows)
        for problem in plan.problems:
            for row in self.naming[id(stand_ins[problem.row - 1])]:
                if not self.has_problem(row):
                    self.problem(row, "organisation", problem.message)
        if write:
            for outcome in plan.outcomes:  # created, or recorded meanwhile by someone else
                organisation = stand_ins[outcome.row - 1]
                organisation.pk = outcome.record.pk
                organisation._state.adding = False
        return [org for org in stand_ins if not all(self.has_problem(row) for row in self.naming[id(org)])]

    def sorted_problems(self):
        self.problems.sort(key=lambda p: (p.row or 0))
        return self.problems

    def required(self, row, values, field_name):
        value = values.get(field_name, "")
        if not value:
            self.problem(row, field_name, _("this cell is empty, and it is required"))
        return value

    def email(self, row, values):
        value = self.required(row, values, "email")
        return value.lower().removeprefix("mailto:").strip() if value else ""

    def country(self, row, values, *, required):
        text = values.get("country", "")
        if not text:
            if required:
                self.problem(row, "country", _("this cell is empty, and it is required"))
            return None
        code = _resolve_country(text)
        if code is None:
            self.problem(row, "country", _("unknown country “%(value)s”") % {"value": text})
        return code

    def sector(self, row, values):
        text = values.get("sector", "")
        sector = resolve_sector(text) if text else ""
        if sector is None:
            self.problem(row, "sector", _("unknown sector “%(value)s” (use one of: %(choices)s)") % {
                "value": text, "choices": ", ".join(str(label) for label in Sector.labels)})
        return sector

    def languages(self, row, values):
        """Language codes from names in any of our languages, or None."""
        text = values.get("languages", "")
        if not text:
            return ()
        codes, unknown = _resolve_languages(text)
        if unknown:
            self.problem(row, "languages", _("unknown language “%(value)s”") % {"value": ", ".join(unknown)})
            return None
        return codes

    @functools.cached_property
    def _prenom_nom(self):
        columns = self.parsed.columns
        return "first_name" in columns and "name" in columns and "last_name" not in columns

    def names(self, values):
        """(display name, full name) from whichever name columns the file has.
        "Prénom" + "Nom" (French) and "Nombre" + "Apellido" both work."""
        first, name, last = values.get("first_name", ""), values.get("name", ""), values.get("last_name", "")
        full = values.get("full_name", "")
        if self._prenom_nom:
            given, family = first, name  # Prénom + Nom
        else:
            given, family = first or name, last
        return (f"{given} {family}" if given and family else given or family) or full, full

    def organisation(self, row, values, organisations):
        """The organisation a person or registration row names, if any."""
        name = values.get("organisation", "")
        if not name:
            return None
        country = self.country(row, values, required=False)
        if values.get("country") and country is None:
            return None
        candidates = organisations.get(_match_key(name), [])
        if country:
            candidates = [o for o in candidates if o.country.code == country]
        if len(candidates) == 1:
            return candidates[0]
        if candidates:
            self.problem(row, "organisation", _(
                "several organisations are called “%(value)s”; give its country to say which one"
            ) % {"value": name})
        elif country:
            return self.new_organisation(row, name, country)
        else:
            self.problem(row, "organisation", _(
                "unknown organisation “%(value)s”; import it first with a list of organisations"
            ) % {"value": name})
        return None


@dataclass
class _RowError:
    """A ServiceError of a service's cleaning function, placed on a row."""

    row: int
    error: ServiceError

    @property
    def field(self):
        return self.error.field

    @property
    def message(self):
        return self.error.message


def _first_name_field(parsed):
    return next((f for f in NAME_FIELDS if f in parsed.columns), None)


def _website(values):
    """What people write ("www.example.org") as a web address the registry takes."""
    value = values.get("website", "")
    return value if not value or "://" in value else f"https://{value}"


def _org_label(organisation):
    if not organisation:
        return ""
    label = f"{organisation.name} ({organisation.country.code})"
    if organisation._state.adding:  # a stand-in: created with this import
        return _("%(organisation)s, new") % {"organisation": label}
    return label


def _organisations_named(rows):
    return network_services.organisations_by_name_key(
        {_match_key(values["organisation"]) for _number, values in rows if values.get("organisation")})


class _File:
    """One file's rows: ``plan`` asks the services what they would do (the
    preview), ``write`` has them do it."""

    kind = ""

    def __init__(self, parsed, gathering):
        self.parsed, self.gathering = parsed, gathering
        self.rows = _Rows(parsed)
        self.read()

    def preview(self, plan, **extra):
        """The preview of a service's plan: its outcomes for the rows without problems."""
        outcomes = [outcome for outcome in plan.outcomes if not self.rows.has_problem(outcome.row)]
        return Preview(kind=self.kind, parsed=self.parsed, gathering=self.gathering,
                       problems=self.rows.sorted_problems(), outcomes=outcomes, row_plan=self.row_plan,
                       new_organisations=getattr(self, "organisations_created", []),
                       problem_cells=self.problem_cells, **extra)

    def problem_cells(self, values):
        """A row with problems as read, under the preview's columns."""
        display, full = self.rows.names(values)
        organisation = values.get("organisation", "")
        if organisation and values.get("country"):
            organisation = f"{organisation} ({values['country']})"
        return {**values, "display_name": display, "full_name": full, "organisation": organisation}

    def good(self, rows):
        """The rows (service row dicts) still without problems."""
        return [row for row in rows if not self.rows.has_problem(row["row"])]

    def result(self, plan, **extra):
        return ImportResult(kind=self.kind, created=plan.count(CREATE), updated=plan.count(UPDATE),
                            skipped=plan.count(SKIP), **extra)


class _OrganisationsFile(_File):
    kind = "organisations"

    def read(self):
        self.wanted = []
        for number, values in self.parsed.rows:
            row = {"row": number, "name": self.rows.required(number, values, "name"),
                   "country": self.rows.country(number, values, required=True) or "",
                   "sector": self.rows.sector(number, values) or "", "website": _website(values)}
            if self.rows.has_problem(number):
                self.rows.cell_problems(number, network_services.clean_organisation_values, row)
            else:
                self.wanted.append(row)

    def plan(self, user):
        plan = network_services.plan_organisations(user, self.wanted)
        self.rows.service_problems(plan.problems)
        return self.preview(plan)

    def write(self, user):
        plan = network_services.bulk_upsert_organisations(user, self.wanted)
        return self.preview(plan), self.result(plan)

    @staticmethod
    def row_plan(outcome):
        if outcome.action == CREATE:
            values = outcome.changes
            return RowPlan(outcome.row, CREATE, {name: values.get(name, "") for name in
                                                  ("name", "country", "sector", "website")})
        organisation = outcome.record
        note = ""
        if "sector" in outcome.kept:
            note = _("keeps the sector already recorded (%(sector)s)") % {
                "sector": Sector(outcome.kept["sector"]).label}
        ident = {"name": organisation.name, "country": organisation.country.code}
        if outcome.action == UPDATE:
            return RowPlan(outcome.row, UPDATE, ident | outcome.changes, note or _("fills in: %(fields)s") % {
                "fields": ", ".join(outcome.changes)})
        return RowPlan(outcome.row, SKIP, ident, note or _("already recorded, nothing to add"))


class _PeopleFile(_File):
    kind = "people"

    def read(self):
        self.wanted, self.labels = [], {}
        rows = self.rows
        organisations = _organisations_named(self.parsed.rows) if "organisation" in self.parsed.columns else {}
        for number, values in self.parsed.rows:
            display, full = rows.names(values)
            row = {"row": number, "email": rows.email(number, values), "display_name": display, "full_name": full}
            languages = rows.languages(number, values)
            if languages is not None:
                row["languages"] = languages
            organisation = rows.organisation(number, values, organisations)
            if organisation is not None:
                row["organisations"] = [organisation]
                self.labels[number] = _org_label(organisation)
            if rows.has_problem(number):
                rows.cell_problems(number, network_services.clean_person_values, row)
            else:
                self.wanted.append(row)

    def plan(self, user):
        self.organisations_created = self.rows.plan_new_organisations(user)
        plan = network_services.plan_people(user, self.good(self.wanted))
        self.rows.service_problems(plan.problems)
        return self.preview(plan, memberships=len(plan.memberships))

    def write(self, user):
        self.organisations_created = self.rows.plan_new_organisations(user, write=True)
        if self.rows.problems:
            raise RowProblems(self.rows.problems)
        plan = network_services.bulk_upsert_people(user, self.wanted)
        extra = {"memberships": len(plan.memberships)}
        return self.preview(plan, **extra), self.result(plan, organisations=len(self.organisations_created), **extra)

    def row_plan(self, outcome):
        values, label = outcome.changes, self.labels.get(outcome.row, "")
        if outcome.action == CREATE:
            return RowPlan(outcome.row, CREATE, {
                "display_name": values["display_name"], "full_name": values.get("full_name", ""),
                "email": values["email"], "languages": values.get("languages", ""), "organisation": label})
        person = outcome.record
        ident = {"display_name": person.display_name, "email": person.email}
        if outcome.action == SKIP:
            return RowPlan(outcome.row, SKIP, ident, _("already recorded, nothing to add"))
        filled = [name for name in values if name != "organisations"]
        changes = {name: values[name] for name in filled}
        if "organisations" in values:
            filled.append("organisation")
            changes["organisation"] = label
        return RowPlan(outcome.row, UPDATE, ident | changes, _("fills in: %(fields)s") % {"fields": ", ".join(filled)})


class _RegistrationsFile(_File):
    kind = "registrations"

    def read(self):
        parsed, rows = self.parsed, self.rows
        if self.gathering is None and "gathering" not in parsed.columns:
            raise ServiceError(
                _("Choose the gathering these registrations are for, or add a column with its short name."),
                field="gathering", code="no_gathering",
            )
        default_slug = self.gathering.slug if self.gathering else ""
        readable = []
        for number, values in parsed.rows:
            slug = (values.get("gathering", "") or default_slug).lower()
            if not slug:
                rows.problem(number, "gathering", _("this cell is empty; say which gathering, or choose one for "
                                                    "the whole file"))
            role_text = rows.required(number, values, "role")
            role = resolve_role(role_text) if role_text else None
            if role_text and role is None:
                rows.problem(number, "role", _("unknown role “%(value)s” (use one of: %(choices)s)") % {
                    "value": role_text, "choices": ", ".join(str(label) for label in Registration.Role.labels)})
            display, full = rows.names(values)
            person = {"row": number, "email": rows.email(number, values), "display_name": display, "full_name": full}
            languages = rows.languages(number, values)
            if languages is not None:
                person["languages"] = languages
            readable.append((number, values, slug, role, person))

        slugs = {slug for _n, _v, slug, *_rest in readable if slug}
        gatherings = {g.slug: g for chunk in chunks(slugs) for g in Gathering.objects.filter(slug__in=chunk)}
        organisations = _organisations_named(parsed.rows) if "organisation" in parsed.columns else {}
        self.people, self.registrations, self.labels, self.registration_people = [], [], {}, []
        first_row = {}  # email -> the row that describes the person
        for number, values, slug, role, person in readable:
            target = gatherings.get(slug)
            if slug and target is None:
                rows.problem(number, "gathering", _("unknown gathering “%(value)s”") % {"value": slug})
            else:
                organisation = rows.organisation(number, values, organisations)
                self.labels[number] = _org_label(organisation)
            if rows.has_problem(number):
                rows.cell_problems(number, network_services.clean_person_values, person)
                continue
            email = person["email"]
            self.registration_people.append(person)
            if email not in first_row:
                first_row[email] = number
                self.people.append(person)
            self.registrations.append({"row": number, "email": email, "gathering": target, "role": role,
                                       "organisation": organisation})

    def _registration_rows(self, people_plan):
        """The registration rows, each with its person (saved, or about to be created)."""
        emails = {row["row"]: row["email"] for row in self.people}
        people = {emails[outcome.row]: outcome.record for outcome in people_plan.outcomes}
        self.by_row = {row["row"]: row | {"person": people[row["email"]]}
                       for row in self.registrations if row["email"] in people}
        return list(self.by_row.values())

    def plan(self, user):
        self.organisations_created = self.rows.plan_new_organisations(user)
        self.registrations = self.good(self.registrations)
        self.people = self._people()
        people = network_services.plan_people(user, self.people, fill_empty=False)
        self.rows.service_problems(people.problems)
        plan = gatherings_services.plan_registrations(user, self.gathering, self._registration_rows(people))
        self.rows.service_problems(plan.problems)
        self.created = {id(outcome.record) for outcome in people.outcomes if outcome.action == CREATE}
        return self.preview(plan, memberships=len(plan.memberships), people=people.count(CREATE))

    def write(self, user):
        self.organisations_created = self.rows.plan_new_organisations(user, write=True)
        if self.rows.problems:
            raise RowProblems(self.rows.problems)
        people = network_services.bulk_upsert_people(user, self.people, fill_empty=False)
        plan = gatherings_services.bulk_register(user, self.gathering, self._registration_rows(people))
        self.created = {id(outcome.record) for outcome in people.outcomes if outcome.action == CREATE}
        extra = {"memberships": len(plan.memberships), "people": people.count(CREATE)}
        return self.preview(plan, **extra), self.result(plan, organisations=len(self.organisations_created), **extra)

    def _people(self):
        """Each person once, described by the first of their rows still without problems."""
        emails = {row["email"] for row in self.registrations}
        people, seen = [], set()
        for row in self.registration_people:
            if row["email"] in emails and row["email"] not in seen:
                seen.add(row["email"])
                people.append(row)
        return people

    def row_plan(self, outcome):
        row = self.by_row[outcome.row]  # the preview shows the row as the file has it
        person = row["person"]
        fields = {"email": row["email"], "display_name": person.display_name, "gathering": row["gathering"].slug,
                  "role": row["role"], "organisation": self.labels.get(outcome.row, "")}
        if outcome.action == CREATE:
            return RowPlan(outcome.row, CREATE, fields, _("also adds this person") if id(person) in self.created
                           else "")
        if outcome.action == UPDATE:
            return RowPlan(outcome.row, UPDATE, fields, _("changes the role or organisation"))
        if outcome.reason == "decided":
            return RowPlan(outcome.row, SKIP, fields, _(
                "already %(status)s: not changed; change it on the registration page") % {
                "status": Registration.Status(outcome.record.status).label.lower()})
        return RowPlan(outcome.row, SKIP, fields, _("already registered"))
