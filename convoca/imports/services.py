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

Any problem in any row refuses the whole import: nothing is written until the
file is clean. Reads are one query per kind of record per chunk of keys (never
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

import datetime as dt
import functools
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from convoca.audit import services as audit
from convoca.core.bulk import CREATE, SKIP, UPDATE, RowOutcome, RowProblems, chunks
from convoca.core.errors import NotFound, PermissionDenied, ServiceError
from convoca.gatherings import services as gatherings_services
from convoca.gatherings.models import Gathering, Registration
from convoca.network import services as network_services
from convoca.network.models import Sector, match_key
from convoca.network.queries import country_name, resolve_country

from .models import ImportBatch
from .parsing import KINDS, ParsedFile, parse_upload
from .vocab import NAME_FIELDS, field_label, resolve_languages, resolve_role, resolve_sector

__all__ = [
    "KINDS", "ImportProblems", "ImportResult", "Preview", "Problem", "RowPlan", "batch_preview", "confirm_import",
    "discard_import", "parse_upload", "preview_import", "purge_expired_batches", "run_import", "stage_import",
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
                *_extra_lines(self.people, self.memberships)]


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
            _("Read %(rows)s rows from %(file)s (%(encoding)s, separated by %(delimiter)s).") % {
                "rows": self.rows_total, "file": self.parsed.filename or "-", "encoding": self.parsed.encoding_label,
                "delimiter": self.parsed.delimiter_label},
            _("To create: %(create)s, to update: %(update)s, unchanged (skipped): %(skip)s.") % counts,
        ]
        lines.extend(_extra_lines(self.people, self.memberships))
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


def _extra_lines(people, memberships):
    lines = []
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
    if key == "sector":
        return str(Sector(value).label)
    if key == "role":
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


def _parsed(kind, data, filename=""):
    if isinstance(data, ParsedFile):
        if data.kind != kind:
            raise ServiceError(_("Choose what the file contains."), field="kind")
        return data
    return parse_upload(data, kind, filename=filename)


def preview_import(user, kind, data, gathering=None, *, filename="") -> Preview:
    """Check every row against the database and say what an import would do. Writes nothing.

    ``data``: a ``ParsedFile``, the file's bytes or a file object. ``gathering``:
    a ``Gathering`` or its slug, used for registration rows that name none."""
    _require(user)
    parsed = _parsed(kind, data, filename)
    return _preview(user, parsed, _resolve_gathering(gathering))


def stage_import(user, kind, data, gathering=None, *, filename="") -> tuple[Preview, ImportBatch | None]:
    """Preview, and when the file is clean keep its rows for ``confirm_import``."""
    preview = preview_import(user, kind, data, gathering, filename=filename)
    purge_expired_batches()
    if not preview.ok:
        return preview, None
    batch = ImportBatch.objects.create(
        kind=kind, gathering=preview.gathering, created_by=user, data=preview.parsed.to_json()
    )
    return preview, batch


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
    try:
        with transaction.atomic():
            claimed = ImportBatch.objects.filter(pk=batch.pk, confirmed_at__isnull=True).update(
                confirmed_at=timezone.now()
            )
            if not claimed:  # confirmed before (double click, retry): nothing more to do
                batch.refresh_from_db()
                return ImportResult.from_json(batch.result, batch.kind)
            _preview_unused, result = _write(user, parsed, batch.gathering)
            # The rows are personal data no longer needed: keep only the counts.
            ImportBatch.objects.filter(pk=batch.pk).update(data={}, result=result.to_json())
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


def run_import(user, kind, data, gathering=None, *, dry_run=False, filename="") -> tuple[Preview, ImportResult | None]:
    """Check and write in one go (the CLI). With ``dry_run`` only the preview.
    Raises ``ImportProblems`` when any row has a problem; nothing is written."""
    _require(user)
    parsed = _parsed(kind, data, filename)
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
            self.problem(row, "organisation", _(
                "unknown organisation “%(value)s” in %(country)s; import it first with a list of organisations"
            ) % {"value": name, "country": country_name(country)})
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
    return f"{organisation.name} ({organisation.country.code})" if organisation else ""


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
                       problems=self.rows.sorted_problems(), outcomes=outcomes, row_plan=self.row_plan, **extra)

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
        plan = network_services.plan_people(user, self.wanted)
        self.rows.service_problems(plan.problems)
        return self.preview(plan, memberships=len(plan.memberships))

    def write(self, user):
        plan = network_services.bulk_upsert_people(user, self.wanted)
        return self.preview(plan, memberships=len(plan.memberships)), self.result(plan, memberships=len(plan.memberships))

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
        self.people, self.registrations, self.labels = [], [], {}
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
        people = network_services.plan_people(user, self.people, fill_empty=False)
        self.rows.service_problems(people.problems)
        plan = gatherings_services.plan_registrations(user, self.gathering, self._registration_rows(people))
        self.rows.service_problems(plan.problems)
        self.created = {id(outcome.record) for outcome in people.outcomes if outcome.action == CREATE}
        return self.preview(plan, memberships=len(plan.memberships), people=people.count(CREATE))

    def write(self, user):
        people = network_services.bulk_upsert_people(user, self.people, fill_empty=False)
        plan = gatherings_services.bulk_register(user, self.gathering, self._registration_rows(people))
        self.created = {id(outcome.record) for outcome in people.outcomes if outcome.action == CREATE}
        extra = {"memberships": len(plan.memberships), "people": people.count(CREATE)}
        return self.preview(plan, **extra), self.result(plan, **extra)

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
