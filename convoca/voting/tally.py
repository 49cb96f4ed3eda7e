"""Counting votes: one pure function, no database, no clock, no global state.

``compute_result(spec, ballots, eligible)`` takes the poll's rules, an
iterable of ``(choices, weight)`` pairs and the eligible weight, and returns a
JSON-ready dict. The same input in any order gives the same output, and
anyone holding the published ballots and seed can recount it.

Weights. Every weight (of a ballot, of the electorate) is an integer number of
*units*, and one vote is ``spec.unit`` units: the caller picks ``unit`` as the
least common multiple of the weights' denominators, so that an organisation's
vote split among three delegates is three weights of ``unit / 3`` that add up
to exactly ``unit``. All arithmetic is on integers and fractions; the only
rounding anywhere is the one the Scottish STV rules prescribe (transfer values
cut to five decimal places, below). ``counts``, ``cast``, ``blank`` and
``eligible`` in the result are in units (``unit`` says how many make a vote);
the strings in ``rounds`` are votes, exact when their decimals end within 12
places (every figure of a count in millionths does), else rounded to 6.
``spec.block_threshold`` is in votes (it may be a Fraction) and is multiplied
by ``unit`` here; the caller passes the poll's number of votes as it is.

Majorities (yes/no and consensus, and every option of the other kinds):
``simple`` more than half of the base; ``absolute`` more than half of all
eligible votes; ``two_thirds`` at least two thirds of the base; ``custom`` with
share p: at least p of the base when p is above one half, more than p of the
base when p is one half or less (so a custom 50 % is "more than half");
``plurality`` ranking alone. A proposal (yes/no, consensus) also needs more
votes for than against: it is never adopted on a tie, and a result never says
both adopted and tie. The base is ``valid`` (for and against only: abstentions,
stand-asides and blank ballots left out), ``cast`` (all votes cast) or
``eligible``.

Consensus: the proposal is blocked when the blocks reach ``block_threshold``
votes; blocks below the threshold stay in every base as votes against.

An option or candidate with no votes is never chosen, elected or decided.

Ties. With ``tie_break == "lot"`` a tie that must be decided is drawn by lot
from a generator seeded with ``spec.seed`` and the round records ``by_lot``.
With ``"none"`` no lot ever decides: options tied for the last place are not
chosen (``tie``); in a ranked count, a tie that no earlier stage breaks is
followed every way it could go (up to ``MAX_WAYS`` complete counts, beyond
which the tie simply stands): the candidates elected in every way are elected,
and if the ways differ the other seats stay empty and the result is a tie.
The round of such a tie has ``tied`` and, when the ways agree, ``every_way``
(the count shown follows the first way), or ``tie`` and
``elected_every_way`` (those elected later whichever way it goes).

Ranked polls, one seat: instant runoff. A candidate with more than half of
the votes still in the count wins; otherwise the candidate with fewest votes is
excluded (a tie is broken by the most recent earlier round in which they
differed, then as above; all candidates with no votes go together) and their
ballots go to the next preference.

Ranked polls, several seats: single transferable vote under the Scottish rules
(The Scottish Local Government Elections Order 2007, SSI 2007/42, schedule 1,
rules 45 to 52), with weighted ballot papers:

- quota (Droop) = floor(valid votes / (seats + 1)) + 1 vote;
- at the end of every stage a continuing candidate who has the quota is
  elected at once and receives no further transfers;
- one surplus is transferred per stage, the largest first; equal surpluses go
  in the order of the votes at the most recent earlier stage at which the
  candidates differed, then as above. Every paper the elected candidate holds
  is transferred (weighted inclusive Gregory) at the transfer value
  surplus x value of the paper when received / candidate's total votes,
  calculated to five decimal places, any remainder ignored: we follow that
  truncation exactly, so published worked examples match to the digit. What
  it drops is reported as ``fractions``; papers with no further preference as
  ``exhausted``. A paper of weight w carries w x its value;
- when no surplus is left to transfer, the continuing candidate with fewest
  votes is excluded (ties: the most recent earlier stage at which they
  differed, then as above; all candidates with no votes go together) and all
  their papers are transferred at their current value in one stage;
- when the continuing candidates are no more than the seats left, they are
  elected (those with votes), and the count ends.

Where the Scottish rules would draw lots, ``tie_break`` decides as above.
The count adds nothing else to them (no bulk exclusion but of candidates with
no votes, no early end for the last seat).

``rounds`` lists one entry per stage: the totals at its end (continuing and
elected candidates; ``exhausted`` and ``fractions`` so far), who was elected
then, and what the next stage does (``surplus``: whose surplus is transferred,
or ``excluded``, with ``excluded_together`` when several candidates with no
votes go at once, and ``by_lot``).

``rules_text(spec)`` says all this in a few translated sentences for the poll
page.
"""

import math
import random
from dataclasses import dataclass
from fractions import Fraction

from django.utils.translation import gettext_lazy as _

UNIT = 1_000_000  # the default unit: weights in millionths of a vote
MAX_WAYS = 64  # complete counts tried when a ranked tie is followed every way
PLACES = 5  # Scottish rules: transfer values to five decimal places

YES_NO = "yes_no"
SINGLE = "single"
MULTIPLE = "multiple"
APPROVAL = "approval"
RANKED = "ranked"
CONSENSUS = "consensus"


@dataclass(frozen=True)
class Spec:
    kind: str
    options: tuple  # ((option_id, code), ...) in ballot order
    seats: int = 1
    quorum: Fraction = Fraction(0)  # share of eligible weight that must take part
    majority: str = "simple"  # plurality | simple | absolute | two_thirds | custom
    majority_share: Fraction | None = None  # for custom
    base: str = "valid"  # valid | cast | eligible
    block_threshold: Fraction | int = 1  # consensus: blocks, in votes, that stop the decision
    tie_break: str = "none"  # none | lot
    seed: str = ""
    unit: int = UNIT  # one vote is this many units of weight

    def __post_init__(self):
        if int(self.unit) != self.unit or self.unit < 1:
            raise ValueError("unit must be a positive integer")

    def code_of(self, option_id):
        return dict(self.options).get(option_id, "")

    def option_with(self, code):
        for oid, c in self.options:
            if c == code:
                return oid
        return None


def _fmt(value, unit):
    """Units as a string of votes: exact when the decimal ends within 12
    places (every figure of a count in millionths does), else rounded to 6."""
    votes = Fraction(value) / unit
    sign = "-" if votes < 0 else ""
    votes = abs(votes)
    places = next((p for p in range(13) if 10**p % votes.denominator == 0), 6)
    digits = math.floor(votes * 10**places + Fraction(1, 2))
    whole, frac = divmod(digits, 10**places)
    text = f"{whole}.{frac:0{places}d}".rstrip("0").rstrip(".") if places else str(whole)
    return sign + text


def _rng(spec, label):
    return random.Random(f"{spec.seed}:{label}")


def _share(spec):
    return spec.majority_share if spec.majority_share is not None else Fraction(1, 2)


def _meets(spec, votes, base, eligible):
    """Does ``votes`` satisfy the majority rule against ``base``?"""
    if votes <= 0:
        return False
    if spec.majority == "absolute":
        return votes * 2 > eligible
    if base <= 0:
        return False
    if spec.majority == "simple":
        return votes * 2 > base
    if spec.majority == "two_thirds":
        return votes * 3 >= base * 2
    if spec.majority == "custom":
        share = _share(spec)
        return votes >= base * share if share > Fraction(1, 2) else votes > base * share
    return True  # plurality: decided by ranking alone


def _pick_top(spec, counts, n, label):
    """The ``n`` options with most votes, among options with votes. Returns
    (winners, tied, by_lot): ``tied`` lists the options sharing the cut-off
    when ``spec.tie_break`` leaves the tie unresolved (they are not winners)."""
    position = {oid: i for i, (oid, _code) in enumerate(spec.options)}
    ranked = sorted((oid for oid in position if counts.get(oid, 0) > 0), key=lambda oid: (-counts[oid], position[oid]))
    if n >= len(ranked):
        return ranked, [], False
    cutoff = counts[ranked[n - 1]]
    above = [oid for oid in ranked if counts[oid] > cutoff]
    at = [oid for oid in ranked if counts[oid] == cutoff]
    need = n - len(above)
    if len(at) == need:
        return above + at, [], False
    if spec.tie_break == "lot":
        drawn = sorted(at)
        _rng(spec, label).shuffle(drawn)
        return above + sorted(drawn[:need], key=position.get), [], True
    return above, at, False


def compute_result(spec, ballots, eligible):
    unit = spec.unit
    ballots = [(tuple(choices), int(weight)) for choices, weight in ballots]
    cast = sum(w for _, w in ballots)
    count_rows = len(ballots)
    blank = sum(w for c, w in ballots if not c)
    counts = {oid: 0 for oid, _ in spec.options}
    for choices, weight in ballots:
        if spec.kind == RANKED:
            if choices:
                counts[choices[0]] = counts.get(choices[0], 0) + weight
        else:
            for oid in set(choices):
                counts[oid] = counts.get(oid, 0) + weight
    quorum_reached = cast * spec.quorum.denominator >= eligible * spec.quorum.numerator if spec.quorum else True
    result = {
        "kind": spec.kind,
        "unit": unit,
        "eligible": eligible,
        "cast": cast,
        "ballots": count_rows,
        "blank": blank,
        "counts": {str(oid): counts.get(oid, 0) for oid, _ in spec.options},
        "quorum_reached": bool(quorum_reached),
        "winners": [],
        "outcome": "",
        "tie": False,
        "by_lot": False,
        "rounds": [],
    }
    if not quorum_reached:
        result["outcome"] = "no_quorum"
        return result

    if spec.kind in (YES_NO, CONSENSUS):
        yes_code, no_code, abstain_code = ("yes", "no", "abstain") if spec.kind == YES_NO else ("agree", "block", "stand_aside")
        yes = counts.get(spec.option_with(yes_code), 0)
        no = counts.get(spec.option_with(no_code), 0)
        abstain = counts.get(spec.option_with(abstain_code), 0) + blank
        if spec.kind == CONSENSUS and no > 0 and no >= spec.block_threshold * unit:
            result["outcome"] = "blocked"
            return result
        # A block below the threshold is a vote against: it stays in every base.
        base = {"valid": yes + no, "cast": yes + no + abstain, "eligible": eligible}[spec.base]
        passed = yes > no and (spec.majority == "plurality" or _meets(spec, yes, base, eligible))
        result["tie"] = yes == no and yes > 0
        result["outcome"] = "adopted" if passed else "rejected"
        return result

    if spec.kind == RANKED:
        candidates = [oid for oid, _ in spec.options]
        known = set(candidates)
        grouped = {}
        for choices, weight in ballots:
            prefs = tuple(dict.fromkeys(c for c in choices if c in known))
            if prefs and weight > 0:
                grouped[prefs] = grouped.get(prefs, 0) + weight
        papers = sorted(grouped.items())
        if spec.seats == 1:
            result["method"] = "instant_runoff"
            winners, rounds, tied = instant_runoff(candidates, papers, spec)
        else:
            result["method"] = "scottish_stv"
            winners, rounds, tied = single_transferable_vote(candidates, papers, spec.seats, spec)
        result["rounds"] = rounds
        result["winners"] = winners
        result["tie"] = tied
        result["by_lot"] = any(r.get("by_lot") for r in rounds)
        result["outcome"] = "elected" if winners else ("tie" if tied else "no_winner")
        return result

    # single, multiple, approval
    valid = cast - blank
    base = {"valid": valid, "cast": cast, "eligible": eligible}[spec.base]
    winners, tied, by_lot = _pick_top(spec, counts, spec.seats, "top")
    if spec.majority != "plurality":
        top = len(winners)
        winners = [oid for oid in winners if _meets(spec, counts.get(oid, 0), base, eligible)]
        by_lot = by_lot and len(winners) == top  # else the options drawn lack the majority anyway
        # options tied below the majority would not be chosen anyway: no tie to report
        tied = [oid for oid in tied if _meets(spec, counts[oid], base, eligible)]
    result["winners"] = winners
    result["tie"] = bool(tied)
    result["by_lot"] = by_lot
    if winners:
        result["outcome"] = "elected" if spec.kind != SINGLE or spec.seats > 1 else "decided"
    else:
        result["outcome"] = "tie" if tied else "no_majority"
    return result


# --- ranked counts -------------------------------------------------------------


class _Fork(Exception):
    """A tie that ``tie_break == "none"`` will not break: count every way."""

    def __init__(self, tied):
        super().__init__(tied)
        self.tied = tied


def _by_lot(spec):
    def decide(tied, label, entry):
        drawn = sorted(tied)
        _rng(spec, label).shuffle(drawn)
        entry["by_lot"] = True
        return drawn[0]

    return decide


def _following(forced):
    """Decide the ties of one count in the order given, and fork at the next."""
    ahead = iter(forced)

    def decide(tied, label, entry):
        choice = next(ahead, None)
        if choice is None:
            raise _Fork(tied)
        entry["every_way"] = True  # not decided: every way gives these winners
        return choice

    return decide


def _break_tie(tied, history, highest, decide, entry, label):
    """One of ``tied`` (in ballot order): the highest (or lowest) at the most
    recent earlier stage at which they differed, else ``decide``."""
    for past in reversed(history):
        if len(tied) == 1:
            break
        values = [past.get(c, 0) for c in tied]
        best = max(values) if highest else min(values)
        tied = [c for c in tied if past.get(c, 0) == best]
    if len(tied) == 1:
        return tied[0]
    entry["tied"] = list(tied)
    return decide(tied, label, entry)


def _every_way(spec, count):
    """Run ``count(decide, rounds, elected)``; returns (winners, rounds, tie).
    By lot: one count. Otherwise every way an unbroken tie could go is counted."""
    if spec.tie_break == "lot":
        rounds, elected = [], []
        count(_by_lot(spec), rounds, elected)
        return elected, rounds, False
    leaves, first, runs = [], None, 0
    stack = [()]
    while stack:
        forced = stack.pop()
        runs += 1
        if runs > MAX_WAYS:
            leaves = None  # too many ways to follow: the tie stands
            break
        rounds, elected = [], []
        try:
            count(_following(forced), rounds, elected)
        except _Fork as fork:
            if first is None:
                first = (rounds, list(elected))
            stack.extend(forced + (c,) for c in reversed(fork.tied))
            continue
        leaves.append((elected, rounds))
    if first is None:
        return leaves[0][0], leaves[0][1], False
    if leaves is not None and len({frozenset(e) for e, _ in leaves}) == 1:
        return leaves[0][0], leaves[0][1], False
    rounds, before = first
    winners = list(before)
    if leaves is not None:
        common = frozenset.intersection(*(frozenset(e) for e, _ in leaves))
        later = [c for c in leaves[0][0] if c in common and c not in before]
        if later:  # elected at some later stage, whichever way the tie goes
            rounds[-1]["elected_every_way"] = later
            winners += later
    rounds[-1]["tie"] = True
    return winners, rounds, True


def _exclusion(continuing, tallies, history, decide, entry, label):
    """Who is excluded: everyone with no votes, else the lowest (ties broken by
    the most recent earlier stage at which they differed, then ``decide``)."""
    low = min(tallies[c] for c in continuing)
    tied = [c for c in continuing if tallies[c] == low]
    out = tied if low == 0 else [_break_tie(tied, history, False, decide, entry, label)]
    entry["excluded"] = out[0]
    if len(out) > 1:
        entry["excluded_together"] = out
    entry.setdefault("by_lot", False)
    return out


def instant_runoff(candidates, papers, spec):
    """Instant runoff on ``papers`` [(prefs, weight)]: returns (winners, rounds, tie)."""
    return _every_way(spec, lambda decide, rounds, elected: _instant_runoff(candidates, papers, spec, decide, rounds, elected))


def _instant_runoff(candidates, papers, spec, decide, rounds, elected):
    unit = spec.unit
    continuing = list(candidates)
    history = []
    piles = {c: [] for c in candidates}  # candidate -> [(prefs, weight, index of the preference)]
    exhausted = 0

    def move(prefs, weight, index):
        nonlocal exhausted
        while index < len(prefs) and prefs[index] not in piles:
            index += 1
        if index == len(prefs):
            exhausted += weight
        else:
            piles[prefs[index]].append((prefs, weight, index))

    for prefs, weight in papers:
        move(prefs, weight, 0)
    while continuing:
        tallies = {c: sum(w for _, w, _ in piles[c]) for c in continuing}
        active = sum(tallies.values())
        entry = {"stage": len(rounds) + 1, "tallies": {str(c): _fmt(v, unit) for c, v in tallies.items()},
                 "exhausted": _fmt(exhausted, unit)}
        rounds.append(entry)
        if not active:
            return
        leader = max(continuing, key=lambda c: tallies[c])
        if tallies[leader] * 2 > active:
            entry["elected"] = [leader]
            elected.append(leader)
            return
        out = _exclusion(continuing, tallies, history, decide, entry, f"irv{len(rounds)}")
        history.append(tallies)
        continuing = [c for c in continuing if c not in out]
        leaving = [paper for c in out for paper in piles.pop(c)]
        for prefs, weight, index in leaving:
            move(prefs, weight, index + 1)


def single_transferable_vote(candidates, papers, seats, spec):
    """Scottish STV on ``papers`` [(prefs, weight)]: returns (winners in order
    of election, rounds, tie)."""
    return _every_way(spec, lambda decide, rounds, elected: _scottish_stv(candidates, papers, seats, spec, decide, rounds, elected))


def _scottish_stv(candidates, papers, seats, spec, decide, rounds, elected):
    # Every transfer value is a whole number of 1/SCALE, so all figures are integers of
    # 1/(unit x SCALE) vote: a paper of weight w units and value v/SCALE counts w x v.
    unit, scale = spec.unit, 10**PLACES
    total = sum(w for _, w in papers)
    quota = (total // (unit * (seats + 1)) + 1) * unit * scale  # whole votes
    position = {c: i for i, c in enumerate(candidates)}
    continuing = set(candidates)
    held = {}  # elected candidate -> the votes they keep
    pending = []  # elected candidates whose surplus is still to be transferred
    history = []  # totals at the end of each earlier stage
    exhausted = fractions = 0
    # a paper: [prefs, weight in units, value of each of its votes in 1/SCALE, index of its current preference]
    piles = {c: [] for c in candidates}

    def move(paper):
        """To the next preference for a continuing candidate, or out of the count."""
        nonlocal exhausted
        prefs, index = paper[0], paper[3] + 1
        while index < len(prefs) and prefs[index] not in continuing:
            index += 1
        paper[3] = index
        if index == len(prefs):
            exhausted += paper[1] * paper[2]
        else:
            piles[prefs[index]].append(paper)

    def votes(value):
        return _fmt(Fraction(value, scale), unit)

    for prefs, weight in papers:
        move([prefs, weight, scale, -1])
    while True:
        totals = {c: sum(w * v for _, w, v, _ in piles[c]) for c in continuing}
        now = {**held, **totals}
        entry = {
            "stage": len(rounds) + 1,
            "quota": votes(quota),
            "tallies": {str(c): votes(now[c]) for c in candidates if c in now},
            "exhausted": votes(exhausted),
            "fractions": votes(fractions),
        }
        rounds.append(entry)
        order = sorted(continuing, key=lambda c: (-totals[c], position[c]))
        reached = [c for c in order if totals[c] >= quota][: seats - len(elected)]
        if reached:
            entry["elected"] = reached
            for c in reached:
                elected.append(c)
                continuing.discard(c)
                held[c] = totals[c]
                pending.append(c)
        if len(elected) >= seats:
            return
        if len(continuing) <= seats - len(elected):
            rest = [c for c in order if c in continuing and totals[c] > 0]
            if rest:
                entry["elected"] = entry.get("elected", []) + rest
                elected.extend(rest)
            return
        pending = [c for c in pending if held[c] > quota]
        if pending:
            top = max(held[c] for c in pending)
            tied = sorted((c for c in pending if held[c] == top), key=position.get)
            source = _break_tie(tied, history, True, decide, entry, f"surplus{len(rounds)}")
            entry["surplus"] = source
            entry.setdefault("by_lot", False)
            history.append(now)
            surplus, whole = held[source] - quota, held[source]
            moved = 0
            leaving, piles[source] = piles[source], []
            for paper in leaving:
                # transfer value = surplus x value when received / total, to 5 places, remainder ignored
                paper[2] = surplus * paper[2] // whole
                moved += paper[1] * paper[2]
                move(paper)
            held[source] = quota
            fractions += surplus - moved
            pending.remove(source)
            continue
        out = _exclusion(sorted(continuing, key=position.get), totals, history, decide, entry, f"stv{len(rounds)}")
        history.append(now)
        continuing.difference_update(out)
        for c in out:
            leaving, piles[c] = piles[c], []
            for paper in leaving:
                move(paper)


# --- the rules in words --------------------------------------------------------

_METHOD = {
    YES_NO: _("Each voter votes for or against the proposal, or abstains."),
    SINGLE: _("Each voter chooses one option."),
    MULTIPLE: _("Each voter may choose several options; the options with the most votes fill the seats."),
    APPROVAL: _("Approval voting: each voter approves as many options as they like; the options with the most approvals fill the seats."),
    CONSENSUS: _("Consensus: the proposal is blocked when the blocks add up to %(threshold)s or more (counted in votes); blocks below that count as votes against."),
}
_IRV = _("Instant runoff: the candidate with the fewest votes is excluded and their ballots go to the next preference, until one candidate has more than half of the votes still in the count.")
_STV = _("Single transferable vote under the Scottish rules (SSI 2007/42): the quota is the valid votes divided by the seats plus one, fractions dropped, plus one vote; a candidate who reaches it is elected; one surplus is transferred per stage, the largest first, at transfer values cut to five decimal places; when no surplus is left, the candidate with the fewest votes is excluded.")
_NO_VOTES = _("An option or candidate with no votes is never chosen.")
_MAJORITY = {
    "simple": _("Majority needed: more than half of the base."),
    "absolute": _("Majority needed: more than half of all eligible votes."),
    "two_thirds": _("Majority needed: at least two thirds of the base."),
}
_AT_LEAST = _("Majority needed: at least %(percent)s%% of the base.")
_MORE_THAN = _("Majority needed: more than %(percent)s%% of the base.")
_PLURALITY_PROPOSAL = _("Adopted with more votes for than against.")
_PLURALITY_OPTIONS = _("The options with the most votes are chosen, whatever their share.")
_NEVER_ON_A_TIE = _("A proposal needs more votes for than against: a tie never adopts it.")
_BASE_IS = _("Base (100%%): %(base)s.")
_BASES = {
    "valid": _("Votes cast, not counting abstentions and blank ballots"),
    "cast": _("All votes cast, abstentions included"),
    "eligible": _("All eligible votes"),
}
_TIES = {
    ("options", "lot"): _("A tie for the last place is drawn by lot from the published seed."),
    ("options", "none"): _("A tie for the last place decides nothing: the tied options are not chosen."),
    ("ranked", "lot"): _("A tie between candidates is broken by the most recent earlier stage at which their votes differed, otherwise by lot from the published seed."),
    ("ranked", "none"): _("A tie between candidates is broken by the most recent earlier stage at which their votes differed; otherwise the count is completed for each way the tie could go, and only candidates elected in every case are elected."),
}


def _ties(spec):
    return "lot" if spec.tie_break == "lot" else "none"


def _percent(share):
    value = Fraction(share) * 100
    return _fmt(value, 1)


def rules_text(spec):
    """The counting rules of ``spec`` in a few sentences of the active language."""
    proposal = spec.kind in (YES_NO, CONSENSUS)
    if spec.kind == RANKED:
        parts = [_IRV if spec.seats == 1 else _STV, _NO_VOTES, _TIES["ranked", _ties(spec)]]
        return " ".join(str(p) for p in parts)
    if spec.kind == CONSENSUS:
        parts = [str(_METHOD[CONSENSUS]) % {"threshold": _fmt(Fraction(spec.block_threshold) * spec.unit, spec.unit)}]
    else:
        parts = [str(_METHOD.get(spec.kind, ""))]
    if not proposal:
        parts.append(str(_NO_VOTES))
    if spec.majority == "plurality":
        parts.append(str(_PLURALITY_PROPOSAL if proposal else _PLURALITY_OPTIONS))
    else:
        if spec.majority == "custom":
            share = _share(spec)
            parts.append(str(_AT_LEAST if share > Fraction(1, 2) else _MORE_THAN) % {"percent": _percent(share)})
        else:
            parts.append(str(_MAJORITY[spec.majority]))
        if spec.majority != "absolute":
            parts.append(str(_BASE_IS) % {"base": _BASES[spec.base]})
        if proposal:
            parts.append(str(_NEVER_ON_A_TIE))
    if not proposal:
        parts.append(str(_TIES["options", _ties(spec)]))
    return " ".join(p for p in parts if p)
