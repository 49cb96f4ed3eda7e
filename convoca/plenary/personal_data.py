"""The plenary's share of data rights (see ``convoca.core.data_rights``): the person's requests to speak, with
the gender they declared for the chair's balance rule. Erasure keeps each request for the record of the
debate (it now belongs to "erased person") and forgets the declared gender."""

from .models import RemoteAttendance, Speaker


def export(person):
    speakers = Speaker.objects.filter(registration__person=person).select_related("item__gathering").order_by(
        "created_at", "pk")
    requests = [
        {"gathering": s.item.gathering.title, "item": s.item.title, "number": s.number, "kind": s.kind,
         "state": s.state, "gender": s.gender or None, "remote": s.remote, "asked_at": s.created_at,
         "spoke_seconds": s.elapsed_seconds if s.state == Speaker.State.DONE else None}
        for s in speakers
    ]
    remote = [
        {"gathering": a.gathering.title, "admitted_at": a.admitted_at}
        for a in RemoteAttendance.objects.filter(registration__person=person).select_related("gathering")
    ]
    if not requests and not remote:
        return None
    return {"requests_to_speak": requests, "remote_attendance": remote}


def blockers(person):
    return []


def erase(person):
    Speaker.objects.filter(registration__person=person).exclude(gender="").update(gender="")
