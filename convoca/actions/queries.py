"""Reads of days of action used by pages, the API and the benchmark. The per-country counters and the map are
cached per campaign version (every change that moves them bumps it), so a thousand open pages asking again
after an event cost one query between them."""

from datetime import datetime, time, timedelta

from django.core.cache import cache
from django.db.models import Count, Sum
from django.utils import timezone

from convoca.core.prepared import Prepared
from convoca.core.roles import is_coordinator
from convoca.network.rules import committee_countries

from .models import Action, Campaign, Rsvp

PUBLIC_STATES = (Action.State.APPROVED,)

# An action with its campaign, gathering and host, as its page and its RSVP form need them: a visitor's RSVP
# looks it up twice (the page, the POST), so it is compiled once (``core.prepared``).
_ACTION_WITH_HOST = Prepared(
    lambda slug, pk: Action.objects.select_related("campaign__gathering", "host_organisation", "host_user__person")
    .filter(campaign__slug=slug, pk=pk).order_by(),
    slug="\x00campaign", pk=-7_000_000_001)


def action_in_campaign(slug, pk):
    """The action ``pk`` of the campaign ``slug`` (None if there is none), whatever its state."""
    return _ACTION_WITH_HOST.first(slug=slug, pk=pk)


# The reads of each batch of RSVPs (``services.write_rsvps``), compiled once too: a batch is mostly one or two
# RSVPs, and compiling these two statements cost more than running them.
_ACTIONS_TO_WRITE = Prepared(
    lambda pks: Action.objects.select_for_update().filter(pk__in=pks).order_by("pk")
    .only("pk", "campaign_id", "country", "state", "ends_at", "capacity", "rsvp_count"),
    pks=[-7_000_000_001])
_PLACES_TAKEN = Prepared(
    lambda pks, emails: Rsvp.objects.filter(action_id__in=pks, email_key__in=emails).order_by().values_list(
        "action_id", "email_key"),
    pks=[-7_000_000_001], emails=["\x00email"])


def actions_to_write(pks):
    """{id: action} of the actions ``pks`` (sorted), locked in id order on PostgreSQL, with the columns an
    RSVP's checks read."""
    return {a.pk: a for a in _ACTIONS_TO_WRITE.all(pks=pks)}


def places_taken(pks, emails):
    """The (action id, email key) pairs among those actions and emails that already have a place."""
    return set(_PLACES_TAKEN.rows(pks=pks, emails=emails))


# RSVPs change the figures with every write: rather than bump the campaign's row (one hot row for every RSVP),
# each RSVP counts up a number in the cache after its commit (``rsvp_written``), part of the figures' key; with a
# cache per process (no Redis, several workers) the figures are also recomputed at least every FIGURES_TTL.
FIGURES_TTL = 5


def _rsvp_key(campaign_id):
    return f"actions:rsvps-written:{campaign_id}"


def rsvp_written(campaign_id):
    """Called after an RSVP's commit: the campaign's cached figures are stale from now on."""
    key = _rsvp_key(campaign_id)
    cache.add(key, 0, timeout=None)
    try:
        cache.incr(key)
    except ValueError:  # evicted between add and incr
        cache.set(key, 1, timeout=None)


def _version(campaign):
    # Read fresh: the object a page holds may be older than the last write.
    version = Campaign.objects.filter(pk=campaign.pk).values_list("version", flat=True).first() or 0
    return f"{version}.{cache.get(_rsvp_key(campaign.pk), 0)}"


def published(campaign):
    return Action.objects.filter(campaign=campaign, state__in=PUBLIC_STATES)


def filtered(campaign, *, country="", city="", kind="", day=None, zone=None):
    """Published actions of ``campaign`` matching the filters (each optional); ``day`` in ``zone``."""
    actions = published(campaign).select_related("host_organisation")
    if country:
        actions = actions.filter(country=country)
    if city:
        actions = actions.filter(city__iexact=city.strip())
    if kind:
        actions = actions.filter(kind=kind)
    if day is not None:
        zone = zone or timezone.get_current_timezone()
        start = datetime.combine(day, time.min, tzinfo=zone)
        actions = actions.filter(starts_at__gte=start, starts_at__lt=start + timedelta(days=1))
    return actions.order_by("starts_at", "pk")


def country_counts(campaign):
    """[{"country": code, "actions": n, "rsvps": n}] of published actions, by country code."""
    key = f"actions:counts:{campaign.pk}:{_version(campaign)}"
    rows = cache.get(key)
    if rows is None:
        rows = [
            {"country": row["country"], "actions": row["actions"], "rsvps": row["rsvps"] or 0}
            for row in published(campaign).values("country").annotate(actions=Count("pk"), rsvps=Sum("rsvp_count"))
            .order_by("country")
        ]
        cache.set(key, rows, FIGURES_TTL)
    return rows


def map_data(campaign):
    """The whole campaign's map as compact JSON-ready data: one point per city (rounded coordinates), with its
    country, city, number of actions and RSVPs; no host, no address, no title."""
    key = f"actions:map:{campaign.pk}:{_version(campaign)}"
    data = cache.get(key)
    if data is None:
        rows = (published(campaign).exclude(latitude=None)
                .values("latitude", "longitude", "country", "city")
                .annotate(actions=Count("pk"), rsvps=Sum("rsvp_count")).order_by("country", "city"))
        data = {
            "fields": ["lat", "lon", "country", "city", "actions", "rsvps"],
            "points": [[float(r["latitude"]), float(r["longitude"]), r["country"], r["city"], r["actions"],
                        r["rsvps"] or 0] for r in rows],
        }
        cache.set(key, data, FIGURES_TTL)
    return data


def pending_for(user):
    """Actions waiting for this user's decision (their committees' countries; everything for coordinators)."""
    actions = Action.objects.filter(state=Action.State.PENDING).select_related("campaign", "host_organisation")
    if not is_coordinator(user):
        actions = actions.filter(country__in=committee_countries(user))
    return actions.order_by("starts_at", "pk")
