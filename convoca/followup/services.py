"""Every write of the follow-up: working groups, their members, notes and meetings, implementation records of
adopted resolutions and their progress updates. Views, the API, the ticker and the demo call these."""

import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from convoca.audit import services as audit
from convoca.core.errors import PermissionDenied, ServiceError
from convoca.proposals.models import Proposal

from .models import Implementation, Meeting, Member, Status, Update, WorkingGroup

FORBIDDEN = "<>"


def _text(value, field, limit, required=True):
    value = str(value or "").strip()
    if required and not value:
        raise ServiceError(_("This field is required."), field=field)
    if len(value) > limit:
        raise ServiceError(_("This is too long."), field=field)
    return value


def _name(value, field, limit=200):
    value = " ".join(_text(value, field, limit).split())
    if any(ch in value for ch in FORBIDDEN):
        raise ServiceError(_("Use letters, numbers and punctuation only: “<” and “>” are not allowed."), field=field)
    return value


def create_group(user, gathering, *, name, theme=None, country="", coordinator=None):
    if not user.has_perm("followup.manage", gathering):
        raise PermissionDenied()
    name = _name(name, "name")
    if theme is not None and theme.gathering_id != gathering.pk:
        raise ServiceError(_("Choose a theme of this conference."), field="theme")
    try:
        with transaction.atomic():
            group = WorkingGroup.objects.create(
                gathering=gathering, name=name, theme=theme, country=country or "", coordinator=coordinator,
            )
            if coordinator is not None:
                Member.objects.create(group=group, user=coordinator)
            audit.record(user, "working_group.created", gathering=gathering, target=group)
    except IntegrityError:
        raise ServiceError(_("A working group of this conference already has this name."), field="name") from None
    return group


def add_member(user, group, member, organisation=None):
    if not user.has_perm("followup.manage", group.gathering):
        raise PermissionDenied()
    with transaction.atomic():
        found, created = Member.objects.get_or_create(group=group, user=member,
                                                      defaults={"organisation": organisation})
        if created:
            audit.record(user, "working_group.member_added", gathering=group.gathering_id, target=group)
    return found


def save_notes(user, group, *, notes, base_version):
    """The shared notes page; an edit made on an older version is refused, not lost silently."""
    if not user.has_perm("followup.edit_notes", group):
        raise PermissionDenied(_("Only the members of this working group can edit its notes."))
    notes = _text(notes, "notes", 50_000, required=False)
    with transaction.atomic():
        changed = WorkingGroup.objects.filter(pk=group.pk, notes_version=base_version).update(
            notes=notes, notes_version=base_version + 1,
        )
    if not changed:
        group.refresh_from_db(fields=["notes", "notes_version"])
        if group.notes == notes:
            return group  # a retry of the same save
        raise ServiceError(_("Someone saved the notes while you were editing. Copy your text, reload and try "
                             "again."), field="notes", code="stale")
    group.notes, group.notes_version = notes, base_version + 1
    return group


def add_meeting(user, group, *, title, starts_at, agenda="", gathering=None):
    if not user.has_perm("followup.edit_notes", group):
        raise PermissionDenied(_("Only the members of this working group can plan its meetings."))
    title = _name(title, "title")
    with transaction.atomic():
        return Meeting.objects.create(group=group, title=title, starts_at=starts_at,
                                      agenda=_text(agenda, "agenda", 20_000, required=False), gathering=gathering)


def ensure_implementations(gathering):
    """One implementation record per adopted proposal of ``gathering`` (idempotent: the ticker and the
    coordinators' page may both call it). Returns how many were created."""
    adopted = Proposal.objects.filter(gathering=gathering, state=Proposal.State.ADOPTED, implementation__isnull=True)
    rows = [Implementation(gathering=gathering, proposal=p) for p in adopted.only("pk")]
    if rows:
        with transaction.atomic():
            Implementation.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


def assign(user, implementation, group):
    if not user.has_perm("followup.manage", implementation.gathering):
        raise PermissionDenied()
    if group is not None and group.gathering_id != implementation.gathering_id:
        raise ServiceError(_("Choose a working group of this conference."), field="group")
    with transaction.atomic():
        Implementation.objects.filter(pk=implementation.pk).update(group=group, updated_at=timezone.now())
        audit.record(user, "implementation.assigned", gathering=implementation.gathering_id, target=implementation)
    implementation.group = group
    return implementation


def post_progress(user, implementation, *, status, text, link="", on=None):
    """A dated progress update by a member of the responsible working group; it sets the record's status."""
    if not user.has_perm("followup.post_progress", implementation):
        raise PermissionDenied(_("Only the members of the working group responsible for this resolution can "
                                 "post its progress."))
    if status not in Status.values:
        raise ServiceError(_("Choose a status."), field="status")
    text = _text(text, "text", 5_000)
    link = _text(link, "link", 500, required=False)
    if link and not link.startswith(("https://", "http://", "/")):
        raise ServiceError(_("Give a web address starting with https://."), field="link")
    today = timezone.localdate()
    on = on or today
    if not isinstance(on, datetime.date) or on > today:
        raise ServiceError(_("A progress update cannot be dated in the future."), field="on")
    with transaction.atomic():
        update = Update.objects.create(implementation=implementation, group=implementation.group, author=user,
                                       status=status, text=text, link=link, on=on)
        Implementation.objects.filter(pk=implementation.pk).update(
            status=status, updated_at=timezone.now(), version=implementation.version + 1,
        )
    implementation.status = status
    return update
