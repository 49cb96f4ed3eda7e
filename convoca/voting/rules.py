"""Who may do what with polls and proxies (django-rules). Views, API and
services ask the same ``user.has_perm(...)``.

Coordinators manage the polls of every gathering; a national committee
manages those of its own preparatory meeting. Voting itself is decided by the
poll's frozen voter roll (accredited delegates, present unless the poll says
otherwise, and their proxy holders): translators, observers and guests are
never on it."""

import rules

from convoca.accounts.rules import committee_countries, is_coordinator, is_member


def _gathering(obj):
    return getattr(obj, "gathering", obj)


@rules.predicate
def manages_gathering_polls(user, obj):
    """``obj`` is a gathering or a poll."""
    if obj is None:
        return False
    if is_coordinator(user):
        return True
    gathering = _gathering(obj)
    return gathering.kind == "preparatory" and gathering.country.code in committee_countries(user)


@rules.predicate
def is_on_roll(user, poll):
    if poll is None or not is_member(user):
        return False
    from .ballot_box import poll_spec

    spec = poll_spec(poll.pk if hasattr(poll, "pk") else poll)
    return spec is not None and user.pk in spec.roll


@rules.predicate
def results_are_public(user, poll):
    return poll is not None and poll.state == "published"


rules.add_perm("voting.view_polls", is_member)
rules.add_perm("voting.view_poll", is_member)
rules.add_perm("voting.manage_polls", manages_gathering_polls)
rules.add_perm("voting.manage_poll", manages_gathering_polls)
rules.add_perm("voting.vote", is_on_roll)
rules.add_perm("voting.view_audit", manages_gathering_polls)
rules.add_perm("voting.view_receipts", rules.always_allow)
rules.add_perm("voting.give_proxy", is_member)
rules.add_perm("voting.manage_proxies", manages_gathering_polls)
