"""Names for the audit trail's pages (see ``convoca.audit.queries``): polls by title."""

from .models import Poll


def labels(viewer, refs):
    ids = {pk for kind, pk in refs if kind == "voting.poll" and pk.isdigit()}
    if not ids:
        return {}
    return {("voting.poll", str(poll.pk)): poll.title for poll in Poll.objects.filter(pk__in=ids)}
