"""Paragraphs, word-level diffs and the consolidation of amendments: pure
functions, no database (the services feed them, as ``voting.tally`` is fed).

A text is a list of paragraphs separated by blank lines (Markdown blocks).
Amendments are written against one version of the text, the *base* (the
version the proposal had when it was opened for amendments). The
consolidated text is the base with every adopted amendment applied, in the
order they were adopted, plus the coordinators' resolutions of conflicts:

- an amendment that replaces one paragraph by one paragraph is applied word
  by word (difflib over word tokens), so two amendments that change different
  words of the same paragraph both apply;
- deletions, insertions and replacements of several paragraphs apply to
  whole paragraphs;
- two amendments that change the same words (or one deletes or rewrites a
  paragraph that the other changes) are a **conflict**: the later one is not
  applied, never merged silently, until a coordinator writes the text of the
  paragraphs concerned (a *resolution*, which then takes their place).

``consolidate(base_text, changes)`` returns the text, the changes applied,
the conflicts, and where each base paragraph ended up (for listing
amendments under the paragraphs of the current text).
"""

import re
from dataclasses import dataclass, field
from difflib import SequenceMatcher

BLANK_LINE = re.compile(r"\n(?:[ \t]*\n)+")
TOKEN = re.compile(r"\w+|[^\w\s]+|\s+")
EQUAL, DELETE, INSERT = "equal", "delete", "insert"
REPLACE, REMOVE, ADD = "replace", "delete", "insert"  # the kinds of amendment


# --- paragraphs and tokens -----------------------------------------------------------------


def paragraphs(text):
    """The paragraphs of ``text`` (blocks separated by blank lines), without
    surrounding blank lines or trailing spaces; line breaks inside a paragraph are kept."""
    text = (text or "").replace("\r\n", "\n").replace("\r", "\n")
    return [block.strip("\n").rstrip() for block in BLANK_LINE.split(text) if block.strip()]


def join(blocks):
    return "\n\n".join(blocks)


def clean_text(text):
    """The canonical form in which texts are stored: paragraphs joined by one blank line."""
    return join(paragraphs(text))


def tokens(text):
    """Words, runs of punctuation and runs of white space: joined, they give ``text`` back."""
    return TOKEN.findall(text or "")


# --- word-level differences ------------------------------------------------------------------


@dataclass(frozen=True)
class Segment:
    op: str  # "equal", "delete" or "insert"
    text: str

    @property
    def is_equal(self):
        return self.op == EQUAL

    @property
    def is_delete(self):
        return self.op == DELETE

    @property
    def is_insert(self):
        return self.op == INSERT


def _append(segments, op, parts):
    text = "".join(parts)
    if not text:
        return
    if segments and segments[-1].op == op:
        segments[-1] = Segment(op, segments[-1].text + text)
    else:
        segments.append(Segment(op, text))


def word_diff(old, new):
    """[Segment] turning ``old`` into ``new`` in reading order (a replaced run
    of words is its deletion then its insertion). A change of white space
    alone reads as no change."""
    a, b = tokens(old), tokens(new)
    segments = []
    for op, i1, i2, j1, j2 in SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            _append(segments, EQUAL, a[i1:i2])
        elif op == "replace" and all(t.isspace() for t in a[i1:i2] + b[j1:j2]):
            _append(segments, EQUAL, b[j1:j2])
        else:
            if op in ("replace", "delete"):
                _append(segments, DELETE, a[i1:i2])
            if op in ("replace", "insert"):
                _append(segments, INSERT, b[j1:j2])
    return segments


def has_changes(segments):
    return any(not segment.is_equal for segment in segments)


# --- consolidation ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    """An adopted amendment, as consolidation needs it. ``first``/``last``:
    the paragraphs it concerns in the base (1-based, inclusive); for an
    insertion, the paragraph it comes after (0: at the very beginning)."""

    key: object
    kind: str  # REPLACE, REMOVE or ADD
    first: int
    last: int
    text: str = ""


@dataclass(frozen=True)
class Resolution:
    """A coordinator's text for the base paragraphs ``start``..``end - 1`` (0-based), replacing whatever
    the adopted amendments made of them."""

    key: object
    start: int
    end: int
    text: str


@dataclass
class _Hunk:
    start: int  # in base paragraphs (or tokens of a base paragraph), [start, end)
    end: int
    new: tuple
    sources: set
    order: int = 0

    @property
    def is_insertion(self):
        return self.start == self.end

    def same_as(self, other):
        return (self.start, self.end, self.new) == (other.start, other.end, other.new)


@dataclass
class Clash:
    """``key`` could not be applied: it changes what ``others`` changed.
    ``start``/``end``: the base paragraphs a resolution must cover (0-based, end excluded)."""

    key: object
    others: list
    start: int
    end: int


@dataclass
class Consolidation:
    text: str
    applied: list = field(default_factory=list)
    clashes: list = field(default_factory=list)
    positions: list = field(default_factory=list)  # base paragraph i -> its paragraph in ``text`` (0-based) or None
    state: object = None  # what was accepted, for the text of a part (``range_text``) and ``widen``
    untranslated: list = field(default_factory=list)  # set by the services: adopted amendments left out

    def clash_of(self, key):
        return next((clash for clash in self.clashes if clash.key == key), None)


def _overlap(a, b):
    return max(a.start, b.start) < min(a.end, b.end)


def _inside(insertion, other):
    return other.start < insertion.start < other.end


def _interacts_paragraphs(a, b):
    """Paragraph hunks that cannot both apply: they overlap, or one inserts inside
    what the other replaces. Two insertions at one place both apply, in order."""
    if a.is_insertion and b.is_insertion:
        return False
    if a.is_insertion:
        return _inside(a, b)
    if b.is_insertion:
        return _inside(b, a)
    return _overlap(a, b)


def _spread(hunk, base_tokens):
    """Where an insertion sits among the words: the white space around its place (it sits between two words
    wherever the white space is split). A change of words keeps its own range."""
    if not hunk.is_insertion:
        return hunk.start, hunk.end
    start = end = hunk.start
    while start > 0 and base_tokens[start - 1].isspace():
        start -= 1
    while end < len(base_tokens) and base_tokens[end].isspace():
        end += 1
    return start, end


def _interacts_words(a, b, base_tokens):
    """Word hunks change the same words: they overlap, or one inserts right against (or inside) what the
    other changes, or both insert at the same place."""
    if not a.is_insertion and not b.is_insertion:
        return _overlap(a, b)
    (a1, a2), (b1, b2) = _spread(a, base_tokens), _spread(b, base_tokens)
    return max(a1, b1) <= min(a2, b2)


def _word_hunks(old, new, key):
    a, b = tokens(old), tokens(new)
    found = []
    for op, i1, i2, j1, j2 in SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op != "equal":
            found.append(_Hunk(i1, i2, tuple(b[j1:j2]), {key}))
    return found


class _State:
    def __init__(self, base):
        self.base = base
        self.paragraph_hunks = []  # [_Hunk] over base paragraphs
        self.word_hunks = {}  # base paragraph index -> [_Hunk] over its tokens
        self.base_tokens = {}
        self.order = 0

    def tokens_of(self, index):
        if index not in self.base_tokens:
            self.base_tokens[index] = tokens(self.base[index])
        return self.base_tokens[index]

    def next_order(self):
        self.order += 1
        return self.order

    # An amendment is a set of paragraph hunks and of word hunks on single paragraphs.
    def plan(self, change):
        """(paragraph hunks, {paragraph: word hunks}) of ``change``, or None when it names paragraphs the base does not have."""
        n = len(self.base)
        kind, key = change.kind, change.key
        if kind == ADD:
            if not 0 <= change.first <= n:
                return None
            return [_Hunk(change.first, change.first, tuple(paragraphs(change.text)), {key})], {}
        if not 1 <= change.first <= change.last <= n:
            return None
        start, end = change.first - 1, change.last
        if kind == REMOVE:
            return [_Hunk(start, end, (), {key})], {}
        new = paragraphs(change.text)
        if len(new) == end - start:  # paragraph for paragraph: word by word
            return [], {start + i: _word_hunks(self.base[start + i], text, key) for i, text in enumerate(new)}
        return [_Hunk(start, end, tuple(new), {key})], {}

    def clashes_with(self, paragraph_hunks, word_hunks):
        """The sources of accepted hunks that the planned ones collide with, and the base range concerned."""
        others, lo, hi = set(), None, None

        def widen(start, end):
            nonlocal lo, hi
            lo = start if lo is None else min(lo, start)
            hi = end if hi is None else max(hi, end)

        for hunk in paragraph_hunks:
            for accepted in self.paragraph_hunks:
                if _interacts_paragraphs(hunk, accepted) and not hunk.same_as(accepted):
                    others |= accepted.sources
                    widen(accepted.start, accepted.end)
            if not hunk.is_insertion:
                for index, accepted in self.word_hunks.items():
                    if hunk.start <= index < hunk.end and accepted:
                        others |= set().union(*(h.sources for h in accepted))
                        widen(index, index + 1)
        for index, hunks in word_hunks.items():
            for accepted in self.paragraph_hunks:
                if not accepted.is_insertion and accepted.start <= index < accepted.end:
                    others |= accepted.sources
                    widen(accepted.start, accepted.end)
            for hunk in hunks:
                for accepted in self.word_hunks.get(index, ()):
                    if _interacts_words(hunk, accepted, self.tokens_of(index)) and not hunk.same_as(accepted):
                        others |= accepted.sources
                        widen(index, index + 1)
        return others, lo, hi

    def accept(self, paragraph_hunks, word_hunks):
        for hunk in paragraph_hunks:
            same = next((h for h in self.paragraph_hunks if h.same_as(hunk)), None)
            if same is not None:
                same.sources |= hunk.sources
            else:
                hunk.order = self.next_order()
                self.paragraph_hunks.append(hunk)
        for index, hunks in word_hunks.items():
            accepted = self.word_hunks.setdefault(index, [])
            for hunk in hunks:
                same = next((h for h in accepted if h.same_as(hunk)), None)
                if same is not None:
                    same.sources |= hunk.sources
                else:
                    hunk.order = self.next_order()
                    accepted.append(hunk)

    def widen(self, start, end):
        """[start, end) grown to whole accepted paragraph hunks that straddle it (never cut one in two)."""
        changed = True
        while changed:
            changed = False
            for hunk in self.paragraph_hunks:
                if not hunk.is_insertion and _overlap(hunk, _Hunk(start, end, (), set())):
                    if hunk.start < start or hunk.end > end:
                        start, end = min(start, hunk.start), max(end, hunk.end)
                        changed = True
        return start, end

    def resolve(self, resolution):
        """The coordinator's text replaces base paragraphs [start, end) and everything accepted there."""
        start, end = self.widen(resolution.start, resolution.end)
        self.paragraph_hunks = [
            h for h in self.paragraph_hunks
            if not (start <= h.start and h.end <= end and not (h.is_insertion and h.start in (start, end)))
        ]
        for index in range(start, end):
            self.word_hunks.pop(index, None)
        self.paragraph_hunks.append(
            _Hunk(start, end, tuple(paragraphs(resolution.text)), {resolution.key}, self.next_order())
        )

    def paragraph_text(self, index):
        hunks = self.word_hunks.get(index)
        if not hunks:
            return self.base[index]
        base = self.tokens_of(index)
        out, pos = [], 0
        for hunk in sorted(hunks, key=lambda h: (h.start, h.end, h.order)):
            out.extend(base[pos:hunk.start])
            out.extend(hunk.new)
            pos = max(pos, hunk.end)
        out.extend(base[pos:])
        return "".join(out).strip()

    def result(self, start=0, end=None):
        """(paragraphs, positions) of base paragraphs [start, end) with everything accepted."""
        end = len(self.base) if end is None else end
        out, positions = [], []
        whole = (start, end) == (0, len(self.base))
        hunks = sorted(
            (h for h in self.paragraph_hunks if start <= h.start and h.end <= end
             and (whole or not (h.is_insertion and h.start in (start, end)))),  # a part leaves out what is around it
            key=lambda h: (h.start, h.end, h.order),
        )
        pos = start
        for hunk in hunks:
            while pos < hunk.start:
                positions.append(len(out))
                out.append(self.paragraph_text(pos))
                pos += 1
            positions.extend([None] * max(0, hunk.end - pos))
            out.extend(block for block in hunk.new if block)
            pos = max(pos, hunk.end)
        while pos < end:
            positions.append(len(out))
            out.append(self.paragraph_text(pos))
            pos += 1
        return [block for block in out if block], positions


def consolidate(base_text, changes):
    """The base text with ``changes`` (``Change`` and ``Resolution``, in the
    order they happened) applied; see the module's docstring."""
    state = _State(paragraphs(base_text))
    result = Consolidation(text="")
    for change in changes:
        if isinstance(change, Resolution):
            state.resolve(change)
            result.applied.append(change.key)
            continue
        planned = state.plan(change)
        if planned is None:
            result.clashes.append(Clash(change.key, [], 0, len(state.base)))
            continue
        paragraph_hunks, word_hunks = planned
        others, lo, hi = state.clashes_with(paragraph_hunks, word_hunks)
        if others:
            own = [(h.start, h.end) for h in paragraph_hunks] + [(i, i + 1) for i in word_hunks]
            start = min([lo, *(s for s, _e in own)])
            end = max([hi, *(e for _s, e in own)])
            result.clashes.append(Clash(change.key, sorted(others, key=str), start, end))
            continue
        state.accept(paragraph_hunks, word_hunks)
        result.applied.append(change.key)
    blocks, positions = state.result()
    result.text = join(blocks)
    result.positions = positions
    result.state = state
    return result


def range_text(consolidation, start, end):
    """The text that base paragraphs [start, end) have in ``consolidation`` (what a resolution starts from)."""
    blocks, _positions = consolidation.state.result(start, end)
    return join(blocks)


def apply_alone(base_text, change):
    """The base text with ``change`` alone applied (what an amendment proposes, for a conflict's display)."""
    return consolidate(base_text, [change]).text
