"""The gatherings' share of data rights (see ``convoca.core.data_rights``):
the person's registrations. Erasure keeps each registration for the record
(it now belongs to "erased person"): its badge stops admitting and a refusal's
reason, written about the person, is replaced by a dash. Someone registered
for a gathering that is not over cannot be erased until the organisers have
refused the registration or the gathering has ended."""

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from .models import Registration, new_nonce
from .retention import REASON_REMOVED


def export(person):
    registrations = Registration.objects.filter(person=person).select_related("gathering", "organisation")
    return [
        {
            "gathering": r.gathering.title, "gathering_slug": r.gathering.slug, "starts_on": r.gathering.starts_on,
            "ends_on": r.gathering.ends_on, "role": r.role, "organisation": r.organisation.name if r.organisation else None,
            "mandate": r.mandate, "status": r.status, "refusal_reason": r.refusal_reason, "decided_at": r.decided_at,
            "checked_in_at": r.checked_in_at, "registered_at": r.created_at,
        }
        for r in registrations.order_by("created_at", "pk")
    ] or None


def blockers(person):
    """Registrations still open (requested or accredited) for a gathering that is not over."""
    S = Registration.Status
    open_ones = (
        Registration.objects.filter(person=person, status__in=[S.REQUESTED, S.ACCREDITED],
                                    gathering__ends_on__gte=timezone.localdate())
        .select_related("gathering").order_by("gathering__starts_on", "pk")
    )
    return [
        _("Registered for “%(gathering)s”, which ends on %(date)s: the gathering's organisers must first refuse "
          "this registration, or the gathering must be over.")
        % {"gathering": r.gathering.title, "date": date_format(r.gathering.ends_on)}
        for r in open_ones
    ]


def erase(person):
    now = timezone.now()
    registrations = Registration.objects.filter(person=person)
    registrations.filter(status=Registration.Status.REFUSED).update(refusal_reason=REASON_REMOVED)
    for pk in registrations.values_list("pk", flat=True):
        Registration.objects.filter(pk=pk).update(badge_nonce=new_nonce())
    registrations.filter(badge_revoked_at__isnull=True).update(badge_revoked_at=now)
