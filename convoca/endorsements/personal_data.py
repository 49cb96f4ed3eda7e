"""Endorsements hold no link to a person of the registry: a signer gives a name and an email on a public form
and withdraws by the link in their email (which deletes the row). A person's download and erasure still
include the endorsements made with their email address, so that one request covers them."""

from . import queries, services


def export(person):
    rows = [
        {"declaration": e.declaration.title, "organisation": e.organisation, "country": str(e.country),
         "signatory": e.signatory, "role": e.role, "shown_publicly": e.show_signatory, "state": e.state,
         "signed_at": e.created_at}
        for e in queries.signed_with(person.email).select_related("declaration")
    ]
    return {"endorsements": rows} if rows else None


def blockers(person):
    return []


def erase(person):
    services.erase_signed_with(person.email)
