"""Names for the audit trail's pages (see ``convoca.audit.queries``): the acting
accounts by their person's display name, people, organisations and national
committees, each only as the reader may see it."""

from django.utils.translation import gettext as _

from .models import NationalCommittee, Person
from .queries import organisations_visible_to
from .rules import can_see_field


def _ids(refs, kind):
    return {pk for ref_kind, pk in refs if ref_kind == kind and pk.isdigit()}


def _person_label(viewer, person):
    if person.erased_at is not None:
        return _("Erased person")
    if can_see_field(viewer, person, "display_name"):
        return person.display_name
    return _("Name not shown")


def labels(viewer, refs):
    found = {}
    accounts = _ids(refs, "accounts.user")
    if accounts:
        for person in Person.objects.filter(user_id__in=accounts):
            found[("accounts.user", str(person.user_id))] = _person_label(viewer, person)
    people = _ids(refs, "network.person")
    if people:
        for person in Person.objects.filter(pk__in=people):
            found[("network.person", str(person.pk))] = _person_label(viewer, person)
    organisations = _ids(refs, "network.organisation")
    if organisations:
        for organisation in organisations_visible_to(viewer).filter(pk__in=organisations):
            found[("network.organisation", str(organisation.pk))] = organisation.name
    committees = _ids(refs, "network.nationalcommittee")
    if committees:
        for committee in NationalCommittee.objects.filter(pk__in=committees):
            found[("network.nationalcommittee", str(committee.pk))] = _(
                "National committee of %(country)s") % {"country": committee.country.name}
    return found
