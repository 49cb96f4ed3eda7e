"""The audit trail sits just above core: it imports core only (the apps above
name what it refers to through their ``audit_labels.py``), and core does not
import it."""

import ast
from pathlib import Path

import convoca.audit
import convoca.core
from tests.core.test_layering import _references

ABOVE_AUDIT = ("accounts", "network", "gatherings", "imports", "voting", "proposals", "texts", "api", "home")


def _imported(package, names):
    root = Path(package.__file__).parent
    found = []
    for path in sorted(root.rglob("*.py")):
        for name in _references(ast.parse(path.read_text(), str(path))):
            if name.split(":")[0].split(".")[:2] in (["convoca", app] for app in names):
                found.append(f"{path.relative_to(root)}: {name}")
    return found


def test_it_imports_nothing_but_core():
    assert _imported(convoca.audit, ABOVE_AUDIT) == []


def test_core_does_not_import_it():
    assert _imported(convoca.core, ("audit",)) == []
