from convoca.voting.demo import load_demo_polls
from convoca.voting.models import Poll, Proxy

from .helpers import add_delegate, check_in


def test_it_loads_polls_in_every_state_with_an_stv_election_a_proxy_and_a_blocked_consensus(world):
    w = world
    check_in(w.bob_reg)
    for i in range(5):
        add_delegate(w, f"demo{i}@example.org", f"Demo {i}", w.org_mx if i % 2 else w.org_co)
    add_delegate(w, "away@example.org", "Away", w.org_mx, present=False)
    polls = load_demo_polls(w.conference, w.alice)
    assert {p.state for p in polls} == set(Poll.State.values)
    stv = next(p for p in polls if p.kind == "ranked")
    assert stv.secrecy == "secret" and len(stv.result["winners"]) == 3
    assert next(p for p in polls if p.kind == "consensus").result["outcome"] == "blocked"
    assert Proxy.objects.filter(gathering=w.conference, revoked_at__isnull=True).count() == 1
