"""Every write of days of action: campaigns, actions, their moderation, RSVPs, reports.

Plain functions in a transaction; emails and live events only after the commit. Permissions are asked of
``rules`` here as well as by the views. RSVPs are written in batches by each process's group commit
(``write_rsvps``), which checks every place against the action's row read under the write lock (SQLite) or
locked (PostgreSQL), so two people can never take the last place together."""

import re
import zoneinfo
from datetime import timedelta
from functools import partial

from django.core import signing
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_countries import countries

from convoca.audit.services import record
from convoca.core import events
from convoca.core.errors import NotFound, PermissionDenied, ServiceError
from convoca.core.group_commit import GroupCommit
from convoca.core.tasks import enqueue_after_commit
from convoca.texts.services import clean_original_language, record_original, record_original_change

from . import notify, places, queries, tasks
from .models import Action, ActionType, Campaign, Rsvp, TrustedHost, Visibility

CONFIRM_SALT = "actions.rsvp.confirm"
CONFIRM_MAX_AGE = 14 * 24 * 3600  # a confirmation link works for two weeks
MAX_ACTION_DAYS = 7  # an action lasts a week at most
MAX_YEARS_AHEAD = 3


def campaign_topic(campaign_id):
    return f"campaign:{campaign_id}"


def _announce(action, kind="actions.changed"):
    """Tell the campaign's open pages that its list, counters or map changed (ids only), and bump the version
    its cached figures are keyed by."""
    Campaign.objects.filter(pk=action.campaign_id).update(version=F("version") + 1)
    events.publish_on_commit(campaign_topic(action.campaign_id),
                             {"kind": kind, "campaign": action.campaign_id, "action": action.pk,
                              "country": str(action.country)})


def _rsvps_changed(action):
    """After an RSVP's commit: the campaign's figures are stale; its pages hear of it at most once a second."""
    queries.rsvp_written(action.campaign_id)
    events.publish_throttled(campaign_topic(action.campaign_id),
                             {"kind": "actions.rsvps", "campaign": action.campaign_id, "action": action.pk,
                              "country": str(action.country)}, key=f"actions.rsvps:{action.campaign_id}")


# --- campaigns ---------------------------------------------------------------------------------------------


CAMPAIGN_TITLE_MAX = Campaign._meta.get_field("title").max_length
CAMPAIGN_SLUG_MAX = Campaign._meta.get_field("slug").max_length
CAMPAIGN_DESCRIPTION_MAX = 5000
RESERVED_SLUGS = {"create", "moderation", "rsvp"}  # the addresses of pages beside the campaigns' (urls.py)


def _check_campaign(gathering, *, title, starts_on, ends_on, action_types, description, proposals):
    """The checks a campaign's values pass on creation and on every change; returns them cleaned."""
    title = " ".join(str(title or "").split())
    if not title:
        raise ServiceError(_("Give the day of action a title."), field="title")
    if len(title) > CAMPAIGN_TITLE_MAX:
        raise ServiceError(_("The title is too long: %(limit)s characters at most.") % {"limit": CAMPAIGN_TITLE_MAX},
                           field="title")
    description = str(description or "").strip()
    if len(description) > CAMPAIGN_DESCRIPTION_MAX:
        raise ServiceError(_("The description is too long: %(limit)s characters at most.")
                           % {"limit": CAMPAIGN_DESCRIPTION_MAX}, field="description")
    if starts_on is None:
        raise ServiceError(_("Give the first day."), field="starts_on")
    if ends_on is None:
        raise ServiceError(_("Give the last day."), field="ends_on")
    if ends_on < starts_on:
        raise ServiceError(_("The last day cannot come before the first day."), field="ends_on")
    action_types = list(action_types or ())
    unknown = set(action_types) - set(ActionType.values)
    if unknown or not action_types:
        raise ServiceError(_("Choose at least one type of action from the list."), field="action_types")
    proposals = list(proposals)
    if any(p.gathering_id != gathering.pk or p.state != "adopted" for p in proposals):
        raise ServiceError(_("Only proposals adopted by this gathering can be linked."), field="proposals")
    return {"title": title, "description": description, "starts_on": starts_on, "ends_on": ends_on,
            "action_types": sorted(set(action_types))}, proposals


def create_campaign(user, gathering, *, slug, title, starts_on, ends_on, action_types, description="",
                    proposals=(), original_language=None):
    if not user.has_perm("actions.add_campaign"):
        raise PermissionDenied
    slug = str(slug or "").strip()
    if not slug or len(slug) > CAMPAIGN_SLUG_MAX or not re.fullmatch(r"[-a-zA-Z0-9_]+", slug):
        raise ServiceError(_("The short name is for the address of the page: use letters without accents, "
                             "numbers and hyphens (%(limit)s at most), such as dia-continental.")
                           % {"limit": CAMPAIGN_SLUG_MAX}, field="slug")
    values, proposals = _check_campaign(gathering, title=title, starts_on=starts_on, ends_on=ends_on,
                                        action_types=action_types, description=description, proposals=proposals)
    if original_language:
        original_language = clean_original_language(original_language)
    try:
        with transaction.atomic():
            if slug in RESERVED_SLUGS or Campaign.objects.filter(slug=slug).exists():
                raise ServiceError(_("This short name is already taken."), field="slug", code="duplicate")
            campaign = Campaign(gathering=gathering, slug=slug, **values)
            if original_language:
                campaign.original_language = original_language
            campaign.save()
            campaign.proposals.set(proposals)
            record_original(campaign)
            record(user, "campaign.created", gathering=gathering, target=campaign)
    except IntegrityError:  # the same short name at the same moment
        raise ServiceError(_("This short name is already taken."), field="slug", code="duplicate") from None
    return campaign


def update_campaign(user, campaign, *, title, starts_on, ends_on, action_types, description="", proposals=()):
    """Coordinators change a campaign (its short name stays: it is the address people share). A type of action
    that registered actions use cannot be taken away."""
    if not user.has_perm("actions.change_campaign", campaign):
        raise PermissionDenied
    values, proposals = _check_campaign(campaign.gathering, title=title, starts_on=starts_on, ends_on=ends_on,
                                        action_types=action_types, description=description, proposals=proposals)
    with transaction.atomic():
        used = set(campaign.actions.exclude(state__in=[Action.State.REJECTED, Action.State.CANCELLED])
                   .exclude(kind__in=values["action_types"]).values_list("kind", flat=True))
        if used:
            names = ", ".join(str(ActionType(kind).label) for kind in sorted(used))
            raise ServiceError(_("Actions of these types are already registered, so the types must stay: "
                                 "%(types)s.") % {"types": names}, field="action_types", code="in_use")
        previous = {name: getattr(campaign, name) for name in (*Campaign.TRANSLATABLE_FIELDS, "original_language")}
        changed = [name for name, value in values.items() if getattr(campaign, name) != value]
        for name in changed:
            setattr(campaign, name, values[name])
        if changed:
            campaign.version += 1
            campaign.save(update_fields=[*changed, "version"])
            record_original_change(campaign, changed, previous=previous)
        if {p.pk for p in proposals} != set(campaign.proposals.values_list("pk", flat=True)):
            campaign.proposals.set(proposals)
            changed.append("proposals")
        if changed:
            record(user, "campaign.changed", gathering=campaign.gathering_id, target=campaign,
                   note=", ".join(sorted(changed)))
    return campaign


# --- actions -----------------------------------------------------------------------------------------------


def zone_of(name):
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, TypeError):
        raise ServiceError(_("“%(zone)s” is not a time zone we know. Choose one from the list, such as "
                             "America/Guadeloupe.") % {"zone": name}, field="timezone") from None


def local_times(start, end, zone_name):
    """The aware UTC datetimes of a start and end typed as local times (naive) in ``zone_name``."""
    zone = zone_of(zone_name)
    this_year = timezone.now().year
    for value, field in ((start, "starts_at"), (end, "ends_at")):
        if value.year < this_year - 1:
            raise ServiceError(_("This start time has already passed. Check the date and the time zone."),
                               field="starts_at")
        if value.year > this_year + MAX_YEARS_AHEAD:
            raise ServiceError(_("Give a date within the next %(years)s years.") % {"years": MAX_YEARS_AHEAD},
                               field=field)
    if timezone.is_aware(start):
        start = timezone.make_naive(start, zone)
    if timezone.is_aware(end):
        end = timezone.make_naive(end, zone)
    return start.replace(tzinfo=zone), end.replace(tzinfo=zone)


def _check_action(campaign, data, now):
    if data["kind"] not in campaign.action_types:
        raise ServiceError(_("This day of action does not take actions of this type."), field="kind")
    if str(data["country"]) not in dict(countries):
        raise ServiceError(_("Choose a country from the list."), field="country")
    _check_place(data)
    start, end = local_times(data["starts_at"], data["ends_at"], data["timezone"])
    if start < now:
        raise ServiceError(_("This start time has already passed. Check the date and the time zone."),
                           field="starts_at")
    if end <= start:
        raise ServiceError(_("The action must end after it starts."), field="ends_at")
    if end - start > timedelta(days=MAX_ACTION_DAYS):
        raise ServiceError(_("An action lasts a week at most."), field="ends_at")
    if data["kind"] == ActionType.ONLINE:
        if not data.get("online_url", "").startswith("https://"):
            raise ServiceError(_("An online action needs its link (starting with https://)."), field="online_url")
    elif data.get("online_url") and not data["online_url"].startswith("https://"):
        raise ServiceError(_("A link must start with https://."), field="online_url")
    if data.get("address_visibility", Visibility.NOBODY) not in Visibility.values:
        raise ServiceError(_("Choose who sees the address."), field="address_visibility")
    capacity = data.get("capacity")
    if capacity is not None and capacity < 1:
        raise ServiceError(_("Capacity is at least one person, or leave it empty."), field="capacity")
    lat, lon = data.get("latitude"), data.get("longitude")
    if (lat is None) != (lon is None):
        raise ServiceError(_("Give both the latitude and the longitude, or neither."), field="latitude")
    if lat is not None and not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise ServiceError(_("This point is not on Earth: check the latitude and longitude."), field="latitude")
    return start, end


def _check_place(data):
    """A city or an exact address that ends with another country's name (or code) is refused: the action would
    be counted, mapped and moderated in the wrong country."""
    names = dict(countries)
    for field in ("city", "address"):
        other = places.other_country(data.get(field) or "", data["country"])
        if other is not None:
            values = {"named": names.get(other, other), "country": names.get(str(data["country"]))}
            message = (_("This city is in %(named)s, but the action's country is %(country)s. Choose the right "
                         "country, or give a city in %(country)s.") if field == "city" else
                       _("This address is in %(named)s, but the action's country is %(country)s. Choose the "
                         "right country, or give an address in %(country)s."))
            raise ServiceError(message % values, field=field, code="other_country")


ACTION_FIELDS = ("title", "description", "kind", "city", "address", "address_visibility", "accessibility",
                 "capacity", "online_url", "latitude", "longitude", "timezone", "country")


def create_action(user, campaign, data, *, organisation=None, now=None):
    """Register an action for ``campaign`` hosted by ``user`` (for ``organisation`` when given). It waits for
    its national committee unless the committee trusts this host in that country."""
    now = now or timezone.now()
    if not user.has_perm("actions.host_action", campaign):
        raise PermissionDenied
    if organisation is not None and not user.has_perm("actions.host_for_organisation", organisation):
        raise PermissionDenied(_("You can only host for an organisation you belong to."), field="organisation")
    start, end = _check_action(campaign, data, now)
    values = {name: data.get(name) for name in ACTION_FIELDS if name in data}
    for name in ("latitude", "longitude"):
        if values.get(name) is not None:
            values[name] = round(values[name], 1)
    for name in ("description", "address", "accessibility", "online_url"):
        values[name] = values.get(name) or ""
    with transaction.atomic():
        trusted = TrustedHost.objects.filter(user=user, country=str(data["country"])).exists()
        action = Action(campaign=campaign, host_user=user, host_organisation=organisation, starts_at=start,
                        ends_at=end, state=Action.State.APPROVED if trusted else Action.State.PENDING, **values)
        if trusted:
            action.moderated_at = now
        action.save()
        record_original(action)
        if trusted:
            _announce(action)
    return action


def cancel_action(user, action):
    if not user.has_perm("actions.manage_action", action):
        raise PermissionDenied
    with transaction.atomic():
        changed = Action.objects.filter(pk=action.pk).exclude(state__in=[Action.State.CANCELLED,
                                                                          Action.State.REJECTED]) \
            .update(state=Action.State.CANCELLED)
        if not changed:
            raise ServiceError(_("This action is already cancelled."))
        action.state = Action.State.CANCELLED
        _announce(action)
        transaction.on_commit(lambda: notify.action_cancelled(action.pk))
    return action


def _moderate(user, action, state, *, reason="", trust=False, now=None):
    now = now or timezone.now()
    if not user.has_perm("actions.moderate_action", action):
        raise PermissionDenied
    with transaction.atomic():
        claimed = Action.objects.filter(pk=action.pk, state=Action.State.PENDING).update(
            state=state, rejection_reason=reason, moderated_at=now)
        if not claimed:
            current = Action.objects.filter(pk=action.pk).values_list("state", flat=True).first()
            if current == state:
                return action  # a retry of the same decision changes nothing
            raise ServiceError(_("Someone has already decided on this action."), code="stale")
        action.state, action.rejection_reason, action.moderated_at = state, reason, now
        gathering_id = action.campaign.gathering_id
        if state == Action.State.APPROVED:
            record(user, "action.approved", gathering=gathering_id, target=action)
            if trust:
                TrustedHost.objects.get_or_create(user_id=action.host_user_id, country=str(action.country))
                record(user, "action.host_trusted", gathering=gathering_id, target=action)
            _announce(action)
        else:
            record(user, "action.rejected", gathering=gathering_id, target=action)
        transaction.on_commit(lambda: notify.host_decision(action.pk))
    return action


def approve_action(user, action, *, trust=False, now=None):
    return _moderate(user, action, Action.State.APPROVED, trust=trust, now=now)


def reject_action(user, action, reason, *, now=None):
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError(_("Say why, so the host can fix it."), field="reason")
    return _moderate(user, action, Action.State.REJECTED, reason=reason[:500], now=now)


def report_back(user, action, *, attendance, report, now=None):
    now = now or timezone.now()
    if not user.has_perm("actions.manage_action", action):
        raise PermissionDenied
    if action.state != Action.State.APPROVED:
        raise ServiceError(_("Only a published action can be reported on."))
    if action.ends_at > now:
        raise ServiceError(_("You can report once the action is over."))
    if attendance is None or attendance < 0:
        raise ServiceError(_("Say how many people came (a number)."), field="attendance")
    with transaction.atomic():
        Action.objects.filter(pk=action.pk).update(attendance=attendance, report=report[:2000], reported_at=now)
        action.attendance, action.report, action.reported_at = attendance, report[:2000], now
        _announce(action)
    return action


# --- RSVPs -------------------------------------------------------------------------------------------------


def _full_message():
    return gettext_lazy("This action is full. Look for another one near you on the map.")


def _duplicate_error():
    return ServiceError(gettext_lazy("This email already has a place at this action. Look for our email to "
                                     "confirm it."), field="email", code="duplicate")


def rsvp(action, *, name, email, share_name=False, share_email=False, language=None, now=None):
    """A place at ``action`` for a person without an account. The place is held at once; the person confirms
    it from the email we send (after the commit). Written through this process's group commit
    (``write_rsvps``): what is checked here is checked again there, against the rows as committed."""
    now = now or timezone.now()
    name, email = (name or "").strip(), (email or "").strip()
    if not name:
        raise ServiceError(_("Give a name or a pseudonym."), field="name")
    if not email or "@" not in email:
        raise ServiceError(_("Give an email address so we can confirm your place."), field="email")
    _check_open(action, now)
    # created_at carries this request's time to the writer, which checks the action against it (the column
    # itself is set again when the row is inserted)
    entry = Rsvp(action_id=action.pk, name=name[:80], email=email, email_key=email.lower(), share_name=share_name,
                 share_email=share_email, language=language or translation.get_language() or "es", created_at=now)
    entry = _rsvp_box.submit(entry)
    action.rsvp_count += 1
    entry.action = action
    return entry


def _check_open(action, now):
    if action.state == Action.State.CANCELLED:
        raise ServiceError(gettext_lazy("This action has been cancelled."))
    if action.state != Action.State.APPROVED:
        raise NotFound
    if action.ends_at <= now:
        raise ServiceError(gettext_lazy("This action is over."))


def write_rsvps(entries):
    """Many people's RSVPs (unsaved ``Rsvp`` rows, several actions) in one transaction, with a handful of
    statements whatever their number: the actions' rows read (and on PostgreSQL locked, in id order, so two
    processes' batches take turns per action), the emails already there looked up, then every place that is
    still free taken in one INSERT, the counters moved in one UPDATE and one task queued to send the
    confirmations. One outcome per entry: the saved row, or the refusal (cancelled, over, full, the same
    email twice) that its request shows."""
    try:
        with transaction.atomic():
            outcomes, rows = _write_rsvps(entries)
    except IntegrityError:  # the same email at the same moment from elsewhere: it got the place
        if len(entries) > 1:
            raise  # the group commit tries each alone
        return [_duplicate_error()]
    for i, row in rows:
        outcomes[i] = row
    return outcomes


def _write_rsvps(entries):
    outcomes, action_ids = [None] * len(entries), sorted({e.action_id for e in entries})
    actions = queries.actions_to_write(action_ids)
    taken = queries.places_taken(action_ids, sorted({e.email_key for e in entries}))
    added, accepted = {}, []
    for i, entry in enumerate(entries):
        action = actions.get(entry.action_id)
        try:
            if action is None:
                raise NotFound
            _check_open(action, entry.created_at)
            if (entry.action_id, entry.email_key) in taken:
                raise _duplicate_error()
            if action.capacity is not None and action.rsvp_count + added.get(action.pk, 0) >= action.capacity:
                raise ServiceError(_full_message(), code="full")
        except ServiceError as refusal:
            outcomes[i] = refusal
            continue
        taken.add((entry.action_id, entry.email_key))
        added[action.pk] = added.get(action.pk, 0) + 1
        accepted.append((i, entry))
    if accepted:
        Rsvp.objects.bulk_create([entry for _i, entry in accepted])
        _count_places(added)
        enqueue_after_commit(tasks.send_rsvp_confirmations, [entry.pk for _i, entry in accepted])
        for action in {actions[pk].campaign_id: actions[pk] for pk in added}.values():  # one per campaign
            transaction.on_commit(partial(_rsvps_changed, action))
    return outcomes, accepted


def _count_places(added):
    """Move the counters of several actions ({action id: places taken}) in one UPDATE. Written out: the ORM's
    CASE over fifty actions took longer to compile than the batch's other statements together."""
    table, pk, count = (connection.ops.quote_name(n) for n in (Action._meta.db_table, "id", "rsvp_count"))
    cases = " ".join(["WHEN %s THEN %s"] * len(added))
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET {count} = {count} + CASE {pk} {cases} END "
                       f"WHERE {pk} IN ({', '.join(['%s'] * len(added))})",
                       [*(v for item in added.items() for v in item), *added])


_rsvp_box = GroupCommit("rsvps", write_rsvps)


def confirm_token(entry):
    return signing.dumps({"r": entry.pk, "e": entry.email_key}, salt=CONFIRM_SALT, compress=True)


def confirm_url(entry):
    return reverse("actions:confirm", args=[confirm_token(entry)])


def rsvp_for_token(token):
    """The RSVP a confirmation link names; a forged, altered or expired link names none."""
    try:
        data = signing.loads(token, salt=CONFIRM_SALT, max_age=CONFIRM_MAX_AGE)
    except signing.BadSignature:
        raise ServiceError(_("This confirmation link is not valid or has expired. RSVP again from the "
                             "action's page."), code="bad_link") from None
    entry = Rsvp.objects.select_related("action__campaign").filter(pk=data.get("r"),
                                                                    email_key=data.get("e")).first()
    if entry is None:
        raise ServiceError(_("This confirmation link is not valid or has expired. RSVP again from the "
                             "action's page."), code="bad_link")
    return entry


def confirm_rsvp(token, now=None):
    now = now or timezone.now()
    entry = rsvp_for_token(token)
    Rsvp.objects.filter(pk=entry.pk, state=Rsvp.State.UNCONFIRMED).update(state=Rsvp.State.CONFIRMED,
                                                                          confirmed_at=now)
    entry.refresh_from_db(fields=["state", "confirmed_at"])
    return entry


def cancel_rsvp(token):
    """The person gives their place back (from their email's link): the RSVP is deleted, the place freed."""
    entry = rsvp_for_token(token)
    with transaction.atomic():
        if Rsvp.objects.filter(pk=entry.pk).delete()[0]:
            Action.objects.filter(pk=entry.action_id, rsvp_count__gt=0).update(rsvp_count=F("rsvp_count") - 1)
            transaction.on_commit(lambda: _rsvps_changed(entry.action))
    return entry


def claim_reminders(now=None, limit=500):
    """RSVPs confirmed for actions starting within the next day and not reminded yet, claimed by a
    conditional update (two tickers never remind twice). Returns their ids."""
    now = now or timezone.now()
    due = list(Rsvp.objects.filter(state=Rsvp.State.CONFIRMED, reminded_at=None,
                                   action__state=Action.State.APPROVED, action__starts_at__gt=now,
                                   action__starts_at__lte=now + timedelta(days=1))
               .values_list("pk", flat=True)[:limit])
    claimed = []
    for pk in due:
        if Rsvp.objects.filter(pk=pk, reminded_at=None).update(reminded_at=now):
            claimed.append(pk)
    return claimed


def record_export(user, action):
    """A host downloads its RSVPs (CSV): an export of personal data, on the audit trail."""
    if not user.has_perm("actions.manage_action", action):
        raise PermissionDenied
    record(user, "rsvps.exported", gathering=action.campaign.gathering_id, target=action)
