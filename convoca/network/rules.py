import rules
from django.utils.translation import gettext as _

from convoca.core.roles import is_coordinator, is_member
from convoca.network.models import NationalCommittee, ShownAs, Visibility


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


def public_name(user, person, organisation=None, *, anonymous=None):
    """How ``person`` appears to ``user`` in gatherings, votes and texts.

    Whoever may see the display name (``can_see_field``: coordinators, the
    person, and the audience the person chose) sees it. Everyone else sees what
    the person chose (``Person.shown_as``): their pseudonym; "delegate of
    <organisation>" where they act for ``organisation`` (the organisation of a
    delegate's registration) and the viewer may see that organisation; or
    "a participant" (the default, and what every other case falls back to;
    ``anonymous`` replaces those words where a page needs to tell people apart).
    Organisers who must act on a registration see more through their own rule
    (``gatherings.rules.can_see_registrant_name``)."""
    if person.erased_at is not None:
        return _("Erased person")
    if can_see_field(user, person, "display_name"):
        return person.display_name
    if person.shown_as == ShownAs.PSEUDONYM and person.pseudonym:
        return person.pseudonym
    if person.shown_as == ShownAs.ORGANISATION and organisation is not None and (
        organisation.is_public or is_member(user)
    ):
        return _("Delegate of %(organisation)s") % {"organisation": organisation.name}
    return _("A participant") if anonymous is None else anonymous


@rules.predicate
def may_handle_personal_data(user, person):
    """Download or erase a person's data: the person, or a coordinator on their request."""
    return is_coordinator(user) or is_self(user, person)


@rules.predicate
def decides_join_request_as_committee(user, join_request):
    return join_request is not None and str(join_request.country) in committee_countries(user)


@rules.predicate
def decides_join_request_as_contact(user, join_request):
    """The contact person of the organisation asked for (never of a proposed one: it has none yet)."""
    organisation = join_request.organisation if join_request is not None else None
    return bool(
        organisation is not None and organisation.contact_id and is_member(user)
        and organisation.contact.user_id == user.pk
    )


@rules.predicate
def is_own_join_request(user, join_request):
    return join_request is not None and is_member(user) and join_request.person.user_id == user.pk


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
rules.add_perm("network.export_person_data", may_handle_personal_data)
rules.add_perm("network.erase_person", may_handle_personal_data)
rules.add_perm("network.add_committee", is_coordinator)
rules.add_perm("network.change_committee", is_coordinator)
rules.add_perm("network.export_lists", is_coordinator | is_committee_member)  # a committee: its country's rows
# Joining: any member asks (to join an organisation they may see, or to add a new one); the organisation's
# contact, its country's national committee or a coordinator decides, never on their own request.
rules.add_perm("network.request_to_join", is_member)
rules.add_perm(
    "network.decide_join_request",
    is_coordinator | ((decides_join_request_as_committee | decides_join_request_as_contact) & ~is_own_join_request),
)
rules.add_perm("network.list_join_requests", is_member)
