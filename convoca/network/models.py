import unicodedata

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField


def match_key(text: str) -> str:
    """Case- and accent-insensitive key used to match organisation names."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(stripped.casefold().split())


class Visibility(models.TextChoices):
    PUBLIC = "public", _("Everyone (public)")
    MEMBERS = "members", _("Coalition members")
    COORDINATORS = "coordinators", _("Coordinators only")


class ShownAs(models.TextChoices):
    """How a person appears, in gatherings, votes and texts, to whoever may not
    see their display name (the public, other participants). Coordinators, the
    organisers who accredit them and the person themselves always see the
    display name. The default is the most private choice."""

    NAME = "name", _("My display name, to those allowed to see it; “a participant” to everyone else")
    PSEUDONYM = "pseudonym", _("A pseudonym")
    ORGANISATION = "organisation", _("“Delegate of <organisation>” (the organisation I represent)")
    PARTICIPANT = "participant", _("“A participant”")


class AddressForm(models.TextChoices):
    """How badges and pages address a person (delegada / delegado / delegade). Not saying is the default:
    the pages then use the form that names no gender where the language has one."""

    UNSAID = "", _("I prefer not to say (the form that names no gender)")
    FEMININE = "feminine", _("Feminine (delegada, déléguée)")
    MASCULINE = "masculine", _("Masculine (delegado, délégué)")
    NEUTRAL = "neutral", _("Neutral (delegade)")


class Sector(models.TextChoices):
    TRADE_UNION = "trade_union", _("Trade union")
    SOCIAL_MOVEMENT = "social_movement", _("Social movement")
    POLITICAL_PARTY = "political_party", _("Political party")
    PARLIAMENTARY_GROUP = "parliamentary_group", _("Parliamentary group")
    HUMAN_RIGHTS = "human_rights", _("Human-rights organisation")
    MIGRANT_RIGHTS = "migrant_rights", _("Migrant-rights organisation")
    OTHER = "other", _("Other")


class Organisation(models.Model):
    name = models.CharField(_("name"), max_length=200)
    name_key = models.CharField(max_length=200, editable=False, db_index=True)
    country = CountryField(_("country"))
    sector = models.CharField(_("sector"), max_length=30, choices=Sector.choices)
    website = models.URLField(_("website"), blank=True)
    is_public = models.BooleanField(
        _("listed publicly"), default=False, help_text=_("If not ticked, only coalition members see this organisation.")
    )
    contact = models.ForeignKey(
        "Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="contact_for",
        verbose_name=_("contact person"),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name_key"]
        constraints = [models.UniqueConstraint(fields=["name_key", "country"], name="organisation_unique_name_country")]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.name = " ".join(self.name.split())
        self.name_key = match_key(self.name)
        if "update_fields" in kwargs and kwargs["update_fields"] is not None and "name" in kwargs["update_fields"]:
            kwargs["update_fields"] = set(kwargs["update_fields"]) | {"name_key"}
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("network:organisation", args=[self.pk])


class Person(models.Model):
    """Someone the coalition knows. Every field that identifies or locates a
    person has its own visibility, defaulting to the most private."""

    display_name = models.CharField(_("display name"), max_length=120)
    display_name_visibility = models.CharField(max_length=12, choices=Visibility.choices, default=Visibility.COORDINATORS)
    full_name = models.CharField(_("full name"), max_length=200, blank=True)
    full_name_visibility = models.CharField(max_length=12, choices=Visibility.choices, default=Visibility.COORDINATORS)
    email = models.EmailField(_("email"), blank=True)
    email_visibility = models.CharField(max_length=12, choices=Visibility.choices, default=Visibility.COORDINATORS)
    languages = models.CharField(_("languages"), max_length=100, blank=True, help_text=_("Language codes, e.g. es, pt"))
    languages_visibility = models.CharField(max_length=12, choices=Visibility.choices, default=Visibility.COORDINATORS)
    memberships_visibility = models.CharField(max_length=12, choices=Visibility.choices, default=Visibility.COORDINATORS)
    shown_as = models.CharField(
        _("shown to others as"), max_length=12, choices=ShownAs.choices, default=ShownAs.PARTICIPANT
    )
    pseudonym = models.CharField(_("pseudonym"), max_length=60, blank=True)
    address_form = models.CharField(
        _("address me as"), max_length=10, choices=AddressForm.choices, default=AddressForm.UNSAID, blank=True
    )
    # Set when the person followed the unsubscribe link of a message to participants; security emails still go.
    messages_opt_out_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Set when the person's data was erased: the row stays as "erased person" for the records that need it.
    erased_at = models.DateTimeField(null=True, blank=True, editable=False)
    organisations = models.ManyToManyField(Organisation, through="Membership", related_name="people", blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="person"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    VISIBLE_FIELDS = ("display_name", "full_name", "email", "languages", "memberships")

    class Meta:
        ordering = ["display_name"]
        constraints = [
            models.UniqueConstraint(
                Lower("email"), condition=~models.Q(email=""), name="person_unique_email_ci"
            )
        ]
        verbose_name = _("person")
        verbose_name_plural = _("people")

    def __str__(self):
        return self.display_name

    def save(self, *args, **kwargs):
        self.email = (self.email or "").strip().lower()
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("network:person", args=[self.pk])

    @property
    def language_list(self):
        return [code for code in (c.strip() for c in self.languages.split(",")) if code]


class Membership(models.Model):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="memberships")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="memberships")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["person", "organisation"], name="membership_unique")]

    def __str__(self):
        return f"membership {self.pk}"


class NationalCommittee(models.Model):
    country = CountryField(_("country"), unique=True)
    members = models.ManyToManyField(Person, related_name="committees", blank=True, verbose_name=_("members"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["country"]
        verbose_name = _("national committee")
        verbose_name_plural = _("national committees")

    def __str__(self):
        return str(self.country.name)

    def get_absolute_url(self):
        return reverse("network:committee", args=[self.country.code])


class JoinRequest(models.Model):
    """A person asks to represent an organisation (``organisation`` set), or proposes a new one (``name``,
    ``country`` and ``sector`` set). The organisation's contact, the national committee of its country or a
    coordinator decides; accepting a proposal creates the organisation."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for a decision")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="join_requests")
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.CASCADE, related_name="join_requests"
    )
    name = models.CharField(_("name"), max_length=200, blank=True)
    country = CountryField(_("country"))
    sector = models.CharField(_("sector"), max_length=30, choices=Sector.choices, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "organisation"], condition=models.Q(status="pending", organisation__isnull=False),
                name="join_request_one_pending",
            ),
            models.CheckConstraint(
                condition=models.Q(organisation__isnull=False) | ~models.Q(name=""), name="join_request_names_one",
            ),
        ]

    def __str__(self):
        return f"join request {self.pk}"

    @property
    def is_proposal(self):
        return self.organisation_id is None
