"""Days of action's share of data rights (see ``convoca.core.data_rights``): the RSVPs sent with the person's
email and the actions they host. Erasure deletes those RSVPs (the counts stay); an action the person hosts
that is still to come must be cancelled first (people are counting on it)."""

from django.utils import timezone
from django.utils.translation import gettext as _

from .models import Action, Rsvp


def _emails(person):
    emails = {person.email.lower()} if person.email else set()
    user = getattr(person, "user", None)
    if user is not None and user.email:
        emails.add(user.email.lower())
    return emails


def export(person):
    rsvps = Rsvp.objects.filter(email_key__in=_emails(person)).select_related("action")
    hosted = Action.objects.filter(host_user_id=person.user_id) if person.user_id else Action.objects.none()
    data = {
        "rsvps": [{"action": r.action.title, "starts_at": r.action.starts_at, "name": r.name, "email": r.email,
                   "share_name": r.share_name, "share_email": r.share_email, "state": r.state,
                   "created_at": r.created_at} for r in rsvps.order_by("created_at", "pk")],
        "hosted_actions": [{"title": a.title, "starts_at": a.starts_at, "city": a.city, "country": str(a.country),
                            "state": a.state} for a in hosted.order_by("starts_at", "pk")],
    }
    return data if data["rsvps"] or data["hosted_actions"] else None


def blockers(person):
    if not person.user_id:
        return []
    coming = Action.objects.filter(host_user_id=person.user_id, ends_at__gte=timezone.now(),
                                   state__in=[Action.State.PENDING, Action.State.APPROVED]).order_by("starts_at")
    return [_("Hosts “%(title)s”, still to come: cancel it first.") % {"title": a.title} for a in coming]


def erase(person):
    Rsvp.objects.filter(email_key__in=_emails(person)).delete()
