"""JSON API of the coalition registry, mounted under /api/v1/.

Anonymous callers see public organisations only; people and committees need a
token or a session. Writes go through ``services`` (same rules as the pages);
a refused write answers 403 with a JSON error. People fields follow OSDI
names where that costs nothing; a field the caller may not see is ``null``.
"""

from django.utils.translation import gettext as _
from ninja import Query, Router, Schema
from pydantic import Field

from convoca.core.api_auth import optional, token_or_session
from convoca.core.errors import NotFound, PermissionDenied, ServiceError

from . import queries, services
from .models import Person, Sector

router = Router(tags=["network"])

MAX_LIMIT = 200
MAX_OFFSET = 10**9  # beyond BIGINT the database raises instead of answering an empty page


class Page(Schema):
    limit: int = Field(50, ge=1, le=MAX_LIMIT)
    offset: int = Field(0, ge=0, le=MAX_OFFSET)


def _paginate(queryset, page):
    return queryset.count(), list(queryset[page.offset : page.offset + page.limit])


# --- organisations ----------------------------------------------------------------------


class OrganisationOut(Schema):
    id: int
    name: str
    country: str
    country_name: str
    sector: str
    website: str
    is_public: bool


class OrganisationList(Schema):
    count: int
    items: list[OrganisationOut]


class OrganisationIn(Schema):
    name: str
    country: str
    sector: str
    website: str = ""
    is_public: bool = False


class OrganisationPatch(Schema):
    name: str | None = None
    country: str | None = None
    sector: str | None = None
    website: str | None = None
    is_public: bool | None = None


class OrganisationFilters(Page):
    country: str | None = None
    sector: str | None = None


class Error(Schema):
    detail: str
    code: str | None = None
    field: str | None = None


def _organisation_out(organisation):
    return {
        "id": organisation.pk,
        "name": organisation.name,
        "country": organisation.country.code,
        "country_name": str(organisation.country.name),
        "sector": organisation.sector,
        "website": organisation.website,
        "is_public": organisation.is_public,
    }


def _visible_organisation(request, organisation_id):
    organisation = queries.organisations_visible_to(request.user).filter(pk=organisation_id).first()
    if organisation is None:
        raise NotFound()
    return organisation


def _no_nulls(values):
    for key, value in values.items():
        if value is None:
            raise ServiceError(_("This field cannot be null."), field=key)
    return values


@router.get("/organisations", response={200: OrganisationList, 400: Error, 401: Error}, auth=optional)
def list_organisations(request, filters: Query[OrganisationFilters]):
    """Organisations: public ones for anonymous callers, all for members."""
    queryset = queries.organisations_visible_to(request.user).order_by("name_key", "pk")
    if filters.country:
        queryset = queryset.filter(country=services.clean_country(filters.country))
    if filters.sector:
        if filters.sector not in Sector.values:
            raise ServiceError(_("Choose one of the listed sectors."), field="sector")
        queryset = queryset.filter(sector=filters.sector)
    count, items = _paginate(queryset, filters)
    return {"count": count, "items": [_organisation_out(org) for org in items]}


@router.post(
    "/organisations", response={201: OrganisationOut, 400: Error, 401: Error, 403: Error}, auth=token_or_session
)
def create_organisation(request, payload: OrganisationIn):
    organisation = services.create_organisation(request.user, **payload.dict())
    return 201, _organisation_out(organisation)


@router.get("/organisations/{organisation_id}", response={200: OrganisationOut, 401: Error, 404: Error}, auth=optional)
def get_organisation(request, organisation_id: int):
    return _organisation_out(_visible_organisation(request, organisation_id))


@router.patch(
    "/organisations/{organisation_id}",
    response={200: OrganisationOut, 400: Error, 401: Error, 403: Error, 404: Error},
    auth=token_or_session,
)
def patch_organisation(request, organisation_id: int, payload: OrganisationPatch):
    organisation = _visible_organisation(request, organisation_id)
    values = _no_nulls(payload.dict(exclude_unset=True))
    services.update_organisation(request.user, organisation, **values)
    return _organisation_out(organisation)


# --- people ----------------------------------------------------------------------------------


class EmailAddress(Schema):
    address: str


class OrganisationRef(Schema):
    id: int
    name: str


class VisibilitySchema(Schema):
    display_name: str | None = None
    full_name: str | None = None
    email: str | None = None
    languages: str | None = None
    memberships: str | None = None


class PersonOut(Schema):
    id: int
    display_name: str | None
    full_name: str | None
    email_addresses: list[EmailAddress] | None
    languages: list[str] | None
    organisations: list[OrganisationRef] | None
    visibility: VisibilitySchema | None = Field(
        None, description="Who sees each field; only for coordinators and the person themselves."
    )


class PersonList(Schema):
    count: int
    items: list[PersonOut]


class PersonIn(Schema):
    display_name: str
    full_name: str = ""
    email_addresses: list[EmailAddress] = []
    languages: list[str] = []
    organisations: list[int] = []
    visibility: VisibilitySchema | None = None


class PersonPatch(Schema):
    display_name: str | None = None
    full_name: str | None = None
    email_addresses: list[EmailAddress] | None = None
    languages: list[str] | None = None
    organisations: list[int] | None = None
    visibility: VisibilitySchema | None = None


def _person_out(user, person):
    card = queries.person_card(user, person, with_visibility=True)
    emails = None
    if card.email is not None:
        emails = [{"address": card.email}] if card.email else []
    organisations = None
    if card.organisations is not None:
        organisations = [{"id": org.pk, "name": org.name} for org in card.organisations]
    return {
        "id": person.pk,
        "display_name": card.display_name,
        "full_name": card.full_name,
        "email_addresses": emails,
        "languages": card.languages,
        "organisations": organisations,
        "visibility": card.visibility,
    }


def _person_values(values):
    """OSDI-shaped input -> keyword arguments of the services."""
    values = _no_nulls(dict(values))
    if "email_addresses" in values:
        addresses = values.pop("email_addresses")
        if len(addresses) > 1:
            raise ServiceError(_("Only one email address can be stored per person."), field="email_addresses")
        values["email"] = addresses[0]["address"] if addresses else ""
    visibility = values.pop("visibility", None) or {}
    for name, level in visibility.items():
        if level is not None:
            values[f"{name}_visibility"] = level
    return values


def _visible_person(request, person_id):
    person = queries.people_visible_to(request.user).filter(pk=person_id).first()
    if person is None:
        raise NotFound()
    return person


@router.get("/people", response={200: PersonList, 401: Error}, auth=token_or_session)
def list_people(request, page: Query[Page]):
    """People whose display name the caller may see; hidden fields are null."""
    queryset = queries.people_visible_to(request.user).order_by("display_name", "pk")
    count, items = _paginate(queryset, page)
    return {"count": count, "items": [_person_out(request.user, person) for person in items]}


@router.post("/people", response={201: PersonOut, 400: Error, 401: Error, 403: Error}, auth=token_or_session)
def create_person(request, payload: PersonIn):
    person = services.create_person(request.user, **_person_values(payload.dict(exclude_none=True)))
    person = queries.people_visible_to(request.user).get(pk=person.pk)
    return 201, _person_out(request.user, person)


@router.get("/people/{person_id}", response={200: PersonOut, 401: Error, 404: Error}, auth=token_or_session)
def get_person(request, person_id: int):
    return _person_out(request.user, _visible_person(request, person_id))


@router.patch(
    "/people/{person_id}", response={200: PersonOut, 400: Error, 401: Error, 403: Error, 404: Error},
    auth=token_or_session,
)
def patch_person(request, person_id: int, payload: PersonPatch):
    person = _visible_person(request, person_id)
    services.update_person(request.user, person, **_person_values(payload.dict(exclude_unset=True)))
    person = Person.objects.prefetch_related("memberships__organisation").get(pk=person.pk)
    return _person_out(request.user, person)


# --- national committees ----------------------------------------------------------------


class CommitteeMember(Schema):
    id: int
    display_name: str


class CommitteeOut(Schema):
    country: str
    country_name: str
    members: list[CommitteeMember]


@router.get("/committees", response={200: list[CommitteeOut], 401: Error, 403: Error}, auth=token_or_session)
def list_committees(request):
    """National committees with the members whose name the caller may see."""
    if not request.user.has_perm("network.view_committee"):
        raise PermissionDenied()
    return [
        {
            "country": committee.country.code,
            "country_name": str(committee.country.name),
            "members": [{"id": p.pk, "display_name": p.display_name} for p in committee.visible_members],
        }
        for committee in queries.committees_with_visible_members(request.user)
    ]



# --- joining organisations (issue 11) ------------------------------------------------------


class JoinRequestIn(Schema):
    organisation_id: int | None = Field(None, ge=1, le=MAX_OFFSET, description="To join an organisation in the registry.")
    name: str = Field("", description="Or, to propose a new organisation: its name, country and sector.")
    country: str = ""
    sector: str = ""


class JoinRequestOut(Schema):
    id: int
    organisation_id: int | None
    name: str
    country: str
    proposed: bool
    status: str
    person: str | None = Field(None, description="The display name of who asked, for those who decide.")


class JoinDecisionIn(Schema):
    accept: bool


def _join_request_out(join_request, *, with_person=False):
    return {
        "id": join_request.pk,
        "organisation_id": join_request.organisation_id,
        "name": join_request.organisation.name if join_request.organisation_id else join_request.name,
        "country": join_request.country.code,
        "proposed": join_request.organisation_id is None or bool(join_request.name),
        "status": join_request.status,
        "person": join_request.person.display_name if with_person else None,
    }


@router.post("/join-requests", response={201: JoinRequestOut, 400: Error, 401: Error, 403: Error, 404: Error},
             auth=token_or_session)
def create_join_request(request, payload: JoinRequestIn):
    """Ask to represent an organisation (``organisation_id``), or propose a new one (``name``, ``country``,
    ``sector``). The organisation's contact, its country's national committee or a coordinator decides."""
    if payload.organisation_id is not None:
        organisation = _visible_organisation(request, payload.organisation_id)
        join_request = services.request_to_join(request.user, organisation)
    else:
        join_request = services.propose_organisation(
            request.user, name=payload.name, country=payload.country, sector=payload.sector
        )
    return 201, _join_request_out(join_request)


@router.get("/join-requests", response={200: list[JoinRequestOut], 401: Error}, auth=token_or_session)
def list_own_join_requests(request):
    """The caller's own requests, newest first."""
    return [_join_request_out(r) for r in queries.own_join_requests(request.user)]


@router.get("/join-requests/to-decide", response={200: list[JoinRequestOut], 401: Error}, auth=token_or_session)
def list_join_requests_to_decide(request):
    """The pending requests the caller may decide, oldest first (200 at most)."""
    return [_join_request_out(r, with_person=True) for r in queries.join_requests_to_decide(request.user)[:MAX_LIMIT]]


@router.post("/join-requests/{join_request_id}/decision",
             response={200: JoinRequestOut, 400: Error, 401: Error, 403: Error, 404: Error}, auth=token_or_session)
def decide_join_request(request, join_request_id: int, payload: JoinDecisionIn):
    """Accept or decline a pending request; one the caller may not decide is a 404, as a missing one."""
    if not 0 < join_request_id <= MAX_OFFSET:
        raise NotFound()
    join_request = queries.join_requests_to_decide(request.user).filter(pk=join_request_id).first()
    if join_request is None:
        raise NotFound()
    decided = services.decide_join_request(request.user, join_request, accept=payload.accept)
    return _join_request_out(decided, with_person=True)
