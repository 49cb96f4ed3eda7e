from django import template
from django.utils.translation import gettext as _

from convoca.gatherings.rules import can_see_registrant_name

register = template.Library()


@register.simple_tag(takes_context=True)
def registrant_name(context, registration):
    """The display name if the viewer may see it (see rules.can_see_registrant_name),
    otherwise a neutral label with the registration number."""
    if can_see_registrant_name(context["request"].user, registration):
        return registration.person.display_name
    return _("Participant no. %(number)s") % {"number": registration.pk}


@register.simple_tag(takes_context=True)
def user_can(context, perm, obj=None):
    """{% user_can "gatherings.accredit" registration as can_accredit %}"""
    return context["request"].user.has_perm(perm, obj)
