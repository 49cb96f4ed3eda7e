"""Who may do what with proposals and amendments (django-rules). Views, API,
CLI and services ask the same ``user.has_perm(...)``.

- Managers of a gathering (``gatherings.rules.can_manage``: coordinators, and
  the national committee for its own preparatory meeting) admit, schedule,
  decide, merge, refer, configure and export.
- Accredited delegates of the gathering write proposals and amendments and
  co-sponsor on behalf of the organisation they represent there.
- The author (the delegate who wrote it) edits a draft or a submitted
  proposal, submits it and may withdraw it.
- The national committee of a preparatory meeting's country forwards what
  the meeting adopted to the continental conference.
- The managers of a gathering compose and publish its declaration; coalition
  members read the draft, everyone reads it once published.

Permissions are asked with a gathering, a proposal or an amendment; the state
of the proposal (may it still be amended?) is the services' business, which
say why when it is not.
"""

import rules

from convoca.core.roles import is_member
from convoca.gatherings.models import Gathering, Registration
from convoca.gatherings.rules import can_manage
from convoca.network.rules import committee_countries


def gathering_of(obj):
    """The gathering of a gathering, proposal, amendment, conflict, declaration or section of one."""
    if obj is None or isinstance(obj, Gathering):
        return obj
    if hasattr(obj, "proposal"):
        obj = obj.proposal
    elif hasattr(obj, "declaration"):
        obj = obj.declaration
    return getattr(obj, "gathering", None)


def delegate_registration(user, gathering):
    """The user's accredited delegate registration at ``gathering``, or None
    (cached on the user object, so once per request and gathering)."""
    if gathering is None or not is_member(user):
        return None
    cache = getattr(user, "_proposals_delegate", None)
    if cache is None:
        cache = user._proposals_delegate = {}
    if gathering.pk not in cache:
        cache[gathering.pk] = (
            Registration.objects.filter(
                gathering=gathering, person__user=user, role=Registration.Role.DELEGATE,
                status=Registration.Status.ACCREDITED,
            ).select_related("organisation", "person").first()
        )
    return cache[gathering.pk]


@rules.predicate
def is_accredited_delegate(user, obj):
    return delegate_registration(user, gathering_of(obj)) is not None


@rules.predicate
def manages(user, obj):
    gathering = gathering_of(obj)
    return gathering is not None and can_manage(user, gathering)


@rules.predicate
def is_author(user, obj):
    """The member who wrote the proposal or amendment."""
    return obj is not None and is_member(user) and obj.created_by_id == user.pk


@rules.predicate
def is_forwarding_committee(user, proposal):
    """The national committee of the country whose preparatory meeting adopted ``proposal``."""
    if proposal is None:
        return False
    gathering = proposal.gathering
    return gathering.kind == Gathering.Kind.PREPARATORY and gathering.country.code in committee_countries(user)


@rules.predicate
def is_published(user, declaration):
    """A published declaration: everyone reads it."""
    return declaration is not None and declaration.state == "published"


rules.add_perm("proposals.view_proposals", rules.always_allow)
rules.add_perm("proposals.add_proposal", is_accredited_delegate)
rules.add_perm("proposals.manage_proposals", manages)  # settings, themes, merging, export, decisions
rules.add_perm("proposals.change_proposal", is_author | manages)
rules.add_perm("proposals.submit_proposal", is_author)
rules.add_perm("proposals.withdraw_proposal", is_author | manages)
rules.add_perm("proposals.amend_proposal", is_accredited_delegate)
rules.add_perm("proposals.sponsor_proposal", is_accredited_delegate)
rules.add_perm("proposals.forward_proposal", is_forwarding_committee)
rules.add_perm("proposals.withdraw_amendment", is_author | manages)
rules.add_perm("proposals.export_proposals", manages)
# The declaration: its organisers compose and publish it; coalition members follow the draft; everyone reads it
# once published.
rules.add_perm("proposals.view_declaration", is_published | is_member | manages)
rules.add_perm("proposals.manage_declaration", manages)
