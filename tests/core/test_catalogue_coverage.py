"""Every string marked for translation, in Python code and in templates, is in every catalogue.

Pure Python (no GNU gettext needed): Python files are read with ``ast``; templates are turned into
gettext calls by Django's own ``templatize`` (what ``makemessages`` feeds to xgettext)."""

import ast
import re
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.utils.translation.template import templatize

from tests.core.test_translations import LOCALES, PO_DIR

ROOT = Path(settings.BASE_DIR)
# name -> the roles of its leading string arguments: c = context, s = singular, p = plural
FUNCTIONS = {
    "_": "s", "gettext": "s", "gettext_lazy": "s", "gettext_noop": "s", "ngettext": "sp", "ngettext_lazy": "sp",
    "pgettext": "cs", "pgettext_lazy": "cs", "npgettext": "csp", "npgettext_lazy": "csp",
}
_STRING = r"""u?(?:'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")"""
TEMPLATE_CALL = re.compile(rf"(?<![\w.])(_|gettext|ngettext|pgettext|npgettext)\(((?:\s*{_STRING}\s*,?)+)")
TEMPLATE_STRING = re.compile(_STRING)


def _entry(name, strings):
    roles = FUNCTIONS[name]
    if len(strings) < len(roles):
        return None
    values = dict(zip(roles, strings, strict=False))
    return values.get("c"), values["s"]


def _from_python(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", None)
        if name not in FUNCTIONS:
            continue
        strings = []
        for arg in node.args:
            if not (isinstance(arg, ast.Constant) and isinstance(arg.value, str)):
                break
            strings.append(arg.value)
        found = _entry(name, strings)
        if found:
            yield found


def _from_template(path):
    code = templatize(path.read_text(encoding="utf-8"), origin=str(path))
    for match in TEMPLATE_CALL.finditer(code):
        strings = [ast.literal_eval(raw) for raw in TEMPLATE_STRING.findall(match.group(2))]
        found = _entry(match.group(1), strings)
        if found:
            yield found


def marked_strings():
    found = {}
    for path in sorted(ROOT.rglob("*.py")):
        if "migrations" not in path.parts:
            for key in _from_python(path):
                found.setdefault(key, path.relative_to(ROOT))
    templates = [*(ROOT / "templates").rglob("*"), *ROOT.glob("*/templates/**/*")]
    for path in sorted(p for p in templates if p.suffix in (".html", ".txt")):
        for key in _from_template(path):
            found.setdefault(key, path.relative_to(ROOT))
    return found


def test_it_finds_the_strings_it_looks_for():
    found = marked_strings()
    assert (None, "Page not found") in found  # a template
    assert len(found) > 500


@pytest.mark.parametrize("locale", LOCALES)
def test_it_has_every_marked_string_in_the_catalogue(locale):
    po = polib.pofile(str(PO_DIR / locale / "LC_MESSAGES" / "django.po"))
    known = {(entry.msgctxt or None, entry.msgid) for entry in po if not entry.obsolete}
    missing = [f"{where}: {msgid!r}" for (ctx, msgid), where in marked_strings().items() if (ctx, msgid) not in known]
    assert not missing, f"{locale}: {len(missing)} marked string(s) missing from the catalogue, e.g. {missing[:5]}"
