"""Names for the audit trail's pages: campaigns and actions by their titles (public once published)."""

from .models import Action, Campaign


def _ids(refs, kind):
    return {pk for ref_kind, pk in refs if ref_kind == kind and pk.isdigit()}


def labels(viewer, refs):
    found = {}
    campaigns = _ids(refs, "actions.campaign")
    if campaigns:
        for campaign in Campaign.objects.filter(pk__in=campaigns):
            found[("actions.campaign", str(campaign.pk))] = campaign.title
    actions = _ids(refs, "actions.action")
    if actions:
        for action in Action.objects.filter(pk__in=actions):
            if viewer.has_perm("actions.view_action", action):
                found[("actions.action", str(action.pk))] = action.title
    return found
