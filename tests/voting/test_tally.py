"""The pure counting function: published worked examples and properties."""

import random
from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from convoca.voting.tally import UNIT, Spec, compute_result

YN = ((1, "yes"), (2, "no"), (3, "abstain"))


def ranked_spec(n, seats=1, **kw):
    return Spec(kind="ranked", options=tuple((i, "") for i in range(1, n + 1)), seats=seats, **kw)


def votes(groups):
    """[(count, prefs)] -> ballots of weight 1 vote each."""
    return [(tuple(prefs), UNIT) for count, prefs in groups for _ in range(count)]


def test_it_elects_knoxville_in_the_tennessee_instant_runoff_example():
    # Wikipedia, "Instant-runoff voting": Memphis 42, Nashville 26, Chattanooga 15, Knoxville 17.
    M, N, C, K = 1, 2, 3, 4
    ballots = votes([(42, [M, N, C, K]), (26, [N, C, K, M]), (15, [C, K, N, M]), (17, [K, C, N, M])])
    result = compute_result(ranked_spec(4), ballots, 100 * UNIT)
    assert result["winners"] == [K]
    assert [r.get("excluded") for r in result["rounds"][:2]] == [C, N]
    assert result["rounds"][-1]["tallies"] == {str(M): "42", str(K): "58"}


def test_it_elects_chocolate_oranges_strawberries_in_the_wikipedia_stv_example():
    # Wikipedia, "Single transferable vote": 20 voters, 3 seats, Droop quota 6.
    OR, P, CH, S, H = 1, 2, 3, 4, 5
    ballots = votes([(4, [OR]), (2, [P, OR]), (8, [CH, S]), (4, [CH, H]), (1, [S]), (1, [H])])
    result = compute_result(ranked_spec(5, seats=3), ballots, 20 * UNIT)
    assert result["rounds"][0]["quota"] == "6"
    assert result["winners"] == [CH, OR, S]
    # Chocolate's surplus of 6 goes 4 to Strawberries and 2 to Hamburgers.
    assert result["rounds"][1]["tallies"][str(S)] == "5"
    assert result["rounds"][1]["tallies"][str(H)] == "3"
    assert result["rounds"][1]["excluded"] == P


def test_it_rejects_a_yes_no_tie_under_simple_majority():
    result = compute_result(Spec(kind="yes_no", options=YN), [((1,), UNIT), ((2,), UNIT)], 2 * UNIT)
    assert result["outcome"] == "rejected" and result["tie"]


def test_it_counts_abstentions_only_where_the_base_says_so():
    ballots = [((1,), 3 * UNIT), ((2,), 2 * UNIT), ((3,), 2 * UNIT)]
    valid = compute_result(Spec(kind="yes_no", options=YN, base="valid"), ballots, 7 * UNIT)
    cast = compute_result(Spec(kind="yes_no", options=YN, base="cast"), ballots, 7 * UNIT)
    assert valid["outcome"] == "adopted" and cast["outcome"] == "rejected"


def test_it_requires_two_thirds_and_absolute_majorities():
    ballots = [((1,), 2 * UNIT), ((2,), UNIT)]
    assert compute_result(Spec(kind="yes_no", options=YN, majority="two_thirds"), ballots, 3 * UNIT)["outcome"] == "adopted"
    assert compute_result(Spec(kind="yes_no", options=YN, majority="absolute"), ballots, 5 * UNIT)["outcome"] == "rejected"


def test_it_fails_without_quorum():
    ballots = [((1,), UNIT)]
    result = compute_result(Spec(kind="yes_no", options=YN, quorum=Fraction(1, 2)), ballots, 3 * UNIT)
    assert result["outcome"] == "no_quorum"


def test_it_blocks_a_consensus_when_blocks_reach_the_threshold():
    opts = ((1, "agree"), (2, "stand_aside"), (3, "block"))
    ballots = [((1,), 5 * UNIT), ((3,), UNIT)]
    assert compute_result(Spec(kind="consensus", options=opts, block_threshold=UNIT), ballots, 6 * UNIT)["outcome"] == "blocked"
    assert compute_result(Spec(kind="consensus", options=opts, block_threshold=2 * UNIT), ballots, 6 * UNIT)["outcome"] == "adopted"


def test_it_draws_lots_reproducibly_from_the_published_seed():
    opts = ((1, ""), (2, ""), (3, ""))
    ballots = [((1,), UNIT), ((2,), UNIT)]
    none = compute_result(Spec(kind="single", options=opts, majority="plurality"), ballots, 2 * UNIT)
    assert none["outcome"] == "tie" and none["winners"] == []
    spec = Spec(kind="single", options=opts, majority="plurality", tie_break="lot", seed="abc")
    first = compute_result(spec, ballots, 2 * UNIT)
    assert first["winners"] in ([1], [2]) and first == compute_result(spec, list(reversed(ballots)), 2 * UNIT)


# --- properties ----------------------------------------------------------------

KINDS = ["yes_no", "single", "multiple", "approval", "ranked", "consensus"]


def spec_for(kind, seats=1):
    if kind == "yes_no":
        return Spec(kind=kind, options=YN)
    if kind == "consensus":
        return Spec(kind=kind, options=((1, "agree"), (2, "stand_aside"), (3, "block")))
    return Spec(kind=kind, options=tuple((i, "") for i in range(1, 5)), seats=seats, majority="plurality",
                tie_break="lot", seed="s")


@st.composite
def poll_ballots(draw):
    kind = draw(st.sampled_from(KINDS))
    seats = draw(st.integers(1, 3)) if kind in ("ranked", "multiple", "approval") else 1
    spec = spec_for(kind, seats)
    ids = [oid for oid, _ in spec.options]
    weight = st.integers(1, 5 * UNIT)
    if kind in ("yes_no", "consensus", "single"):
        choice = st.sampled_from(ids).map(lambda o: (o,))
    elif kind == "ranked":
        choice = st.permutations(ids).flatmap(lambda p: st.integers(0, len(p)).map(lambda n: tuple(p[:n])))
    else:
        choice = st.sets(st.sampled_from(ids)).map(lambda s: tuple(sorted(s)))
    ballots = draw(st.lists(st.tuples(choice, weight), max_size=25))
    return spec, ballots


@settings(max_examples=150, deadline=None)
@given(poll_ballots())
def test_it_conserves_the_total_weight(case):
    spec, ballots = case
    result = compute_result(spec, ballots, 10**9)
    total = sum(w for _, w in ballots)
    assert result["cast"] == total
    if spec.kind in ("yes_no", "consensus", "single", "ranked"):
        assert sum(result["counts"].values()) + result["blank"] == total
    for rnd in result["rounds"]:  # every transfer round accounts for every vote
        kept = Fraction(rnd.get("retained", "0")) + Fraction(rnd["exhausted"]) + sum(Fraction(v) for v in rnd["tallies"].values())
        counted = total - result["blank"]  # blank ranked ballots never enter the count
        assert abs(kept * UNIT - counted) <= len(ballots) + len(rnd["tallies"])  # 6-decimal display rounding only


@settings(max_examples=150, deadline=None)
@given(poll_ballots(), st.randoms(use_true_random=False))
def test_it_ignores_the_order_of_ballots(case, rnd):
    spec, ballots = case
    shuffled = list(ballots)
    rnd.shuffle(shuffled)
    assert compute_result(spec, ballots, 10**9) == compute_result(spec, shuffled, 10**9)


@settings(max_examples=150, deadline=None)
@given(poll_ballots(), st.data())
def test_it_never_lowers_a_choice_when_a_ballot_is_added(case, data):
    spec, ballots = case
    if not ballots:
        return
    extra = data.draw(st.sampled_from(ballots))
    before = compute_result(spec, ballots, 10**9)["counts"]
    after = compute_result(spec, ballots + [extra], 10**9)["counts"]
    marked = extra[0][:1] if spec.kind == "ranked" else extra[0]
    for oid in marked:
        assert after[str(oid)] > before[str(oid)]
    for oid, value in before.items():
        assert after[oid] >= value


def test_it_conserves_weight_in_a_random_stv_count():
    rng = random.Random(7)
    ids = list(range(1, 8))
    ballots = []
    for _ in range(300):
        prefs = rng.sample(ids, rng.randint(1, 7))
        ballots.append((tuple(prefs), rng.choice([UNIT, UNIT // 3, 2 * UNIT])))
    result = compute_result(ranked_spec(7, seats=3), ballots, 10**9)
    assert len(result["winners"]) == 3
