"""Role x expected status for every URL of the gatherings namespace.

POST entries run the action once per role in ROLES order on the same world,
so the first permitted role acts (302) and the others are refused (403).
A registration someone may not even see (``gatherings.view_registration``:
its managers, its person, who decides its mandate) is a 404 for them, as a
missing one: an id must not tell whether someone registered.
"""


def _reg(attr):
    return lambda w: [getattr(w, attr).gathering.slug, getattr(w, attr).pk]


LOGIN = 302

MATRIX = {
    "gatherings:list": {"expect": {"*": 200}},
    "gatherings:detail": {"args": lambda w: ["conferencia"], "expect": {"*": 200}},
    "gatherings:create": {"expect": {"anonymous": LOGIN, "alice": 200, "*": 403}},
    # carla's committee organises prep-co; marco's (MX) does not
    "gatherings:edit": {"args": lambda w: ["prep-co"], "expect": {"anonymous": LOGIN, "alice": 200, "carla": 200, "*": 403}},
    # bob and olga are already registered for the conference: sent to their registration
    "gatherings:register": {
        "args": lambda w: ["conferencia"], "expect": {"anonymous": LOGIN, "bob": 302, "olga": 302, "*": 200},
    },
    "gatherings:mandates": {"expect": {"anonymous": LOGIN, "*": 200}},
    "gatherings:registrations": {
        "args": lambda w: ["prep-co"], "expect": {"anonymous": LOGIN, "alice": 200, "carla": 200, "*": 403},
    },
    # bulk actions and downloads: the managers of the gathering (carla's committee organises prep-co)
    "gatherings:registrations_bulk": {
        "args": lambda w: ["prep-co"], "method": "post", "data": lambda w: {"action": "accredit", "all_matching": "on"},
        "expect": {"anonymous": LOGIN, "alice": 200, "carla": 200, "*": 403},
    },
    "gatherings:registrations_export": {
        "args": lambda w: ["prep-co"], "method": "post", "data": lambda w: {"format": "csv"},
        "expect": {"anonymous": LOGIN, "alice": 200, "carla": 200, "*": 403},
    },
    "gatherings:checkin": {
        "args": lambda w: ["prep-co"], "expect": {"anonymous": LOGIN, "alice": 200, "carla": 200, "*": 403},
    },
    # olga's own registration (observer at the conference, managed by coordinators only)
    "gatherings:registration": {"args": _reg("olga_reg"), "expect": {"anonymous": LOGIN, "alice": 200, "olga": 200, "*": 404}},
    "gatherings:refuse": {"args": _reg("olga_reg"), "expect": {"anonymous": LOGIN, "alice": 200, "olga": 403, "*": 404}},
    "gatherings:accredit": {
        "args": _reg("olga_reg"), "method": "post", "data": lambda w: {},
        "expect": {"anonymous": LOGIN, "alice": 302, "olga": 403, "*": 404},
    },
    # bob's mandate: decided by coordinators and by carla (contact of Sindicato Andino, CO committee)
    "gatherings:mandate": {
        "args": _reg("bob_reg"), "method": "post", "data": lambda w: {"decision": "confirm"},
        "expect": {"anonymous": LOGIN, "alice": 302, "carla": 302, "bob": 403, "*": 404},
    },
    # bob's badge: carla sees his registration (she decides his mandate) but not his badge
    "gatherings:badge": {
        "args": _reg("bob_reg"), "expect": {"anonymous": LOGIN, "alice": 200, "bob": 200, "carla": 403, "*": 404},
    },
    "gatherings:revoke_badge": {
        "args": _reg("bob_reg"), "method": "post", "data": lambda w: {},
        "expect": {"anonymous": LOGIN, "alice": 302, "carla": 403, "bob": 403, "*": 404},
    },
    "gatherings:reissue_badge": {
        "args": _reg("bob_reg"), "method": "post", "data": lambda w: {},
        "expect": {"anonymous": LOGIN, "alice": 302, "carla": 403, "bob": 403, "*": 404},
    },
    # Writing to participants (issue 11): coordinators, and national committees at the conference (their
    # country's participants) or at their own preparatory meeting.
    "gatherings:message": {
        "args": lambda w: ["conferencia"],
        "expect": {"anonymous": LOGIN, "alice": 200, "carla": 200, "marco": 200, "*": 403},
    },
}
