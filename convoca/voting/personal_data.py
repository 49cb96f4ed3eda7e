"""The voting app's share of data rights (see ``convoca.core.data_rights``):
the person's roll entries (weight, and whether they voted: never what), the
proxies they gave or held, and the polls they were a teller of. Erasure changes
nothing here: every vote stays counted and every row points to a registration
and an account that no longer say whose they were. A proxy still running, or
a secret poll still waiting for this teller's count, must end first."""

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import Participation, Poll, Proxy, Teller, Voter, weight_display


def export(person):
    voted = set(Participation.objects.filter(voter__registration__person=person).values_list("voter_id", flat=True))
    roll = (Voter.objects.filter(registration__person=person).select_related("poll", "poll__gathering")
            .order_by("poll__created_at", "pk"))
    proxies = (Proxy.objects.filter(Q(giver__person=person) | Q(holder__person=person)).select_related("gathering")
               .order_by("created_at", "pk"))
    tellers = Teller.objects.filter(user=person.user).select_related("poll") if person.user_id else Teller.objects.none()
    data = {
        "roll_entries": [
            {"poll": v.poll.title, "gathering": v.poll.gathering.title, "weight": weight_display(v.weight, v.poll.weight_unit),
             "voted": v.pk in voted}
            for v in roll
        ],
        "proxies": [
            {"gathering": p.gathering.title, "given": p.giver.person_id == person.pk, "created_at": p.created_at,
             "revoked_at": p.revoked_at}
            for p in proxies.select_related("giver")
        ],
        "teller_of": [t.poll.title for t in tellers.order_by("poll__created_at")],
    }
    return data if any(data.values()) else None


def blockers(person):
    reasons = []
    running = (Proxy.objects.filter(Q(giver__person=person) | Q(holder__person=person), revoked_at__isnull=True,
                                    gathering__ends_on__gte=timezone.localdate())
               .select_related("gathering").order_by("pk"))
    for proxy in running:
        reasons.append(_("Gives or holds a proxy in “%(gathering)s” that is still running: the proxy must be "
                         "revoked first (the gathering's proxies page).") % {"gathering": proxy.gathering.title})
    if person.user_id:
        waiting = (Teller.objects.filter(user=person.user, poll__secrecy=Poll.Secrecy.SECRET,
                                         poll__state__in=[Poll.State.DRAFT, Poll.State.OPEN, Poll.State.CLOSED],
                                         poll__result__isnull=True)
                   .select_related("poll").order_by("pk"))
        for teller in waiting:
            reasons.append(_("Is a teller of the secret poll “%(poll)s”, which has not been counted: it must be "
                             "counted or annulled first.") % {"poll": teller.poll.title})
    return reasons


def erase(person):
    """Nothing to remove: the rows stay for the record, and name nobody once the registration and the account
    are erased."""
