"""What the follow-up does on the ticker: gives each newly adopted resolution its implementation record."""

from convoca.gatherings.models import Gathering
from convoca.proposals.models import Proposal

from . import services


def tick(now):
    pending = Gathering.objects.filter(
        proposals__state=Proposal.State.ADOPTED, proposals__implementation__isnull=True,
    ).distinct()
    return {"implementations": sum(services.ensure_implementations(gathering) for gathering in pending)}
