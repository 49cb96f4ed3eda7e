"""Cell cleaning: repair text garbled by a wrong encoding, normalise Unicode,
collapse whitespace.

Spreadsheets reach us after many round trips (web page -> Excel -> e-mail ->
LibreOffice). The usual damage is *mojibake*: UTF-8 bytes decoded as
Windows-1252, "José" becoming "JosÃ©". ftfy repairs that. One lossy form it
cannot repair alone: "í" is UTF-8 ``C3 AD``; read as Windows-1252 that is "Ã"
followed by a SOFT HYPHEN (U+00AD), which is invisible, and copying from a web
page or a PDF often drops it, leaving "MarÃa", "MartÃnez". We put the lost
byte back where it can only have been "í" (before a lowercase letter and after
a letter, lowercase or capital: "MarÃa", "DÃaz", "RÃos"; or ending a word after
a lowercase letter, "CondorÃ"; a genuine "Ã" never
stands there, as Portuguese writes "ã" in running text and "Ã" only among
capitals, "JOÃO"), then let ftfy decode the whole cell. If ftfy does not
accept the result, the cell is left as ftfy had it.
"""

import functools
import re
import unicodedata

import ftfy

# Keep typographic quotes ("O’Brien" stays as typed); fix everything else ftfy fixes.
_FTFY_CONFIG = ftfy.TextFixerConfig(uncurl_quotes=False, explain=False)

# A lead byte of a two-byte UTF-8 sequence (Â, Ã: U+0080–U+00FF; Ä, Å: Latin
# Extended-A; â: three-byte sequences such as ’ – €) followed by something a
# continuation byte decodes to in Windows-1252, or by a space or a lowercase
# letter (the lossy forms). Cells without it skip ftfy, which costs ~45 µs each.
_SUSPECT = re.compile(
    "[ÂÃÄÅâ][\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc"
    "\u2013\u2014\u2018-\u201a\u201c-\u201e\u2020-\u2022\u2026\u2030\u2039\u203a\u20ac\u2122 a-z]"
    "|&#?[a-zA-Z0-9]+;|\u00c3$"
)

# "Ã" after a letter and before a lowercase one: the soft hyphen of "í" (C3 AD) was dropped.
_LOWER = "a-zß-öø-ÿ"
_UPPER = "A-ZÀ-ÖØ-Þ"
# After a letter, or after the second byte of another damaged letter ("MuÃ±Ãz": Muñíz).
# At the end of a word after a lowercase letter ("CondorÃ": Condorí) it can only be "í" as well.
_DROPPED_SOFT_HYPHEN = re.compile(
    f"(?<=[{_LOWER}{_UPPER}\u00a1-\u00bf])\u00c3(?=[{_LOWER}])|(?<=[{_LOWER}])\u00c3(?=$|[\\s,;.:)/-])")


def restore_dropped_byte(text: str) -> str:
    """'MarÃa' -> 'María': put back the invisible byte, let ftfy decode."""
    if "\u00c3" not in text:
        return text
    candidate = _DROPPED_SOFT_HYPHEN.sub("\u00c3\u00ad", text)
    if candidate == text:
        return text
    fixed = ftfy.fix_text(candidate, _FTFY_CONFIG)
    if "\u00c3\u00ad" in fixed:  # ftfy did not take it: it was not mojibake after all
        return text
    return fixed


@functools.lru_cache(maxsize=16384)
def clean_text(value: str) -> str:
    """Repair, NFC-normalise and collapse the whitespace of one cell."""
    if not value:
        return ""
    text = value
    if not text.isascii():
        if _SUSPECT.search(text):
            text = restore_dropped_byte(text)
            text = ftfy.fix_text(text, _FTFY_CONFIG)
        text = unicodedata.normalize("NFC", text)
    elif "&" in text and _SUSPECT.search(text):
        text = ftfy.fix_text(text, _FTFY_CONFIG)
    # str.split() also splits on no-break spaces and other Unicode whitespace.
    return " ".join(text.split())
