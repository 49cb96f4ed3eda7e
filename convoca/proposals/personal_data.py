"""The proposals' share of data rights (see ``convoca.core.data_rights``): the
proposals and amendments the person wrote or presented as a delegate. They
are the coalition's texts and stay after erasure; the account and the
registration they point to then name no one."""

from django.db.models import Q

from .models import Amendment, Proposal


def _written(model, person):
    mine = Q(delegate__person=person)
    if person.user_id is not None:
        mine |= Q(created_by_id=person.user_id)
    return model.objects.filter(mine)


def export(person):
    proposals = _written(Proposal, person).select_related("gathering").order_by("created_at", "pk")
    amendments = _written(Amendment, person).select_related("proposal__gathering").order_by("created_at", "pk")
    data = {
        "proposals": [
            {"gathering": p.gathering.title, "title": p.title, "state": p.state, "created_at": p.created_at}
            for p in proposals
        ],
        "amendments": [
            {"gathering": a.proposal.gathering.title, "proposal": a.proposal.title, "number": a.number,
             "state": a.state, "created_at": a.created_at}
            for a in amendments
        ],
    }
    return data if any(data.values()) else None
