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
"""

import datetime as dt
import functools
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email
from django.db import IntegrityError, connection, transaction
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from convoca.core.errors import NotFound, PermissionDenied, ServiceError
from convoca.gatherings.models import Gathering, Registration
from convoca.network.models import Membership, Organisation, Person, Sector, match_key
from convoca.network.queries import country_name, resolve_country
from convoca.network.services import (
    DISPLAY_NAME_MAX,
    EMAIL_MAX,
    FULL_NAME_MAX,
    LANGUAGES_MAX,
    NAME_MAX,
    WEBSITE_MAX,
)

from .models import ImportBatch
from .parsing import KINDS, ParsedFile, parse_upload
from .vocab import NAME_FIELDS, field_label, resolve_languages, resolve_role, resolve_sector

__all__ = [
    "KINDS", "ImportProblems", "ImportResult", "Preview", "Problem", "RowPlan", "batch_preview", "confirm_import",
    "discard_import", "parse_upload", "preview_import", "purge_expired_batches", "run_import", "stage_import",
]

CREATE, UPDATE, SKIP = "create", "update", "skip"
BATCH_RETENTION = dt.timedelta(days=1)
SAMPLE_SIZE = 20

# Names, countries and languages repeat a lot in a big file: remember the answers.
_match_key = functools.lru_cache(maxsize=65536)(match_key)
_resolve_country = functools.lru_cache(maxsize=4096)(resolve_country)
_resolve_languages = functools.lru_cache(maxsize=4096)(resolve_languages)
_url_validator = URLValidator(schemes=["http", "https"])


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
    plans: list[RowPlan]
    problems: list[Problem]
    memberships: int = 0
    people: int = 0
    _ops: "_Operations | None" = field(default=None, repr=False)

    @property
    def ok(self):
        return not self.problems

    @property
    def rows_total(self):
        return len(self.parsed.rows)

    def count(self, action):
        return sum(1 for plan in self.plans if plan.action == action)

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
            for plan in self.plans[:size]
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
    return _plan(parsed, _resolve_gathering(gathering))


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
    return _plan(ParsedFile.from_json(batch.data), batch.gathering)


def confirm_import(user, batch) -> ImportResult:
    """Write a staged batch, all or nothing. A second call does nothing and
    returns the first call's result. Raises ``ImportProblems`` (and writes
    nothing) if the database changed so that some row no longer fits."""
    _own_batch(user, batch)
    try:
        with transaction.atomic():
            claimed = ImportBatch.objects.filter(pk=batch.pk, confirmed_at__isnull=True).update(
                confirmed_at=timezone.now()
            )
            if not claimed:  # confirmed before (double click, retry): nothing more to do
                batch.refresh_from_db()
                return ImportResult.from_json(batch.result, batch.kind)
            preview = _plan(ParsedFile.from_json(batch.data), batch.gathering)
            if not preview.ok:
                raise ImportProblems(preview)
            result = preview._ops.write(preview)
            # The rows are personal data no longer needed: keep only the counts.
            ImportBatch.objects.filter(pk=batch.pk).update(data={}, result=result.to_json())
    except IntegrityError as exc:
        raise _concurrent_change() from exc
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
        return _plan(parsed, gathering), None
    try:
        with transaction.atomic():
            preview = _plan(parsed, gathering)
            if not preview.ok:
                raise ImportProblems(preview)
            result = preview._ops.write(preview)
    except IntegrityError as exc:
        raise _concurrent_change() from exc
    return preview, result


def purge_expired_batches(now=None) -> int:
    """Delete staged imports older than a day, confirmed or not (they hold personal data)."""
    cutoff = (now or timezone.now()) - BATCH_RETENTION
    deleted, _detail = ImportBatch.objects.filter(created_at__lt=cutoff).delete()
    return deleted


def _concurrent_change():
    return ServiceError(
        _("Someone changed the same records while the import ran. Nothing was imported; please try again."),
        code="conflict",
    )


# --- reading the database: one query per chunk of keys, never one per row --------------


def _chunk_size():
    limit = connection.features.max_query_params or 5000
    return max(1, min(limit - 50, 5000))


def _chunks(values, reserve=0):
    """Lists of at most as many values as the database takes in one query
    (SQLite: 999 parameters), minus ``reserve`` used by the rest of the query."""
    values = list(values)
    size = max(1, _chunk_size() - reserve)
    for start in range(0, len(values), size):
        yield values[start:start + size]


def _people_by_email(emails):
    found = {}
    for chunk in _chunks(emails):
        queryset = (
            Person.objects.annotate(email_lower=Lower("email"))
            .filter(email_lower__in=chunk)
            .exclude(email="")  # the condition of the unique index on lower(email): lets the database use it
            .only("id", "display_name", "full_name", "email", "languages")
            .order_by()
        )
        for person in queryset:
            found[person.email_lower] = person
    return found


def _organisations_by_key(keys, *, full=False):
    found = {}
    for chunk in _chunks(keys):
        queryset = Organisation.objects.filter(name_key__in=chunk).order_by()
        queryset = queryset.only("id", "name", "name_key", "country", "sector", "website") if full else \
            queryset.only("id", "name", "name_key", "country")
        for organisation in queryset:
            found.setdefault(organisation.name_key, []).append(organisation)
    return found


def _memberships_of(person_ids):
    found = set()
    for chunk in _chunks(person_ids):
        pairs = Membership.objects.filter(person_id__in=chunk).order_by().values_list("person_id", "organisation_id")
        found.update(pairs)
    return found


def _registrations_of(person_ids, gathering_ids):
    found = {}
    if not gathering_ids:
        return found
    for chunk in _chunks(person_ids, reserve=len(gathering_ids)):
        queryset = Registration.objects.filter(person_id__in=chunk, gathering_id__in=gathering_ids).only(
            "id", "gathering_id", "person_id", "role", "organisation_id", "status", "mandate"
        ).order_by()
        for registration in queryset:
            found[(registration.gathering_id, registration.person_id)] = registration
    return found


# --- checking rows -----------------------------------------------------------------------


class _Rows:
    """Collects the problems of one file, worded with its own column names."""

    def __init__(self, parsed):
        self.parsed = parsed
        self.problems: list[Problem] = []

    def column(self, field_name):
        return self.parsed.columns.get(field_name)

    def problem(self, row, field_name, message):
        self.problems.append(Problem(row, self.column(field_name) if field_name else None, message))

    def required(self, row, values, field_name):
        value = values.get(field_name, "")
        if not value:
            self.problem(row, field_name, _("this cell is empty, and it is required"))
        return value

    def max_length(self, row, field_name, value, limit):
        if len(value) > limit:
            self.problem(row, field_name, _("too long: at most %(max)s characters") % {"max": limit})
            return False
        return True

    def email(self, row, values):
        value = self.required(row, values, "email")
        if not value:
            return None
        value = value.lower().removeprefix("mailto:").strip()
        if not self.max_length(row, "email", value, EMAIL_MAX):
            return None
        try:
            validate_email(value)
        except ValidationError:
            self.problem(row, "email", _("invalid email address “%(value)s”") % {"value": values["email"]})
            return None
        return value

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

    def languages(self, row, values):
        text = values.get("languages", "")
        if not text:
            return ""
        codes, unknown = _resolve_languages(text)
        if unknown:
            self.problem(row, "languages", _("unknown language “%(value)s”") % {"value": ", ".join(unknown)})
            return None
        joined = ", ".join(codes)
        if not self.max_length(row, "languages", joined, LANGUAGES_MAX):
            return None
        return joined

    def names(self, row, values):
        """(display name, full name) from whichever name columns the file has.
        "Prénom" + "Nom" (French) and "Nombre" + "Apellido" both work."""
        columns = self.parsed.columns
        first, name, last = values.get("first_name", ""), values.get("name", ""), values.get("last_name", "")
        full = values.get("full_name", "")
        if "first_name" in columns and "name" in columns and "last_name" not in columns:
            given, family = first, name  # Prénom + Nom
        else:
            given, family = first or name, last
        display = " ".join(part for part in (given, family) if part) or full
        ok = self.max_length(row, _first_name_field(self.parsed), display, DISPLAY_NAME_MAX)
        ok = self.max_length(row, "full_name", full, FULL_NAME_MAX) and ok
        return (display, full) if ok else (None, None)

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


class _NewPerson:
    """A person to create. The model instance is only built when writing, so a
    preview of 10,000 rows does not pay for 10,000 Django models; ``pk`` is set
    once created, for the memberships and registrations that point to it."""

    __slots__ = ("fields", "pk")

    def __init__(self, **fields):
        self.fields = fields
        self.pk = None

    @property
    def display_name(self):
        return self.fields["display_name"]


def _org_label(organisation):
    return f"{organisation.name} ({organisation.country.code})"


@dataclass
class _Operations:
    """Everything one import will write, applied in bulk by ``write``."""

    org_creates: list = field(default_factory=list)
    org_updates: list = field(default_factory=list)
    org_fields: set = field(default_factory=set)
    person_creates: list = field(default_factory=list)
    person_updates: list = field(default_factory=list)
    person_fields: set = field(default_factory=set)
    memberships: list = field(default_factory=list)  # (Person, organisation id)
    registration_creates: list = field(default_factory=list)  # (gathering id, Person, role, organisation id)
    registration_updates: list = field(default_factory=list)
    registration_fields: set = field(default_factory=set)

    def write(self, preview) -> ImportResult:
        if self.org_creates:
            Organisation.objects.bulk_create([Organisation(**fields) for fields in self.org_creates])
        if self.org_updates:
            Organisation.objects.bulk_update(self.org_updates, sorted(self.org_fields))
        if self.person_creates:
            created = Person.objects.bulk_create([Person(**new.fields) for new in self.person_creates])
            for new, person in zip(self.person_creates, created, strict=True):
                new.pk = person.pk
        if self.person_updates:
            Person.objects.bulk_update(self.person_updates, sorted(self.person_fields))
        if self.memberships:
            Membership.objects.bulk_create(
                [Membership(person_id=person.pk, organisation_id=org_id) for person, org_id in self.memberships]
            )
        if self.registration_creates:
            Registration.objects.bulk_create([
                Registration(
                    gathering_id=gathering_id, person_id=person.pk, role=role, organisation_id=org_id,
                    mandate=_mandate_for(role), status=Registration.Status.REQUESTED,
                )
                for gathering_id, person, role, org_id in self.registration_creates
            ])
        if self.registration_updates:
            Registration.objects.bulk_update(self.registration_updates, sorted(self.registration_fields))
        return ImportResult(
            kind=preview.kind, created=preview.count(CREATE), updated=preview.count(UPDATE),
            skipped=preview.count(SKIP), memberships=len(self.memberships), people=preview.people,
        )


def _mandate_for(role):
    """Delegates wait for their organisation to confirm the mandate; others need none."""
    return Registration.Mandate.PENDING if role == Registration.Role.DELEGATE else Registration.Mandate.NOT_REQUIRED


def _plan(parsed: ParsedFile, gathering) -> Preview:
    planner = {"organisations": _plan_organisations, "people": _plan_people,
               "registrations": _plan_registrations}[parsed.kind]
    return planner(parsed, gathering)


def _finish(parsed, gathering, rows, plans, ops, **extra):
    rows.problems.sort(key=lambda p: (p.row or 0))
    return Preview(kind=parsed.kind, parsed=parsed, gathering=gathering, plans=plans, problems=rows.problems,
                   _ops=ops, **extra)


def _website(rows, row, values):
    value = values.get("website", "")
    if not value:
        return ""
    url = value if "://" in value else f"https://{value}"
    try:
        _url_validator(url)
    except ValidationError:
        rows.problem(row, "website", _("invalid web address “%(value)s”") % {"value": value})
        return None
    return url if rows.max_length(row, "website", url, WEBSITE_MAX) else None


def _plan_organisations(parsed, gathering):
    rows = _Rows(parsed)
    checked = []
    seen = {}
    for number, values in parsed.rows:
        name = rows.required(number, values, "name")
        if name and not rows.max_length(number, "name", name, NAME_MAX):
            name = ""
        country = rows.country(number, values, required=True)
        sector_text = values.get("sector", "")
        sector = resolve_sector(sector_text) if sector_text else ""
        if sector is None:
            rows.problem(number, "sector", _("unknown sector “%(value)s” (use one of: %(choices)s)") % {
                "value": sector_text, "choices": ", ".join(str(label) for label in Sector.labels)})
        website = _website(rows, number, values)
        if not name or not country or sector is None or website is None:
            continue
        key = (_match_key(name), country)
        if key in seen:
            rows.problem(number, "name", _("the same organisation (name and country) as row %(row)s") % {
                "row": seen[key]})
            continue
        seen[key] = number
        checked.append((number, name, key, country, sector, website))

    existing = _organisations_by_key({key[0] for _n, _name, key, *_rest in checked}, full=True)
    plans, ops = [], _Operations()
    for number, name, key, country, sector, website in checked:
        found = next((o for o in existing.get(key[0], []) if o.country.code == country), None)
        if found is None:
            if not sector:
                rows.problem(number, "sector", _("this cell is empty; a new organisation needs a sector"))
                continue
            ops.org_creates.append({"name": name, "name_key": key[0], "country": country, "sector": sector, "website": website})
            plans.append(RowPlan(number, CREATE, {"name": name, "country": country, "sector": sector,
                                                  "website": website}))
            continue
        changes = {}
        if website and not found.website:
            found.website = website
            changes["website"] = website
        note = ""
        if sector and sector != found.sector:
            note = _("keeps the sector already recorded (%(sector)s)") % {"sector": Sector(found.sector).label}
        ident = {"name": found.name, "country": country}
        if changes:
            ops.org_updates.append(found)
            ops.org_fields.update(changes)
            plans.append(RowPlan(number, UPDATE, ident | changes, note or _("fills in: %(fields)s") % {
                "fields": ", ".join(changes)}))
        else:
            plans.append(RowPlan(number, SKIP, ident, note or _("already recorded, nothing to add")))
    return _finish(parsed, gathering, rows, plans, ops)


def _check_person_rows(rows, parsed, duplicate_key):
    """First pass shared by people and registrations: email, names, languages."""
    checked = []
    seen = {}
    for number, values in parsed.rows:
        email = rows.email(number, values)
        display, full = rows.names(number, values)
        languages = rows.languages(number, values)
        extra = duplicate_key(number, values)
        if email is None or display is None or languages is None or extra is False:
            continue
        key = (email, extra)
        if key in seen:
            if extra is None:
                message = _("the same email as row %(row)s; each person may appear only once") % {"row": seen[key]}
            else:
                message = _("the same person and gathering as row %(row)s") % {"row": seen[key]}
            rows.problem(number, "email", message)
            continue
        seen[key] = number
        checked.append((number, values, email, display, full, languages))
    return checked


def _plan_people(parsed, gathering):
    rows = _Rows(parsed)
    checked = _check_person_rows(rows, parsed, lambda number, values: None)
    existing = _people_by_email({email for _n, _v, email, *_rest in checked})
    organisations = _organisations_by_key({_match_key(v["organisation"]) for _n, v, *_r in checked
                                           if v.get("organisation")})
    memberships = _memberships_of([p.pk for p in existing.values()]) if organisations else set()

    plans, ops = [], _Operations()
    for number, values, email, display, full, languages in checked:
        organisation = rows.organisation(number, values, organisations)
        if values.get("organisation") and organisation is None:
            continue
        org_label = _org_label(organisation) if organisation else ""
        person = existing.get(email)
        if person is None:
            if not display:
                rows.problem(number, _first_name_field(parsed), _("a new person needs a name"))
                continue
            person = _NewPerson(display_name=display, full_name=full, email=email, languages=languages)
            ops.person_creates.append(person)
            if organisation:
                ops.memberships.append((person, organisation.pk))
            plans.append(RowPlan(number, CREATE, {"display_name": display, "full_name": full, "email": email,
                                                  "languages": languages, "organisation": org_label}))
            continue
        changes = {}
        if full and not person.full_name:
            person.full_name = changes["full_name"] = full
        if languages and not person.languages:
            person.languages = changes["languages"] = languages
        if changes:
            ops.person_updates.append(person)
            ops.person_fields.update(changes)
        joins = organisation is not None and (person.pk, organisation.pk) not in memberships
        if joins:
            ops.memberships.append((person, organisation.pk))
            memberships.add((person.pk, organisation.pk))
        ident = {"display_name": person.display_name, "email": email}
        if changes or joins:
            filled = list(changes) + (["organisation"] if joins else [])
            plans.append(RowPlan(number, UPDATE, ident | changes | ({"organisation": org_label} if joins else {}),
                                 _("fills in: %(fields)s") % {"fields": ", ".join(filled)}))
        else:
            plans.append(RowPlan(number, SKIP, ident, _("already recorded, nothing to add")))
    return _finish(parsed, gathering, rows, plans, ops, memberships=len(ops.memberships))


def _first_name_field(parsed):
    return next((f for f in NAME_FIELDS if f in parsed.columns), None)


def _plan_registrations(parsed, gathering):
    rows = _Rows(parsed)
    if gathering is None and "gathering" not in parsed.columns:
        raise ServiceError(
            _("Choose the gathering these registrations are for, or add a column with its short name."),
            field="gathering", code="no_gathering",
        )
    default_slug = gathering.slug if gathering else ""
    picked = {}  # row number -> (gathering slug, role)

    def slug_and_role(number, values):
        slug = (values.get("gathering", "") or default_slug).lower()
        role_text = values.get("role", "")
        role = resolve_role(role_text) if role_text else None
        ok = True
        if not slug:
            rows.problem(number, "gathering", _("this cell is empty; say which gathering, or choose one for the "
                                                "whole file"))
            ok = False
        if not role_text:
            rows.problem(number, "role", _("this cell is empty, and it is required"))
            ok = False
        elif role is None:
            rows.problem(number, "role", _("unknown role “%(value)s” (use one of: %(choices)s)") % {
                "value": role_text, "choices": ", ".join(str(label) for label in Registration.Role.labels)})
            ok = False
        picked[number] = (slug, role)
        return slug if ok else False

    checked = _check_person_rows(rows, parsed, slug_and_role)
    slugs = {picked[number][0] for number, *_rest in checked}
    gatherings = {g.slug: g for chunk in _chunks(slugs) for g in Gathering.objects.filter(slug__in=chunk)}
    existing = _people_by_email({email for _n, _v, email, *_rest in checked})
    organisations = _organisations_by_key({_match_key(v["organisation"]) for _n, v, *_r in checked
                                           if v.get("organisation")})
    existing_ids = [p.pk for p in existing.values()]
    registrations = _registrations_of(existing_ids, [g.pk for g in gatherings.values()])
    memberships = _memberships_of(existing_ids) if organisations else set()

    plans, ops = [], _Operations()
    new_people = {}
    new_memberships = set()
    for number, values, email, display, full, languages in checked:
        slug, role = picked[number]
        target = gatherings.get(slug)
        if target is None:
            rows.problem(number, "gathering", _("unknown gathering “%(value)s”") % {"value": slug})
            continue
        organisation = rows.organisation(number, values, organisations)
        if values.get("organisation") and organisation is None:
            continue
        # The same rules as gatherings.services.register (bypassed here for speed).
        if role == Registration.Role.DELEGATE and organisation is None:
            rows.problem(number, "organisation", _("a delegate needs an organisation"))
            continue
        if (role == Registration.Role.DELEGATE and target.kind == Gathering.Kind.PREPARATORY
                and organisation.country != target.country):
            rows.problem(number, "organisation", _(
                "delegates to this national meeting represent organisations from %(country)s"
            ) % {"country": country_name(target.country)})
            continue
        org_id = organisation.pk if organisation else None
        org_label = _org_label(organisation) if organisation else ""
        person = existing.get(email) or new_people.get(email)
        new_person = False
        if person is None:
            if not display:
                rows.problem(number, _first_name_field(parsed) or "email",
                             _("this email is not in the registry yet, and a new person needs a name"))
                continue
            person = _NewPerson(display_name=display, full_name=full, email=email, languages=languages)
            ops.person_creates.append(person)
            new_people[email] = person
            new_person = True
        if org_id is not None:  # register() only accepts an organisation the person belongs to
            key = (email, org_id)
            if key not in new_memberships and (person.pk is None or (person.pk, org_id) not in memberships):
                new_memberships.add(key)
                ops.memberships.append((person, org_id))
        fields = {"email": email, "display_name": person.display_name, "gathering": target.slug, "role": role,
                  "organisation": org_label}
        current = registrations.get((target.pk, person.pk)) if not new_person and person.pk else None
        if current is None:
            ops.registration_creates.append((target.pk, person, role, org_id))
            plans.append(RowPlan(number, CREATE, fields, _("also adds this person") if new_person else ""))
        elif current.role == role and current.organisation_id == org_id:
            plans.append(RowPlan(number, SKIP, fields, _("already registered")))
        elif current.status != Registration.Status.REQUESTED:
            plans.append(RowPlan(number, SKIP, fields, _(
                "already %(status)s: not changed; change it on the registration page") % {
                "status": Registration.Status(current.status).label.lower()}))
        else:
            # A mandate confirmed for one role or organisation does not carry over to another.
            current.role, current.organisation_id, current.mandate = role, org_id, _mandate_for(role)
            ops.registration_fields.update({"role", "organisation", "mandate"})
            ops.registration_updates.append(current)
            plans.append(RowPlan(number, UPDATE, fields, _("changes the role or organisation")))
    return _finish(parsed, gathering, rows, plans, ops, memberships=len(ops.memberships),
                   people=len(ops.person_creates))
