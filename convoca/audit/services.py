"""The one write of the audit trail: ``record``.

Services call it inside their own transaction, right after the write it
records, so the entry and the change are committed together or not at all.
Nothing updates or deletes an entry (the database refuses it; see
``models``)."""

from django.db import models

from .actions import ACTIONS
from .models import Entry

MAX_NOTE = 2000


def _ref(value):
    """The primary key of a model instance, or the value itself (an id)."""
    if value is None:
        return None
    return value.pk if isinstance(value, models.Model) else value


def record(actor, action, *, gathering=None, target=None, note=""):
    """Record that ``actor`` (an account; None, or anonymous, for Convoca itself: the
    ticker, a command run by the operator) did ``action`` (a code of ``actions.ACTIONS``)
    in ``gathering`` (instance or id) to ``target`` (a model instance, or a
    ``(model label, id)`` pair). ``note``: a code or a few words that are not personal
    data (the names of the fields changed, never their values)."""
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}: add it to convoca.audit.actions.ACTIONS")
    note = str(note or "")
    if len(note) > MAX_NOTE:
        raise ValueError("an audit note is a few words, not a document")
    if isinstance(target, models.Model):
        target_type, target_id = target._meta.label_lower, str(target.pk)
    elif target is not None:
        target_type, target_id = str(target[0]), str(target[1])
    else:
        target_type = target_id = ""
    actor_id = actor.pk if actor is not None and getattr(actor, "is_authenticated", False) else None
    return Entry.objects.create(
        actor_id=actor_id, action=action, gathering_id=_ref(gathering), target_type=target_type,
        target_id=target_id, note=note,
    )
