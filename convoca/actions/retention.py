"""Days of action's retention rule, run by ``convoca purge`` and hourly by the ticker: an RSVP is kept only as
long as it serves. ``ACTIONS_RSVP_DAYS`` (7) after its action ended (or was cancelled and its day passed),
every RSVP is deleted: the counts stay on the action; the names and emails go. A place held but never
confirmed is given back after two days. Idempotent: a second run finds nothing left."""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from convoca.core.bulk import chunks

from .models import Action, Rsvp

UNCONFIRMED_HOURS = 48


def purge(now, dry_run=False):
    days = getattr(settings, "ACTIONS_RSVP_DAYS", 7)
    with transaction.atomic():
        past = list(Rsvp.objects.filter(action__ends_at__lt=now - timedelta(days=days)).values_list("pk", flat=True))
        stale = list(Rsvp.objects.filter(state=Rsvp.State.UNCONFIRMED,
                                         created_at__lt=now - timedelta(hours=UNCONFIRMED_HOURS),
                                         action__ends_at__gte=now - timedelta(days=days))
                     .values_list("pk", "action_id"))
        if not dry_run:
            for chunk in chunks(past):
                Rsvp.objects.filter(pk__in=chunk).delete()
            for pk, action_id in stale:
                if Rsvp.objects.filter(pk=pk, state=Rsvp.State.UNCONFIRMED).delete()[0]:
                    Action.objects.filter(pk=action_id, rsvp_count__gt=0).update(rsvp_count=F("rsvp_count") - 1)
    return [
        (_("RSVPs of actions that ended more than %(days)s days ago (deleted; the counts stay)") % {"days": days},
         len(past)),
        (_("places held but never confirmed within two days (given back)"), len(stale)),
    ]
