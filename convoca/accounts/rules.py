"""Role predicates shared by every app. Views, API and CLI ask the same
``user.has_perm(name, obj)`` (django-rules)."""

import rules


@rules.predicate
def is_coordinator(user):
    return bool(user and user.is_authenticated and user.is_active and (user.is_coordinator or user.is_superuser))


@rules.predicate
def is_member(user):
    """A coalition member: any active account."""
    return bool(user and user.is_authenticated and user.is_active)


@rules.predicate
def is_translator(user):
    return bool(is_member(user) and user.is_translator)


def committee_countries(user):
    """ISO codes of the national committees the user sits on (cached per request)."""
    if not is_member(user):
        return frozenset()
    cached = getattr(user, "_committee_countries", None)
    if cached is None:
        from convoca.network.models import NationalCommittee

        cached = frozenset(
            NationalCommittee.objects.filter(members__user=user).values_list("country", flat=True)
        )
        user._committee_countries = cached
    return cached


@rules.predicate
def is_committee_member(user):
    return bool(committee_countries(user))


rules.add_perm("accounts.invite", is_coordinator)
rules.add_perm("accounts.manage_tokens", is_member)
rules.add_perm("accounts.edit_own_profile", is_member)
