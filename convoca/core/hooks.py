"""Modules that apps contribute to project-wide commands, found by name.

Core sits at the bottom of the project and imports no domain app. Commands
that span every app (``convoca demo``, ``convoca purge``) ask each installed
app for a module of an agreed name instead:

- ``<app>/demo.py``: the app's share of the demo coalition (see
  ``convoca.core.seeding``);
- ``<app>/retention.py``: ``purge(now, dry_run=False)``, the app's retention
  rules (see ``convoca.core.purging``; an app still to come, such as actions
  with its RSVP contacts or the declaration with its unconfirmed endorsements,
  adds its rule here and ``convoca purge`` runs it);
- ``<app>/ticks.py``: ``tick(now)``, what the app does when its time comes
  (a poll opening or closing on schedule; see the ``tick`` command);
- ``<app>/personal_data.py``: ``export(person)``, ``blockers(person)``,
  ``erase(person)``, the app's share of a person's data rights (see
  ``convoca.core.data_rights``);
- ``<app>/audit_labels.py``: ``labels(viewer, refs)``, names for what the
  audit trail refers to by number (see ``convoca.audit.queries``);
- ``<app>/declaration_panel.py``: ``panel(declaration)``, what an app built on
  the declaration shows on its page (a template and its context, or None):
  the endorsements' call to sign on, with their count (see
  ``convoca.proposals.declaration_views``).

Why a module convention and not ``autodiscover_modules`` or an AppConfig
attribute: ``autodiscover_modules`` only imports the modules, so each would
have to register itself into a global list as a side effect of being imported
(the admin's pattern), and the order would be that of the imports. Walking
``apps.get_app_configs()`` hands back the modules themselves, in
INSTALLED_APPS order, which is the order the demo must load in (an app's data
refers to the data of the apps before it). An AppConfig attribute would say
the same thing as the file's presence, in a second place. It is the
convention Django follows for ``models.py`` and django-rules for ``rules.py``.
"""

from importlib import import_module

from django.apps import apps
from django.utils.module_loading import module_has_submodule


def app_modules(name, hook):
    """[(app config, module)] for every installed app that has a module
    ``name`` defining ``hook``, in INSTALLED_APPS order. A module of that name
    without the hook (some other app's helper that happens to share the name)
    is left alone."""
    found = []
    for config in apps.get_app_configs():
        if not module_has_submodule(config.module, name):
            continue
        module = import_module(f"{config.name}.{name}")
        if callable(getattr(module, hook, None)):
            found.append((config, module))
    return found
