"""Every write to the coalition registry. Views, the API, imports and the CLI
call these functions; each takes the acting user first, asks the same rules as
the pages (``user.has_perm``), validates, writes in one transaction and raises
``ServiceError`` (``PermissionDenied`` for a refused user) with a translated
message and the field it concerns.

Services validate everything themselves: a caller that skips the form (API,
CLI, import) gets the same errors. The bulk services (``plan_organisations`` /
``bulk_upsert_organisations``, ``plan_people`` / ``bulk_upsert_people``,
``plan_memberships`` / ``bulk_add_memberships``) check each row with the very
same cleaning functions (``clean_organisation_values``, ``clean_person_values``)
and permissions as the single-row services; see ``convoca.core.bulk``.
"""

import functools
import re

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email
from django.db import IntegrityError, transaction
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_countries import countries

from convoca.audit import services as audit
from convoca.core import data_rights
from convoca.core.bulk import CREATE, SKIP, UPDATE, BulkPlan, RowOutcome, chunks, conflict_error, row_number
from convoca.core.errors import PermissionDenied, ServiceError

from . import mail, tasks
from .models import (
    AddressForm,
    JoinRequest,
    Membership,
    NationalCommittee,
    Organisation,
    Person,
    Sector,
    ShownAs,
    Visibility,
    match_key,
)
from .rules import is_self

NAME_MAX = Organisation._meta.get_field("name").max_length
WEBSITE_MAX = Organisation._meta.get_field("website").max_length
DISPLAY_NAME_MAX = Person._meta.get_field("display_name").max_length
FULL_NAME_MAX = Person._meta.get_field("full_name").max_length
EMAIL_MAX = Person._meta.get_field("email").max_length
LANGUAGES_MAX = Person._meta.get_field("languages").max_length
PSEUDONYM_MAX = Person._meta.get_field("pseudonym").max_length
LANGUAGE_CODE_RE = re.compile(r"[a-z]{2,3}(-[a-z0-9]{2,8})*")

ORGANISATION_FIELDS = frozenset({"name", "country", "sector", "website", "is_public", "contact"})
VISIBILITY_FIELDS = tuple(f"{name}_visibility" for name in Person.VISIBLE_FIELDS)
PERSON_FIELDS = frozenset({
    "display_name", "full_name", "email", "languages", "organisations", "shown_as", "pseudonym", "address_form",
    *VISIBILITY_FIELDS,
})


def _require(user, perm, obj=None):
    if user is None or not user.has_perm(perm, obj):
        raise PermissionDenied()


def _shorten(value, limit=40):
    text = str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


# --- validation helpers -----------------------------------------------------------


def clean_country(value, field="country"):
    """An ISO 3166-1 alpha-2 code from an alpha-2 or alpha-3 code (any case)."""
    raw = str(value or "").strip()
    if not raw:
        raise ServiceError(_("Choose a country."), field=field, code="required")
    code = raw.upper()
    alpha2 = countries.alpha2(code) if code.isascii() and code.isalpha() and len(code) in (2, 3) else ""
    if not alpha2:
        raise ServiceError(
            _("“%(code)s” is not a known country code. Use a two-letter ISO code such as CO or BR.")
            % {"code": _shorten(raw)},
            field=field,
        )
    return alpha2


def _clean_text(value, field, max_length, required_message=None):
    text = " ".join(str(value or "").split())
    if not text and required_message:
        raise ServiceError(required_message, field=field, code="required")
    if len(text) > max_length:
        raise ServiceError(
            _("This can have at most %(max)d characters.") % {"max": max_length}, field=field, code="too_long"
        )
    return text


def _clean_sector(value):
    if value not in Sector.values:
        raise ServiceError(_("Choose one of the listed sectors."), field="sector")
    return value


def _clean_website(value):
    url = str(value or "").strip()
    if not url:
        return ""
    if len(url) > WEBSITE_MAX:
        raise ServiceError(
            _("This can have at most %(max)d characters.") % {"max": WEBSITE_MAX}, field="website", code="too_long"
        )
    try:
        URLValidator(schemes=["http", "https"])(url)
    except ValidationError:
        raise ServiceError(
            _("Enter a full web address starting with https:// or http://."), field="website"
        ) from None
    return url


def _clean_bool(value, field):
    if not isinstance(value, bool):
        raise ServiceError(_("Choose yes or no."), field=field)
    return value


def _clean_email_address(value):
    """A lower-case email address, or "" when none is given."""
    email = str(value or "").strip().lower()
    if not email:
        return ""
    if len(email) > EMAIL_MAX:
        raise ServiceError(
            _("This can have at most %(max)d characters.") % {"max": EMAIL_MAX}, field="email", code="too_long"
        )
    try:
        validate_email(email)
    except ValidationError:
        raise ServiceError(_("Enter an email address like name@example.org."), field="email") from None
    return email


def _email_taken_error():
    return ServiceError(_("Someone in the registry already has this email address."), field="email", code="duplicate")


def _check_email_free(email, exclude_pk=None):
    if not email:
        return
    taken = Person.objects.filter(email__iexact=email)
    if exclude_pk is not None:
        taken = taken.exclude(pk=exclude_pk)
    if taken.exists():
        raise _email_taken_error()


def clean_languages(value):
    """Language codes from a list or a comma/space-separated string: lower case,
    no duplicates, in the order given ("es, PT_br" -> "es,pt-br")."""
    if value is None:
        items = ()
    elif isinstance(value, str):
        items = tuple(re.split(r"[\s,;]+", value))
    else:
        items = tuple(value)
    try:
        return _clean_language_items(items)
    except TypeError:  # unhashable items: not codes anyway
        return _clean_language_items.__wrapped__(items)


@functools.lru_cache(maxsize=4096)  # bulk services clean the same few lists again and again
def _clean_language_items(items):
    codes = []
    for item in items:
        code = str(item or "").strip().lower().replace("_", "-")
        if not code:
            continue
        if not LANGUAGE_CODE_RE.fullmatch(code):
            raise ServiceError(
                _("“%(code)s” is not a language code. Use codes such as es, pt, en, fr or qu.")
                % {"code": _shorten(item, 20)},
                field="languages",
            )
        if code not in codes:
            codes.append(code)
    joined = ",".join(codes)
    if len(joined) > LANGUAGES_MAX:
        raise ServiceError(_("Too many languages."), field="languages", code="too_long")
    return joined


def _clean_visibility(value, field):
    if value not in Visibility.values:
        raise ServiceError(_("Choose who may see this."), field=field)
    return value


def _clean_shown_as(value):
    if value not in ShownAs.values:
        raise ServiceError(_("Choose how others see you."), field="shown_as")
    return value


def _clean_address_form(value):
    if value not in AddressForm.values:
        raise ServiceError(_("Choose how the pages address you."), field="address_form")
    return value


def _clean_pseudonym(value):
    return _clean_text(value, "pseudonym", PSEUDONYM_MAX)


def _check_pseudonym_given(shown_as, pseudonym):
    if shown_as == ShownAs.PSEUDONYM and not pseudonym:
        raise ServiceError(_("Enter the pseudonym others will see, or choose another way to be shown."),
                           field="pseudonym", code="required")


def _clean_organisations(value):
    """Organisation instances (or their ids) -> list of organisations."""
    items = list(value or [])
    objects = [item for item in items if isinstance(item, Organisation)]
    ids = []
    for item in items:
        if isinstance(item, Organisation):
            continue
        try:
            ids.append(int(item))
        except (TypeError, ValueError):
            raise ServiceError(_("Choose organisations from the registry."), field="organisations") from None
    if ids:
        in_range = [pk for pk in ids if 0 < pk < 2**63]  # beyond BIGINT the database would raise
        found = {org.pk: org for org in Organisation.objects.filter(pk__in=in_range)}
        missing = [pk for pk in ids if pk not in found]
        if missing:
            raise ServiceError(
                _("There is no organisation with number %(id)s.") % {"id": missing[0]}, field="organisations"
            )
        objects.extend(found[pk] for pk in ids)
    unique = {}
    for org in objects:
        unique.setdefault(org.pk, org)
    return list(unique.values())


# Lazy, made once: translated only when shown (bulk services clean thousands of names).
_ENTER_ORGANISATION_NAME = gettext_lazy("Enter the organisation’s name.")
_ENTER_DISPLAY_NAME = gettext_lazy("Enter a display name.")


def _clean_organisation_name(value):
    return _clean_text(value, "name", NAME_MAX, _ENTER_ORGANISATION_NAME)


def _clean_display_name(value):
    return _clean_text(value, "display_name", DISPLAY_NAME_MAX, _ENTER_DISPLAY_NAME)


def _clean_full_name(value):
    return _clean_text(value, "full_name", FULL_NAME_MAX)


# field -> cleaning function; the order is the order in which problems are reported.
ORGANISATION_CLEANERS = {
    "name": _clean_organisation_name,
    "country": clean_country,
    "sector": _clean_sector,
    "website": _clean_website,
    "is_public": functools.partial(_clean_bool, field="is_public"),
}
PERSON_CLEANERS = {
    "display_name": _clean_display_name,
    "full_name": _clean_full_name,
    "languages": clean_languages,
    **{name: functools.partial(_clean_visibility, field=name) for name in VISIBILITY_FIELDS},
    "shown_as": _clean_shown_as,
    "pseudonym": _clean_pseudonym,
    "address_form": _clean_address_form,
    "email": _clean_email_address,
}


def _clean_values(cleaners, values, skip_empty=()):
    clean, problems = {}, []
    for name, value in values.items():
        cleaner = cleaners.get(name)
        if cleaner is None or (not value and name in skip_empty):
            continue
        try:
            clean[name] = cleaner(value)
        except ServiceError as error:
            problems.append(error)
    if len(problems) > 1:  # in the order of the cleaners, whatever the order of the values
        order = list(cleaners)
        problems.sort(key=lambda error: order.index(error.field) if error.field in order else len(order))
    return clean, problems


def clean_organisation_values(values, *, skip_empty=()):
    """The given fields of an organisation (any of ``ORGANISATION_CLEANERS``;
    other keys are ignored), cleaned: ``(clean values, [ServiceError, ...])``
    with one problem per bad field. Fields named in ``skip_empty`` are left out
    when empty (not required in that case). ``create_organisation``,
    ``update_organisation`` and the bulk services all check through here; the
    database checks (name + country unique, permissions) come on top."""
    return _clean_values(ORGANISATION_CLEANERS, values, skip_empty)


def clean_person_values(values, *, skip_empty=()):
    """The given fields of a person (any of ``PERSON_CLEANERS``), cleaned, as
    ``clean_organisation_values``. The email is only checked for its form
    here; whether it is free is a database check."""
    return _clean_values(PERSON_CLEANERS, values, skip_empty)


def _cleaned(cleaner, values):
    """The single-row services: the first problem is raised."""
    clean, problems = cleaner(values)
    if problems:
        raise problems[0]
    return clean


def _duplicate_organisation_error(name, country):
    return ServiceError(
        _("An organisation called “%(name)s” is already registered in %(country)s.")
        % {"name": name, "country": countries.name(country)},
        field="name",
        code="duplicate",
    )


def _check_unique_organisation(name, country, exclude_pk=None):
    existing = Organisation.objects.filter(name_key=match_key(name), country=country)
    if exclude_pk is not None:
        existing = existing.exclude(pk=exclude_pk)
    if existing.exists():
        raise _duplicate_organisation_error(name, country)


# --- organisations ---------------------------------------------------------------


def create_organisation(user, *, name, country, sector, website="", is_public=False, contact=None):
    """Register an organisation. Coordinators anywhere; a national committee
    member only in their own country. Name + country must be new (case and
    accents do not count)."""
    _require(user, "network.add_organisation")
    clean = _cleaned(clean_organisation_values, {
        "name": name, "country": country, "sector": sector, "website": website, "is_public": is_public})
    name, country = clean["name"], clean["country"]
    _require(user, "network.add_organisation", country)
    if contact is not None:
        _require(user, "network.manage_memberships")
    with transaction.atomic():
        _check_unique_organisation(name, country)
        organisation = Organisation(**clean, contact=contact)
        try:
            with transaction.atomic():
                organisation.save()
        except IntegrityError:
            raise _duplicate_organisation_error(name, country) from None
        audit.record(user, "organisation.created", target=organisation)
    return organisation


def update_organisation(user, organisation, **changes):
    """Change some fields of an organisation (only those given)."""
    unknown = set(changes) - ORGANISATION_FIELDS
    if unknown:
        raise TypeError(f"unknown organisation fields: {sorted(unknown)}")
    _require(user, "network.change_organisation", organisation)
    values = _cleaned(clean_organisation_values, changes)
    if "country" in values and values["country"] != organisation.country.code:
        # Moving an organisation needs the right to register it in the new country too.
        _require(user, "network.add_organisation", values["country"])
    if "contact" in changes:
        contact = changes["contact"]
        if (contact.pk if contact else None) != organisation.contact_id:
            _require(user, "network.manage_memberships")
        values["contact"] = contact
    if not values:
        return organisation
    name = values.get("name", organisation.name)
    country = values.get("country", organisation.country.code)
    with transaction.atomic():
        if "name" in values or "country" in values:
            _check_unique_organisation(name, country, exclude_pk=organisation.pk)
        for attr, value in values.items():
            setattr(organisation, attr, value)
        try:
            with transaction.atomic():
                organisation.save(update_fields=list(values))
        except IntegrityError:
            organisation.refresh_from_db()
            raise _duplicate_organisation_error(name, country) from None
        audit.record(user, "organisation.changed", target=organisation, note=", ".join(sorted(values)))
    return organisation


# --- people ----------------------------------------------------------------------


def _set_memberships(person, organisations):
    """Make the person's memberships exactly ``organisations``; True if that changed any."""
    wanted = {org.pk: org for org in organisations}
    current = set(person.memberships.values_list("organisation_id", flat=True))
    removed, _detail = Membership.objects.filter(person=person).exclude(organisation_id__in=list(wanted)).delete()
    added = Membership.objects.bulk_create(
        [Membership(person=person, organisation=org) for pk, org in wanted.items() if pk not in current],
        ignore_conflicts=True,
    )
    return bool(removed or added)


def create_person(
    user,
    *,
    display_name,
    full_name="",
    email="",
    languages=(),
    organisations=(),
    display_name_visibility=Visibility.COORDINATORS,
    full_name_visibility=Visibility.COORDINATORS,
    email_visibility=Visibility.COORDINATORS,
    languages_visibility=Visibility.COORDINATORS,
    memberships_visibility=Visibility.COORDINATORS,
    shown_as=ShownAs.PARTICIPANT,
    pseudonym="",
):
    """Register a person (coordinators). Every field is visible to coordinators
    only unless a wider visibility is given; to everyone else the person is "a
    participant" unless another way to be shown is given."""
    _require(user, "network.add_person")
    values = _cleaned(clean_person_values, {
        "display_name": display_name, "full_name": full_name, "languages": languages,
        "display_name_visibility": display_name_visibility, "full_name_visibility": full_name_visibility,
        "email_visibility": email_visibility, "languages_visibility": languages_visibility,
        "memberships_visibility": memberships_visibility, "shown_as": shown_as, "pseudonym": pseudonym,
        "email": email,
    })
    _check_pseudonym_given(values["shown_as"], values["pseudonym"])
    organisations = _clean_organisations(organisations)
    if organisations:
        _require(user, "network.manage_memberships")
    with transaction.atomic():
        _check_email_free(values["email"])
        person = Person(**values)
        try:
            with transaction.atomic():
                person.save()
        except IntegrityError:
            raise _email_taken_error() from None
        _set_memberships(person, organisations)
        audit.record(user, "person.created", target=person)
    return person


def update_person(user, person, **changes):
    """Change some fields of a person (only those given). Coordinators change
    anything; a person changes their own names, languages and visibility."""
    unknown = set(changes) - PERSON_FIELDS
    if unknown:
        raise TypeError(f"unknown person fields: {sorted(unknown)}")
    _require(user, "network.change_person", person)
    values = _cleaned(clean_person_values, {name: value for name, value in changes.items() if name != "email"})
    _check_pseudonym_given(values.get("shown_as", person.shown_as), values.get("pseudonym", person.pseudonym))
    organisations = None
    if "organisations" in changes:
        organisations = _clean_organisations(changes["organisations"])
        current = set(person.memberships.values_list("organisation_id", flat=True))
        if {org.pk for org in organisations} != current:
            _require(user, "network.manage_memberships")
    email_changed = "email" in changes and str(changes["email"] or "").strip().lower() != person.email
    if email_changed:
        # Only coordinators: "this address is taken" would tell anyone else who is registered.
        _require(user, "network.change_person_email", person)
    with transaction.atomic():
        if email_changed:
            values["email"] = _clean_email_address(changes["email"])
            _check_email_free(values["email"], exclude_pk=person.pk)
        changed = sorted(name for name, value in values.items() if getattr(person, name) != value)
        for attr, value in values.items():
            setattr(person, attr, value)
        if values:
            try:
                with transaction.atomic():
                    person.save(update_fields=list(values))
            except IntegrityError:
                person.refresh_from_db()
                raise _email_taken_error() from None
        if organisations is not None and _set_memberships(person, organisations):
            changed.append("organisations")
        if changed and not is_self(user, person):  # someone else changed it: a coordinator
            audit.record(user, "person.changed", target=person, note=", ".join(changed))
    return person


def add_membership(user, person, organisation):
    """Record that a person belongs to an organisation (idempotent)."""
    _require(user, "network.manage_memberships")
    with transaction.atomic():
        membership, created = Membership.objects.get_or_create(person=person, organisation=organisation)
        if created:
            audit.record(user, "membership.added", target=person, note=f"organisation {organisation.pk}")
    return membership


def remove_membership(user, person, organisation):
    """Remove a membership; True if there was one."""
    _require(user, "network.manage_memberships")
    with transaction.atomic():
        deleted, _details = Membership.objects.filter(person=person, organisation=organisation).delete()
        if deleted:
            audit.record(user, "membership.removed", target=person, note=f"organisation {organisation.pk}")
    return bool(deleted)


# --- national committees -----------------------------------------------------------


def create_committee(user, country):
    """Create the national committee of a country (one per country)."""
    _require(user, "network.add_committee")
    country = clean_country(country)
    duplicate = ServiceError(
        _("%(country)s already has a national committee.") % {"country": countries.name(country)},
        field="country",
        code="duplicate",
    )
    with transaction.atomic():
        if NationalCommittee.objects.filter(country=country).exists():
            raise duplicate
        try:
            with transaction.atomic():
                committee = NationalCommittee.objects.create(country=country)
        except IntegrityError:
            raise duplicate from None
        audit.record(user, "committee.created", target=committee, note=country)
    return committee


def add_committee_member(user, committee, person):
    """Add a person to a national committee (idempotent)."""
    _require(user, "network.change_committee", committee)
    if person is None:
        raise ServiceError(_("Choose a person."), field="person", code="required")
    with transaction.atomic():
        if not committee.members.filter(pk=person.pk).exists():
            committee.members.add(person)
            audit.record(user, "committee.member_added", target=person, note=committee.country.code)
    return committee


def remove_committee_member(user, committee, person):
    """Take a person off a national committee; True if they were on it."""
    _require(user, "network.change_committee", committee)
    with transaction.atomic():
        was_member = committee.members.filter(pk=person.pk).exists()
        committee.members.remove(person)
        if was_member:
            audit.record(user, "committee.member_removed", target=person, note=committee.country.code)
    return was_member


# --- data rights ------------------------------------------------------------------------

EXPORT_FORMAT = "convoca-personal-data"


class ErasureRefused(ServiceError):
    """The person cannot be erased yet: ``reasons`` says what must happen first, one sentence each."""

    def __init__(self, reasons):
        super().__init__(
            _("This person cannot be erased yet. First: %(reasons)s") % {"reasons": " ".join(reasons)},
            code="erasure_blocked",
        )
        self.reasons = reasons


def export_person_data(user, person):
    """Everything the platform holds about ``person`` (every app's share, see
    ``convoca.core.data_rights``) as a dict ready for JSON. The person, or a
    coordinator on their request; recorded in the audit trail (not the data)."""
    _require(user, "network.export_person_data", person)
    with transaction.atomic():
        data = data_rights.export(person)
        audit.record(user, "person.exported", target=person)
    return {"format": EXPORT_FORMAT, "version": 1, "exported_at": timezone.now(), "person": person.pk, "data": data}


def erasure_blockers(person):
    """What must happen before ``person`` can be erased (empty: nothing). Reads only."""
    return data_rights.blockers(person)


def erase_person(user, person):
    """Erase ``person``'s personal data in every app, keeping in anonymous form what
    the coalition's records need (their registrations and votes stay, as "erased
    person"; their account stays, empty and locked). The person, or a coordinator
    on their request. Refused (``ErasureRefused``, nothing changed) while they hold
    a running proxy or an open registration for a gathering not yet over.
    Recorded in the audit trail, without the erased data."""
    _require(user, "network.erase_person", person)
    with transaction.atomic():
        person = Person.objects.select_for_update(of=("self",)).select_related("user").get(pk=person.pk)
        if person.erased_at is not None:
            raise ServiceError(_("This person's data has already been erased."), code="already_erased")
        reasons = data_rights.blockers(person)
        if reasons:
            raise ErasureRefused(reasons)
        data_rights.erase(person)
        audit.record(user, "person.erased", target=person)
    person.refresh_from_db()
    return person


# --- many rows at once (imports) ---------------------------------------------------
#
# The same cleaning functions and permissions as the services above, one query
# per kind of record per chunk of rows (never one per row). ``plan_*`` only
# read and say what would be done; ``bulk_*`` plan again inside their
# transaction and write, all or nothing (``convoca.core.bulk``).


def people_by_email(emails):
    """{lower-case email: Person} for the given lower-case addresses."""
    found = {}
    for chunk in chunks(emails):
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


def organisations_by_name_key(keys, *, full=False):
    """{name_key: [Organisation, ...]} (one per country) for the given ``match_key`` values."""
    found = {}
    for chunk in chunks(keys):
        queryset = Organisation.objects.filter(name_key__in=chunk).order_by()
        queryset = (queryset.only("id", "name", "name_key", "country", "sector", "website") if full
                    else queryset.only("id", "name", "name_key", "country"))
        for organisation in queryset:
            found.setdefault(organisation.name_key, []).append(organisation)
    return found


def _organisations_by_id(ids):
    found = {}
    in_range = [pk for pk in ids if 0 < pk < 2**63]  # beyond BIGINT the database would raise
    for chunk in chunks(in_range):
        found.update((org.pk, org) for org in Organisation.objects.filter(pk__in=chunk).only("id", "name", "country"))
    return found


def _memberships_of(person_ids):
    found = set()
    for chunk in chunks(person_ids):
        found.update(
            Membership.objects.filter(person_id__in=chunk).order_by().values_list("person_id", "organisation_id")
        )
    return found


class NewPerson:
    """A person a bulk service is about to create. The model instance is only
    built when writing, so a preview of 10,000 rows does not pay for 10,000
    Django models; ``pk`` is set once created (rows of other services, such as
    registrations, may point to it meanwhile)."""

    __slots__ = ("fields", "pk")

    def __init__(self, fields):
        self.fields = fields  # the cleaned values: the Person's fields
        self.pk = None

    def __getattr__(self, name):
        try:
            return self.fields[name]
        except KeyError:
            raise AttributeError(name) from None


def person_key(person):
    """Who a row is about: the pk, or the stand-in itself for someone not created yet."""
    return person.pk if person.pk is not None else id(person)


class _Permissions:
    """``user.has_perm`` once per permission and object (rows repeat them)."""

    def __init__(self, user):
        self.user = user
        self.answers = {}

    def require(self, perm, obj=None, key=None):
        key = (perm, key if key is not None else obj)
        if key not in self.answers:
            self.answers[key] = self.user is not None and self.user.has_perm(perm, obj)
        if not self.answers[key]:
            raise PermissionDenied()


def _fill_empty_fields(model, updates):
    """Bulk updates of (instance, {field: value}), grouped by the fields they
    fill, each only where those fields are still empty: a record someone
    filled in meanwhile makes the whole call fail, it is never overwritten."""
    groups = {}
    for instance, fields in updates:
        groups.setdefault(tuple(sorted(fields)), []).append(instance)
    for fields, instances in groups.items():
        if model.objects.filter(**dict.fromkeys(fields, "")).bulk_update(instances, list(fields)) != len(instances):
            raise conflict_error()


# organisations


def plan_organisations(user, rows):
    """What ``bulk_upsert_organisations`` would do with ``rows``; writes nothing.

    Each row: ``name``, ``country`` (ISO code) and, for a new organisation,
    ``sector``; optionally ``website`` and ``is_public``. An organisation of
    the same name and country (case and accents do not count) is never
    overwritten: only its empty website is filled in; a different sector is
    left as recorded (``kept``)."""
    _require(user, "network.add_organisation")
    perms = _Permissions(user)
    plan = BulkPlan(writes={"creates": [], "updates": []})
    checked, seen = [], {}
    for index, row in enumerate(rows):
        number = row_number(row, index)
        # Name and country are how organisations are matched; a sector is only needed for a new one.
        clean, problems = clean_organisation_values(
            {"name": "", "country": "", **row}, skip_empty=("sector", "website", "is_public"))
        for error in problems:
            plan.problem(number, error)
        if problems:
            continue
        key = (match_key(clean["name"]), clean["country"])
        if key in seen:
            plan.problem(number, ServiceError(
                _("the same organisation (name and country) as row %(row)s") % {"row": seen[key]},
                field="name", code="duplicate"))
            continue
        seen[key] = number
        checked.append((number, key, clean))

    existing = organisations_by_name_key({key[0] for _number, key, _clean in checked}, full=True)
    for number, key, clean in checked:
        found = next((o for o in existing.get(key[0], []) if o.country.code == key[1]), None)
        if found is None:
            try:
                clean["sector"] = _clean_sector(clean.get("sector", ""))
            except ServiceError as error:
                plan.problem(number, error)
                continue
            perms.require("network.add_organisation", clean["country"])
            clean["name_key"] = key[0]
            plan.writes["creates"].append(clean)
            plan.outcomes.append(RowOutcome(number, CREATE, None, changes=clean))
            continue
        changes = {}
        if clean.get("website") and not found.website:
            changes["website"] = clean["website"]
        kept = {"sector": found.sector} if clean.get("sector") and clean["sector"] != found.sector else {}
        if changes:
            perms.require("network.change_organisation", found, key=found.pk)
            for name, value in changes.items():
                setattr(found, name, value)
            plan.writes["updates"].append((found, changes))
            plan.outcomes.append(RowOutcome(number, UPDATE, found, changes=changes, kept=kept))
        else:
            plan.outcomes.append(RowOutcome(number, SKIP, found, kept=kept, reason="unchanged"))
    return plan


def bulk_upsert_organisations(user, rows):
    """Register the new organisations of ``rows`` and fill in the empty fields
    of those already recorded, all or nothing. Returns the ``BulkPlan`` done
    (created organisations as ``record`` of their outcome); raises
    ``RowProblems`` listing every problem, or ``PermissionDenied``."""
    with transaction.atomic():
        plan = plan_organisations(user, rows)
        plan.raise_problems()
        try:
            with transaction.atomic():
                creates = plan.writes["creates"]
                created = Organisation.objects.bulk_create([Organisation(**values) for values in creates])
                _fill_empty_fields(Organisation, plan.writes["updates"])
        except IntegrityError:
            raise conflict_error() from None
    by_values = {id(values): organisation for values, organisation in zip(creates, created, strict=True)}
    for outcome in plan.outcomes:
        if outcome.action == CREATE:
            outcome.record = by_values[id(outcome.changes)]
    return plan


# memberships


def plan_memberships(user, pairs):
    """The (person, organisation id) pairs not recorded yet, each once, in
    order; ``person`` may be a ``NewPerson``. Needs the right to manage
    memberships when any is missing. Reads only."""
    recorded = _memberships_of({person.pk for person, _org in pairs if person.pk is not None})
    missing, seen = [], set()
    for person, org in pairs:
        org_id = getattr(org, "pk", org)
        key = (person_key(person), org_id)
        if key in seen or (person.pk, org_id) in recorded:
            continue
        seen.add(key)
        missing.append((person, org_id))
    if missing:
        _require(user, "network.manage_memberships")
    return missing


def bulk_add_memberships(user, pairs):
    """Record that each person belongs to each organisation (idempotent: pairs
    already recorded are left alone). ``pairs``: (person, organisation or its
    id), people already saved. Returns the number of pairs given that were missing."""
    _require(user, "network.manage_memberships")
    with transaction.atomic():
        missing = plan_memberships(user, pairs)
        _write_memberships(missing)
    return len(missing)


def _write_memberships(pairs):
    Membership.objects.bulk_create(
        [Membership(person_id=person.pk, organisation_id=org_id) for person, org_id in pairs], ignore_conflicts=True
    )


# people


def _row_organisations(plan, number, value, by_id):
    """The organisations a row names (instances or ids), or None after a problem."""
    organisations = []
    for item in value or []:
        if isinstance(item, Organisation):
            organisations.append(item)
            continue
        try:
            pk = int(item)
        except (TypeError, ValueError):
            plan.problem(number, ServiceError(_("Choose organisations from the registry."), field="organisations"))
            return None
        if pk not in by_id:
            plan.problem(number, ServiceError(
                _("There is no organisation with number %(id)s.") % {"id": pk}, field="organisations"))
            return None
        organisations.append(by_id[pk])
    return organisations


def _ids_named(rows):
    ids = set()
    for row in rows:
        for item in row.get("organisations") or []:
            if not isinstance(item, Organisation):
                try:
                    ids.add(int(item))
                except (TypeError, ValueError):
                    continue
    return ids


FILLABLE_PERSON_FIELDS = ("full_name", "languages")


def plan_people(user, rows, *, fill_empty=True):
    """What ``bulk_upsert_people`` would do with ``rows``; writes nothing.

    Each row: ``email`` (how people are matched, ignoring case; required) and
    any of ``display_name`` (required for someone new), ``full_name``,
    ``languages``, the visibility fields, and ``organisations`` (instances or
    ids) the person belongs to. New people get the most private visibility
    unless the row says otherwise. Someone already recorded is never
    overwritten: with ``fill_empty`` their empty full name and languages are
    filled in; memberships are added, never removed."""
    # Asked first, whatever the rows: who is recorded (by email) is coordinators' business only.
    _require(user, "network.add_person")
    perms = _Permissions(user)
    plan = BulkPlan(writes={"creates": [], "updates": []})
    by_id = _organisations_by_id(_ids_named(rows))
    checked, seen = [], {}
    for index, row in enumerate(rows):
        number = row_number(row, index)
        # Only someone new needs a display name, and existing people are never overwritten with blanks.
        clean, problems = clean_person_values(row, skip_empty=("display_name", "full_name", "languages"))
        organisations = _row_organisations(plan, number, row["organisations"], by_id) if row.get("organisations") else ()
        for error in problems:
            plan.problem(number, error)
        if problems or organisations is None:
            continue
        email = clean.get("email")
        if not email:
            plan.problem(number, ServiceError(
                _("Enter an email address like name@example.org."), field="email", code="required"))
            continue
        if email in seen:
            plan.problem(number, ServiceError(
                _("the same email as row %(row)s; each person may appear only once") % {"row": seen[email]},
                field="email", code="duplicate"))
            continue
        seen[email] = number
        checked.append((number, clean, organisations))

    existing = people_by_email({clean["email"] for _number, clean, _orgs in checked})
    pairs, named = [], {}
    for number, clean, organisations in checked:
        person = existing.get(clean["email"])
        if person is None:
            if not clean.get("display_name"):
                plan.problem(number, ServiceError(
                    _("this email is not in the registry yet, and a new person needs a name"),
                    field="display_name", code="required"))
                continue
            person = NewPerson(clean)
            plan.writes["creates"].append(person)
            plan.outcomes.append(RowOutcome(number, CREATE, person, changes=clean))
        else:
            changes = {}
            if fill_empty:
                changes = {name: clean[name] for name in FILLABLE_PERSON_FIELDS
                           if clean.get(name) and not getattr(person, name)}
            if changes:
                perms.require("network.change_person", person, key=person.pk)
                for name, value in changes.items():
                    setattr(person, name, value)
                plan.writes["updates"].append((person, changes))
            plan.outcomes.append(RowOutcome(number, UPDATE if changes else SKIP, person, changes=changes,
                                            reason="" if changes else "unchanged"))
        if organisations:
            pairs.extend((person, organisation) for organisation in organisations)
            named[id(person)] = organisations

    if pairs:
        missing = plan.memberships = plan_memberships(user, pairs)
        joined = {(id(person), org_id) for person, org_id in missing}
        for outcome in plan.outcomes:
            key = id(outcome.record)
            if key not in named:
                continue
            joined_now = [org for org in named[key] if (key, org.pk) in joined]
            if not joined_now:
                continue
            outcome.changes = {**outcome.changes, "organisations": joined_now}  # a new dict: not a Person field
            if outcome.action == SKIP:
                outcome.action, outcome.reason = UPDATE, ""
    return plan


def bulk_upsert_people(user, rows, *, fill_empty=True):
    """Register the new people of ``rows``, fill in the empty fields of those
    already recorded (see ``plan_people``) and add their memberships, all or
    nothing. Returns the ``BulkPlan`` done: each outcome's ``record`` is the
    ``Person``, or for someone created the ``NewPerson`` whose ``pk`` is now
    set (no model instance is kept per row); raises ``RowProblems`` listing
    every problem, or ``PermissionDenied``."""
    with transaction.atomic():
        plan = plan_people(user, rows, fill_empty=fill_empty)
        plan.raise_problems()
        try:
            with transaction.atomic():
                creates = plan.writes["creates"]
                created = Person.objects.bulk_create([Person(**new.fields) for new in creates])
                for new, person in zip(creates, created, strict=True):
                    new.pk = person.pk
                del created  # 10,000 model instances: let them go now
                _fill_empty_fields(Person, plan.writes["updates"])
                _write_memberships(plan.memberships)
        except IntegrityError:
            raise conflict_error() from None
    return plan


# --- messages from organisers: unsubscribing -----------------------------------------------


def unsubscribe_from_messages(token):
    """Follow the unsubscribe link of a message to participants (no login: the signed link is the proof).
    A forged or damaged link and a link already used each get their own clear refusal; nothing is written
    then. Returns the person."""
    pk = mail.read_unsubscribe_token(token or "")
    invalid = ServiceError(
        _("This unsubscribe link is not valid. Copy the whole link from the email, or log in and change what "
          "you receive on your account page."), code="bad_token")
    if pk is None:
        raise invalid
    with transaction.atomic():
        if Person.objects.filter(pk=pk, messages_opt_out_at__isnull=True, erased_at__isnull=True).update(
            messages_opt_out_at=timezone.now()
        ):
            return Person.objects.get(pk=pk)
    if Person.objects.filter(pk=pk, erased_at__isnull=True).exists():
        raise ServiceError(
            _("This link was already used: you receive no more messages from organisers. To receive them again, "
              "log in and tick the box on your account page."), code="used")
    raise invalid


# --- joining an organisation, or proposing a new one -------------------------------------------


def _own_person(user):
    person = Person.objects.filter(user=user).first() if getattr(user, "is_authenticated", False) else None
    if person is None:
        raise ServiceError(
            _("Your account is not linked to a person in the registry yet. Save your details on your account page "
              "first."), code="no_person")
    return person


_ALREADY_ASKED = gettext_lazy("You already asked to join this organisation: wait for the answer.")


def request_to_join(user, organisation):
    """A person asks to represent ``organisation``. Its contact person, the national committee of its country
    or a coordinator decides (``decide_join_request``)."""
    _require(user, "network.request_to_join", organisation)
    person = _own_person(user)
    if Membership.objects.filter(person=person, organisation=organisation).exists():
        raise ServiceError(_("You already belong to this organisation."), field="organisation", code="already_member")
    if JoinRequest.objects.filter(person=person, organisation=organisation, status=JoinRequest.Status.PENDING).exists():
        raise ServiceError(_ALREADY_ASKED, field="organisation", code="already_requested")
    try:
        with transaction.atomic():
            join_request = JoinRequest.objects.create(
                person=person, organisation=organisation, country=organisation.country
            )
            tasks.tell_join_request(join_request)  # its contact and committee, after commit
            return join_request
    except IntegrityError:  # a double submit raced past the check above
        raise ServiceError(_ALREADY_ASKED, field="organisation", code="already_requested") from None


def propose_organisation(user, *, name, country, sector):
    """A person proposes an organisation that is not in the registry yet, to represent it. The national
    committee of its country (or a coordinator) accepts it: it is then created, with the person as member
    and contact."""
    _require(user, "network.request_to_join")
    person = _own_person(user)
    clean = _cleaned(clean_organisation_values, {"name": name, "country": country, "sector": sector})
    existing = Organisation.objects.filter(name_key=match_key(clean["name"]), country=clean["country"]).first()
    if existing is not None:
        raise ServiceError(
            _("“%(name)s” is already in the registry for %(country)s: ask to join it instead.")
            % {"name": existing.name, "country": countries.name(existing.country)}, field="name", code="exists")
    pending = JoinRequest.objects.filter(
        person=person, organisation__isnull=True, country=clean["country"], status=JoinRequest.Status.PENDING
    ).values_list("name", flat=True)
    if any(match_key(other) == match_key(clean["name"]) for other in pending):
        raise ServiceError(_("You already proposed this organisation: wait for the answer."), field="name",
                           code="already_requested")
    with transaction.atomic():
        join_request = JoinRequest.objects.create(person=person, **clean)
        tasks.tell_join_request(join_request)  # the country's committee (or the coordinators), after commit
    return join_request


def decide_join_request(user, join_request, *, accept):
    """Accept or decline a request to join (or a proposed organisation), once: claimed with a conditional
    update, so two deciders cannot both act; the same decision again changes nothing. The person is told by
    email after commit."""
    if not user.has_perm("network.decide_join_request", join_request):
        raise PermissionDenied(_(
            "Only the organisation's contact person, the national committee of its country or a coordinator can "
            "decide this request."))
    S = JoinRequest.Status
    to = S.ACCEPTED if accept else S.DECLINED
    now = timezone.now()
    with transaction.atomic():
        if not JoinRequest.objects.filter(pk=join_request.pk, status=S.PENDING).update(
            status=to, decided_by=user, decided_at=now
        ):
            current = JoinRequest.objects.filter(pk=join_request.pk).first()
            if current is not None and current.status == to:
                return current
            raise ServiceError(_("This request was already decided. Reload the page."), code="conflict")
        join_request.status, join_request.decided_by, join_request.decided_at = to, user, now
        if accept:
            organisation = join_request.organisation
            if organisation is None:
                _check_unique_organisation(join_request.name, join_request.country)
                organisation = Organisation(
                    name=join_request.name, country=join_request.country, sector=join_request.sector or Sector.OTHER,
                    contact=join_request.person,
                )
                try:
                    with transaction.atomic():
                        organisation.save()
                except IntegrityError:
                    raise _duplicate_organisation_error(join_request.name, join_request.country) from None
                JoinRequest.objects.filter(pk=join_request.pk).update(organisation=organisation)
                join_request.organisation = organisation
                audit.record(user, "organisation.created", target=organisation)
            Membership.objects.get_or_create(person=join_request.person, organisation=organisation)
        audit.record(user, f"join_request.{to}", target=join_request.person,
                     note=f"organisation {join_request.organisation_id}" if join_request.organisation_id else "")
        tasks.tell_join_decision(join_request)
    return join_request
