from django import template
from django.utils.translation import gettext as _

from convoca.gatherings.rules import can_see_registrant_name
from convoca.network.rules import public_name

register = template.Library()


@register.simple_tag(takes_context=True)
def registrant_name(context, registration):
    """The display name if the viewer may see it (see rules.can_see_registrant_name),
    otherwise what the person chose to be shown as (``network.rules.public_name``),
    or a neutral label with the registration number."""
    user, person = context["request"].user, registration.person
    if person.erased_at is None and can_see_registrant_name(user, registration):
        return person.display_name
    return public_name(user, person, registration.organisation,
                       anonymous=_("Participant no. %(number)s") % {"number": registration.pk})


@register.simple_tag(takes_context=True)
def user_can(context, perm, obj=None):
    """{% user_can "gatherings.accredit" registration as can_accredit %}"""
    return context["request"].user.has_perm(perm, obj)
