from convoca.accounts.services import create_api_token

from .helpers import make_invitation


def _pending_invitation(world):
    invitation, _raw = make_invitation(world, email="matrix@example.org")
    return [invitation.pk]


def _nadias_token(world):
    token, _raw = create_api_token(world.nadia, "matrix")
    return [token.pk]


MATRIX = {
    "accounts:login": {"expect": {"anonymous": 200, "*": 302}},
    "accounts:logout": {"method": "post", "expect": {"*": 302}},
    "accounts:me": {"expect": {"anonymous": 302, "*": 200}},
    "accounts:password_reset": {"expect": {"*": 200}},
    "accounts:password_reset_done": {"expect": {"*": 200}},
    "accounts:password_reset_confirm": {"args": lambda w: ["MQ", "forged-token"], "expect": {"*": 404}},
    "accounts:password_reset_complete": {"expect": {"*": 200}},
    "accounts:invitations": {"expect": {"anonymous": 302, "alice": 200, "*": 403}},
    # alice withdraws it (302); others are refused before anything is looked up.
    "accounts:invitation_revoke": {
        "args": _pending_invitation, "method": "post", "expect": {"anonymous": 302, "alice": 302, "*": 403},
    },
    "accounts:invitation_accept": {"args": lambda w: ["forged-token"], "expect": {"*": 404}},
    "accounts:tokens": {"expect": {"anonymous": 302, "*": 200}},
    # Only its owner can revoke a token; for anyone else it does not exist.
    "accounts:token_revoke": {
        "args": _nadias_token, "method": "post", "expect": {"anonymous": 302, "nadia": 302, "*": 404},
    },
}
