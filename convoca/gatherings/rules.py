"""Who may do what with gatherings and registrations.

Managers of a gathering: coordinators (every gathering) and the national
committee of the country of a *preparatory* meeting (that meeting only). The
continental conference is managed by coordinators alone.

Mandates of delegates are decided by the organisation's contact person, the
national committee of the organisation's country, or a coordinator.

Nobody but a coordinator decides on their own registration (four eyes).
"""

import rules

from convoca.core.roles import is_coordinator, is_member
from convoca.network import rules as network_rules
from convoca.network.rules import can_see_field, committee_countries


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
    return registration is not None and network_rules.is_committee_of_organisation(user, registration.organisation)


@rules.predicate
def is_own_registration(user, registration):
    return registration is not None and is_member(user) and registration.person.user_id == user.pk


@rules.predicate
def is_delegate_registration(user, registration):
    return registration is not None and registration.role == "delegate"


can_manage = is_coordinator | is_organising_committee
manages_registration = is_coordinator | manages_registration_gathering
decides_mandate = is_coordinator | (
    is_delegate_registration & (is_organisation_contact | is_committee_of_organisation) & ~is_own_registration
)

rules.add_perm("gatherings.view_gathering", rules.always_allow)
rules.add_perm("gatherings.add_gathering", is_coordinator)
rules.add_perm("gatherings.change_gathering", can_manage)
rules.add_perm("gatherings.change_gathering_scope", is_coordinator)  # kind and country
rules.add_perm("gatherings.register", is_member)
rules.add_perm("gatherings.list_registrations", can_manage)
rules.add_perm("gatherings.check_in", can_manage)
rules.add_perm("gatherings.view_registration", manages_registration | is_own_registration | decides_mandate)
rules.add_perm("gatherings.accredit", is_coordinator | (manages_registration_gathering & ~is_own_registration))
rules.add_perm("gatherings.confirm_mandate", decides_mandate)
rules.add_perm("gatherings.list_mandates", is_member)
rules.add_perm("gatherings.view_badge", is_own_registration | manages_registration)
rules.add_perm("gatherings.manage_badge", is_coordinator | (manages_registration_gathering & ~is_own_registration))


def can_see_registrant_name(user, registration):
    """Whether ``user`` may see the display name of the person behind a registration.

    The person's own visibility setting (``can_see_field``) always applies. On
    top of it, registering discloses the *display name only* (never the full
    name, email or languages) to those who must act on the registration:
    the managers of the gathering (to accredit and to check people in) and,
    for a delegate, those who confirm the mandate (organisation contact,
    national committee of the organisation's country). The registration form
    says so next to the choice.
    """
    if registration is None:
        return False
    if can_see_field(user, registration.person, "display_name"):
        return True
    return bool(manages_registration(user, registration) or decides_mandate(user, registration))


def can_see_online_room(user, gathering, registration=None):
    """The online room link is a door into the meeting: managers and accredited
    participants only. ``registration`` is the user's own registration, if any."""
    if can_manage(user, gathering):
        return True
    return bool(
        registration is not None
        and registration.gathering_id == gathering.pk
        and is_own_registration(user, registration)
        and registration.is_accredited
    )


# Messages to participants (issue 11): coordinators to anyone, a national committee to the participants of
# its own country (``services.message_recipients`` narrows what it reaches).
@rules.predicate
def is_conference(user, gathering):
    return gathering is not None and gathering.kind == "conference"


rules.add_perm(
    "gatherings.message_participants",
    is_coordinator | is_organising_committee | (network_rules.is_committee_member & is_conference),
)
