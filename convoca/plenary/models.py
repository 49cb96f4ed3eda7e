"""The live plenary of a gathering: its agenda (sessions and items), the list of speakers of each item, the
screens of the hall and the participants who take part from afar.

- ``Plenary``: one row per gathering: the current item, whether the programme is published, the chair's
  message to the hall, and a version that moves on with every change of these (two chairs never overwrite
  each other's current item).
- ``Session``: a morning or an afternoon: its times, its room and its video room.
- ``AgendaItem``: an item of the agenda, in order, optionally about a proposal or put to a poll; it holds
  its list of speakers' settings (time per speaker and in all, balance rules, closed) and the list's version.
- ``Speaker``: one request to speak on an item, from asking to having spoken. Its timer is stored as
  ``started_at`` (running since, None when not running) and ``elapsed_seconds`` (before that), so what is
  left is worked out on reading; ``ends_at`` and the item's ``time_runs_out_at`` say when the ticker has
  something to do (``ticks.py``), never a page read.
- ``RemoteAttendance``: a participant the chair admitted to take part by video; it counts as present.
- ``Projector``: a named screen of the hall, opened by a secret address (only its digest is stored).
"""

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from convoca.texts.models import Translatable


def new_room():
    """The last part of a session's video-room address: unguessable, so the room is not open to passers-by."""
    return "convoca-" + secrets.token_urlsafe(12).replace("_", "").replace("-", "")[:16].lower()


def token_digest(token):
    return hashlib.sha256(str(token).encode()).hexdigest()


class Plenary(models.Model):
    gathering = models.OneToOneField("gatherings.Gathering", on_delete=models.CASCADE, related_name="plenary")
    current_item = models.ForeignKey(
        "plenary.AgendaItem", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    programme_published = models.BooleanField(_("programme published"), default=False)
    message = models.CharField(_("message to the hall"), max_length=300, blank=True)
    version = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("plenary")
        verbose_name_plural = _("plenaries")

    def __str__(self):
        return f"plenary {self.gathering_id}"


class Session(Translatable):
    """A session of the plenary (a morning, an afternoon). Its title exists in the four languages."""

    TRANSLATABLE_FIELDS = ("title",)
    GATHERING_LOOKUP = "gathering"

    gathering = models.ForeignKey("gatherings.Gathering", on_delete=models.CASCADE, related_name="plenary_sessions")
    title = models.CharField(_("title"), max_length=200)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    room = models.CharField(_("room"), max_length=200, blank=True)
    video_url = models.URLField(_("video room"), blank=True)
    video_room = models.CharField(max_length=40, default=new_room, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["starts_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(ends_at__gt=models.F("starts_at")), name="session_times_ordered"),
        ]
        verbose_name = _("session")
        verbose_name_plural = _("sessions")

    def __str__(self):
        return self.title

    @property
    def video_link(self):
        """The session's own video room, or one built on the configured Jitsi server (``PLENARY_JITSI_URL``;
        none when that is empty)."""
        if self.video_url:
            return self.video_url
        base = getattr(settings, "PLENARY_JITSI_URL", "")
        return f"{base.rstrip('/')}/{self.video_room}" if base else ""


class AgendaItem(Translatable):
    """An item of a gathering's agenda and the settings of its list of speakers. Its title exists in the four
    languages."""

    TRANSLATABLE_FIELDS = ("title",)
    GATHERING_LOOKUP = "gathering"

    gathering = models.ForeignKey("gatherings.Gathering", on_delete=models.CASCADE, related_name="agenda_items")
    session = models.ForeignKey(
        Session, null=True, blank=True, on_delete=models.SET_NULL, related_name="items", verbose_name=_("session")
    )
    position = models.PositiveIntegerField(_("order"), default=1)
    title = models.CharField(_("title"), max_length=300)
    duration_minutes = models.PositiveSmallIntegerField(_("duration (minutes)"), default=30)
    proposal = models.ForeignKey(
        "proposals.Proposal", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("proposal"),
    )
    poll = models.ForeignKey(
        "voting.Poll", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("poll")
    )
    speaking_seconds = models.PositiveIntegerField(_("speaking time per speaker (seconds)"), default=180)
    total_seconds = models.PositiveIntegerField(_("speaking time for the item (seconds)"), default=0)
    list_closed = models.BooleanField(_("list of speakers closed"), default=False)
    balance_first_time = models.BooleanField(_("first-time speakers first"), default=False)
    balance_gender = models.BooleanField(_("alternate genders"), default=False)
    balance_country = models.BooleanField(_("alternate countries"), default=False)
    ordered_by_hand = models.BooleanField(default=False)
    spent_seconds = models.PositiveIntegerField(default=0)  # speeches finished on this item
    time_runs_out_at = models.DateTimeField(null=True, blank=True)  # while a speech runs and the item has a total
    time_up_at = models.DateTimeField(null=True, blank=True)  # set by the ticker
    speaker_count = models.PositiveIntegerField(default=0)  # numbers requests to speak on this item
    version = models.PositiveIntegerField(default=0)  # +1 on every change of the list: stale forms are refused
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["position", "pk"]
        indexes = [models.Index(fields=["gathering", "position"]), models.Index(fields=["time_runs_out_at"])]
        verbose_name = _("agenda item")
        verbose_name_plural = _("agenda items")

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("plenary:item", args=[self.gathering.slug, self.pk])

    def spent_now(self, speaking=None, now=None):
        """Seconds spoken on this item so far, the running speech included."""
        return self.spent_seconds + (speaking.elapsed_now(now) if speaking is not None else 0)

    def remaining_seconds(self, speaking=None, now=None):
        """Seconds left for the item (None: no total limit)."""
        if not self.total_seconds:
            return None
        return max(0, self.total_seconds - self.spent_now(speaking, now))


class Speaker(models.Model):
    """A request to speak on an item, and the speech that follows."""

    class Kind(models.TextChoices):
        CONTRIBUTION = "contribution", _("Contribution")
        POINT_OF_ORDER = "point_of_order", _("Point of order")
        FOR = "for", pgettext_lazy("speaker kind", "For")
        AGAINST = "against", pgettext_lazy("speaker kind", "Against")
        REPLY = "reply", pgettext_lazy("speaker kind", "Reply")

    class State(models.TextChoices):
        WAITING = "waiting", pgettext_lazy("speaker state", "Waiting")
        SPEAKING = "speaking", pgettext_lazy("speaker state", "Speaking")
        DONE = "done", pgettext_lazy("speaker state", "Has spoken")
        WITHDRAWN = "withdrawn", pgettext_lazy("speaker state", "Withdrawn")
        REMOVED = "removed", pgettext_lazy("speaker state", "Removed by the chair")

    class Gender(models.TextChoices):
        UNSAID = "", _("I prefer not to say")
        WOMAN = "woman", _("Woman")
        MAN = "man", _("Man")
        OTHER = "other", _("Non-binary or another gender")

    OPEN_STATES = (State.WAITING, State.SPEAKING)

    item = models.ForeignKey(AgendaItem, on_delete=models.CASCADE, related_name="speakers")
    registration = models.ForeignKey("gatherings.Registration", on_delete=models.CASCADE, related_name="+")
    number = models.PositiveIntegerField()  # 1, 2, 3... in the order of asking, per item
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.CONTRIBUTION)
    state = models.CharField(max_length=10, choices=State.choices, default=State.WAITING)
    position = models.IntegerField(default=0)  # order among the waiting
    reason = models.CharField(max_length=20, blank=True)  # why at this place (ordering.REASONS)
    gender = models.CharField(_("gender"), max_length=10, choices=Gender.choices, blank=True)  # the chair only
    remote = models.BooleanField(_("speaks remotely"), default=False)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    limit_seconds = models.PositiveIntegerField(default=0)
    started_at = models.DateTimeField(null=True, blank=True)  # running since (None: not running)
    elapsed_seconds = models.PositiveIntegerField(default=0)  # spoken before started_at
    ends_at = models.DateTimeField(null=True, blank=True)  # when the time runs out, while running
    overtime_at = models.DateTimeField(null=True, blank=True)  # set by the ticker
    finished_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["position", "number"]
        constraints = [
            models.UniqueConstraint(fields=["item", "number"], name="speaker_unique_number"),
            models.UniqueConstraint(
                fields=["item", "registration"], condition=models.Q(state__in=["waiting", "speaking"]),
                name="speaker_once_on_a_list",
            ),
            models.UniqueConstraint(
                fields=["item"], condition=models.Q(state="speaking"), name="speaker_one_at_a_time",
            ),
        ]
        indexes = [models.Index(fields=["item", "state", "position"]), models.Index(fields=["state", "ends_at"])]
        verbose_name = _("speaker")
        verbose_name_plural = _("speakers")

    def __str__(self):
        return f"speaker {self.item_id}/{self.number}"

    @property
    def is_running(self):
        return self.state == self.State.SPEAKING and self.started_at is not None

    def elapsed_now(self, now=None):
        running = 0
        if self.is_running:
            running = max(0, int(((now or timezone.now()) - self.started_at).total_seconds()))
        return self.elapsed_seconds + running

    def remaining_seconds(self, now=None):
        """Seconds left of the speaker's time (negative: over time; None: no limit)."""
        if not self.limit_seconds:
            return None
        return self.limit_seconds - self.elapsed_now(now)


class RemoteAttendance(models.Model):
    """A participant the chair admitted to take part by video: checked in (so present for the polls whose
    voters are the delegates present) and shown as a remote speaker."""

    gathering = models.ForeignKey("gatherings.Gathering", on_delete=models.CASCADE, related_name="+")
    registration = models.OneToOneField("gatherings.Registration", on_delete=models.CASCADE, related_name="remote_attendance")
    admitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    admitted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("remote participant")
        verbose_name_plural = _("remote participants")

    def __str__(self):
        return f"remote {self.registration_id}"


class Projector(models.Model):
    """A screen of the hall. It opens at a secret address shown once to the chair; only its digest is kept,
    so a copy of the database opens no screen. A new address replaces the old one."""

    gathering = models.ForeignKey("gatherings.Gathering", on_delete=models.CASCADE, related_name="projectors")
    name = models.CharField(_("name"), max_length=80)
    token_hash = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("projector")
        verbose_name_plural = _("projectors")

    def __str__(self):
        return self.name
