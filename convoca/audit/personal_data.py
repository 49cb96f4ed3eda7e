"""The audit trail's share of data rights (see ``convoca.core.data_rights``):
the entries of what the person did, and of what was done to their record. The
trail is append-only and erasure changes nothing in it: an entry holds numbers,
which after the erasure lead to an account and a record that name no one."""

from django.db.models import Q

from .models import Entry


def export(person):
    about = Q(target_type="network.person", target_id=str(person.pk))
    if person.user_id is not None:
        about |= Q(actor_id=person.user_id)
    return [
        {"at": e.at, "action": e.action, "by_you": e.actor_id is not None and e.actor_id == person.user_id,
         "gathering": e.gathering_id, "target": f"{e.target_type} {e.target_id}".strip(), "note": e.note}
        for e in Entry.objects.filter(about).order_by("at", "pk")
    ] or None
