"""``convoca teller POLL_ID --teller EMAIL``: a teller sets their teller passphrase for a secret poll before
it opens (asked twice with getpass; a script can pipe it, on one line)."""

import sys

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from convoca.accounts.models import User
from convoca.core.errors import ServiceError
from convoca.voting import queries, services

from .count import read_passphrases


class Command(BaseCommand):
    help = "Set a teller's teller passphrase for a secret poll that has not opened yet."

    stealth_options = ("stdin",)

    def add_arguments(self, parser):
        parser.add_argument("poll", type=int)
        parser.add_argument("--teller", required=True, help="the teller's email")

    def handle(self, *args, poll, teller, **options):
        found = queries.get_poll(poll)
        if found is None:
            raise CommandError(_("This poll does not exist."))
        user = User.objects.filter(email__iexact=teller.strip()).first()
        if user is None:
            raise CommandError(_("There is no account with the email %(email)s.") % {"email": teller})
        stdin = options.get("stdin") or sys.stdin
        if stdin.isatty():
            first, again = read_passphrases([_("Teller passphrase: "), _("The same passphrase again: ")], stdin)
            if first != again:
                raise CommandError(_("The two passphrases are different."))
        else:
            (first,) = read_passphrases([""], stdin)
        try:
            services.set_teller_passphrase(user, found, first)
        except ServiceError as exc:
            raise CommandError(str(exc.message)) from None
        self.stdout.write(_("Your teller passphrase is set. Keep it safe: the count needs it."))
