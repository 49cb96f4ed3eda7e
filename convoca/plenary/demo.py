"""The plenary's share of ``convoca demo`` (after the gatherings, voting and proposals demos): the conference's
plenary in progress. A session running now (with its video room), an agenda of four items, the current one
put to the open poll on the day of action, a list of speakers with two who have spoken, one speaking (its
clock running), a point of order at the top, a remote guest admitted by video, first-time speakers favoured,
and a screen of the hall at a published address (a demo instance only, like the demo password).

Everything goes through the services, as a chair would; the speech's start is then moved back a little so
the clock shows time already spoken."""

import datetime as dt
import hashlib

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from convoca.accounts import demo as accounts_demo
from convoca.gatherings.demo_data import CONFERENCE
from convoca.gatherings.models import Registration
from convoca.voting.models import Poll

from . import services
from .models import AgendaItem, Projector, Session, Speaker, token_digest

SCREEN_TOKEN = "demo-screen-" + hashlib.sha256(b"convoca demo screen, published, never use it").hexdigest()[:24]
ITEMS = [
    ("Apertura y aprobación del orden del día", 15, None),
    ("Debate: jornada continental de acción el 1.º de mayo", 60, "¿Convocamos una jornada continental de acción el 1.º de mayo?"),
    ("Informe de los encuentros nacionales preparatorios", 45, None),
    ("Declaración final: presentación del borrador", 30, None),
]


def load(context):
    """Load the plenary once: a conference with an agenda already is left alone."""
    conference = context.loaded["gatherings"][CONFERENCE["slug"]]
    if AgendaItem.objects.filter(gathering=conference).exists():
        context.created["agenda items"] = 0
        return None
    chair = accounts_demo.login_users()["coordinator"]
    now = timezone.now().replace(second=0, microsecond=0)
    session = services.create_session(
        chair, conference, title="Plenaria de la mañana", starts_at=now - dt.timedelta(hours=1),
        ends_at=now + dt.timedelta(hours=2), room="Salón Bolívar", original_language="es",
    )
    services.create_session(
        chair, conference, title="Plenaria de la tarde", starts_at=now + dt.timedelta(hours=4),
        ends_at=now + dt.timedelta(hours=7), room="Salón Bolívar", original_language="es",
    )
    items = []
    for title, minutes, poll_title in ITEMS:
        poll = Poll.objects.filter(gathering=conference, title=poll_title).first() if poll_title else None
        items.append(services.create_item(
            chair, conference, title=title, session=session, duration_minutes=minutes, poll=poll,
            speaking_seconds=180, total_seconds=minutes * 60 if poll else 0, original_language="es",
        ))
    services.publish_programme(chair, conference)
    current = items[1]
    services.set_current_item(chair, conference, current)
    services.set_message(chair, conference, "La votación sobre la jornada del 1.º de mayo sigue abierta.")
    speakers = _speakers(context, conference)
    for user, kind, gender in speakers[:2]:  # they have spoken already
        services.ask_to_speak(user, current, kind=kind, gender=gender)
    services.start_next(chair, current)
    services.start_next(chair, current)
    services.stop_speaker(chair, current)
    for user, kind, gender in speakers[:2]:
        services.ask_to_speak(user, current, kind=kind, gender=gender)  # and ask again
    for user, kind, gender in speakers[2:]:
        services.ask_to_speak(user, current, kind=kind, gender=gender)
    guest = _remote_guest(conference)
    if guest is not None:
        services.admit_remote(chair, guest)
        services.add_speaker(chair, current, guest)
    services.set_balance_rules(chair, current, first_time=True)
    services.start_next(chair, current)
    with transaction.atomic():  # the speech began 40 seconds ago: the clock shows it
        running = Speaker.objects.get(item=current, state=Speaker.State.SPEAKING)
        started = timezone.now() - dt.timedelta(seconds=40)
        Speaker.objects.filter(pk=running.pk).update(
            started_at=started, ends_at=started + dt.timedelta(seconds=running.limit_seconds))
        row = AgendaItem.objects.get(pk=current.pk)
        if row.time_runs_out_at is not None:
            AgendaItem.objects.filter(pk=current.pk).update(time_runs_out_at=row.time_runs_out_at - dt.timedelta(seconds=40))
    _point_of_order(conference, current, speakers)
    projector, _token = services.create_projector(chair, conference, "Sala principal")
    Projector.objects.filter(pk=projector.pk).update(token_hash=token_digest(SCREEN_TOKEN))
    context.created["agenda items"] = len(items)
    context.created["speakers"] = Speaker.objects.filter(item__gathering=conference).count()
    return current


def _speakers(context, conference):
    """Accredited delegates of the conference with an account, the demo delegate among them (so whoever tries
    the demo sees their own place on the list): [(user, kind, gender)]."""
    delegates = list(
        Registration.objects.filter(
            gathering=conference, role=Registration.Role.DELEGATE, status=Registration.Status.ACCREDITED,
            person__user__isnull=False,
        ).select_related("person__user").order_by("pk")[:6]
    )
    logins = accounts_demo.login_users()
    demo_delegate = logins.get("delegate")
    users = [r.person.user for r in delegates if r.person.user != demo_delegate]
    genders = ["woman", "man", "", "woman", "other", "man"]
    kinds = ["contribution", "for", "contribution", "against", "contribution", "reply"]
    chosen = [(user, kinds[i % len(kinds)], genders[i % len(genders)]) for i, user in enumerate(users[:5])]
    if demo_delegate is not None and Registration.objects.filter(
            gathering=conference, person__user=demo_delegate, status=Registration.Status.ACCREDITED).exists():
        chosen.insert(3, (demo_delegate, "contribution", ""))
    return chosen


def _remote_guest(conference):
    return (
        Registration.objects.filter(gathering=conference, role=Registration.Role.GUEST,
                                    status=Registration.Status.ACCREDITED)
        .select_related("gathering").order_by("pk").first()
    )


def _point_of_order(conference, item, speakers):
    """A delegate who has not asked yet raises a point of order: it goes to the top."""
    taken = {user.pk for user, _kind, _gender in speakers}
    other = (
        Registration.objects.filter(gathering=conference, role=Registration.Role.DELEGATE,
                                    status=Registration.Status.ACCREDITED, person__user__isnull=False)
        .exclude(person__user__in=taken).select_related("person__user").order_by("-pk").first()
    )
    if other is not None:
        services.ask_to_speak(other.person.user, item, kind="point_of_order")


def totals():
    return {"agenda items": AgendaItem.objects.count(), "sessions": Session.objects.count(),
            "speakers": Speaker.objects.count()}


def notes():
    """The demo screen's address, printed by ``convoca demo``."""
    if not Projector.objects.filter(token_hash=token_digest(SCREEN_TOKEN)).exists():
        return []
    path = reverse("plenary:screen", args=[CONFERENCE["slug"], SCREEN_TOKEN])
    return [_("The screen of the hall (no login): %(address)s") % {"address": f"{settings.SITE_URL}{path}"}]
