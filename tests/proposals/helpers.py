"""Shared helpers for the proposals tests (named users come from tests/fixtures.py).

bob is an accredited delegate of Sindicato Andino (CO) at the conference; ``delegate`` adds others.
alice (coordinator) manages every gathering, carla (CO committee) the Colombian meeting."""

import secrets

from django.utils import timezone

from convoca.gatherings.models import Registration
from convoca.network.models import Membership, Organisation, Sector
from convoca.proposals import services
from convoca.proposals.models import Amendment, Conflict, Event, Proposal, Provenance, Sponsorship, Version
from convoca.voting import services as voting
from tests.fixtures import make_user

TEXT = (
    "Convocamos una jornada continental de acción el 1.º de mayo.\n\n"
    "Las organizaciones sindicales coordinarán las marchas en cada capital.\n\n"
    "Exigimos el fin de las deportaciones masivas y la regularización de todas las personas migrantes."
)


def key():
    return secrets.token_urlsafe(18)


def delegate(world, email, name, gathering=None, organisation=None, country="CO"):
    """A new member, accredited delegate of ``organisation`` (a new one by default) at ``gathering``."""
    user, person = make_user(email, name)
    if organisation is None:
        organisation = Organisation.objects.create(name=f"Org of {name}", country=country, sector=Sector.TRADE_UNION)
    Membership.objects.create(person=person, organisation=organisation)
    registration = Registration.objects.create(
        gathering=gathering or world.conference, person=person, role=Registration.Role.DELEGATE,
        organisation=organisation, mandate=Registration.Mandate.CONFIRMED, status=Registration.Status.ACCREDITED,
        checked_in_at=timezone.now(),
    )
    return user, registration


def snapshot():
    """Everything the proposals app stores, to assert that a refusal wrote nothing."""
    return [
        list(model.objects.order_by("pk").values())
        for model in (Proposal, Version, Amendment, Sponsorship, Conflict, Event, Provenance)
    ]


def proposal(world, state="draft", gathering=None, author=None, text=TEXT, title="Jornada continental del 1.º de mayo",
             **create):
    """A proposal by bob (or ``author``) at the conference, moved by alice to ``state``."""
    author = author or world.bob
    p = services.create_proposal(author, gathering or world.conference, title=title, text=text,
                                 original_language=create.pop("original_language", "es"), **create)
    if state == "draft":
        return p
    services.submit_proposal(author, p)
    later = ("admitted", "amendment", "debate", "adopted", "rejected")
    if state in later:
        services.admit_proposal(world.alice, p)
    if state in later[1:]:
        services.open_amendments(world.alice, p)
    if state in later[2:]:
        services.start_debate(world.alice, p)
    if state == "adopted":
        services.adopt_proposal(world.alice, p)
    elif state == "rejected":
        services.reject_proposal(world.alice, p)
    p.refresh_from_db()
    assert p.state == state, (p.state, state)
    return p


def amend(world, p, kind="replace", first=1, last=None, text="", by=None, **extra):
    return services.propose_amendment(by or world.bob, p, kind=kind, first=first, last=last, text=text,
                                      original_language=extra.pop("original_language", "es"), **extra)


def to_debate(world, p):
    services.start_debate(world.alice, p)
    p.refresh_from_db()
    return p


def published_poll(world, poll, choices_by_user):
    """Open ``poll``, let each user vote, close and publish it (an open poll: counted at closing)."""
    voting.open_poll(world.alice, poll)
    for user, choices in choices_by_user:
        voting.cast_ballot(user, poll, choices, key())
    voting.close_poll(world.alice, poll)
    voting.publish_poll(world.alice, poll)
    poll.refresh_from_db()
    return poll
