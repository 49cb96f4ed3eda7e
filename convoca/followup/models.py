"""The follow-up of a conference: working groups that carry its resolutions out, and for each resolution (an
adopted proposal) an implementation record with dated progress updates, shown on a public accountability page
(as Decidim's accountability module)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_countries.fields import CountryField


class WorkingGroup(models.Model):
    """A group by theme or by country, with members from several organisations and a coordinator."""

    gathering = models.ForeignKey("gatherings.Gathering", on_delete=models.CASCADE, related_name="working_groups")
    name = models.CharField(_("name"), max_length=200)
    theme = models.ForeignKey(
        "proposals.Theme", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("theme"),
    )
    country = CountryField(_("country"), blank=True)
    coordinator = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("coordinator"),
    )
    notes = models.TextField(_("shared notes"), blank=True)
    notes_version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "pk"]
        constraints = [models.UniqueConstraint(fields=["gathering", "name"], name="working_group_unique_name")]
        verbose_name = _("working group")
        verbose_name_plural = _("working groups")

    def __str__(self):
        return self.name


class Member(models.Model):
    group = models.ForeignKey(WorkingGroup, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    organisation = models.ForeignKey(
        "network.Organisation", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
    )
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pk"]
        constraints = [models.UniqueConstraint(fields=["group", "user"], name="working_group_unique_member")]

    def __str__(self):
        return f"member {self.user_id} of {self.group_id}"


class Meeting(models.Model):
    """A meeting of a working group: agenda and minutes; it may be held as a gathering of the platform."""

    group = models.ForeignKey(WorkingGroup, on_delete=models.CASCADE, related_name="meetings")
    title = models.CharField(_("title"), max_length=200)
    starts_at = models.DateTimeField(_("starts at"))
    gathering = models.ForeignKey(
        "gatherings.Gathering", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("held as the gathering"),
    )
    agenda = models.TextField(_("agenda"), blank=True)
    minutes = models.TextField(_("minutes"), blank=True)

    class Meta:
        ordering = ["-starts_at", "pk"]

    def __str__(self):
        return self.title


class Status(models.TextChoices):
    NOT_STARTED = "not_started", pgettext_lazy("implementation", "Not started")
    IN_PROGRESS = "in_progress", pgettext_lazy("implementation", "In progress")
    DONE = "done", pgettext_lazy("implementation", "Done")
    BLOCKED = "blocked", pgettext_lazy("implementation", "Blocked")


# How far along each status counts on the accountability page (per cent).
PROGRESS = {Status.NOT_STARTED: 0, Status.IN_PROGRESS: 50, Status.DONE: 100, Status.BLOCKED: 25}


class Implementation(models.Model):
    """How an adopted resolution is being carried out: one per adopted proposal of a gathering."""

    gathering = models.ForeignKey("gatherings.Gathering", on_delete=models.CASCADE, related_name="+")
    proposal = models.OneToOneField("proposals.Proposal", on_delete=models.CASCADE, related_name="implementation")
    group = models.ForeignKey(
        WorkingGroup, null=True, blank=True, on_delete=models.SET_NULL, related_name="implementations",
        verbose_name=_("responsible working group"),
    )
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.NOT_STARTED)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["proposal__prefix", "proposal__seq", "pk"]
        indexes = [models.Index(fields=["gathering", "status"])]

    def __str__(self):
        return f"implementation of {self.proposal_id}"

    @property
    def progress(self):
        return PROGRESS[self.status]


class Update(models.Model):
    """A dated progress update on a resolution, by a member of its working group."""

    implementation = models.ForeignKey(Implementation, on_delete=models.CASCADE, related_name="updates")
    group = models.ForeignKey(WorkingGroup, null=True, on_delete=models.SET_NULL, related_name="+")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    status = models.CharField(_("status"), max_length=12, choices=Status.choices)
    text = models.TextField(_("what happened"))
    link = models.URLField(_("link to an action or a document"), blank=True)
    on = models.DateField(_("date"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-on", "-pk"]

    def __str__(self):
        return f"update {self.pk} of {self.implementation_id}"
