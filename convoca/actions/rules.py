"""Who may do what with days of action (django-rules); views, API and services ask the same ``has_perm``.

- Campaigns: coordinators create them; everyone reads them.
- Actions: any member may host one (for themselves, or for an organisation they belong to); the public sees
  published ones; the host and the moderators see the rest.
- Moderation: the national committee of the action's country, and coordinators (for countries without one).
- An action's RSVPs and their export: its host (and coordinators), never the committee.
"""

import zoneinfo

import rules

from convoca.core.roles import is_coordinator, is_member
from convoca.network.rules import committee_countries

from .models import Action


@rules.predicate
def is_host(user, action):
    return action is not None and is_member(user) and action.host_user_id == user.pk


@rules.predicate
def moderates(user, action):
    return action is not None and str(action.country) in committee_countries(user)


@rules.predicate
def is_published(user, action):
    return action is not None and action.state in (Action.State.APPROVED, Action.State.CANCELLED)


@rules.predicate
def belongs_to(user, organisation):
    return organisation is not None and is_member(user) and organisation.memberships.filter(
        person__user=user).exists()


@rules.predicate
def is_moderator(user):
    return is_coordinator(user) or bool(committee_countries(user))


rules.add_perm("actions.add_campaign", is_coordinator)
rules.add_perm("actions.change_campaign", is_coordinator)
rules.add_perm("actions.host_action", is_member)
rules.add_perm("actions.host_for_organisation", belongs_to | is_coordinator)
rules.add_perm("actions.view_action", is_published | is_host | moderates | is_coordinator)
rules.add_perm("actions.manage_action", is_host | is_coordinator)
rules.add_perm("actions.moderate_action", moderates | is_coordinator)
rules.add_perm("actions.moderation_queue", is_moderator)


def sees_address(user, action, has_rsvp=False, today=None):
    """Whether ``user`` sees the exact address: as the host chose (public; people who RSVP'd; nobody until
    the day, in the action's own time zone). The host and moderators always do."""
    if not action.address:
        return False
    if user.has_perm("actions.manage_action", action) or user.has_perm("actions.moderate_action", action):
        return True
    if action.address_visibility == "public":
        return True
    if action.address_visibility == "rsvps":
        return has_rsvp
    return today is not None and today >= action.starts_at.astimezone(zoneinfo.ZoneInfo(action.timezone)).date()
