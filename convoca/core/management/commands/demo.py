import time
from collections import defaultdict

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from convoca.core import seeding


class Command(BaseCommand):
    """Runs the demo loaders of the apps (``<app>/demo.py``, see ``convoca.core.seeding``)."""

    help = (
        "Load a fictional demo coalition (gatherings, committees, organisations, people, registrations) "
        "and print one login per role. Running it again changes nothing. Demo instances only."
    )

    def add_arguments(self, parser):
        parser.add_argument("--serve", action="store_true", help="Then start the server (see `convoca serve`).")
        parser.add_argument("--host", default=None, help="With --serve: address to listen on.")
        parser.add_argument("--port", type=int, default=None, help="With --serve: port to listen on.")
        parser.add_argument(
            "--code", action="store_true",
            help="Only print the current two-step login code of the demo logins that need one, then stop.",
        )
        parser.add_argument(
            "--force", action="store_true",
            help="Load even though the database already holds accounts that are not part of the demo.",
        )

    def handle(self, *args, serve, host, port, force, code=False, **options):
        if code:
            for label, value in seeding.codes():
                self.stdout.write(f"{label}: {value}")
            return
        if not force and seeding.holds_real_data():
            raise CommandError(_(
                "This database already holds accounts that are not part of the demo. The demo adds accounts "
                "whose password is published: load it only on a throwaway instance, or pass --force."
            ))
        started = time.monotonic()
        result = seeding.load_demo()
        # An app that is not installed adds nothing to the totals: it counts 0.
        totals = defaultdict(int, result.totals, seconds=f"{time.monotonic() - started:.1f}")
        if result.changed:
            self.stdout.write(_(
                "Demo coalition loaded in %(seconds)s s: %(gatherings)s gatherings, %(committees)s national "
                "committees, %(organisations)s organisations, %(people)s people, %(registrations)s registrations."
            ) % totals)
        else:
            self.stdout.write(_("The demo coalition was already loaded: nothing changed."))
        self.print_logins()
        if serve:
            options = {key: value for key, value in (("host", host), ("port", port)) if value is not None}
            call_command("serve", **options)

    def print_logins(self):
        logins = seeding.logins()
        if not logins:
            return
        self.stdout.write("")
        self.stdout.write(self.style.MIGRATE_HEADING(_("Demo logins, one per role:")))
        width = max(len(str(label)) for label, _email, _password in logins)
        for label, email, _password in logins:
            self.stdout.write(f"  {str(label).ljust(width)}  {email}")
        for password in dict.fromkeys(password for _label, _email, password in logins):
            self.stdout.write(_("Password for every demo login: %(password)s") % {"password": password})
        for note in seeding.notes():
            self.stdout.write(note)
        self.stdout.write(self.style.WARNING(_(
            "Demo only: this password is public. Never load the demo on an instance with real people's data."
        )))
        self.stdout.write("")
