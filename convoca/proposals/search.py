"""Full-text search of proposals and amendments in every language they exist in (originals and
translations), accent- and case-insensitive.

The index is one ``SearchDocument`` per text and language: a proposal's title and text, an amendment's new
text and explanation. ``index(objects)`` rewrites the documents of some proposals and amendments; the services
call it in the transaction that writes a text, and ``texts`` calls it (``Translatable.translation_saved``) when
a translation is saved. No trigger does it behind their back.

What matches a query is asked of the database, the rest is the same everywhere:

- SQLite (the embedded default): the FTS5 table ``proposals_search`` (``unicode61 remove_diacritics 2``),
  whose rowid is the document's id, joined with the documents so that a row left behind matches nothing;
- PostgreSQL: the generated column ``search_vector`` (``simple`` configuration over
  ``convoca_search_fold``: unaccent, or lower() and translate() without the extension), GIN-indexed.

Both are made by migration 0004 for the database in use. A query never reaches either syntax as typed: it is
cut into words (letters and digits), each searched as a quoted prefix, all of them required. Quotes, ``*``,
``NEAR``, parentheses or a lone ``-`` are words or nothing. Snippets are cut in Python from the matched
document, the same on both databases.
"""

import bisect
import functools
import re
import unicodedata
from dataclasses import dataclass

from django.db import connection
from django.utils.html import escape
from django.utils.safestring import mark_safe

from convoca.texts import languages
from convoca.texts.models import Translation

from .models import Amendment, Proposal, SearchDocument

WORD = re.compile(r"[^\W_]+")
MAX_TERMS = 8
MAX_QUERY = 200
MAX_RESULTS = 500  # proposals, best first: a search is for finding, not for listing everything
SNIPPET_WORDS = 28
MARKUP = re.compile(r"\]\([^)]*\)|[*_`\[\]|~]+|^[ \t]*[#>]+", re.MULTILINE)  # Markdown's marks, not its words
FTS_TABLE = "proposals_search"
PROPOSAL_LABEL = Proposal._meta.label_lower
AMENDMENT_LABEL = Amendment._meta.label_lower


@functools.lru_cache(maxsize=50_000)
def fold(text):
    """``text`` without accents, in lower case (how both databases compare words). Kept per word: a snippet
    folds every word of a text, and words repeat."""
    if text.isascii():
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def terms(query):
    """The words of a query, at most ``MAX_TERMS`` of them: what is searched (each as a prefix, all required)."""
    if not isinstance(query, str):
        return []
    return WORD.findall(query[:MAX_QUERY])[:MAX_TERMS]


# --- the index ------------------------------------------------------------------------------------------------


def _amendment_body(new_text, reason):
    return "\n\n".join(part for part in (new_text, reason) if part)


def documents_for(objects):
    """[SearchDocument] (unsaved) of these proposals and amendments: the original and each translation."""
    proposals = [o for o in objects if isinstance(o, Proposal)]
    amendments = [o for o in objects if isinstance(o, Amendment)]
    translations = {}
    if proposals or amendments:
        rows = Translation.objects.filter(
            target__in=[PROPOSAL_LABEL, AMENDMENT_LABEL],
            object_id__in={o.pk for o in proposals} | {o.pk for o in amendments},
        ).only("target", "object_id", "language", "fields")
        for row in rows:
            translations.setdefault((row.target, row.object_id), []).append(row)
    docs = []
    for p in proposals:
        docs.append(SearchDocument(gathering_id=p.gathering_id, proposal_id=p.pk, language=p.original_language,
                                   title=p.title[:200], body=p.text))
        for t in translations.get((PROPOSAL_LABEL, p.pk), []):
            if t.language != p.original_language:
                docs.append(SearchDocument(
                    gathering_id=p.gathering_id, proposal_id=p.pk, language=t.language,
                    title=(t.fields.get("title") or p.title)[:200], body=t.fields.get("text") or p.text,
                ))
    gatherings = dict(
        Proposal.objects.filter(pk__in={a.proposal_id for a in amendments}).values_list("pk", "gathering_id")
    ) if amendments else {}
    for a in amendments:
        gathering_id = gatherings.get(a.proposal_id)
        docs.append(SearchDocument(gathering_id=gathering_id, proposal_id=a.proposal_id, amendment_id=a.pk,
                                   language=a.original_language, body=_amendment_body(a.new_text, a.reason)))
        for t in translations.get((AMENDMENT_LABEL, a.pk), []):
            if t.language != a.original_language:
                docs.append(SearchDocument(
                    gathering_id=gathering_id, proposal_id=a.proposal_id, amendment_id=a.pk, language=t.language,
                    body=_amendment_body(t.fields.get("new_text") or a.new_text, t.fields.get("reason") or a.reason),
                ))
    return docs


def index(objects):
    """Rewrite the search documents of these proposals and amendments (a proposal's own, not its amendments').
    Call it in the transaction that changed their text or one of their translations."""
    objects = [o for o in objects if o is not None and o.pk is not None]
    if not objects:
        return 0
    proposal_ids = [o.pk for o in objects if isinstance(o, Proposal)]
    amendment_ids = [o.pk for o in objects if isinstance(o, Amendment)]
    old = SearchDocument.objects.filter(proposal_id__in=proposal_ids, amendment__isnull=True) | \
        SearchDocument.objects.filter(amendment_id__in=amendment_ids)
    old_ids = list(old.values_list("pk", flat=True))
    if old_ids:
        SearchDocument.objects.filter(pk__in=old_ids).delete()
    docs = SearchDocument.objects.bulk_create(documents_for(objects))
    _backend().replace(old_ids, docs)
    return len(docs)


def rebuild(gathering=None):
    """Every document again (of one gathering, or of all): after rows were loaded without the services."""
    proposals = Proposal.objects.all() if gathering is None else Proposal.objects.filter(gathering=gathering)
    amendments = Amendment.objects.filter(proposal__in=proposals.values("pk"))
    count = 0
    for chunk_start in range(0, proposals.count(), 500):
        count += index(list(proposals.order_by("pk")[chunk_start:chunk_start + 500]))
    for chunk_start in range(0, amendments.count(), 1000):
        count += index(list(amendments.order_by("pk")[chunk_start:chunk_start + 1000]))
    return count


# --- the databases ----------------------------------------------------------------------------------------------


class SQLiteBackend:
    """FTS5: ``MATCH '"jornada"* "accion"*'``; lower ``rank`` (bm25) is better. ``CROSS JOIN`` keeps the full-text
    match as the outer loop: left to itself, SQLite's planner may walk the gathering's documents and run the
    match once for each (seconds instead of milliseconds on 10,000 documents)."""

    @staticmethod
    def match(words):
        return " ".join(f'"{word}"*' for word in words)  # words have no quote: see WORD

    def replace(self, old_ids, docs):
        with connection.cursor() as cursor:
            stale = list(old_ids) + [d.pk for d in docs]  # a new id may meet a row left behind by a deletion
            for start in range(0, len(stale), 500):
                chunk = stale[start:start + 500]
                cursor.execute(
                    f"DELETE FROM {FTS_TABLE} WHERE rowid IN ({', '.join(['%s'] * len(chunk))})", chunk,
                )
            if docs:
                cursor.executemany(f"INSERT INTO {FTS_TABLE}(rowid, title, body) VALUES (%s, %s, %s)",
                                   [(d.pk, d.title, d.body) for d in docs])

    def ranked(self, gathering_id, words, limit):
        sql = (
            f"SELECT d.proposal_id, MIN(s.rank) AS score FROM {FTS_TABLE} s "
            "CROSS JOIN proposals_searchdocument d ON d.id = s.rowid "
            f"WHERE {FTS_TABLE} MATCH %s AND d.gathering_id = %s "
            "GROUP BY d.proposal_id ORDER BY score, d.proposal_id LIMIT %s"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [self.match(words), gathering_id, limit])
            return [row[0] for row in cursor.fetchall()]

    def documents(self, gathering_id, words, proposal_ids):
        sql = (
            f"SELECT d.id, d.proposal_id, d.amendment_id, d.language, s.rank FROM {FTS_TABLE} s "
            "CROSS JOIN proposals_searchdocument d ON d.id = s.rowid "
            f"WHERE {FTS_TABLE} MATCH %s AND d.gathering_id = %s "
            f"AND d.proposal_id IN ({', '.join(['%s'] * len(proposal_ids))})"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [self.match(words), gathering_id, *proposal_ids])
            return cursor.fetchall()


class PostgreSQLBackend:
    """``search_vector @@ to_tsquery('simple', convoca_search_fold('''jornada'':* & ''accion'':*'))``;
    the score is minus ``ts_rank`` so that lower is better, as on SQLite."""

    QUERY = "to_tsquery('simple', convoca_search_fold(%s))"

    @staticmethod
    def match(words):
        return " & ".join(f"'{word}':*" for word in words)  # words have no quote: see WORD

    def replace(self, old_ids, docs):
        """The generated column follows the documents by itself."""

    def ranked(self, gathering_id, words, limit):
        sql = (
            f"SELECT d.proposal_id, MIN(-ts_rank(d.search_vector, q)) AS score "
            f"FROM proposals_searchdocument d, {self.QUERY} q "
            "WHERE d.gathering_id = %s AND d.search_vector @@ q "
            "GROUP BY d.proposal_id ORDER BY score, d.proposal_id LIMIT %s"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [self.match(words), gathering_id, limit])
            return [row[0] for row in cursor.fetchall()]

    def documents(self, gathering_id, words, proposal_ids):
        sql = (
            f"SELECT d.id, d.proposal_id, d.amendment_id, d.language, -ts_rank(d.search_vector, q) "
            f"FROM proposals_searchdocument d, {self.QUERY} q "
            "WHERE d.gathering_id = %s AND d.proposal_id = ANY(%s) AND d.search_vector @@ q"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [self.match(words), gathering_id, list(proposal_ids)])
            return cursor.fetchall()


BACKENDS = {"sqlite": SQLiteBackend(), "postgresql": PostgreSQLBackend()}


def _backend():
    return BACKENDS[connection.vendor]


def ranked(gathering, words, limit=MAX_RESULTS):
    """The ids of the gathering's proposals with a text that holds every word, best first."""
    return _backend().ranked(gathering.pk, words, limit) if words else []


# --- what a result shows ----------------------------------------------------------------------------------


@dataclass
class Hit:
    """The text that best matches a query for one proposal, with a snippet."""

    proposal_id: int
    language: str
    field: str  # "title", "text" or "amendment"
    amendment_number: int | None
    snippet: str  # HTML: escaped text, the matched words in <mark>

    @property
    def amendment_label(self):
        return f"A{self.amendment_number}" if self.amendment_number else ""

    @property
    def language_name(self):
        return languages.name_of(self.language)


def snippet(text, words, width=SNIPPET_WORDS):
    """A few words of ``text`` around the most matches of ``words`` (prefixes, accents and capitals
    ignored), as safe HTML with each match in ``<mark>``; "" when nothing matches."""
    wanted = tuple(fold(w) for w in words)
    plain = " ".join(MARKUP.sub(" ", text or "").split())
    pieces = re.split(r"([^\W_]+)", plain)  # separators at even positions, words at odd ones
    words_at = list(range(1, len(pieces), 2))
    found = {i for i in words_at if fold(pieces[i]).startswith(wanted)}
    if not found:
        return ""
    positions = [k for k, i in enumerate(words_at) if i in found]
    best, best_count = positions[0], 0
    for n, k in enumerate(positions):  # the window that holds the most matches
        count = bisect.bisect_left(positions, k + width) - n
        if count > best_count:
            best, best_count = k, count
    first = max(0, min(best - 3, len(words_at) - width))
    shown = words_at[first:first + width]
    begin, end = shown[0], shown[-1]
    out = ["…"] if first > 0 else []
    for i in range(begin, end + 1):
        piece = escape(pieces[i])
        out.append(f"<mark>{piece}</mark>" if i in found else piece)
    if end < len(pieces) - 2:
        out.append("…")
    else:
        out.append(escape(pieces[end + 1]))  # the text's last punctuation
    return mark_safe("".join(out))  # every piece escaped above


def hits(gathering, words, proposal_ids, language):
    """{proposal id: Hit} for these proposals: the matching text in ``language`` (the reader's) first, then a
    proposal's own text before its amendments, then the best ranked."""
    proposal_ids = list(proposal_ids)
    if not words or not proposal_ids:
        return {}
    best = {}
    for doc_id, proposal_id, amendment_id, doc_language, score in _backend().documents(gathering.pk, words,
                                                                                         proposal_ids):
        key = (doc_language != language, amendment_id is not None, score, doc_id)
        if proposal_id not in best or key < best[proposal_id][0]:
            best[proposal_id] = (key, doc_id)
    docs = SearchDocument.objects.filter(pk__in=[doc_id for _key, doc_id in best.values()]).values(
        "pk", "proposal_id", "amendment__number", "language", "title", "body",
    )
    found = {}
    for doc in docs:
        title_snippet = snippet(doc["title"], words) if doc["title"] else ""
        body_snippet = snippet(doc["body"], words)
        field = "amendment" if doc["amendment__number"] else ("text" if body_snippet or not title_snippet else "title")
        found[doc["proposal_id"]] = Hit(
            doc["proposal_id"], doc["language"], field, doc["amendment__number"],
            body_snippet or title_snippet,
        )
    return found
