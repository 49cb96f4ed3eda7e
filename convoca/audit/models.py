"""One audit trail for the whole platform: who did which privileged action, when, on what.

The trail sits just above core and below every domain app, so it refers to what
it records by number only: the acting account (``actor_id``), the gathering
(``gathering_id``) and the target as a model label and a primary key
(``target_type`` "gatherings.registration", ``target_id`` "12"). There are no
foreign keys: deleting a gathering, or erasing a person, never cascades into
the trail, and the trail itself never needs to change.

Append-only: no service updates or deletes an entry, and the database refuses
it (triggers made by migration 0001 on PostgreSQL and SQLite). Erasing a person
needs no update either: an entry names nobody, it holds the number of an
account, and erasure empties that account and its person record (see
``convoca.accounts.personal_data`` and ``convoca.network.personal_data``), so
the number then leads to "erased person". That is why actors are stored as
bare numbers rather than as a foreign key with ``SET_NULL`` (which is an UPDATE
the trigger would have to let through for everyone).

Holds no more personal data than the action needs: never a name, an email, a
choice, a reason written about someone, a token or a passphrase. ``note`` is a
short code ("scheduled"), a list of changed field names, or text that is public
anyway (why a poll was annulled).

A migration that alters this table must create the triggers again: on SQLite,
Django alters a table by copying it into a new one, and the triggers stay
behind with the old one. ``tests/audit/test_append_only.py`` fails otherwise.
"""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Entry(models.Model):
    at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)
    actor_id = models.BigIntegerField(null=True, blank=True, db_index=True)  # an account; None: Convoca itself
    action = models.CharField(_("action"), max_length=40, db_index=True)
    gathering_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    target_type = models.CharField(max_length=60, blank=True)  # a model label, "voting.poll"
    target_id = models.CharField(max_length=64, blank=True)  # its primary key as text (some are UUIDs)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["target_type", "target_id"], name="audit_entry_target")]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")

    def __str__(self):
        return f"{self.action} {self.at:%Y-%m-%d %H:%M}"

    @property
    def target(self):
        """(model label, id) of what the action was done to, or None."""
        return (self.target_type, self.target_id) if self.target_type else None
