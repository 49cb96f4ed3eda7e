"""Role x expected status for every URL of the voting app (see tests/test_authz_matrix.py)."""

from django.utils import timezone

from convoca.voting import services
from convoca.voting.models import Poll, Proxy


def _draft(w):
    return services.create_poll(w.alice, w.conference, title="Matrix poll", kind="yes_no").pk


PASSPHRASE = "matrix teller passphrase"


def _open(w):
    w.bob_reg.checked_in_at = timezone.now()
    w.bob_reg.save(update_fields=["checked_in_at"])
    poll = services.create_poll(w.alice, w.conference, title="Matrix open poll", kind="yes_no")
    services.set_teller_passphrase(w.alice, poll, PASSPHRASE)  # alice, who created it, is its teller
    services.open_poll(w.alice, poll)
    return poll.pk


def _sealed(w):
    """A closed secret poll waiting for its teller (alice)."""
    poll = Poll.objects.get(pk=_open(w))
    services.close_poll(w.alice, poll)
    return poll.pk


def _published(w):
    poll = Poll.objects.get(pk=_sealed(w))
    services.count_sealed(w.alice, poll, [(w.alice, PASSPHRASE)])
    services.publish_poll(w.alice, poll)
    return poll.pk


def _ballot(w):
    poll = Poll.objects.filter(title="Matrix open poll").latest("pk")
    yes = poll.options.get(code="yes").pk
    return {"choice": str(yes), "idempotency_key": "matrix-key-0123456789"}


def _proxy(w):
    from tests.voting.helpers import add_delegate

    _user, reg = add_delegate(w, "dora@example.org", "Dora Delegada", w.org_mx)
    return Proxy.objects.create(gathering=w.conference, giver=reg, holder=w.bob_reg).pk


MEMBERS = {"anonymous": 302, "*": 200}
MANAGERS_GET = {"anonymous": 302, "alice": 200, "*": 403}
MANAGERS_POST = {"anonymous": 302, "alice": 302, "*": 403}

MATRIX = {
    "voting:list": {"args": lambda w: ["conferencia"], "expect": MEMBERS},
    "voting:create": {"args": lambda w: ["conferencia"], "expect": MANAGERS_GET},
    "voting:picker": {"args": lambda w: ["conferencia", "chosen_voters"], "expect": MANAGERS_GET},
    "voting:proxies": {"args": lambda w: ["conferencia"], "expect": MEMBERS},
    # bob holds the proxy: he may revoke it too (after alice did, he gets the "already revoked" message);
    # to anyone else a proxy between two other delegates does not exist
    "voting:proxy_revoke": {"args": lambda w: [_proxy(w)], "method": "post", "data": lambda w: {},
                            "expect": {"anonymous": 302, "alice": 302, "bob": 302, "*": 404}},
    "voting:detail": {"args": lambda w: [_open(w)], "expect": MEMBERS},
    # only bob (accredited, checked in) is on the roll; he gets his receipt page
    "voting:cast": {"args": lambda w: [_open(w)], "method": "post", "data": _ballot,
                    "expect": {"anonymous": 302, "bob": 200, "*": 403}},
    "voting:open": {"args": lambda w: [_draft(w)], "method": "post", "data": lambda w: {}, "expect": MANAGERS_POST},
    "voting:close": {"args": lambda w: [_open(w)], "method": "post", "data": lambda w: {}, "expect": MANAGERS_POST},
    "voting:publish": {"args": lambda w: [_draft(w)], "method": "post", "data": lambda w: {}, "expect": MANAGERS_POST},
    "voting:annul": {"args": lambda w: [_draft(w)], "expect": MANAGERS_GET},
    "voting:receipts": {"args": lambda w: [_draft(w)], "expect": {"*": 200}},
    # published results of a public gathering: everyone, anonymous visitors included (no login page)
    "voting:results": {"args": lambda w: [_published(w)], "expect": {"*": 200}},
    # only a teller (alice, the creator) sets a teller passphrase; the wrong one is refused on the form (200)
    "voting:teller": {"args": lambda w: [_draft(w)], "method": "post",
                      "data": lambda w: {"passphrase": "short", "confirm": "short"},
                      "expect": {"anonymous": 302, "alice": 200, "*": 403}},
    # managers and tellers may open the count page; carla manages only her own preparatory meeting
    "voting:count": {"args": lambda w: [_sealed(w)], "expect": MANAGERS_GET},
    "voting:turnout": {"args": lambda w: [_open(w)], "expect": MEMBERS},
    "voting:audit": {"args": lambda w: [_draft(w)], "expect": MANAGERS_GET},
}
