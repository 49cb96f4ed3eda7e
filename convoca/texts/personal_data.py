"""The texts' share of data rights (see ``convoca.core.data_rights``): the
translations the person wrote. They stay after erasure (they are the
coalition's texts); ``translated_by`` then points to an account that names no
one."""

from .models import Translation


def export(person):
    if person.user_id is None:
        return None
    done = Translation.objects.filter(translated_by_id=person.user_id).order_by("translated_at", "pk")
    return [
        {"of": t.target, "id": t.object_id, "language": t.language, "translated_at": t.translated_at} for t in done
    ] or None
