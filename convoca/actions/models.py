"""Days of action (campaigns), the local actions hosts register for them, and the RSVPs people send.

Times are kept in UTC with the action's IANA timezone beside them, so a page shows them in the viewer's zone
and in the place's. An action's public location is coarse (city level, rounded); its exact address is shown
only as its host chose. An RSVP holds the minimum: a name or pseudonym, one email, what the person agreed to
share with the host."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_countries.fields import CountryField

from convoca.texts.models import Translatable


class ActionType(models.TextChoices):
    MARCH = "march", pgettext_lazy("action type", "March")
    RALLY = "rally", pgettext_lazy("action type", "Rally")
    ASSEMBLY = "assembly", pgettext_lazy("action type", "Assembly")
    VIGIL = "vigil", pgettext_lazy("action type", "Vigil")
    STRIKE = "strike", pgettext_lazy("action type", "Strike action")
    ONLINE = "online", pgettext_lazy("action type", "Online")


class Campaign(Translatable):
    """A named mobilisation on given days, carrying out adopted proposals of a gathering."""

    TRANSLATABLE_FIELDS = ("title", "description")
    GATHERING_LOOKUP = "gathering"

    gathering = models.ForeignKey("gatherings.Gathering", on_delete=models.PROTECT, related_name="campaigns",
                                  verbose_name=_("gathering"))
    slug = models.SlugField(_("short name"), max_length=80, unique=True)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    starts_on = models.DateField(_("first day"))
    ends_on = models.DateField(_("last day"))
    action_types = models.JSONField(_("allowed action types"), default=list)
    proposals = models.ManyToManyField("proposals.Proposal", blank=True, related_name="campaigns",
                                       verbose_name=_("adopted proposals"))
    # Bumped by every change to the campaign's public figures: the cache key of its counters and map.
    version = models.PositiveBigIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-starts_on", "slug"]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("actions:campaign", args=[self.slug])

    def type_choices(self):
        return [(value, label) for value, label in ActionType.choices if value in self.action_types]


class Visibility(models.TextChoices):
    NOBODY = "day", _("Nobody until the day of the action")
    RSVPS = "rsvps", _("People who RSVP'd")
    PUBLIC = "public", _("Everyone")


class Action(Translatable):
    TRANSLATABLE_FIELDS = ("title", "description")
    GATHERING_LOOKUP = "campaign__gathering"

    class State(models.TextChoices):
        PENDING = "pending", pgettext_lazy("action state", "Waiting for moderation")
        APPROVED = "approved", pgettext_lazy("action state", "Published")
        REJECTED = "rejected", pgettext_lazy("action state", "Rejected")
        CANCELLED = "cancelled", pgettext_lazy("action state", "Cancelled")

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="actions")
    host_user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="hosted_actions")
    host_organisation = models.ForeignKey("network.Organisation", null=True, blank=True, on_delete=models.PROTECT,
                                          related_name="actions", verbose_name=_("hosting organisation"))
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    kind = models.CharField(_("type"), max_length=12, choices=ActionType.choices)
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    timezone = models.CharField(_("time zone"), max_length=64)
    city = models.CharField(_("city"), max_length=120)
    country = CountryField(_("country"))
    address = models.CharField(_("exact address"), max_length=300, blank=True)
    address_visibility = models.CharField(_("who sees the address"), max_length=8, choices=Visibility.choices,
                                          default=Visibility.NOBODY)
    # City level only, rounded to a tenth of a degree (about 10 km): what the public map shows.
    latitude = models.DecimalField(max_digits=4, decimal_places=1, null=True, blank=True)
    longitude = models.DecimalField(max_digits=4, decimal_places=1, null=True, blank=True)
    accessibility = models.TextField(_("accessibility"), blank=True)
    capacity = models.PositiveIntegerField(_("capacity"), null=True, blank=True)
    online_url = models.URLField(_("online link"), blank=True)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.PENDING)
    rejection_reason = models.CharField(_("reason"), max_length=500, blank=True)
    moderated_at = models.DateTimeField(null=True, blank=True)
    rsvp_count = models.PositiveIntegerField(default=0, editable=False)  # places held: claimed by conditional update
    attendance = models.PositiveIntegerField(_("how many came"), null=True, blank=True)
    report = models.TextField(_("report"), blank=True)
    reported_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["starts_at", "pk"]
        indexes = [
            models.Index(fields=["campaign", "state", "country"], name="action_campaign_country"),
            models.Index(fields=["campaign", "state", "starts_at"], name="action_campaign_starts"),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("actions:action", args=[self.campaign.slug, self.pk])

    @property
    def is_full(self):
        return self.capacity is not None and self.rsvp_count >= self.capacity

    @classmethod
    def translation_queue(cls):
        return cls._default_manager.filter(state=cls.State.APPROVED)


class TrustedHost(models.Model):
    """A host whose next actions in ``country`` publish without moderation (its committee trusted it)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    country = CountryField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "country"], name="trusted_host_unique")]

    def __str__(self):
        return f"{self.user_id} {self.country}"


class Rsvp(models.Model):
    """One person's place at an action: no account, a name or pseudonym and one email."""

    class State(models.TextChoices):
        UNCONFIRMED = "unconfirmed", pgettext_lazy("rsvp state", "Not confirmed yet")
        CONFIRMED = "confirmed", pgettext_lazy("rsvp state", "Confirmed")

    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="rsvps")
    name = models.CharField(_("name or pseudonym"), max_length=80)
    email = models.EmailField(_("email"), max_length=254)
    email_key = models.CharField(max_length=254, editable=False)  # lower-cased, for the one-RSVP-per-email rule
    share_name = models.BooleanField(_("share my name with the host"), default=False)
    share_email = models.BooleanField(_("share my email with the host"), default=False)
    language = models.CharField(max_length=8, default="es")
    state = models.CharField(max_length=12, choices=State.choices, default=State.UNCONFIRMED)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["action", "email_key"], name="rsvp_one_per_email")]
        indexes = [models.Index(fields=["state", "reminded_at"], name="rsvp_reminder")]

    def __str__(self):
        return f"RSVP {self.pk}"
