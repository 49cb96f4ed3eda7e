"""Which country an action's city or exact address names, if it names one: so a host who registers an action
in Colombia with an address in São Paulo, Brasil is told before anything is stored.

Addresses put the country last ("Av. Paulista 1000, São Paulo, Brasil"), and Latin American streets and towns
are named after countries everywhere ("Avenida Brasil 1234", "Perú 1200", "Panamá", "Mexico, Missouri"). So
only the last part of a city or an address (parts are separated by commas, semicolons, dashes, slashes or new
lines), and never its first part, is read as a country: a part that is, whole, the name of a country of the
Americas in Spanish, Portuguese, English or French (the registry's country list, ``country_lookup``: accents
and case do not matter), or an upper-case ISO code (", MX", ", BRA") that no state or province of the region
also abbreviates (", CA" may be California, ", PE" Pernambuco). A few country names are also common place names
("Granada" in Nicaragua, "Guadalupe" in Mexico, "San Martín" in Argentina, "Salvador" in Brazil) and are never read as countries."""

import functools
import re

from django_countries import countries

from convoca.network.models import match_key
from convoca.network.queries import country_lookup

# The countries and territories of the Americas and the Caribbean (ISO 3166-1 alpha-2).
AMERICAS = frozenset(str.split(
    "AG AI AR AW BB BL BM BO BQ BR BS BZ CA CL CO CR CU CW DM DO EC FK GD GF GL GP GT GY HN HT JM KN KY LC MF "
    "MQ MS MX NI PA PE PM PR PY SR SV SX TC TT US UY VC VE VG VI"
))

# Two-letter abbreviations of states and provinces (United States, Canada, Brazil): as the last part of an
# address they name a state, not a country ("Denver, CO", "Recife, PE", "San Juan, PR").
SUBDIVISIONS = frozenset(str.split(
    "AL AK AZ AR CA CO CT DE FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH NJ NM NY NC ND OH "
    "OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY DC PR VI GU AS MP "  # United States
    "AB BC MB NB NL NS NT NU ON PE QC SK YT "  # Canada
    "AC AP AM BA CE DF ES GO MG PB PI RJ RN RS RO RR SP SE TO"  # Brazil
))

# Country names that are also the names of common places in the region.
PLACE_NAMES = frozenset({"granada", "guadalupe", "san martin", "santa lucia", "san bartolome", "dominique",
                         "saint martin", "san cristobal", "bonaire", "salvador"})

PARTS = re.compile(r"\s*(?:[,;/|()\n\r]|\s[-–—]\s)\s*")
CODE = re.compile(r"[A-Z]{2,3}")


def _key(text):
    return " ".join(re.sub(r"[^\w]+", " ", match_key(text)).split())


@functools.cache
def _names():
    """Country name (as ``_key``) -> code, for the Americas, without the ISO codes themselves."""
    codes = {code.lower() for code, _name in countries} | {
        (countries.alpha3(code) or "").lower() for code, _name in countries}
    names = {}
    for key, code in country_lookup().items():
        key = _key(key)
        if code in AMERICAS and key and key not in codes and key not in PLACE_NAMES:
            names.setdefault(key, code)
    return names


@functools.cache
def _codes():
    """Upper-case alpha-2 and alpha-3 code -> code, for the Americas, without those a state also uses."""
    found = {}
    for code in AMERICAS:
        if code not in SUBDIVISIONS:
            found[code] = code
        alpha3 = countries.alpha3(code)
        if alpha3:
            found[alpha3] = code
    return found


def named_country(text):
    """The code of the country the last part of ``text`` names (None when it names none)."""
    parts = [part for part in PARTS.split(text or "") if part.strip()]
    for part in reversed(parts[1:]):
        words = re.sub(r"\d[\d\s.-]*", " ", part).strip(" .-")  # a postal code beside the country is no country
        if not words:
            continue  # "São Paulo, Brasil, 01310-100": the country is in the part before
        if CODE.fullmatch(words):
            return _codes().get(words) or _names().get(_key(words))  # "MX", "BRA", "EUA", "RD"
        key = _key(words)
        return _names().get(key) if len(key) > 3 else None
    return None


def other_country(text, country):
    """The code of a country other than ``country`` that ``text`` names, or None."""
    named = named_country(text)
    return named if named is not None and named != str(country) else None
