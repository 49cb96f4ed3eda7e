"""The demo coalition behind ``convoca demo``: core only runs the apps' loaders.

Each app owns its share of the demo in ``<app>/demo.py`` (found by
``convoca.core.hooks``), which may define:

- ``load(context)`` (required): create the app's demo rows that are missing;
  record how many in ``context.created``; what it returns is kept in
  ``context.loaded[<app label>]`` for the apps loaded after it;
- ``totals()``: {name: count} of the app's tables, for the summary line;
- ``logins()``: [(role label, email, password)] of the demo accounts;
- ``holds_real_data()``: True when the database holds data that the demo did
  not create and the demo was never loaded (probably a real instance);
- ``notes()``: lines printed after the logins (how to pass two-step login);
- ``codes()``: [(label, code)] printed by ``convoca demo --code`` (the code a
  demo authenticator app shows now).

Loaders run in INSTALLED_APPS order, so an app's demo may refer to the demo of
the apps before it. Each loader keeps its own transaction (the voting demo
goes through the services and the ballot box's writer thread, which must not
run inside an outer transaction); every loader is idempotent, so a run that
stops half-way is completed by the next one.

The whole demo is planned from one seeded random generator, shared by the
loaders in that order: the same demo on every machine, whatever the database
holds.
"""

import random
from dataclasses import dataclass, field

from django.utils import timezone

from .hooks import app_modules

SEED = 2026


@dataclass
class DemoContext:
    today: object
    now: object
    rng: random.Random = field(default_factory=lambda: random.Random(SEED))
    created: dict = field(default_factory=dict)  # what this run created, {name: count}
    loaded: dict = field(default_factory=dict)  # {app label: what its load() returned}


@dataclass
class DemoResult:
    created: dict
    totals: dict

    @property
    def changed(self):
        return any(self.created.values())


def _loaders(hook="load"):
    return app_modules("demo", hook)


def load_demo():
    """Load every app's demo; return what was created and the table totals."""
    context = DemoContext(today=timezone.localdate(), now=timezone.now())
    for config, module in _loaders():
        context.loaded[config.label] = module.load(context)
    totals = {}
    for _config, module in _loaders("totals"):
        totals.update(module.totals())
    return DemoResult(created=context.created, totals=totals)


def logins():
    """[(role label, email, password)] of every demo login, in a stable order."""
    return [login for _config, module in _loaders("logins") for login in module.logins()]


def holds_real_data():
    """True when some app finds data that the demo did not create."""
    return any(module.holds_real_data() for _config, module in _loaders("holds_real_data"))


def notes():
    """Lines every app wants printed after the demo logins."""
    return [line for _config, module in _loaders("notes") for line in module.notes()]


def codes():
    """[(label, code)] of the demo's second factors, as they are now."""
    return [code for _config, module in _loaders("codes") for code in module.codes()]
