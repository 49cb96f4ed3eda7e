"""Role x expected status for every URL of the plenary namespace.

alice chairs the conference (coordinators manage it alone); bob is an accredited delegate there; olga an
observer not yet accredited. The programme is published, so every role sees it; the chair's pages answer
403 to everyone else, and their buttons too. POST entries run once per role in ROLES order on the same
world: the first permitted role acts (302) and the others are refused (403)."""

from convoca.plenary import services
from tests.plenary.helpers import item

LOGIN = 302
CHAIR_PAGE = {"anonymous": LOGIN, "alice": 200, "*": 403}
CHAIR_POST = {"anonymous": LOGIN, "alice": 302, "*": 403}


def _cached(w, key, make):
    cache = w.__dict__.setdefault("_plenary", {})
    if key not in cache:
        cache[key] = make()
    return cache[key]


def _item(w):
    return _cached(w, "item", lambda: item(w, current=True))


def _slug(w):
    _item(w)
    return ["conferencia"]


def _item_args(w):
    return ["conferencia", _item(w).pk]


def _bob_waiting(w):
    return _cached(w, "bob", lambda: services.ask_to_speak(w.bob, _item(w)))


def _speaker_args(w):
    return ["conferencia", _bob_waiting(w).pk]


def _session_args(w):
    from tests.plenary.helpers import session

    return ["conferencia", _cached(w, "session", lambda: session(w)).pk]


def _projector(w):
    return _cached(w, "projector", lambda: services.create_projector(w.alice, w.conference, "Sala principal"))


def _version(w):
    return {"version": _item(w).version}


MATRIX = {
    "plenary:programme": {"args": _slug, "expect": {"*": 200}},
    "plenary:calendar": {"args": _slug, "expect": {"*": 200}},
    "plenary:live": {"args": _slug, "expect": {"*": 200}},
    "plenary:item": {"args": _item_args, "expect": {"*": 200}},
    # only bob is an accredited delegate; the others are told why not (403), anonymous visitors log in first
    "plenary:ask": {"args": _item_args, "method": "post", "data": lambda w: {"kind": "contribution"},
                    "expect": {"anonymous": LOGIN, "bob": 302, "*": 403}},
    # bob withdraws; the others are not on the list: a message, and back to the page
    "plenary:withdraw": {"args": lambda w: (_bob_waiting(w), _item_args(w))[1], "method": "post",
                         "data": lambda w: {}, "expect": {"*": 302}},
    "plenary:console": {"args": _slug, "expect": CHAIR_PAGE},
    "plenary:current": {"args": _slug, "method": "post", "data": lambda w: {"item": ""}, "expect": CHAIR_POST},
    "plenary:message": {"args": _slug, "method": "post", "data": lambda w: {"message": "Pausa"}, "expect": CHAIR_POST},
    "plenary:remote": {"args": _slug, "method": "post", "data": lambda w: {"registration": w.bob_reg.pk},
                       "expect": CHAIR_POST},
    "plenary:floor": {"args": lambda w: (_bob_waiting(w), _item_args(w))[1], "method": "post",
                      "data": lambda w: {"action": "next"}, "expect": CHAIR_POST},
    "plenary:list": {"args": _item_args, "method": "post", "data": lambda w: {"action": "close"}, "expect": CHAIR_POST},
    "plenary:rules": {"args": _item_args, "method": "post", "data": lambda w: {"first_time": "on"}, "expect": CHAIR_POST},
    "plenary:add": {"args": _item_args, "method": "post", "data": lambda w: {"registration": w.bob_reg.pk},
                    "expect": CHAIR_POST},
    "plenary:move": {"args": _speaker_args, "method": "post", "data": lambda w: {"place": 1, **_version(w)},
                     "expect": CHAIR_POST},
    "plenary:remove": {"args": _speaker_args, "method": "post", "data": lambda w: {}, "expect": CHAIR_POST},
    "plenary:manage": {"args": _slug, "expect": CHAIR_PAGE},
    "plenary:publish": {"args": _slug, "method": "post", "data": lambda w: {"action": "publish"}, "expect": CHAIR_POST},
    "plenary:session_create": {"args": _slug, "expect": CHAIR_PAGE},
    "plenary:session_edit": {"args": _session_args, "expect": CHAIR_PAGE},
    "plenary:item_create": {"args": _slug, "expect": CHAIR_PAGE},
    "plenary:item_edit": {"args": _item_args, "expect": CHAIR_PAGE},
    "plenary:projectors": {"args": _slug, "expect": CHAIR_PAGE},
    "plenary:projector": {"args": lambda w: ["conferencia", _projector(w)[0].pk], "expect": CHAIR_PAGE},
    # the answer shows the new address (a page, not a redirect: the address is shown once)
    "plenary:projector_renew": {"args": lambda w: ["conferencia", _projector(w)[0].pk], "method": "post",
                                "data": lambda w: {}, "expect": {"anonymous": LOGIN, "alice": 200, "*": 403}},
    "plenary:projector_delete": {"args": lambda w: ["conferencia", _projector(w)[0].pk], "method": "post",
                                 "data": lambda w: {}, "expect": CHAIR_POST},
    # a screen opens for whoever has its secret address, logged in or not
    "plenary:screen": {"args": lambda w: ["conferencia", _projector(w)[1]], "expect": {"*": 200}},
}
