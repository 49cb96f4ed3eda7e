"""Reads of the follow-up: the accountability page's figures (a fixed number of queries whatever the number of
resolutions), the groups a user may see."""

from collections import OrderedDict

from django.db.models import Prefetch
from django_countries import countries

from convoca.proposals.models import Proposal

from .models import PROGRESS, Implementation, Status, Update, WorkingGroup


def implementations(gathering):
    """The gathering's adopted resolutions with their record (a resolution the ticker has not reached yet
    is shown as not started)."""
    return (
        Implementation.objects.filter(gathering=gathering, proposal__state=Proposal.State.ADOPTED)
        .select_related("proposal__theme", "group")
        .prefetch_related(Prefetch("updates", queryset=Update.objects.order_by("-on", "-pk")))
    )


def _summary(items):
    total = len(items)
    counts = dict.fromkeys(Status.values, 0)
    for item in items:
        counts[item.status] += 1
    progress = round(sum(PROGRESS[i.status] for i in items) / total) if total else 0
    return {"total": total, "counts": counts, "done": counts[Status.DONE], "progress": progress}


def accountability(gathering):
    """Everything the public accountability page shows: the resolutions, overall, per theme and per country
    (the country of the responsible working group) progress."""
    items = list(implementations(gathering))
    by_theme, by_country = OrderedDict(), OrderedDict()
    names = dict(countries)
    for item in sorted(items, key=lambda i: (i.proposal.theme.position if i.proposal.theme else 1 << 30)):
        theme = item.proposal.theme.name if item.proposal.theme else ""
        by_theme.setdefault(theme, []).append(item)
    for item in items:
        code = str(item.group.country) if item.group and item.group.country else ""
        if code:
            by_country.setdefault(code, []).append(item)
    return {
        "items": items, "overall": _summary(items),
        "by_theme": [(name, _summary(rows)) for name, rows in by_theme.items()],
        "by_country": sorted(((names.get(c, c), _summary(rows)) for c, rows in by_country.items())),
    }


def groups_for(user, gathering):
    found = WorkingGroup.objects.filter(gathering=gathering).select_related("theme", "coordinator")
    if user.has_perm("followup.manage", gathering):
        return found
    return found.filter(members__user=user).distinct()
