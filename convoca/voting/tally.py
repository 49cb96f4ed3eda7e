"""Counting votes: one pure function, no database, no clock, no global state.

``compute_result(spec, ballots, eligible)`` takes the poll's rules, an
iterable of ``(choices, weight)`` pairs and the eligible weight, and returns a
JSON-ready dict. Weights are integers (millionths of a vote). The same input
in any order gives the same output; ties that must be decided are drawn by
lot from a generator seeded with ``spec.seed``, which is published, so anyone
can recount.

Ranked polls: one seat uses instant-runoff; several seats use the single
transferable vote with the Droop quota and the weighted inclusive Gregory
method (fractional surplus transfers of every ballot paper, as in the Scottish
STV rules), computed with exact fractions.
"""

import random
from dataclasses import dataclass
from fractions import Fraction

UNIT = 1_000_000

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
    block_threshold: int = UNIT  # consensus: block weight that stops the decision
    tie_break: str = "none"  # none | lot
    seed: str = ""

    def code_of(self, option_id):
        return dict(self.options).get(option_id, "")

    def option_with(self, code):
        for oid, c in self.options:
            if c == code:
                return oid
        return None


def _fmt(value):
    """A Fraction of micro-units as a string of votes with 6 decimals."""
    micro = Fraction(value)
    votes = micro / UNIT
    sign = "-" if votes < 0 else ""
    votes = abs(votes)
    whole = votes.numerator // votes.denominator
    frac = round((votes - whole) * 1_000_000)
    if frac == 1_000_000:
        whole, frac = whole + 1, 0
    text = f"{whole}.{frac:06d}".rstrip("0").rstrip(".")
    return sign + text


def _rng(spec, label):
    return random.Random(f"{spec.seed}:{label}")


def _meets(spec, votes, base, eligible):
    """Does ``votes`` satisfy the majority rule against ``base``?"""
    if spec.majority == "absolute":
        return votes * 2 > eligible
    if base <= 0:
        return False
    if spec.majority == "simple":
        return votes * 2 > base
    if spec.majority == "two_thirds":
        return votes * 3 >= base * 2
    if spec.majority == "custom":
        share = spec.majority_share if spec.majority_share is not None else Fraction(1, 2)
        return votes >= base * share
    return True  # plurality: decided by ranking alone


def _pick_top(spec, counts, n, label):
    """The ``n`` options with most votes. Returns (winners, tied) where tied is
    True if the cut-off fell inside a tie that ``spec.tie_break`` does not resolve."""
    ids = [oid for oid, _ in spec.options]
    ranked = sorted(ids, key=lambda oid: (-counts.get(oid, 0), oid))
    if n >= len(ranked):
        return [oid for oid in ranked if counts.get(oid, 0) > 0], False
    cutoff = counts.get(ranked[n - 1], 0)
    above = [oid for oid in ranked if counts.get(oid, 0) > cutoff]
    at = [oid for oid in ranked if counts.get(oid, 0) == cutoff]
    need = n - len(above)
    if len(at) == need:
        return above + at, False
    if spec.tie_break == "lot":
        drawn = sorted(at)
        _rng(spec, label).shuffle(drawn)
        return above + sorted(drawn[:need], key=lambda oid: ranked.index(oid)), False
    return above, True


def compute_result(spec, ballots, eligible):
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
        "eligible": eligible,
        "cast": cast,
        "ballots": count_rows,
        "blank": blank,
        "counts": {str(oid): counts.get(oid, 0) for oid, _ in spec.options},
        "quorum_reached": bool(quorum_reached),
        "winners": [],
        "outcome": "",
        "tie": False,
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
        if spec.kind == CONSENSUS and no >= spec.block_threshold:
            result["outcome"] = "blocked"
            return result
        if spec.kind == CONSENSUS:
            no = 0  # a block below the threshold is an objection on record, not a "no"
        base = {"valid": yes + no, "cast": yes + no + abstain, "eligible": eligible}[spec.base]
        if spec.majority == "plurality":
            passed = yes > no
        else:
            passed = _meets(spec, yes, base, eligible)
        result["tie"] = spec.kind == YES_NO and yes == no and yes > 0
        result["outcome"] = "adopted" if passed else "rejected"
        return result

    if spec.kind == RANKED:
        papers = [(c, w) for c, w in ballots if c]
        candidates = [oid for oid, _ in spec.options]
        if spec.seats == 1:
            winners, rounds, tied = instant_runoff(candidates, papers, spec)
        else:
            winners, rounds, tied = single_transferable_vote(candidates, papers, spec.seats, spec)
        result["rounds"] = rounds
        result["winners"] = winners
        result["tie"] = tied
        result["outcome"] = "elected" if winners else ("tie" if tied else "no_winner")
        return result

    # single, multiple, approval
    valid = cast - blank
    base = {"valid": valid, "cast": cast, "eligible": eligible}[spec.base]
    winners, tied = _pick_top(spec, counts, spec.seats, "top")
    if spec.majority != "plurality":
        winners = [oid for oid in winners if _meets(spec, counts.get(oid, 0), base, eligible)]
    result["winners"] = winners
    result["tie"] = tied
    if winners:
        result["outcome"] = "elected" if spec.kind != SINGLE or spec.seats > 1 else "decided"
    else:
        result["outcome"] = "tie" if tied else "no_majority"
    return result


def _lowest(spec, continuing, tallies, history, label):
    """The continuing candidate to exclude: fewest votes; a tie is broken by
    the most recent earlier round in which they differed, then by lot."""
    low = min(tallies[c] for c in continuing)
    tied = sorted(c for c in continuing if tallies[c] == low)
    for past in reversed(history):
        if len(tied) == 1:
            break
        floor = min(past.get(c, 0) for c in tied)
        tied = [c for c in tied if past.get(c, 0) == floor]
    if len(tied) == 1:
        return tied[0], False
    drawn = sorted(tied)
    _rng(spec, label).shuffle(drawn)
    return drawn[0], True


def instant_runoff(candidates, papers, spec):
    """Count first preferences among continuing candidates; a candidate with
    more than half of the continuing votes wins; otherwise exclude the lowest
    and transfer. Returns (winners, rounds, tie_unresolved)."""
    continuing = list(candidates)
    rounds, history = [], []
    lot_used = False
    while continuing:
        tallies = dict.fromkeys(continuing, 0)
        exhausted = 0
        for prefs, weight in papers:
            top = next((p for p in prefs if p in tallies), None)
            if top is None:
                exhausted += weight
            else:
                tallies[top] += weight
        active = sum(tallies.values())
        entry = {"tallies": {str(c): _fmt(v) for c, v in tallies.items()}, "exhausted": _fmt(exhausted)}
        leader = max(continuing, key=lambda c: (tallies[c], -c))
        if active and (tallies[leader] * 2 > active or len(continuing) == 1):
            entry["elected"] = [leader]
            rounds.append(entry)
            return [leader], rounds, False
        if not active:
            rounds.append(entry)
            return [], rounds, False
        if len(continuing) == 2 and tallies[continuing[0]] == tallies[continuing[1]]:
            if spec.tie_break != "lot":
                entry["tie"] = True
                rounds.append(entry)
                return [], rounds, True
        # Someone must be excluded: a tie among the lowest is broken by earlier
        # rounds, then by the published seeded draw (recorded as by_lot).
        loser, by_lot = _lowest(spec, continuing, tallies, history, f"irv{len(rounds)}")
        lot_used = lot_used or by_lot
        entry["excluded"] = loser
        entry["by_lot"] = by_lot
        rounds.append(entry)
        history.append(tallies)
        continuing.remove(loser)
    return [], rounds, lot_used


def single_transferable_vote(candidates, papers, seats, spec):
    """STV, Droop quota, weighted inclusive Gregory transfers, exact fractions.
    Returns (winners in order of election, rounds, tie_unresolved)."""
    total = sum(w for _, w in papers)
    # Droop quota in whole votes: floor(votes / (seats + 1)) + 1
    quota = Fraction((total // UNIT) // (seats + 1) * UNIT + UNIT) if total >= UNIT else Fraction(total, seats + 1) + 1
    continuing = set(candidates)
    elected = []
    excluded = []
    # each paper: [prefs, value, current candidate or None]
    pile = []
    for prefs, weight in papers:
        pile.append([prefs, Fraction(weight), None])

    def place(paper):
        prefs = paper[0]
        start = 0
        if paper[2] is not None:
            start = prefs.index(paper[2]) + 1
        paper[2] = next((p for p in prefs[start:] if p in continuing), None)

    for paper in pile:
        place(paper)
    rounds, history = [], []
    retained = Fraction(0)  # votes kept by elected candidates (one quota each)
    while len(elected) < seats:
        tallies = {c: Fraction(0) for c in continuing}
        exhausted = Fraction(0)
        for _prefs, value, at in pile:
            if at is None:
                exhausted += value
            elif at in tallies:
                tallies[at] += value
        entry = {
            "quota": _fmt(quota),
            "tallies": {str(c): _fmt(tallies[c]) for c in sorted(continuing)},
            "exhausted": _fmt(exhausted),
            "retained": _fmt(retained),
        }
        if len(continuing) + len(elected) <= seats:
            rest = sorted(continuing, key=lambda c: (-tallies[c], c))
            elected.extend(rest)
            entry["elected"] = rest
            rounds.append(entry)
            break
        reached = sorted((c for c in continuing if tallies[c] >= quota), key=lambda c: (-tallies[c], c))
        if reached:
            reached = reached[: seats - len(elected)]
            entry["elected"] = reached
            for c in reached:
                elected.append(c)
                continuing.discard(c)
            for c in reached:  # transfer surpluses, largest first
                surplus = tallies[c] - quota
                retained += min(tallies[c], quota)
                if surplus > 0:
                    factor = surplus / tallies[c]
                    for paper in pile:
                        if paper[2] == c:
                            paper[1] *= factor
                            place(paper)
                else:
                    for paper in pile:
                        if paper[2] == c:
                            paper[2] = ("kept", c)
            for paper in pile:  # papers left with an elected candidate are kept at quota value
                if paper[2] in reached:
                    paper[2] = ("kept", paper[2])
            rounds.append(entry)
            history.append(tallies)
            continue
        loser, by_lot = _lowest(spec, continuing, tallies, history, f"stv{len(rounds)}")
        entry["excluded"] = loser
        entry["by_lot"] = by_lot
        excluded.append(loser)
        continuing.discard(loser)
        for paper in pile:
            if paper[2] == loser:
                place(paper)
        rounds.append(entry)
        history.append(tallies)
        if not continuing:
            break
    return elected, rounds, False
