"""Names for the audit trail's pages: working groups by name, implementation records by their resolution."""

from .models import Implementation, WorkingGroup


def _ids(refs, kind):
    return {pk for ref_kind, pk in refs if ref_kind == kind and pk.isdigit()}


def labels(viewer, refs):
    found = {}
    groups = _ids(refs, "followup.workinggroup")
    if groups:
        for group in WorkingGroup.objects.filter(pk__in=groups):
            found[("followup.workinggroup", str(group.pk))] = group.name
    records = _ids(refs, "followup.implementation")
    if records:
        for item in Implementation.objects.filter(pk__in=records).select_related("proposal"):
            found[("followup.implementation", str(item.pk))] = item.proposal.number or item.proposal.title
    return found
