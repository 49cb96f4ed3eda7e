"""The four languages of the coalition, as codes of ``settings.LANGUAGES``
(es, pt-br, en, fr), read when asked, never at import time."""

from django.conf import settings
from django.utils.text import capfirst
from django.utils.translation import get_language, get_language_info


def codes():
    return [code for code, _name in settings.LANGUAGES]


def choices():
    """(code, name in its own language) for every language: model and form choices."""
    return list(settings.LANGUAGES)


def own_name(code):
    """The language's name in its own language (Português), or the code when unknown."""
    return dict(settings.LANGUAGES).get(code, code)


def name_of(code):
    """The language's name in the reader's language ("inglés" for a Spanish
    reader, Django's own catalogue), for sentences and tables."""
    try:
        return get_language_info(code)["name_translated"]
    except KeyError:
        return code


def reader_choices():
    """(code, name in the reader's language) for every language: choices of a form."""
    return [(code, capfirst(name_of(code))) for code in codes()]


def normalize(code):
    """One of ``codes()`` for a language code as browsers and people write it
    (``pt``, ``pt-BR``, ``pt_BR``, ``EN-us``), or None when it is none of ours."""
    if not isinstance(code, str):
        return None
    code = code.strip().lower().replace("_", "-")
    known = codes()
    if code in known:
        return code
    base = code.split("-")[0]
    for candidate in known:
        if candidate.split("-")[0] == base and base:
            return candidate
    return None


def current_language():
    """The language of the request being served (the author's language when
    someone writes a text): one of ``codes()``, the site's default otherwise."""
    return normalize(get_language()) or normalize(settings.LANGUAGE_CODE) or codes()[0]
