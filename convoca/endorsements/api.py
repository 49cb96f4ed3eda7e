"""Endorsements over JSON as OSDI "signatures" (field names that let a coalition sync with Action Network:
``identifiers``, ``origin_system``, ``browser_url``, ``created_date``), through the same services and rules as
the pages. The public list shows what the public page shows; a sign-on by API (a coordinator's script bringing
signatures from another system) still needs its email verified before it is public."""

import datetime as dt
from typing import Any

from django.conf import settings
from django.urls import reverse
from ninja import Field, Query, Router, Schema

from convoca.core.api_auth import optional, token_or_session
from convoca.core.errors import NotFound, PermissionDenied
from convoca.gatherings.models import Gathering
from convoca.proposals.queries import declaration_of

from . import queries, services

router = Router(tags=["endorsements"])
ORIGIN = "Convoca"


class ErrorOut(Schema):
    detail: str
    code: str
    field: str | None = None


ERRORS = {400: ErrorOut, 401: Any, 403: ErrorOut, 404: ErrorOut}


class SignatureOut(Schema):
    identifiers: list[str]
    origin_system: str
    created_date: dt.datetime
    kind: str
    organisation: str
    country: str
    sector: str
    name: str | None  # only when the signer chose to show it
    role: str | None


class SignaturesOut(Schema):
    total_records: int
    page: int
    per_page: int
    browser_url: str
    by_country: dict[str, int]
    signatures: list[SignatureOut]


class PageIn(Schema):
    page: int = Field(1, ge=1, le=100_000)
    per_page: int = Field(100, ge=1, le=500)
    country: str = Field("", max_length=2)


class SignatureIn(Schema):
    kind: str = Field("organisation", max_length=20)
    organisation: str = Field("", max_length=300)
    country: str = Field(..., max_length=2)
    sector: str = Field("", max_length=30)
    signatory: str = Field(..., max_length=300)
    role: str = Field("", max_length=300)
    email: str = Field(..., max_length=300)
    show_signatory: bool = False


class SignedOut(Schema):
    identifiers: list[str]
    state: str


def _declaration(slug):
    gathering = Gathering.objects.filter(slug=slug).first()
    found = declaration_of(gathering) if gathering is not None else None
    if found is None or not found.is_published:
        raise NotFound()
    return found


def _out(row):
    shown = row.show_signatory
    return {
        "identifiers": [f"convoca:signature:{row.pk}"], "origin_system": ORIGIN, "created_date": row.created_at,
        "kind": row.kind, "organisation": row.organisation, "country": str(row.country), "sector": row.sector,
        "name": row.signatory if shown else None, "role": row.role if shown and row.role else None,
    }


@router.get("/gatherings/{slug}/signatures", response={200: SignaturesOut, **ERRORS}, auth=optional,
            summary="Public endorsements of the published declaration")
def signatures(request, slug: str, filters: Query[PageIn]):
    found = _declaration(slug)
    rows = queries.public(found).order_by("pk")
    if filters.country:
        rows = rows.filter(country=filters.country.upper())
    counts = queries.counts_by_country(found)
    start = (filters.page - 1) * filters.per_page
    return {
        "total_records": rows.count(), "page": filters.page, "per_page": filters.per_page,
        "browser_url": settings.SITE_URL + reverse("endorsements:list", args=[slug]),
        "by_country": {code: organisations + individuals for code, _n, organisations, individuals in counts},
        "signatures": [_out(r) for r in rows[start:start + filters.per_page]],
    }


@router.post("/gatherings/{slug}/signatures", response={201: SignedOut, **ERRORS}, auth=token_or_session,
             summary="Record a signature (a coordinator's script); public once its email is verified")
def sign(request, slug: str, payload: SignatureIn):
    found = _declaration(slug)
    if not request.user.has_perm("endorsements.manage", found.gathering):
        raise PermissionDenied()
    endorsement, _links = services.sign_on(found, **payload.dict())
    return 201, {"identifiers": [f"convoca:signature:{endorsement.pk}"], "state": endorsement.state}
