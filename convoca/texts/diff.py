"""Word-level differences between two versions of a text (Python's difflib
over word tokens: words, runs of punctuation and runs of white space)."""

import re
from dataclasses import dataclass
from difflib import SequenceMatcher

TOKEN = re.compile(r"\w+|[^\w\s]+|\s+")

EQUAL, DELETE, INSERT = "equal", "delete", "insert"


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


def tokens(text):
    return TOKEN.findall(text or "")


def _append(segments, op, parts):
    text = "".join(parts)
    if not text:
        return
    if segments and segments[-1].op == op:
        segments[-1] = Segment(op, segments[-1].text + text)
    else:
        segments.append(Segment(op, text))


def word_diff(old, new):
    """[Segment] turning ``old`` into ``new``: kept, deleted and inserted runs
    of words, in reading order (a replaced run is its deletion then its insertion)."""
    a, b = tokens(old), tokens(new)
    segments = []
    for op, i1, i2, j1, j2 in SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            _append(segments, EQUAL, a[i1:i2])
            continue
        # A change of white space alone (a space for a line break) reads as no change.
        if op == "replace" and all(t.isspace() for t in a[i1:i2] + b[j1:j2]):
            _append(segments, EQUAL, b[j1:j2])
            continue
        if op in ("replace", "delete"):
            _append(segments, DELETE, a[i1:i2])
        if op in ("replace", "insert"):
            _append(segments, INSERT, b[j1:j2])
    return segments


def has_changes(segments):
    return any(not segment.is_equal for segment in segments)
