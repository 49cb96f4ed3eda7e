"""Reads of the plenary shared by the pages, the fragments, the projector, the API and the home page. Every
query is scoped to one gathering; a list costs the same queries for one row or many."""

from dataclasses import dataclass, field

from django.contrib.auth.models import AnonymousUser
from django.db.models import Count, OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from convoca.gatherings.models import Registration
from convoca.network.rules import public_name
from convoca.texts.queries import localize
from convoca.voting import queries as voting_queries
from convoca.voting.models import Poll

from . import ordering
from .models import AgendaItem, Plenary, Projector, RemoteAttendance, Session, Speaker, token_digest
from .rules import can_see_video_room, chairs, own_registration

W = Speaker.State
REASON_LABELS = {
    ordering.ARRIVAL: _("In the order of asking"),
    ordering.POINT_OF_ORDER: _("Point of order"),
    ordering.REPLY: _("Reply to the previous speaker"),
    ordering.FIRST_TIME: _("First time on this item"),
    ordering.GENDER: _("Gender balance"),
    ordering.COUNTRY: _("Alternating countries"),
    ordering.CHAIR: _("Placed by the chair"),
}
NEXT_ON_SCREEN = 5


def plenary_row(gathering):
    """The gathering's plenary row, or an unsaved empty one (a read writes nothing)."""
    return Plenary.objects.filter(gathering=gathering).first() or Plenary(gathering=gathering)


def get_item(gathering, pk):
    """One agenda item of ``gathering`` (None for one of another gathering or none at all)."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        return None
    return AgendaItem.objects.select_related("gathering", "session", "proposal", "poll").filter(
        gathering=gathering, pk=pk).first()


def items_of(gathering):
    return AgendaItem.objects.filter(gathering=gathering).select_related("session", "proposal", "poll").order_by(
        "position", "pk")


def sessions_of(gathering):
    return Session.objects.filter(gathering=gathering).order_by("starts_at", "pk")


@dataclass
class Block:
    """A session of the programme and its items (``session`` None: the items outside any session)."""

    session: Session | None
    items: list = field(default_factory=list)


def programme(gathering):
    """[Block] in order, each session's items in agenda order, sessions and items localized (three queries)."""
    sessions = list(sessions_of(gathering))
    items = list(items_of(gathering))
    localize([*sessions, *items])
    for item in items:
        item.gathering = gathering  # its address names the gathering: no query per item
    blocks = {s.pk: Block(s) for s in sessions}
    loose = Block(None)
    for item in items:
        blocks.get(item.session_id, loose).items.append(item)
    result = list(blocks.values())
    if loose.items:
        result.append(loose)
    return result


# --- speakers -----------------------------------------------------------------------------------------


def speaker_name(viewer, speaker):
    """How a speaker appears to ``viewer`` (their choice of name, pseudonym or organisation, see
    ``network.rules.public_name``); someone who shows no name is told apart by their number on the list."""
    registration = speaker.registration
    organisation = registration.organisation if registration.role == "delegate" else None
    return public_name(viewer, registration.person, organisation,
                       anonymous=_("Speaker %(number)s") % {"number": speaker.number})


@dataclass
class Row:
    """A speaker as a page shows them."""

    speaker: Speaker
    place: int
    name: str
    kind: str
    reason: str
    is_viewer: bool
    gender: str = ""  # for the chairs only

    @property
    def pk(self):
        return self.speaker.pk

    @property
    def number(self):
        return self.speaker.number

    @property
    def remote(self):
        return self.speaker.remote


def _rows(viewer, speakers, chair):
    """Chairs see each speaker's display name (they run the list: registering shows it to the gathering's
    organisers, see ``gatherings.rules.can_see_registrant_name``); everyone else what the person chose."""
    rows = []
    for place, speaker in enumerate(speakers, start=1):
        person = speaker.registration.person
        name = person.display_name if chair and person.erased_at is None else speaker_name(viewer, speaker)
        rows.append(Row(
            speaker=speaker, place=place, name=name,
            kind=speaker.get_kind_display(), reason=str(REASON_LABELS.get(speaker.reason, REASON_LABELS["arrival"])),
            is_viewer=bool(getattr(viewer, "pk", None)) and speaker.registration.person.user_id == viewer.pk,
            gender=speaker.get_gender_display() if chair and speaker.gender else "",
        ))
    return rows


def _speakers(item):
    return Speaker.objects.filter(item=item).select_related("registration__person", "registration__organisation")


@dataclass
class Timer:
    """What a clock shows, worked out now: seconds left (None: no limit), whether it runs."""

    limit: int
    elapsed: int
    remaining: int | None
    running: bool
    over: bool

    @classmethod
    def of(cls, speaker, now=None):
        now = now or timezone.now()
        remaining = speaker.remaining_seconds(now)
        return cls(limit=speaker.limit_seconds, elapsed=speaker.elapsed_now(now), remaining=remaining,
                   running=speaker.is_running, over=remaining is not None and remaining <= 0)

    @property
    def shown(self):
        """mm:ss of the time left (or spoken, without a limit); a minus sign over time."""
        seconds = self.remaining if self.remaining is not None else self.elapsed
        sign = "-" if seconds < 0 else ""
        seconds = abs(seconds)
        return f"{sign}{seconds // 60}:{seconds % 60:02d}"


@dataclass
class SpeakersList:
    item: AgendaItem
    current: Row | None
    waiting: list
    done: list
    timer: Timer | None
    mine: Row | None  # the viewer's waiting place
    item_remaining: int | None
    chair: bool

    @property
    def next_up(self):
        return self.waiting[:NEXT_ON_SCREEN]

    @property
    def item_left(self):
        """m:ss left for the item (None: no total limit)."""
        if self.item_remaining is None:
            return None
        return f"{self.item_remaining // 60}:{self.item_remaining % 60:02d}"


def speakers_list(viewer, item, *, with_done=True):
    """The list of speakers of ``item`` as ``viewer`` sees it: who speaks (and the clock), who waits in order
    and why, who has spoken. One query for the list (names come with it)."""
    chair = bool(chairs(viewer, item))
    speakers = list(_speakers(item).filter(state__in=[W.WAITING, W.SPEAKING, W.DONE] if with_done else Speaker.OPEN_STATES))
    now = timezone.now()
    speaking = [s for s in speakers if s.state == W.SPEAKING]
    waiting = sorted((s for s in speakers if s.state == W.WAITING), key=lambda s: (s.position, s.number))
    done = sorted((s for s in speakers if s.state == W.DONE), key=lambda s: (s.finished_at or now, s.pk))
    current = _rows(viewer, speaking, chair)[0] if speaking else None
    waiting_rows = _rows(viewer, waiting, chair)
    return SpeakersList(
        item=item, current=current, waiting=waiting_rows, done=_rows(viewer, done, chair),
        timer=Timer.of(speaking[0], now) if speaking else None,
        mine=next((row for row in waiting_rows if row.is_viewer), None),
        item_remaining=item.remaining_seconds(speaking[0] if speaking else None, now), chair=chair,
    )


def place_of(user, item):
    """The user's place among those waiting on ``item`` (1 = next), or None."""
    registration = own_registration(user, item.gathering)
    if registration is None:
        return None
    waiting = list(Speaker.objects.filter(item=item, state=W.WAITING).order_by("position", "number")
                   .values_list("registration_id", flat=True))
    return waiting.index(registration.pk) + 1 if registration.pk in waiting else None


# --- the poll of an item ----------------------------------------------------------------------------


@dataclass
class PollView:
    poll: Poll
    turnout: dict | None = None
    result: dict | None = None
    can_vote: bool = False


def poll_view(viewer, item, *, public=False):
    """The item's poll: its turnout while open (counted at most every two seconds for everyone), its result
    once published, and whether ``viewer`` may cast a ballot now. ``public``: a screen of the hall."""
    poll = item.poll
    if poll is None or poll.state == Poll.State.DRAFT:
        return None
    shown = PollView(poll)
    if poll.state == Poll.State.OPEN:
        shown.turnout = voting_queries.turnout(poll)
        shown.can_vote = not public and viewer.has_perm("voting.vote", poll)
    elif poll.state == Poll.State.PUBLISHED and poll.result:
        if public or voting_queries.can_see_results(viewer, poll):
            shown.result = voting_queries.labelled_result(poll, poll.result, voting_queries.shown(poll)[1])
    return shown


# --- the live state ---------------------------------------------------------------------------------


@dataclass
class Live:
    """What happens now in a gathering's plenary."""

    plenary: Plenary
    item: AgendaItem | None
    speakers: SpeakersList | None
    poll: PollView | None
    video_link: str = ""
    published: bool = False


def live(viewer, gathering, *, public=False, poll=True):
    """The current item (localized), its list of speakers and its poll, the chair's message, and the video room
    of the item's session for those who may enter it. ``public``: a screen of the hall (no video room, nobody's
    own place)."""
    plenary = plenary_row(gathering)
    item = None
    if plenary.current_item_id:
        item = get_item(gathering, plenary.current_item_id)
    shown = Live(plenary=plenary, item=item, speakers=None, poll=None, published=plenary.programme_published)
    if item is None:
        return shown
    localize([obj for obj in (item, item.session, item.poll) if obj is not None])
    shown.speakers = speakers_list(AnonymousUser() if public else viewer, item, with_done=False)
    if poll:
        shown.poll = poll_view(viewer, item, public=public)
    if not public and item.session is not None and can_see_video_room(viewer, gathering):
        shown.video_link = item.session.video_link
    return shown


def remote_participants(gathering):
    """The registrations admitted to take part by video (ids)."""
    return set(RemoteAttendance.objects.filter(gathering=gathering).values_list("registration_id", flat=True))


def projector_for_token(token):
    """The screen opened by a secret address (None for a wrong or outdated one)."""
    if not isinstance(token, str) or not 10 <= len(token) <= 100:
        return None
    return Projector.objects.select_related("gathering").filter(token_hash=token_digest(token)).first()


# --- what happens now for one person (the home page, the API) ------------------------------------------


@dataclass
class NowCard:
    """A gathering's plenary as one person's home page shows it."""

    gathering: object
    item: AgendaItem
    speaker_name: str | None = None
    chair: bool = False


@dataclass
class MyPlace:
    item: AgendaItem
    place: int


def now_for(user):
    """([NowCard], [MyPlace]) for ``user``: the current item and speaker of each running plenary they take part
    in (accredited) or chair, and their places on lists of speakers. The same queries for one gathering or many."""
    today = timezone.localdate()
    accredited = set(Registration.objects.filter(
        person__user=user, status=Registration.Status.ACCREDITED, gathering__ends_on__gte=today,
    ).values_list("gathering_id", flat=True))
    cards = []
    plenaries = Plenary.objects.filter(current_item__isnull=False, gathering__ends_on__gte=today).select_related(
        "gathering", "current_item").order_by("gathering__starts_on", "gathering_id")
    for plenary in plenaries:
        chair = bool(chairs(user, plenary.gathering))
        if chair or (plenary.programme_published and plenary.gathering_id in accredited):
            plenary.current_item.gathering = plenary.gathering
            cards.append(NowCard(plenary.gathering, plenary.current_item, chair=chair))
    speaking = {
        s.item_id: s for s in Speaker.objects.filter(
            item_id__in=[card.item.pk for card in cards], state=W.SPEAKING,
        ).select_related("registration__person", "registration__organisation")
    }
    for card in cards:
        if card.item.pk in speaking:
            card.speaker_name = speaker_name(user, speaking[card.item.pk])
    ahead = Speaker.objects.filter(item=OuterRef("item"), state=W.WAITING).filter(
        Q(position__lt=OuterRef("position")) | Q(position=OuterRef("position"), number__lt=OuterRef("number")))
    mine = Speaker.objects.filter(
        registration__person__user=user, state=W.WAITING, item__gathering__ends_on__gte=today,
    ).select_related("item__gathering").annotate(
        ahead=Subquery(ahead.order_by().values("item").annotate(n=Count("pk")).values("n")[:1]),
    ).order_by("item__gathering__starts_on", "item__position")
    places = [MyPlace(s.item, (s.ahead or 0) + 1) for s in mine]
    return cards, places
