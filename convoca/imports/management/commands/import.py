"""``convoca import FILE --kind organisations|people|registrations``

Uses the same services and permission rule as the web pages. The acting
coordinator is ``--as EMAIL``; it may be left out only when exactly one active
coordinator account exists (no guessing between several people).
"""

import sys

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q
from django.utils.translation import gettext as _

from convoca.core.errors import ServiceError
from convoca.imports import services
from convoca.imports.parsing import read_limited


class Command(BaseCommand):
    help = "Import organisations, people or registrations from a CSV file or a workbook (all or nothing)."

    def add_arguments(self, parser):
        parser.add_argument("file", help="the CSV file or workbook (.xlsx, .xls, .ods); '-' reads standard input")
        parser.add_argument("--sheet", default="", help="the workbook's sheet to read (default: the first whose "
                                                         "columns are recognised)")
        parser.add_argument("--kind", required=True, choices=services.KINDS)
        parser.add_argument("--gathering", metavar="SLUG", help="gathering for registration rows that name none")
        parser.add_argument("--dry-run", action="store_true", help="show what would happen; write nothing")
        parser.add_argument("--as", dest="as_email", metavar="EMAIL",
                            help="the coordinator doing the import (needed when there are several)")

    def handle(self, *args, file, kind, gathering, dry_run, as_email, sheet="", **options):
        user = self._acting_user(as_email)
        data = self._read(file)
        filename = "-" if file == "-" else file.rsplit("/", 1)[-1]
        try:
            preview, result = services.run_import(user, kind, data, gathering, dry_run=dry_run, filename=filename,
                                                  sheet=sheet)
        except services.ImportProblems as exc:
            for problem in exc.preview.problems:
                self.stderr.write(str(problem))
            raise CommandError(exc.message) from exc
        except ServiceError as exc:
            raise CommandError(str(exc.message)) from exc
        services.purge_expired_batches()
        if dry_run:
            for line in preview.text_lines():
                self.stdout.write(line)
            if preview.problems:
                raise CommandError(services.ImportProblems(preview).message)
            self.stdout.write(_("Dry run: nothing was written."))
            return
        for line in result.text_lines():
            self.stdout.write(line)

    def _read(self, path):
        try:
            if path == "-":
                return read_limited(sys.stdin.buffer)
            with open(path, "rb") as fh:
                return read_limited(fh)
        except ServiceError as exc:
            raise CommandError(str(exc.message)) from exc
        except OSError as exc:
            raise CommandError(_("Cannot read %(file)s: %(error)s") % {"file": path, "error": exc.strerror}) from exc

    def _acting_user(self, email):
        User = get_user_model()
        if email:
            user = User.objects.filter(email=email.strip().lower(), is_active=True).first()
            if user is None:
                raise CommandError(_("No active account with the email %(email)s.") % {"email": email})
        else:
            coordinators = list(User.objects.filter(Q(is_coordinator=True) | Q(is_superuser=True), is_active=True)[:2])
            if not coordinators:
                raise CommandError(_("There is no coordinator account yet: create one first."))
            if len(coordinators) > 1:
                raise CommandError(_("There are several coordinators: say which one you are with --as EMAIL."))
            user = coordinators[0]
        if not user.has_perm("imports.run"):
            raise CommandError(
                _("%(email)s is not a coordinator; only coordinators can import.") % {"email": user.email}
            )
        return user
