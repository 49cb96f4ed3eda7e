"""``GET /api/v1/audit``: the audit trail for coordinators' scripts, with the
filters of the page. Entries give numbers (the acting account, the gathering,
the target) and, for the reader, the same names the page shows."""

import datetime as dt

from django.utils.translation import gettext as _
from ninja import Query, Router, Schema
from pydantic import Field

from convoca.core.api_auth import token_or_session
from convoca.core.errors import PermissionDenied, ServiceError

from . import actions, queries

router = Router(tags=["audit"])

MAX_LIMIT = 200
MAX_OFFSET = 10**9
MAX_ID = 2**63 - 1


class Error(Schema):
    detail: str
    code: str | None = None
    field: str | None = None


class EntryOut(Schema):
    id: int
    at: dt.datetime
    action: str
    action_label: str
    actor: int | None
    actor_name: str | None
    gathering: int | None
    gathering_name: str | None
    target_type: str | None
    target_id: str | None
    target_name: str | None
    note: str


class EntryList(Schema):
    count: int
    items: list[EntryOut]


class Filters(Schema):
    gathering: int | None = Field(None, ge=1, le=MAX_ID)
    action: str | None = None
    actor: int | None = Field(None, ge=1, le=MAX_ID)
    since: dt.date | None = None
    until: dt.date | None = None
    limit: int = Field(50, ge=1, le=MAX_LIMIT)
    offset: int = Field(0, ge=0, le=MAX_OFFSET)


@router.get("/audit", response={200: EntryList, 400: Error, 401: Error, 403: Error}, auth=token_or_session,
            url_name="audit_trail")
def trail(request, filters: Query[Filters]):
    """The audit trail, newest first (coordinators)."""
    if not request.user.has_perm("audit.view_trail"):
        raise PermissionDenied(_("Only coordinators can read the audit trail."))
    if filters.action and filters.action not in actions.ACTIONS:
        raise ServiceError(_("Choose one of the listed actions."), field="action")
    if filters.since and filters.until and filters.until < filters.since:
        raise ServiceError(_("The end date must be on or after the start date."), field="until")
    queryset = queries.entries(gathering=filters.gathering, action=filters.action, actor=filters.actor,
                               since=filters.since, until=filters.until)
    page = list(queryset[filters.offset : filters.offset + filters.limit])
    rows = queries.describe(request.user, page)
    return {"count": queryset.count(), "items": [
        {"id": entry.pk, "at": entry.at, "action": entry.action, "action_label": row.action,
         "actor": entry.actor_id, "actor_name": row.actor, "gathering": entry.gathering_id,
         "gathering_name": row.gathering, "target_type": entry.target_type or None,
         "target_id": entry.target_id or None, "target_name": row.target, "note": row.note}
        for entry, row in zip(page, rows, strict=True)
    ]}
