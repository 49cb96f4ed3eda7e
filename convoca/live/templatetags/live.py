"""``{% live_attrs gathering %}`` on the element that makes a page live (see docs/CONTRIBUTING.md, "Live pages")."""

from django import template
from django.urls import reverse
from django.utils.html import format_html

from convoca.core import events

register = template.Library()


@register.simple_tag
def live_attrs(gathering):
    """The attributes that let ``js/live.js`` follow ``gathering``'s events from the one this page was drawn at."""
    pk = getattr(gathering, "pk", gathering)
    return format_html(
        'data-live-gathering="{}" data-live-url="{}" data-live-last="{}"',
        pk, reverse("live:gathering_events", args=[pk]), events.last_id(f"gathering:{pk}"),
    )
