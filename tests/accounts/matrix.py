from django.test import Client

from convoca.accounts.models import LoginSession
from convoca.accounts.services import create_api_token

from .helpers import make_invitation


def _pending_invitation(world):
    invitation, _raw = make_invitation(world, email="matrix@example.org")
    return [invitation.pk]


def _nadias_token(world):
    token, _raw = create_api_token(world.nadia, "matrix")
    return [token.pk]


def _nadias_other_session(world):
    Client().force_login(world.nadia)  # a login elsewhere
    return [LoginSession.objects.filter(user=world.nadia).latest("created_at").pk]


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
    # Without a login waiting for its code, the code page sends everyone to log in.
    "accounts:login_code": {"expect": {"*": 302}},
    # Accounts with an authenticator app (coordinators and committee members must have one) are asked a code;
    # the others are sent to set one up.
    "accounts:confirm_code": {"expect": {"anonymous": 302, "alice": 200, "carla": 200, "marco": 200, "*": 302}},
    "accounts:two_factor": {"expect": {"anonymous": 302, "*": 200}},
    # New codes are shown in the answer itself; without an authenticator app there is nothing to renew (302 back).
    "accounts:recovery_codes": {
        "method": "post", "expect": {"anonymous": 302, "alice": 200, "carla": 200, "marco": 200, "*": 302},
    },
    "accounts:two_factor_remove": {"method": "post", "expect": {"*": 302}},
    # Only its owner can end a session; for anyone else it does not exist.
    "accounts:session_revoke": {
        "args": _nadias_other_session, "method": "post", "expect": {"anonymous": 302, "nadia": 302, "*": 404},
    },
    "accounts:sessions_revoke_others": {"method": "post", "expect": {"*": 302}},
    # Only its owner can revoke a token; for anyone else it does not exist.
    "accounts:token_revoke": {
        "args": _nadias_token, "method": "post", "expect": {"anonymous": 302, "nadia": 302, "*": 404},
    },
}
