import rules

from convoca.accounts.rules import committee_countries, is_coordinator, is_member
from convoca.network.models import Visibility


@rules.predicate
def is_committee_of_organisation(user, organisation):
    return organisation is not None and organisation.country.code in committee_countries(user)


@rules.predicate
def is_committee_of_country(user, country_code):
    return bool(country_code) and str(country_code) in committee_countries(user)


@rules.predicate
def organisation_is_public(user, organisation):
    return organisation is not None and organisation.is_public


@rules.predicate
def is_self(user, person):
    return person is not None and is_member(user) and person.user_id == user.pk


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
rules.add_perm("network.add_organisation", is_coordinator | is_committee_of_country)
rules.add_perm("network.change_organisation", is_coordinator | is_committee_of_organisation)
rules.add_perm("network.list_people", is_member)
rules.add_perm("network.view_person", is_member)
rules.add_perm("network.add_person", is_coordinator)
rules.add_perm("network.change_person", is_coordinator | is_self)
rules.add_perm("network.view_committee", is_member)
rules.add_perm("network.change_committee", is_coordinator)
