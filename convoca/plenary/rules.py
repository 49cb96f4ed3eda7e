"""Who may do what in the plenary (django-rules). Views, API and services ask the same ``user.has_perm``.

- Chairs: the managers of the gathering (``gatherings.rules.can_manage``: coordinators, and the national
  committee for its own preparatory meeting). They edit the agenda, run the lists of speakers, the screens
  and the remote participants.
- The programme, the live page and the lists of speakers: whoever may see the gathering, once the chairs
  have published the programme (chairs see it before).
- Asking to speak: accredited delegates and guests of the gathering (observers follow; a chair may still
  add anyone accredited). The service says why when it refuses.
"""

import rules

from convoca.core.roles import is_member
from convoca.gatherings.models import Registration
from convoca.gatherings.rules import can_manage

from .models import Plenary

SPEAKING_ROLES = (Registration.Role.DELEGATE, Registration.Role.GUEST)


def gathering_of(obj):
    """The gathering of ``obj`` (a gathering, or anything of one)."""
    return getattr(obj, "gathering", obj)


def is_published(gathering):
    """Whether the gathering's programme is published (asked once per gathering object)."""
    if gathering is None:
        return False
    cached = getattr(gathering, "_plenary_published", None)
    if cached is None:
        cached = Plenary.objects.filter(gathering_id=gathering.pk, programme_published=True).exists()
        gathering._plenary_published = cached
    return cached


@rules.predicate
def chairs(user, obj):
    """A manager of the gathering of ``obj``."""
    return obj is not None and can_manage(user, gathering_of(obj))


@rules.predicate
def programme_is_public(user, obj):
    gathering = gathering_of(obj)
    return is_published(gathering) and user.has_perm("gatherings.view_gathering", gathering)


def own_registration(user, gathering, fresh=False):
    """The user's registration for ``gathering`` (asked once per user and gathering unless ``fresh``), or None."""
    if gathering is None or not is_member(user):
        return None
    cache = user.__dict__.setdefault("_plenary_registrations", {})
    if fresh or gathering.pk not in cache:
        cache[gathering.pk] = (
            Registration.objects.filter(gathering_id=gathering.pk, person__user=user)
            .select_related("person", "organisation").first()
        )
    return cache[gathering.pk]


@rules.predicate
def may_speak(user, obj):
    registration = own_registration(user, gathering_of(obj))
    return bool(registration and registration.is_accredited and registration.role in SPEAKING_ROLES)


view_programme = chairs | programme_is_public

rules.add_perm("plenary.view_programme", view_programme)
rules.add_perm("plenary.chair", chairs)
rules.add_perm("plenary.ask_to_speak", view_programme & may_speak)


def can_see_video_room(user, gathering):
    """The video room is a door into the meeting: chairs and accredited participants only."""
    if chairs(user, gathering):
        return True
    registration = own_registration(user, gathering)
    return bool(registration and registration.is_accredited)
