"""Core is the bottom layer: it imports no domain app and names none."""

import ast
from pathlib import Path

import convoca.core

DOMAIN_APPS = ("accounts", "network", "gatherings", "imports", "voting", "api", "home")


def _references(tree):
    """Every module that the code imports, and every string that looks like a
    dotted path (``"convoca.voting.x:app"`` given to a server)."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            yield node.module or ""
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value.startswith("convoca."):
            yield node.value


def test_it_keeps_core_free_of_domain_apps():
    root = Path(convoca.core.__file__).parent
    found = []
    for path in sorted(root.rglob("*.py")):
        for name in _references(ast.parse(path.read_text(), str(path))):
            if name.split(":")[0].split(".")[:2] in (["convoca", app] for app in DOMAIN_APPS):
                found.append(f"{path.relative_to(root)}: {name}")
    assert not found, found
