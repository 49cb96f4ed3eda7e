"""The follow-up's share of data rights: the working groups a person belongs to and the progress they posted.
Erasure removes their memberships; their progress updates stay on the public record of the resolution without
their name (the author is forgotten)."""

from .models import Member, Update


def export(person):
    user = person.user
    if user is None:
        return None
    groups = [{"working_group": m.group.name, "since": m.added_at}
              for m in Member.objects.filter(user=user).select_related("group")]
    updates = [{"resolution": u.implementation.proposal.title, "on": u.on, "status": u.status, "text": u.text}
               for u in Update.objects.filter(author=user).select_related("implementation__proposal")]
    if not groups and not updates:
        return None
    return {"working_groups": groups, "progress_updates": updates}


def blockers(person):
    return []


def erase(person):
    if person.user is not None:
        Member.objects.filter(user=person.user).delete()
        Update.objects.filter(author=person.user).update(author=None)
