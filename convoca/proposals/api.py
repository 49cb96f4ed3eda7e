"""Proposals and amendments over JSON, through the same services and rules as the pages. Bodies are read
loosely and checked by the services, so a bad value is a JSON 400 naming its field; refusals are 403,
unknown or hidden proposals 404, an edit racing another 409. Texts are in the caller's language
(``Accept-Language``) when a translation exists, with ``language`` and ``is_translation`` saying so."""

import datetime as dt
import html
import json
from typing import Any

from django.utils.dateparse import parse_datetime
from django.utils.html import strip_tags
from django.utils.translation import gettext as _
from ninja import Router, Schema

from convoca.accounts.second_factor import require_recent_second_factor
from convoca.core.api_auth import optional, token_or_session
from convoca.core.errors import NotFound, PermissionDenied, ServiceError
from convoca.gatherings.models import Gathering

from . import consolidation as cons
from . import export, queries, services
from .models import Amendment, Conflict, Proposal, Theme

router = Router(tags=["proposals"])


# --- schemas (documentation of the shapes; values are checked by the services) ------------------


class ErrorOut(Schema):
    detail: str
    code: str
    field: str | None = None


ERRORS = {400: ErrorOut, 401: Any, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}


class ThemeOut(Schema):
    id: int
    name: str
    prefix: str
    position: int


class MatchOut(Schema):
    """Where a search found a proposal: the text that matched (``field``: title, text, or the ``amendment``
    numbered so), its language and a few words around the match (``snippet_html``: escaped, matches in <mark>)."""

    language: str
    field: str
    amendment: int | None
    snippet: str
    snippet_html: str


class ProposalOut(Schema):
    id: int
    gathering: str
    number: str | None
    title: str
    language: str
    original_language: str
    is_translation: bool
    state: str
    theme: ThemeOut | None
    version: int
    submitting_organisations: list[str | None]
    cosponsoring_organisations: list[str | None]
    support: int
    amendment_count: int | None = None
    submitted_at: dt.datetime | None
    decided_at: dt.datetime | None
    amendment_deadline: dt.datetime | None
    url: str
    match: MatchOut | None = None


class AmendmentOut(Schema):
    id: int
    number: int
    label: str
    kind: str
    first: int
    last: int
    state: str
    base_version: int
    old_text: str
    new_text: str
    text_in_text_language: str | None
    reason: str
    language: str
    original_language: str
    organisation: str | None
    poll: int | None
    conflict: int | None


class ProvenanceOut(Schema):
    gathering: str
    country: str
    number: str
    title: str
    adopted_at: dt.datetime | None
    vote: dict | None
    forwarded_at: dt.datetime


class ProposalDetailOut(ProposalOut):
    text: str
    referred_to: str
    decision_note: str
    merged_into: int | None
    merged_from: list[int]
    forwarded_from: int | None
    poll: int | None
    vote: dict | None
    provenance: list[ProvenanceOut]
    amendments: list[AmendmentOut]
    open_conflicts: list[int]
    actions: list[str]


class ProposalPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[ProposalOut]


class VersionOut(Schema):
    number: int
    reason: str
    amendment: int | None
    created_at: dt.datetime
    title: str
    text: str


class SegmentOut(Schema):
    op: str
    text: str


class DiffOut(Schema):
    older: int
    newer: int
    title: list[SegmentOut]
    text: list[SegmentOut]


class ProposalIn(Schema):
    title: Any = None
    text: Any = None
    theme: Any = None
    original_language: Any = None


class EditIn(Schema):
    title: Any = None
    text: Any = None
    base_version: Any = None


class TransitionIn(Schema):
    action: Any = None
    theme: Any = None
    deadline: Any = None
    reason: Any = None
    working_group: Any = None


class SupportIn(Schema):
    support: Any = True


class ForwardIn(Schema):
    conference: Any = None


class PollIn(Schema):
    secrecy: Any = None
    electorate: Any = None


class AmendmentIn(Schema):
    kind: Any = None
    first: Any = None
    last: Any = None
    text: Any = None
    reason: Any = None
    base_version: Any = None
    original_language: Any = None


class AmendmentActionIn(Schema):
    action: Any = None


class AlternativesIn(Schema):
    amendments: Any = None
    secrecy: Any = None


class ResolveIn(Schema):
    text: Any = None
    base_version: Any = None


class MergeIn(Schema):
    proposals: Any = None
    title: Any = None
    text: Any = None
    theme: Any = None
    original_language: Any = None


class ThemeIn(Schema):
    name: Any = None
    prefix: Any = None
    position: Any = 0


class SettingsIn(Schema):
    submissions_open: Any = True
    amendment_stage: Any = True
    amendment_days: Any = 14
    prefix: Any = "P"


class SettingsOut(Schema):
    submissions_open: bool
    amendment_stage: bool
    amendment_days: int
    prefix: str


# --- helpers ------------------------------------------------------------------------------------------


def _gathering(slug):
    gathering = Gathering.objects.filter(slug=slug).first()
    if gathering is None:
        raise NotFound(_("There is no gathering with this short name."))
    return gathering


def _proposal(request, proposal_id):
    """A proposal the caller may see (hidden ones are missing ones)."""
    found = None
    if 0 < proposal_id < 2**63:
        found = Proposal.objects.select_related("gathering").filter(pk=proposal_id).first()
    if found is not None:
        found = queries.get_proposal(request.user, found.gathering, proposal_id)
    if found is None:
        raise NotFound(_("This proposal no longer exists."))
    return found


def _amendment(proposal, number):
    found = Amendment.objects.filter(proposal=proposal, number=number).select_related("poll").first() if (
        0 < number < 2**31) else None
    if found is None:
        raise NotFound(_("This amendment no longer exists."))
    found.proposal = proposal
    return found


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
    if isinstance(value, bool):
        raise ServiceError(_("Enter a whole number."), field=field)
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise ServiceError(_("Enter a whole number."), field=field) from None
    return max(lo, min(hi, number))


def _theme_out(theme):
    return {"id": theme.pk, "name": theme.name, "prefix": theme.prefix, "position": theme.position} if theme else None


def _proposal_out(user, p, sponsors):
    shown = p.localized
    return {
        "id": p.pk, "gathering": p.gathering.slug, "number": p.number or None, "title": shown["title"].text,
        "language": shown.language, "original_language": p.original_language, "is_translation": shown.is_translation,
        "state": p.state, "theme": _theme_out(p.theme), "version": p.version,
        "submitting_organisations": sponsors.submitters, "cosponsoring_organisations": sponsors.cosponsors,
        "support": sponsors.support, "amendment_count": getattr(p, "amendment_count", None),
        "submitted_at": p.submitted_at, "decided_at": p.decided_at, "amendment_deadline": p.amendment_deadline,
        "url": p.get_absolute_url(), "match": _match_out(getattr(p, "hit", None)),
    }


def _match_out(hit):
    if hit is None:
        return None
    return {"language": hit.language, "field": hit.field, "amendment": hit.amendment_number,
            "snippet": html.unescape(strip_tags(hit.snippet)), "snippet_html": str(hit.snippet)}


def _detail_out(request, p):
    user = request.user
    page = queries.proposal_page(user, p)
    texts = queries.amendment_texts(page["amendments"], p.original_language)
    conflict_of = {c.amendment_id: c.pk for c in page["conflicts"] if c.is_open}
    out = _proposal_out(user, p, page["sponsors"])
    out.update({
        "text": p.localized["text"].text, "referred_to": p.referred_to, "decision_note": p.decision_note,
        "merged_into": p.merged_into_id, "merged_from": [m.pk for m in page["merged_from"]],
        "forwarded_from": p.forwarded_from_id, "poll": p.poll_id, "vote": page["vote"],
        "provenance": [
            {"gathering": s.gathering_title, "country": s.country, "number": s.number, "title": s.title,
             "adopted_at": s.adopted_at, "vote": s.vote, "forwarded_at": s.forwarded_at}
            for s in page["provenance"]
        ],
        "amendments": [
            {
                "id": a.pk, "number": a.number, "label": a.label, "kind": a.kind, "first": a.first, "last": a.last,
                "state": a.state, "base_version": a.base_version, "old_text": a.old_text,
                "new_text": a.localized["new_text"].text, "text_in_text_language": texts[a.pk],
                "reason": a.localized["reason"].text, "language": a.localized.language,
                "original_language": a.original_language,
                "organisation": queries.organisation_name(user, a.organisation), "poll": a.poll_id,
                "conflict": conflict_of.get(a.pk),
            }
            for a in page["amendments"]
        ],
        "open_conflicts": [c.pk for c in page["open_conflicts"]],
        "actions": sorted(services.allowed_actions(user, p)),
    })
    return out


def _detail(request, proposal):
    return _detail_out(request, _proposal(request, proposal.pk))


# --- lists, writing, export -----------------------------------------------------------------------


@router.get("/gatherings/{slug}/proposals", response={200: ProposalPage, **ERRORS}, auth=optional,
            summary="Proposals of a gathering")
def list_proposals(request, slug: str, theme: str = None, state: str = None, q: str = None, limit: str = None,
                   offset: str = None):
    """Adopted proposals for everyone, the others for coalition members, drafts for their author. Filter by
    ``theme`` (id) and ``state``; page with ``limit`` (at most 200) and ``offset``. ``q`` searches the titles
    and texts of proposals and their amendments in every language (originals and translations; accents and
    capitals do not matter, each word is the start of a word, all are required; a number such as MIG-3 finds
    that proposal): the items then come best first, each with the text that matched in ``match``."""
    gathering = _gathering(slug)
    theme_obj = None
    if theme not in (None, ""):
        theme_obj = Theme.objects.filter(gathering=gathering, pk=_int(theme, 0, "theme", 0, 2**62)).first()
        if theme_obj is None:
            raise ServiceError(_("Choose a theme of this gathering."), field="theme")
    if state not in (None, "") and state not in Proposal.State.values:
        raise ServiceError(_("Choose one of: %(choices)s.") % {"choices": ", ".join(Proposal.State.values)},
                           field="state")
    limit, offset = _int(limit, 50, "limit", 1, 200), _int(offset, 0, "offset", 0, 10**9)
    search = (q or "").strip()[:100]
    if search:  # full text, best first, each item with the text that matched
        results = queries.search(gathering, search, queries.reader_language(), user=request.user,
                                 theme=theme_obj, state=state or None)
        count, rows = len(results), results.rows(results.ids[offset:offset + limit])
    else:
        rows = queries.proposal_list(request.user, gathering, theme=theme_obj, state=state or None)
        count, rows = rows.count(), rows[offset:offset + limit]
    items = queries.localize(queries.with_sponsors(request.user, rows, gathering))
    return {"count": count, "limit": limit, "offset": offset,
            "items": [_proposal_out(request.user, p, p.sponsors) for p in items]}


@router.post("/gatherings/{slug}/proposals", response={201: ProposalDetailOut, **ERRORS}, auth=token_or_session,
             summary="Write a proposal (a draft)")
def create_proposal(request, slug: str, payload: ProposalIn):
    """Accredited delegates of the gathering. The proposal is a draft only its author sees until submitted
    (``POST /proposals/{id}/transitions`` with ``{"action": "submit"}``)."""
    gathering = _gathering(slug)
    proposal = services.create_proposal(
        request.user, gathering, title=_text(payload.title, "title"), text=_text(payload.text, "text"),
        theme=payload.theme, original_language=payload.original_language,
    )
    return 201, _detail(request, proposal)


@router.get("/gatherings/{slug}/proposals/export", response={200: dict, **ERRORS}, auth=token_or_session,
            summary="Export proposals with amendments and provenance")
def export_proposals(request, slug: str):
    """Organisers only: every proposal but drafts, with amendments, sponsors, votes and provenance, in the
    language each was written in (the same data as the CSV download of the list page and
    ``convoca export-proposals``)."""
    gathering = _gathering(slug)
    if not request.user.has_perm("proposals.export_proposals", gathering):
        raise PermissionDenied(_("Only the organisers of this gathering (coordinators, and the national committee for "
                                 "its own meeting) can do this."))
    return json.loads(export.render(gathering, "json")[0])


@router.post("/gatherings/{slug}/proposals/merge", response={201: ProposalDetailOut, **ERRORS},
             auth=token_or_session, summary="Merge proposals into a composite one")
def merge_proposals(request, slug: str, payload: MergeIn):
    """Organisers only. ``proposals``: the ids of at least two proposals of the gathering not decided yet."""
    gathering = _gathering(slug)
    sources = payload.proposals if isinstance(payload.proposals, list) else None
    if sources is None:
        raise ServiceError(_("Choose at least two proposals to merge."), field="proposals")
    composite = services.merge_proposals(
        request.user, gathering, sources, title=_text(payload.title, "title"), text=_text(payload.text, "text"),
        theme=payload.theme, original_language=payload.original_language,
    )
    return 201, _detail(request, composite)


@router.get("/gatherings/{slug}/proposal-settings", response={200: SettingsOut, **ERRORS}, auth=optional,
            summary="How proposals work at a gathering")
def get_settings(request, slug: str):
    found = queries.settings_for(_gathering(slug))
    return {name: getattr(found, name) for name in ("submissions_open", "amendment_stage", "amendment_days", "prefix")}


@router.post("/gatherings/{slug}/proposal-settings", response={200: SettingsOut, **ERRORS}, auth=token_or_session,
             summary="Change how proposals work at a gathering")
def set_settings(request, slug: str, payload: SettingsIn):
    found = services.configure(
        request.user, _gathering(slug), submissions_open=_bool(payload.submissions_open, "submissions_open"),
        amendment_stage=_bool(payload.amendment_stage, "amendment_stage"), amendment_days=payload.amendment_days,
        prefix=_text(payload.prefix, "prefix"),
    )
    return {name: getattr(found, name) for name in ("submissions_open", "amendment_stage", "amendment_days", "prefix")}


@router.get("/gatherings/{slug}/themes", response={200: list[ThemeOut], **ERRORS}, auth=optional,
            summary="Themes of a gathering's proposals")
def list_themes(request, slug: str):
    return [_theme_out(t) for t in queries.themes_for(_gathering(slug))]


@router.post("/gatherings/{slug}/themes", response={201: ThemeOut, **ERRORS}, auth=token_or_session,
             summary="Add a theme")
def add_theme(request, slug: str, payload: ThemeIn):
    theme = services.add_theme(request.user, _gathering(slug), name=_text(payload.name, "name"),
                               prefix=_text(payload.prefix, "prefix"), position=payload.position)
    return 201, _theme_out(theme)


# --- one proposal ---------------------------------------------------------------------------------------


@router.get("/proposals/{proposal_id}", response={200: ProposalDetailOut, **ERRORS}, auth=optional,
            summary="One proposal with its amendments and provenance")
def get_proposal(request, proposal_id: int):
    return _detail_out(request, _proposal(request, proposal_id))


@router.post("/proposals/{proposal_id}/edit", response={200: ProposalDetailOut, **ERRORS}, auth=token_or_session,
             summary="A new version of the title and text")
def edit_proposal(request, proposal_id: int, payload: EditIn):
    """``base_version``: the version the new text was written on; when another was saved meanwhile the
    answer is 409 and nothing is written."""
    proposal = _proposal(request, proposal_id)
    services.edit_proposal(request.user, proposal, title=_text(payload.title, "title"),
                           text=_text(payload.text, "text"), base_version=payload.base_version)
    return _detail(request, proposal)


TRANSITIONS = ("submit", "admit", "open", "debate", "adopt", "reject", "withdraw", "refer")


@router.post("/proposals/{proposal_id}/transitions", response={200: ProposalDetailOut, **ERRORS},
             auth=token_or_session, summary="Move a proposal through its workflow")
def transition(request, proposal_id: int, payload: TransitionIn):
    """``action``: submit (its author), admit (``theme``), open (``deadline``, ISO 8601), debate, adopt,
    reject (``reason``, required for a submitted proposal), withdraw (``reason``), refer (``working_group``)."""
    proposal = _proposal(request, proposal_id)
    action = payload.action
    if action not in TRANSITIONS:
        raise ServiceError(_("Choose one of: %(choices)s.") % {"choices": ", ".join(TRANSITIONS)}, field="action")
    user = request.user
    if action == "submit":
        services.submit_proposal(user, proposal)
    elif action == "admit":
        services.admit_proposal(user, proposal, theme=payload.theme)
    elif action == "open":
        deadline = payload.deadline
        if deadline not in (None, ""):
            deadline = parse_datetime(deadline) if isinstance(deadline, str) else None
            if deadline is None:
                raise ServiceError(_("Enter the date and time until which amendments are taken."), field="deadline")
        services.open_amendments(user, proposal, deadline)
    elif action == "debate":
        services.start_debate(user, proposal)
    elif action == "adopt":
        services.adopt_proposal(user, proposal)
    elif action == "reject":
        services.reject_proposal(user, proposal, reason=_text(payload.reason, "reason"))
    elif action == "withdraw":
        services.withdraw_proposal(user, proposal, reason=_text(payload.reason, "reason"))
    else:
        services.refer_proposal(user, proposal, _text(payload.working_group, "working_group"))
    return _detail(request, proposal)


@router.post("/proposals/{proposal_id}/support", response={200: ProposalDetailOut, **ERRORS},
             auth=token_or_session, summary="Co-sponsor (or stop co-sponsoring) for your organisation")
def support(request, proposal_id: int, payload: SupportIn):
    proposal = _proposal(request, proposal_id)
    if _bool(payload.support, "support"):
        services.sponsor(request.user, proposal)
    else:
        services.withdraw_support(request.user, proposal)
    return _detail(request, proposal)


@router.post("/proposals/{proposal_id}/forward", response={201: ProposalDetailOut, **ERRORS},
             auth=token_or_session, summary="Forward an adopted proposal to the conference")
def forward(request, proposal_id: int, payload: ForwardIn):
    """The national committee of the meeting's country; ``conference``: the conference's short name."""
    proposal = _proposal(request, proposal_id)
    conference = Gathering.objects.filter(slug=_text(payload.conference, "conference")).first()
    if conference is None:
        raise ServiceError(_("Choose the continental conference to forward it to."), field="conference")
    copy = services.forward_proposal(request.user, proposal, conference)
    return 201, _detail(request, copy)


@router.post("/proposals/{proposal_id}/poll", response={201: dict, **ERRORS}, auth=token_or_session,
             summary="Put a proposal in debate to the vote")
def proposal_poll(request, proposal_id: int, payload: PollIn):
    """A yes/no/abstain poll (``secrecy``, ``electorate`` as for any poll); its published result adopts or
    rejects the proposal."""
    proposal = _proposal(request, proposal_id)
    poll = services.create_proposal_poll(request.user, proposal, secrecy=payload.secrecy,
                                         electorate=payload.electorate)
    return 201, {"poll": poll.pk, "url": poll.get_absolute_url()}


@router.get("/proposals/{proposal_id}/versions", response={200: list[VersionOut], **ERRORS}, auth=optional,
            summary="Every version of the text")
def versions(request, proposal_id: int):
    proposal = _proposal(request, proposal_id)
    return [
        {"number": v.number, "reason": v.reason, "amendment": v.amendment_id, "created_at": v.created_at,
         "title": v.title, "text": v.text}
        for v in queries.versions_of(proposal)
    ]


@router.get("/proposals/{proposal_id}/diff", response={200: DiffOut, **ERRORS}, auth=optional,
            summary="Word-level differences between two versions")
def diff(request, proposal_id: int, older: int, newer: int):
    proposal = _proposal(request, proposal_id)
    found = queries.version_diff(proposal, older, newer) if 0 < older < 2**31 and 0 < newer < 2**31 else None
    if found is None:
        raise NotFound(_("This version of the text does not exist."))
    return {"older": older, "newer": newer,
            "title": [{"op": s.op, "text": s.text} for s in found["title"]],
            "text": [{"op": s.op, "text": s.text} for s in found["text"]]}


# --- amendments and conflicts -----------------------------------------------------------------------------


@router.post("/proposals/{proposal_id}/amendments", response={201: AmendmentOut, **ERRORS}, auth=token_or_session,
             summary="Propose an amendment")
def propose_amendment(request, proposal_id: int, payload: AmendmentIn):
    """Accredited delegates, while the proposal is open for amendments. ``kind``: replace (paragraphs
    ``first``..``last`` by ``text``), delete (them) or insert (``text`` after paragraph ``first``; 0 for the
    very beginning). Paragraphs are counted in the text open for amendments."""
    proposal = _proposal(request, proposal_id)
    amendment = services.propose_amendment(
        request.user, proposal, kind=payload.kind, first=payload.first, last=payload.last,
        text=_text(payload.text, "text"), reason=_text(payload.reason, "reason"), base_version=payload.base_version,
        original_language=payload.original_language,
    )
    detail = _detail(request, proposal)
    return 201, next(a for a in detail["amendments"] if a["id"] == amendment.pk)


AMENDMENT_ACTIONS = {"withdraw": services.withdraw_amendment, "adopt": services.adopt_amendment,
                     "reject": services.reject_amendment}


@router.post("/proposals/{proposal_id}/amendments/{number}/transitions", response={200: ProposalDetailOut, **ERRORS},
             auth=token_or_session, summary="Withdraw, adopt or reject an amendment")
def amendment_transition(request, proposal_id: int, number: int, payload: AmendmentActionIn):
    proposal = _proposal(request, proposal_id)
    amendment = _amendment(proposal, number)
    action = payload.action
    if action not in AMENDMENT_ACTIONS:
        raise ServiceError(_("Choose one of: %(choices)s.") % {"choices": ", ".join(AMENDMENT_ACTIONS)},
                           field="action")
    AMENDMENT_ACTIONS[action](request.user, amendment)
    return _detail(request, proposal)


@router.post("/proposals/{proposal_id}/amendments/{number}/poll", response={201: dict, **ERRORS},
             auth=token_or_session, summary="Put an amendment in debate to the vote")
def amendment_poll(request, proposal_id: int, number: int, payload: PollIn):
    proposal = _proposal(request, proposal_id)
    poll = services.create_amendment_poll(request.user, _amendment(proposal, number), secrecy=payload.secrecy,
                                          electorate=payload.electorate)
    return 201, {"poll": poll.pk, "url": poll.get_absolute_url()}


@router.post("/proposals/{proposal_id}/alternatives", response={201: dict, **ERRORS}, auth=token_or_session,
             summary="Competing amendments as the options of one poll")
def alternatives(request, proposal_id: int, payload: AlternativesIn):
    """``amendments``: the numbers of at least two amendments in debate."""
    proposal = _proposal(request, proposal_id)
    numbers = payload.amendments if isinstance(payload.amendments, list) else []
    chosen = [_amendment(proposal, _int(n, 0, "amendments", 0, 2**30)) for n in numbers]
    poll = services.create_alternatives_poll(request.user, proposal, chosen, secrecy=payload.secrecy)
    return 201, {"poll": poll.pk, "url": poll.get_absolute_url()}


@router.post("/proposals/{proposal_id}/conflicts/{conflict_id}/resolve", response={200: ProposalDetailOut, **ERRORS},
             auth=token_or_session, summary="Write the paragraphs where adopted amendments collide")
def resolve(request, proposal_id: int, conflict_id: int, payload: ResolveIn):
    """Organisers only. ``text`` replaces the paragraphs of the conflict; ``base_version`` is the version of
    the text it was written on (409 when the text changed since)."""
    proposal = _proposal(request, proposal_id)
    conflict = Conflict.objects.filter(proposal=proposal, pk=conflict_id).select_related("amendment").first() if (
        0 < conflict_id < 2**63) else None
    if conflict is None:
        raise NotFound(_("This conflict does not exist."))
    conflict.proposal = proposal
    services.resolve_conflict(request.user, conflict, text=_text(payload.text, "text"),
                              base_version=payload.base_version)
    return _detail(request, proposal)


@router.get("/proposals/{proposal_id}/conflicts/{conflict_id}", response={200: dict, **ERRORS},
            auth=token_or_session, summary="What a conflict concerns")
def conflict_detail(request, proposal_id: int, conflict_id: int):
    """Organisers only: the paragraphs concerned, their text now and the version to write on."""
    proposal = _proposal(request, proposal_id)
    if not request.user.has_perm("proposals.manage_proposals", proposal):
        raise PermissionDenied()
    conflict = Conflict.objects.filter(proposal=proposal, pk=conflict_id).first() if 0 < conflict_id < 2**63 else None
    if conflict is None:
        raise NotFound(_("This conflict does not exist."))
    conflict.proposal = proposal
    start, end, current = services.resolution_start(conflict)
    return {"id": conflict.pk, "amendment": conflict.amendment_id, "others": conflict.others,
            "first": start + 1, "last": end, "text_now": current, "paragraphs": len(cons.paragraphs(current)),
            "base_version": proposal.version, "resolved": not conflict.is_open}


# --- the declaration -------------------------------------------------------------------------------------


class SourceOut(Schema):
    id: int
    number: str | None
    title: str


class SectionOut(Schema):
    id: int
    position: int
    heading: str
    text: str
    language: str
    original_language: str
    is_translation: bool
    is_outdated: bool
    version: int
    sources: list[SourceOut]


class DeclarationOut(Schema):
    id: int
    gathering: str
    title: str
    language: str
    original_language: str
    is_translation: bool
    is_outdated: bool
    state: str
    version: int
    published_version: int | None
    published_at: dt.datetime | None
    url: str
    sections: list[SectionOut]


class DeclarationVersionOut(Schema):
    number: int
    reason: str
    created_at: dt.datetime
    title: str
    sections: list[dict]


class DeclarationStartIn(Schema):
    title: Any = None
    original_language: Any = None


class DeclarationTitleIn(Schema):
    title: Any = None
    base_version: Any = None


class SectionAddIn(Schema):
    proposal: Any = None


class SectionEditIn(Schema):
    heading: Any = None
    text: Any = None
    sources: Any = None
    base_version: Any = None


class SectionMoveIn(Schema):
    position: Any = None


def _declaration(request, slug, manage=False):
    """The gathering's declaration if the caller may read it (a draft is not public: 404 otherwise)."""
    gathering = _gathering(slug)
    found = queries.declaration_of(gathering)
    if found is None or not request.user.has_perm("proposals.view_declaration", found):
        raise NotFound(_("This gathering has no declaration yet."))
    if manage and not request.user.has_perm("proposals.manage_declaration", found):
        raise PermissionDenied(_("Only the organisers of this gathering (coordinators, and the national committee "
                                 "for its own meeting) can do this."))
    return found


def _section(declaration, section_id):
    found = None
    if 0 < section_id < 2**63:
        found = declaration.sections.filter(pk=section_id).first()
    if found is None:
        raise NotFound(_("This section no longer exists."))
    found.declaration = declaration
    return found


def _declaration_out(declaration, original=False):
    page = queries.declaration_page(declaration, original=original)
    shown = declaration.localized
    return {
        "id": declaration.pk, "gathering": declaration.gathering.slug, "title": shown["title"].text,
        "language": shown.language, "original_language": declaration.original_language,
        "is_translation": shown.is_translation, "is_outdated": shown.is_outdated, "state": declaration.state,
        "version": declaration.version, "published_version": declaration.published_version,
        "published_at": declaration.published_at, "url": declaration.get_absolute_url(),
        "sections": [
            {"id": s.pk, "position": s.position + 1, "heading": s.localized["heading"].text,
             "text": s.localized["text"].text, "language": s.localized.language,
             "original_language": s.original_language, "is_translation": s.localized.is_translation,
             "is_outdated": s.localized.is_outdated, "version": s.version,
             "sources": [{"id": src.pk, "number": src.number or None, "title": src.title} for src in s.source_list]}
            for s in page["sections"]
        ],
    }


def _declaration_again(request, slug):
    return _declaration_out(_declaration(request, slug))


@router.get("/gatherings/{slug}/declaration", response={200: DeclarationOut, **ERRORS}, auth=optional,
            summary="The declaration of a gathering")
def get_declaration(request, slug: str, original: bool = False):
    """Everyone once it is published; coalition members while it is a draft. Title and sections in the
    caller's language (``Accept-Language``) where a translation exists (``original=true``: as written), each
    saying its language, whether it is a translation and whether that is outdated; each section with its
    source proposals."""
    return _declaration_out(_declaration(request, slug), original=original)


@router.post("/gatherings/{slug}/declaration", response={201: DeclarationOut, **ERRORS}, auth=token_or_session,
             summary="Start the declaration of a gathering")
def start_declaration(request, slug: str, payload: DeclarationStartIn):
    """Organisers only. A gathering has one declaration: starting it again changes nothing."""
    found = services.start_declaration(request.user, _gathering(slug), title=_text(payload.title, "title"),
                                       original_language=payload.original_language)
    return 201, _declaration_out(found)


@router.post("/gatherings/{slug}/declaration/title", response={200: DeclarationOut, **ERRORS},
             auth=token_or_session, summary="Change the title of the declaration")
def declaration_title(request, slug: str, payload: DeclarationTitleIn):
    """``base_version``: the declaration's version the title was written on (409 when it changed since)."""
    found = _declaration(request, slug, manage=True)
    services.change_declaration_title(request.user, found, title=_text(payload.title, "title"),
                                      base_version=payload.base_version)
    return _declaration_again(request, slug)


@router.post("/gatherings/{slug}/declaration/sections", response={201: SectionOut, **ERRORS},
             auth=token_or_session, summary="Add a section from an adopted proposal")
def add_section(request, slug: str, payload: SectionAddIn):
    """Organisers only. ``proposal``: the id of an adopted proposal of the gathering; the new last section
    starts with its consolidated text and its title as heading."""
    found = _declaration(request, slug, manage=True)
    section = services.add_section(request.user, found, payload.proposal)
    out = _declaration_again(request, slug)
    return 201, next(s for s in out["sections"] if s["id"] == section.pk)


@router.post("/gatherings/{slug}/declaration/sections/{section_id}", response={200: DeclarationOut, **ERRORS},
             auth=token_or_session, summary="Edit a section of the declaration")
def edit_section(request, slug: str, section_id: int, payload: SectionEditIn):
    """``heading``, ``text`` (Markdown), ``sources`` (ids of adopted proposals; left out: unchanged) and
    ``base_version``, the section's version the text was written on (409 when someone saved it since)."""
    found = _declaration(request, slug, manage=True)
    if payload.sources is not None and not isinstance(payload.sources, list):
        raise ServiceError(_("Choose the adopted proposals this section comes from."), field="sources")
    services.edit_section(request.user, _section(found, section_id), heading=_text(payload.heading, "heading"),
                          text=_text(payload.text, "text"), base_version=payload.base_version,
                          sources=payload.sources)
    return _declaration_again(request, slug)


@router.post("/gatherings/{slug}/declaration/sections/{section_id}/move", response={200: DeclarationOut, **ERRORS},
             auth=token_or_session, summary="Move a section of the declaration")
def move_section(request, slug: str, section_id: int, payload: SectionMoveIn):
    """``position``: where the section goes (1: first)."""
    found = _declaration(request, slug, manage=True)
    services.move_section(request.user, _section(found, section_id), payload.position)
    return _declaration_again(request, slug)


@router.delete("/gatherings/{slug}/declaration/sections/{section_id}", response={200: DeclarationOut, **ERRORS},
               auth=token_or_session, summary="Remove a section of the declaration")
def remove_section(request, slug: str, section_id: int):
    found = _declaration(request, slug, manage=True)
    services.remove_section(request.user, _section(found, section_id))
    return _declaration_again(request, slug)


@router.post("/gatherings/{slug}/declaration/publish", response={200: DeclarationOut, **ERRORS},
             auth=token_or_session, summary="Publish the declaration")
def publish_declaration(request, slug: str):
    """Organisers only: from now on everyone reads it. Publishing it again changes nothing."""
    found = _declaration(request, slug, manage=True)
    require_recent_second_factor(request)
    services.publish_declaration(request.user, found)
    return _declaration_again(request, slug)


@router.get("/gatherings/{slug}/declaration/versions", response={200: list[DeclarationVersionOut], **ERRORS},
            auth=optional, summary="Every version of the declaration")
def declaration_versions(request, slug: str):
    found = _declaration(request, slug)
    return [{"number": v.number, "reason": v.reason, "created_at": v.created_at, "title": v.title,
             "sections": v.sections} for v in queries.declaration_versions(found)]


@router.get("/gatherings/{slug}/declaration/diff", response={200: DiffOut, **ERRORS}, auth=optional,
            summary="Word-level differences between two versions of the declaration")
def declaration_diff(request, slug: str, older: int, newer: int):
    found = _declaration(request, slug)
    diff = queries.declaration_diff(found, older, newer) if 0 < older < 2**31 and 0 < newer < 2**31 else None
    if diff is None:
        raise NotFound(_("This version of the text does not exist."))
    return {"older": older, "newer": newer,
            "title": [{"op": s.op, "text": s.text} for s in diff["title"]],
            "text": [{"op": s.op, "text": s.text} for s in diff["text"]]}
