"""A registration's role in the words its person chose (``Person.address_form``): "Delegada", "Delegado",
"Delegade", or a form that names no gender when they did not say. One English word, four contexts
(pgettext), so each language writes its own forms."""

from django import template
from django.utils.translation import pgettext_lazy

register = template.Library()

ROLE_FORMS = {
    "delegate": {
        "feminine": pgettext_lazy("feminine", "Delegate"),
        "masculine": pgettext_lazy("masculine", "Delegate"),
        "neutral": pgettext_lazy("neutral", "Delegate"),
        "": pgettext_lazy("unsaid", "Delegate"),
    },
    "observer": {
        "feminine": pgettext_lazy("feminine", "Observer"),
        "masculine": pgettext_lazy("masculine", "Observer"),
        "neutral": pgettext_lazy("neutral", "Observer"),
        "": pgettext_lazy("unsaid", "Observer"),
    },
    "guest": {
        "feminine": pgettext_lazy("feminine", "Guest / remote speaker"),
        "masculine": pgettext_lazy("masculine", "Guest / remote speaker"),
        "neutral": pgettext_lazy("neutral", "Guest / remote speaker"),
        "": pgettext_lazy("unsaid", "Guest / remote speaker"),
    },
}


def role_as_addressed(role, address_form):
    forms = ROLE_FORMS.get(role)
    if forms is None:
        return ""
    return str(forms.get(address_form or "", forms[""]))


@register.simple_tag
def addressed_role(registration):
    """``{% addressed_role registration %}``: the role as its person asked to be addressed."""
    return role_as_addressed(registration.role, registration.person.address_form)
