"""Translatable models find themselves; texts sits on floor 1 and imports only core."""

import ast
from pathlib import Path

import convoca.texts
from convoca.gatherings.models import Gathering, Registration
from convoca.texts import registry

APPS = ("accounts", "network", "gatherings", "imports", "voting", "api", "home")


def test_it_finds_the_translatable_models_the_gathering_first():
    models = registry.translatable_models()
    assert models[0] is Gathering and registry.scope_model() is Gathering
    assert registry.model_for("gatherings.gathering") is Gathering
    assert registry.model_for("gatherings.registration") is None and registry.model_for("nothing") is None


def test_it_says_which_objects_are_translatable(world):
    assert registry.is_translatable(world.conference)
    assert not registry.is_translatable(world.bob_reg) and not registry.is_translatable(Registration)


def test_it_reads_each_fields_kind_and_limit():
    assert registry.field_limit(Gathering, "title") == 200 and not registry.is_long(Gathering, "title")
    assert registry.field_limit(Gathering, "description") == 20000 and registry.is_long(Gathering, "description")


def test_it_imports_no_app_above_core():
    root = Path(convoca.texts.__file__).parent
    found = []
    for path in sorted(root.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                names = [node.module or ""]
            elif isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value.startswith("convoca."):
                names = [node.value]
            found += [f"{path.name}: {name}" for name in names if name.split(".")[:2] in (["convoca", a] for a in APPS)]
    assert not found, found
