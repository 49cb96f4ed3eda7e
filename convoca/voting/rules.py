"""Who may do what with polls and proxies (django-rules). Views, API and
services ask the same ``user.has_perm(...)``.

Coordinators manage the polls of every gathering; a national committee
manages those of its own preparatory meeting. Voting itself is decided by the
poll's frozen voter roll (accredited delegates, present unless the poll says
otherwise, and their proxy holders): translators, observers and guests are
never on it."""

import rules

from convoca.core.roles import is_member
from convoca.gatherings.models import Registration
from convoca.gatherings.rules import can_manage

from .models import Teller


@rules.predicate
def manages_gathering_polls(user, obj):
    """``obj`` is a gathering, or a poll or proxy of one: its managers
    (``gatherings.rules.can_manage``) run its polls and proxies."""
    return obj is not None and can_manage(user, getattr(obj, "gathering", obj))


@rules.predicate
def is_party_to_proxy(user, proxy):
    """The giver or the holder of ``proxy``."""
    return (
        proxy is not None and is_member(user)
        and user.pk in (proxy.giver.person.user_id, proxy.holder.person.user_id)
    )


@rules.predicate
def is_delegate_of(user, gathering):
    """An accredited delegate of ``gathering``: the only people who have a vote to entrust."""
    return gathering is not None and is_member(user) and Registration.objects.filter(
        gathering=gathering, person__user=user, role=Registration.Role.DELEGATE, status=Registration.Status.ACCREDITED,
    ).exists()


@rules.predicate
def is_on_roll(user, poll):
    if poll is None or not is_member(user):
        return False
    from .ballot_box import poll_spec

    spec = poll_spec(poll.pk if hasattr(poll, "pk") else poll)
    return spec is not None and user.pk in spec.roll


@rules.predicate
def results_are_public(user, poll):
    """Published results, their rules and the receipt list are read by whoever may see the gathering
    (anonymous visitors included, as for every gathering today)."""
    return poll is not None and poll.state == "published" and user.has_perm("gatherings.view_gathering", poll.gathering)


@rules.predicate
def is_teller(user, poll):
    """A teller of ``poll``: holds a share of its key (secret polls)."""
    if poll is None or not is_member(user):
        return False
    return Teller.objects.filter(poll_id=poll.pk, user_id=user.pk).exists()


rules.add_perm("voting.view_polls", is_member)
rules.add_perm("voting.view_poll", is_member)
rules.add_perm("voting.manage_polls", manages_gathering_polls)
rules.add_perm("voting.manage_poll", manages_gathering_polls)
rules.add_perm("voting.vote", is_on_roll)
rules.add_perm("voting.view_audit", manages_gathering_polls)
rules.add_perm("voting.view_published", results_are_public)
rules.add_perm("voting.be_teller", is_teller)
rules.add_perm("voting.count_poll", manages_gathering_polls | is_teller)
rules.add_perm("voting.view_proxies", is_member)
rules.add_perm("voting.give_proxy", is_delegate_of)
rules.add_perm("voting.manage_proxies", manages_gathering_polls)
rules.add_perm("voting.revoke_proxy", is_party_to_proxy | manages_gathering_polls)
