"""The gatherings' retention rule, run by ``convoca purge`` and hourly by the
ticker (see ``convoca.core.purging``).

``RETENTION_REGISTRATION_DAYS`` after a gathering ended, its registrations keep
only what the coalition's record needs:

- a registration that was never part of the record (never accredited, and no
  roll entry, proxy, proposal or any other row refers to it) is deleted: who
  asked to come and was not admitted is nobody's business any more;
- the others keep the person, role, organisation, mandate, status and whether
  they were present, and lose what served only the gathering itself: the badge
  stops admitting, who decided is forgotten here (the audit trail keeps it, by
  number) and a refusal's reason, written about the person, is replaced by a
  dash.

This module is the rule's write path (run by the system, not by a user, so
there is no permission to check); a second run finds nothing left to do.
"""

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from convoca.core.bulk import chunks

from .models import Registration

REASON_REMOVED = "—"


def _referenced_elsewhere(queryset):
    """``queryset`` without the registrations that a row of another table points to (the record)."""
    for relation in Registration._meta.get_fields(include_hidden=True):
        if not (relation.auto_created and not relation.concrete and (relation.one_to_many or relation.one_to_one)):
            continue
        column = relation.field.attname
        pointing = relation.related_model._base_manager.filter(**{f"{column}__isnull": False}).values(column)
        queryset = queryset.exclude(pk__in=pointing)
    return queryset


def past_registrations(now):
    cutoff = timezone.localdate(now) - dt.timedelta(days=settings.RETENTION_REGISTRATION_DAYS)
    return Registration.objects.filter(gathering__ends_on__lt=cutoff)


def _to_delete(past):
    return _referenced_elsewhere(past.exclude(status=Registration.Status.ACCREDITED))


def _to_reduce(past):
    refused = Q(status=Registration.Status.REFUSED) & ~Q(refusal_reason=REASON_REMOVED)
    return past.filter(
        Q(decided_by__isnull=False) | Q(mandate_decided_by__isnull=False) | Q(badge_revoked_at__isnull=True) | refused
    )


def purge(now, dry_run=False):
    days = {"days": settings.RETENTION_REGISTRATION_DAYS}
    deleted = reduced = 0
    with transaction.atomic():
        past = past_registrations(now)
        doomed = list(_to_delete(past).values_list("pk", flat=True))
        deleting = set(doomed)
        to_reduce = [pk for pk in _to_reduce(past).values_list("pk", flat=True) if pk not in deleting]
        if dry_run:
            deleted, reduced = len(doomed), len(to_reduce)
        else:
            for chunk in chunks(doomed):
                _total, per_model = Registration.objects.filter(pk__in=chunk).delete()
                deleted += per_model.get(Registration._meta.label, 0)
            for chunk in chunks(to_reduce):
                rows = Registration.objects.filter(pk__in=chunk)
                rows.filter(status=Registration.Status.REFUSED).update(refusal_reason=REASON_REMOVED)
                reduced += rows.update(
                    decided_by=None, mandate_decided_by=None, badge_revoked_at=Coalesce(F("badge_revoked_at"), Value(now))
                )
    return [
        (_("registrations never accredited, of gatherings that ended more than %(days)s days ago (deleted)") % days,
         deleted),
        (_("registrations kept for the record, of gatherings that ended more than %(days)s days ago (reduced to "
           "what the record needs)") % days, reduced),
    ]
