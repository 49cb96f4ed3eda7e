"""Reads shared by the pages, the API, the export and the services. Every
query is scoped to its gathering or proposal; list and detail pages cost the
same number of queries whatever the number of items.

``localize`` is the one place that picks which language version of a
proposal's or an amendment's text a reader gets (the original for now).
"""

import hashlib
import re
from dataclasses import dataclass, field
from fractions import Fraction

from django.core.cache import cache
from django.db.models import Count, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from convoca.core.roles import is_member
from convoca.gatherings.models import Gathering
from convoca.network.models import ShownAs
from convoca.network.rules import can_see_field
from convoca.texts import languages
from convoca.texts import queries as text_queries
from convoca.voting.models import Poll

from . import consolidation as cons
from . import search as search_index
from .markdown import render_many
from .models import (
    Amendment,
    Conflict,
    Declaration,
    DeclarationVersion,
    Event,
    Proposal,
    ProposalSettings,
    Provenance,
    Section,
    Sponsorship,
    Theme,
    Version,
)
from .rules import delegate_registration, manages

S = Proposal.State


# --- languages ------------------------------------------------------------------------------


def localize(objects, language=None, *, original=False):
    """Attach ``obj.localized`` (``convoca.texts``: the fields as shown, their language, whether it is a
    translation and whether it is outdated) to each proposal or amendment, in the reader's language, in one
    query for the whole list; return the list. The pages, the API and the export read it, never the fields."""
    return text_queries.localize(objects, language, original=original)


def amendment_texts(amendments, language):
    """{amendment id: its new text in ``language``, the language of the text it changes} in one query;
    None for an amendment written in another language that has no translation into it yet ("" for a deletion)."""
    amendments = list(amendments)
    text_queries.localize(amendments, language, attr="in_text_language")
    found = {}
    for amendment in amendments:
        piece = amendment.in_text_language["new_text"]
        if amendment.kind == Amendment.Kind.DELETE:
            found[amendment.pk] = ""
        else:
            found[amendment.pk] = piece.text if piece.language == language and piece.text else None
    return found


def reader_language():
    return languages.current_language()


# --- settings and themes --------------------------------------------------------------------


def settings_for(gathering):
    """The gathering's proposal settings; unsaved defaults when none were saved (reads never write)."""
    found = ProposalSettings.objects.filter(gathering=gathering).first()
    return found or ProposalSettings(gathering=gathering, **ProposalSettings.DEFAULTS)


def themes_for(gathering):
    return Theme.objects.filter(gathering=gathering).order_by("position", "name", "pk")


# --- lists ----------------------------------------------------------------------------------------


def visible_proposals(user, gathering):
    """What ``user`` may see of a gathering's proposals: drafts only to their
    author; the rest to coalition members; adopted texts to everyone."""
    qs = Proposal.objects.filter(gathering=gathering)
    if not is_member(user):
        return qs.filter(state=S.ADOPTED)
    return qs.filter(~Q(state=S.DRAFT) | Q(created_by=user))


def _count(model, **filters):
    return Coalesce(
        Subquery(
            model.objects.filter(proposal=OuterRef("pk"), **filters).order_by().values("proposal")
            .annotate(n=Count("pk")).values("n"),
            output_field=IntegerField(),
        ),
        Value(0),
    )


def _filtered(user, gathering, theme=None, state=None):
    qs = visible_proposals(user, gathering)
    if theme:
        qs = qs.filter(theme=theme)
    if state:
        qs = qs.filter(state=state)
    return qs


def proposal_list(user, gathering, *, theme=None, state=None):
    """The visible proposals of a gathering in number order, with their number of amendments
    (``with_sponsors`` adds their organisations to a page of them). ``search`` finds them by their words."""
    return (
        _filtered(user, gathering, theme, state)
        .select_related("theme")
        .defer("paragraph_map", "decision_note")
        .annotate(amendment_count=_count(Amendment))
        .order_by("theme__position", "prefix", "seq", "pk")
    )


# --- search ---------------------------------------------------------------------------------------------

NUMBER = re.compile(r"^\s*([A-Za-z][A-Za-z0-9]{0,9})-(\d{1,9})\s*$")


@dataclass
class SearchResults:
    """The visible proposals of a gathering that match a query, best first (``ids``: a list for Django's
    Paginator or the API's slice); ``rows(ids)`` fills one page of them."""

    user: object
    gathering: object
    words: list
    language: str
    ids: list

    def __len__(self):
        return len(self.ids)

    def rows(self, ids):
        """The proposals ``ids`` as ``proposal_list`` gives them, in this order, each with ``hit`` (the text
        that matched, with its snippet, or None), in two queries."""
        ids = list(ids)
        found = {p.pk: p for p in proposal_list(self.user, self.gathering).filter(pk__in=ids)}
        hits = search_index.hits(self.gathering, self.words, list(found), self.language)
        rows = [found[pk] for pk in ids if pk in found]
        for row in rows:
            row.hit = hits.get(row.pk)
        return rows


def search(gathering, query, language=None, *, user=None, theme=None, state=None):
    """The proposals of ``gathering`` that ``user`` may see (anonymous: adopted ones) whose title or text, or
    one of whose amendments, holds every word of ``query`` — in any of the four languages, originals and
    translations, accents and capitals ignored, each word as the start of a word — best first
    (``SearchResults``). A number such as ``MIG-3`` finds that proposal first. ``language`` (the reader's)
    picks which matching text a result shows first. Whatever ``query`` holds, no database syntax is read
    from it (``search.terms``). Two queries."""
    words = search_index.terms(query)
    language = languages.normalize(language) or languages.current_language()
    ids = []
    number = NUMBER.match(query) if isinstance(query, str) else None
    if number:
        ids += list(Proposal.objects.filter(
            gathering=gathering, prefix=number[1].upper(), seq=int(number[2])).values_list("pk", flat=True))
    ids += [pk for pk in search_index.ranked(gathering, words) if pk not in ids]
    if ids:
        visible = set(_filtered(user, gathering, theme, state).filter(pk__in=ids).values_list("pk", flat=True))
        ids = [pk for pk in ids if pk in visible]
    return SearchResults(user, gathering, words, language, ids)


def with_sponsors(user, proposals, gathering):
    """The proposals (of ``gathering``) as a list, each with ``sponsors`` (``Sponsors``: the names the
    reader may see) and its gathering attached, in one query for the whole page."""
    proposals = list(proposals)
    found = {p.pk: Sponsors() for p in proposals}
    member = is_member(user)
    rows = (
        Sponsorship.objects.filter(proposal__in=list(found)).order_by("role", "pk")
        .values_list("proposal_id", "role", "organisation__name", "organisation__is_public")
    )
    for proposal_id, role, name, public in rows:
        shown = name if public or member else None
        (found[proposal_id].submitters if role == Sponsorship.Role.SUBMITTER else found[proposal_id].cosponsors).append(shown)
    for p in proposals:
        p.sponsors = found[p.pk]
        p.gathering = gathering
    return proposals


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return -1


def counts_by_state(user, gathering):
    counts = dict.fromkeys(S.values, 0)
    for row in visible_proposals(user, gathering).values("state").annotate(n=Count("pk")).order_by():
        counts[row["state"]] = row["n"]
    return counts


def get_proposal(user, gathering, pk):
    """One visible proposal of the gathering, or None."""
    if not 0 < _int(pk) < 2**63:
        return None
    return (
        visible_proposals(user, gathering)
        .select_related("gathering", "theme", "delegate__person", "delegate__organisation", "poll", "merged_into",
                        "forwarded_from__gathering")
        .filter(pk=pk)
        .first()
    )


# --- sponsors -------------------------------------------------------------------------------------


def organisation_name(user, organisation):
    """An organisation's name where the reader may see it (members, or public organisations), else None."""
    if organisation is None:
        return None
    if organisation.is_public or is_member(user):
        return organisation.name
    return None


@dataclass
class Sponsors:
    submitters: list = field(default_factory=list)  # names (None: not public)
    cosponsors: list = field(default_factory=list)

    @property
    def support(self):
        return len(self.submitters) + len(self.cosponsors)

    @property
    def hidden(self):
        return sum(1 for name in self.submitters + self.cosponsors if name is None)


def sponsors_of(user, sponsorships):
    found = Sponsors()
    for sponsorship in sponsorships:
        name = organisation_name(user, sponsorship.organisation)
        (found.submitters if sponsorship.role == Sponsorship.Role.SUBMITTER else found.cosponsors).append(name)
    return found


def delegate_name(user, registration):
    """The name of the delegate behind a text, as their visibility settings allow (None otherwise). It is shown
    beside the organisation, so it needs their memberships to be visible too; if not, their pseudonym if they chose
    one (issue 10: a public page showed a name beside an organisation whose membership was private)."""
    if registration is None or registration.person_id is None:
        return None
    person = registration.person
    if can_see_field(user, person, "display_name") and can_see_field(user, person, "memberships"):
        return person.display_name
    return person.pseudonym if person.shown_as == ShownAs.PSEUDONYM and person.pseudonym else None


# --- votes ----------------------------------------------------------------------------------------


def votes(units, unit):
    value = Fraction(int(units or 0), int(unit or 1))
    if value.denominator == 1:
        return str(value.numerator)
    return f"{float(value):.2f}".rstrip("0").rstrip(".")


def vote_summary(poll, options=None):
    """What a published poll decided, as kept in provenance: outcome and votes for each answer."""
    if poll is None or poll.state != Poll.State.PUBLISHED or not poll.result:
        return None
    result = poll.result
    unit = result.get("unit") or 1_000_000
    options = list(poll.options.all()) if options is None else options
    by_id = {str(option.pk): option for option in options}
    counts = {}
    for key, units in (result.get("counts") or {}).items():
        option = by_id.get(key)
        name = (option.code or option.label) if option is not None else key
        counts[name] = votes(units, unit)
    return {
        "poll": poll.pk, "title": poll.title, "outcome": result.get("outcome") or "",
        "yes": counts.get("yes"), "no": counts.get("no"), "abstain": counts.get("abstain"),
        "counts": counts,
        "published_at": poll.published_at.isoformat() if poll.published_at else None,
    }


# --- the proposal page ----------------------------------------------------------------------------


@dataclass
class Paragraph:
    number: int  # 1-based, in the current text
    text: str
    html: str = ""
    amendments: list = field(default_factory=list)


@dataclass
class AmendmentView:
    amendment: Amendment
    segments: list  # the new text in the language of the text, word by word (None: not translated into it yet)
    html: str = ""
    text: str = None  # the new text in the language of the text
    paragraph_label: str = ""
    conflict: object = None

    @property
    def is_insert(self):
        return self.amendment.kind == Amendment.Kind.INSERT


DIFF_PREFIX = "proposals:diff:"
DIFF_SECONDS = 24 * 3600


def word_diffs(pairs):
    """[word_diff(old, new)] for (old, new) pairs (None: no diff), kept in Django's cache by the texts' digest:
    an amendment's words never change, so a page computes each diff once."""
    keys = [
        DIFF_PREFIX + hashlib.blake2b(f"{old}\x00{new}".encode(), digest_size=16).hexdigest() if new is not None
        else None
        for old, new in pairs
    ]
    found = cache.get_many({k for k in keys if k})
    missing = {}
    out = []
    for key, (old, new) in zip(keys, pairs, strict=True):
        if key is None:
            out.append(None)
            continue
        segments = found.get(key) or missing.get(key)
        if segments is None:
            segments = missing[key] = cons.word_diff(old, new)
        out.append(segments)
    if missing:
        cache.set_many(missing, DIFF_SECONDS)
    return out


def amendments_of(proposal):
    return list(
        Amendment.objects.filter(proposal=proposal)
        .select_related("organisation", "delegate__person", "poll")
        .order_by("number")
    )


def paragraph_positions(proposal, amendment):
    """The current paragraph (0-based) under which an amendment is listed, or None (its paragraphs are gone)."""
    mapping = proposal.paragraph_map or []
    anchor = amendment.first - 1 if amendment.kind != Amendment.Kind.INSERT else amendment.first - 1
    if anchor < 0:
        return 0 if mapping or proposal.text else None
    if anchor < len(mapping):
        return mapping[anchor]
    return None


def proposal_page(user, proposal, original=False):
    """Everything the proposal page shows, in a fixed number of queries."""
    localize([proposal], original=original)
    shown = proposal.localized["text"]
    blocks = cons.paragraphs(shown.text)
    language = shown.language
    if len(blocks) != len(cons.paragraphs(proposal.text)):  # a translation that does not keep the paragraphs
        blocks, language = cons.paragraphs(proposal.text), proposal.original_language
    amendments = localize(amendments_of(proposal), original=original)
    conflicts = list(Conflict.objects.filter(proposal=proposal).order_by("created_at", "pk"))
    conflict_of = {c.amendment_id: c for c in conflicts}
    in_text = amendment_texts(amendments, proposal.original_language)
    renders = render_many(blocks + [a.localized["new_text"].text for a in amendments])
    paragraphs = [Paragraph(i + 1, text, renders[i]) for i, text in enumerate(blocks)]
    unplaced = []
    diffs = word_diffs([(a.old_text, in_text[a.pk]) for a in amendments])
    for index, amendment in enumerate(amendments):
        view = AmendmentView(
            amendment, diffs[index], renders[len(blocks) + index], conflict=conflict_of.get(amendment.pk),
            text=in_text[amendment.pk],
        )
        if amendment.kind == Amendment.Kind.INSERT:
            view.paragraph_label = f"§{amendment.first}+" if amendment.first else "§0+"
        elif amendment.first == amendment.last:
            view.paragraph_label = f"§{amendment.first}"
        else:
            view.paragraph_label = f"§{amendment.first}–{amendment.last}"
        position = paragraph_positions(proposal, amendment)
        if position is not None and position < len(paragraphs):
            paragraphs[position].amendments.append(view)
        else:
            unplaced.append(view)
    sponsorships = list(
        Sponsorship.objects.filter(proposal=proposal).select_related("organisation").order_by("role", "pk")
    )
    poll_options = list(proposal.poll.options.all()) if proposal.poll_id else []
    return {
        "paragraphs": paragraphs,
        "paragraph_lang": "" if language == proposal.localized.requested else language,
        "unplaced": unplaced,
        "amendments": amendments,
        "amendment_views": [v for p in paragraphs for v in p.amendments] + unplaced,
        "conflicts": conflicts,
        "open_conflicts": [c for c in conflicts if c.is_open],
        "sponsors": sponsors_of(user, sponsorships),
        "sponsor_orgs": {s.organisation_id for s in sponsorships},
        "provenance": list(Provenance.objects.filter(proposal=proposal).select_related("gathering", "source")),
        "events": list(Event.objects.filter(proposal=proposal).select_related("amendment").order_by("-at", "-pk")[:30]),
        "merged_from": list(Proposal.objects.filter(merged_into=proposal).select_related("gathering").order_by("pk")),
        "forwarded_copies": list(
            Proposal.objects.filter(forwarded_from=proposal).select_related("gathering").order_by("pk")
        ),
        "vote": vote_summary(proposal.poll, poll_options) if proposal.poll_id else None,
        "delegate_name": delegate_name(user, proposal.delegate),
    }


# --- versions -------------------------------------------------------------------------------------


def versions_of(proposal):
    return list(Version.objects.filter(proposal=proposal).select_related("amendment").order_by("number"))


def version_diff(proposal, older, newer):
    """[Segment] of the text from version ``older`` to ``newer`` (None when either does not exist)."""
    found = {v.number: v for v in Version.objects.filter(proposal=proposal, number__in=[older, newer])}
    if older not in found or newer not in found:
        return None
    a, b = found[older], found[newer]
    return {
        "from": a, "to": b, "title": cons.word_diff(a.title, b.title), "text": cons.word_diff(a.text, b.text),
    }


# --- managers' views --------------------------------------------------------------------------------


def conference_choices():
    """Conferences a proposal can be forwarded to: those not over yet, soonest first."""
    return Gathering.objects.filter(kind=Gathering.Kind.CONFERENCE, ends_on__gte=timezone.localdate()).order_by(
        "starts_on", "pk"
    )


def mergeable(gathering):
    return (
        Proposal.objects.filter(gathering=gathering, state__in=Proposal.OPEN_STATES)
        .select_related("theme")
        .order_by("prefix", "seq", "pk")
    )


def is_manager(user, gathering):
    return manages(user, gathering)


def my_registration(user, gathering):
    return delegate_registration(user, gathering)


# --- the declaration --------------------------------------------------------------------------------


def declaration_of(gathering):
    """The gathering's declaration, or None (one query)."""
    found = Declaration.objects.filter(gathering=gathering).first()
    if found is not None:
        found.gathering = gathering
    return found


def sections_of(declaration):
    sections = list(Section.objects.filter(declaration=declaration).order_by("position", "pk"))
    for section in sections:
        section.declaration = declaration
    return sections


def _sources(sections):
    """{section id: [(id, number, title)] of its source proposals} in one query."""
    found = {s.pk: [] for s in sections}
    rows = (
        Section.sources.through.objects.filter(section_id__in=list(found))
        .order_by("proposal__prefix", "proposal__seq", "proposal_id")
        .values_list("section_id", "proposal_id", "proposal__prefix", "proposal__seq", "proposal__title")
    )
    for section_id, proposal_id, prefix, seq, title in rows:
        found[section_id].append(Source(proposal_id, f"{prefix}-{seq}" if seq else "", title))
    return found


@dataclass
class Source:
    pk: int
    number: str
    title: str


def declaration_page(declaration, original=False):
    """What the declaration's page shows, in the reader's language (``?original=1``: as written), in four
    queries whatever the number of sections: its sections, their language versions (with the title's), their
    source proposals; each section gets ``html`` (its Markdown, sanitised) and ``source_list``."""
    sections = sections_of(declaration)
    localize([declaration, *sections], original=original)
    renders = render_many([s.localized["text"].text for s in sections])
    sources = _sources(sections)
    for section, html in zip(sections, renders, strict=True):
        section.html = html
        section.source_list = sources[section.pk]
    return {"sections": sections}


def compose_page(declaration):
    """The sections as written (the organisers edit originals) with their sources, and the adopted
    proposals of the gathering that no section comes from yet."""
    sections = sections_of(declaration)
    sources = _sources(sections)
    for section in sections:
        section.source_list = sources[section.pk]
    return {"sections": sections, "adoptable": adoptable(declaration)}


def adopted_proposals(gathering):
    return Proposal.objects.filter(gathering=gathering, state=S.ADOPTED).order_by("prefix", "seq", "pk")


def adoptable(declaration):
    """Adopted proposals of the gathering that no section of its declaration comes from yet."""
    used = Section.sources.through.objects.filter(section__declaration=declaration).values("proposal_id")
    return adopted_proposals(declaration.gathering_id).exclude(pk__in=used)


def declaration_versions(declaration):
    return list(DeclarationVersion.objects.filter(declaration=declaration).order_by("number"))


def declaration_diff(declaration, older, newer):
    """Word by word, the title and the whole text from version ``older`` to ``newer`` (None when either is
    missing), with the same diff as a proposal's history."""
    found = {v.number: v for v in DeclarationVersion.objects.filter(declaration=declaration, number__in=[older, newer])}
    if older not in found or newer not in found:
        return None
    a, b = found[older], found[newer]
    return {"from": a, "to": b, "title": cons.word_diff(a.title, b.title), "text": cons.word_diff(a.document, b.document)}
