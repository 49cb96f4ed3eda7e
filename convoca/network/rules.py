import rules

from convoca.core.roles import is_coordinator, is_member
from convoca.network.models import NationalCommittee, Visibility


def committee_countries(user):
    """ISO codes of the national committees the user sits on (cached on the user object, so once per request)."""
    if not is_member(user):
        return frozenset()
    cached = getattr(user, "_committee_countries", None)
    if cached is None:
        cached = frozenset(NationalCommittee.objects.filter(members__user=user).values_list("country", flat=True))
        user._committee_countries = cached
    return cached


@rules.predicate
def is_committee_member(user):
    return bool(committee_countries(user))


@rules.predicate
def is_committee_of_organisation(user, organisation):
    return organisation is not None and organisation.country.code in committee_countries(user)


@rules.predicate
def is_committee_of_country(user, country_code):
    return bool(country_code) and str(country_code) in committee_countries(user)


@rules.predicate
def may_add_organisation_in(user, country_code):
    """Asked with a country code: a committee member of that country. Asked
    without one (may this user open the form at all?): any committee member."""
    if country_code is None:
        return is_committee_member(user)
    return is_committee_of_country(user, country_code)


@rules.predicate
def organisation_is_public(user, organisation):
    return organisation is not None and organisation.is_public


@rules.predicate
def is_self(user, person):
    return person is not None and is_member(user) and person.user_id is not None and person.user_id == user.pk


def can_see_field(user, person, field):
    """Per-field visibility: public, coalition members, or coordinators only.
    The person always sees their own data."""
    if is_coordinator(user) or is_self(user, person):
        return True
    level = getattr(person, f"{field}_visibility")
    if level == Visibility.PUBLIC:
        return True
    if level == Visibility.MEMBERS:
        return is_member(user)
    return False


rules.add_perm("network.view_organisation", organisation_is_public | is_member)
rules.add_perm("network.list_organisations", rules.always_allow)
rules.add_perm("network.add_organisation", is_coordinator | may_add_organisation_in)
rules.add_perm("network.change_organisation", is_coordinator | is_committee_of_organisation)
rules.add_perm("network.list_people", is_member)
rules.add_perm("network.view_person", is_member)
rules.add_perm("network.add_person", is_coordinator)
# A person may edit their own record (names, email, languages and who sees
# them) but not their organisation memberships: those decide who may be
# accredited as a delegate, so only coordinators set them.
rules.add_perm("network.change_person", is_coordinator | is_self)
rules.add_perm("network.manage_memberships", is_coordinator)
# Only coordinators: "this address is already registered" would tell anyone
# else who is in the registry.
rules.add_perm("network.change_person_email", is_coordinator)
rules.add_perm("network.view_committee", is_member)
rules.add_perm("network.add_committee", is_coordinator)
rules.add_perm("network.change_committee", is_coordinator)
