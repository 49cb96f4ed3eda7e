"""What the home page shows a logged-in person now, gathered from the apps below in a fixed number of queries
(the same for one gathering, poll or registration as for many)."""

from dataclasses import dataclass, field

from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone
from django_countries import countries

from convoca.core.roles import is_coordinator, is_member
from convoca.gatherings import queries as gathering_queries
from convoca.gatherings.models import Gathering, Registration
from convoca.network.rules import committee_countries
from convoca.plenary import queries as plenary_queries
from convoca.texts.queries import localize
from convoca.voting.models import Participation, Poll, Voter


@dataclass
class Desk:
    """The numbers that wait for a coordinator or a national committee."""

    accreditations: int = 0
    mandates: int = 0
    checkins: list = field(default_factory=list)  # [{"gathering", "country", "present", "accredited"}]


@dataclass
class Today:
    now: list = field(default_factory=list)  # plenary.queries.NowCard
    places: list = field(default_factory=list)  # plenary.queries.MyPlace
    ballots: list = field(default_factory=list)  # open polls the person can still cast
    badges: list = field(default_factory=list)  # accredited registrations with a valid badge
    desk: Desk | None = None

    @property
    def anything(self):
        return bool(self.now or self.places or self.ballots or self.badges or self.desk)


def managed_gatherings(user):
    """The gatherings not over yet that ``user`` manages (coordinators: all; committees: their meetings)."""
    upcoming = Gathering.objects.filter(ends_on__gte=timezone.localdate())
    if is_coordinator(user):
        return upcoming
    return upcoming.filter(kind=Gathering.Kind.PREPARATORY, country__in=committee_countries(user))


def desk(user):
    if not (is_coordinator(user) or committee_countries(user)):
        return None
    managed = managed_gatherings(user)
    today = timezone.localdate()
    numbers = Desk(
        accreditations=Registration.objects.filter(gathering__in=managed, status=Registration.Status.REQUESTED).count(),
        mandates=gathering_queries.mandates_to_decide(user).count(),
    )
    rows = (
        Registration.objects.filter(gathering__in=managed.filter(starts_on__lte=today),
                                    status=Registration.Status.ACCREDITED)
        .values("gathering__slug", "gathering__title", "organisation__country")
        .annotate(accredited=Count("pk"), present=Count("pk", filter=Q(checked_in_at__isnull=False)))
        .order_by("gathering__starts_on", "gathering__slug", "organisation__country")
    )
    for row in rows:
        code = row["organisation__country"] or ""
        numbers.checkins.append({
            "gathering": row["gathering__title"], "slug": row["gathering__slug"],
            "country": str(countries.name(code)) if code else "", "present": row["present"],
            "accredited": row["accredited"],
        })
    return numbers


def open_ballots(user):
    """Open polls where ``user`` holds a vote not cast yet (their own or by proxy), with their gathering."""
    cast = Participation.objects.filter(voter=OuterRef("pk"))
    polls = Poll.objects.filter(
        Exists(Voter.objects.filter(poll=OuterRef("pk"), holder_user=user).exclude(Exists(cast))),
        state=Poll.State.OPEN,
    ).select_related("gathering").order_by("closes_at", "pk")
    return list(polls[:10])


def badges(user):
    return list(Registration.objects.filter(
            person__user=user, status=Registration.Status.ACCREDITED, badge_revoked_at__isnull=True,
            gathering__ends_on__gte=timezone.localdate(),
        ).select_related("gathering").order_by("gathering__starts_on")[:5])


def today_for(user):
    if not is_member(user):
        return Today()
    now, places = plenary_queries.now_for(user)
    shown = Today(now=now, places=places, ballots=open_ballots(user), badges=badges(user), desk=desk(user))
    localize([*(card.item for card in now), *(place.item for place in places), *shown.ballots,
              *{r.gathering.pk: r.gathering for r in shown.badges}.values(),
              *{c.gathering.pk: c.gathering for c in now}.values(), *(place.item.gathering for place in places)])
    return shown
