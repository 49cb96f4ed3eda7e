import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ImportBatch(models.Model):
    """A parsed file waiting for the coordinator's confirmation.

    Holds personal data (the rows), so it lives at most a day
    (``services.purge_expired_batches``) and its rows are dropped as soon as
    it is confirmed; only the counts remain for the confirmation page."""

    class Kind(models.TextChoices):
        ORGANISATIONS = "organisations", _("Organisations")
        PEOPLE = "people", _("People")
        REGISTRATIONS = "registrations", _("Registrations to a gathering")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    gathering = models.ForeignKey(
        "gatherings.Gathering", null=True, blank=True, on_delete=models.CASCADE, related_name="+",
        verbose_name=_("gathering"),
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    data = models.JSONField(default=dict, blank=True)  # ParsedFile.to_json(); emptied on confirm
    confirmed_at = models.DateTimeField(null=True, blank=True)
    result = models.JSONField(default=dict, blank=True)  # ImportResult.to_json()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("import")
        verbose_name_plural = _("imports")

    def __str__(self):
        return f"import {self.pk}"

    @property
    def is_confirmed(self):
        return self.confirmed_at is not None
