import pytest
from django.utils import translation
from django_countries import countries

from convoca.network.queries import country_lookup, resolve_country

from .helpers import html


@pytest.mark.parametrize(
    "text, code",
    [
        # codes
        ("CO", "CO"), ("co", "CO"), ("COL", "CO"), ("bra", "BR"), ("GP", "GP"), ("MTQ", "MQ"),
        # names in each site language, any case, with or without accents
        ("Colombia", "CO"), ("Brazil", "BR"), ("Brasil", "BR"), ("Brésil", "BR"), ("bresil", "BR"),
        ("México", "MX"), ("mexico", "MX"), ("Mexique", "MX"), ("Perú", "PE"), ("Pérou", "PE"),
        ("Guadeloupe", "GP"), ("Guadalupe", "GP"), ("Martinique", "MQ"), ("Martinica", "MQ"),
        ("República Dominicana", "DO"), ("République dominicaine", "DO"), ("Haïti", "HT"), ("Haiti", "HT"),
        ("Guyane française", "GF"), ("Bolivie", "BO"), ("Bolívia", "BO"), ("Venezuela", "VE"),
        ("États-Unis d'Amérique", "US"), ("Estados Unidos da América", "US"), ("United States of America", "US"),
        # short forms
        ("USA", "US"), ("U.S.A.", "US"), ("EEUU", "US"), ("EE.UU.", "US"), ("EE. UU.", "US"), ("EUA", "US"),
        ("Estados Unidos", "US"), ("United States", "US"), ("UK", "GB"),
        # spacing and typographic apostrophes
        ("  costa   rica ", "CR"), ("Côte d’Ivoire", "CI"), ("cote d'ivoire", "CI"),
    ],
)
def test_it_resolves_country_names_and_codes(text, code):
    assert resolve_country(text) == code


@pytest.mark.parametrize("text", ["", "   ", None, "XX", "ZZZ", "Atlantis", "Estados", "12"])
def test_it_resolves_unknown_countries_to_none(text):
    assert resolve_country(text) is None


def test_it_covers_every_iso_country_and_territory():
    lookup = country_lookup()
    codes = set(lookup.values())
    assert {code for code, _name in countries} <= codes
    assert len(codes) >= 249


def test_it_maps_to_alpha2_codes_only():
    assert all(len(code) == 2 and code.isupper() for code in country_lookup().values())


def test_it_is_cached_and_independent_of_the_active_language():
    with translation.override("fr"):
        first = country_lookup()
    with translation.override("es"):
        assert country_lookup() is first
        assert resolve_country("Brésil") == "BR"


@pytest.mark.parametrize(
    "language, name",
    [("es", "Estados Unidos"), ("pt-br", "Estados Unidos"), ("en", "United States"), ("fr", "États-Unis")],
)
def test_it_shows_country_names_in_the_users_language(client, world, language, name):
    from convoca.network.models import Organisation, Sector

    Organisation.objects.create(name="Jobs with Justice", country="US", sector=Sector.TRADE_UNION, is_public=True)
    response = client.get("/organisations/", HTTP_ACCEPT_LANGUAGE=language)
    assert name in html(response)
