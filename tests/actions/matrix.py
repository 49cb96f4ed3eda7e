"""Role x expected status for every URL of days of action.

The campaign's public pages answer everyone. bob hosts a Colombian action (carla moderates Colombia, alice
coordinates); a pending or rejected action is missing (404) for whoever may not see it. POST entries run once
per role in ROLES order on the same world: the first permitted role acts (302), a retry of the same decision
changes nothing (302 with a message), the others are refused."""

from convoca.actions import services
from tests.actions.helpers import action, campaign

LOGIN = 302
HOST_PAGE = {"anonymous": LOGIN, "alice": 200, "bob": 200, "*": 403}


def _cached(w, key, make):
    cache = w.__dict__.setdefault("_actions", {})
    if key not in cache:
        cache[key] = make()
    return cache[key]


def _slug(w):
    return [campaign(w).slug]


def _published(w):
    return _cached(w, "published", lambda: action(w))


def _args(w):
    return [campaign(w).slug, _published(w).pk]


def _token(w):
    entry = _cached(w, "rsvp", lambda: services.rsvp(_published(w), name="Luz", email="luz@example.org"))
    return [services.confirm_token(entry)]


def _pending(w, key):
    return _cached(w, key, lambda: action(w, approve=False, title=key))


PUBLIC = {"*": 200}

MATRIX = {
    "actions:index": {"expect": PUBLIC},
    "actions:campaign_create": {"expect": {"anonymous": LOGIN, "alice": 200, "*": 403}},
    "actions:campaign_edit": {"args": _slug, "expect": {"anonymous": LOGIN, "alice": 200, "*": 403}},
    "actions:campaign": {"args": _slug, "expect": PUBLIC},
    "actions:counts": {"args": _slug, "expect": PUBLIC},
    "actions:counts_json": {"args": _slug, "expect": PUBLIC},
    "actions:map": {"args": _slug, "expect": PUBLIC},
    "actions:calendar": {"args": _slug, "expect": PUBLIC},
    "actions:campaign_ics": {"args": _slug, "expect": PUBLIC},
    "actions:widget": {"args": _slug, "expect": PUBLIC},
    "actions:events": {"args": _slug, "expect": PUBLIC},
    "actions:action": {"args": _args, "expect": PUBLIC},
    "actions:rsvp_sent": {"args": _args, "expect": PUBLIC},
    "actions:action_ics": {"args": _args, "expect": PUBLIC},
    "actions:confirm": {"args": _token, "expect": PUBLIC},
    "actions:action_create": {"args": _slug, "expect": {"anonymous": LOGIN, "*": 200}},
    "actions:rsvps": {"args": _args, "expect": HOST_PAGE},
    "actions:rsvps_csv": {"args": _args, "expect": HOST_PAGE},
    # before the action ends: a message and back to the list (302) for the host and coordinators
    "actions:report": {"args": _args, "method": "post", "data": lambda w: {"attendance": 3},
                       "expect": {"anonymous": LOGIN, "alice": 302, "bob": 302, "*": 403}},
    "actions:cancel": {"args": _args, "method": "post", "data": lambda w: {},
                       "expect": {"anonymous": LOGIN, "alice": 302, "bob": 302, "*": 403}},
    "actions:moderation": {"expect": {"anonymous": LOGIN, "alice": 200, "carla": 200, "marco": 200, "*": 403}},
    # alice approves; carla's retry changes nothing; the action is public by then, so others are refused
    "actions:approve": {"args": lambda w: [_pending(w, "to-approve").pk], "method": "post", "data": lambda w: {},
                        "expect": {"anonymous": LOGIN, "alice": 302, "carla": 302, "*": 403}},
    # alice rejects; carla is told it is decided; a rejected action is missing for all but its host
    "actions:reject": {"args": lambda w: [_pending(w, "to-reject").pk], "method": "post",
                       "data": lambda w: {"reason": "Incompleta"},
                       "expect": {"anonymous": LOGIN, "alice": 302, "carla": 302, "bob": 403, "*": 404}},
}
