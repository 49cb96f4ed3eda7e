"""Days of action over JSON (``/api/v1/``), through the same services and rules as the pages. Field names follow
OSDI where that costs nothing (``identifiers``, ``origin_system``, ``browser_url``, ``location``,
``start_date``, ``attendances``), so a coalition can later sync with Action Network. The public sees published
actions and the counts; a host its action's attendances (only what each person agreed to share); the
national committee moderates. A bad value is a 400 naming its field, a refusal 403, a hidden action 404."""

import datetime as dt
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import transaction
from ninja import Router, Schema

from convoca.core.api_auth import optional, token_or_session
from convoca.core.errors import NotFound, PermissionDenied
from convoca.gatherings.models import Gathering
from convoca.proposals.models import Proposal
from convoca.texts.queries import localize

from . import queries, services
from .models import Action, Campaign

router = Router(tags=["actions"])
ORIGIN = "Convoca"


class ErrorOut(Schema):
    detail: str
    code: str
    field: str | None = None


ERRORS = {400: ErrorOut, 401: Any, 403: ErrorOut, 404: ErrorOut}


class CountOut(Schema):
    country: str
    actions: int
    rsvps: int


class CampaignOut(Schema):
    identifiers: list[str]
    origin_system: str
    slug: str
    title: str
    description: str
    language: str
    start_date: dt.date
    end_date: dt.date
    action_types: list[str]
    proposals: list[int]
    browser_url: str
    total_actions: int
    total_attendances: int
    countries: list[CountOut]


class CampaignIn(Schema):
    gathering: str
    slug: str
    title: str
    description: str = ""
    start_date: dt.date
    end_date: dt.date
    action_types: list[str]
    proposals: list[int] = []


class PointOut(Schema):
    latitude: float
    longitude: float


class LocationOut(Schema):
    locality: str
    country: str
    address_lines: list[str]
    location: PointOut | None


class ActionOut(Schema):
    identifiers: list[str]
    origin_system: str
    id: int
    title: str
    description: str
    language: str
    type: str
    status: str
    start_date: dt.datetime
    end_date: dt.datetime
    timezone: str
    location: LocationOut
    accessibility: str
    capacity: int | None
    total_accepted: int
    browser_url: str
    reason: str | None = None  # the host and moderators only, once rejected


class ActionIn(Schema):
    title: str
    type: str
    start_date: dt.datetime  # local time at the place (an offset, if sent, is ignored)
    end_date: dt.datetime
    timezone: str
    locality: str
    country: str
    address: str = ""
    address_visibility: str = "day"
    latitude: Decimal | None = None
    longitude: Decimal | None = None
    description: str = ""
    accessibility: str = ""
    capacity: int | None = None
    online_url: str = ""
    organisation: int | None = None


class DecisionIn(Schema):
    trust: bool = False


class RejectIn(Schema):
    reason: str


class AttendanceOut(Schema):
    identifiers: list[str]
    origin_system: str
    given_name: str | None
    email_address: str | None
    status: str
    created_date: dt.datetime


class AttendancesOut(Schema):
    total_records: int
    attendances: list[AttendanceOut]


def _url(path):
    return settings.SITE_URL + path


def _campaign(slug):
    campaign = Campaign.objects.filter(slug=slug).first()
    if campaign is None:
        raise NotFound
    return campaign


def _campaign_out(campaign):
    counts = queries.country_counts(campaign)
    return {
        "identifiers": [f"convoca:campaign-{campaign.pk}"], "origin_system": ORIGIN, "slug": campaign.slug,
        "title": str(campaign.localized["title"]), "description": str(campaign.localized["description"]),
        "language": campaign.localized["title"].language, "start_date": campaign.starts_on,
        "end_date": campaign.ends_on, "action_types": campaign.action_types,
        "proposals": [p.pk for p in campaign.proposals.all()], "browser_url": _url(campaign.get_absolute_url()),
        "total_actions": sum(r["actions"] for r in counts), "total_attendances": sum(r["rsvps"] for r in counts),
        "countries": counts,
    }


def _action_out(request, action, campaign):
    from .rules import sees_address  # noqa: PLC0415 - beside its one use, as the pages do

    show = sees_address(request.user, action)
    point = None if action.latitude is None else {"latitude": float(action.latitude),
                                                  "longitude": float(action.longitude)}
    out = {
        "identifiers": [f"convoca:action-{action.pk}"], "origin_system": ORIGIN, "id": action.pk,
        "title": str(action.localized["title"]), "description": str(action.localized["description"]),
        "language": action.localized["title"].language, "type": action.kind,
        "status": {"approved": "confirmed", "cancelled": "cancelled"}.get(action.state, action.state),
        "start_date": action.starts_at, "end_date": action.ends_at, "timezone": action.timezone,
        "location": {"locality": action.city, "country": str(action.country),
                     "address_lines": [action.address] if show else [], "location": point},
        "accessibility": action.accessibility, "capacity": action.capacity, "total_accepted": action.rsvp_count,
        "browser_url": _url(f"/days/{campaign.slug}/{action.pk}/"),
    }
    if action.state == Action.State.REJECTED:
        out["reason"] = action.rejection_reason
    return out


def _visible_action(request, action_id):
    action = Action.objects.select_related("campaign", "host_organisation").filter(pk=action_id).first()
    if action is None or not request.user.has_perm("actions.view_action", action):
        raise NotFound
    return action


@router.get("/campaigns", response={200: list[CampaignOut], **ERRORS}, auth=optional)
def campaign_list(request):
    return [_campaign_out(c) for c in localize(Campaign.objects.prefetch_related("proposals")[:100])]


@router.post("/campaigns", response={201: CampaignOut, **ERRORS}, auth=token_or_session)
def campaign_create(request, payload: CampaignIn):
    gathering = Gathering.objects.filter(slug=payload.gathering).first()
    if gathering is None:
        raise NotFound
    proposals = list(Proposal.objects.filter(pk__in=payload.proposals))
    if len(proposals) != len(set(payload.proposals)):
        raise NotFound
    campaign = services.create_campaign(request.user, gathering, slug=payload.slug, title=payload.title,
                                        description=payload.description, starts_on=payload.start_date,
                                        ends_on=payload.end_date, action_types=payload.action_types,
                                        proposals=proposals)
    localize([campaign])
    return 201, _campaign_out(campaign)


@router.get("/campaigns/{slug}", response={200: CampaignOut, **ERRORS}, auth=optional)
def campaign_detail(request, slug: str):
    campaign = _campaign(slug)
    localize([campaign])
    return _campaign_out(campaign)


@router.get("/campaigns/{slug}/actions", response={200: list[ActionOut], **ERRORS}, auth=optional)
def action_list(request, slug: str, country: str = "", kind: str = "", city: str = "", limit: int = 100,
                offset: int = 0):
    campaign = _campaign(slug)
    limit, offset = max(1, min(limit, 500)), max(0, offset)
    actions = localize(queries.filtered(campaign, country=country.upper()[:2], city=city[:120], kind=kind[:12])
                       [offset:offset + limit])
    return [_action_out(request, action, campaign) for action in actions]


@router.post("/campaigns/{slug}/actions", response={201: ActionOut, **ERRORS}, auth=token_or_session)
def action_create(request, slug: str, payload: ActionIn):
    campaign = _campaign(slug)
    organisation = None
    if payload.organisation is not None:
        from convoca.network.models import Organisation  # noqa: PLC0415 - only this operation names one

        organisation = Organisation.objects.filter(pk=payload.organisation).first()
        if organisation is None:
            raise NotFound
    data = {"title": payload.title, "kind": payload.type, "starts_at": payload.start_date.replace(tzinfo=None),
            "ends_at": payload.end_date.replace(tzinfo=None), "timezone": payload.timezone,
            "city": payload.locality, "country": payload.country.upper(), "address": payload.address,
            "address_visibility": payload.address_visibility, "latitude": payload.latitude,
            "longitude": payload.longitude, "description": payload.description,
            "accessibility": payload.accessibility, "capacity": payload.capacity, "online_url": payload.online_url}
    action = services.create_action(request.user, campaign, data, organisation=organisation)
    localize([action])
    return 201, _action_out(request, action, campaign)


@router.get("/actions/{action_id}", response={200: ActionOut, **ERRORS}, auth=optional)
def action_detail(request, action_id: int):
    action = _visible_action(request, action_id)
    localize([action])
    return _action_out(request, action, action.campaign)


@router.post("/actions/{action_id}/approve", response={200: ActionOut, **ERRORS}, auth=token_or_session)
def action_approve(request, action_id: int, payload: DecisionIn):
    action = _visible_action(request, action_id)
    services.approve_action(request.user, action, trust=payload.trust)
    localize([action])
    return _action_out(request, action, action.campaign)


@router.post("/actions/{action_id}/reject", response={200: ActionOut, **ERRORS}, auth=token_or_session)
def action_reject(request, action_id: int, payload: RejectIn):
    action = _visible_action(request, action_id)
    services.reject_action(request.user, action, payload.reason)
    localize([action])
    return _action_out(request, action, action.campaign)


@router.get("/actions/{action_id}/attendances", response={200: AttendancesOut, **ERRORS}, auth=token_or_session)
def attendances(request, action_id: int, limit: int = 500, offset: int = 0):
    """The host's attendances: a name or email only where the person agreed to share it."""
    action = _visible_action(request, action_id)
    if not request.user.has_perm("actions.manage_action", action):
        raise PermissionDenied
    limit, offset = max(1, min(limit, 1000)), max(0, offset)
    with transaction.atomic():
        services.record_export(request.user, action)
    rows = action.rsvps.order_by("created_at", "pk")
    return {"total_records": rows.count(), "attendances": [
        {"identifiers": [f"convoca:attendance-{r.pk}"], "origin_system": ORIGIN,
         "given_name": r.name if r.share_name else None, "email_address": r.email if r.share_email else None,
         "status": "accepted" if r.state == "confirmed" else "tentative", "created_date": r.created_at}
        for r in rows[offset:offset + limit]]}
