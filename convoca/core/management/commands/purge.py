from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from convoca.accounts.services import purge_invitations
from convoca.imports.services import purge_expired_batches


class Command(BaseCommand):
    help = "Delete personal data kept longer than needed (staged imports, finished invitations). Run daily."

    def handle(self, *args, **options):
        batches = purge_expired_batches()
        invitations = purge_invitations()
        self.stdout.write(
            _("Purged %(batches)s staged import(s) and %(invitations)s finished invitation(s).")
            % {"batches": batches, "invitations": invitations}
        )
