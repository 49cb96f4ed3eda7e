"""Role x expected status for every URL of the proposals namespace.

bob is the accredited delegate (and the author of the proposals below) at the conference, which only
coordinators (alice) manage; carla's committee runs the Colombian meeting. Proposals that are not adopted
are hidden from anonymous visitors (404); pages behind a login send them to it first. POST entries run once per role in ROLES order on the same world:
the first permitted role acts (302) and the others are refused (403)."""

from convoca.proposals import services
from tests.proposals.helpers import amend, delegate, proposal, to_debate

LOGIN = 302


def _cached(w, key, make):
    cache = w.__dict__.setdefault("_proposals", {})
    if key not in cache:
        cache[key] = make()
    return cache[key]


def _p(state):
    return lambda w: ["conferencia", _cached(w, state, lambda: proposal(w, state)).pk]


def _with_amendment(w):
    def make():
        p = proposal(w, "amendment")
        amend(w, p, "replace", 1, text="Convocamos una jornada continental de lucha el 1.º de mayo.")
        return p
    return _cached(w, "amended", make)


def _debate_with_amendments(w):
    def make():
        p = proposal(w, "amendment")
        amend(w, p, "replace", 1, text="Convocamos una jornada continental de lucha el 1.º de mayo.")
        amend(w, p, "replace", 1, text="Convocamos una jornada continental de protesta el 1.º de mayo.")
        return to_debate(w, p)
    return _cached(w, "debate-amended", make)


def _conflict(w):
    p = _debate_with_amendments(w)
    for amendment in p.amendments.order_by("number"):
        amendment.proposal = p
        services.adopt_amendment(w.alice, amendment)
    return ["conferencia", p.pk, p.conflicts.get().pk]


def _national(w):
    def make():
        maria, _reg = delegate(w, "maria@example.org", "María", gathering=w.prep_co)
        p = proposal(w, "debate", gathering=w.prep_co, author=maria)
        services.adopt_proposal(w.carla, p)
        return p
    return ["prep-co", _cached(w, "national", make).pk]


def _theme(w):
    theme = services.add_theme(w.alice, w.conference, name="Migración", prefix="MIG")
    return ["conferencia", theme.pk]


def _declaration(w):
    """A draft declaration of the conference with one section, from an adopted proposal."""
    def make():
        declaration = services.start_declaration(w.alice, w.conference, title="Declaración de Panamá")
        section = services.add_section(w.alice, declaration, proposal(w, "adopted"))
        return declaration, section
    return _cached(w, "declaration", make)


def _with_declaration(w):
    _declaration(w)
    return ["conferencia"]


def _section(w):
    return ["conferencia", _declaration(w)[1].pk]


MANAGERS = {"anonymous": LOGIN, "alice": 200, "*": 403}
MEMBERS = {"anonymous": 404, "*": 200}

MATRIX = {
    "proposals:list": {"args": lambda w: ["conferencia"], "expect": {"*": 200}},
    "proposals:create": {"args": lambda w: ["conferencia"], "expect": {"anonymous": LOGIN, "bob": 200, "*": 403}},
    "proposals:export": {"args": lambda w: ["conferencia"], "expect": MANAGERS},
    "proposals:settings": {"args": lambda w: ["conferencia"], "expect": MANAGERS},
    "proposals:themes": {"args": lambda w: ["conferencia"], "expect": MANAGERS},
    "proposals:theme_create": {"args": lambda w: ["conferencia"], "expect": MANAGERS},
    "proposals:theme_edit": {"args": _theme, "expect": MANAGERS},
    "proposals:merge": {"args": lambda w: ["conferencia"], "expect": MANAGERS},
    # a submitted proposal: members read it, anonymous visitors only read adopted ones
    "proposals:detail": {"args": _p("submitted"), "expect": MEMBERS},
    "proposals:history": {"args": _p("submitted"), "expect": MEMBERS},
    "proposals:edit": {"args": _p("submitted"), "expect": {"anonymous": LOGIN, "alice": 200, "bob": 200, "*": 403}},
    "proposals:transition": {
        "args": lambda w: [*_p("submitted")(w), "admit"], "expect": {"anonymous": LOGIN, "alice": 200, "*": 403},
    },
    # bob's organisation already submits it: co-sponsoring again changes nothing
    "proposals:support": {
        "args": _p("submitted"), "method": "post", "data": lambda w: {},
        "expect": {"anonymous": LOGIN, "bob": 302, "*": 403},
    },
    "proposals:forward": {"args": _national, "expect": {"anonymous": LOGIN, "carla": 200, "*": 403}},
    "proposals:poll": {
        "args": _p("debate"), "method": "post", "data": lambda w: {"secrecy": "open"},
        "expect": {"anonymous": LOGIN, "alice": 302, "*": 403},
    },
    "proposals:amend": {"args": _p("amendment"), "expect": {"anonymous": LOGIN, "bob": 200, "*": 403}},
    "proposals:alternatives": {
        "args": lambda w: ["conferencia", _debate_with_amendments(w).pk],
        "expect": {"anonymous": LOGIN, "alice": 200, "*": 403},
    },
    # withdrawn by alice first; bob (its author) is then told it is withdrawn already
    "proposals:amendment_action": {
        "args": lambda w: ["conferencia", _with_amendment(w).pk, 1, "withdraw"], "method": "post",
        "data": lambda w: {}, "expect": {"anonymous": LOGIN, "alice": 302, "bob": 302, "*": 403},
    },
    "proposals:resolve": {"args": _conflict, "expect": {"anonymous": LOGIN, "alice": 200, "*": 403}},
    # the declaration: a draft is read by members (hidden from anonymous visitors), composed by the organisers
    "proposals:declaration": {"args": _with_declaration, "expect": MEMBERS},
    "proposals:declaration_history": {"args": _with_declaration, "expect": MEMBERS},
    "proposals:declaration_compose": {"args": _with_declaration, "expect": MANAGERS},
    "proposals:declaration_section": {"args": _section, "expect": MANAGERS},
    "proposals:declaration_publish": {"args": _with_declaration, "expect": MANAGERS},
    # a proposal already behind a section gives it back: adding it again changes nothing
    "proposals:declaration_add": {
        "args": _with_declaration, "method": "post",
        "data": lambda w: {"proposal": _declaration(w)[1].sources.get().pk},
        "expect": {"anonymous": LOGIN, "alice": 302, "*": 403},
    },
    "proposals:declaration_move": {
        "args": _section, "method": "post", "data": lambda w: {"position": 1},
        "expect": {"anonymous": LOGIN, "alice": 302, "*": 403},
    },
    "proposals:declaration_remove": {
        "args": _section, "method": "post", "data": lambda w: {},
        "expect": {"anonymous": LOGIN, "alice": 302, "*": 403},
    },
}
