"""``convoca count POLL_ID --teller EMAIL [--teller EMAIL ...]``: k tellers unseal and count a closed secret
poll together, at one terminal. Each passphrase is asked with getpass (nothing echoed); a script can pipe
them instead, one line per teller in the order of ``--teller``."""

import getpass
import sys

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from convoca.accounts.models import User
from convoca.core.errors import ServiceError
from convoca.voting import queries, services


def read_passphrases(prompts, stdin):
    """One passphrase per prompt: asked without echo at a terminal, else read line by line from ``stdin``."""
    if stdin.isatty():
        return [getpass.getpass(prompt) for prompt in prompts]
    lines = []
    for _prompt in prompts:
        line = stdin.readline()
        if not line:
            raise CommandError(_("Give one passphrase per teller, one per line."))
        lines.append(line.rstrip("\r\n"))
    return lines


class Command(BaseCommand):
    help = "Unseal and count a closed secret poll: the tellers needed give their teller passphrases together."

    stealth_options = ("stdin",)

    def add_arguments(self, parser):
        parser.add_argument("poll", type=int)
        parser.add_argument("--teller", action="append", default=[], required=True,
                            help="the email of a teller (repeat for each teller who unlocks)")

    def handle(self, *args, poll, teller, **options):
        found = queries.get_poll(poll)
        if found is None:
            raise CommandError(_("This poll does not exist."))
        emails = [email.strip() for email in teller]
        users = [User.objects.filter(email__iexact=email).first() for email in emails]
        if None in users:
            raise CommandError(_("There is no account with the email %(email)s.") % {"email": emails[users.index(None)]})
        actor = users[0]  # the tellers count themselves
        passphrases = read_passphrases(
            [_("Teller passphrase of %(email)s: ") % {"email": email} for email in emails], options.get("stdin") or sys.stdin
        )
        try:
            services.count_sealed(actor, found, list(zip(emails, passphrases, strict=True)))
        except ServiceError as exc:
            raise CommandError(str(exc.message)) from None
        self.stdout.write(_("The ballots are unsealed and counted; the poll's key is destroyed. Publish the results when ready."))
