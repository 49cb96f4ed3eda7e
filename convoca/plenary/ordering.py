"""The order of a list of speakers, worked out from who asked, how and when: a pure function, no database.

- A point of order goes to the top (after earlier points of order), then replies, in the order asked.
- The others speak in the order they asked, unless the chair switched on balance rules for the item; then,
  place by place, the first to have asked among those the rules favour:
  1. first-time speakers: people who have not spoken on this item yet go first;
  2. genders: someone whose self-declared gender differs from the previous speaker's (nobody is held back for
     saying nothing, and saying nothing breaks the alternation);
  3. countries: someone from another country than the previous speaker.
- When the chair has moved someone by hand, the list keeps the chair's order: new requests go to the end
  (points of order and replies still go to the top) until the chair applies the rules again.

Each place carries the reason it was given (``REASONS``), shown to everyone beside the name.
"""

from dataclasses import dataclass

ARRIVAL, POINT_OF_ORDER, REPLY, FIRST_TIME, GENDER, COUNTRY, CHAIR = (
    "arrival", "point_of_order", "reply", "first_time", "gender", "country", "chair",
)
REASONS = (ARRIVAL, POINT_OF_ORDER, REPLY, FIRST_TIME, GENDER, COUNTRY, CHAIR)
TOP_KINDS = {"point_of_order": POINT_OF_ORDER, "reply": REPLY}


@dataclass
class Entry:
    key: object  # the speaker's id
    kind: str = "contribution"
    number: int = 0  # the order of asking
    gender: str = ""
    country: str = ""
    spoke_before: bool = False  # has already spoken on this item
    position: int = 0  # the stored place (used when the chair ordered the list by hand)
    reason: str = ""  # the stored reason (kept when the chair ordered the list by hand)


@dataclass
class Last:
    """Who spoke last (or speaks now): what the alternation rules compare with."""

    gender: str = ""
    country: str = ""


def _top(entries):
    """Points of order, then replies, each in the order asked."""
    return sorted((e for e in entries if e.kind in TOP_KINDS), key=_rank)


def _rules(first_time, gender, country):
    rules = []
    if first_time:
        rules.append((FIRST_TIME, lambda e, last: not e.spoke_before))
    if gender:
        rules.append((GENDER, lambda e, last: not last.gender or not e.gender or e.gender != last.gender))
    if country:
        rules.append((COUNTRY, lambda e, last: not last.country or not e.country or e.country != last.country))
    return rules


def order(entries, last=None, *, first_time=False, gender=False, country=False, by_hand=False, new=None):
    """[(entry, reason)] in speaking order. ``last``: who speaks now or spoke last (a ``Last``). ``by_hand``:
    keep the stored positions (``new``: the key of a request just added, placed at the end of its part)."""
    entries = list(entries)
    top = _top(entries)
    placed = [(e, TOP_KINDS[e.kind]) for e in top]
    rest = [e for e in entries if e.kind not in TOP_KINDS]
    if by_hand:
        ordered = sorted((e for e in entries if e.key != new), key=lambda e: (e.position, e.number))
        fresh = next((e for e in entries if e.key == new), None)
        if fresh is None:
            return [(e, e.reason or ARRIVAL) for e in ordered]
        if fresh.kind in TOP_KINDS:  # above the chair's order, below the points of order asked before it
            at = 0
            while at < len(ordered) and ordered[at].kind in TOP_KINDS and _rank(ordered[at]) < _rank(fresh):
                at += 1
        else:
            at = len(ordered)
        reason = TOP_KINDS.get(fresh.kind, ARRIVAL)
        placed = [(e, e.reason or ARRIVAL) for e in ordered]
        placed.insert(at, (fresh, reason))
        return placed
    rules = _rules(first_time, gender, country)
    rest.sort(key=lambda e: e.number)
    last = last or Last()
    while rest:
        pool, reason = rest, ARRIVAL
        for code, favoured in rules:
            narrowed = [e for e in pool if favoured(e, last)]
            if narrowed:
                if reason == ARRIVAL and rest[0] in pool and rest[0] not in narrowed:
                    reason = code  # this rule moved someone ahead of the first to have asked
                pool = narrowed
        chosen = pool[0]
        placed.append((chosen, ARRIVAL if chosen is rest[0] else reason))
        rest.remove(chosen)
        last = Last(chosen.gender, chosen.country)
    return placed


def _rank(entry):
    return ({"point_of_order": 0, "reply": 1}.get(entry.kind, 2), entry.number)


def move(keys, key, place):
    """``keys`` in order with ``key`` moved to ``place`` (1 = the top; beyond the end: the end)."""
    keys = [k for k in keys if k != key]
    index = min(max(place, 1), len(keys) + 1) - 1
    keys.insert(index, key)
    return keys
