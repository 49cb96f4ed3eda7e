"""Gatherings and registrations over JSON, through the same services as the
web views. Bodies are read loosely and checked by the services, so a bad value
is a JSON 400 with the field named (not a schema error); refusals are 403,
unknown objects 404."""

import datetime as dt
from typing import Any

from django.utils.translation import gettext as _
from ninja import Router, Schema

from convoca.accounts.second_factor import require_recent_second_factor
from convoca.core.api_auth import optional, token_or_session
from convoca.core.errors import NotFound, PermissionDenied, ServiceError
from convoca.network.models import Organisation, Sector
from convoca.texts import languages
from convoca.texts.queries import localize

from . import bulk, queries, services
from .models import Gathering, Registration
from .rules import can_see_online_room, can_see_registrant_name

router = Router(tags=["gatherings"])


# --- schemas (documentation of the shapes; values are checked by the services) -------


class GatheringOut(Schema):
    id: int
    slug: str
    kind: str
    title: str
    country: str | None
    starts_on: dt.date
    ends_on: dt.date
    place: str
    online_url: str | None
    description: str
    registration_open: bool
    url: str
    language: str
    original_language: str
    is_translation: bool
    is_outdated: bool


class GatheringIn(Schema):
    kind: Any = None
    slug: Any = None
    title: Any = None
    starts_on: Any = None
    ends_on: Any = None
    country: Any = ""
    place: Any = ""
    online_url: Any = ""
    description: Any = ""
    registration_open: Any = True
    original_language: Any = None


class OrganisationRef(Schema):
    id: int
    name: str


class RegistrationOut(Schema):
    id: int
    gathering: str
    name: str | None
    role: str
    organisation: OrganisationRef | None
    mandate: str
    status: str
    refusal_reason: str | None
    decided_at: dt.datetime | None
    checked_in_at: dt.datetime | None
    url: str


class RegistrationPage(Schema):
    count: int
    limit: int
    offset: int
    counts: dict[str, int]
    items: list[RegistrationOut]


class RegisterIn(Schema):
    role: Any = None
    organisation_id: Any = None


class RefuseIn(Schema):
    reason: Any = None


class MandateIn(Schema):
    confirm: Any = None


class CheckInIn(Schema):
    token: Any = None


class CheckInOut(Schema):
    result: str
    checked_in_at: dt.datetime
    registration: RegistrationOut


class BulkIn(Schema):
    action: Any = None
    ids: Any = None
    reason: Any = ""


class BulkRowOut(Schema):
    id: int
    done: bool
    code: str | None
    reason: str | None


class BulkOut(Schema):
    action: str
    done: int
    refused: int
    rows: list[BulkRowOut]


class RecipientsOut(Schema):
    recipients: int


class MessageIn(Schema):
    subject: Any = None
    body: Any = None
    statuses: Any = None
    roles: Any = None
    countries: Any = None


class ErrorOut(Schema):
    detail: str
    code: str
    field: str | None = None


ERRORS = {400: ErrorOut, 401: Any, 403: ErrorOut, 404: ErrorOut}


# --- helpers ----------------------------------------------------------------------------


def _gathering(slug):
    gathering = Gathering.objects.filter(slug=slug).first()
    if gathering is None:
        raise NotFound(_("There is no gathering with this short name."))
    return gathering


def _registration(registration_id):
    if not 0 < registration_id < 2**63:  # outside what the database can hold: no such row
        raise NotFound(_("There is no such registration."))
    registration = (
        Registration.objects.select_related("gathering", "person", "organisation", "organisation__contact")
        .filter(pk=registration_id)
        .first()
    )
    if registration is None:
        raise NotFound(_("There is no such registration."))
    return registration


def _registration_to_decide(user, registration_id, perm):
    """The registration ``user`` may act on with ``perm``. One the user may not
    act on answers exactly like one that does not exist (404, same message):
    an id must not tell whether someone registered, or at which meeting."""
    registration = _registration(registration_id)
    if not user.has_perm(perm, registration):
        raise NotFound(_("There is no such registration."))
    return registration


def _reader_language(request, lang):
    """``?lang=`` when given (one of the four codes), else the request's
    language (Accept-Language, the language cookie or the site's default)."""
    if lang in (None, ""):
        return languages.current_language()  # LocaleMiddleware chose it for this request
    code = languages.normalize(lang)
    if code is None or code != lang.strip().lower():
        raise ServiceError(
            _("Choose one of the languages: %(choices)s.") % {"choices": ", ".join(languages.codes())}, field="lang",
        )
    return code


def _gathering_out(user, gathering, detail=False):
    """A gathering as JSON, its title and description as ``localize`` left
    them (``gathering.localized``): ``language`` says which one they are in."""
    show_room = detail and bool(gathering.online_url) and can_see_online_room(
        user, gathering, queries.registration_of(user, gathering)
    )
    shown = gathering.localized
    return {
        "id": gathering.pk, "slug": gathering.slug, "kind": gathering.kind, "title": shown["title"].text,
        "country": gathering.country.code or None, "starts_on": gathering.starts_on, "ends_on": gathering.ends_on,
        "place": gathering.place, "online_url": gathering.online_url if show_room else None,
        "description": shown["description"].text, "registration_open": gathering.registration_open,
        "url": gathering.get_absolute_url(), "language": shown.language,
        "original_language": gathering.original_language, "is_translation": shown.is_translation,
        "is_outdated": shown.is_outdated,
    }


def _registration_out(user, registration):
    org = registration.organisation
    return {
        "id": registration.pk, "gathering": registration.gathering.slug,
        "name": registration.person.display_name if can_see_registrant_name(user, registration) else None,
        "role": registration.role,
        "organisation": {"id": org.pk, "name": org.name} if org else None,
        "mandate": registration.mandate, "status": registration.status,
        "refusal_reason": registration.refusal_reason or None, "decided_at": registration.decided_at,
        "checked_in_at": registration.checked_in_at, "url": registration.get_absolute_url(),
    }


def _date(value, field):
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except (TypeError, ValueError):
        raise ServiceError(_("Enter a date as YYYY-MM-DD."), field=field) from None


def _text(value, field):
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ServiceError(_("Enter text."), field=field)
    return value


def _bool(value, field):
    if not isinstance(value, bool):
        raise ServiceError(_("Enter true or false."), field=field)
    return value


def _int(value, default, field, lo, hi):
    if value in (None, ""):
        return default
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise ServiceError(_("Enter a whole number."), field=field) from None
    return max(lo, min(hi, number))


def _texts(value, field):
    """A list of strings (JSON), or words separated by commas (a query string); nothing means none."""
    if value in (None, ""):
        return []
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ServiceError(_("Give a list of codes."), field=field)
    return value


def _choice(value, choices, field):
    if value in (None, ""):
        return None
    if value not in choices:
        raise ServiceError(_("Choose one of: %(choices)s.") % {"choices": ", ".join(choices)}, field=field)
    return value


# --- endpoints -----------------------------------------------------------------------------


@router.get("/gatherings", response={200: list[GatheringOut], **ERRORS}, auth=optional, summary="List gatherings")
def list_gatherings(request, lang: str = None):
    """Every gathering, upcoming first. Public. Titles and descriptions in ``lang``
    (es, pt-br, en, fr; else the Accept-Language of the request) when translated,
    else in their original language: ``language`` and ``is_translation`` say which."""
    language = _reader_language(request, lang)
    gatherings = localize(list(queries.upcoming_gatherings()) + list(queries.past_gatherings()), language)
    return [_gathering_out(request.user, g) for g in gatherings]


@router.get("/gatherings/{slug}", response={200: GatheringOut, **ERRORS}, auth=optional, summary="One gathering")
def get_gathering(request, slug: str, lang: str = None):
    """Public; the online room link only for organisers and accredited participants.
    Title and description in ``lang`` or the Accept-Language, as in the list."""
    language = _reader_language(request, lang)
    gathering = _gathering(slug)
    localize([gathering], language)
    return _gathering_out(request.user, gathering, detail=True)


@router.post("/gatherings", response={201: GatheringOut, **ERRORS}, auth=token_or_session, summary="Create a gathering")
def create_gathering(request, payload: GatheringIn):
    """Coordinators only."""
    if not request.user.has_perm("gatherings.add_gathering"):
        raise PermissionDenied(_("Only coordinators can create gatherings."))
    gathering = services.create_gathering(
        request.user,
        kind=_text(payload.kind, "kind"), slug=_text(payload.slug, "slug"), title=_text(payload.title, "title"),
        starts_on=_date(payload.starts_on, "starts_on"), ends_on=_date(payload.ends_on, "ends_on"),
        country=_text(payload.country, "country"), place=_text(payload.place, "place"),
        online_url=_text(payload.online_url, "online_url"), description=_text(payload.description, "description"),
        registration_open=_bool(payload.registration_open, "registration_open"),
        original_language=_text(payload.original_language, "original_language") or None,
    )
    localize([gathering], gathering.original_language)
    return 201, _gathering_out(request.user, gathering, detail=True)


@router.get(
    "/gatherings/{slug}/registrations", response={200: RegistrationPage, **ERRORS}, auth=token_or_session,
    summary="Registrations of a gathering",
)
def list_registrations(
    request, slug: str, status: str = None, role: str = None, limit: str = None, offset: str = None,
    q: str = None, mandate: str = None, country: str = None, sector: str = None, checked_in: str = None,
):
    """Organisers only: coordinators, and the national committee for its own preparatory meeting.
    Filter by ``status``, ``role``, ``mandate``, ``country`` and ``sector`` (of the organisation),
    ``checked_in`` (yes/no) and ``q`` (words of the name or organisation, accents and capitals aside);
    page with ``limit`` (at most 500) and ``offset``."""
    gathering = _gathering(slug)
    if not request.user.has_perm("gatherings.list_registrations", gathering):
        raise PermissionDenied(_("Only the organisers of this gathering can see its registrations."))
    status = _choice(status, Registration.Status.values, "status")
    role = _choice(role, Registration.Role.values, "role")
    limit = _int(limit, 100, "limit", 1, 500)
    offset = _int(offset, 0, "offset", 0, 10**9)
    filters = {
        "search": _text(q, "q")[:100],
        "mandate": _choice(mandate, Registration.Mandate.values, "mandate") or "",
        "country": (_text(country, "country").strip().upper())[:2],
        "sector": _choice(sector, Sector.values, "sector") or "",
        "checked_in": _choice(checked_in, ["yes", "no"], "checked_in") or "",
    }
    rows = queries.registrations_for(gathering, status=status, role=role, **filters)
    counts = queries.counts_by_status(gathering, role=role)
    count = rows.count() if any(filters.values()) else counts[status] if status else counts["total"]
    return {
        "count": count, "limit": limit, "offset": offset, "counts": counts,
        "items": [_registration_out(request.user, r) for r in rows[offset : offset + limit]],
    }


@router.post(
    "/gatherings/{slug}/registrations", response={201: RegistrationOut, **ERRORS}, auth=token_or_session,
    summary="Register yourself",
)
def register(request, slug: str, payload: RegisterIn):
    """Registers the caller: ``role`` is delegate (with ``organisation_id`` of an
    organisation the caller belongs to), observer or guest."""
    gathering = _gathering(slug)
    organisation = None
    if payload.organisation_id not in (None, ""):
        org_id = _int(payload.organisation_id, None, "organisation_id", 1, 2**62)
        organisation = Organisation.objects.filter(pk=org_id).first()
        if organisation is None:
            raise ServiceError(
                _("You are not a member of this organisation, so you cannot register on its behalf."),
                field="organisation_id", code="not_a_member",
            )
    role = _text(payload.role, "role")
    try:
        registration = services.register(request.user, gathering, role=role, organisation=organisation)
    except ServiceError as error:
        if error.field == "organisation":
            error.field = "organisation_id"
        raise
    return 201, _registration_out(request.user, registration)


@router.post(
    "/registrations/{registration_id}/accredit", response={200: RegistrationOut, **ERRORS},
    auth=token_or_session, summary="Accredit",
)
def accredit(request, registration_id: int):
    require_recent_second_factor(request)
    registration = services.accredit(
        request.user, _registration_to_decide(request.user, registration_id, "gatherings.accredit")
    )
    return _registration_out(request.user, registration)


@router.post(
    "/registrations/{registration_id}/refuse", response={200: RegistrationOut, **ERRORS},
    auth=token_or_session, summary="Refuse accreditation",
)
def refuse(request, registration_id: int, payload: RefuseIn):
    require_recent_second_factor(request)
    registration = _registration_to_decide(request.user, registration_id, "gatherings.accredit")
    reason = payload.reason if isinstance(payload.reason, str) else ""
    registration = services.refuse(request.user, registration, reason)
    return _registration_out(request.user, registration)


@router.post(
    "/registrations/{registration_id}/mandate", response={200: RegistrationOut, **ERRORS},
    auth=token_or_session, summary="Confirm or reject a delegate's mandate",
)
def decide_mandate(request, registration_id: int, payload: MandateIn):
    require_recent_second_factor(request)
    registration = _registration_to_decide(request.user, registration_id, "gatherings.confirm_mandate")
    confirm = _bool(payload.confirm, "confirm")
    if confirm:
        registration = services.confirm_mandate(request.user, registration)
    else:
        registration = services.reject_mandate(request.user, registration)
    return _registration_out(request.user, registration)


@router.post(
    "/gatherings/{slug}/checkin", response={200: CheckInOut, **ERRORS}, auth=token_or_session,
    summary="Check a badge in",
)
def check_in(request, slug: str, payload: CheckInIn):
    """``result`` is ``admitted`` or ``already_checked_in``; a refused badge is a 400
    whose ``code`` says why (invalid_token, other_gathering, revoked_badge, not_accredited)."""
    gathering = _gathering(slug)
    token = payload.token if isinstance(payload.token, str) else ""
    result = services.check_in(request.user, gathering, token)
    return {
        "result": "admitted" if result.admitted else "already_checked_in",
        "checked_in_at": result.checked_in_at,
        "registration": _registration_out(request.user, result.registration),
    }


@router.post(
    "/gatherings/{slug}/registrations/bulk", response={200: BulkOut, **ERRORS}, auth=token_or_session,
    summary="Act on many registrations",
)
def bulk_action(request, slug: str, payload: BulkIn):
    """Organisers only, as the list page's bulk actions: ``action`` (accredit, confirm_mandate, refuse with
    one ``reason``, invite: coordinators only) over the registrations numbered ``ids`` (at most 5000).
    Each row goes through the single-row rules: ``rows`` says, row by row, what was done and why a row
    was refused (``code``: not_found, unchanged, forbidden, mandate_not_confirmed...)."""
    require_recent_second_factor(request)
    gathering = _gathering(slug)
    action = _text(payload.action, "action")
    reason = _text(payload.reason, "reason")
    summary = bulk.act_on_ids(request.user, gathering, action, payload.ids, reason=reason)
    return summary.as_dict()


def _gathering_to_message(user, slug):
    gathering = _gathering(slug)
    if not user.has_perm("gatherings.message_participants", gathering):
        raise PermissionDenied(_("Only coordinators and national committees can write to participants."))
    return gathering


@router.get(
    "/gatherings/{slug}/messages/recipients", response={200: RecipientsOut, **ERRORS}, auth=token_or_session,
    summary="Count who a message would reach",
)
def message_recipients(request, slug: str, statuses: str = None, roles: str = None, countries: str = None):
    """How many participants a message with these filters would reach (comma-separated codes; none means
    all): a national committee counts only the participants of its own country."""
    gathering = _gathering_to_message(request.user, slug)
    rows = services.message_recipients(
        request.user, gathering, statuses=_texts(statuses, "statuses"), roles=_texts(roles, "roles"),
        countries=_texts(countries, "countries"),
    )
    return {"recipients": rows.count()}


@router.post(
    "/gatherings/{slug}/messages", response={202: RecipientsOut, **ERRORS}, auth=token_or_session,
    summary="Write to participants",
)
def message_participants(request, slug: str, payload: MessageIn):
    """Coordinators, and national committees to the participants of their own country: an email each
    (``subject``, ``body``), sent after the answer, to the participants matching ``statuses``, ``roles``
    and ``countries`` (lists of codes; none means all). ``recipients`` says how many."""
    require_recent_second_factor(request)
    gathering = _gathering_to_message(request.user, slug)
    count = services.message_participants(
        request.user, gathering, subject=_text(payload.subject, "subject"), body=_text(payload.body, "body"),
        statuses=_texts(payload.statuses, "statuses"), roles=_texts(payload.roles, "roles"),
        countries=_texts(payload.countries, "countries"),
    )
    return 202, {"recipients": count}
