"""Imports are for coordinators only (alice). A staged import is seen by the
coordinator who uploaded it; every other role gets 403, anonymous visitors
the login page."""

from convoca.imports import services

ORGS = "nombre;país;sector\nColectivo Matriz;Perú;sindicato\n".encode()


def _staged(w):
    _preview, batch = services.stage_import(w.alice, "organisations", ORGS, filename="matriz.csv")
    return batch


def _confirmed(w):
    batch = _staged(w)
    services.confirm_import(w.alice, batch)
    return batch


COORDINATOR_ONLY = {"anonymous": 302, "alice": 200, "*": 403}

MATRIX = {
    "imports:start": {"expect": COORDINATOR_ONLY},
    "imports:preview": {"args": lambda w: [_staged(w).pk], "expect": COORDINATOR_ONLY},
    # alice is redirected to the confirmation page; the others are refused.
    "imports:confirm": {"method": "post", "args": lambda w: [_staged(w).pk],
                        "expect": {"anonymous": 302, "alice": 302, "*": 403}},
    "imports:discard": {"method": "post", "args": lambda w: [_staged(w).pk],
                        "expect": {"anonymous": 302, "alice": 302, "*": 403}},
    "imports:done": {"args": lambda w: [_confirmed(w).pk], "expect": COORDINATOR_ONLY},
    # One sheet only: alice is sent back to the preview with a message.
    "imports:sheet": {"method": "post", "args": lambda w: [_staged(w).pk],
                      "expect": {"anonymous": 302, "alice": 302, "*": 403}},
    "imports:skipped": {"args": lambda w: [_staged(w).pk], "expect": COORDINATOR_ONLY},
}
