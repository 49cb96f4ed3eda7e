from django.core.management.base import BaseCommand
from django.utils import timezone

from convoca.core.hooks import app_modules


class Command(BaseCommand):
    """Runs the retention rule of every app that declares one: ``purge(now)`` in
    ``<app>/retention.py`` (see ``convoca.core.hooks``), which returns a
    translated message with a ``%(count)s`` placeholder and the count."""

    help = "Delete personal data kept longer than needed (staged imports, finished invitations). Run daily."

    def handle(self, *args, **options):
        now = timezone.now()
        for _config, module in app_modules("retention", "purge"):
            message, count = module.purge(now)
            self.stdout.write(str(message) % {"count": count})
