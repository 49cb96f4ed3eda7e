"""The pure counting function: published worked examples and properties."""

import random
from dataclasses import replace
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
    # block_threshold is in votes
    assert compute_result(Spec(kind="consensus", options=opts, block_threshold=1), ballots, 6 * UNIT)["outcome"] == "blocked"
    assert compute_result(Spec(kind="consensus", options=opts, block_threshold=2), ballots, 6 * UNIT)["outcome"] == "adopted"


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
MAJORITIES = ["plurality", "simple", "absolute", "two_thirds", "custom"]


def spec_for(kind, seats=1, **kw):
    if kind == "yes_no":
        return Spec(kind=kind, options=YN, **kw)
    if kind == "consensus":
        return Spec(kind=kind, options=((1, "agree"), (2, "stand_aside"), (3, "block")), **kw)
    kw.setdefault("majority", "plurality")
    kw.setdefault("tie_break", "lot")
    kw.setdefault("seed", "s")
    return Spec(kind=kind, options=tuple((i, "") for i in range(1, 5)), seats=seats, **kw)


@st.composite
def rules(draw):
    """Any majority, base, custom share, block threshold and tie rule."""
    majority = draw(st.sampled_from(MAJORITIES))
    return {
        "majority": majority,
        "majority_share": Fraction(draw(st.integers(1, 100)), 100) if majority == "custom" else None,
        "base": draw(st.sampled_from(["valid", "cast", "eligible"])),
        "block_threshold": draw(st.sampled_from([1, 2, Fraction(1, 3)])),
        "tie_break": draw(st.sampled_from(["none", "lot"])),
        "seed": draw(st.sampled_from(["", "s", "other seed"])),
    }


@st.composite
def poll_ballots(draw, kinds=KINDS, any_rules=False, small_weights=False):
    kind = draw(st.sampled_from(kinds))
    seats = draw(st.integers(1, 3)) if kind in ("ranked", "multiple", "approval") else 1
    spec = spec_for(kind, seats, **(draw(rules()) if any_rules else {}))
    ids = [oid for oid, _ in spec.options]
    # small weights make exact ties frequent; large ones make every split of a vote
    weight = st.integers(1, 3).map(lambda n: n * UNIT) if small_weights else st.integers(1, 5 * UNIT)
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
    for rnd in result["rounds"]:  # every stage accounts for every vote, exactly
        kept = Fraction(rnd.get("fractions", "0")) + Fraction(rnd["exhausted"]) + sum(Fraction(v) for v in rnd["tallies"].values())
        counted = total - result["blank"]  # blank ranked ballots never enter the count
        assert kept * UNIT == counted


@settings(max_examples=150, deadline=None)
@given(poll_ballots(any_rules=True), st.randoms(use_true_random=False))
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


@settings(max_examples=200, deadline=None)
@given(poll_ballots(any_rules=True, small_weights=True), st.integers(0, 20))
def test_it_never_chooses_an_option_without_votes(case, extra_eligible):
    spec, ballots = case
    result = compute_result(spec, ballots, sum(w for _, w in ballots) + extra_eligible * UNIT)
    for winner in result["winners"]:
        assert result["counts"][str(winner)] > 0 or spec.kind == "ranked"
        if spec.kind == "ranked":  # a candidate is elected only with votes at some stage
            assert any(Fraction(r["tallies"].get(str(winner), "0")) > 0 for r in result["rounds"])
    assert len(result["winners"]) == len(set(result["winners"])) <= spec.seats


@settings(max_examples=200, deadline=None)
@given(poll_ballots(kinds=["yes_no", "consensus"], any_rules=True, small_weights=True), st.integers(0, 20))
def test_it_never_says_adopted_and_tie_at_once(case, extra_eligible):
    spec, ballots = case
    result = compute_result(spec, ballots, sum(w for _, w in ballots) + extra_eligible * UNIT)
    assert not (result["outcome"] == "adopted" and result["tie"])
    counts = result["counts"]
    yes, no = (counts["1"], counts["2"]) if spec.kind == "yes_no" else (counts["1"], counts["3"])
    if result["outcome"] == "adopted":
        assert yes > no


@settings(max_examples=200, deadline=None)
@given(poll_ballots(any_rules=True, small_weights=True))
def test_it_lets_no_lot_decide_when_ties_decide_nothing(case):
    spec, ballots = case
    spec = replace(spec, tie_break="none")
    results = [compute_result(replace(spec, seed=seed), ballots, 10**9) for seed in ("", "a", "b")]
    assert results[0] == results[1] == results[2]
    assert not results[0]["by_lot"]
    assert not any(r.get("by_lot") for r in results[0]["rounds"])


@settings(max_examples=150, deadline=None)
@given(poll_ballots(any_rules=True, small_weights=True), st.sampled_from([2, 3, 7]))
def test_it_uses_the_unit_only_as_a_denominator(case, factor):
    # the same election with every weight, the electorate and the unit multiplied gives the same result
    spec, ballots = case
    eligible = sum(w for _, w in ballots) + UNIT
    one = compute_result(spec, ballots, eligible)
    scaled = compute_result(replace(spec, unit=UNIT * factor), [(c, w * factor) for c, w in ballots], eligible * factor)
    for key in ("outcome", "winners", "tie", "by_lot", "rounds", "quorum_reached"):
        assert one[key] == scaled[key]
    assert {k: v * factor for k, v in one["counts"].items()} == scaled["counts"]


@settings(max_examples=100, deadline=None)
@given(poll_ballots(kinds=["ranked"], any_rules=True, small_weights=True))
def test_it_elects_by_quota_only_candidates_who_reach_it(case):
    spec, ballots = case
    result = compute_result(spec, ballots, 10**9)
    for rnd in result["rounds"]:
        if "quota" in rnd and rnd.get("elected") and rnd is not result["rounds"][-1]:
            # before the last stage, only the quota elects
            assert all(Fraction(rnd["tallies"][str(c)]) >= Fraction(rnd["quota"]) for c in rnd["elected"])
    if result["tie"]:
        assert spec.tie_break == "none" and result["rounds"][-1]["tie"]


@settings(max_examples=150, deadline=None)
@given(poll_ballots(kinds=["ranked"], small_weights=True))
def test_it_elects_with_ties_deciding_nothing_only_whom_every_draw_would_elect(case):
    spec, ballots = case
    none = compute_result(replace(spec, tie_break="none"), ballots, 10**9)
    for seed in ("a", "b", "c"):
        lot = compute_result(replace(spec, tie_break="lot", seed=seed), ballots, 10**9)
        if none["tie"]:
            assert set(none["winners"]) <= set(lot["winners"])
        else:  # the tie, if any, changed nothing: any draw elects the same
            assert set(none["winners"]) == set(lot["winners"])


def test_it_conserves_weight_in_a_random_stv_count():
    rng = random.Random(7)
    ids = list(range(1, 8))
    ballots = []
    for _ in range(300):
        prefs = rng.sample(ids, rng.randint(1, 7))
        ballots.append((tuple(prefs), rng.choice([UNIT, UNIT // 3, 2 * UNIT])))
    result = compute_result(ranked_spec(7, seats=3), ballots, 10**9)
    assert len(result["winners"]) == 3
    total = sum(w for _, w in ballots)
    for rnd in result["rounds"]:
        kept = Fraction(rnd["fractions"]) + Fraction(rnd["exhausted"]) + sum(Fraction(v) for v in rnd["tallies"].values())
        assert kept * UNIT == total
