import time

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from convoca.core import demo


class Command(BaseCommand):
    help = (
        "Load a fictional demo coalition (gatherings, committees, organisations, people, registrations) "
        "and print one login per role. Running it again changes nothing. Demo instances only."
    )

    def add_arguments(self, parser):
        parser.add_argument("--serve", action="store_true", help="Then start the server (see `convoca serve`).")
        parser.add_argument("--host", default=None, help="With --serve: address to listen on.")
        parser.add_argument("--port", type=int, default=None, help="With --serve: port to listen on.")
        parser.add_argument(
            "--force", action="store_true",
            help="Load even though the database already holds accounts that are not part of the demo.",
        )

    def handle(self, *args, serve, host, port, force, **options):
        if not force and demo.other_accounts_exist():
            raise CommandError(_(
                "This database already holds accounts that are not part of the demo. The demo adds accounts "
                "whose password is published: load it only on a throwaway instance, or pass --force."
            ))
        started = time.monotonic()
        result = demo.load_demo()
        totals = {**result.totals, "seconds": f"{time.monotonic() - started:.1f}"}
        if result.changed:
            self.stdout.write(_(
                "Demo coalition loaded in %(seconds)s s: %(gatherings)s gatherings, %(committees)s national "
                "committees, %(organisations)s organisations, %(people)s people, %(registrations)s registrations."
            ) % totals)
        else:
            self.stdout.write(_("The demo coalition was already loaded: nothing changed."))
        if result.polls == "absent":
            self.stdout.write(_("Demo votes are not available yet: skipped."))
        self.print_logins()
        if serve:
            options = {key: value for key, value in (("host", host), ("port", port)) if value is not None}
            call_command("serve", **options)

    def print_logins(self):
        self.stdout.write("")
        self.stdout.write(self.style.MIGRATE_HEADING(_("Demo logins, one per role:")))
        logins = demo.demo_logins()
        width = max(len(str(label)) for label, _email in logins)
        for label, email in logins:
            self.stdout.write(f"  {str(label).ljust(width)}  {email}")
        self.stdout.write(_("Password for every demo login: %(password)s") % {"password": demo.PASSWORD})
        self.stdout.write(self.style.WARNING(_(
            "Demo only: this password is public. Never load the demo on an instance with real people's data."
        )))
        self.stdout.write("")
