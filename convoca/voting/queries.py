"""Reads shared by the web pages and the API. Every query is scoped to its
poll or gathering."""

import copy

from django.core.cache import cache
from django.db import connection
from django.db.models import Count, Exists, OuterRef, Sum
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from convoca.audit import queries as audit_queries
from convoca.core.roles import is_member
from convoca.network.models import Sector
from convoca.network.rules import can_see_field
from convoca.texts.queries import localize

from .models import Ballot, Option, Participation, Poll, Teller, Voter, weight_display


def shown(poll, options=None, language=None):
    """Copies of ``poll`` and its ``options`` (read in ballot order when None) holding their texts as a reader
    of ``language`` (the request's when None) sees them: title, description and labels from the version in
    that language where one exists, else the original. Each copy has ``.localized`` (for ``lang``
    attributes); the poll copy has ``texts_stamp``, which changes when any of those versions does (for the
    keys of cached fragments). For display and ballots only: never saved. Two queries at most."""
    language = language or get_language()
    if options is None:
        options = Option.objects.filter(poll_id=poll.pk).order_by("position", "pk")
    copies = [copy.copy(poll), *(copy.copy(o) for o in options)]
    localize(copies, language)
    poll_copy, option_copies = copies[0], copies[1:]
    poll_copy.title = poll_copy.localized["title"].text
    poll_copy.description = poll_copy.localized["description"].text
    for option in option_copies:
        option.poll = poll_copy  # what a ballot form reads of an option's poll, without a query
        if option.label:  # a built-in answer (yes, no...) has no label: gettext translates its code
            option.label = option.localized["label"].text
    stamps = [c.localized.translated_at.isoformat() for c in copies if c.localized.translated_at]
    poll_copy.texts_stamp = max(stamps, default="-")
    return poll_copy, option_copies


def polls_for(gathering):
    return Poll.objects.filter(gathering=gathering).select_related("gathering").order_by("-created_at", "-pk")


def get_poll(pk):
    """One poll with its gathering, or None."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        return None
    return Poll.objects.select_related("gathering").filter(pk=pk).first()


def can_see_results(user, poll):
    """Published results: whoever may see the gathering, anonymous visitors included. Counted but not yet
    published: its organisers. Live results of an open (never secret) poll that shows them: members."""
    if poll.state == Poll.State.PUBLISHED:
        return user.has_perm("voting.view_published", poll)
    if poll.state == Poll.State.CLOSED:
        return poll.result is not None and user.has_perm("voting.manage_poll", poll)
    if poll.state == Poll.State.OPEN and poll.results_while_open and not poll.is_secret:
        return is_member(user)
    return False


def can_see_receipts(user, poll):
    """Nothing of a poll's ballots or receipts is readable before its results are published; then the
    (receipt, choice) list is as public as the results."""
    return poll.state == Poll.State.PUBLISHED and user.has_perm("voting.view_published", poll)


def rules_text(poll):
    """The counting rules of ``poll`` in a few sentences of the active language."""
    from .services import tally_spec  # services import this module: asked at call time
    from .tally import rules_text as text

    return text(tally_spec(poll))


def tellers(viewer, poll):
    """The tellers of ``poll`` in order, each named as far as the viewer may see their name, and whether
    they have set their teller passphrase."""
    rows = []
    for teller in Teller.objects.filter(poll=poll).select_related("user__person"):
        rows.append({"position": teller.position, "user_id": teller.user_id, "ready": teller.is_ready,
                     "is_viewer": teller.user_id == getattr(viewer, "pk", None),
                     "label": teller_label(viewer, teller)})
    return rows


def teller_label(viewer, teller):
    person = getattr(teller.user, "person", None)
    if person is not None and can_see_field(viewer, person, "display_name"):
        return str(_("Teller %(n)s: %(name)s") % {"n": teller.position, "name": person.display_name})
    return str(_("Teller %(n)s") % {"n": teller.position})


TURNOUT_TTL = 2  # seconds: every open poll page refreshes the turnout; one count serves them all


def turnout(poll):
    """Eligible and voted roll entries and weight, overall, per country and
    per sector. Says how many voted, never what. While the poll is open the
    figure is shared for ``TURNOUT_TTL`` seconds through Django's cache (per
    language: the country and sector names are translated and sorted)."""
    if poll.state != Poll.State.OPEN or connection.in_atomic_block:
        return _turnout(poll)
    return cache.get_or_set(f"voting:turnout:{poll.pk}:{get_language()}", lambda: _turnout(poll), TURNOUT_TTL)


def _turnout(poll):
    rows = (
        Voter.objects.filter(poll=poll)
        .annotate(voted=Exists(Participation.objects.filter(voter=OuterRef("pk"))))
        .values("country", "sector", "voted")
        .annotate(n=Count("pk"), w=Sum("weight"))
        .order_by()
    )
    total = {"eligible": 0, "eligible_weight": 0, "voted": 0, "voted_weight": 0}
    by_country, by_sector = {}, {}
    for row in rows:
        voted = row["voted"]
        for bucket in (total, by_country.setdefault(row["country"], dict.fromkeys(total, 0)),
                       by_sector.setdefault(row["sector"], dict.fromkeys(total, 0))):
            bucket["eligible"] += row["n"]
            bucket["eligible_weight"] += row["w"] or 0
            if voted:
                bucket["voted"] += row["n"]
                bucket["voted_weight"] += row["w"] or 0

    def shaped(bucket, **extra):
        share = bucket["voted_weight"] * 100 / bucket["eligible_weight"] if bucket["eligible_weight"] else 0
        return {**extra, "eligible": bucket["eligible"], "voted": bucket["voted"],
                "eligible_weight": weight_display(bucket["eligible_weight"], poll.weight_unit),
                "voted_weight": weight_display(bucket["voted_weight"], poll.weight_unit), "percent": round(share, 1)}

    sectors = dict(Sector.choices)
    return {
        **shaped(total),
        "by_country": sorted(
            (shaped(b, code=c, name=str(countries.name(c)) if c else str(_("Unknown"))) for c, b in by_country.items()),
            key=lambda r: r["name"],
        ),
        "by_sector": sorted(
            (shaped(b, code=s, name=str(sectors.get(s, _("Unknown")))) for s, b in by_sector.items()),
            key=lambda r: r["name"],
        ),
    }


def live_result(poll):
    from .services import count_poll

    if poll.is_counted:
        return poll.result
    return None if poll.is_secret else count_poll(poll)  # a secret poll's ballots are sealed until its count


def labelled_result(poll, result, options=None):
    """The stored result with option labels (of ``options`` when given: ``shown``'s, in the reader's language)
    and weights shown as votes."""
    options = list(Option.objects.filter(poll=poll)) if options is None else options
    label = {str(o.pk): str(o.display) for o in options}
    unit = result.get("unit", poll.weight_unit)
    rows = [
        {"id": o.pk, "label": label[str(o.pk)], "votes": weight_display(result["counts"].get(str(o.pk), 0), unit),
         "winner": o.pk in result.get("winners", [])}
        for o in options
    ]
    rounds = []
    for number, rnd in enumerate(result.get("rounds", []), start=1):
        rounds.append({
            "number": number,
            "tallies": [(label.get(k, k), v) for k, v in rnd.get("tallies", {}).items()],
            "exhausted": rnd.get("exhausted"),
            "quota": rnd.get("quota"),
            "elected": [label.get(str(x), x) for x in rnd.get("elected", [])],
            "excluded": label.get(str(rnd["excluded"])) if rnd.get("excluded") else None,
            "by_lot": rnd.get("by_lot", False),
        })
    return {
        "rows": rows,
        "rounds": rounds,
        "winners": [label.get(str(w), w) for w in result.get("winners", [])],
        "cast": weight_display(result["cast"], unit),
        "eligible": weight_display(result["eligible"], unit),
        "blank": weight_display(result["blank"], unit),
        "ballots": result["ballots"],
        "outcome": result["outcome"],
        "quorum_reached": result["quorum_reached"],
        "tie": result.get("tie", False),
    }


def receipts(poll, viewer=None):
    """The published (receipt, choice) list, sorted by receipt: one receipt per vote, weights only in the
    totals; in a named poll also who voted (as far as the viewer may see names)."""
    label = {o.pk: str(o.display) for o in Option.objects.filter(poll=poll)}
    qs = Ballot.objects.filter(poll=poll).order_by("receipt", "pk")
    named = poll.secrecy == Poll.Secrecy.NAMED or (
        poll.secrecy == Poll.Secrecy.OPEN and viewer is not None and viewer.has_perm("voting.manage_poll", poll)
    )
    if named:
        qs = qs.select_related("voter__registration__person", "voter__registration__organisation")
    rows = []
    for ballot in qs:
        row = {
            "receipt": ballot.receipt,
            "choices": [label.get(c, "?") for c in ballot.choices],
            "choice_ids": list(ballot.choices),
        }
        if named and ballot.voter_id:
            reg = ballot.voter.registration
            person = reg.person
            row["voter"] = (
                person.display_name if viewer is not None and can_see_field(viewer, person, "display_name")
                else str(_("A delegate of %(organisation)s") % {"organisation": reg.organisation.name})
            )
        rows.append(row)
    return rows


def holder_entitlements(user, poll):
    """The roll entries the user casts in this poll: [(registration, weight)]."""
    return list(
        Voter.objects.filter(poll=poll, holder_user=user).select_related("registration__person", "registration__organisation")
    )


def has_voted(user, poll):
    return Participation.objects.filter(voter__poll=poll, voter__holder_user=user).exists()


def audit_trail(viewer, poll):
    """The poll's entries in the audit trail (``convoca.audit``), oldest first, as the viewer may read them:
    translated actions, and each actor's name only where their visibility allows it."""
    return audit_queries.describe(viewer, audit_queries.entries(target=poll).reverse())
