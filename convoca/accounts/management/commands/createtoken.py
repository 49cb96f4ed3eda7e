from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from convoca.accounts.models import User
from convoca.accounts.services import create_api_token
from convoca.core.errors import ServiceError


class Command(BaseCommand):
    help = "Create an API token for the account with this email and print it (it is shown only once)."

    def add_arguments(self, parser):
        parser.add_argument("email")
        parser.add_argument("name", help="what will use the token, e.g. 'spreadsheet sync'")

    def handle(self, *args, email, name, **options):
        user = User.objects.filter(email=email.strip().lower()).first()
        if user is None:
            raise CommandError(_("There is no account with the email %(email)s.") % {"email": email})
        try:
            token, raw = create_api_token(user, name)
        except ServiceError as exc:
            raise CommandError(str(exc.message)) from None
        self.stdout.write(raw)
        self.stderr.write(
            _("Token “%(name)s” (%(prefix)s…) created for %(email)s. It will not be shown again.")
            % {"name": token.name, "prefix": token.prefix, "email": user.email}
        )
