"""The plenary over JSON, through the same services and rules as the pages: the agenda and what happens now,
a list of speakers, asking to speak and withdrawing, and the chair's actions. Bodies are read loosely and
checked by the services: a bad value is a 400 naming its field, a refusal 403, an agenda that is not
published (or an item of another gathering) 404, a chair's action against a list that changed meanwhile
400 with code ``stale``. Names follow each person's choice, as on the pages; a self-declared gender is only
in the chairs' answers."""

import datetime as dt
from typing import Any

from django.utils.translation import gettext as _
from ninja import Router, Schema

from convoca.core.api_auth import optional, token_or_session
from convoca.core.errors import NotFound, PermissionDenied, ServiceError
from convoca.gatherings.models import Gathering
from convoca.texts.queries import localize

from . import queries, services
from .models import Speaker
from .rules import can_see_video_room

router = Router(tags=["plenary"])


class ErrorOut(Schema):
    detail: str
    code: str
    field: str | None = None


ERRORS = {400: ErrorOut, 401: Any, 403: ErrorOut, 404: ErrorOut}


class SessionOut(Schema):
    id: int
    title: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    room: str
    video_url: str | None = None  # chairs and accredited participants only


class ItemOut(Schema):
    id: int
    position: int
    title: str
    language: str
    session: int | None
    duration_minutes: int
    proposal: int | None
    poll: int | None
    speaking_seconds: int
    total_seconds: int
    list_closed: bool
    version: int


class AgendaOut(Schema):
    gathering: str
    published: bool
    current_item: int | None
    message: str
    sessions: list[SessionOut]
    items: list[ItemOut]


class SpeakerOut(Schema):
    id: int
    number: int
    place: int | None
    name: str
    kind: str
    state: str
    reason: str
    remote: bool
    is_you: bool
    gender: str | None = None  # chairs only


class ClockOut(Schema):
    limit_seconds: int
    elapsed_seconds: int
    remaining_seconds: int | None
    running: bool


class SpeakersOut(Schema):
    item: int
    version: int
    list_closed: bool
    current: SpeakerOut | None
    clock: ClockOut | None
    waiting: list[SpeakerOut]
    done: list[SpeakerOut]
    item_remaining_seconds: int | None


class AskIn(Schema):
    kind: Any = None
    gender: Any = None
    remote: Any = None
    registration: Any = None  # chairs: put this accredited participant on the list


class FloorIn(Schema):
    action: Any = None  # next, stop, pause, resume, close, open
    speaker: Any = None
    version: Any = None


class MoveIn(Schema):
    place: Any = None
    version: Any = None


class CurrentIn(Schema):
    item: Any = None
    version: Any = None


def _gathering(request, slug):
    gathering = Gathering.objects.filter(slug=slug).first()
    if gathering is None or not request.user.has_perm("plenary.view_programme", gathering):
        raise NotFound(_("This agenda does not exist or is not published."))
    return gathering


def _item(request, slug, item_id):
    gathering = _gathering(request, slug)
    item = queries.get_item(gathering, item_id)
    if item is None:
        raise NotFound(_("This agenda item does not exist or is not published."))
    item.gathering = gathering
    return item


def _require_chair(request, gathering):
    if not request.user.has_perm("plenary.chair", gathering):
        raise PermissionDenied(_("Only the chairs of this gathering (its organisers) can do this."))


def _speaker_out(row, state=None):
    return {
        "id": row.pk, "number": row.number, "place": row.place if (state or row.speaker.state) == "waiting" else None,
        "name": str(row.name), "kind": row.speaker.kind, "state": row.speaker.state, "reason": row.speaker.reason or "arrival",
        "remote": row.remote, "is_you": row.is_viewer, "gender": (row.speaker.gender or None) if row.gender else None,
    }


def _speakers_out(request, item):
    shown = queries.speakers_list(request.user, item)
    clock = shown.timer
    return {
        "item": item.pk, "version": item.version, "list_closed": item.list_closed,
        "current": _speaker_out(shown.current) if shown.current else None,
        "clock": {"limit_seconds": clock.limit, "elapsed_seconds": clock.elapsed, "remaining_seconds": clock.remaining,
                  "running": clock.running} if clock else None,
        "waiting": [_speaker_out(row) for row in shown.waiting],
        "done": [_speaker_out(row) for row in shown.done],
        "item_remaining_seconds": shown.item_remaining,
    }


@router.get("/gatherings/{slug}/agenda", response={200: AgendaOut, **ERRORS}, auth=optional,
            summary="The agenda: sessions, items in order, the current item and the chair's message")
def agenda(request, slug: str):
    gathering = _gathering(request, slug)
    plenary = queries.plenary_row(gathering)
    sessions = list(queries.sessions_of(gathering))
    items = list(queries.items_of(gathering))
    localize([*sessions, *items])
    video = can_see_video_room(request.user, gathering)
    return {
        "gathering": gathering.slug, "published": plenary.programme_published,
        "current_item": plenary.current_item_id, "message": plenary.message,
        "sessions": [{"id": s.pk, "title": s.localized["title"].text, "starts_at": s.starts_at, "ends_at": s.ends_at,
                      "room": s.room, "video_url": (s.video_link or None) if video else None} for s in sessions],
        "items": [{"id": i.pk, "position": i.position, "title": i.localized["title"].text,
                   "language": i.localized.language, "session": i.session_id, "duration_minutes": i.duration_minutes,
                   "proposal": i.proposal_id, "poll": i.poll_id, "speaking_seconds": i.speaking_seconds,
                   "total_seconds": i.total_seconds, "list_closed": i.list_closed, "version": i.version}
                  for i in items],
    }


@router.post("/gatherings/{slug}/agenda/current", response={200: AgendaOut, **ERRORS}, auth=token_or_session,
             summary="Chairs: make an item the current one (null: none)")
def set_current(request, slug: str, payload: CurrentIn):
    gathering = Gathering.objects.filter(slug=slug).first()
    if gathering is None:
        raise NotFound(_("This agenda does not exist or is not published."))
    _require_chair(request, gathering)
    item = None
    if payload.item not in (None, ""):
        item = queries.get_item(gathering, payload.item)
        if item is None:
            raise NotFound(_("This agenda item does not exist or is not published."))
    services.set_current_item(request.user, gathering, item, expected_version=payload.version)
    return agenda(request, slug)


@router.get("/gatherings/{slug}/agenda/items/{item_id}/speakers", response={200: SpeakersOut, **ERRORS},
            auth=optional, summary="An item's list of speakers: who speaks (and the clock), who waits and why")
def speakers(request, slug: str, item_id: int):
    return _speakers_out(request, _item(request, slug, item_id))


@router.post("/gatherings/{slug}/agenda/items/{item_id}/speakers", response={201: SpeakersOut, **ERRORS},
             auth=token_or_session, summary="Ask to speak (or, for chairs, put a participant on the list)")
def ask(request, slug: str, item_id: int, payload: AskIn):
    item = _item(request, slug, item_id)
    kind = payload.kind or Speaker.Kind.CONTRIBUTION
    if not isinstance(kind, str):
        kind = "?"
    if payload.registration not in (None, ""):
        services.add_speaker(request.user, item, payload.registration, kind=kind,
                             remote=None if payload.remote is None else bool(payload.remote))
    else:
        gender = payload.gender if isinstance(payload.gender, str) or payload.gender is None else "?"
        services.ask_to_speak(request.user, item, kind=kind, gender=gender or "",
                              remote=None if payload.remote is None else bool(payload.remote))
    return 201, _speakers_out(request, queries.get_item(item.gathering, item.pk))


@router.delete("/gatherings/{slug}/agenda/items/{item_id}/speakers/me", response={200: SpeakersOut, **ERRORS},
               auth=token_or_session, summary="Withdraw your request to speak")
def withdraw(request, slug: str, item_id: int):
    item = _item(request, slug, item_id)
    services.withdraw(request.user, item)
    return _speakers_out(request, queries.get_item(item.gathering, item.pk))


FLOOR = {
    "next": services.start_next, "stop": services.stop_speaker, "pause": services.pause_speaker,
    "resume": services.resume_speaker,
}


@router.post("/gatherings/{slug}/agenda/items/{item_id}/floor", response={200: SpeakersOut, **ERRORS},
             auth=token_or_session, summary="Chairs: next speaker (or a chosen one), stop, pause, resume; close or open the list")
def floor(request, slug: str, item_id: int, payload: FloorIn):
    item = _item(request, slug, item_id)
    _require_chair(request, item.gathering)
    action = payload.action
    if action in ("close", "open"):
        services.close_list(request.user, item, action == "close", expected_version=payload.version)
    elif isinstance(action, str) and action in FLOOR:
        kwargs = {"expected_version": payload.version}
        if action == "next" and payload.speaker not in (None, ""):
            kwargs["speaker"] = payload.speaker
        FLOOR[action](request.user, item, **kwargs)
    else:
        raise ServiceError(_("Choose what to do with the floor."), field="action")
    return _speakers_out(request, queries.get_item(item.gathering, item.pk))


def _speaker(request, slug, speaker_id):
    gathering = _gathering(request, slug)
    _require_chair(request, gathering)
    speaker = Speaker.objects.select_related("item__gathering").filter(pk=speaker_id, item__gathering=gathering).first()
    if speaker is None:
        raise NotFound(_("This speaker is not on this list."))
    return speaker


@router.post("/gatherings/{slug}/agenda/speakers/{speaker_id}/move", response={200: SpeakersOut, **ERRORS},
             auth=token_or_session, summary="Chairs: move a waiting speaker (send the list's version)")
def move(request, slug: str, speaker_id: int, payload: MoveIn):
    speaker = _speaker(request, slug, speaker_id)
    services.move_speaker(request.user, speaker, payload.place, payload.version)
    return _speakers_out(request, queries.get_item(speaker.item.gathering, speaker.item_id))


@router.post("/gatherings/{slug}/agenda/speakers/{speaker_id}/remove", response={200: SpeakersOut, **ERRORS},
             auth=token_or_session, summary="Chairs: take a waiting speaker off the list")
def remove(request, slug: str, speaker_id: int, payload: MoveIn):
    speaker = _speaker(request, slug, speaker_id)
    services.remove_speaker(request.user, speaker, payload.version)
    return _speakers_out(request, queries.get_item(speaker.item.gathering, speaker.item_id))
