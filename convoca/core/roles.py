"""The role predicates that need nothing but the user object, shared by every
app's ``rules.py`` (django-rules). They sit in core so that any app can use
them without importing another domain app; roles that depend on a domain
(sitting on a national committee) live in that domain's rules."""

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
