"""``convoca bulk-registrations SLUG ACTION ID [ID ...] --as EMAIL [--reason TEXT] [--json]``: the list page's
bulk actions (accredit, confirm_mandate, refuse with one reason, invite) from the operator's shell.

It acts as the account named by ``--as``, with that account's rules, through the same service as the page
and the API (``gatherings.bulk.act_on_ids``): each row refused is printed with the reason, and the others are
done. Ids may also come on standard input (``-``), separated by spaces, commas or new lines."""

import json
import re
import sys

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from convoca.accounts.models import User
from convoca.core.errors import ServiceError
from convoca.gatherings import bulk
from convoca.gatherings.models import Gathering


def parse_ids(words):
    ids = []
    for word in words:
        for part in re.split(r"[\s,]+", word.strip()):
            if not part:
                continue
            if not re.fullmatch(r"[0-9]{1,19}", part):
                raise CommandError(_("“%(value)s” is not the number of a registration.") % {"value": part[:40]})
            ids.append(int(part))
    return ids


class Command(BaseCommand):
    help = "Accredit, confirm the mandates of, refuse or invite many registrations of a gathering at once."

    stealth_options = ("stdin",)

    def add_arguments(self, parser):
        parser.add_argument("slug", help="the gathering's short name")
        parser.add_argument("action", help=f"one of: {', '.join(bulk.ACTIONS)}")
        parser.add_argument("ids", nargs="*", help="registration numbers; '-' reads them from standard input")
        parser.add_argument("--as", dest="email", required=True, help="the email of the organiser who acts")
        parser.add_argument("--reason", default="", help="the reason for a refusal (each person will read it)")
        parser.add_argument("--json", dest="as_json", action="store_true", help="print the summary as JSON, as the API answers")

    def handle(self, *args, slug, action, ids, email, reason, as_json, **options):
        user = User.objects.filter(email__iexact=email.strip(), is_active=True).first()
        if user is None:
            raise CommandError(_("There is no account with the email %(email)s.") % {"email": email})
        gathering = Gathering.objects.filter(slug=slug).first()
        if gathering is None:
            raise CommandError(_("There is no gathering with this short name."))
        if "-" in ids:
            stdin = options.get("stdin") or sys.stdin
            ids = [word for word in ids if word != "-"] + [stdin.read()]
        try:
            summary = bulk.act_on_ids(user, gathering, action, parse_ids(ids), reason=reason)
        except ServiceError as exc:
            raise CommandError(str(exc.message)) from None
        if as_json:
            self.stdout.write(json.dumps(summary.as_dict(), ensure_ascii=False))
            return
        for outcome in summary.refused:
            self.stdout.write(_("No. %(number)d: %(reason)s") % {"number": outcome.pk, "reason": outcome.message})
        asked = len(summary.outcomes)
        self.stdout.write(
            ngettext("Done for %(done)d of %(asked)d registration; %(refused)d refused.",
                     "Done for %(done)d of %(asked)d registrations; %(refused)d refused.", asked)
            % {"done": len(summary.done), "asked": asked, "refused": len(summary.refused)}
        )

