"""Shared helpers for the voting tests (named users come from tests/fixtures.py)."""

import secrets

from django.utils import timezone

from convoca.gatherings.models import Registration
from convoca.voting import services
from convoca.voting.models import Poll
from tests.fixtures import make_user

# alice, who creates the polls, is by default the single teller of each secret one
PASSPHRASE = "alice teller passphrase"


def key():
    return secrets.token_urlsafe(18)


def check_in(*registrations):
    for reg in registrations:
        reg.checked_in_at = timezone.now()
        reg.save(update_fields=["checked_in_at"])


def add_delegate(w, email, name, organisation=None, present=True, gathering=None):
    user, person = make_user(email, name)
    reg = Registration.objects.create(
        gathering=gathering or w.conference, person=person, role=Registration.Role.DELEGATE,
        organisation=organisation or w.org_co, mandate=Registration.Mandate.CONFIRMED,
        status=Registration.Status.ACCREDITED, checked_in_at=timezone.now() if present else None,
    )
    return user, reg


def new_poll(w, gathering=None, **values):
    """A poll created by alice; a secret one (the default) with alice's teller passphrase set, ready to open."""
    values.setdefault("title", "¿Adoptamos la declaración?")
    values.setdefault("kind", Poll.Kind.YES_NO)
    poll = services.create_poll(w.alice, gathering or w.conference, **values)
    if poll.is_secret and not values.get("tellers"):
        services.set_teller_passphrase(w.alice, poll, PASSPHRASE)
    return poll


def open_poll(w, gathering=None, **values):
    poll = new_poll(w, gathering, **values)
    services.open_poll(w.alice, poll)
    return poll


def close_and_count(w, poll):
    """Close the poll; a secret one is then unsealed and counted by its teller alice."""
    services.close_poll(w.alice, poll)
    if poll.is_secret:
        services.count_sealed(w.alice, poll, [(w.alice, PASSPHRASE)])
    poll.refresh_from_db()
    return poll


def option(poll, code=None, label=None):
    for o in poll.options.all():
        if (code and o.code == code) or (label and o.label == label):
            return o.pk
    raise AssertionError(f"no option {code or label}")
