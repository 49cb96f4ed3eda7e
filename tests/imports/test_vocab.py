"""Countries, sectors, roles and languages as organisers write them."""

import pytest

from convoca.imports.vocab import resolve_languages, resolve_role, resolve_sector
from convoca.network.queries import resolve_country


@pytest.mark.parametrize(
    "text, code",
    [
        ("CO", "CO"), ("co", "CO"), ("COL", "CO"), ("BRA", "BR"),  # ISO alpha-2 and alpha-3
        ("Colombia", "CO"), ("colombia", "CO"),  # Spanish, any case
        ("Colômbia", "CO"), ("Brasil", "BR"), ("México", "MX"), ("Estados Unidos", "US"),  # Portuguese
        ("Colombie", "CO"), ("Brésil", "BR"), ("Mexique", "MX"), ("États-Unis", "US"), ("Haïti", "HT"),  # French
        ("Brazil", "BR"), ("Peru", "PE"), ("Perú", "PE"), ("Pérou", "PE"),
        ("EE.UU.", "US"), ("EUA", "US"), ("República Dominicana", "DO"), ("Trinidad y Tobago", "TT"),
    ],
)
def test_it_resolves_countries_by_code_or_name_in_four_languages(text, code):
    assert resolve_country(text) == code


@pytest.mark.parametrize("text", ["Narnia", "", "  ", "Atlantis"])
def test_it_does_not_guess_unknown_countries(text):
    assert resolve_country(text) is None


@pytest.mark.parametrize(
    "text, sector",
    [
        ("sindicato", "trade_union"), ("Sindicato", "trade_union"), ("trade union", "trade_union"),
        ("syndicat", "trade_union"), ("Movimiento social", "social_movement"), ("movimento social", "social_movement"),
        ("mouvement social", "social_movement"), ("Derechos humanos", "human_rights"),
        ("droits de l’homme", "human_rights"), ("direitos dos migrantes", "migrant_rights"),
        ("Partido político", "political_party"), ("groupe parlementaire", "parliamentary_group"),
        ("autre", "other"), ("trade_union", "trade_union"),
    ],
)
def test_it_resolves_sectors_in_four_languages(text, sector):
    assert resolve_sector(text) == sector


def test_it_does_not_guess_unknown_sectors():
    assert resolve_sector("club de fútbol") is None


@pytest.mark.parametrize(
    "text, role",
    [("Delegado", "delegate"), ("delegada", "delegate"), ("délégué·e", "delegate"), ("delegate", "delegate"),
     ("Observadora", "observer"), ("observateur", "observer"), ("invitado/a", "guest"), ("convidado", "guest"),
     ("invitée", "guest"), ("GUEST", "guest")],
)
def test_it_resolves_roles_in_four_languages(text, role):
    assert resolve_role(text) == role


@pytest.mark.parametrize(
    "text, codes",
    [("es, pt", ["es", "pt"]), ("Español y portugués", ["es", "pt"]), ("espagnol; anglais", ["es", "en"]),
     ("Inglês / Francês", ["en", "fr"]), ("pt-BR", ["pt"]), ("es pt en", ["es", "pt", "en"]),
     ("Português (Brasil)", ["pt"]), ("quechua, castellano", ["qu", "es"]), ("kreyòl", ["ht"])],
)
def test_it_resolves_languages_by_code_or_name(text, codes):
    assert resolve_languages(text) == (codes, [])


def test_it_reports_unknown_languages():
    assert resolve_languages("español, klingon") == (["es"], ["klingon"])
