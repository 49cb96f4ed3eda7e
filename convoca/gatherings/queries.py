"""Reads shared by views, API and other apps. Every registration query is
scoped to its gathering so one gathering never leaks into another."""

from django.db.models import Count, Q
from django.utils import timezone

from convoca.core.roles import is_coordinator, is_member
from convoca.network.rules import committee_countries
from convoca.network.search import matching

from .models import Gathering, Registration


def upcoming_gatherings():
    return Gathering.objects.filter(ends_on__gte=timezone.localdate()).order_by("starts_on", "title")


def past_gatherings():
    return Gathering.objects.filter(ends_on__lt=timezone.localdate()).order_by("-starts_on", "title")


def registrations_for(gathering, status=None, role=None, **filters):
    """The registrations of one gathering, with what a list shows (no N+1).

    ``filters`` (each optional, empty means all): ``search`` (words of the display name or the
    organisation's name, accents and capitals aside), ``country`` (of the organisation),
    ``organisation`` (words of its name), ``sector``, ``mandate``, ``checked_in`` ("yes"/"no")."""
    qs = (
        Registration.objects.filter(gathering=gathering)
        .select_related("gathering", "person", "organisation", "organisation__contact")
        .order_by("created_at", "pk")
    )
    if status:
        qs = qs.filter(status=status)
    if role:
        qs = qs.filter(role=role)
    return filter_registrations(qs, **filters)


def filter_registrations(qs, *, search="", country="", organisation="", sector="", mandate="", checked_in=""):
    if search:
        qs = matching(qs, ["person__display_name", "organisation__name_key"], search)
    if organisation:
        qs = matching(qs, ["organisation__name_key"], organisation)
    if country:
        qs = qs.filter(organisation__country=country)
    if sector:
        qs = qs.filter(organisation__sector=sector)
    if mandate:
        qs = qs.filter(mandate=mandate)
    if checked_in == "yes":
        qs = qs.filter(checked_in_at__isnull=False)
    elif checked_in == "no":
        qs = qs.filter(checked_in_at__isnull=True)
    return qs


def registration_countries(gathering):
    """Country codes of the organisations registered for a gathering (one query), for a filter."""
    rows = Registration.objects.filter(gathering=gathering, organisation__isnull=False)
    return sorted(set(rows.order_by().values_list("organisation__country", flat=True).distinct()))


def _counts_by(gathering, field, values, **filters):
    """{value: n} for every value of ``field`` (0 when none), in one query."""
    qs = Registration.objects.filter(gathering=gathering, **{k: v for k, v in filters.items() if v})
    counts = dict.fromkeys(values, 0)
    for row in qs.values(field).annotate(n=Count("pk")).order_by():
        counts[row[field]] = row["n"]
    return counts


def counts_by_status(gathering, role=None):
    """{"requested": n, "accredited": n, "refused": n, "total": n} in one query."""
    counts = _counts_by(gathering, "status", Registration.Status.values, role=role)
    counts["total"] = sum(counts.values())
    return counts


def counts_by_role(gathering, status=None):
    return _counts_by(gathering, "role", Registration.Role.values, status=status)


def registration_of(user, gathering):
    """The user's own registration for a gathering, or None."""
    if not is_member(user):
        return None
    return (
        Registration.objects.filter(gathering=gathering, person__user=user)
        .select_related("gathering", "person", "organisation")
        .first()
    )


def get_registration(gathering, pk):
    """One registration of a gathering (None when it belongs to another)."""
    return (
        Registration.objects.filter(gathering=gathering, pk=pk)
        .select_related("gathering", "person", "organisation", "organisation__contact")
        .first()
    )


def present_count(gathering):
    """Accredited participants who have checked in."""
    return Registration.objects.filter(
        gathering=gathering, status=Registration.Status.ACCREDITED, checked_in_at__isnull=False
    ).count()


def mandates_to_decide(user, pending_only=True):
    """Delegate registrations whose mandate ``user`` may decide: as coordinator
    (all), as contact person of the organisation, or as national committee of
    the organisation's country. Never the user's own."""
    if not is_member(user):
        return Registration.objects.none()
    qs = Registration.objects.filter(role=Registration.Role.DELEGATE).select_related(
        "gathering", "person", "organisation", "organisation__contact"
    )
    if pending_only:
        qs = qs.filter(mandate=Registration.Mandate.PENDING)
    if not is_coordinator(user):
        scope = Q(organisation__contact__user=user) | Q(organisation__country__in=committee_countries(user))
        qs = qs.filter(scope).exclude(person__user=user)
    return qs.order_by("gathering__starts_on", "created_at", "pk")
