from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from convoca.core.purging import purge_all


class Command(BaseCommand):
    """Runs the retention rule of every app that declares one (``<app>/retention.py``,
    see ``convoca.core.purging``) and prints what each removed: counts, never names."""

    help = (
        "Remove personal data kept longer than needed (finished invitations, revoked API tokens, staged imports, "
        "registrations of past gatherings). The ticker runs it hourly. --dry-run: only count."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Count what would be removed; change nothing.")

    def handle(self, *args, dry_run=False, **options):
        done = purge_all(dry_run=dry_run)
        if dry_run:
            self.stdout.write(_("Dry run: nothing was changed. A real run would purge:"))
        else:
            self.stdout.write(_("Purged (personal data no longer needed):"))
        for what, count in done:
            self.stdout.write(_("- %(what)s: %(count)s") % {"what": what, "count": count})
