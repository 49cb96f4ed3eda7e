"""Reads of endorsements used by the pages and the API."""

from django.db.models import Count
from django_countries import countries

from convoca.network.rules import committee_countries

from .models import Endorsement


def public(declaration):
    """The public endorsements (verified, approved where asked), by country then name."""
    return Endorsement.objects.filter(declaration=declaration, state=Endorsement.State.PUBLIC)


def counts_by_country(declaration):
    """``[(code, name, organisations, individuals)]`` of public endorsements, most first (one query)."""
    rows = (
        public(declaration).values("country", "kind").annotate(n=Count("pk")).order_by()
    )
    table = {}
    for row in rows:
        entry = table.setdefault(row["country"], {"organisation": 0, "individual": 0})
        entry[row["kind"]] = row["n"]
    names = dict(countries)
    result = [(code, names.get(code, code), c["organisation"], c["individual"]) for code, c in table.items()]
    result.sort(key=lambda r: (-(r[2] + r[3]), r[1]))
    return result


def for_review(user, declaration):
    """The endorsements a reviewer may see: a coordinator all, a committee its countries."""
    found = Endorsement.objects.filter(declaration=declaration).order_by("-created_at", "-pk")
    if user.has_perm("endorsements.manage", declaration.gathering):
        return found
    return found.filter(country__in=committee_countries(user))


def signed_with(email):
    """The endorsements made with ``email`` (any case); none for an empty address."""
    email_key = (email or "").strip().lower()
    return Endorsement.objects.filter(email_key=email_key) if email_key else Endorsement.objects.none()
