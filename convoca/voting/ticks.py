"""The voting app's share of ``convoca tick``: polls open and close on schedule here, never on a read."""

from django.db.models import Q

from convoca.core.errors import ServiceError

from . import services
from .models import Poll


def tick(now):
    """Open the polls whose opening time has come and close those whose closing time has passed.
    ``open_poll``/``close_poll`` claim the poll with a conditional UPDATE: a poll already moved by another
    ticker (or by hand) is refused with ``bad_state`` and skipped. Returns {"opened": n, "closed": n}."""
    done = {"opened": 0, "closed": 0}
    due = Poll.objects.filter(
        Q(state=Poll.State.DRAFT, opens_at__lte=now) | Q(state=Poll.State.OPEN, closes_at__lte=now)
    ).order_by("pk")
    for poll in due:
        try:
            if poll.state == Poll.State.DRAFT:
                services.open_poll(None, poll, system=True)
                done["opened"] += 1
            else:
                services.close_poll(None, poll, system=True)
                done["closed"] += 1
        except ServiceError:
            continue  # claimed elsewhere, or cannot open yet (nobody on the roll): tried again next tick
    return done
