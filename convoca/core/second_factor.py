"""Sensitive page actions of the apps that sit below accounts in the house.

``convoca.accounts.second_factor.recent_second_factor`` re-asks the second
factor before a sensitive action. The apps above accounts import it; network
(under accounts) and imports (whose floor lists no accounts) may not, so they
use this decorator, which asks for that one by name (``settings.RECENT_SECOND_FACTOR``),
as ``api_auth`` asks for the token check: one rule, kept by the app that owns
second factors::

    from convoca.core.second_factor import recent_second_factor

    @login_required
    @require_POST
    @recent_second_factor
    def person_erase(request, pk): ...
"""

import functools

from django.conf import settings
from django.utils.module_loading import import_string


def recent_second_factor(view):
    """``view`` behind ``settings.RECENT_SECOND_FACTOR``, looked up at request
    time (no settings are read when the views module is imported)."""

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        return import_string(settings.RECENT_SECOND_FACTOR)(view)(request, *args, **kwargs)

    return wrapped
