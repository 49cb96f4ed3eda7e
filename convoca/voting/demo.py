"""The voting app's share of ``convoca demo`` (run by ``convoca.core.seeding``,
after the gatherings demo): polls in every state at the demo conference, a
secret STV election of the coordination committee, a proxy holder and a
blocked consensus decision. The polls and ballots go through the services, as
a real assembly would; only the voters' accounts are seed rows (see ``load``).

The demo coordinator is the single teller of every secret poll, with the demo
password as teller passphrase: the published secret polls are counted through
``count_sealed``; the closed venue poll waits for its count, so whoever tries
the demo can unlock it on its count page.
"""

import datetime as dt
import random
import secrets

from django.db import transaction
from django.utils import timezone

from convoca.accounts import demo as accounts_demo
from convoca.accounts.demo_data import PASSWORD
from convoca.accounts.models import User
from convoca.gatherings.demo_data import CONFERENCE
from convoca.gatherings.models import Registration

from . import services
from .models import Option, Poll, Proxy, Voter


def load(context):
    """Load the demo polls once: a conference that has polls already is left
    alone. The voters are accredited delegates of the conference; the
    fictional ones get an account without a usable password so that they can
    be on the voter roll (nobody can log in as them). The demo logins cast no
    ballot, so whoever tries the demo can vote."""
    conference = context.loaded["gatherings"][CONFERENCE["slug"]]
    if Poll.objects.filter(gathering=conference).exists():
        context.created["polls"] = 0
        return []
    with transaction.atomic():
        delegates = list(
            Registration.objects.filter(
                gathering=conference, role=Registration.Role.DELEGATE, status=Registration.Status.ACCREDITED,
                person__user__isnull=True,
            ).exclude(person__email="").select_related("person")[:40]
        )
        for registration in delegates:
            user = User(email=registration.person.email)
            user.set_unusable_password()
            user.save()
            registration.person.user = user
            registration.person.save(update_fields=["user"])
    logins = accounts_demo.login_users()
    polls = load_demo_polls(conference, logins["coordinator"], leave_to=list(logins.values()))
    context.created["polls"] = len(polls)
    return polls


def _vote_all(poll, pick, share=1.0, rng=None, leave_to=frozenset()):
    """Every holder on the roll votes (or the first ``share`` of them)."""
    rng = rng or random.Random(poll.pk)
    holders = list(Voter.objects.filter(poll=poll).order_by("holder_user_id").values_list("holder_user_id", flat=True).distinct())
    holders = holders[: max(1, int(len(holders) * share))]
    options = list(Option.objects.filter(poll=poll).order_by("position"))
    for user in User.objects.filter(pk__in=holders).order_by("pk"):
        if user.pk in leave_to:  # a demo login: left for the person trying the demo
            continue
        services.cast_ballot(user, poll, pick(options, rng, user), secrets.token_urlsafe(18))


def load_demo_polls(gathering, coordinator_user, leave_to=(), teller_passphrase=PASSWORD):
    """Create the demo polls of ``gathering``; returns them. Needs at least four
    accredited delegates with accounts (present ones vote; if fewer than four
    are checked in, the polls let every accredited delegate vote). The users in
    ``leave_to`` (demo logins) cast no ballot and hold the proxy, so whoever
    tries the demo can vote themselves."""
    delegates = list(
        Registration.objects.filter(
            gathering=gathering, role=Registration.Role.DELEGATE, status=Registration.Status.ACCREDITED,
            person__user__isnull=False,
        ).order_by("pk")
    )
    if len(delegates) < 4:
        return []
    present = [r for r in delegates if r.checked_in_at]
    electorate = Poll.Electorate.PRESENT if len(present) >= 4 else Poll.Electorate.ACCREDITED
    pool = present if electorate == Poll.Electorate.PRESENT else delegates
    actor = coordinator_user
    leave_to = frozenset(user.pk for user in leave_to)
    if not Proxy.objects.filter(gathering=gathering, revoked_at__isnull=True).exists():
        # The demo's delegate login (an account with a password) holds the proxy, so
        # whoever tries the demo sees a ballot that also votes for someone else.
        logins = [r for r in pool if r.person.user_id in leave_to]
        holder = logins[0] if logins else pool[0]
        absent = [r for r in delegates if not r.checked_in_at and r != holder] or [r for r in delegates if r != holder]
        services.give_proxy(actor, gathering, holder, giver=absent[-1])

    def create(**values):
        values.setdefault("electorate", electorate)
        poll = services.create_poll(actor, gathering, **values)
        if poll.is_secret:  # the coordinator, the poll's single teller, sets the teller passphrase
            services.set_teller_passphrase(actor, poll, teller_passphrase)
        return poll

    def close_and_count(poll):
        services.close_poll(actor, poll)
        if poll.is_secret:
            services.count_sealed(actor, poll, [(actor, teller_passphrase)])

    polls = []
    # created, opening tomorrow
    polls.append(create(title="¿Adoptamos la declaración final de la conferencia?", kind="yes_no",
                        quorum_percent="50", majority="two_thirds",
                        opens_at=timezone.now() + dt.timedelta(days=1), closes_at=timezone.now() + dt.timedelta(days=1, hours=1)))
    # open, half the hall has voted (secret)
    poll = create(title="¿Convocamos una jornada continental de acción el 1.º de mayo?", kind="yes_no",
                  quorum_percent="30")
    services.open_poll(actor, poll)
    _vote_all(poll, lambda o, r, u: [r.choice([o[0], o[0], o[1], o[2]]).pk], share=0.5, leave_to=leave_to)
    polls.append(poll)
    # closed, not yet counted (the sealed ballots wait for the teller): choosing the next venue
    poll = create(title="Sede de la próxima conferencia", kind="single", majority="plurality",
                  options="Ciudad de México\nSão Paulo\nBogotá")
    services.open_poll(actor, poll)
    _vote_all(poll, lambda o, r, u: [r.choice(o).pk], leave_to=leave_to)
    services.close_poll(actor, poll)
    polls.append(poll)
    # published: secret election of the coordination committee by STV (3 seats)
    candidates = ["Ana Quispe", "Bruno Silva", "Carmen López", "Diego Ramírez", "Elena Souza", "Fátima Ndiaye"]
    poll = create(title="Elección del comité de coordinación continental", kind="ranked", seats=3,
                  secrecy=Poll.Secrecy.SECRET, majority="plurality", tie_break="lot", options="\n".join(candidates),
                  description="Voto preferencial: numere a las candidaturas en su orden de preferencia.")
    services.open_poll(actor, poll)
    _vote_all(poll, lambda o, r, u: [x.pk for x in r.sample(o, r.randint(2, len(o)))], leave_to=leave_to)
    close_and_count(poll)
    services.publish_poll(actor, poll)
    polls.append(poll)
    # published: a consensus blocked by one organisation
    poll = create(title="Consenso: fusionar las campañas de salario mínimo y de vivienda", kind="consensus",
                  weighting=Poll.Weighting.ORGANISATION, block_threshold=1)
    services.open_poll(actor, poll)
    roll = list(Voter.objects.filter(poll=poll).order_by("pk").values_list("holder_user_id", "registration__organisation_id"))
    blocking_org = roll[0][1]  # every delegate of one organisation blocks: its whole vote
    blockers = {user for user, org in roll if org == blocking_org}

    def consensus(options, rng, user):
        return [options[2].pk] if user.pk in blockers else [rng.choice(options[:2]).pk]

    _vote_all(poll, consensus, leave_to=leave_to)
    close_and_count(poll)
    services.publish_poll(actor, poll)
    polls.append(poll)
    # published, named
    poll = create(title="Moción de solidaridad con las trabajadoras migrantes detenidas", kind="yes_no",
                  secrecy=Poll.Secrecy.NAMED)
    services.open_poll(actor, poll)
    _vote_all(poll, lambda o, r, u: [o[0].pk if r.random() < 0.85 else o[2].pk], leave_to=leave_to)
    services.close_poll(actor, poll)
    services.publish_poll(actor, poll)
    polls.append(poll)
    # annulled
    poll = create(title="Enmienda 4 al punto 2 del programa", kind="yes_no")
    services.open_poll(actor, poll)
    services.annul_poll(actor, poll, "El texto proyectado en pantalla no era la versión enmendada.")
    polls.append(poll)
    return polls
