import secrets

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from convoca.texts.models import Translatable


def new_nonce():
    return secrets.token_urlsafe(16)


class Gathering(Translatable):
    """The continental conference or a national preparatory meeting. Its title
    and description exist in the four languages (``convoca.texts``)."""

    TRANSLATABLE_FIELDS = ("title", "description")
    GATHERING_LOOKUP = "pk"  # a gathering is its own gathering

    class Kind(models.TextChoices):
        CONFERENCE = "conference", _("Continental conference")
        PREPARATORY = "preparatory", _("National preparatory meeting")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    slug = models.SlugField(_("short name"), max_length=80, unique=True)
    title = models.CharField(_("title"), max_length=200)
    country = CountryField(_("country"), blank=True)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    place = models.CharField(_("place"), max_length=200, blank=True)
    online_url = models.URLField(_("online room"), blank=True)
    description = models.TextField(_("description"), blank=True)
    registration_open = models.BooleanField(_("registration open"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["starts_on", "title"]
        constraints = [
            models.CheckConstraint(condition=models.Q(ends_on__gte=models.F("starts_on")), name="gathering_dates_ordered"),
            models.CheckConstraint(
                condition=models.Q(kind="conference") | ~models.Q(country=""), name="preparatory_has_country"
            ),
        ]
        verbose_name = _("gathering")
        verbose_name_plural = _("gatherings")

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("gatherings:detail", args=[self.slug])

    @property
    def is_conference(self):
        return self.kind == self.Kind.CONFERENCE


class Registration(models.Model):
    class Role(models.TextChoices):
        DELEGATE = "delegate", _("Delegate")
        OBSERVER = "observer", _("Observer")
        GUEST = "guest", _("Guest / remote speaker")

    class Status(models.TextChoices):
        REQUESTED = "requested", _("Requested")
        ACCREDITED = "accredited", _("Accredited")
        REFUSED = "refused", _("Refused")

    class Mandate(models.TextChoices):
        NOT_REQUIRED = "not_required", _("Not required")
        PENDING = "pending", _("Waiting for confirmation")
        CONFIRMED = "confirmed", _("Confirmed")
        REJECTED = "rejected", _("Not confirmed")

    gathering = models.ForeignKey(Gathering, on_delete=models.CASCADE, related_name="registrations")
    person = models.ForeignKey("network.Person", on_delete=models.CASCADE, related_name="registrations")
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    organisation = models.ForeignKey(
        "network.Organisation", null=True, blank=True, on_delete=models.PROTECT, related_name="registrations",
        verbose_name=_("organisation"),
    )
    mandate = models.CharField(_("mandate"), max_length=20, choices=Mandate.choices, default=Mandate.NOT_REQUIRED)
    mandate_decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    mandate_decided_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.REQUESTED)
    refusal_reason = models.TextField(_("reason"), blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    badge_nonce = models.CharField(max_length=32, default=new_nonce)
    badge_revoked_at = models.DateTimeField(null=True, blank=True)
    checked_in_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["gathering", "person"], name="registration_unique_person"),
            models.CheckConstraint(
                condition=~models.Q(role="delegate") | models.Q(organisation__isnull=False),
                name="delegate_has_organisation",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="refused") | ~models.Q(refusal_reason=""),
                name="refusal_has_reason",
            ),
        ]
        indexes = [models.Index(fields=["gathering", "status"])]
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")

    def __str__(self):
        return f"registration {self.pk}"

    def get_absolute_url(self):
        return reverse("gatherings:registration", args=[self.gathering.slug, self.pk])

    @property
    def is_accredited(self):
        return self.status == self.Status.ACCREDITED

    @property
    def is_delegate(self):
        return self.role == self.Role.DELEGATE

    @property
    def badge_is_valid(self):
        """An accredited registration whose badge has not been revoked."""
        return self.is_accredited and self.badge_revoked_at is None
