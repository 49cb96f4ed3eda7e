import rules

from convoca.accounts.rules import committee_countries, is_coordinator, is_member


@rules.predicate
def is_organising_committee(user, gathering):
    """The national committee organising its own preparatory meeting."""
    return (
        gathering is not None
        and gathering.kind == "preparatory"
        and gathering.country.code in committee_countries(user)
    )


@rules.predicate
def manages_registration_gathering(user, registration):
    return registration is not None and is_organising_committee(user, registration.gathering)


@rules.predicate
def is_organisation_contact(user, registration):
    org = registration.organisation if registration is not None else None
    return bool(org and org.contact_id and is_member(user) and org.contact.user_id == user.pk)


@rules.predicate
def is_committee_of_organisation(user, registration):
    org = registration.organisation if registration is not None else None
    return bool(org and org.country.code in committee_countries(user))


@rules.predicate
def is_own_registration(user, registration):
    return registration is not None and is_member(user) and registration.person.user_id == user.pk


can_manage = is_coordinator | is_organising_committee

rules.add_perm("gatherings.view_gathering", rules.always_allow)
rules.add_perm("gatherings.add_gathering", is_coordinator)
rules.add_perm("gatherings.change_gathering", can_manage)
rules.add_perm("gatherings.register", is_member)
rules.add_perm("gatherings.list_registrations", can_manage)
rules.add_perm("gatherings.check_in", can_manage)
rules.add_perm("gatherings.view_registration", is_coordinator | manages_registration_gathering | is_own_registration)
rules.add_perm("gatherings.accredit", is_coordinator | manages_registration_gathering)
rules.add_perm(
    "gatherings.confirm_mandate", is_coordinator | is_organisation_contact | is_committee_of_organisation
)
rules.add_perm("gatherings.view_badge", is_own_registration | is_coordinator | manages_registration_gathering)
