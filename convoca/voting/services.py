"""Every write of the voting app. The web views, the API and the CLI call these
functions; each takes the acting user, checks ``rules.py`` and refuses bad
input with a translated ``ServiceError`` before anything is stored.

``cast_ballot`` is the one write path for a vote. Its batching (group commit)
lives below it in ``ballot_box``.

Secret polls are sealed (``sealing``): each teller sets a teller passphrase
before the poll opens (``set_teller_passphrase``); opening makes the poll's
key pair and seals a share of its private key to each teller; a cast stores
"has voted" and one sealed box per roll entry; closing stops the casting and
counts nothing; ``count_sealed`` (k tellers together) opens the boxes, writes
the plain ballots shuffled in one transaction and destroys every key.
"""

import json
import math
import random
import re
import secrets
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from fractions import Fraction

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from convoca.accounts.models import User
from convoca.audit import services as audit
from convoca.core.errors import NotFound, PermissionDenied, ServiceError
from convoca.core.roles import is_member
from convoca.gatherings.models import Registration
from convoca.texts.services import record_original

from . import ballot_box, notifications, sealing
from .models import WEIGHT_UNIT, Ballot, Option, Poll, Proxy, SealedBallot, Teller, Voter
from .tally import Spec, compute_result

KEY_RE = re.compile(r"^[A-Za-z0-9_\-]{16,100}$")
MAX_OPTIONS = 100
MAX_TITLE = 300
MAX_TELLERS = 25


def _audit(subject, actor, action, note=""):
    """Record a step of a poll's or a proxy's life in the audit trail (``convoca.audit``): "poll.opened",
    "proxy.given". Never a choice, a receipt or a passphrase."""
    kind = "poll" if isinstance(subject, Poll) else "proxy"
    audit.record(actor, f"{kind}.{action}", gathering=subject.gathering_id, target=subject, note=note)


def _require(user, perm, obj, message=None):
    if not (user is not None and user.has_perm(perm, obj)):
        raise PermissionDenied(message)


# --- creating a poll ----------------------------------------------------------------

BUILT_IN = {
    Poll.Kind.YES_NO: (Option.Code.YES, Option.Code.NO, Option.Code.ABSTAIN),
    Poll.Kind.CONSENSUS: (Option.Code.AGREE, Option.Code.STAND_ASIDE, Option.Code.BLOCK),
}


def _percent(value, field):
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise ServiceError(_("Enter a number between 0 and 100."), field=field) from None
    if not number.is_finite() or number < 0 or number > 100:
        raise ServiceError(_("Enter a number between 0 and 100."), field=field)
    return number.quantize(Decimal("0.01"))


def _weight(value, field):
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise ServiceError(_("A weight must be a positive number."), field=field) from None
    if not number.is_finite() or number <= 0 or number > 1_000_000:
        raise ServiceError(_("A weight must be a positive number."), field=field)
    return int(number * WEIGHT_UNIT)


def poll_problems(gathering, values):
    """Check the settings of a new poll; returns (clean values, option labels)
    or raises the first problem as a ``ServiceError`` naming its field."""
    v = dict(values)
    title = " ".join(str(v.get("title") or "").split())
    if not title:
        raise ServiceError(_("Enter the question the poll asks."), field="title")
    if len(title) > MAX_TITLE:
        raise ServiceError(_("The question can be at most %(n)s characters long.") % {"n": MAX_TITLE}, field="title")
    clean = {"title": title, "description": str(v.get("description") or "").strip()}
    for name, choices in (
        ("kind", Poll.Kind), ("secrecy", Poll.Secrecy), ("electorate", Poll.Electorate),
        ("weighting", Poll.Weighting), ("majority", Poll.Majority), ("base", Poll.Base), ("tie_break", Poll.TieBreak),
    ):
        value = v.get(name) or Poll._meta.get_field(name).default
        if value not in choices.values:
            raise ServiceError(_("Choose one of the options offered."), field=name)
        clean[name] = value
    kind = clean["kind"]
    labels = []
    if kind not in BUILT_IN:
        raw = v.get("options") or []
        if isinstance(raw, str):
            raw = raw.splitlines()
        seen = set()
        for label in raw:
            label = " ".join(str(label).split())
            if not label:
                continue
            if label.casefold() in seen:
                raise ServiceError(_("The option “%(label)s” is listed twice.") % {"label": label}, field="options")
            if len(label) > 300:
                raise ServiceError(_("An option can be at most 300 characters long."), field="options")
            seen.add(label.casefold())
            labels.append(label)
        if len(labels) < 2:
            raise ServiceError(_("Give at least two options, one per line."), field="options")
        if len(labels) > MAX_OPTIONS:
            raise ServiceError(_("A poll can have at most %(n)s options.") % {"n": MAX_OPTIONS}, field="options")
    n = len(labels)

    def number(name, default):
        value = v.get(name)
        if value in (None, ""):
            return default
        try:
            return int(value)
        except (TypeError, ValueError):
            raise ServiceError(_("Enter a whole number."), field=name) from None

    seats = number("seats", 1)
    if kind in (Poll.Kind.YES_NO, Poll.Kind.CONSENSUS, Poll.Kind.SINGLE):
        low, high, seats = 1, 1, 1
    elif kind == Poll.Kind.MULTIPLE:
        low, high = number("min_choices", 1), number("max_choices", n)
    elif kind == Poll.Kind.APPROVAL:
        low, high = number("min_choices", 0), number("max_choices", n)
    else:  # ranked
        low, high = number("min_choices", 1), number("max_choices", n)
    if seats < 1:
        raise ServiceError(_("There must be at least one seat to fill."), field="seats")
    if low < 0 or high < 1:
        raise ServiceError(_("The numbers of choices must be positive."), field="max_choices")
    if low > high:
        raise ServiceError(
            _("The fewest choices (%(min)s) cannot be more than the most choices (%(max)s).") % {"min": low, "max": high},
            field="min_choices",
        )
    if n and high > n:
        raise ServiceError(
            _("Voters cannot pick %(max)s options out of %(n)s.") % {"max": high, "n": n}, field="max_choices"
        )
    if n and seats >= n and kind == Poll.Kind.RANKED:
        raise ServiceError(_("An election needs more candidates than seats."), field="seats")
    if n and seats > n:
        raise ServiceError(_("There cannot be more seats than options."), field="seats")
    clean.update(min_choices=low, max_choices=high, seats=seats)
    quorum = _percent(v.get("quorum_percent"), "quorum_percent")
    clean["quorum_percent"] = quorum if quorum is not None else Decimal("0")
    share = _percent(v.get("majority_percent"), "majority_percent")
    if clean["majority"] == Poll.Majority.CUSTOM and not share:
        raise ServiceError(_("Give the share of votes needed, above 0 and at most 100."), field="majority_percent")
    clean["majority_percent"] = share if clean["majority"] == Poll.Majority.CUSTOM else None
    threshold = number("block_threshold", 1)
    if threshold < 1 or threshold > 1_000_000:
        raise ServiceError(_("At least one vote must be needed to block."), field="block_threshold")
    clean["block_threshold"] = threshold
    clean["allow_change"] = bool(v.get("allow_change"))
    clean["results_while_open"] = bool(v.get("results_while_open"))
    if clean["allow_change"] and clean["secrecy"] == Poll.Secrecy.SECRET:
        raise ServiceError(
            _("In a secret poll a vote cannot be changed: nothing links a voter to a ballot."), field="allow_change"
        )
    if clean["results_while_open"] and clean["secrecy"] == Poll.Secrecy.SECRET:
        raise ServiceError(
            _("A secret poll shows its results only once closed: live results, watched as delegates vote, "
              "would tell who chose what."), field="results_while_open",
        )
    opens_at, closes_at = v.get("opens_at"), v.get("closes_at")
    if opens_at and closes_at and closes_at <= opens_at:
        raise ServiceError(_("The poll must close after it opens."), field="closes_at")
    if closes_at and closes_at <= timezone.now():
        raise ServiceError(_("The closing time is already past."), field="closes_at")
    clean.update(opens_at=opens_at or None, closes_at=closes_at or None)
    weights = v.get("custom_weights") or {}
    if isinstance(weights, str):
        try:
            weights = json.loads(weights) if weights.strip() else {}
        except ValueError:
            raise ServiceError(_('Write custom weights like {"org:12": "2"}.'), field="custom_weights") from None
    if not isinstance(weights, dict):
        raise ServiceError(_('Write custom weights like {"org:12": "2"}.'), field="custom_weights")
    clean_weights = {}
    for key, value in weights.items():
        if not re.fullmatch(r"(org|reg):\d{1,18}", str(key)):
            raise ServiceError(_('Write custom weights like {"org:12": "2"}.'), field="custom_weights")
        clean_weights[str(key)] = str(Decimal(_weight(value, "custom_weights")) / WEIGHT_UNIT)
    clean["custom_weights"] = clean_weights
    chosen = []
    if clean["electorate"] == Poll.Electorate.CHOSEN:
        ids = v.get("chosen_voters") or []
        chosen = list(
            Registration.objects.filter(
                gathering=gathering, pk__in=[int(i) for i in ids if str(i).isdigit()],
                role=Registration.Role.DELEGATE, status=Registration.Status.ACCREDITED,
            )
        )
        if not chosen or len(chosen) != len(set(ids)):
            raise ServiceError(_("Choose the accredited delegates of this gathering who vote."), field="chosen_voters")
    return clean, labels, chosen


def _teller_users(actor, raw):
    """The users named as tellers (users, user ids or emails, in order); by default the actor alone."""
    if raw in (None, "", []):
        raw = [actor]
    if isinstance(raw, str):
        raw = raw.replace(",", "\n").splitlines()
    if not isinstance(raw, (list, tuple)):
        raise ServiceError(_("Name the tellers by their email address, one per line."), field="tellers")
    users, seen = [], set()
    for item in raw:
        if isinstance(item, str):
            item = item.strip()
            if not item:
                continue
        if isinstance(item, User):
            user = item
        elif isinstance(item, int) or (isinstance(item, str) and item.isdigit()):
            user = User.objects.filter(pk=int(item)).first() if 0 < int(item) < 2**63 else None
        elif isinstance(item, str):
            user = User.objects.filter(email__iexact=item).first()
        else:
            user = None
        if user is None or not is_member(user):
            raise ServiceError(
                _("“%(teller)s” has no account in Convoca: a teller must be a member who can log in.")
                % {"teller": str(item)[:100]}, field="tellers",
            )
        if user.pk in seen:
            raise ServiceError(_("Each teller can be named only once: “%(teller)s” is named twice.")
                               % {"teller": str(item)[:100]}, field="tellers")
        seen.add(user.pk)
        users.append(user)
    if not users:
        users = [actor]
    if len(users) > MAX_TELLERS:
        raise ServiceError(_("A poll can have at most %(n)s tellers.") % {"n": MAX_TELLERS}, field="tellers")
    return users


def _tellers_needed(value, n):
    """How many of ``n`` tellers must unlock the count: by default a majority."""
    if value in (None, ""):
        return n // 2 + 1
    try:
        k = int(value)
    except (TypeError, ValueError):
        raise ServiceError(_("Enter a whole number."), field="tellers_needed") from None
    if not 1 <= k <= n:
        raise ServiceError(_("Between 1 and %(n)s tellers (all those named) can be needed to count.") % {"n": n},
                           field="tellers_needed")
    return k


def create_poll(actor, gathering, **values):
    """A poll in the "created" state, with its options. A secret poll also gets its tellers (``tellers``:
    users, ids or emails; by default the creator) of whom ``tellers_needed`` (by default a majority) must
    unlock the count together."""
    _require(actor, "voting.manage_polls", gathering)
    subject = values.pop("subject", None)
    tellers, needed = values.pop("tellers", None), values.pop("tellers_needed", None)
    clean, labels, chosen = poll_problems(gathering, values)
    teller_users = []
    if clean["secrecy"] == Poll.Secrecy.SECRET:
        teller_users = _teller_users(actor, tellers)
        clean["tellers_needed"] = _tellers_needed(needed, len(teller_users))
    with transaction.atomic():
        poll = Poll(gathering=gathering, created_by=actor, **clean)
        if subject is not None:
            poll.subject = subject
        poll.save()
        codes = BUILT_IN.get(poll.kind)
        if codes:
            Option.objects.bulk_create(Option(poll=poll, position=i, code=c) for i, c in enumerate(codes))
        else:
            Option.objects.bulk_create(Option(poll=poll, position=i, label=label) for i, label in enumerate(labels))
        if chosen:
            poll.chosen_voters.set(chosen)
        Teller.objects.bulk_create(
            Teller(poll=poll, user=user, position=i) for i, user in enumerate(teller_users, start=1)
        )
        record_original(poll)  # the question and the options can now be translated (convoca.texts)
        for option in poll.options.filter(code=""):
            record_original(option)
        _audit(poll, actor, "created")
    return poll


# --- tellers ----------------------------------------------------------------------------


def set_teller_passphrase(actor, poll, passphrase):
    """The teller ``actor`` sets (or, before the poll opens, replaces) their teller passphrase for ``poll``:
    a new key pair whose private half is stored only encrypted under the passphrase (Argon2id)."""
    teller = Teller.objects.filter(poll_id=poll.pk, user_id=getattr(actor, "pk", None)).first()
    if teller is None or not is_member(actor):
        raise PermissionDenied(_("Only a teller of this poll can set a teller passphrase for it."))
    passphrase = passphrase if isinstance(passphrase, str) else ""
    if len(passphrase) < sealing.MIN_PASSPHRASE:
        raise ServiceError(_("A teller passphrase needs at least %(n)s characters.") % {"n": sealing.MIN_PASSPHRASE},
                           field="passphrase", code="short_passphrase")
    if len(passphrase) > sealing.MAX_PASSPHRASE:
        raise ServiceError(_("A teller passphrase can be at most %(n)s characters long.") % {"n": sealing.MAX_PASSPHRASE},
                           field="passphrase")
    ops, mem = sealing.kdf_limits(getattr(settings, "VOTING_TELLER_KDF", "moderate"))
    public_key, locked, salt = sealing.teller_keys(passphrase, ops, mem)
    with transaction.atomic():
        changed = Teller.objects.filter(pk=teller.pk, poll__state=Poll.State.DRAFT).update(
            public_key=public_key, locked_private_key=locked, salt=salt, kdf_ops=ops, kdf_mem=mem,
        )
        if not changed:
            raise ServiceError(_("The teller passphrases are fixed once the poll has opened."), code="bad_state")
        _audit(poll, actor, "teller_ready")
    return teller


def tellers_waiting(poll):
    """The tellers of ``poll`` who have not set their passphrase yet."""
    return list(Teller.objects.filter(poll=poll, public_key__isnull=True).select_related("user"))


def _secure_delete():
    """SQLite: pages freed from now on in this connection are overwritten with zeros."""
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA secure_delete=ON")


def _destroy_keys(poll):
    """Delete a secret poll's sealed ballots, its tellers' keys and shares and its public key."""
    _secure_delete()
    SealedBallot.objects.filter(poll_id=poll.pk).delete()
    Teller.objects.filter(poll_id=poll.pk).update(public_key=None, locked_private_key=None, salt=None, share=None)
    Poll.objects.filter(pk=poll.pk).update(public_key=None)
    poll.public_key = None


# --- lifecycle -----------------------------------------------------------------------


MAX_WEIGHT_TOTAL = 2**62  # numerators are stored as 64-bit integers


def exact_weights(weights):
    """{key: Fraction of a vote} -> (unit, {key: integer numerator}): the smallest multiple of a million
    (so whole and decimal weights keep today's millionths) in which every weight is a whole number of units."""
    unit = WEIGHT_UNIT
    for weight in weights.values():
        unit = math.lcm(unit, weight.denominator)
    return unit, {key: int(weight * unit) for key, weight in weights.items()}


def build_roll(poll):
    """The voter roll at this instant: ([(registration, holder registration, weight)], unit), weights as
    integers in units of 1/unit of a vote, exact: an organisation's vote split among three delegates is 1/3
    each, and the three thirds add up to exactly one vote."""
    delegates = Registration.objects.filter(
        gathering_id=poll.gathering_id, role=Registration.Role.DELEGATE, status=Registration.Status.ACCREDITED,
        person__user__isnull=False,
    ).select_related("person", "organisation")
    everyone = {r.pk: r for r in delegates}
    if poll.electorate == Poll.Electorate.PRESENT:
        voters = {pk: r for pk, r in everyone.items() if r.checked_in_at is not None}
    elif poll.electorate == Poll.Electorate.CHOSEN:
        chosen = set(poll.chosen_voters.values_list("pk", flat=True))
        voters = {pk: r for pk, r in everyone.items() if pk in chosen}
    else:
        voters = dict(everyone)
    holder_of = {}
    for giver_id, holder_id in Proxy.objects.filter(gathering_id=poll.gathering_id, revoked_at__isnull=True).values_list(
        "giver_id", "holder_id"
    ):
        if giver_id in everyone and holder_id in voters and giver_id != holder_id:
            if poll.electorate != Poll.Electorate.CHOSEN or giver_id in voters:
                holder_of[giver_id] = holder_id
    entries = dict(voters)
    for giver_id in holder_of:
        entries[giver_id] = everyone[giver_id]
    custom = poll.custom_weights or {}

    def custom_weight(key, default):
        return Fraction(Decimal(custom[key])) if key in custom else default

    weights = {}
    if poll.weighting == Poll.Weighting.ORGANISATION:
        by_org = {}
        for pk in sorted(entries):
            by_org.setdefault(entries[pk].organisation_id, []).append(pk)
        for org_id, pks in by_org.items():
            share = custom_weight(f"org:{org_id}", Fraction(1)) / len(pks)
            for pk in pks:
                weights[pk] = share
    else:
        for pk, reg in entries.items():
            weights[pk] = custom_weight(f"reg:{pk}", custom_weight(f"org:{reg.organisation_id}", Fraction(1)))
    unit, numerators = exact_weights(weights)
    if sum(numerators.values()) >= MAX_WEIGHT_TOTAL:
        raise ServiceError(
            _("These weights cannot be counted exactly: simplify the custom weights."), field="custom_weights",
            code="weights_too_fine",
        )
    roll = []
    for pk in sorted(entries):
        holder = entries[holder_of[pk]] if pk in holder_of else entries[pk]
        roll.append((entries[pk], holder, numerators[pk]))
    return roll, unit


def _claim(poll, from_states, to_state, **fields):
    """Move the poll from one of ``from_states`` to ``to_state`` with a
    conditional update; False if someone else moved it first."""
    changed = Poll.objects.filter(pk=poll.pk, state__in=from_states).update(state=to_state, **fields)
    if changed:
        poll.state = to_state
        for name, value in fields.items():
            setattr(poll, name, value)
    return bool(changed)


def open_poll(actor, poll, *, system=False):
    if not system:
        _require(actor, "voting.manage_poll", poll)
    with transaction.atomic():
        if not Poll.objects.filter(pk=poll.pk, state=Poll.State.DRAFT).exists():
            raise ServiceError(_("Only a poll that has not opened yet can be opened."), code="bad_state")
        roll, unit = build_roll(poll)
        if not roll:
            raise ServiceError(
                _("Nobody can vote in this poll yet: no accredited delegate is checked in."), code="empty_roll"
            )
        keys, tellers, shares = {}, [], []
        if poll.is_secret:
            tellers = list(Teller.objects.filter(poll=poll).order_by("position"))
            waiting = sum(1 for t in tellers if not t.is_ready)
            if waiting or not tellers:
                raise ServiceError(
                    _("The poll cannot open yet: %(n)s of its %(total)s tellers have not set their teller "
                      "passphrase.") % {"n": waiting or 1, "total": len(tellers) or 1}, code="tellers_not_ready",
                )
            public_key, shares = sealing.poll_keys(
                poll.pk, [bytes(t.public_key) for t in tellers], min(poll.tellers_needed, len(tellers))
            )
            keys["public_key"] = public_key
        now = timezone.now()
        if not _claim(poll, [Poll.State.DRAFT], Poll.State.OPEN, opened_at=now, weight_unit=unit,
                      eligible_weight=sum(w for _, _, w in roll), **keys):
            raise ServiceError(_("Only a poll that has not opened yet can be opened."), code="bad_state")
        for teller, share in zip(tellers, shares, strict=True):
            teller.share = share
        Teller.objects.bulk_update(tellers, ["share"])
        Voter.objects.bulk_create(
            Voter(
                poll=poll, registration=reg, holder=holder, holder_user_id=holder.person.user_id, weight=weight,
                country=reg.organisation.country.code if reg.organisation_id else "",
                sector=reg.organisation.sector if reg.organisation_id else "",
            )
            for reg, holder, weight in roll
        )
        _audit(poll, actor, "opened", "" if not system else "scheduled")
        notifications.poll_opened(poll)
    ballot_box.forget_poll(poll.pk)
    return poll


def tally_spec(poll, options=None):
    options = options if options is not None else list(poll.options.all())
    return Spec(
        kind=poll.kind,
        options=tuple((o.pk, o.code) for o in options),
        seats=poll.seats,
        quorum=Fraction(poll.quorum_percent) / 100,
        majority=poll.majority,
        majority_share=Fraction(poll.majority_percent) / 100 if poll.majority_percent is not None else None,
        base=poll.base,
        block_threshold=poll.block_threshold,  # in votes: the count multiplies it by ``unit``
        tie_break=poll.tie_break,
        seed=poll.seed,
        unit=poll.weight_unit,  # weights are integers in units of 1/weight_unit of a vote
    )


def count_poll(poll):
    """The result from the ballots as stored now (pure ``compute_result``)."""
    ballots = Ballot.objects.filter(poll=poll).values_list("choices", "weight")
    return compute_result(tally_spec(poll), ballots, poll.eligible_weight)


def close_poll(actor, poll, *, system=False):
    """Stop the casting. A named or open poll is counted at once; a secret poll's ballots stay sealed
    until its tellers unlock the count (``count_sealed``)."""
    if not system:
        _require(actor, "voting.manage_poll", poll)
    with transaction.atomic():
        if not _claim(poll, [Poll.State.OPEN], Poll.State.CLOSED, closed_at=timezone.now(),
                      seed=secrets.token_hex(16)):
            raise ServiceError(_("Only an open poll can be closed."), code="bad_state")
        poll.public_key = Poll.objects.filter(pk=poll.pk).values_list("public_key", flat=True).first()
        if poll.public_key is None:  # named, open (or a secret poll opened before ballots were sealed)
            poll.result = count_poll(poll)
            poll.save(update_fields=["result"])
        _audit(poll, actor, "closed", "" if not system else "scheduled")
    ballot_box.forget_poll(poll.pk)
    return poll


def _resolve_unlocks(poll, unlocks):
    """[(Teller, passphrase)] from [(user | user id | email, passphrase)] or [{"teller", "passphrase"}]."""
    if not isinstance(unlocks, (list, tuple)):
        unlocks = []
    tellers = {t.user_id: t for t in Teller.objects.filter(poll=poll).select_related("user")}
    by_email = {t.user.email.casefold(): t for t in tellers.values()}
    resolved, seen = [], set()
    for item in unlocks:
        if isinstance(item, dict):
            who, passphrase = item.get("teller"), item.get("passphrase")
        elif isinstance(item, (list, tuple)) and len(item) == 2:
            who, passphrase = item
        else:
            who, passphrase = None, None
        if isinstance(who, User):
            teller = tellers.get(who.pk)
        elif isinstance(who, int) or (isinstance(who, str) and who.strip().isdigit()):
            teller = tellers.get(int(who))
        elif isinstance(who, str):
            teller = by_email.get(who.strip().casefold())
        else:
            teller = None
        if teller is None:
            raise ServiceError(_("“%(teller)s” is not a teller of this poll.") % {"teller": str(who or "")[:100]},
                               field="tellers", code="not_a_teller")
        if teller.pk in seen:
            raise ServiceError(_("Each teller unlocks once: teller %(n)s is given twice.") % {"n": teller.position},
                               field="tellers", code="same_teller")
        seen.add(teller.pk)
        resolved.append((teller, passphrase if isinstance(passphrase, str) else ""))
    if len(resolved) < poll.tellers_needed:
        raise ServiceError(
            _("The count needs the passphrases of %(needed)s tellers together; %(given)s given.")
            % {"needed": poll.tellers_needed, "given": len(resolved)}, field="tellers", code="too_few_tellers",
        )
    return resolved


def count_sealed(actor, poll, unlocks):
    """Unlock and count a closed secret poll: ``unlocks`` gives k tellers with their passphrases (see
    ``_resolve_unlocks``). Everything is checked first; then, in ONE transaction, the plain ballots are written
    (no voter, random ids, shuffled), the result is stored, and the sealed ballots, the shares and every key of
    the poll are deleted. Nothing is stored between two tellers' requests: they unlock together."""
    _require(actor, "voting.count_poll", poll)
    row = Poll.objects.filter(pk=poll.pk).values("state", "secrecy", "result", "public_key").first()
    if row is None:
        raise NotFound(_("This poll does not exist."))
    if row["secrecy"] != Poll.Secrecy.SECRET:
        raise ServiceError(_("Only a secret poll's ballots are sealed: this poll is counted when it closes."),
                           code="not_sealed")
    if row["state"] in (Poll.State.DRAFT, Poll.State.OPEN):
        raise ServiceError(_("Only a closed poll can be counted: close it first."), code="bad_state")
    if row["state"] == Poll.State.ANNULLED:
        raise ServiceError(_("An annulled poll is not counted."), code="bad_state")
    if row["result"] is not None or row["public_key"] is None:
        raise ServiceError(_("This poll has already been counted: its key was destroyed."), code="already_counted")
    public_key = bytes(row["public_key"])
    shares = []
    resolved = _resolve_unlocks(poll, unlocks)
    for teller, passphrase in resolved:
        if teller.public_key is None or teller.share is None:
            raise ServiceError(_("Teller %(n)s has no share of this poll's key.") % {"n": teller.position},
                               code="no_share")
        try:
            private = sealing.open_teller_key(passphrase, teller.locked_private_key, teller.salt, teller.kdf_ops,
                                              teller.kdf_mem, teller.public_key)
            shares.append(sealing.open_share(private, teller.share, poll.pk))
        except sealing.SealingError as exc:
            if exc.kind == "passphrase":
                message = _("The passphrase of teller %(n)s is wrong. Nothing was counted.")
            elif exc.kind == "other_poll":
                message = _("The share of teller %(n)s belongs to another poll. Nothing was counted.")
            else:
                message = _("The share of teller %(n)s cannot be opened. Nothing was counted.")
            raise ServiceError(message % {"n": teller.position}, field="tellers", code=f"bad_{exc.kind}") from None
    try:
        unseal = sealing.unsealer(sealing.poll_private_key(shares, public_key))
        plain = [unseal(box) for box in SealedBallot.objects.filter(poll_id=poll.pk).values_list("box", flat=True)]
    except sealing.SealingError:
        raise ServiceError(_("The tellers' shares do not open this poll's ballots. Nothing was counted."),
                           code="bad_key") from None
    random.SystemRandom().shuffle(plain)
    tellers = [teller for teller, _p in resolved]
    with transaction.atomic():
        if not Poll.objects.filter(pk=poll.pk, state=Poll.State.CLOSED, result__isnull=True,
                                   public_key__isnull=False).exists():
            raise ServiceError(_("This poll has already been counted: its key was destroyed."), code="already_counted")
        _write_plain_ballots(poll, plain)
        result = count_poll(poll)
        if not Poll.objects.filter(pk=poll.pk, state=Poll.State.CLOSED, result__isnull=True).update(result=result):
            raise ServiceError(_("This poll has already been counted: its key was destroyed."), code="already_counted")
        poll.result = result
        _destroy_keys(poll)
        for teller in tellers:
            _audit(poll, teller.user, "unlocked")
        _audit(poll, actor, "counted")
    return poll


def _write_plain_ballots(poll, plain):
    """The opened ballots, in the (shuffled) order given, with random ids and no voter, through a plain
    DB-API cursor: the rows never pass through a query log."""
    from .models import random_id

    pg = connection.vendor == "postgresql"
    connection.ensure_connection()
    cursor = connection.create_cursor()
    cast = "%s::jsonb" if pg else "%s"
    try:
        for start in range(0, len(plain), 500):
            chunk = plain[start : start + 500]
            cursor.execute(
                "INSERT INTO voting_ballot (id, poll_id, receipt, choices, weight, voter_id) VALUES "
                + ", ".join([f"(%s, %s, %s, {cast}, %s, NULL)"] * len(chunk)),
                [v for r, c, w in chunk for v in (random_id(), poll.pk, r, json.dumps(c), w)],
            )
    finally:
        cursor.close()


def publish_poll(actor, poll):
    _require(actor, "voting.manage_poll", poll)
    with transaction.atomic():
        if Poll.objects.filter(pk=poll.pk, state=Poll.State.CLOSED, result__isnull=True).exists():
            raise ServiceError(_("The ballots are still sealed: the tellers must unlock the count before the "
                                 "results can be published."), code="not_counted")
        if not (Poll.objects.filter(pk=poll.pk, result__isnull=False).exists()
                and _claim(poll, [Poll.State.CLOSED], Poll.State.PUBLISHED, published_at=timezone.now())):
            raise ServiceError(_("Only a closed poll can be published."), code="bad_state")
        _audit(poll, actor, "published")
    return poll


def annul_poll(actor, poll, reason):
    _require(actor, "voting.manage_poll", poll)
    reason = str(reason or "").strip()
    if not reason:
        raise ServiceError(_("Say why the poll is annulled: everyone will read it."), field="reason")
    if len(reason) > 2000:
        raise ServiceError(_("The reason can be at most %(n)s characters long.") % {"n": 2000}, field="reason")
    with transaction.atomic():
        if not _claim(poll, [Poll.State.DRAFT, Poll.State.OPEN, Poll.State.CLOSED], Poll.State.ANNULLED,
                      annulled_at=timezone.now(), annul_reason=reason):
            raise ServiceError(_("A published or annulled poll cannot be annulled."), code="bad_state")
        if poll.is_secret:  # sealed ballots are destroyed uncounted, with every key
            _destroy_keys(poll)
        _audit(poll, actor, "annulled", reason)
    ballot_box.forget_poll(poll.pk)
    return poll


# --- casting ------------------------------------------------------------------------


@dataclass
class CastResult:
    poll_id: int
    receipt: str  # the receipt of the voter's own vote
    votes: int  # roll entries cast for (own + proxies)
    weight: int  # in units of 1/unit of a vote
    duplicate: bool = False
    changed: bool = False
    unit: int = WEIGHT_UNIT
    # one (receipt, registration id) per roll entry cast for: the voter's own vote first, then the proxies
    receipts: tuple = ()

    def receipts_out(self):
        """The receipts as the API and the fast path answer them."""
        return [
            {"receipt": receipt, "vote": "own", "delegate": None} if i == 0 else {"receipt": receipt, "vote": "proxy", "delegate": reg_id}
            for i, (receipt, reg_id) in enumerate(self.receipts)
        ]


def _option_ids(spec, raw, field):
    if raw is None:
        raw = []
    if isinstance(raw, (str, int)):
        raw = [raw]
    if not isinstance(raw, (list, tuple)):
        raise ServiceError(_("This option does not exist on this ballot."), field=field, code="bad_option")
    by_code = {code: oid for oid, code in spec.options.items() if code}
    ids = []
    for item in raw:
        oid = None
        if isinstance(item, bool):
            oid = None
        elif isinstance(item, int):
            oid = item
        elif isinstance(item, str) and item.strip().isdigit():
            oid = int(item.strip())
        elif isinstance(item, str):
            oid = by_code.get(item.strip())
        if oid not in spec.options:
            raise ServiceError(_("This option does not exist on this ballot."), field=field, code="bad_option")
        if oid in ids:
            raise ServiceError(_("Each option can be chosen only once."), field=field, code="bad_option")
        ids.append(oid)
    if len(ids) < spec.min_choices or len(ids) > spec.max_choices:
        if spec.min_choices == spec.max_choices:
            message = _("Choose exactly %(n)s option(s).") % {"n": spec.max_choices}
        else:
            message = _("Choose between %(min)s and %(max)s options.") % {"min": spec.min_choices, "max": spec.max_choices}
        raise ServiceError(message, field=field, code="bad_count")
    if spec.kind != Poll.Kind.RANKED:
        ids.sort()
    return tuple(ids)


def _why_not_on_roll(user, spec):
    reg = (
        Registration.objects.filter(gathering_id=spec.gathering_id, person__user=user)
        .only("role", "status", "checked_in_at").first()
    )
    if reg is None:
        return _("You are not a delegate of this gathering, so you cannot vote in this poll.")
    if reg.role != Registration.Role.DELEGATE:
        return _("Only delegates vote; observers and guests follow the vote without a ballot.")
    if reg.status != Registration.Status.ACCREDITED:
        return _("Your accreditation as a delegate is not confirmed, so you cannot vote yet.")
    if Proxy.objects.filter(giver=reg, revoked_at__isnull=True).exists():
        return _("You gave your proxy to another delegate: they vote for you.")
    if Voter.objects.filter(poll_id=spec.id, registration=reg).exclude(holder=reg).exists():
        return _("Your proxy was still in force when this poll opened, so the delegate who held it votes for you "
                 "in this poll. Revoking a proxy applies to the polls opened after it.")
    if reg.checked_in_at is None:
        return _("You are not checked in: votes are cast by the delegates present.")
    return _("You were not on the voter roll when this poll opened.")


def cast_ballot(voter_user, poll, choices, idempotency_key=None, proxy_split=None):
    """Cast the voter's ballot, and the ballots they hold by proxy, in one go.

    ``choices``: option ids (or built-in codes "yes", "no", ...), in order of
    preference for ranked polls. ``proxy_split``: {registration id: choices}
    for represented delegates whose vote differs. ``idempotency_key``: a random
    string from the client; the same key and ballot sent again is counted once
    and answered with the same receipt. Returns a ``CastResult`` once durable.
    """
    poll_id = poll.pk if isinstance(poll, Poll) else poll
    if not is_member(voter_user):
        raise PermissionDenied(_("Log in to vote."))
    spec = ballot_box.poll_spec(poll_id)
    if spec is None:
        raise NotFound(_("This poll does not exist."))
    if spec.state == Poll.State.DRAFT:
        raise ServiceError(_("This poll is not open yet."), code="poll_not_open")
    # Past its closing time the poll takes no ballot, even before the ticker has closed it.
    if spec.state != Poll.State.OPEN or (spec.closes_at and spec.closes_at <= timezone.now()):
        raise ServiceError(_("This poll is closed: no more ballots are accepted."), code="poll_not_open")
    if idempotency_key in (None, ""):
        idempotency_key = ballot_box.new_key()
    if not isinstance(idempotency_key, str) or not KEY_RE.match(idempotency_key):
        raise ServiceError(
            _("The request key must be 16 to 100 letters, digits, “-” or “_”."), field="idempotency_key", code="bad_key"
        )
    entitlements = spec.roll.get(voter_user.pk)
    if not entitlements:
        raise PermissionDenied(_why_not_on_roll(voter_user, spec), code="not_on_roll")
    main = _option_ids(spec, choices, "choices")
    split = {}
    represented = {reg_id for _voter, reg_id, _w in entitlements}
    if proxy_split:
        if not isinstance(proxy_split, dict):
            raise ServiceError(_("You do not hold a proxy for this delegate in this poll."), field="proxy_split", code="bad_proxy")
        for reg_id, raw in proxy_split.items():
            try:
                reg_id = int(reg_id)
            except (TypeError, ValueError):
                reg_id = None
            if reg_id not in represented:
                raise ServiceError(
                    _("You do not hold a proxy for this delegate in this poll."), field="proxy_split", code="bad_proxy"
                )
            split[reg_id] = _option_ids(spec, raw, "proxy_split")
    entries = [(voter_id, weight, split.get(reg_id, main)) for voter_id, reg_id, weight in entitlements]
    payload = json.dumps(sorted([voter_id, list(c)] for voter_id, _w, c in entries))
    # One receipt per roll entry (the own vote first: see ballot_box._load_spec), from the voter's key: a
    # retry gets the same receipts back.
    receipts = [ballot_box.receipt_for(spec.id, idempotency_key, reg_id) for _v, reg_id, _w in entitlements]
    sealed = None
    if spec.public_key is not None:  # sealed here, in the request's thread, not in the writer's
        length = sealing.padded_length(spec.max_choices)
        sealed = [sealing.seal(spec.public_key, receipt, choices, weight, length)
                  for (_v, weight, choices), receipt in zip(entries, receipts, strict=True)]
    item = ballot_box.CastItem(
        poll_id=spec.id,
        secret=spec.secret,
        allow_change=spec.allow_change,
        entries=entries,
        key_hash=ballot_box.key_hash(spec.id, voter_user.pk, idempotency_key),
        fingerprint=ballot_box.fingerprint(spec.id, idempotency_key, payload),
        receipts=receipts,
        sealed=sealed,
    )
    outcome = ballot_box.write(item)
    if outcome.error is not None:
        raise outcome.error
    return CastResult(
        poll_id=spec.id, receipt=receipts[0], votes=len(entries), weight=sum(e[1] for e in entries), unit=spec.weight_unit,
        duplicate=outcome.duplicate, changed=outcome.changed,
        receipts=tuple(zip(receipts, (reg_id for _v, reg_id, _w in entitlements), strict=True)),
    )


# --- proxies ----------------------------------------------------------------------------


def give_proxy(actor, gathering, holder, giver=None):
    """``giver`` (a registration; by default the actor's own) entrusts its vote
    to ``holder`` for every poll of the gathering opened from now on."""
    if not (is_member(actor) and (actor.has_perm("voting.give_proxy", gathering)
                                  or actor.has_perm("voting.manage_proxies", gathering))):
        raise PermissionDenied(_("Only an accredited delegate of this gathering can give a proxy."))
    if giver is None:
        giver = Registration.objects.filter(gathering=gathering, person__user=actor).first()
        if giver is None:
            raise ServiceError(_("Only an accredited delegate of this gathering can give a proxy."), field="holder")
    elif giver.person.user_id != actor.pk and not actor.has_perm("voting.manage_proxies", gathering):
        raise PermissionDenied()
    for reg, field in ((giver, "giver"), (holder, "holder")):
        if (
            reg is None or reg.gathering_id != gathering.pk or reg.role != Registration.Role.DELEGATE
            or reg.status != Registration.Status.ACCREDITED
        ):
            raise ServiceError(_("Both delegates must be accredited delegates of this gathering."), field=field)
    if giver.pk == holder.pk:
        raise ServiceError(_("A delegate cannot hold their own proxy."), field="holder")
    if Proxy.objects.filter(giver=holder, revoked_at__isnull=True).exists():
        raise ServiceError(_("This delegate has given their own proxy away and cannot hold one."), field="holder")
    if Proxy.objects.filter(holder=giver, revoked_at__isnull=True).exists():
        raise ServiceError(_("A delegate who holds proxies cannot give their own away."), field="holder")
    try:
        with transaction.atomic():
            proxy = Proxy.objects.create(gathering=gathering, giver=giver, holder=holder, created_by=actor)
            _audit(proxy, actor, "given")
    except IntegrityError:
        raise ServiceError(_("This delegate has already given a proxy; revoke it first."), field="holder") from None
    return proxy


def revoke_proxy(actor, proxy):
    """The giver, the holder or an organiser withdraws a proxy. Polls already
    open keep their roll; every poll opened afterwards ignores the proxy."""
    _require(actor, "voting.revoke_proxy", proxy)
    with transaction.atomic():
        changed = Proxy.objects.filter(pk=proxy.pk, revoked_at__isnull=True).update(
            revoked_at=timezone.now(), revoked_by=actor
        )
        if not changed:
            raise ServiceError(_("This proxy was already revoked."), code="bad_state")
        _audit(proxy, actor, "revoked")
    proxy.refresh_from_db()
    return proxy
