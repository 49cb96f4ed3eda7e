"""Every catalogue is complete, keeps the placeholders of its source, and is used."""

import re
from pathlib import Path

import polib
import pytest
from django.conf import settings

LOCALES = {"es": "es", "pt_BR": "pt-br", "en": "en", "fr": "fr"}
PO_DIR = Path(settings.BASE_DIR) / "locale"
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%[sd]|\{\w*\}")


@pytest.mark.parametrize("locale", LOCALES)
def test_it_translates_every_string(locale):
    po = polib.pofile(str(PO_DIR / locale / "LC_MESSAGES" / "django.po"))
    assert len(po) > 500
    untranslated = [e.msgid for e in po.untranslated_entries()]
    fuzzy = [e.msgid for e in po.fuzzy_entries()]
    assert not untranslated, f"{locale}: {len(untranslated)} untranslated, e.g. {untranslated[:3]}"
    assert not fuzzy, f"{locale}: fuzzy entries {fuzzy[:3]}"


@pytest.mark.parametrize("locale", LOCALES)
def test_it_keeps_every_placeholder(locale):
    po = polib.pofile(str(PO_DIR / locale / "LC_MESSAGES" / "django.po"))
    wrong = []
    for entry in po:
        if entry.msgid_plural:
            pairs = [(entry.msgid_plural, text) for text in entry.msgstr_plural.values()]
        else:
            pairs = [(entry.msgid, entry.msgstr)]
        for _source, text in pairs:
            if not set(PLACEHOLDER.findall(text)) <= set(PLACEHOLDER.findall(entry.msgid + entry.msgid_plural)):
                wrong.append(entry.msgid)
    assert not wrong, f"{locale}: placeholders changed in {wrong[:3]}"


@pytest.mark.parametrize(
    ("language", "expected"),
    [("es", "Iniciar sesión"), ("pt-br", "Entrar"), ("fr", "Se connecter"), ("en", "Log in")],
)
def test_it_serves_the_login_page_in_each_language(client, db, language, expected):
    response = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE=language)
    html = response.content.decode()
    assert f'<html lang="{language}">' in html
    assert expected in html
