"""A gathering's proposals with their amendments and provenance, as JSON or CSV: the organisers' download
link, ``GET /api/v1/gatherings/{slug}/proposals/export`` and ``convoca export-proposals SLUG``.

Every proposal but drafts, in the language each text was written in; organisations by name, never a
person. A fixed number of queries whatever the number of proposals. CSV cells that a spreadsheet would
read as a formula (starting with = + - @) are prefixed with an apostrophe.
"""

import csv
import io
import json

from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Prefetch

from .models import Amendment, Conflict, Proposal, Provenance, Sponsorship
from .queries import vote_summary

FORMATS = {"json": "application/json; charset=utf-8", "csv": "text/csv; charset=utf-8"}
CSV_COLUMNS = (
    "record", "proposal", "number", "title", "state", "theme", "language", "submitting_organisations",
    "cosponsoring_organisations", "support", "amendment", "kind", "paragraphs", "text", "old_text", "reason",
    "vote", "provenance", "merged_into", "merged_from", "forwarded_from", "referred_to", "decided_at",
)


def proposals_of(gathering):
    return (
        Proposal.objects.filter(gathering=gathering).exclude(state=Proposal.State.DRAFT)
        .select_related("theme", "merged_into", "forwarded_from__gathering", "poll")
        .prefetch_related(
            Prefetch("sponsorships", queryset=Sponsorship.objects.select_related("organisation").order_by("role", "pk")),
            Prefetch("amendments", queryset=Amendment.objects.select_related("organisation", "poll").order_by("number")),
            Prefetch("provenance", queryset=Provenance.objects.order_by("position", "pk")),
            Prefetch("merged_from", queryset=Proposal.objects.order_by("pk")),
            "poll__options",
        )
        .order_by("theme__position", "prefix", "seq", "pk")
    )


def _label(proposal):
    return proposal.number or f"#{proposal.pk}"


def data(gathering):
    """The export as plain data."""
    conflicted = set(Conflict.objects.filter(proposal__gathering=gathering, resolved_at__isnull=True)
                     .values_list("amendment_id", flat=True))
    items = []
    for p in proposals_of(gathering):
        sponsors = list(p.sponsorships.all())
        items.append({
            "id": p.pk, "number": p.number, "title": p.title, "state": p.state,
            "theme": p.theme.name if p.theme_id else None, "original_language": p.original_language,
            "text": p.text, "version": p.version,
            "submitting_organisations": [s.organisation.name for s in sponsors if s.role == Sponsorship.Role.SUBMITTER],
            "cosponsoring_organisations": [s.organisation.name for s in sponsors if s.role == Sponsorship.Role.COSPONSOR],
            "support": len(sponsors),
            "submitted_at": p.submitted_at, "decided_at": p.decided_at,
            "decision_note": p.decision_note, "referred_to": p.referred_to,
            "merged_into": _label(p.merged_into) if p.merged_into_id else None,
            "merged_from": [_label(m) for m in p.merged_from.all()],
            "forwarded_from": (
                {"gathering": p.forwarded_from.gathering.slug, "number": p.forwarded_from.number}
                if p.forwarded_from_id else None
            ),
            "vote": vote_summary(p.poll, list(p.poll.options.all())) if p.poll_id else None,
            "provenance": [
                {
                    "gathering": step.gathering_title, "country": step.country, "number": step.number,
                    "title": step.title, "adopted_at": step.adopted_at, "vote": step.vote,
                    "forwarded_at": step.forwarded_at,
                }
                for step in p.provenance.all()
            ],
            "amendments": [
                {
                    "number": a.number, "kind": a.kind, "first": a.first, "last": a.last, "state": a.state,
                    "organisation": a.organisation.name if a.organisation_id else None,
                    "original_language": a.original_language, "old_text": a.old_text, "new_text": a.new_text,
                    "reason": a.reason, "decided_at": a.decided_at, "conflict": a.pk in conflicted,
                }
                for a in p.amendments.all()
            ],
        })
    return {
        "gathering": {"slug": gathering.slug, "title": gathering.title, "kind": gathering.kind,
                      "country": gathering.country.code or None},
        "proposals": items,
    }


def _cell(value):
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _vote_text(vote):
    if not vote:
        return ""
    return f"{vote.get('outcome')}: yes {vote.get('yes')}, no {vote.get('no')}, abstain {vote.get('abstain')}"


def _csv(payload):
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for p in payload["proposals"]:
        provenance = " > ".join(
            f"{s['gathering']} ({s['country']}) {s['number']} {s['adopted_at'].date() if s['adopted_at'] else ''}"
            f" {_vote_text(s['vote'])}".strip()
            for s in p["provenance"]
        )
        writer.writerow([_cell(v) for v in (
            "proposal", p["id"], p["number"], p["title"], p["state"], p["theme"], p["original_language"],
            "; ".join(p["submitting_organisations"]), "; ".join(p["cosponsoring_organisations"]), p["support"],
            "", "", "", p["text"], "", p["decision_note"], _vote_text(p["vote"]), provenance, p["merged_into"],
            "; ".join(p["merged_from"]), (p["forwarded_from"] or {}).get("number", ""), p["referred_to"],
            p["decided_at"].isoformat() if p["decided_at"] else "",
        )])
        for a in p["amendments"]:
            paragraphs = f"{a['first']}" if a["first"] == a["last"] else f"{a['first']}-{a['last']}"
            writer.writerow([_cell(v) for v in (
                "amendment", p["id"], p["number"], p["title"], a["state"], p["theme"], a["original_language"],
                a["organisation"] or "", "", "", f"A{a['number']}", a["kind"], paragraphs, a["new_text"], a["old_text"],
                a["reason"], "conflict" if a["conflict"] else "", "", "", "", "", "",
                a["decided_at"].isoformat() if a["decided_at"] else "",
            )])
    return out.getvalue()


def render(gathering, fmt):
    """(content, content type) of the export in ``fmt`` ("json" or "csv")."""
    payload = data(gathering)
    if fmt == "json":
        return json.dumps(payload, cls=DjangoJSONEncoder, ensure_ascii=False, indent=1), FORMATS["json"]
    return _csv(payload), FORMATS["csv"]


def filename(gathering, fmt):
    return f"proposals-{gathering.slug}.{fmt}"
