"""The imports' share of data rights (see ``convoca.core.data_rights``):
staged imports keep rows of a spreadsheet for a day at most (see
``retention``). Erasure does not wait for that: a staged import that mentions
the person's address is deleted at once, and so are the rows an import left
out (kept with a confirmed import for the organiser to download), and every
staged workbook of several sheets, whose other sheets are kept zipped where
no address can be searched."""

import json

from .models import ImportBatch


def _mentioning(person):
    emails = {email.lower() for email in (person.email, getattr(person.user, "email", "")) if email}
    if not emails:
        return []
    kept = ImportBatch.objects.exclude(data={}).only("pk", "data")
    # A plain substring test: one mentioning "xana@…" for "ana@…" is deleted a few hours early, no harm done.
    return [batch.pk for batch in kept
            if any(email in json.dumps({k: v for k, v in batch.data.items() if k != "workbook"},
                                       ensure_ascii=False).lower() for email in emails)]


def export(person):
    found = _mentioning(person)
    return {"staged_imports_mentioning_you": len(found)} if found else None


def erase(person):
    ImportBatch.objects.filter(pk__in=_mentioning(person)).delete()
    ImportBatch.objects.filter(data__has_key="workbook").delete()
