"""Endorsements of a published declaration: organisations (and, where the coordinators allow, individuals)
sign on; a sign-on is public only once its email is verified (and, where the coordinators ask for it,
approved by the national committee of its country).

Duplicates are refused by the database itself: one endorsement per declaration and email (lower-cased),
and one per declaration, organisation name (case- and accent-folded) and country. A burst of sign-ons can
therefore never count anyone twice, whatever the number of workers."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_countries.fields import CountryField

from convoca.network.models import Sector


class EndorsementSettings(models.Model):
    """What the coordinators chose for the endorsements of one gathering's declaration."""

    gathering = models.OneToOneField("gatherings.Gathering", on_delete=models.CASCADE, related_name="+")
    individuals_allowed = models.BooleanField(_("individuals may endorse too"), default=False)
    committee_approval = models.BooleanField(
        _("a national committee approves each endorsement before it is public"), default=False,
    )

    def __str__(self):
        return f"endorsement settings {self.gathering_id}"


class Endorsement(models.Model):
    class Kind(models.TextChoices):
        ORGANISATION = "organisation", _("An organisation")
        INDIVIDUAL = "individual", _("An individual")

    class State(models.TextChoices):
        UNVERIFIED = "unverified", pgettext_lazy("endorsement state", "Email not verified")
        PENDING = "pending", pgettext_lazy("endorsement state", "Waiting for approval")
        PUBLIC = "public", pgettext_lazy("endorsement state", "Public")
        REJECTED = "rejected", pgettext_lazy("endorsement state", "Not approved")

    declaration = models.ForeignKey("proposals.Declaration", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.ORGANISATION)
    organisation = models.CharField(_("organisation"), max_length=200, blank=True)
    organisation_key = models.CharField(max_length=200, blank=True, editable=False)
    country = CountryField(_("country"))
    sector = models.CharField(_("sector"), max_length=30, choices=Sector.choices, blank=True)
    signatory = models.CharField(_("name of the person signing"), max_length=120)
    role = models.CharField(_("role in the organisation"), max_length=120, blank=True)
    show_signatory = models.BooleanField(_("show my name publicly"), default=False)
    email = models.EmailField(_("contact email"), max_length=254)
    email_key = models.CharField(max_length=254, editable=False)
    language = models.CharField(max_length=7, default="es")
    state = models.CharField(max_length=12, choices=State.choices, default=State.UNVERIFIED)
    nonce = models.CharField(max_length=32, blank=True)  # the verification link's; emptied once used
    withdraw_nonce = models.CharField(max_length=32)
    created_at = models.DateTimeField(auto_now_add=True)
    verified_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["country", "organisation_key", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["declaration", "email_key"], name="endorsement_unique_email"),
            models.UniqueConstraint(
                fields=["declaration", "organisation_key", "country"], condition=Q(kind="organisation"),
                name="endorsement_unique_organisation",
            ),
        ]
        indexes = [models.Index(fields=["declaration", "state", "country"])]
        verbose_name = _("endorsement")
        verbose_name_plural = _("endorsements")

    def __str__(self):
        return f"endorsement {self.pk}"

    @property
    def public_name(self):
        """What the public list shows: the organisation, or an individual's name if they chose to show it."""
        if self.kind == self.Kind.ORGANISATION:
            return self.organisation
        return self.signatory if self.show_signatory else ""
