"""Names for the audit trail's pages (see ``convoca.audit.queries``): gatherings
by title, registrations by the registrant's name where the reader may see it."""

from django.utils.translation import gettext as _

from convoca.network.rules import public_name

from .models import Gathering, Registration
from .rules import can_see_registrant_name


def _ids(refs, kind):
    return {pk for ref_kind, pk in refs if ref_kind == kind and pk.isdigit()}


def labels(viewer, refs):
    found = {}
    gatherings = _ids(refs, "gatherings.gathering")
    if gatherings:
        for gathering in Gathering.objects.filter(pk__in=gatherings):
            found[("gatherings.gathering", str(gathering.pk))] = gathering.title
    registrations = _ids(refs, "gatherings.registration")
    if registrations:
        queryset = Registration.objects.filter(pk__in=registrations).select_related(
            "gathering", "person", "organisation", "organisation__contact")
        for registration in queryset:
            person = registration.person
            if person.erased_at is None and can_see_registrant_name(viewer, registration):
                name = person.display_name
            else:
                name = public_name(viewer, person, registration.organisation)
            found[("gatherings.registration", str(registration.pk))] = _(
                "Registration no. %(number)s: %(name)s") % {"number": registration.pk, "name": name}
    return found
