"""Reads of the audit trail: the entries a filter selects, and the same entries
described for one reader.

The trail holds numbers only (see ``models``). Naming them is the business of
the app that owns each kind of thing, which knows who may see what: every
installed app may have an ``audit_labels.py`` with ``labels(viewer, refs)``,
given a set of ``(model label, id)`` pairs and returning ``{pair: text}`` for
the pairs it owns (found by ``convoca.core.hooks``, as ``demo.py`` and
``retention.py`` are). The acting account is the pair ``("accounts.user", id)``,
a gathering ``("gatherings.gathering", id)``. Whatever no app names is shown as
"<kind> no. <id>".
"""

import datetime as dt
from dataclasses import dataclass

from django.apps import apps
from django.utils import timezone
from django.utils.translation import gettext as _

from convoca.core.hooks import app_modules

from . import actions
from .models import Entry

ACCOUNT = "accounts.user"
GATHERING = "gatherings.gathering"
# Dates beyond these filter nothing out (and would overflow once turned into times in a time zone).
EARLIEST, LATEST = dt.date(1000, 1, 1), dt.date(9000, 1, 1)


def entries(*, gathering=None, action=None, actor=None, since=None, until=None, target=None):
    """Entries, newest first. ``since``/``until``: dates, both included, in the
    current time zone; ``target``: a model instance or a (model label, id) pair."""
    queryset = Entry.objects.all()
    if gathering:
        queryset = queryset.filter(gathering_id=getattr(gathering, "pk", gathering))
    if action:
        queryset = queryset.filter(action=action)
    if actor:
        queryset = queryset.filter(actor_id=getattr(actor, "pk", actor))
    if since and since > EARLIEST:
        queryset = queryset.filter(at__gte=_day_start(since))
    if until and until < LATEST:
        queryset = queryset.filter(at__lt=_day_start(until + dt.timedelta(days=1)))
    if target is not None:
        if hasattr(target, "_meta"):
            target = (target._meta.label_lower, target.pk)
        queryset = queryset.filter(target_type=target[0], target_id=str(target[1]))
    return queryset.order_by("-at", "-pk")


def _day_start(day):
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def labels(viewer, refs):
    """{(model label, id): text} for every pair in ``refs``, as ``viewer`` may read it."""
    refs = {(kind, str(pk)) for kind, pk in refs}
    found = {}
    for _config, module in app_modules("audit_labels", "labels"):
        found.update(module.labels(viewer, refs) or {})
    for ref in refs - set(found):
        found[ref] = _generic_label(*ref)
    return found


def _generic_label(kind, pk):
    try:
        name = apps.get_model(kind)._meta.verbose_name
    except (LookupError, ValueError):
        name = kind
    return _("%(kind)s no. %(id)s") % {"kind": str(name).capitalize(), "id": pk}


@dataclass
class Row:
    at: dt.datetime
    action: str
    code: str
    actor: str | None  # None: Convoca itself (the ticker)
    gathering: str | None
    target: str | None
    note: str


def describe(viewer, page):
    """The entries of one page as ``Row`` objects for ``viewer``, in one pass of the
    label hooks (each app answers for the whole page at once)."""
    page = list(page)
    refs = set()
    for entry in page:
        if entry.actor_id is not None:
            refs.add((ACCOUNT, str(entry.actor_id)))
        if entry.gathering_id is not None:
            refs.add((GATHERING, str(entry.gathering_id)))
        if entry.target_type:
            refs.add(entry.target)
    names = labels(viewer, refs)
    return [
        Row(
            at=entry.at,
            action=str(actions.label(entry.action)),
            code=entry.action,
            actor=names[(ACCOUNT, str(entry.actor_id))] if entry.actor_id is not None else None,
            gathering=names[(GATHERING, str(entry.gathering_id))] if entry.gathering_id is not None else None,
            target=names[entry.target] if entry.target_type else None,
            note=str(actions.note_label(entry.note)),
        )
        for entry in page
    ]


def _choices(viewer, kind, ids):
    names = labels(viewer, {(kind, str(pk)) for pk in ids})
    return sorted(((str(pk), names[(kind, str(pk))]) for pk in ids), key=lambda pair: pair[1].casefold())


def gathering_choices(viewer):
    """(id, name) of every gathering the trail mentions, by name."""
    ids = Entry.objects.exclude(gathering_id=None).order_by().values_list("gathering_id", flat=True).distinct()
    return _choices(viewer, GATHERING, list(ids))


def actor_choices(viewer):
    """(id, name) of every account that acted, by name, as ``viewer`` may see it."""
    ids = Entry.objects.exclude(actor_id=None).order_by().values_list("actor_id", flat=True).distinct()
    return _choices(viewer, ACCOUNT, list(ids))


def action_choices():
    return sorted(((code, str(name)) for code, name in actions.ACTIONS.items()), key=lambda pair: pair[1].casefold())
