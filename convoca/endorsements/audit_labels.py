"""Names for the audit trail's pages: an endorsement by its organisation (public once approved; a person who
signed alone is named by number only)."""

from .models import Endorsement


def labels(viewer, refs):
    ids = {pk for kind, pk in refs if kind == "endorsements.endorsement" and pk.isdigit()}
    found = {}
    for row in Endorsement.objects.filter(pk__in=ids, kind=Endorsement.Kind.ORGANISATION).only("organisation"):
        found[("endorsements.endorsement", str(row.pk))] = row.organisation
    return found
