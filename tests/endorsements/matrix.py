"""Role x expected status for every URL of endorsements. The conference's declaration is published; a
Colombian organisation's endorsement is verified (public). Sign-on, the list and the email's links are public;
the review page is for coordinators and national committees, the export for coordinators."""

from convoca.endorsements import services
from tests.endorsements.helpers import declaration, sign

LOGIN = 302


def _state(w):
    cache = w.__dict__.setdefault("_endorsements", {})
    if not cache:
        found = declaration(w)
        endorsement, (verify, withdraw) = sign(found, country="CO", organisation="Sindicato del Cauca")
        services.verify(verify)
        _e, (fresh, fresh_withdraw) = sign(found, email="otra@x.org", organisation="Otra")
        cache.update(endorsement=endorsement, verify=fresh, withdraw=fresh_withdraw)
    return cache


def _slug(w):
    _state(w)
    return ["conferencia"]


MATRIX = {
    "endorsements:list": {"args": _slug, "expect": {"*": 200}},
    "endorsements:counts": {"args": _slug, "expect": {"*": 200}},
    "endorsements:events": {"args": _slug, "expect": {"*": 200}},
    "endorsements:endorse": {"args": _slug, "expect": {"*": 200}},
    "endorsements:thanks": {"args": _slug, "expect": {"*": 200}},
    "endorsements:verify": {"args": lambda w: ["conferencia", _state(w)["verify"]], "expect": {"*": 200}},
    "endorsements:withdraw": {"args": lambda w: ["conferencia", _state(w)["withdraw"]], "expect": {"*": 200}},
    "endorsements:review": {"args": _slug, "expect": {"anonymous": LOGIN, "alice": 200, "carla": 200, "marco": 200,
                                                      "*": 403}},
    "endorsements:decide": {"args": lambda w: ["conferencia", _state(w)["endorsement"].pk], "method": "post",
                            "data": lambda w: {"decision": "approve"},
                            "expect": {"anonymous": LOGIN, "alice": 302, "carla": 302, "marco": 404, "*": 403}},
    "endorsements:export": {"args": _slug, "method": "post",
                            "expect": {"anonymous": LOGIN, "alice": 200, "*": 403}},
}
