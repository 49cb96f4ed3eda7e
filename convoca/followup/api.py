"""The accountability of a conference over JSON: each adopted resolution's implementation record (status,
responsible working group, dated progress) and posting progress, through the same services and rules as the
pages."""

import datetime as dt
from typing import Any

from django.conf import settings
from django.urls import reverse
from ninja import Field, Router, Schema

from convoca.core.api_auth import optional, token_or_session
from convoca.core.errors import NotFound
from convoca.gatherings.models import Gathering

from . import queries, services

router = Router(tags=["follow-up"])


class ErrorOut(Schema):
    detail: str
    code: str
    field: str | None = None


ERRORS = {400: ErrorOut, 401: Any, 403: ErrorOut, 404: ErrorOut}


class UpdateOut(Schema):
    on: dt.date
    status: str
    text: str
    link: str


class ImplementationOut(Schema):
    identifiers: list[str]
    proposal: int
    number: str
    title: str
    theme: str | None
    working_group: str | None
    country: str | None
    status: str
    progress: int
    browser_url: str
    updates: list[UpdateOut]


class AccountabilityOut(Schema):
    total: int
    done: int
    progress: int
    implementations: list[ImplementationOut]


class ProgressIn(Schema):
    status: str = Field(..., max_length=20)
    text: str = Field(..., max_length=5000)
    link: str = Field("", max_length=500)
    on: dt.date | None = None


def _gathering(request, slug):
    found = Gathering.objects.filter(slug=slug).first()
    if found is None or not request.user.has_perm("gatherings.view_gathering", found):
        raise NotFound()
    return found


def _out(item, slug):
    group = item.group
    return {
        "identifiers": [f"convoca:implementation:{item.pk}"], "proposal": item.proposal_id,
        "number": item.proposal.number or "", "title": item.proposal.title,
        "theme": item.proposal.theme.name if item.proposal.theme else None,
        "working_group": group.name if group else None,
        "country": str(group.country) if group and group.country else None,
        "status": item.status, "progress": item.progress,
        "browser_url": settings.SITE_URL + reverse("followup:resolution", args=[slug, item.pk]),
        "updates": [{"on": u.on, "status": u.status, "text": u.text, "link": u.link} for u in item.updates.all()],
    }


@router.get("/gatherings/{slug}/implementations", response={200: AccountabilityOut, **ERRORS}, auth=optional,
            summary="How the adopted resolutions are carried out")
def implementations(request, slug: str):
    gathering = _gathering(request, slug)
    page = queries.accountability(gathering)
    return {**{k: page["overall"][k] for k in ("total", "done", "progress")},
            "implementations": [_out(item, slug) for item in page["items"]]}


@router.post("/gatherings/{slug}/implementations/{implementation_id}/updates",
             response={201: ImplementationOut, **ERRORS}, auth=token_or_session,
             summary="Post progress on a resolution (members of its working group)")
def post_progress(request, slug: str, implementation_id: int, payload: ProgressIn):
    gathering = _gathering(request, slug)
    item = queries.implementations(gathering).filter(pk=implementation_id).first()
    if item is None:
        raise NotFound()
    services.post_progress(request.user, item, **payload.dict())
    item = queries.implementations(gathering).get(pk=implementation_id)
    return 201, _out(item, slug)
