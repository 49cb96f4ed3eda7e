"""``convoca export-proposals SLUG --format json|csv``: a gathering's proposals with their amendments,
sponsors, votes and provenance (the organisers' download of the list page, for the operator's shell).

Run by whoever runs the server: it reads what the organisers' export reads, and names organisations,
never a person."""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from convoca.gatherings.models import Gathering
from convoca.proposals import export


class Command(BaseCommand):
    help = "Export a gathering's proposals with their amendments and provenance, as JSON or CSV."

    def add_arguments(self, parser):
        parser.add_argument("slug", help="the gathering's short name")
        parser.add_argument("--format", choices=sorted(export.FORMATS), default="json")
        parser.add_argument("--output", metavar="FILE", help="write to FILE instead of standard output")

    def handle(self, *args, slug, format, output, **options):
        gathering = Gathering.objects.filter(slug=slug).first()
        if gathering is None:
            raise CommandError(_("There is no gathering with this short name."))
        content, _content_type = export.render(gathering, format)
        if output:
            with open(output, "w", encoding="utf-8", newline="") as fh:
                fh.write(content)
        else:
            self.stdout.write(content, ending="")
