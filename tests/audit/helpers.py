from convoca.audit.models import Entry


def audit_entries(target):
    """The trail's entries about ``target`` (a model instance), oldest first."""
    return Entry.objects.filter(target_type=target._meta.label_lower, target_id=str(target.pk)).order_by("at", "pk")
