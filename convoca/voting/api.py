"""Polls, ballots, proxies over /api/v1/. Same services, same rules as the web pages."""

from datetime import datetime

from django.db.models import prefetch_related_objects
from django.http import JsonResponse
from django.utils.translation import gettext_lazy as _
from ninja import Router, Schema

from convoca.accounts.second_factor import require_recent_second_factor
from convoca.audit import queries as audit_queries
from convoca.core.api_auth import optional, token_or_session
from convoca.core.errors import NotFound, PermissionDenied
from convoca.gatherings.models import Gathering, Registration
from convoca.texts.queries import localize

from . import queries, services
from .models import Proxy, weight_display

router = Router(tags=["voting"])


class ErrorOut(Schema):
    detail: str
    code: str | None = None
    field: str | None = None
    errors: list[dict] | None = None


ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut}


class ShareOut(Schema):
    code: str
    name: str
    eligible: int
    voted: int
    eligible_weight: str
    voted_weight: str
    percent: float


class TurnoutOut(Schema):
    eligible: int
    voted: int
    eligible_weight: str
    voted_weight: str
    percent: float
    by_country: list[ShareOut]
    by_sector: list[ShareOut]


class ResultsOut(Schema):
    poll: int
    state: str
    seed: str
    result: dict
    turnout: TurnoutOut


class ReceiptOut(Schema):
    receipt: str
    choices: list[str]
    choice_ids: list[int]
    voter: str | None = None


class ReceiptsOut(Schema):
    poll: int
    seed: str
    ballots: list[ReceiptOut]


class AuditOut(Schema):
    action: str
    at: datetime
    actor: int | None
    note: str


class OptionOut(Schema):
    id: int
    code: str
    label: str


class PollIn(Schema):
    gathering: str
    title: str
    kind: str = "yes_no"
    options: list[str] = []
    description: str = ""
    secrecy: str = "secret"
    electorate: str = "present"
    chosen_voters: list[int] = []
    weighting: str = "delegate"
    custom_weights: dict[str, str] = {}
    min_choices: int | None = None
    max_choices: int | None = None
    seats: int = 1
    quorum_percent: str = "0"
    majority: str = "simple"
    majority_percent: str | None = None
    base: str = "valid"
    block_threshold: int = 1
    tie_break: str = "none"
    allow_change: bool = False
    results_while_open: bool = False
    opens_at: datetime | None = None
    closes_at: datetime | None = None
    tellers: list[int | str] = []
    tellers_needed: int | None = None


class TellerOut(Schema):
    position: int
    user: int
    ready: bool


class PollOut(Schema):
    id: int
    gathering: str
    title: str
    description: str
    language: str
    original_language: str
    kind: str
    secrecy: str
    state: str
    electorate: str
    weighting: str
    min_choices: int
    max_choices: int
    seats: int
    quorum_percent: str
    majority: str
    majority_percent: str | None
    base: str
    block_threshold: int
    tie_break: str
    allow_change: bool
    results_while_open: bool
    opens_at: datetime | None
    closes_at: datetime | None
    opened_at: datetime | None
    closed_at: datetime | None
    published_at: datetime | None
    annul_reason: str
    options: list[OptionOut]
    tellers_needed: int
    tellers: list[TellerOut]
    counted: bool


def _localize(polls):
    """Polls with their options, each with ``.localized`` in the caller's language: one query for them all."""
    polls = list(polls)
    prefetch_related_objects(polls, "options")
    localize([*polls, *(o for p in polls for o in p.options.all())])
    return polls


def poll_out(poll):
    """A poll as the API shows it: its texts in the caller's language (``Accept-Language``) where a version
    exists, with ``language`` saying which, as the proposals do."""
    if not hasattr(poll, "localized"):
        _localize([poll])
    text = poll.localized
    return {
        "id": poll.pk, "gathering": poll.gathering.slug, "title": text["title"].text,
        "description": text["description"].text, "language": text.language, "original_language": poll.original_language,
        "kind": poll.kind, "secrecy": poll.secrecy, "state": poll.state, "electorate": poll.electorate,
        "weighting": poll.weighting, "min_choices": poll.min_choices, "max_choices": poll.max_choices,
        "seats": poll.seats, "quorum_percent": str(poll.quorum_percent), "majority": poll.majority,
        "majority_percent": str(poll.majority_percent) if poll.majority_percent is not None else None,
        "base": poll.base, "block_threshold": poll.block_threshold, "tie_break": poll.tie_break,
        "allow_change": poll.allow_change, "results_while_open": poll.results_while_open,
        "opens_at": poll.opens_at, "closes_at": poll.closes_at, "opened_at": poll.opened_at,
        "closed_at": poll.closed_at, "published_at": poll.published_at, "annul_reason": poll.annul_reason,
        "options": [{"id": o.pk, "code": o.code, "label": o.localized["label"].text if o.label else str(o.display)}
                    for o in poll.options.all()],
        "tellers_needed": poll.tellers_needed if poll.is_secret else 0,
        "tellers": [{"position": t.position, "user": t.user_id, "ready": t.is_ready} for t in poll.tellers.all()],
        "counted": poll.is_counted,
    }


def _poll_for(request, poll_id, perm="voting.view_poll"):
    poll = queries.get_poll(poll_id)
    if poll is None:
        raise NotFound(_("This poll does not exist."))
    if not request.user.has_perm(perm, poll):
        raise PermissionDenied()
    return poll


def _gathering(slug):
    gathering = Gathering.objects.filter(slug=slug).first()
    if gathering is None:
        raise NotFound(_("This gathering does not exist."))
    return gathering


@router.get("/polls", response={200: list[PollOut], **ERRORS}, auth=token_or_session, url_name="voting_polls")
def list_polls(request, gathering: str):
    """The polls of a gathering, newest first."""
    g = _gathering(gathering)
    if not request.user.has_perm("voting.view_polls", g):
        raise PermissionDenied()
    return [poll_out(p) for p in _localize(queries.polls_for(g).prefetch_related("options", "tellers"))]


@router.post("/polls", response={201: PollOut, **ERRORS}, auth=token_or_session, url_name="voting_create")
def create_poll(request, payload: PollIn):
    """Create a poll (state "draft"). Contradictory rules are refused with 400."""
    require_recent_second_factor(request)
    data = payload.dict()
    g = _gathering(data.pop("gathering"))
    poll = services.create_poll(request.user, g, **data)
    return 201, poll_out(poll)


@router.get("/polls/{poll_id}", response={200: PollOut, **ERRORS}, auth=token_or_session, url_name="voting_poll")
def get_poll(request, poll_id: int):
    return poll_out(_poll_for(request, poll_id))


class ReasonIn(Schema):
    reason: str = ""


@router.post("/polls/{poll_id}/open", response={200: PollOut, **ERRORS}, auth=token_or_session, url_name="voting_open")
def open_poll(request, poll_id: int):
    """Open the poll: the voter roll (present delegates, proxies, weights) is frozen now."""
    require_recent_second_factor(request)
    return poll_out(services.open_poll(request.user, _poll_for(request, poll_id, "voting.manage_poll")))


@router.post("/polls/{poll_id}/close", response={200: PollOut, **ERRORS}, auth=token_or_session, url_name="voting_close")
def close_poll(request, poll_id: int):
    """Close the poll and count it."""
    require_recent_second_factor(request)
    return poll_out(services.close_poll(request.user, _poll_for(request, poll_id, "voting.manage_poll")))


@router.post("/polls/{poll_id}/publish", response={200: PollOut, **ERRORS}, auth=token_or_session, url_name="voting_publish")
def publish_poll(request, poll_id: int):
    """Publish the results of a closed poll."""
    require_recent_second_factor(request)
    return poll_out(services.publish_poll(request.user, _poll_for(request, poll_id, "voting.manage_poll")))


@router.post("/polls/{poll_id}/annul", response={200: PollOut, **ERRORS}, auth=token_or_session, url_name="voting_annul")
def annul_poll(request, poll_id: int, payload: ReasonIn):
    """Annul the poll, with a reason everyone will read."""
    require_recent_second_factor(request)
    poll = _poll_for(request, poll_id, "voting.manage_poll")
    return poll_out(services.annul_poll(request.user, poll, payload.reason))


class PassphraseIn(Schema):
    passphrase: str


@router.post("/polls/{poll_id}/teller", response={200: PollOut, **ERRORS}, auth=token_or_session,
             url_name="voting_teller")
def set_teller_passphrase(request, poll_id: int, payload: PassphraseIn):
    """A teller of a secret poll sets their teller passphrase (at least 12 characters), before the poll opens."""
    poll = _poll_for(request, poll_id, "voting.be_teller")
    services.set_teller_passphrase(request.user, poll, payload.passphrase)
    return poll_out(poll)


class UnlockIn(Schema):
    teller: int | str
    passphrase: str


@router.post("/polls/{poll_id}/count", response={200: PollOut, **ERRORS}, auth=token_or_session,
             url_name="voting_count")
def count(request, poll_id: int, payload: list[UnlockIn]):
    """Unseal and count a closed secret poll: the tellers needed, each with their passphrase
    (``[{"teller": user id or email, "passphrase": "..."}]``), together in this one request."""
    require_recent_second_factor(request)
    poll = _poll_for(request, poll_id, "voting.count_poll")
    return poll_out(services.count_sealed(request.user, poll, [item.dict() for item in payload]))


class CastIn(Schema):
    choices: list[int | str] = []
    idempotency_key: str | None = None
    proxy_split: dict[str, list[int | str]] | None = None


class ReceiptOfVote(Schema):
    receipt: str
    vote: str  # "own" or "proxy"
    delegate: int | None = None  # for a proxy: the registration of the delegate who gave it


class CastOut(Schema):
    poll: int
    receipt: str  # the own vote's receipt (see receipts)
    receipts: list[ReceiptOfVote]
    votes: int
    weight: str
    duplicate: bool
    changed: bool


@router.post("/polls/{poll_id}/ballots", response={200: CastOut, 201: CastOut, **ERRORS}, auth=token_or_session,
             url_name="voting_cast")
def cast(request, poll_id: int, payload: CastIn):
    """Cast a ballot (and those held by proxy). Send a random ``idempotency_key``
    (or an ``Idempotency-Key`` header): a retry with the same key and ballot
    answers 200 with the same receipt and counts once. 201 means it is stored."""
    key = payload.idempotency_key or request.headers.get("Idempotency-Key")
    result = services.cast_ballot(request.user, poll_id, payload.choices, key, payload.proxy_split)
    # A plain JsonResponse (same fields as CastOut): this is the hot path of a vote storm.
    return JsonResponse({
        "poll": result.poll_id, "receipt": result.receipt, "receipts": result.receipts_out(), "votes": result.votes,
        "weight": weight_display(result.weight, result.unit), "duplicate": result.duplicate, "changed": result.changed,
    }, status=200 if result.duplicate else 201)


@router.get("/polls/{poll_id}/turnout", response={200: TurnoutOut, **ERRORS}, auth=token_or_session, url_name="voting_turnout")
def turnout(request, poll_id: int):
    """Who has taken part so far: counts and weight, per country and per sector."""
    return queries.turnout(_poll_for(request, poll_id))


class ResultsRulesOut(ResultsOut):
    rules: str


@router.get("/polls/{poll_id}/results", response={200: ResultsRulesOut, **ERRORS}, auth=optional, url_name="voting_results")
def results(request, poll_id: int):
    """Results and the rules they were counted by: public once published (for a public gathering);
    organisers see them once counted."""
    poll = queries.get_poll(poll_id)
    if poll is None:
        raise NotFound(_("This poll does not exist."))
    if not queries.can_see_results(request.user, poll):
        raise PermissionDenied(_("The results are not available yet."))
    return {"poll": poll.pk, "state": poll.state, "seed": poll.seed if poll.is_counted else "",
            "result": queries.labelled_result(poll, queries.live_result(poll)),
            "turnout": queries.turnout(poll), "rules": queries.rules_text(poll)}


@router.get("/polls/{poll_id}/receipts", response={200: ReceiptsOut, **ERRORS}, auth=optional, url_name="voting_receipts")
def receipts(request, poll_id: int):
    """Every (receipt, choice) once the results are published: check your own
    ballots. Named polls also say who voted what."""
    poll = queries.get_poll(poll_id)
    if poll is None:
        raise NotFound(_("This poll does not exist."))
    if not queries.can_see_receipts(request.user, poll):
        raise PermissionDenied(_("Receipts are published with the results."))
    return {"poll": poll.pk, "seed": poll.seed, "ballots": queries.receipts(poll, request.user)}


@router.get("/polls/{poll_id}/audit", response={200: list[AuditOut], **ERRORS}, auth=token_or_session, url_name="voting_audit")
def audit(request, poll_id: int):
    """The poll's steps in the audit trail, oldest first: ``action`` is the step ("created", "opened", ...; the
    trail's own code is "poll.<step>", see ``GET /api/v1/audit``) and ``actor`` the acting account's number."""
    poll = _poll_for(request, poll_id, "voting.view_audit")
    return [
        {"action": a.action.removeprefix("poll."), "at": a.at, "actor": a.actor_id, "note": a.note}
        for a in audit_queries.entries(target=poll).reverse()
    ]


class ProxyIn(Schema):
    holder: int
    giver: int | None = None


class ProxyOut(Schema):
    id: int
    giver: int
    holder: int
    created_at: datetime
    revoked_at: datetime | None


def _proxy_out(p):
    return {"id": p.pk, "giver": p.giver_id, "holder": p.holder_id, "created_at": p.created_at, "revoked_at": p.revoked_at}


@router.get("/gatherings/{slug}/proxies", response={200: list[ProxyOut], **ERRORS}, auth=token_or_session, url_name="voting_proxies")
def list_proxies(request, slug: str):
    """Organisers see every proxy; a delegate sees those they gave or hold."""
    g = _gathering(slug)
    qs = Proxy.objects.filter(gathering=g)
    if not request.user.has_perm("voting.manage_proxies", g):
        qs = qs.filter(giver__person__user=request.user) | qs.filter(holder__person__user=request.user)
    return [_proxy_out(p) for p in qs]


@router.post("/gatherings/{slug}/proxies", response={201: ProxyOut, **ERRORS}, auth=token_or_session, url_name="voting_give_proxy")
def give_proxy(request, slug: str, payload: ProxyIn):
    g = _gathering(slug)
    holder = Registration.objects.filter(gathering=g, pk=payload.holder).first()
    giver = Registration.objects.filter(gathering=g, pk=payload.giver).first() if payload.giver else None
    if payload.giver and giver is None:
        raise NotFound(_("This delegate is not registered at this gathering."))
    return 201, _proxy_out(services.give_proxy(request.user, g, holder, giver))


@router.post("/proxies/{proxy_id}/revoke", response={200: ProxyOut, **ERRORS}, auth=token_or_session, url_name="voting_revoke_proxy")
def revoke_proxy(request, proxy_id: int):
    proxy = Proxy.objects.select_related("giver__person", "holder__person", "gathering").filter(pk=proxy_id).first()
    if proxy is None or not request.user.has_perm("voting.revoke_proxy", proxy):  # others' proxies do not exist
        raise NotFound()
    return _proxy_out(services.revoke_proxy(request.user, proxy))
