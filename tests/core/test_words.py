"""Words (issue 11): one English word with two meanings has two messages; country
names of the Americas as our users write them; Portuguese month names in lower case;
a poll is annulled ("invalidé") in French, not cancelled."""

import datetime as dt

import pytest
from django.template import Context, Template
from django.utils import formats, translation
from django_countries import countries

from convoca.voting.models import Poll

AMERICAS = {
    # code: (es, pt-br, en, fr)
    "GY": ("Guyana", "Guiana", "Guyana", "Guyana"),
    "GF": ("Guayana Francesa", "Guiana Francesa", "French Guiana", "Guyane française"),
    "DM": ("Dominica", "Dominica", "Dominica", "Dominique"),
    "DO": ("República Dominicana", "República Dominicana", "Dominican Republic", "République dominicaine"),
    "TT": ("Trinidad y Tobago", "Trinidad e Tobago", "Trinidad and Tobago", "Trinité-et-Tobago"),
    "BS": ("Bahamas", "Bahamas", "Bahamas", "Bahamas"),
    "BZ": ("Belice", "Belize", "Belize", "Belize"),
    "GT": ("Guatemala", "Guatemala", "Guatemala", "Guatemala"),
    "SR": ("Surinam", "Suriname", "Suriname", "Suriname"),
    "HT": ("Haití", "Haiti", "Haiti", "Haïti"),
    "MF": ("San Martín (parte francesa)", "São Martinho (parte francesa)", "Saint Martin (French part)",
           "Saint-Martin (partie française)"),
    "SX": ("San Martín (parte neerlandesa)", "São Martinho (parte holandesa)", "Sint Maarten (Dutch part)",
           "Saint-Martin (partie néerlandaise)"),
    "US": ("Estados Unidos", "Estados Unidos", "United States", "États-Unis"),
    "CO": ("Colombia", "Colômbia", "Colombia", "Colombie"),
}
LANGUAGES = ("es", "pt-br", "en", "fr")


@pytest.mark.parametrize("code", sorted(AMERICAS))
def test_it_names_the_countries_of_the_americas_in_each_language(code):
    for language, expected in zip(LANGUAGES, AMERICAS[code], strict=True):
        with translation.override(language):
            assert str(countries.name(code)) == expected, (code, language)


def test_it_never_shows_guyana_as_french_guiana():
    with translation.override("fr"):
        names = dict(countries)
    assert names["GY"] == "Guyana" and names["GF"] == "Guyane française"
    assert list(names.values()).count("Guyane") == 0


@pytest.mark.parametrize(
    ("language", "date", "datetime", "month"),
    [
        ("pt-br", "19 de outubro de 2026", "19 de outubro de 2026 às 14:30", "outubro de 2026"),
        ("es", "19 de octubre de 2026", "19 de octubre de 2026 a las 14:30", "octubre de 2026"),
        ("fr", "19 octobre 2026", "19 octobre 2026 14:30", "octobre 2026"),
        ("en", "Oct. 19, 2026", "Oct. 19, 2026, 2:30 p.m.", "October 2026"),
    ],
)
def test_it_writes_month_names_as_each_language_does(language, date, datetime, month):
    when = dt.datetime(2026, 10, 19, 14, 30)
    with translation.override(language):
        assert formats.date_format(when, "DATE_FORMAT") == date
        assert formats.date_format(when, "DATETIME_FORMAT") == datetime
        assert formats.date_format(when, "YEAR_MONTH_FORMAT") == month
        # As templates (pages and emails) write them.
        assert Template('{{ d|date:"DATE_FORMAT" }}').render(Context({"d": when})) == date


def test_it_writes_every_portuguese_month_in_lower_case():
    with translation.override("pt-br"):
        names = [formats.date_format(dt.date(2026, month, 1), "YEAR_MONTH_FORMAT") for month in range(1, 13)]
    assert names[0] == "janeiro de 2026" and names[2] == "março de 2026" and names[11] == "dezembro de 2026"
    assert all(name == name.lower() for name in names)


@pytest.mark.parametrize(
    ("language", "poll_draft", "import_created", "token_created"),
    [
        ("es", "Borrador", "Creados", "Creado el"),
        ("pt-br", "Rascunho", "Criados", "Criado em"),
        ("fr", "Brouillon", "Créés", "Créé le"),
        ("en", "Created", "Created", "Created"),
    ],
)
def test_it_keeps_a_draft_poll_apart_from_an_imports_created_count(language, poll_draft, import_created, token_created):
    with translation.override(language):
        assert str(Poll.State.DRAFT.label) == poll_draft
        assert translation.gettext("Created") == import_created
        assert translation.pgettext("date of creation", "Created") == token_created


def test_it_invalidates_a_poll_in_french_rather_than_cancelling_it():
    with translation.override("fr"):
        assert translation.gettext("Annul…") == "Invalider le scrutin…"
        assert translation.gettext("Annul the poll") == "Invalider le scrutin"
        assert str(Poll.State.ANNULLED.label) == "Invalidé"
        assert translation.gettext("Cancel") == "Annuler"  # cancelling a form stays "Annuler"
