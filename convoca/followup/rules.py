"""Who may do what in the follow-up (django-rules), asked alike by views, API and services.

- Coordinators create working groups, add members and assign resolutions to groups.
- A group's coordinator and members read and edit its notes and post progress on its resolutions.
- The accountability page is public.
"""

import rules

from convoca.core.roles import is_coordinator, is_member

from .models import Member, WorkingGroup


def group_of(obj):
    """The working group ``obj`` is, or the one responsible for it (a resolution's implementation)."""
    return obj if isinstance(obj, WorkingGroup) else getattr(obj, "group", None)


@rules.predicate
def in_group(user, obj):
    """A member or the coordinator of ``obj`` (a working group, or a resolution's responsible group)."""
    group = group_of(obj)
    if group is None or not is_member(user):
        return False
    if group.coordinator_id == user.pk:
        return True
    cache = user.__dict__.setdefault("_followup_groups", {})
    if group.pk not in cache:
        cache[group.pk] = Member.objects.filter(group_id=group.pk, user=user).exists()
    return cache[group.pk]


rules.add_perm("followup.manage", is_coordinator)
rules.add_perm("followup.view_groups", is_coordinator | is_member)
rules.add_perm("followup.view_group", is_coordinator | in_group)
rules.add_perm("followup.edit_notes", is_coordinator | in_group)
rules.add_perm("followup.post_progress", is_coordinator | in_group)
