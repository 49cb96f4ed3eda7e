"""Shared helpers for the voting tests (named users come from tests/fixtures.py)."""

import secrets

from django.utils import timezone

from convoca.gatherings.models import Registration
from convoca.voting import services
from convoca.voting.models import Poll
from tests.fixtures import make_user


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


def open_poll(w, gathering=None, **values):
    values.setdefault("title", "¿Adoptamos la declaración?")
    values.setdefault("kind", Poll.Kind.YES_NO)
    poll = services.create_poll(w.alice, gathering or w.conference, **values)
    services.open_poll(w.alice, poll)
    return poll


def option(poll, code=None, label=None):
    for o in poll.options.all():
        if (code and o.code == code) or (label and o.label == label):
            return o.pk
    raise AssertionError(f"no option {code or label}")
