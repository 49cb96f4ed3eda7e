"""Every write to the coalition registry. Views, the API, imports and the CLI
call these functions; each takes the acting user first, asks the same rules as
the pages (``user.has_perm``), validates, writes in one transaction and raises
``ServiceError`` (``PermissionDenied`` for a refused user) with a translated
message and the field it concerns.

Services validate everything themselves: a caller that skips the form (API,
CLI, import) gets the same errors.
"""

import re

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django_countries import countries

from convoca.core.errors import PermissionDenied, ServiceError

from .models import Membership, NationalCommittee, Organisation, Person, Sector, Visibility, match_key

NAME_MAX = Organisation._meta.get_field("name").max_length
WEBSITE_MAX = Organisation._meta.get_field("website").max_length
DISPLAY_NAME_MAX = Person._meta.get_field("display_name").max_length
FULL_NAME_MAX = Person._meta.get_field("full_name").max_length
EMAIL_MAX = Person._meta.get_field("email").max_length
LANGUAGES_MAX = Person._meta.get_field("languages").max_length
LANGUAGE_CODE_RE = re.compile(r"[a-z]{2,3}(-[a-z0-9]{2,8})*")

ORGANISATION_FIELDS = frozenset({"name", "country", "sector", "website", "is_public", "contact"})
VISIBILITY_FIELDS = tuple(f"{name}_visibility" for name in Person.VISIBLE_FIELDS)
PERSON_FIELDS = frozenset({"display_name", "full_name", "email", "languages", "organisations", *VISIBILITY_FIELDS})


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


def _clean_email(value, exclude_pk=None):
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
    taken = Person.objects.filter(email__iexact=email)
    if exclude_pk is not None:
        taken = taken.exclude(pk=exclude_pk)
    if taken.exists():
        raise ServiceError(_("Someone in the registry already has this email address."), field="email", code="duplicate")
    return email


def clean_languages(value):
    """Language codes from a list or a comma/space-separated string: lower case,
    no duplicates, in the order given ("es, PT_br" -> "es,pt-br")."""
    if value is None:
        items = []
    elif isinstance(value, str):
        items = re.split(r"[\s,;]+", value)
    else:
        items = list(value)
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
    name = _clean_text(name, "name", NAME_MAX, _("Enter the organisation’s name."))
    country = clean_country(country)
    sector = _clean_sector(sector)
    website = _clean_website(website)
    is_public = _clean_bool(is_public, "is_public")
    _require(user, "network.add_organisation", country)
    if contact is not None:
        _require(user, "network.manage_memberships")
    with transaction.atomic():
        _check_unique_organisation(name, country)
        organisation = Organisation(
            name=name, country=country, sector=sector, website=website, is_public=is_public, contact=contact
        )
        try:
            with transaction.atomic():
                organisation.save()
        except IntegrityError:
            raise _duplicate_organisation_error(name, country) from None
    return organisation


def update_organisation(user, organisation, **changes):
    """Change some fields of an organisation (only those given)."""
    unknown = set(changes) - ORGANISATION_FIELDS
    if unknown:
        raise TypeError(f"unknown organisation fields: {sorted(unknown)}")
    _require(user, "network.change_organisation", organisation)
    values = {}
    if "name" in changes:
        values["name"] = _clean_text(changes["name"], "name", NAME_MAX, _("Enter the organisation’s name."))
    if "country" in changes:
        values["country"] = clean_country(changes["country"])
        if values["country"] != organisation.country.code:
            # Moving an organisation needs the right to register it in the new country too.
            _require(user, "network.add_organisation", values["country"])
    if "sector" in changes:
        values["sector"] = _clean_sector(changes["sector"])
    if "website" in changes:
        values["website"] = _clean_website(changes["website"])
    if "is_public" in changes:
        values["is_public"] = _clean_bool(changes["is_public"], "is_public")
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
    return organisation


# --- people ----------------------------------------------------------------------


def _set_memberships(person, organisations):
    wanted = {org.pk: org for org in organisations}
    current = set(person.memberships.values_list("organisation_id", flat=True))
    Membership.objects.filter(person=person).exclude(organisation_id__in=list(wanted)).delete()
    Membership.objects.bulk_create(
        [Membership(person=person, organisation=org) for pk, org in wanted.items() if pk not in current],
        ignore_conflicts=True,
    )


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
):
    """Register a person (coordinators). Every field is visible to coordinators
    only unless a wider visibility is given."""
    _require(user, "network.add_person")
    values = {
        "display_name": _clean_text(display_name, "display_name", DISPLAY_NAME_MAX, _("Enter a display name.")),
        "full_name": _clean_text(full_name, "full_name", FULL_NAME_MAX),
        "languages": clean_languages(languages),
    }
    visibility = {
        "display_name_visibility": display_name_visibility,
        "full_name_visibility": full_name_visibility,
        "email_visibility": email_visibility,
        "languages_visibility": languages_visibility,
        "memberships_visibility": memberships_visibility,
    }
    for field, level in visibility.items():
        values[field] = _clean_visibility(level, field)
    organisations = _clean_organisations(organisations)
    if organisations:
        _require(user, "network.manage_memberships")
    with transaction.atomic():
        values["email"] = _clean_email(email)
        person = Person(**values)
        try:
            with transaction.atomic():
                person.save()
        except IntegrityError:
            raise ServiceError(
                _("Someone in the registry already has this email address."), field="email", code="duplicate"
            ) from None
        _set_memberships(person, organisations)
    return person


def update_person(user, person, **changes):
    """Change some fields of a person (only those given). Coordinators change
    anything; a person changes their own names, languages and visibility."""
    unknown = set(changes) - PERSON_FIELDS
    if unknown:
        raise TypeError(f"unknown person fields: {sorted(unknown)}")
    _require(user, "network.change_person", person)
    values = {}
    if "display_name" in changes:
        values["display_name"] = _clean_text(
            changes["display_name"], "display_name", DISPLAY_NAME_MAX, _("Enter a display name.")
        )
    if "full_name" in changes:
        values["full_name"] = _clean_text(changes["full_name"], "full_name", FULL_NAME_MAX)
    if "languages" in changes:
        values["languages"] = clean_languages(changes["languages"])
    for field in VISIBILITY_FIELDS:
        if field in changes:
            values[field] = _clean_visibility(changes[field], field)
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
            values["email"] = _clean_email(changes["email"], exclude_pk=person.pk)
        for attr, value in values.items():
            setattr(person, attr, value)
        if values:
            try:
                with transaction.atomic():
                    person.save(update_fields=list(values))
            except IntegrityError:
                person.refresh_from_db()
                raise ServiceError(
                    _("Someone in the registry already has this email address."), field="email", code="duplicate"
                ) from None
        if organisations is not None:
            _set_memberships(person, organisations)
    return person


def add_membership(user, person, organisation):
    """Record that a person belongs to an organisation (idempotent)."""
    _require(user, "network.manage_memberships")
    with transaction.atomic():
        membership, _created = Membership.objects.get_or_create(person=person, organisation=organisation)
    return membership


def remove_membership(user, person, organisation):
    """Remove a membership; True if there was one."""
    _require(user, "network.manage_memberships")
    with transaction.atomic():
        deleted, _details = Membership.objects.filter(person=person, organisation=organisation).delete()
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
    return committee


def add_committee_member(user, committee, person):
    """Add a person to a national committee (idempotent)."""
    _require(user, "network.change_committee", committee)
    if person is None:
        raise ServiceError(_("Choose a person."), field="person", code="required")
    with transaction.atomic():
        committee.members.add(person)
    return committee


def remove_committee_member(user, committee, person):
    """Take a person off a national committee; True if they were on it."""
    _require(user, "network.change_committee", committee)
    with transaction.atomic():
        was_member = committee.members.filter(pk=person.pk).exists()
        committee.members.remove(person)
    return was_member
