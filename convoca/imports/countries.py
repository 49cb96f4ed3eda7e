"""Country names or codes as organisers type them -> ISO 3166-1 alpha-2.

Accepts alpha-2 and alpha-3 codes and the names in Spanish, Portuguese,
English and French (django-countries' translations, including former and
alternative names), plus a few short forms seen in real spreadsheets
("EEUU", "EUA", "USA"). Case, accents and punctuation do not matter.

Private to the imports app (``convoca.network.queries.resolve_country`` is the
registry's own); kept here so the importer's behaviour is pinned by its tests.
"""

import functools
import re

from django.utils import translation
from django_countries import countries

from convoca.network.models import match_key

LANGUAGES = ("es", "pt-br", "en", "fr")

ALIASES = {
    "US": ["USA", "EEUU", "EE UU", "EUA", "Estados Unidos", "Estados Unidos de America", "United States", "Etats-Unis"],
    "GB": ["UK", "Gran Bretana", "Gra-Bretanha", "Grande-Bretagne", "Great Britain", "Inglaterra", "Angleterre"],
    "DO": ["Rep Dominicana", "Republica Dominicana"],
    "TT": ["Trinidad y Tobago", "Trinidad e Tobago", "Trinite-et-Tobago"],
    "BO": ["Bolivia", "Estado Plurinacional de Bolivia"],
    "VE": ["Venezuela", "Republica Bolivariana de Venezuela"],
    "KR": ["Corea", "Coreia do Sul"],
    "CD": ["RDC", "RD Congo"],
}


def _key(text) -> str:
    return " ".join(re.sub(r"[^\w]+", " ", match_key(str(text))).split())


@functools.cache
def country_table() -> dict[str, str]:
    """Normalised name or code -> alpha-2. Built once per process."""
    table: dict[str, str] = {}

    def add(text, code):
        key = _key(text)
        if key:
            table.setdefault(key, code)
        # "Bolivia (Plurinational State of)" is also found as "Bolivia".
        short = _key(re.sub(r"\(.*?\)", "", str(text)))
        if short:
            table.setdefault(short, code)

    codes = [code for code, _name in countries]
    for code in codes:  # codes first: they win over any name
        table[code.lower()] = code
        alpha3 = countries.alpha3(code)
        if alpha3:
            table.setdefault(alpha3.lower(), code)
    for language in LANGUAGES:
        with translation.override(language):
            for code, entry in countries.countries.items():
                names = entry.get("names", [entry.get("name")]) if isinstance(entry, dict) else [entry]
                for name in names:
                    if name:
                        add(name, code)
            for code, names in countries.shadowed_names.items():
                for name in names:
                    add(name, code)
    for code, names in ALIASES.items():
        for name in names:
            add(name, code)
    return table


def resolve_country(text) -> str | None:
    """The alpha-2 code for ``text`` ("Brasil", "Brésil", "BRA", "br"), or None."""
    key = _key(text or "")
    if not key:
        return None
    return country_table().get(key)
