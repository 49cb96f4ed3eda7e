"""Every write of proposals and amendments. The web views, the API, the CLI
and the ticker call these functions; each takes the acting user, checks
``rules.py``, runs in a transaction, claims rows with conditional updates
(zero rows updated: someone else got there first) and records what happened
(``Event``: who, when). Every change others may be looking at is announced on
the gathering's topic once the transaction commits (``publish_on_commit``).

The workflow (``TRANSITIONS``)::

    draft → submitted → admitted → open for amendments → in debate → adopted
                                 ↘ (without amendment stage) ↗          ↘ rejected
    withdrawn (author or managers), merged into another, referred to a working group

Refusals raise ``ServiceError`` (400), ``PermissionDenied`` (403),
``NotFound`` (404) or ``EditConflict`` (409), each with a translated message.
"""

import datetime as dt

from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from convoca.core.errors import NotFound, PermissionDenied, ServiceError
from convoca.core.events import publish_on_commit
from convoca.gatherings.models import Gathering
from convoca.texts import languages
from convoca.texts import services as text_services
from convoca.voting import services as voting_services
from convoca.voting.models import Poll

from . import consolidation as cons
from . import queries, search
from .models import (
    Amendment,
    Conflict,
    Declaration,
    DeclarationVersion,
    Event,
    Proposal,
    ProposalSettings,
    Provenance,
    Section,
    Sponsorship,
    Theme,
    Version,
)
from .rules import delegate_registration

S = Proposal.State
A = Amendment.State
MAX_TITLE = 200
MAX_TEXT = 60_000
MAX_PARAGRAPHS = 300
MAX_AMENDMENT_TEXT = 20_000
MAX_NOTE = 2000
MAX_GROUP = 200
PREFIX_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
POLL_SETTINGS = frozenset({
    "secrecy", "electorate", "weighting", "majority", "majority_percent", "base", "quorum_percent", "tie_break",
    "tellers", "tellers_needed", "opens_at", "closes_at", "chosen_voters", "custom_weights",
})


class EditConflict(ServiceError):
    """Someone saved a newer version of the text meanwhile (``current``): compare, then save again."""

    status = 409

    def __init__(self, message, current=None):
        super().__init__(message, code="conflict")
        self.current = current


# --- small helpers -----------------------------------------------------------------------------


def _announce(proposal, kind, **data):
    """Tell the gathering's live pages what changed (ids and states, never personal data)."""
    event = {"kind": kind, "proposal": proposal.pk, "number": proposal.number, "state": proposal.state, **data}
    publish_on_commit(f"gathering:{proposal.gathering_id}", event)


def _record(proposal, action, actor, from_state="", to_state="", *, amendment=None, poll=None, note="", version=None):
    return Event.objects.create(
        proposal=proposal, amendment_id=getattr(amendment, "pk", amendment), action=action, from_state=from_state or "", to_state=to_state or "",
        actor=actor if getattr(actor, "pk", None) else None, poll=poll, note=note or "", version=version,
        at=timezone.now(),
    )


def _require(user, perm, obj, message):
    if user is None or not user.has_perm(perm, obj):
        raise PermissionDenied(message)


def _require_manager(user, obj):
    _require(
        user, "proposals.manage_proposals", obj,
        _("Only the organisers of this gathering (coordinators, and the national committee for its own meeting) "
          "can do this."),
    )


def _require_delegate(user, gathering, message):
    registration = delegate_registration(user, gathering)
    if registration is None:
        raise PermissionDenied(message)
    return registration


def _text(value, field, *, limit, required=True, empty_message=None):
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise ServiceError(_("Enter text."), field=field)
    value = value.strip()
    if required and not value:
        raise ServiceError(empty_message or _("This field is required."), field=field)
    if len(value) > limit:
        raise ServiceError(_("This text is too long (%(max)s characters at most).") % {"max": limit}, field=field)
    return value


def clean_title(value, field="title"):
    return " ".join(_text(value, field, limit=MAX_TITLE, empty_message=_("Enter a title.")).split())


def clean_body(value, field="text"):
    """The Markdown of a proposal in its stored form (paragraphs separated by one blank line)."""
    text = cons.clean_text(_text(value, field, limit=MAX_TEXT, empty_message=_("Enter the text of the proposal.")))
    if not text:
        raise ServiceError(_("Enter the text of the proposal."), field=field)
    if len(cons.paragraphs(text)) > MAX_PARAGRAPHS:
        raise ServiceError(
            _("A proposal can have at most %(max)s paragraphs.") % {"max": MAX_PARAGRAPHS}, field=field
        )
    return text


def clean_language(value, field="original_language"):
    """One of the four language codes (``pt``, ``pt_BR`` and ``PT-br`` are ``pt-br``); the author's (the
    request's) language when none is given."""
    if value in (None, ""):
        return languages.current_language()
    code = languages.normalize(value) if isinstance(value, str) else None
    if code is None:
        raise ServiceError(
            _("Choose one of the languages: %(choices)s.") % {"choices": ", ".join(languages.codes())}, field=field
        )
    return code


def _number(value, field, message):
    if isinstance(value, bool):
        raise ServiceError(message, field=field)
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ServiceError(message, field=field) from None


def _state_label(state, model=Proposal):
    try:
        return model.State(state).label
    except ValueError:
        return state


def _when(moment):
    return formats.date_format(timezone.localtime(moment), "DATETIME_FORMAT")


def _reload(proposal):
    return Proposal.objects.select_related("gathering", "theme", "poll").get(pk=proposal.pk)


# --- settings and themes --------------------------------------------------------------------------


def clean_prefix(value, field="prefix"):
    prefix = _text(value, field, limit=10, empty_message=_("Enter a numbering prefix, such as MIG.")).upper()
    if not set(prefix) <= PREFIX_CHARS or not prefix[0].isalpha():
        raise ServiceError(
            _("A numbering prefix has letters A to Z and digits only, and starts with a letter (MIG, SOB2)."),
            field=field,
        )
    return prefix


def configure(user, gathering, *, submissions_open=True, amendment_stage=True, amendment_days=14, prefix="P"):
    """The gathering's proposal workflow: whether delegates may submit, whether proposals are opened for
    amendments before the debate (and for how many days by default), the prefix of unthemed numbers."""
    _require_manager(user, gathering)
    days = _number(amendment_days, "amendment_days", _("Enter a whole number of days."))
    if not 1 <= days <= 365:
        raise ServiceError(_("Give between 1 and 365 days to amend."), field="amendment_days")
    prefix = clean_prefix(prefix)
    if Theme.objects.filter(gathering=gathering, prefix=prefix).exists():
        raise ServiceError(_("A theme of this gathering already uses this prefix."), field="prefix")
    values = {
        "submissions_open": bool(submissions_open), "amendment_stage": bool(amendment_stage),
        "amendment_days": days, "prefix": prefix,
    }
    with transaction.atomic():
        found, _created = ProposalSettings.objects.update_or_create(gathering=gathering, defaults=values)
    return found


def _theme_values(gathering, name, prefix, position, instance=None):
    name = " ".join(_text(name, "name", limit=120, empty_message=_("Enter the name of the theme.")).split())
    prefix = clean_prefix(prefix)
    position = _number(position if position not in (None, "") else 0, "position", _("Enter a whole number."))
    if not 0 <= position <= 1000:
        raise ServiceError(_("Give a position between 0 and 1000."), field="position")
    taken = Theme.objects.filter(gathering=gathering, prefix=prefix)
    if instance is not None:
        taken = taken.exclude(pk=instance.pk)
    if taken.exists():
        raise ServiceError(_("Another theme of this gathering already uses this prefix."), field="prefix")
    if queries.settings_for(gathering).prefix == prefix:
        raise ServiceError(_("This prefix numbers the proposals without a theme. Choose another one."), field="prefix")
    return {"name": name, "prefix": prefix, "position": position}


def add_theme(user, gathering, *, name, prefix, position=0):
    _require_manager(user, gathering)
    values = _theme_values(gathering, name, prefix, position)
    try:
        with transaction.atomic():
            return Theme.objects.create(gathering=gathering, **values)
    except IntegrityError:
        raise ServiceError(_("Another theme of this gathering already uses this prefix."), field="prefix") from None


def change_theme(user, theme, *, name, prefix, position=0):
    """Rename or renumber a theme; numbers already given keep their prefix."""
    _require_manager(user, theme.gathering)
    values = _theme_values(theme.gathering, name, prefix, position, instance=theme)
    for key, value in values.items():
        setattr(theme, key, value)
    try:
        with transaction.atomic():
            theme.save(update_fields=list(values))
    except IntegrityError:
        raise ServiceError(_("Another theme of this gathering already uses this prefix."), field="prefix") from None
    return theme


def _theme_of(gathering, theme, field="theme"):
    if theme in (None, ""):
        return None
    if not isinstance(theme, Theme):
        pk = _number(theme, field, _("Choose a theme of this gathering."))
        theme = Theme.objects.filter(pk=pk).first() if 0 < pk < 2**63 else None
    if theme is None or theme.gathering_id != gathering.pk:
        raise ServiceError(_("Choose a theme of this gathering."), field=field)
    return theme


# --- proposals ---------------------------------------------------------------------------------------


def create_proposal(user, gathering, *, title, text, theme=None, original_language=None):
    """An accredited delegate writes a proposal (a draft, which only they see until they submit it);
    their organisation submits it."""
    registration = _require_delegate(
        user, gathering, _("Only accredited delegates of this gathering can write proposals.")
    )
    if not queries.settings_for(gathering).submissions_open:
        raise ServiceError(_("This gathering does not take new proposals now."), code="submissions_closed")
    title, text = clean_title(title), clean_body(text)
    theme = _theme_of(gathering, theme)
    language = clean_language(original_language)
    with transaction.atomic():
        proposal = Proposal.objects.create(
            gathering=gathering, theme=theme, title=title, text=text, original_language=language,
            delegate=registration, created_by=user,
        )
        Version.objects.create(
            proposal=proposal, number=1, title=title, text=text, reason=Version.Reason.CREATED, created_by=user
        )
        Sponsorship.objects.create(
            proposal=proposal, organisation=registration.organisation, role=Sponsorship.Role.SUBMITTER,
            registration=registration,
        )
        text_services.record_original(proposal)
        search.index([proposal])
        _record(proposal, "created", user, "", S.DRAFT, version=1)
    return proposal


def _editable_states(user, proposal):
    """Its author edits a draft or a submitted proposal; the organisers edit it until it is opened for
    amendments. From then on the text changes only through amendments."""
    states = set()
    if user is not None and user.has_perm("proposals.change_proposal", proposal):
        if proposal.created_by_id == getattr(user, "pk", None):
            states |= {S.DRAFT, S.SUBMITTED}
        if user.has_perm("proposals.manage_proposals", proposal):
            states |= {S.SUBMITTED, S.ADMITTED}
    return states


def edit_proposal(user, proposal, *, title, text, base_version):
    """A new version of the title and text, written on top of ``base_version``.
    When someone saved another version meanwhile, nothing is written and
    ``EditConflict`` says so (both texts are kept: theirs saved, yours in the form)."""
    states = _editable_states(user, proposal)
    if not states:
        raise PermissionDenied(_("Only its author and the organisers of the gathering can edit this proposal."))
    if proposal.state not in states:
        raise ServiceError(
            _("This proposal is “%(state)s”: its text now changes only through amendments.")
            % {"state": _state_label(proposal.state)}, code="bad_state",
        )
    title, text = clean_title(title), clean_body(text)
    base = _number(base_version, "base_version", _("Reload the page: the version of the text is missing."))
    with transaction.atomic():
        current = Proposal.objects.filter(pk=proposal.pk).values("version", "title", "text", "state").first()
        if current is None:
            raise NotFound(_("This proposal no longer exists."))
        if current["title"] == title and current["text"] == text:
            return _reload(proposal)  # nothing changes (or a retry of a save that went through)
        now = timezone.now()
        rows = Proposal.objects.filter(pk=proposal.pk, version=base, state__in=states).update(
            title=title, text=text, version=base + 1, updated_at=now,
        )
        if not rows:
            if current["state"] not in states:
                raise ServiceError(
                    _("This proposal is “%(state)s”: its text now changes only through amendments.")
                    % {"state": _state_label(current["state"])}, code="bad_state",
                )
            raise EditConflict(
                _("Someone saved a new version of this text (version %(version)s) while you were editing. "
                  "Nothing was lost: their version is saved and yours is below. Compare them, then save again.")
                % {"version": current["version"]},
                current=_reload(proposal),
            )
        Version.objects.create(
            proposal=proposal, number=base + 1, title=title, text=text, reason=Version.Reason.EDITED, created_by=user
        )
        previous = {"title": current["title"], "text": current["text"]}
        proposal.title, proposal.text, proposal.version = title, text, base + 1
        text_services.record_original_change(proposal, ["title", "text"], previous=previous)
        search.index([proposal])
        _record(proposal, "edited", user, version=base + 1)
        if proposal.state != S.DRAFT:
            _announce(proposal, "proposal.text", version=base + 1)
    return proposal


TRANSITIONS = {
    "submit": ((S.DRAFT,), S.SUBMITTED, _("Only a draft can be submitted (this proposal is “%(state)s”).")),
    "admit": ((S.SUBMITTED,), S.ADMITTED, _("Only a submitted proposal can be admitted (this one is “%(state)s”).")),
    "open": (
        (S.ADMITTED,), S.AMENDMENT,
        _("Only an admitted proposal can be opened for amendments (this one is “%(state)s”)."),
    ),
    "debate": (
        (S.ADMITTED, S.AMENDMENT), S.DEBATE,
        _("Only an admitted proposal, or one open for amendments, can go to debate (this one is “%(state)s”)."),
    ),
    "adopt": ((S.DEBATE,), S.ADOPTED, _("Only a proposal in debate can be adopted (this one is “%(state)s”).")),
    "reject": (
        (S.SUBMITTED, S.DEBATE), S.REJECTED,
        _("Only a submitted proposal or one in debate can be rejected (this one is “%(state)s”)."),
    ),
    "withdraw": (
        (S.DRAFT, *Proposal.OPEN_STATES), S.WITHDRAWN,
        _("A proposal that is “%(state)s” can no longer be withdrawn."),
    ),
    "refer": (
        (S.ADMITTED, S.AMENDMENT, S.DEBATE), S.REFERRED,
        _("Only an admitted proposal, or one open for amendments or in debate, can be referred to a working group "
          "(this one is “%(state)s”)."),
    ),
    "merge": (
        Proposal.OPEN_STATES, S.MERGED,
        _("Only proposals that are submitted, admitted, open for amendments or in debate can be merged "
          "(“%(title)s” is “%(state)s”)."),
    ),
}


def _move(user, proposal, action, *, note="", poll=None, **fields):
    """Claim the transition ``action`` with a conditional update. Returns False
    when the proposal was already moved there (a retry changes nothing);
    raises the transition's message when it is somewhere else."""
    from_states, to, message = TRANSITIONS[action]
    now = timezone.now()
    rows = Proposal.objects.filter(pk=proposal.pk, state__in=from_states).update(state=to, updated_at=now, **fields)
    if not rows:
        current = Proposal.objects.filter(pk=proposal.pk).values_list("state", flat=True).first()
        if current is None:
            raise NotFound(_("This proposal no longer exists."))
        if current == to:
            return False
        raise ServiceError(message % {"state": _state_label(current), "title": proposal.title}, code="bad_state")
    before = proposal.state if proposal.state in from_states else ""
    proposal.state = to
    for name, value in fields.items():
        if not isinstance(value, F):
            setattr(proposal, name, value)
    _record(proposal, action, user, before, to, poll=poll, note=note)
    _announce(proposal, "proposal.state")
    return True


def _clean_note(value, field="reason", required=False, empty_message=None):
    return _text(value, field, limit=MAX_NOTE, required=required, empty_message=empty_message)


def submit_proposal(user, proposal):
    """Its author hands a draft in: the organisers see it and can admit it."""
    _require(user, "proposals.submit_proposal", proposal, _("Only its author can submit this proposal."))
    if proposal.state == S.DRAFT and not queries.settings_for(proposal.gathering).submissions_open:
        raise ServiceError(_("This gathering does not take new proposals now."), code="submissions_closed")
    with transaction.atomic():
        if not _move(user, proposal, "submit", submitted_at=timezone.now()):
            return _reload(proposal)
    return proposal


def _claim_number(gathering, theme):
    """(prefix, number): the next number of the theme (or of the gathering's unthemed proposals), claimed
    with a conditional update so that two admissions at once never get the same one."""
    if theme is None:
        ProposalSettings.objects.get_or_create(gathering=gathering, defaults=ProposalSettings.DEFAULTS)
        counter = ProposalSettings.objects.filter(gathering=gathering)
    else:
        counter = Theme.objects.filter(pk=theme.pk)
    for _attempt in range(100):
        prefix, number = counter.values_list("prefix", "next_number").get()
        if not counter.filter(next_number=number).update(next_number=number + 1):
            continue  # someone took this number first: take the next one
        if not Proposal.objects.filter(gathering=gathering, prefix=prefix, seq=number).exists():
            return prefix, number  # (a number given before a prefix was renamed back is skipped)
    raise ServiceError(_("Too many proposals are being admitted at once. Try again."), code="conflict")


def admit_proposal(user, proposal, theme=None):
    """The organisers admit a submitted proposal; it gets its number (MIG-3) from its theme."""
    _require_manager(user, proposal)
    theme = _theme_of(proposal.gathering, theme) if theme not in (None, "") else proposal.theme
    with transaction.atomic():
        if not _move(user, proposal, "admit", theme=theme):
            return _reload(proposal)
        prefix, number = _claim_number(proposal.gathering, theme)
        Proposal.objects.filter(pk=proposal.pk).update(prefix=prefix, seq=number)
        proposal.prefix, proposal.seq = prefix, number
    return proposal


def _identity_map(text):
    return list(range(len(cons.paragraphs(text))))


def clean_deadline(value, field="deadline"):
    if not isinstance(value, dt.datetime):
        raise ServiceError(_("Enter the date and time until which amendments are taken."), field=field)
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    now = timezone.now()
    if value <= now:
        raise ServiceError(_("The deadline for amendments must be in the future."), field=field)
    if value > now + dt.timedelta(days=366):
        raise ServiceError(_("The deadline for amendments can be at most a year from now."), field=field)
    return value


def default_deadline(gathering):
    days = queries.settings_for(gathering).amendment_days
    end = timezone.localtime() + dt.timedelta(days=days)
    return end.replace(hour=23, minute=59, second=0, microsecond=0)


def open_amendments(user, proposal, deadline=None):
    """The organisers open an admitted proposal for amendments until ``deadline``; its text is the base
    that amendments are written against, and changes from now on only through them."""
    _require_manager(user, proposal)
    if not queries.settings_for(proposal.gathering).amendment_stage:
        raise ServiceError(
            _("At this gathering proposals go to debate without an amendment stage."), code="no_amendment_stage"
        )
    deadline = default_deadline(proposal.gathering) if deadline in (None, "") else clean_deadline(deadline)
    with transaction.atomic():
        current = Proposal.objects.filter(pk=proposal.pk).values("text", "version").first() or {"text": "", "version": 1}
        if not _move(user, proposal, "open", amendment_deadline=deadline, base_version=current["version"],
                     paragraph_map=_identity_map(current["text"])):
            return _reload(proposal)
    return proposal


def start_debate(user, proposal):
    """The organisers put a proposal to debate; the amendments it received go to debate with it."""
    _require_manager(user, proposal)
    if proposal.state == S.ADMITTED and queries.settings_for(proposal.gathering).amendment_stage:
        raise ServiceError(
            _("Open it for amendments first: at this gathering proposals are amended before the debate."),
            code="amendment_stage",
        )
    with transaction.atomic():
        current = Proposal.objects.filter(pk=proposal.pk).values("text", "version", "base_version").first()
        fields = {}
        if current and current["base_version"] is None:
            fields = {"base_version": current["version"], "paragraph_map": _identity_map(current["text"])}
        if not _move(user, proposal, "debate", **fields):
            return _reload(proposal)
        pending = list(Amendment.objects.filter(proposal=proposal, state=A.SUBMITTED))
        if pending:
            Amendment.objects.filter(pk__in=[a.pk for a in pending], state=A.SUBMITTED).update(state=A.DEBATE)
            now = timezone.now()
            Event.objects.bulk_create(
                Event(proposal=proposal, amendment=a, action="debate", from_state=A.SUBMITTED, to_state=A.DEBATE,
                      actor=user, at=now)
                for a in pending
            )
    return proposal


def _undecided_amendments(proposal):
    return Amendment.objects.filter(proposal=proposal, state__in=Amendment.PENDING_STATES).count()


def _open_conflicts(proposal):
    return Conflict.objects.filter(proposal=proposal, resolved_at__isnull=True).count()


def _check_ready_to_decide(proposal):
    undecided = _undecided_amendments(proposal)
    if undecided:
        raise ServiceError(
            _("Decide its amendments first (not decided yet: %(n)s).") % {"n": undecided}, code="amendments_pending"
        )
    if _open_conflicts(proposal):
        raise ServiceError(
            _("Resolve the conflicts between its adopted amendments first."), code="open_conflicts"
        )


def adopt_proposal(user, proposal, *, poll=None, system=False):
    """A proposal in debate is adopted: by its poll's published result (``system``, from the ticker) or by
    the organisers' decision once its amendments are decided."""
    if not system:
        _require_manager(user, proposal)
        _check_ready_to_decide(proposal)
    with transaction.atomic():
        if not _move(user, proposal, "adopt", poll=poll, decided_at=timezone.now()):
            return _reload(proposal)
    return proposal


def reject_proposal(user, proposal, *, reason="", poll=None, system=False):
    """A proposal in debate is rejected (by its poll or the organisers); a submitted one is not admitted
    (the organisers say why: its author reads it)."""
    if not system:
        _require_manager(user, proposal)
    reason = _clean_note(
        reason, required=proposal.state == S.SUBMITTED,
        empty_message=_("Say why the proposal is not admitted: its author will read it."),
    )
    with transaction.atomic():
        if not _move(user, proposal, "reject", poll=poll, note=reason, decided_at=timezone.now(),
                     decision_note=reason):
            return _reload(proposal)
    return proposal


def withdraw_proposal(user, proposal, reason=""):
    """Its author (or the organisers) withdraw a proposal that is not decided yet."""
    _require(
        user, "proposals.withdraw_proposal", proposal,
        _("Only its author and the organisers of the gathering can withdraw this proposal."),
    )
    reason = _clean_note(reason)
    with transaction.atomic():
        if not _move(user, proposal, "withdraw", note=reason, decided_at=timezone.now(), decision_note=reason):
            return _reload(proposal)
    return proposal


def refer_proposal(user, proposal, working_group):
    """The organisers send a proposal to a working group instead of deciding it now."""
    _require_manager(user, proposal)
    group = " ".join(_text(
        working_group, "working_group", limit=MAX_GROUP, empty_message=_("Name the working group it goes to."),
    ).split())
    with transaction.atomic():
        if not _move(user, proposal, "refer", note=group, referred_to=group, decided_at=timezone.now()):
            return _reload(proposal)
    return proposal


# --- sponsors ----------------------------------------------------------------------------------------


def sponsor(user, proposal):
    """An accredited delegate co-sponsors a proposal on behalf of the organisation they represent."""
    registration = _require_delegate(
        user, proposal.gathering, _("Only accredited delegates of this gathering can co-sponsor proposals.")
    )
    if proposal.state not in Proposal.OPEN_STATES:
        raise ServiceError(
            _("Co-sponsoring is open from submission until the decision (this proposal is “%(state)s”).")
            % {"state": _state_label(proposal.state)}, code="bad_state",
        )
    with transaction.atomic():
        found = Sponsorship.objects.filter(proposal=proposal, organisation=registration.organisation_id).first()
        if found is not None:
            return found  # already behind it: a retry changes nothing
        try:
            with transaction.atomic():
                found = Sponsorship.objects.create(
                    proposal=proposal, organisation=registration.organisation, role=Sponsorship.Role.COSPONSOR,
                    registration=registration,
                )
        except IntegrityError:
            return Sponsorship.objects.get(proposal=proposal, organisation=registration.organisation_id)
        _record(proposal, "sponsored", user)
        _announce(proposal, "proposal.support", support=Sponsorship.objects.filter(proposal=proposal).count())
    return found


def withdraw_support(user, proposal):
    """A delegate withdraws their organisation's co-sponsorship (a submitting organisation withdraws the proposal instead)."""
    registration = _require_delegate(
        user, proposal.gathering, _("Only accredited delegates of this gathering can co-sponsor proposals.")
    )
    if proposal.state not in Proposal.OPEN_STATES:
        raise ServiceError(
            _("Co-sponsoring is open from submission until the decision (this proposal is “%(state)s”).")
            % {"state": _state_label(proposal.state)}, code="bad_state",
        )
    with transaction.atomic():
        found = Sponsorship.objects.filter(proposal=proposal, organisation=registration.organisation_id).first()
        if found is None:
            return proposal
        if found.role == Sponsorship.Role.SUBMITTER:
            raise ServiceError(
                _("Your organisation submitted this proposal: withdraw the proposal instead."), code="submitter"
            )
        Sponsorship.objects.filter(pk=found.pk).delete()
        _record(proposal, "unsponsored", user)
        _announce(proposal, "proposal.support", support=Sponsorship.objects.filter(proposal=proposal).count())
    return proposal


# --- merging and forwarding ------------------------------------------------------------------------------


def merge_proposals(user, gathering, sources, *, title, text, theme=None, original_language=None):
    """The organisers merge similar proposals into one composite proposal (admitted, numbered). The sources
    become "merged into" it and keep their link; it has the union of their sponsors and their provenance."""
    _require_manager(user, gathering)
    ids = []
    for source in sources or []:
        pk = source.pk if isinstance(source, Proposal) else _number(source, "proposals", _("Choose proposals."))
        if pk not in ids:
            ids.append(pk)
    if len(ids) < 2:
        raise ServiceError(_("Choose at least two proposals to merge."), field="proposals")
    found = {p.pk: p for p in Proposal.objects.filter(pk__in=[i for i in ids if 0 < i < 2**63], gathering=gathering)}
    if len(found) != len(ids):
        raise ServiceError(_("Choose proposals of this gathering."), field="proposals")
    for pk in ids:
        source = found[pk]
        if source.state not in Proposal.OPEN_STATES:
            raise ServiceError(
                TRANSITIONS["merge"][2] % {"title": source.title, "state": _state_label(source.state)},
                field="proposals", code="bad_state",
            )
    title, text = clean_title(title), clean_body(text)
    theme = _theme_of(gathering, theme)
    language = clean_language(original_language)
    now = timezone.now()
    with transaction.atomic():
        composite = Proposal.objects.create(
            gathering=gathering, theme=theme, title=title, text=text, original_language=language,
            state=S.ADMITTED, created_by=user, submitted_at=now,
        )
        Version.objects.create(
            proposal=composite, number=1, title=title, text=text, reason=Version.Reason.MERGED, created_by=user
        )
        text_services.record_original(composite)
        search.index([composite])
        prefix, number = _claim_number(gathering, theme)
        Proposal.objects.filter(pk=composite.pk).update(prefix=prefix, seq=number)
        composite.prefix, composite.seq = prefix, number
        claimed = Proposal.objects.filter(pk__in=ids, state__in=Proposal.OPEN_STATES).update(
            state=S.MERGED, merged_into=composite, decided_at=now, updated_at=now,
        )
        if claimed != len(ids):
            raise ServiceError(
                _("One of these proposals changed meanwhile. Reload the page and try again."), code="conflict"
            )
        roles = {}
        for sponsorship in Sponsorship.objects.filter(proposal_id__in=ids).order_by("role", "pk"):
            current = roles.get(sponsorship.organisation_id)
            if current is None or sponsorship.role == Sponsorship.Role.SUBMITTER:
                roles[sponsorship.organisation_id] = (sponsorship.role, sponsorship.registration_id)
        Sponsorship.objects.bulk_create(
            Sponsorship(proposal=composite, organisation_id=org, role=role, registration_id=registration)
            for org, (role, registration) in roles.items()
        )
        steps = list(Provenance.objects.filter(proposal_id__in=ids).order_by("proposal_id", "position", "pk"))
        for position, step in enumerate(steps):
            step.pk, step.proposal, step.position = None, composite, position
        Provenance.objects.bulk_create(steps)
        _record(composite, "merged", user, "", S.ADMITTED, version=1,
                note=", ".join(found[pk].number or found[pk].title for pk in ids))
        for pk in ids:
            source = found[pk]
            _record(source, "merge", user, source.state, S.MERGED, note=composite.number)
            source.state, source.merged_into = S.MERGED, composite
            _announce(source, "proposal.state", merged_into=composite.pk)
        _announce(composite, "proposal.state")
    return composite


def forward_proposal(user, proposal, conference):
    """The national committee forwards what its preparatory meeting adopted to
    the continental conference. The copy is a proposal of the conference
    (submitted, for its organisers to admit) with its own text and versions,
    and a provenance chain copied now: the meeting, its country, the date and
    the vote. Later changes on either side change nothing on the other."""
    _require(
        user, "proposals.forward_proposal", proposal,
        _("Only the national committee of the meeting's country can forward its proposals to the conference."),
    )
    if proposal.state != S.ADOPTED:
        raise ServiceError(
            _("Only an adopted proposal can be forwarded (this one is “%(state)s”).")
            % {"state": _state_label(proposal.state)}, code="bad_state",
        )
    if not isinstance(conference, Gathering) or conference.kind != Gathering.Kind.CONFERENCE:
        raise ServiceError(_("Choose the continental conference to forward it to."), field="conference")
    existing = Proposal.objects.filter(gathering=conference, forwarded_from=proposal).first()
    if existing is not None:
        return existing  # already forwarded there: a retry changes nothing
    source_gathering = proposal.gathering
    poll = Poll.objects.filter(pk=proposal.poll_id).first() if proposal.poll_id else None
    now = timezone.now()
    try:
        with transaction.atomic():
            copy = Proposal.objects.create(
                gathering=conference, title=proposal.title, text=proposal.text,
                original_language=proposal.original_language, state=S.SUBMITTED, created_by=user,
                forwarded_from=proposal, submitted_at=now,
            )
            Version.objects.create(
                proposal=copy, number=1, title=copy.title, text=copy.text, reason=Version.Reason.FORWARDED,
                created_by=user,
            )
            text_services.record_original(copy)
            search.index([copy])
            Sponsorship.objects.bulk_create(
                Sponsorship(proposal=copy, organisation_id=s.organisation_id, role=s.role, registration=None)
                for s in Sponsorship.objects.filter(proposal=proposal).order_by("role", "pk")
            )
            steps = list(Provenance.objects.filter(proposal=proposal).order_by("position", "pk"))
            for position, step in enumerate(steps):
                step.pk, step.proposal, step.position = None, copy, position
            steps.append(Provenance(
                proposal=copy, position=len(steps), source=proposal, gathering=source_gathering,
                gathering_title=source_gathering.title[:200], country=source_gathering.country.code or "",
                number=proposal.number, title=proposal.title, version=proposal.version,
                adopted_at=proposal.decided_at, vote=queries.vote_summary(poll), forwarded_by=user, forwarded_at=now,
            ))
            Provenance.objects.bulk_create(steps)
            _record(proposal, "forwarded", user, note=conference.title)
            _record(copy, "received", user, "", S.SUBMITTED, version=1, note=source_gathering.title)
            _announce(proposal, "proposal.forwarded", copy=copy.pk)
            _announce(copy, "proposal.state")
    except IntegrityError:
        existing = Proposal.objects.filter(gathering=conference, forwarded_from=proposal).first()
        if existing is None:
            raise
        return existing
    return copy


# --- amendments --------------------------------------------------------------------------------------


def check_amendable(proposal, now=None):
    """Refuse (with the reason) when ``proposal`` takes no amendments now."""
    now = now or timezone.now()
    if proposal.state == S.AMENDMENT:
        if proposal.amendment_deadline is not None and proposal.amendment_deadline <= now:
            raise ServiceError(
                _("The deadline for amendments to this proposal passed on %(deadline)s.")
                % {"deadline": _when(proposal.amendment_deadline)}, code="deadline_passed",
            )
        return
    if proposal.state in (S.DRAFT, S.SUBMITTED, S.ADMITTED):
        raise ServiceError(_("This proposal is not open for amendments yet."), code="bad_state")
    raise ServiceError(
        _("This proposal is “%(state)s”: it no longer takes amendments.") % {"state": _state_label(proposal.state)},
        code="bad_state",
    )


def propose_amendment(user, proposal, *, kind, first, last=None, text="", reason="", base_version=None,
                      original_language=None):
    """An accredited delegate proposes to replace paragraphs ``first``..``last`` with ``text``, to delete
    them, or to insert ``text`` as a new paragraph after paragraph ``first`` (0: before the first one).
    Paragraphs are those of the text open for amendments (its base version); ``base_version`` is the
    version the author saw, and an amendment to paragraphs that changed since is refused."""
    registration = _require_delegate(
        user, proposal.gathering, _("Only accredited delegates of this gathering can propose amendments.")
    )
    now = timezone.now()
    check_amendable(proposal, now)
    if kind not in Amendment.Kind.values:
        raise ServiceError(_("Choose what the amendment does: replace, delete or insert."), field="kind")
    base = Version.objects.filter(proposal=proposal, number=proposal.base_version).first()
    if base is None:
        raise ServiceError(_("This proposal is not open for amendments yet."), code="bad_state")
    blocks = cons.paragraphs(base.text)
    count = len(blocks)
    first = _number(first, "first", _("Choose the paragraph to amend."))
    last = first if last in (None, "") or kind == Amendment.Kind.INSERT else _number(
        last, "last", _("Choose the paragraph to amend."))
    missing = _("Paragraph %(n)s does not exist (any more): the text has %(count)s paragraphs.")
    if kind == Amendment.Kind.INSERT:
        if not 0 <= first <= count:
            raise ServiceError(missing % {"n": first, "count": count}, field="first", code="no_paragraph")
    else:
        if not 1 <= first <= count:
            raise ServiceError(missing % {"n": first, "count": count}, field="first", code="no_paragraph")
        if not first <= last <= count:
            raise ServiceError(missing % {"n": last, "count": count}, field="last", code="no_paragraph")
    if base_version not in (None, ""):
        seen = _number(base_version, "base_version", _("Reload the page: the version of the text is missing."))
        if seen != base.number:
            old = Version.objects.filter(proposal=proposal, number=seen).first()
            old_blocks = cons.paragraphs(old.text) if old is not None else []
            span = slice(first - 1, last) if kind != Amendment.Kind.INSERT else slice(max(first - 1, 0), first + 1)
            if old is None or old_blocks[span] != blocks[span]:
                raise ServiceError(
                    _("The paragraphs you amend have changed since you opened the page. "
                      "Read the current text and write the amendment again."), field="first", code="changed",
                )
    old_text = "" if kind == Amendment.Kind.INSERT else cons.join(blocks[first - 1:last])
    if kind == Amendment.Kind.DELETE:
        new_text = ""
    else:
        new_text = cons.clean_text(_text(
            text, "text", limit=MAX_AMENDMENT_TEXT, empty_message=_("Write the text the amendment proposes."),
        ))
        if kind == Amendment.Kind.REPLACE and new_text == old_text:
            raise ServiceError(_("The new text is the same as the current one."), field="text", code="unchanged")
    reason = _clean_note(reason, field="reason")
    # an amendment changes the words of the text: written in its language unless the author says otherwise
    language = clean_language(original_language) if original_language not in (None, "") else proposal.original_language
    with transaction.atomic():
        open_now = Q(amendment_deadline__isnull=True) | Q(amendment_deadline__gt=now)
        if not Proposal.objects.filter(open_now, pk=proposal.pk, state=S.AMENDMENT).update(
            next_amendment=F("next_amendment") + 1
        ):
            current = _reload(proposal)
            check_amendable(current, now)
            raise ServiceError(_("This proposal changed meanwhile. Reload the page and try again."), code="conflict")
        number = Proposal.objects.filter(pk=proposal.pk).values_list("next_amendment", flat=True).get() - 1
        amendment = Amendment.objects.create(
            proposal=proposal, number=number, kind=kind, first=first, last=last, base_version=base.number,
            old_text=old_text, new_text=new_text, reason=reason, original_language=language,
            delegate=registration, organisation=registration.organisation, created_by=user,
        )
        text_services.record_original(amendment)
        search.index([amendment])
        _record(proposal, "amendment", user, "", A.SUBMITTED, amendment=amendment)
        _announce(proposal, "amendment.state", amendment=amendment.pk, amendment_state=amendment.state)
    return amendment


def _move_amendment(user, amendment, to, from_states, message, *, poll=None, **fields):
    rows = Amendment.objects.filter(pk=amendment.pk, state__in=from_states).update(state=to, **fields)
    if not rows:
        current = Amendment.objects.filter(pk=amendment.pk).values_list("state", flat=True).first()
        if current is None:
            raise NotFound(_("This amendment no longer exists."))
        if current == to:
            return False
        raise ServiceError(message % {"state": _state_label(current, Amendment)}, code="bad_state")
    before = amendment.state if amendment.state in from_states else ""
    amendment.state = to
    for name, value in fields.items():
        setattr(amendment, name, value)
    _record(amendment.proposal, f"amendment_{to}", user, before, to, amendment=amendment, poll=poll)
    _announce(amendment.proposal, "amendment.state", amendment=amendment.pk, amendment_state=to)
    return True


def withdraw_amendment(user, amendment):
    """Its author (or the organisers) withdraw an amendment that is not decided yet."""
    _require(
        user, "proposals.withdraw_amendment", amendment,
        _("Only its author and the organisers of the gathering can withdraw this amendment."),
    )
    with transaction.atomic():
        _move_amendment(
            user, amendment, A.WITHDRAWN, Amendment.PENDING_STATES,
            _("An amendment that is “%(state)s” can no longer be withdrawn."), decided_at=timezone.now(),
        )
    return amendment


def _claim_change(proposal):
    """The next place in the order of adoptions and resolutions. The conditional update also
    serialises the changes of one text (it holds the proposal's row until the transaction ends)."""
    if not Proposal.objects.filter(pk=proposal.pk).update(change_seq=F("change_seq") + 1):
        raise NotFound(_("This proposal no longer exists."))
    return Proposal.objects.filter(pk=proposal.pk).values_list("change_seq", flat=True).get()


def change_list(proposal):
    """(changes, untranslated): the adopted amendments and the resolutions of a proposal as consolidation
    takes them, in order, and the adopted amendments that have no version in the language of the text (they
    cannot enter it). An amendment whose conflict was resolved is in the text through its resolution."""
    resolved = set(
        Conflict.objects.filter(proposal=proposal, resolved_at__isnull=False).values_list("amendment_id", flat=True)
    )
    adopted = [
        a for a in Amendment.objects.filter(proposal=proposal, state=A.ADOPTED, seq__isnull=False).order_by("seq")
        if a.pk not in resolved
    ]
    texts = queries.amendment_texts(adopted, proposal.original_language)
    items, untranslated = [], []
    for a in adopted:
        if texts[a.pk] is None:
            untranslated.append(a)
        else:
            items.append((a.seq, cons.Change(a.pk, a.kind, a.first, a.last, texts[a.pk])))
    for c in Conflict.objects.filter(proposal=proposal, resolved_at__isnull=False, seq__isnull=False):
        items.append((c.seq, cons.Resolution(f"r{c.pk}", c.start, c.end, c.resolution)))
    items.sort(key=lambda item: item[0])
    return [change for _seq, change in items], untranslated


def consolidated(proposal):
    """The consolidation of a proposal now (its base text, adopted amendments and resolutions); its
    ``untranslated`` lists the adopted amendments left out for want of a version in the text's language."""
    base = Version.objects.filter(proposal=proposal, number=proposal.base_version).values_list("text", flat=True).first()
    changes, untranslated = change_list(proposal)
    result = cons.consolidate(base or "", changes)
    result.untranslated = untranslated
    return result


def _check_in_text_language(amendment, proposal):
    """Refuse to decide an amendment that has no version in the language of the text it changes."""
    if queries.amendment_texts([amendment], proposal.original_language)[amendment.pk] is None:
        raise ServiceError(
            _("%(amendment)s is written in %(language)s and the text in %(text_language)s: translators must give it "
              "its version in %(text_language)s before it is decided.") % {
                "amendment": amendment.label, "language": languages.name_of(amendment.original_language),
                "text_language": languages.name_of(proposal.original_language),
            }, code="needs_translation",
        )


def _reconsolidate(user, proposal, *, reason, amendment=None):
    """Write the consolidated text as a new version when it changed, and record new conflicts."""
    proposal = Proposal.objects.get(pk=proposal.pk)
    result = consolidated(proposal)
    known = set(Conflict.objects.filter(proposal=proposal).values_list("amendment_id", flat=True))
    new_conflicts = [
        Conflict(proposal=proposal, amendment_id=clash.key, others=list(clash.others), start=clash.start, end=clash.end)
        for clash in result.clashes
        if isinstance(clash.key, int) and clash.key not in known
    ] + [  # adopted by a vote without a version in the text's language: the organisers write it
        Conflict(proposal=proposal, amendment_id=a.pk, others=[], start=max(a.first - 1, 0),
                 end=a.last if a.kind != Amendment.Kind.INSERT else a.first)
        for a in result.untranslated if a.pk not in known
    ]
    Conflict.objects.bulk_create(new_conflicts)
    for conflict in new_conflicts:
        _record(proposal, "conflict", user, amendment=conflict.amendment_id)
        _announce(proposal, "proposal.conflict", amendment=conflict.amendment_id)
    fields = {"paragraph_map": result.positions}
    if result.text != proposal.text:
        fields.update(text=result.text, version=proposal.version + 1, updated_at=timezone.now())
    if not Proposal.objects.filter(pk=proposal.pk, version=proposal.version).update(**fields):
        raise ServiceError(_("This proposal changed meanwhile. Reload the page and try again."), code="conflict")
    if "text" in fields:
        Version.objects.create(
            proposal=proposal, number=fields["version"], title=proposal.title, text=result.text, reason=reason,
            amendment=amendment, created_by=user if getattr(user, "pk", None) else None,
        )
        _record(proposal, "consolidated", user, amendment=amendment, version=fields["version"])
        previous = {"title": proposal.title, "text": proposal.text}
        proposal.text, proposal.version = result.text, fields["version"]
        text_services.record_original_change(proposal, ["text"], previous=previous)
        search.index([proposal])
        _announce(proposal, "proposal.text", version=fields["version"])
    return result, new_conflicts


def _decide_amendment(user, amendment, to, *, poll=None, system=False):
    if not system:
        _require_manager(user, amendment.proposal)
    proposal = amendment.proposal
    message = (
        _("Only an amendment in debate can be adopted (this one is “%(state)s”).") if to == A.ADOPTED
        else _("Only an amendment in debate can be rejected (this one is “%(state)s”).")
    )
    with transaction.atomic():
        state = Proposal.objects.filter(pk=proposal.pk).values_list("state", flat=True).first()
        if state != S.DEBATE:
            current = Amendment.objects.filter(pk=amendment.pk).values_list("state", flat=True).first()
            if current == to:
                return amendment
            raise ServiceError(
                _("Amendments are decided while the proposal is in debate (it is “%(state)s”).")
                % {"state": _state_label(state)}, code="bad_state",
            )
        current = Amendment.objects.filter(pk=amendment.pk).values_list("state", flat=True).first()
        if current == to:
            return amendment  # already decided this way: a retry changes nothing
        if current != A.DEBATE:
            raise ServiceError(message % {"state": _state_label(current, Amendment)}, code="bad_state")
        if to == A.ADOPTED and not system:
            _check_in_text_language(amendment, proposal)
        seq = _claim_change(proposal) if to == A.ADOPTED else None
        fields = {"decided_at": timezone.now()}
        if seq is not None:
            fields["seq"] = seq
        if not _move_amendment(user, amendment, to, (A.DEBATE,), message, poll=poll, **fields):
            return amendment
        if to == A.ADOPTED:
            _reconsolidate(user, proposal, reason=Version.Reason.AMENDMENT, amendment=amendment)
    return amendment


def adopt_amendment(user, amendment, *, poll=None, system=False):
    """An amendment in debate is adopted (by the organisers, or by its poll's result): the proposal's text
    becomes the consolidation with it; if it changes what an earlier change changed, it is a conflict for
    the organisers to resolve and the text stays as it was."""
    return _decide_amendment(user, amendment, A.ADOPTED, poll=poll, system=system)


def reject_amendment(user, amendment, *, poll=None, system=False):
    return _decide_amendment(user, amendment, A.REJECTED, poll=poll, system=system)


def resolution_start(conflict):
    """(start, end, text now) of the base paragraphs a resolution of ``conflict`` rewrites, widened to
    whole earlier resolutions and changes it overlaps, and their text in the current consolidation."""
    result = consolidated(conflict.proposal)
    start, end = result.state.widen(conflict.start, conflict.end)
    return start, end, cons.range_text(result, start, end)


def resolve_conflict(user, conflict, *, text, base_version):
    """The organisers write the text of the paragraphs where adopted amendments collide. The resolution
    takes their place in the consolidation and the text gets a new version; if the text changed since the
    page was opened, ``EditConflict`` and nothing is written."""
    proposal = conflict.proposal
    _require_manager(user, proposal)
    if proposal.state not in (S.DEBATE, S.ADOPTED):
        raise ServiceError(
            _("This proposal is “%(state)s”: its conflicts are no longer resolved.")
            % {"state": _state_label(proposal.state)}, code="bad_state",
        )
    resolution = cons.clean_text(_text(text, "text", limit=MAX_TEXT, required=False))
    base = _number(base_version, "base_version", _("Reload the page: the version of the text is missing."))
    with transaction.atomic():
        if not Proposal.objects.filter(pk=proposal.pk, version=base).update(change_seq=F("change_seq") + 1):
            if not Conflict.objects.filter(pk=conflict.pk, resolved_at__isnull=True).exists():
                return conflict  # resolved meanwhile (a retry): nothing to do
            current = _reload(proposal)
            raise EditConflict(
                _("The text changed since you opened this page (it is now version %(version)s). "
                  "Read the conflict again and write its resolution on the current text.")
                % {"version": current.version}, current=current,
            )
        seq = Proposal.objects.filter(pk=proposal.pk).values_list("change_seq", flat=True).get()
        start, end, _now = resolution_start(conflict)
        now = timezone.now()
        if not Conflict.objects.filter(pk=conflict.pk, resolved_at__isnull=True).update(
            resolved_at=now, resolved_by=user, resolution=resolution, seq=seq, start=start, end=end,
        ):
            return conflict
        conflict.resolved_at, conflict.resolution, conflict.seq = now, resolution, seq
        conflict.start, conflict.end = start, end
        _record(proposal, "resolved", user, amendment=conflict.amendment)
        _reconsolidate(user, proposal, reason=Version.Reason.RESOLUTION, amendment=conflict.amendment)
    return conflict


# --- votes on texts ------------------------------------------------------------------------------------


def _poll_values(values):
    unknown = set(values) - POLL_SETTINGS
    if unknown:
        raise TypeError(f"unknown poll settings: {sorted(unknown)}")
    return {k: v for k, v in values.items() if v not in (None, "")}


def _has_live_poll(obj):
    """A poll that will still decide: not annulled, and not applied already."""
    poll = obj.poll
    return poll is not None and poll.state != Poll.State.ANNULLED and obj.poll_applied_at is None


def _short(text, limit):
    text = " ".join((text or "").split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def create_proposal_poll(user, proposal, **settings):
    """One click: a yes/no/abstain poll on a proposal in debate (through ``voting.services.create_poll``).
    When its result is published, the ticker adopts or rejects the proposal."""
    _require_manager(user, proposal)
    if proposal.state != S.DEBATE:
        raise ServiceError(
            _("Only a proposal in debate is put to the vote (this one is “%(state)s”).")
            % {"state": _state_label(proposal.state)}, code="bad_state",
        )
    _check_ready_to_decide(proposal)
    if _has_live_poll(proposal):
        raise ServiceError(_("This proposal already has its poll."), code="has_poll")
    title = _("Do you adopt proposal %(number)s “%(title)s”?") % {
        "number": proposal.number, "title": _short(proposal.title, 200),
    }
    with transaction.atomic():
        poll = voting_services.create_poll(
            user, proposal.gathering, title=_short(str(title), 300), kind=Poll.Kind.YES_NO, **_poll_values(settings)
        )
        claimed = Proposal.objects.filter(pk=proposal.pk, state=S.DEBATE, poll_id=proposal.poll_id).update(
            poll=poll, poll_applied_at=None,
        )
        if not claimed:
            raise ServiceError(_("This proposal changed meanwhile. Reload the page and try again."), code="conflict")
        proposal.poll, proposal.poll_applied_at = poll, None
        _record(proposal, "poll", user, poll=poll)
        _announce(proposal, "proposal.poll", poll=poll.pk)
    return poll


def _amendments_to_vote(proposal, amendments):
    if proposal.state != S.DEBATE:
        raise ServiceError(
            _("Amendments are decided while the proposal is in debate (it is “%(state)s”).")
            % {"state": _state_label(proposal.state)}, code="bad_state",
        )
    for amendment in amendments:
        if amendment.proposal_id != proposal.pk:
            raise ServiceError(_("Choose amendments of this proposal."), field="amendments")
        if amendment.state != A.DEBATE:
            raise ServiceError(
                _("Amendment %(amendment)s is “%(state)s”: only amendments in debate are put to the vote.")
                % {"amendment": amendment.label, "state": _state_label(amendment.state, Amendment)},
                field="amendments", code="bad_state",
            )
        if _has_live_poll(amendment):
            raise ServiceError(
                _("Amendment %(amendment)s already has its poll.") % {"amendment": amendment.label},
                field="amendments", code="has_poll",
            )
        _check_in_text_language(amendment, proposal)


def create_amendment_poll(user, amendment, **settings):
    """One click: a yes/no/abstain poll on an amendment in debate."""
    proposal = amendment.proposal
    _require_manager(user, proposal)
    _amendments_to_vote(proposal, [amendment])
    title = _("Do you adopt amendment %(amendment)s to proposal %(number)s?") % {
        "amendment": amendment.label, "number": proposal.number or _short(proposal.title, 100),
    }
    with transaction.atomic():
        poll = voting_services.create_poll(
            user, proposal.gathering, title=_short(str(title), 300), kind=Poll.Kind.YES_NO,
            description=amendment.new_text[:5000], **_poll_values(settings),
        )
        if not Amendment.objects.filter(pk=amendment.pk, state=A.DEBATE, poll_id=amendment.poll_id).update(
            poll=poll, poll_option=None, poll_applied_at=None,
        ):
            raise ServiceError(_("This amendment changed meanwhile. Reload the page and try again."), code="conflict")
        amendment.poll, amendment.poll_applied_at = poll, None
        _record(proposal, "poll", user, amendment=amendment, poll=poll)
        _announce(proposal, "amendment.poll", amendment=amendment.pk, poll=poll.pk)
    return poll


def create_alternatives_poll(user, proposal, amendments, **settings):
    """One click: competing amendments as the alternatives of one poll (single choice), with "keep the text
    as it is" as the last option. The winner is adopted and the others rejected."""
    _require_manager(user, proposal)
    amendments = sorted({a.pk: a for a in amendments}.values(), key=lambda a: a.number)
    if len(amendments) < 2:
        raise ServiceError(_("Choose at least two competing amendments."), field="amendments")
    _amendments_to_vote(proposal, amendments)
    labels = []
    for amendment in amendments:
        what = amendment.new_text if amendment.kind != Amendment.Kind.DELETE else str(_("delete the paragraph"))
        labels.append(_short(f"{amendment.label}: {what}", 300))
    labels.append(str(_("None of them: keep the text as it is")))
    title = _("Which amendment to proposal %(number)s do you adopt?") % {
        "number": proposal.number or _short(proposal.title, 100),
    }
    with transaction.atomic():
        poll = voting_services.create_poll(
            user, proposal.gathering, title=_short(str(title), 300), kind=Poll.Kind.SINGLE, options=labels,
            **_poll_values(settings),
        )
        options = list(poll.options.order_by("position", "pk"))
        for amendment, option in zip(amendments, options, strict=False):
            if not Amendment.objects.filter(pk=amendment.pk, state=A.DEBATE, poll_id=amendment.poll_id).update(
                poll=poll, poll_option=option, poll_applied_at=None,
            ):
                raise ServiceError(
                    _("This amendment changed meanwhile. Reload the page and try again."), code="conflict"
                )
            amendment.poll, amendment.poll_option, amendment.poll_applied_at = poll, option, None
            _record(proposal, "poll", user, amendment=amendment, poll=poll)
        _announce(proposal, "amendment.poll", poll=poll.pk, amendments=[a.pk for a in amendments])
    return poll


DECIDED = {"adopted": True, "rejected": False, "blocked": False}


def _apply_proposal_poll(proposal, now):
    poll = proposal.poll
    with transaction.atomic():
        if not Proposal.objects.filter(pk=proposal.pk, poll_id=poll.pk, poll_applied_at__isnull=True).update(
            poll_applied_at=now
        ):
            return False  # another ticker got there first
        outcome = (poll.result or {}).get("outcome", "")
        try:
            with transaction.atomic():
                if DECIDED.get(outcome) is True:
                    adopt_proposal(None, proposal, poll=poll, system=True)
                elif DECIDED.get(outcome) is False:
                    reject_proposal(None, proposal, poll=poll, system=True)
                else:
                    _record(proposal, "poll_undecided", None, poll=poll, note=outcome)
        except ServiceError as error:  # the proposal left the debate meanwhile (withdrawn, merged)
            _record(proposal, "poll_not_applied", None, poll=poll, note=str(error.message))
    return True


def _apply_amendment_poll(poll, now):
    with transaction.atomic():
        claimed = list(Amendment.objects.filter(poll=poll, poll_applied_at__isnull=True).select_related(
            "proposal__gathering").order_by("number"))
        if not claimed or Amendment.objects.filter(
            pk__in=[a.pk for a in claimed], poll_applied_at__isnull=True
        ).update(poll_applied_at=now) != len(claimed):
            return 0
        result = poll.result or {}
        outcome = result.get("outcome", "")
        if poll.kind == Poll.Kind.YES_NO:
            verdicts = {a.pk: DECIDED.get(outcome) for a in claimed}
        else:
            winners = set(result.get("winners") or [])
            decided = bool(winners)
            verdicts = {a.pk: (a.poll_option_id in winners) if decided else None for a in claimed}
        for amendment in claimed:
            verdict = verdicts[amendment.pk]
            try:
                with transaction.atomic():
                    if verdict is True:
                        adopt_amendment(None, amendment, poll=poll, system=True)
                    elif verdict is False:
                        reject_amendment(None, amendment, poll=poll, system=True)
                    else:
                        _record(amendment.proposal, "poll_undecided", None, amendment=amendment, poll=poll, note=outcome)
            except ServiceError as error:
                _record(amendment.proposal, "poll_not_applied", None, amendment=amendment, poll=poll,
                        note=str(error.message))
    return len(claimed)


def apply_poll_results(now=None):
    """The ticker's work: texts whose poll's result is published and not applied yet move to adopted or
    rejected (a poll without a decision — no quorum, a tie between alternatives — leaves them in debate).
    Each text is claimed with a conditional update, so two tickers apply a result once."""
    now = now or timezone.now()
    done = {"proposals": 0, "amendments": 0}
    due = Proposal.objects.filter(poll__state=Poll.State.PUBLISHED, poll_applied_at__isnull=True).select_related(
        "poll", "gathering"
    )
    for proposal in due.order_by("pk"):
        done["proposals"] += int(_apply_proposal_poll(proposal, now))
    polls = Poll.objects.filter(
        state=Poll.State.PUBLISHED,
        pk__in=Amendment.objects.filter(poll__isnull=False, poll_applied_at__isnull=True).values("poll_id"),
    )
    for poll in polls.order_by("pk"):
        done["amendments"] += _apply_amendment_poll(poll, now)
    return done


# --- what a page offers ------------------------------------------------------------------------------


def allowed_actions(user, proposal, config=None):
    """The names of the actions ``user`` may take on ``proposal`` now (what the services would accept
    as far as permissions and states go), for the buttons a page shows."""
    config = config or queries.settings_for(proposal.gathering)
    state = proposal.state
    manager = bool(user and user.has_perm("proposals.manage_proposals", proposal))
    author = bool(user and user.has_perm("proposals.submit_proposal", proposal))
    delegate = bool(user and user.has_perm("proposals.add_proposal", proposal.gathering))
    found = set()
    if state in _editable_states(user, proposal):
        found.add("edit")
    if author and state == S.DRAFT and config.submissions_open:
        found.add("submit")
    if manager:
        found |= {
            S.SUBMITTED: {"admit", "reject"},
            S.ADMITTED: {"open"} if config.amendment_stage else {"debate"},
            S.AMENDMENT: {"debate"},
            S.DEBATE: {"adopt", "reject"} | (set() if _has_live_poll(proposal) else {"poll"}),
        }.get(state, set())
        if state in (S.ADMITTED, S.AMENDMENT, S.DEBATE):
            found.add("refer")
        if state == S.DEBATE:
            found.add("alternatives")
    if (author or manager) and state in TRANSITIONS["withdraw"][0]:
        found.add("withdraw")
    if delegate and state == S.AMENDMENT and (
        proposal.amendment_deadline is None or proposal.amendment_deadline > timezone.now()
    ):
        found.add("amend")
    if delegate and state in Proposal.OPEN_STATES:
        found.add("sponsor")
    if state == S.ADOPTED and user and user.has_perm("proposals.forward_proposal", proposal):
        found.add("forward")
    return found


# --- the declaration ------------------------------------------------------------------------------------
#
# The organisers of a gathering compose its declaration from adopted proposals: each section starts as an
# adopted proposal's consolidated text (its title as heading) and links to its source proposals; they edit,
# reorder and remove sections, then publish it. Every change is a new version of the whole declaration
# (``DeclarationVersion``), claimed on the declaration's row so that two changes at once get two versions in
# order. Section edits are optimistic (``base_version``): an edit racing another is refused with the text
# saved meanwhile, never lost. Titles and sections are translatable (``convoca.texts``).

MAX_SECTIONS = 200


def _require_declaration_manager(user, obj):
    _require(
        user, "proposals.manage_declaration", obj,
        _("Only the organisers of this gathering (coordinators, and the national committee for its own meeting) "
          "can do this."),
    )


def _announce_declaration(declaration, kind, **data):
    event = {"kind": kind, "declaration": declaration.pk, "state": declaration.state,
             "version": declaration.version, **data}
    publish_on_commit(f"gathering:{declaration.gathering_id}", event)


def _new_declaration_version(user, declaration, reason):
    """Claim the next version number on the declaration's row (which serialises changes until the
    transaction ends) and keep the whole declaration as it is now."""
    now = timezone.now()
    if not Declaration.objects.filter(pk=declaration.pk).update(version=F("version") + 1, updated_at=now):
        raise NotFound(_("This declaration no longer exists."))
    number, title = Declaration.objects.filter(pk=declaration.pk).values_list("version", "title").get()
    declaration.version, declaration.title = number, title
    return _keep_declaration_version(user, declaration, number, reason)


def _keep_declaration_version(user, declaration, number, reason):
    sections = [
        {"id": s.pk, "heading": s.heading, "text": s.text, "language": s.original_language,
         "sources": sorted(p.pk for p in s.sources.all())}
        for s in Section.objects.filter(declaration=declaration).prefetch_related("sources").order_by("position", "pk")
    ]
    return DeclarationVersion.objects.create(
        declaration=declaration, number=number, title=declaration.title, sections=sections, reason=reason,
        created_by=user if getattr(user, "pk", None) else None,
    )


def start_declaration(user, gathering, *, title, original_language=None):
    """The organisers start the gathering's declaration (a draft, without sections yet). A gathering has one:
    starting it again changes nothing."""
    _require_declaration_manager(user, gathering)
    title = clean_title(title)
    language = clean_language(original_language)
    existing = Declaration.objects.filter(gathering=gathering).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            declaration = Declaration.objects.create(
                gathering=gathering, title=title, original_language=language, created_by=user,
            )
            text_services.record_original(declaration)
            _keep_declaration_version(user, declaration, 1, DeclarationVersion.Reason.STARTED)
            _announce_declaration(declaration, "declaration.state")
    except IntegrityError:  # started by someone else a moment ago
        return Declaration.objects.get(gathering=gathering)
    return declaration


def change_declaration_title(user, declaration, *, title, base_version):
    """A new title, written on version ``base_version`` of the declaration (``EditConflict`` when another
    change came meanwhile)."""
    _require_declaration_manager(user, declaration)
    title = clean_title(title)
    base = _number(base_version, "base_version", _("Reload the page: the version of the text is missing."))
    with transaction.atomic():
        current = Declaration.objects.filter(pk=declaration.pk).values("title", "version").first()
        if current is None:
            raise NotFound(_("This declaration no longer exists."))
        if current["title"] == title:
            return declaration  # nothing changes (or a retry of a change that went through)
        if not Declaration.objects.filter(pk=declaration.pk, version=base).update(title=title):
            raise EditConflict(
                _("Someone changed the declaration meanwhile (it is now version %(version)s). "
                  "Read it again, then save your change.") % {"version": current["version"]},
                current=Declaration.objects.get(pk=declaration.pk),
            )
        previous = {"title": current["title"]}
        declaration.title = title
        text_services.record_original_change(declaration, ["title"], previous=previous)
        _new_declaration_version(user, declaration, DeclarationVersion.Reason.TITLE)
        _announce_declaration(declaration, "declaration.text")
    return declaration


def _adopted_source(declaration, proposal, field="proposal"):
    if not isinstance(proposal, Proposal):
        pk = _number(proposal, field, _("Choose an adopted proposal of this gathering."))
        proposal = Proposal.objects.filter(pk=pk).first() if 0 < pk < 2**63 else None
    if proposal is None or proposal.gathering_id != declaration.gathering_id or proposal.state != S.ADOPTED:
        raise ServiceError(_("Choose an adopted proposal of this gathering."), field=field)
    return proposal


def add_section(user, declaration, proposal):
    """A new last section made from an adopted proposal of the gathering: its consolidated text, its title as
    heading, in its language, linked to it. A proposal already behind a section gives that section back (a
    retry changes nothing)."""
    _require_declaration_manager(user, declaration)
    proposal = _adopted_source(declaration, proposal)
    with transaction.atomic():
        _lock_declaration(declaration)
        existing = Section.objects.filter(declaration=declaration, sources=proposal).first()
        if existing is not None:
            return existing
        count = Section.objects.filter(declaration=declaration).count()
        if count >= MAX_SECTIONS:
            raise ServiceError(
                _("A declaration can have at most %(max)s sections.") % {"max": MAX_SECTIONS}, field="proposal",
            )
        section = Section.objects.create(
            declaration=declaration, position=count, heading=proposal.title, text=proposal.text,
            original_language=proposal.original_language,
        )
        section.sources.add(proposal)
        text_services.record_original(section)
        _new_declaration_version(user, declaration, DeclarationVersion.Reason.ADDED)
        _announce_declaration(declaration, "declaration.section", section=section.pk)
    return section


def _lock_declaration(declaration):
    """Hold the declaration's row from now until the transaction ends (PostgreSQL; SQLite writes one at a
    time), so that what is read next is not changed by another write meanwhile."""
    if not Declaration.objects.select_for_update().filter(pk=declaration.pk).exists():
        raise NotFound(_("This declaration no longer exists."))


def _section_sources(declaration, sources):
    if sources is None:
        return None
    if isinstance(sources, str | bytes | dict) or not hasattr(sources, "__iter__"):
        raise ServiceError(_("Choose the adopted proposals this section comes from."), field="sources")
    found = {}
    for source in sources:
        proposal = _adopted_source(declaration, source, field="sources")
        found[proposal.pk] = proposal
    if not found:
        raise ServiceError(_("Choose at least one adopted proposal this section comes from."), field="sources")
    return list(found.values())


def edit_section(user, section, *, heading, text, base_version, sources=None):
    """A new heading and text of a section (and, when given, its source proposals), written on the section's
    version ``base_version``. When someone saved it meanwhile, nothing is written and ``EditConflict`` carries
    their version; translations of the earlier text become outdated."""
    declaration = section.declaration
    _require_declaration_manager(user, declaration)
    heading = " ".join(_text(heading, "heading", limit=MAX_TITLE, required=False).split())
    text = cons.clean_text(_text(text, "text", limit=MAX_TEXT, empty_message=_("Enter the text of the section.")))
    if not text:
        raise ServiceError(_("Enter the text of the section."), field="text")
    base = _number(base_version, "base_version", _("Reload the page: the version of the text is missing."))
    sources = _section_sources(declaration, sources)
    with transaction.atomic():
        _lock_declaration(declaration)
        current = Section.objects.filter(pk=section.pk).values("heading", "text", "version").first()
        if current is None:
            raise NotFound(_("This section no longer exists."))
        same_sources = sources is None or {p.pk for p in sources} == set(
            Section.sources.through.objects.filter(section_id=section.pk).values_list("proposal_id", flat=True))
        if current["heading"] == heading and current["text"] == text and same_sources:
            return section  # nothing changes (or a retry of a save that went through)
        if not Section.objects.filter(pk=section.pk, version=base).update(
            heading=heading, text=text, version=base + 1, updated_at=timezone.now(),
        ):
            raise EditConflict(
                _("Someone saved a new version of this section (version %(version)s) while you were editing. "
                  "Nothing was lost: their version is saved and yours is below. Compare them, then save again.")
                % {"version": current["version"]},
                current=Section.objects.get(pk=section.pk),
            )
        if sources is not None:
            section.sources.set(sources)
        previous = {"heading": current["heading"], "text": current["text"]}
        section.heading, section.text, section.version = heading, text, base + 1
        text_services.record_original_change(section, ["heading", "text"], previous=previous)
        _new_declaration_version(user, declaration, DeclarationVersion.Reason.EDITED)
        _announce_declaration(declaration, "declaration.section", section=section.pk)
    return section


def move_section(user, section, position):
    """Put a section at ``position`` (1: first) and the others after it in their order. Moving it where it is
    already changes nothing."""
    declaration = section.declaration
    _require_declaration_manager(user, declaration)
    wanted = _number(position, "position", _("Enter a whole number."))
    with transaction.atomic():
        _lock_declaration(declaration)
        order = list(Section.objects.filter(declaration=declaration).order_by("position", "pk").values_list(
            "pk", flat=True))
        if section.pk not in order:
            raise NotFound(_("This section no longer exists."))
        if not 1 <= wanted <= len(order):
            raise ServiceError(
                _("Choose a position from 1 to %(count)s.") % {"count": len(order)}, field="position",
            )
        if order.index(section.pk) == wanted - 1:
            return section
        order.remove(section.pk)
        order.insert(wanted - 1, section.pk)
        for index, pk in enumerate(order):
            Section.objects.filter(pk=pk).exclude(position=index).update(position=index)
        section.position = wanted - 1
        _new_declaration_version(user, declaration, DeclarationVersion.Reason.MOVED)
        _announce_declaration(declaration, "declaration.section", section=section.pk)
    return section


def remove_section(user, section):
    """Take a section out of the declaration (its text stays in the earlier versions)."""
    declaration = section.declaration
    _require_declaration_manager(user, declaration)
    with transaction.atomic():
        _lock_declaration(declaration)
        if not Section.objects.filter(pk=section.pk).delete()[0]:
            return declaration  # removed already: a retry changes nothing
        order = Section.objects.filter(declaration=declaration).order_by("position", "pk").values_list("pk", flat=True)
        for index, pk in enumerate(list(order)):
            Section.objects.filter(pk=pk).exclude(position=index).update(position=index)
        _new_declaration_version(user, declaration, DeclarationVersion.Reason.REMOVED)
        _announce_declaration(declaration, "declaration.section", section=section.pk, removed=True)
    return declaration


def publish_declaration(user, declaration):
    """The organisers publish the declaration: from now on everyone reads it (in their language when a
    translation exists), on a page of its own. Later corrections are new versions, shown in its history."""
    _require_declaration_manager(user, declaration)
    if not Section.objects.filter(declaration=declaration).exists():
        raise ServiceError(_("Add at least one section before publishing the declaration."), code="empty")
    now = timezone.now()
    with transaction.atomic():
        if not Declaration.objects.filter(pk=declaration.pk, state=Declaration.State.DRAFT).update(
            state=Declaration.State.PUBLISHED, published_at=now, published_by=user, published_version=F("version"),
        ):
            current = Declaration.objects.filter(pk=declaration.pk).first()
            if current is None:
                raise NotFound(_("This declaration no longer exists."))
            return current  # published already: a retry changes nothing
        declaration.refresh_from_db()
        _announce_declaration(declaration, "declaration.state")
    return declaration
