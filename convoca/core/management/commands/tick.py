"""``convoca tick``: what happens at a time, done by a ticker and never by a page view.

Each installed app may have a ``ticks.py`` with ``tick(now)`` (see ``convoca.core.hooks``): it claims the
rows whose time has come with a conditional UPDATE, so running it twice, or in several processes at once,
does each thing once. ``--loop`` keeps ticking every ``--interval`` seconds (``convoca serve`` starts one
such loop beside the web workers on the embedded default) and runs the retention rules (``convoca purge``)
once an hour."""

import signal
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import close_old_connections
from django.utils import timezone
from django.utils.translation import gettext as _

from convoca.core.hooks import app_modules
from convoca.core.purging import purge_all

PURGE_EVERY = 3600.0  # seconds between two runs of the retention rules in a loop


def tick_once(now=None):
    """Run every app's ``tick(now)``; returns {app label: what it did}."""
    now = now or timezone.now()
    return {config.label: module.tick(now) for config, module in app_modules("ticks", "tick")}


def purge_once(now=None):
    return purge_all(now)


class Command(BaseCommand):
    help = "Do what is due now (polls opening or closing on schedule); --loop to keep doing it."

    def add_arguments(self, parser):
        parser.add_argument("--loop", action="store_true", help="Tick until stopped (SIGTERM or Ctrl-C).")
        parser.add_argument("--interval", type=float, default=1.0, help="With --loop: seconds between ticks.")

    def handle(self, *args, loop, interval, **options):
        if interval <= 0:
            raise CommandError(_("--interval must be a positive number of seconds."))
        if not loop:
            for label, done in tick_once().items():
                self.stdout.write(f"{label}: {done}")
            return
        stopping = []
        signal.signal(signal.SIGTERM, lambda *_args: stopping.append(True))
        last_purge = 0.0
        try:
            while not stopping:
                started = time.monotonic()
                try:
                    tick_once()
                    if started - last_purge >= PURGE_EVERY:
                        purge_once()
                        last_purge = started
                finally:
                    close_old_connections()
                time.sleep(max(0.0, interval - (time.monotonic() - started)))
        except KeyboardInterrupt:
            pass
