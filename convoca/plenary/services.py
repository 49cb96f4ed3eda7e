"""Every write of the plenary. Pages, the API and the ticker call these functions; each takes the acting user,
checks ``rules.py``, runs in a transaction and announces what changed on the gathering's topic once the
transaction commits (``publish_on_commit``): ``agenda.changed`` (sessions, items, the current item, the
programme), ``speakers.changed`` (a list of speakers, a timer) and ``message.changed`` (the chair's message).

Two chairs at once: every change of a list of speakers locks the item's row (``select_for_update``; on
SQLite the transaction takes the write lock when it begins) and moves its ``version`` on. A chair's form
carries the version it was drawn from; a form drawn before someone else's change is refused (``stale``)
and changes nothing, so nobody advances the list twice or moves a speaker on a list that has changed.

Refusals raise ``ServiceError`` (400), ``PermissionDenied`` (403) or ``NotFound`` (404) with a translated
message.
"""

import datetime as dt
import secrets

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from convoca.core.errors import NotFound, PermissionDenied, ServiceError
from convoca.core.events import publish_on_commit
from convoca.gatherings import services as gathering_services
from convoca.gatherings.models import Registration
from convoca.proposals.models import Proposal
from convoca.texts import services as text_services
from convoca.voting.models import Poll

from . import ordering
from .models import AgendaItem, Plenary, Projector, RemoteAttendance, Session, Speaker, token_digest
from .rules import SPEAKING_ROLES, own_registration

W = Speaker.State
MAX_TITLE = 300
MAX_SESSION_TITLE = 200
MAX_ROOM = 200
MAX_MESSAGE = 300
MAX_PROJECTOR_NAME = 80
MAX_SECONDS = 24 * 3600
MAX_MINUTES = 24 * 60
SESSION_FIELDS = ("title", "starts_at", "ends_at", "room", "video_url", "original_language")
ITEM_FIELDS = (
    "title", "session", "position", "duration_minutes", "proposal", "poll", "speaking_seconds", "total_seconds",
    "original_language",
)


# --- small helpers -------------------------------------------------------------------------------


def _announce(gathering_id, kind, **data):
    """Tell the gathering's open pages what changed (kinds and ids, never personal data)."""
    publish_on_commit(f"gathering:{gathering_id}", {"kind": kind, **data})


def _require_chair(user, obj):
    if user is None or not user.has_perm("plenary.chair", obj):
        raise PermissionDenied(_("Only the chairs of this gathering (its organisers) can do this."))


def _stale():
    return ServiceError(
        _("The list of speakers changed meanwhile. Look at it again and repeat your action if it still makes sense."),
        field="version", code="stale",
    )


def _version(value):
    """A version sent by a form or a script: a whole number, or None when not sent."""
    if value in (None, ""):
        return None
    if isinstance(value, bool):
        raise _stale()
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise _stale() from None
    if number < 0:
        raise _stale()
    return number


def _check_version(row, expected):
    expected = _version(expected)
    if expected is not None and expected != row.version:
        raise _stale()


def _text(value, field, limit, *, required=True, empty_message=None):
    if value is not None and not isinstance(value, str):
        raise ServiceError(_("Enter text."), field=field)
    text = " ".join((value or "").split())
    if required and not text:
        raise ServiceError(empty_message or _("Enter a title."), field=field)
    if len(text) > limit:
        raise ServiceError(_("This is too long (%(max)d characters at most).") % {"max": limit}, field=field)
    if "\x00" in text:
        raise ServiceError(_("Enter text."), field=field)
    return text


def _whole(value, field, lowest, highest, message):
    if isinstance(value, bool):
        raise ServiceError(message, field=field)
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise ServiceError(message, field=field) from None
    if not lowest <= number <= highest:
        raise ServiceError(message, field=field)
    return number


def _moment(value, field, message):
    if not isinstance(value, dt.datetime):
        raise ServiceError(message, field=field)
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    return value


def _url(value, field):
    url = (value or "").strip() if isinstance(value, str) or value is None else None
    if url is None:
        raise ServiceError(_("Enter the full address of the video room, starting with https://"), field=field)
    if url:
        try:
            URLValidator(schemes=["https", "http"])(url)
        except ValidationError:
            raise ServiceError(_("Enter the full address of the video room, starting with https://"), field=field) from None
        if len(url) > 200:
            raise ServiceError(_("This is too long (%(max)d characters at most).") % {"max": 200}, field=field)
    return url


def _of_gathering(model, value, gathering, field, message):
    """``value`` (an object, an id or nothing) as a row of ``model`` in ``gathering``, or None."""
    if value in (None, ""):
        return None
    if isinstance(value, model):
        obj = value
    else:
        if isinstance(value, bool):
            raise ServiceError(message, field=field)
        try:
            pk = int(value)
        except (TypeError, ValueError):
            raise ServiceError(message, field=field) from None
        obj = model._default_manager.filter(pk=pk).first()
    if obj is None or obj.gathering_id != gathering.pk:
        raise ServiceError(message, field=field)
    return obj


def plenary_of(gathering):
    """The gathering's plenary row (made on first use)."""
    plenary, _created = Plenary.objects.get_or_create(gathering=gathering)
    return plenary


def _locked_plenary(gathering):
    plenary_of(gathering)
    return Plenary.objects.select_for_update().get(gathering=gathering)


def _locked_item(item):
    """The item's row, locked for this transaction (the list of speakers' one writer at a time)."""
    locked = AgendaItem.objects.select_for_update().select_related("gathering").filter(pk=item.pk).first()
    if locked is None:
        raise NotFound(_("This agenda item no longer exists."))
    return locked


def _save_item(item, *fields):
    item.version += 1
    item.save(update_fields=["version", *fields])
    _announce(item.gathering_id, "speakers.changed", item=item.pk, version=item.version)


# --- sessions ---------------------------------------------------------------------------------------


def _session_values(values):
    clean = {}
    if "title" in values:
        clean["title"] = _text(values["title"], "title", MAX_SESSION_TITLE)
    if "starts_at" in values:
        clean["starts_at"] = _moment(values["starts_at"], "starts_at", _("Enter the date and time the session starts."))
    if "ends_at" in values:
        clean["ends_at"] = _moment(values["ends_at"], "ends_at", _("Enter the date and time the session ends."))
    if "room" in values:
        clean["room"] = _text(values["room"], "room", MAX_ROOM, required=False)
    if "video_url" in values:
        clean["video_url"] = _url(values["video_url"], "video_url")
    if values.get("original_language") not in (None, ""):
        clean["original_language"] = text_services.clean_original_language(values["original_language"])
    return clean


def _check_session_times(starts_at, ends_at):
    if ends_at <= starts_at:
        raise ServiceError(_("The session must end after it starts."), field="ends_at")


def create_session(actor, gathering, *, title, starts_at, ends_at, room="", video_url="", original_language=None):
    """A session of the plenary (a morning, an afternoon). Without a video room of its own it gets one built on
    the configured Jitsi server."""
    _require_chair(actor, gathering)
    clean = _session_values({"title": title, "starts_at": starts_at, "ends_at": ends_at, "room": room,
                             "video_url": video_url, "original_language": original_language})
    clean.setdefault("original_language", text_services.clean_original_language(None))
    _check_session_times(clean["starts_at"], clean["ends_at"])
    with transaction.atomic():
        session = Session.objects.create(gathering=gathering, **clean)
        text_services.record_original(session)
        _announce(gathering.pk, "agenda.changed")
    return session


def update_session(actor, session, **changes):
    unknown = set(changes) - set(SESSION_FIELDS)
    if unknown:
        raise TypeError(f"unknown session fields: {sorted(unknown)}")
    _require_chair(actor, session)
    clean = _session_values(changes)
    changed = {name: value for name, value in clean.items() if getattr(session, name) != value}
    if not changed:
        return session
    _check_session_times(changed.get("starts_at", session.starts_at), changed.get("ends_at", session.ends_at))
    previous = {"title": session.title, "original_language": session.original_language}
    for name, value in changed.items():
        setattr(session, name, value)
    with transaction.atomic():
        session.save(update_fields=list(changed))
        text_services.record_original_change(session, changed, previous=previous)
        _announce(session.gathering_id, "agenda.changed")
    return session


def delete_session(actor, session):
    """The session goes; its items stay on the agenda, outside any session."""
    _require_chair(actor, session)
    with transaction.atomic():
        Session.objects.filter(pk=session.pk).delete()
        _announce(session.gathering_id, "agenda.changed")


# --- agenda items ---------------------------------------------------------------------------------


def _item_values(gathering, values):
    clean = {}
    if "title" in values:
        clean["title"] = _text(values["title"], "title", MAX_TITLE)
    if "session" in values:
        clean["session"] = _of_gathering(Session, values["session"], gathering, "session",
                                         _("Choose one of the sessions of this gathering."))
    if "position" in values and values["position"] not in (None, ""):
        clean["position"] = _whole(values["position"], "position", 1, 10_000,
                                   _("Enter the place of the item on the agenda: a whole number from 1."))
    if "duration_minutes" in values:
        clean["duration_minutes"] = _whole(values["duration_minutes"], "duration_minutes", 1, MAX_MINUTES,
                                           _("Enter the duration in minutes: a whole number from 1 to 1440."))
    if "proposal" in values:
        clean["proposal"] = _of_gathering(Proposal, values["proposal"], gathering, "proposal",
                                          _("Choose one of the proposals of this gathering."))
    if "poll" in values:
        clean["poll"] = _of_gathering(Poll, values["poll"], gathering, "poll",
                                      _("Choose one of the polls of this gathering."))
    for name in ("speaking_seconds", "total_seconds"):
        if name in values:
            clean[name] = _whole(values[name], name, 0, MAX_SECONDS,
                                 _("Enter a number of seconds from 0 (no limit) to 86400."))
    if values.get("original_language") not in (None, ""):
        clean["original_language"] = text_services.clean_original_language(values["original_language"])
    return clean


def create_item(actor, gathering, *, title, session=None, position=None, duration_minutes=30, proposal=None,
                poll=None, speaking_seconds=180, total_seconds=0, original_language=None):
    """An item at the end of the agenda (or at ``position``), optionally about a proposal or put to a poll."""
    _require_chair(actor, gathering)
    clean = _item_values(gathering, {
        "title": title, "session": session, "position": position, "duration_minutes": duration_minutes,
        "proposal": proposal, "poll": poll, "speaking_seconds": speaking_seconds, "total_seconds": total_seconds,
        "original_language": original_language,
    })
    clean.setdefault("original_language", text_services.clean_original_language(None))
    with transaction.atomic():
        if "position" not in clean:
            last = AgendaItem.objects.filter(gathering=gathering).order_by("-position").values_list("position", flat=True)
            clean["position"] = (last.first() or 0) + 1
        item = AgendaItem.objects.create(gathering=gathering, **clean)
        text_services.record_original(item)
        _announce(gathering.pk, "agenda.changed")
    return item


def update_item(actor, item, **changes):
    unknown = set(changes) - set(ITEM_FIELDS)
    if unknown:
        raise TypeError(f"unknown agenda item fields: {sorted(unknown)}")
    _require_chair(actor, item)
    clean = _item_values(item.gathering, changes)
    changed = {name: value for name, value in clean.items() if getattr(item, name) != value}
    if not changed:
        return item
    previous = {"title": item.title, "original_language": item.original_language}
    with transaction.atomic():
        locked = _locked_item(item)
        for name, value in changed.items():
            setattr(locked, name, value)
        _save_item(locked, *changed)
        text_services.record_original_change(locked, changed, previous=previous)
        _announce(item.gathering_id, "agenda.changed")
    for name in (*changed, "version", "text_revision"):
        setattr(item, name, getattr(locked, name))
    return item


def delete_item(actor, item):
    """An item that nobody has asked to speak on yet leaves the agenda."""
    _require_chair(actor, item)
    with transaction.atomic():
        _locked_item(item)
        if Speaker.objects.filter(item=item).exists():
            raise ServiceError(_("People have asked to speak on this item: it stays on the agenda."), code="has_speakers")
        AgendaItem.objects.filter(pk=item.pk).delete()
        _announce(item.gathering_id, "agenda.changed")


def publish_programme(actor, gathering, published=True):
    """Publish the programme (everyone who may see the gathering sees the agenda and the live page) or take it back."""
    _require_chair(actor, gathering)
    with transaction.atomic():
        plenary = _locked_plenary(gathering)
        if plenary.programme_published != bool(published):
            plenary.programme_published = bool(published)
            plenary.version += 1
            plenary.save(update_fields=["programme_published", "version", "updated_at"])
            _announce(gathering.pk, "agenda.changed")
    gathering._plenary_published = bool(published)
    return plenary


def set_current_item(actor, gathering, item, expected_version=None):
    """The item the plenary is on now (None: none). Refused while someone speaks on the current item."""
    _require_chair(actor, gathering)
    if item is not None and item.gathering_id != gathering.pk:
        raise ServiceError(_("Choose one of the items of this gathering's agenda."), field="item")
    with transaction.atomic():
        plenary = _locked_plenary(gathering)
        _check_version(plenary, expected_version)
        if plenary.current_item_id == (item.pk if item else None):
            return plenary
        if plenary.current_item_id and Speaker.objects.filter(item_id=plenary.current_item_id, state=W.SPEAKING).exists():
            raise ServiceError(_("Someone is speaking on the current item: end the speech first."), code="speaking")
        plenary.current_item = item
        plenary.version += 1
        plenary.save(update_fields=["current_item", "version", "updated_at"])
        _announce(gathering.pk, "agenda.changed")
    return plenary


def set_message(actor, gathering, message):
    """The chair's message to the hall, on every screen and live page (empty: none)."""
    _require_chair(actor, gathering)
    text = _text(message, "message", MAX_MESSAGE, required=False)
    with transaction.atomic():
        plenary = _locked_plenary(gathering)
        if plenary.message != text:
            plenary.message = text
            plenary.version += 1
            plenary.save(update_fields=["message", "version", "updated_at"])
            _announce(gathering.pk, "message.changed")
    return plenary


# --- lists of speakers ------------------------------------------------------------------------------


def _country(registration):
    organisation = registration.organisation
    return organisation.country.code if organisation is not None and organisation.country else ""


def _reorder(item, new=None):
    """Place the waiting speakers of ``item`` (locked by the caller) by ``ordering``; writes only the rows
    whose place or reason changed."""
    waiting = list(Speaker.objects.filter(item=item, state=W.WAITING).select_related("registration__organisation"))
    if not waiting:
        return
    # The current speaker first ("speaking" sorts after "done"), then the latest to finish.
    spoken = list(Speaker.objects.filter(item=item, state__in=[W.DONE, W.SPEAKING]).select_related(
        "registration__organisation").order_by("-state", "-finished_at", "-pk"))
    spoke_before = {s.registration_id for s in spoken}
    last = ordering.Last(spoken[0].gender, _country(spoken[0].registration)) if spoken else None
    by_key = {s.pk: s for s in waiting}
    entries = [
        ordering.Entry(key=s.pk, kind=s.kind, number=s.number, gender=s.gender, country=_country(s.registration),
                       spoke_before=s.registration_id in spoke_before, position=s.position, reason=s.reason)
        for s in waiting
    ]
    placed = ordering.order(
        entries, last, first_time=item.balance_first_time, gender=item.balance_gender,
        country=item.balance_country, by_hand=item.ordered_by_hand, new=new,
    )
    changed = []
    for place, (entry, reason) in enumerate(placed, start=1):
        speaker = by_key[entry.key]
        if speaker.position != place or speaker.reason != reason:
            speaker.position, speaker.reason = place, reason
            changed.append(speaker)
    if changed:
        Speaker.objects.bulk_update(changed, ["position", "reason"])


def _clean_kind(kind):
    kind = kind or Speaker.Kind.CONTRIBUTION
    if kind not in Speaker.Kind.values:
        raise ServiceError(_("Choose how you want to speak."), field="kind")
    return kind


def _clean_gender(gender):
    gender = gender or ""
    if gender not in Speaker.Gender.values:
        raise ServiceError(_("Choose one of the answers, or leave it out."), field="gender")
    return gender


def _is_remote(registration, remote):
    if remote is None:
        return RemoteAttendance.objects.filter(registration=registration).exists()
    return bool(remote)


def _add(item, registration, *, kind, gender, remote, added_by):
    """Put ``registration`` on the locked ``item``'s list."""
    if Speaker.objects.filter(item=item, registration=registration, state__in=Speaker.OPEN_STATES).exists():
        if added_by is None:
            raise ServiceError(_("You are already on this list of speakers."), code="already_on_list")
        raise ServiceError(_("This participant is already on this list of speakers."), code="already_on_list")
    item.speaker_count += 1
    try:
        with transaction.atomic():
            speaker = Speaker.objects.create(
                item=item, registration=registration, number=item.speaker_count, kind=kind, gender=gender,
                remote=remote, added_by=added_by, limit_seconds=item.speaking_seconds,
                position=item.speaker_count + 10_000,  # at the end until placed
            )
    except IntegrityError:  # a double submit raced past the check above
        raise ServiceError(_("You are already on this list of speakers."), code="already_on_list") from None
    _reorder(item, new=speaker.pk)
    _save_item(item, "speaker_count")
    speaker.refresh_from_db(fields=["position", "reason"])
    return speaker


def ask_to_speak(user, item, *, kind=Speaker.Kind.CONTRIBUTION, gender="", remote=None):
    """The user asks to speak on ``item``: accredited delegates and guests of its gathering, while the list is
    open. ``gender`` (optional, self-declared) is seen only by the chairs and used only when they alternate
    genders. ``remote``: speaking by video (by default: when admitted as a remote participant)."""
    if user is None or not user.is_authenticated:
        raise PermissionDenied(_("Log in to ask to speak."))
    if not user.has_perm("plenary.view_programme", item):
        raise NotFound(_("This agenda item does not exist or is not published."))
    kind, gender = _clean_kind(kind), _clean_gender(gender)
    registration = own_registration(user, item.gathering, fresh=True)
    if registration is None:
        raise PermissionDenied(_("You are not registered for this gathering, so you cannot ask to speak."),
                               code="not_registered")
    if not registration.is_accredited:
        raise PermissionDenied(_("Your registration is not accredited yet, so you cannot ask to speak."),
                               code="not_accredited")
    if registration.role not in SPEAKING_ROLES:
        raise PermissionDenied(_("Observers follow the debate without asking to speak. The chair can give you the floor."),
                               code="observer")
    with transaction.atomic():
        locked = _locked_item(item)
        if locked.list_closed:
            raise ServiceError(_("The list of speakers for this item is closed."), code="closed")
        speaker = _add(locked, registration, kind=kind, gender=gender, remote=_is_remote(registration, remote),
                       added_by=None)
    item.version = locked.version
    return speaker


def add_speaker(actor, item, registration, *, kind=Speaker.Kind.CONTRIBUTION, remote=None, expected_version=None):
    """A chair puts an accredited participant on the list (even a closed one)."""
    _require_chair(actor, item)
    kind = _clean_kind(kind)
    registration = _of_gathering(Registration, registration, item.gathering, "registration",
                                 _("Choose one of the accredited participants of this gathering."))
    if registration is None or not registration.is_accredited:
        raise ServiceError(_("Choose one of the accredited participants of this gathering."), field="registration")
    with transaction.atomic():
        locked = _locked_item(item)
        _check_version(locked, expected_version)
        speaker = _add(locked, registration, kind=kind, gender="", remote=_is_remote(registration, remote),
                       added_by=actor)
    item.version = locked.version
    return speaker


def withdraw(user, item):
    """The user takes back their request to speak on ``item`` (before they have the floor)."""
    registration = own_registration(user, item.gathering, fresh=True)
    if registration is None:
        raise ServiceError(_("You are not on this list of speakers."), code="not_on_list")
    with transaction.atomic():
        locked = _locked_item(item)
        changed = Speaker.objects.filter(item=locked, registration=registration, state=W.WAITING).update(
            state=W.WITHDRAWN, finished_at=timezone.now())
        if not changed:
            raise ServiceError(_("You are not waiting on this list of speakers."), code="not_on_list")
        _reorder(locked)
        _save_item(locked)
    item.version = locked.version
    return locked


def _speaker_of(item, speaker):
    """``speaker`` (an object or an id) as a speaker of ``item``."""
    if isinstance(speaker, Speaker):
        pk = speaker.pk
    else:
        try:
            pk = int(speaker)
        except (TypeError, ValueError):
            pk = None
    found = Speaker.objects.filter(item=item, pk=pk).select_related("registration").first() if pk else None
    if found is None:
        raise NotFound(_("This speaker is not on this list."))
    return found


def remove_speaker(actor, speaker, expected_version=None):
    """A chair takes someone off the list before they speak."""
    _require_chair(actor, speaker.item)
    with transaction.atomic():
        locked = _locked_item(speaker.item)
        _check_version(locked, expected_version)
        if not Speaker.objects.filter(pk=speaker.pk, item=locked, state=W.WAITING).update(
                state=W.REMOVED, finished_at=timezone.now()):
            raise ServiceError(_("Only someone still waiting can be taken off the list."), code="not_waiting")
        _reorder(locked)
        _save_item(locked)
    return locked


def move_speaker(actor, speaker, place, expected_version):
    """A chair moves a waiting speaker to ``place`` (1 = next). The list then keeps the chair's order
    (new requests at the end, points of order still first) until the chair applies the rules again.
    ``expected_version`` is required: a move against a list that changed meanwhile is refused."""
    _require_chair(actor, speaker.item)
    place = _whole(place, "place", 1, 100_000, _("Enter the new place: a whole number from 1."))
    if _version(expected_version) is None:
        raise _stale()
    with transaction.atomic():
        locked = _locked_item(speaker.item)
        _check_version(locked, expected_version)
        waiting = list(Speaker.objects.filter(item=locked, state=W.WAITING).order_by("position", "number"))
        if speaker.pk not in {s.pk for s in waiting}:
            raise ServiceError(_("Only someone still waiting can be moved."), code="not_waiting")
        keys = ordering.move([s.pk for s in waiting], speaker.pk, place)
        changed = []
        for index, key in enumerate(keys, start=1):
            row = next(s for s in waiting if s.pk == key)
            reason = ordering.CHAIR if key == speaker.pk else row.reason
            if row.position != index or row.reason != reason:
                row.position, row.reason = index, reason
                changed.append(row)
        Speaker.objects.bulk_update(changed, ["position", "reason"])
        locked.ordered_by_hand = True
        _save_item(locked, "ordered_by_hand")
    return locked


def set_balance_rules(actor, item, *, first_time=False, gender=False, country=False, expected_version=None):
    """Switch the balance rules of the item's list on or off; the list is placed by the rules again (a
    chair's order by hand ends here)."""
    _require_chair(actor, item)
    with transaction.atomic():
        locked = _locked_item(item)
        _check_version(locked, expected_version)
        locked.balance_first_time, locked.balance_gender, locked.balance_country = (
            bool(first_time), bool(gender), bool(country))
        locked.ordered_by_hand = False
        _reorder(locked)
        _save_item(locked, "balance_first_time", "balance_gender", "balance_country", "ordered_by_hand")
    return locked


def close_list(actor, item, closed=True, expected_version=None):
    """Close the list (nobody else may ask; a chair may still add) or open it again."""
    _require_chair(actor, item)
    with transaction.atomic():
        locked = _locked_item(item)
        _check_version(locked, expected_version)
        if locked.list_closed != bool(closed):
            locked.list_closed = bool(closed)
            _save_item(locked, "list_closed")
    return locked


# --- the floor and its timer ----------------------------------------------------------------------


def _require_current(locked):
    plenary = Plenary.objects.filter(gathering_id=locked.gathering_id).only("current_item_id").first()
    if plenary is None or plenary.current_item_id != locked.pk:
        raise ServiceError(_("Make this item the current one first."), code="not_current")


def _finish(locked, speaker, now):
    """End ``speaker``'s speech on the locked item: their time is added to the item's."""
    spoken = speaker.elapsed_now(now)
    Speaker.objects.filter(pk=speaker.pk).update(
        state=W.DONE, started_at=None, elapsed_seconds=spoken, ends_at=None, finished_at=now)
    locked.spent_seconds += spoken
    locked.time_runs_out_at = None


def _run(locked, speaker, now):
    """Start or resume ``speaker``'s timer: when it runs out, and when the item's total time runs out."""
    left = speaker.limit_seconds - speaker.elapsed_seconds if speaker.limit_seconds else None
    ends_at = now + dt.timedelta(seconds=max(left, 0)) if left is not None else None
    Speaker.objects.filter(pk=speaker.pk).update(state=W.SPEAKING, started_at=now, ends_at=ends_at)
    if locked.total_seconds and locked.time_up_at is None:
        left_on_item = max(0, locked.total_seconds - locked.spent_seconds - speaker.elapsed_seconds)
        locked.time_runs_out_at = now + dt.timedelta(seconds=left_on_item)
    else:
        locked.time_runs_out_at = None


def start_next(actor, item, speaker=None, expected_version=None):
    """Give the floor to the next waiting speaker (or to ``speaker``), ending the current speech if one runs.
    With nobody waiting, the current speech just ends."""
    _require_chair(actor, item)
    now = timezone.now()
    with transaction.atomic():
        locked = _locked_item(item)
        _check_version(locked, expected_version)
        _require_current(locked)
        chosen = _speaker_of(locked, speaker) if speaker not in (None, "") else None
        if chosen is not None and chosen.state != W.WAITING:
            raise ServiceError(_("Only someone still waiting can be given the floor."), code="not_waiting")
        current = Speaker.objects.filter(item=locked, state=W.SPEAKING).first()
        if chosen is None:
            chosen = Speaker.objects.filter(item=locked, state=W.WAITING).order_by("position", "number").first()
        if chosen is None and current is None:
            raise ServiceError(_("Nobody is waiting to speak."), code="nobody_waiting")
        if current is not None:
            _finish(locked, current, now)
        if chosen is not None:
            Speaker.objects.filter(pk=chosen.pk).update(limit_seconds=locked.speaking_seconds)
            chosen.limit_seconds = locked.speaking_seconds
            _run(locked, chosen, now)
        _reorder(locked)
        _save_item(locked, "spent_seconds", "time_runs_out_at")
    return locked


def stop_speaker(actor, item, expected_version=None):
    """End the current speech."""
    _require_chair(actor, item)
    now = timezone.now()
    with transaction.atomic():
        locked = _locked_item(item)
        _check_version(locked, expected_version)
        current = Speaker.objects.filter(item=locked, state=W.SPEAKING).first()
        if current is None:
            raise ServiceError(_("Nobody is speaking on this item."), code="nobody_speaking")
        _finish(locked, current, now)
        _reorder(locked)
        _save_item(locked, "spent_seconds", "time_runs_out_at")
    return locked


def pause_speaker(actor, item, expected_version=None):
    """Stop the clock of the current speech (an interruption); ``resume_speaker`` runs it again."""
    _require_chair(actor, item)
    now = timezone.now()
    with transaction.atomic():
        locked = _locked_item(item)
        _check_version(locked, expected_version)
        current = Speaker.objects.filter(item=locked, state=W.SPEAKING, started_at__isnull=False).first()
        if current is None:
            raise ServiceError(_("No speech is running on this item."), code="not_running")
        Speaker.objects.filter(pk=current.pk).update(started_at=None, elapsed_seconds=current.elapsed_now(now), ends_at=None)
        locked.time_runs_out_at = None
        _save_item(locked, "time_runs_out_at")
    return locked


def resume_speaker(actor, item, expected_version=None):
    _require_chair(actor, item)
    now = timezone.now()
    with transaction.atomic():
        locked = _locked_item(item)
        _check_version(locked, expected_version)
        current = Speaker.objects.filter(item=locked, state=W.SPEAKING, started_at__isnull=True).first()
        if current is None:
            raise ServiceError(_("No speech is paused on this item."), code="not_paused")
        _run(locked, current, now)
        _save_item(locked, "time_runs_out_at")
    return locked


# --- what the ticker does when the time comes -----------------------------------------------------------


def expire(now):
    """Speeches whose time has run out are marked over time; items whose total time has run out get their list
    closed. Each row is claimed with a conditional UPDATE, so two tickers at once do each thing once.
    Returns {"speeches": n, "items": n}."""
    done = {"speeches": 0, "items": 0}
    due = Speaker.objects.filter(state=W.SPEAKING, ends_at__lte=now, overtime_at__isnull=True).values_list(
        "pk", "item__gathering_id", "item_id", "item__version")
    for pk, gathering_id, item_id, version in due:
        with transaction.atomic():
            if Speaker.objects.filter(pk=pk, state=W.SPEAKING, ends_at__lte=now, overtime_at__isnull=True).update(
                    overtime_at=now):  # the list's order is unchanged: its version stays
                _announce(gathering_id, "speakers.changed", item=item_id, version=version)
                done["speeches"] += 1
    items = AgendaItem.objects.filter(time_runs_out_at__lte=now, time_up_at__isnull=True).values_list("pk", flat=True)
    for pk in items:
        with transaction.atomic():
            locked = AgendaItem.objects.select_for_update().filter(
                pk=pk, time_runs_out_at__lte=now, time_up_at__isnull=True).first()
            if locked is None:
                continue  # another ticker got there first, or the speech ended meanwhile
            locked.time_up_at, locked.list_closed, locked.time_runs_out_at = now, True, None
            _save_item(locked, "time_up_at", "list_closed", "time_runs_out_at")
            done["items"] += 1
    return done


# --- remote participants ------------------------------------------------------------------------------


def admit_remote(actor, registration):
    """A chair admits an accredited participant to take part by video: they are checked in (so they count as
    present, and vote in the polls of the delegates present) and speak as a remote speaker. Admitting twice
    changes nothing."""
    gathering = registration.gathering
    _require_chair(actor, gathering)
    if not registration.is_accredited:
        raise ServiceError(_("Only accredited participants can take part remotely."), code="not_accredited")
    with transaction.atomic():
        attendance, _created = RemoteAttendance.objects.get_or_create(
            registration=registration, defaults={"gathering": gathering, "admitted_by": actor})
        if registration.checked_in_at is None:
            token = gathering_services.badge_token(registration)
            gathering_services.check_in(actor, gathering, token)
        waiting = Speaker.objects.filter(registration=registration, state=W.WAITING)
        for item_id, version in waiting.values_list("item_id", "item__version"):
            _announce(gathering.pk, "speakers.changed", item=item_id, version=version)
        waiting.update(remote=True)
    return attendance


# --- screens of the hall --------------------------------------------------------------------------------


def _projector_name(name):
    return _text(name, "name", MAX_PROJECTOR_NAME, empty_message=_("Give the screen a name, such as “Main hall”."))


def create_projector(actor, gathering, name):
    """A screen for the hall: returns (projector, secret address token). The token is shown once; only its
    digest is kept."""
    _require_chair(actor, gathering)
    name = _projector_name(name)
    token = secrets.token_urlsafe(24)
    with transaction.atomic():
        projector = Projector.objects.create(gathering=gathering, name=name, token_hash=token_digest(token),
                                             created_by=actor)
    return projector, token


def renew_projector(actor, projector):
    """A new secret address for the screen; the old one stops working at once."""
    _require_chair(actor, projector)
    token = secrets.token_urlsafe(24)
    with transaction.atomic():
        Projector.objects.filter(pk=projector.pk).update(token_hash=token_digest(token))
    projector.token_hash = token_digest(token)
    return projector, token


def delete_projector(actor, projector):
    _require_chair(actor, projector)
    with transaction.atomic():
        Projector.objects.filter(pk=projector.pk).delete()
