"""Pages drawn once and shared by every viewer who would see the same thing, each copy carrying the viewer's own
CSRF token (and any other value of theirs the caller names).

A page that many people open at once (a poll's ballot in a plenary, an action's page after a call to act) is
mostly the same for all of them: drawing it costs more than everything else the request does. The caller
decides when a page shows nothing personal but those values, and names what the page depends on
(``vary_on``: with the language and the full path, that is the key); the page is then drawn at most once per
``ttl`` seconds per process (``template_fragments``, a per-process cache, like the fragments pages already
share) and copied with each viewer's values in place. Markers hold their places: a NUL never reaches a page
from what people write (``core.clean_input``).

    return render_shared(request, "voting/detail.html", "voting_ballot_page", [poll.pk, poll.state],
                         lambda: context, personal=[request_key])
"""

from django.contrib import messages
from django.core.cache import caches
from django.core.cache.utils import make_template_fragment_key
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.utils.html import escape
from django.utils.translation import get_language


def row_values(obj, exclude=()):
    """The values of ``obj``'s columns: what a page drawn from it depends on (part of ``vary_on``)."""
    return [getattr(obj, f.attname) for f in obj._meta.concrete_fields if f.attname not in exclude]


def no_messages_waiting(request):
    """Whether the viewer has no message waiting to be shown (a page that shows one is theirs alone)."""
    return not len(messages.get_messages(request))


def render_shared(request, template, name, vary_on, context, personal=(), filled=None, ttl=1):
    """``template`` drawn with ``context()`` (called only when the page must be drawn), shared for ``ttl``
    seconds with the viewers of the same ``vary_on``, language, path and kind of account (what the site's
    header shows: logged in or not, coordinator, translator). ``personal``: this viewer's values in the page
    besides the CSRF token (each a string found nowhere else in it), taken out of the shared copy. ``filled``:
    context variables that change more often than the page (a count), drawn as markers and filled in every
    copy (give them as the template would show them)."""
    user = request.user
    values = [get_token(request), *personal]
    filled = filled or {}
    key = make_template_fragment_key(name, [
        *vary_on, get_language(), request.get_full_path(), user.is_authenticated,
        bool(getattr(user, "is_coordinator", False)), bool(getattr(user, "is_translator", False)),
    ])
    pages = caches["template_fragments"]
    page = pages.get(key)
    if page is None:
        marks = {name: f"\x00{name}\x00" for name in filled}
        page = render_to_string(template, {**context(), **marks, "csrf_token": values[0]}, request)
        for i, value in enumerate(values):
            page = page.replace(value, f"\x00{i}\x00")
        pages.set(key, page, ttl)
    for i, value in enumerate(values):
        page = page.replace(f"\x00{i}\x00", value)
    for name, value in filled.items():
        page = page.replace(f"\x00{name}\x00", escape(value))
    return HttpResponse(page)
