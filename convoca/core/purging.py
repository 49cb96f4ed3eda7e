"""The retention rules of every app, run by ``convoca purge`` and hourly by the
ticker (``convoca tick --loop``).

Each app may have a ``retention.py`` with ``purge(now, dry_run=False)`` (found
by ``convoca.core.hooks``) that removes the personal data it no longer needs
and returns a list of ``(what, count)``: ``what`` a translated sentence naming
the rule and its period (never a person), ``count`` how many rows it removed
or reduced, or would with ``dry_run``. Every rule is idempotent: a second run
at once finds nothing left to do."""

from django.utils import timezone

from .hooks import app_modules


def purge_all(now=None, *, dry_run=False):
    """[(what, count)] of every app's rules, in INSTALLED_APPS order."""
    now = now or timezone.now()
    done = []
    for _config, module in app_modules("retention", "purge"):
        done.extend(module.purge(now, dry_run=dry_run))
    return done
