"""The counting rules, one test per bug the independent oracles found (issue 7,
"Exact counting"), and hand-checked Scottish STV counts."""

from fractions import Fraction

import pytest
from django.utils import translation

from convoca.voting.tally import UNIT, Spec, compute_result, rules_text

YN = ((1, "yes"), (2, "no"), (3, "abstain"))
CONSENSUS = ((1, "agree"), (2, "stand_aside"), (3, "block"))


def ranked(n, seats=1, **kw):
    return Spec(kind="ranked", options=tuple((i, "") for i in range(1, n + 1)), seats=seats, **kw)


def votes(groups, unit=UNIT):
    """[(count, prefs)] -> ballots of one vote each."""
    return [(tuple(prefs), unit) for count, prefs in groups for _ in range(count)]


# --- 1. an option with no votes is never chosen ---------------------------------


def test_it_elects_no_option_with_zero_votes_in_a_single_choice_drawn_by_lot():
    spec = Spec(kind="single", options=((1, ""), (2, ""), (3, "")), majority="plurality", tie_break="lot", seed="x")
    result = compute_result(spec, [], 3 * UNIT)
    assert result["winners"] == [] and not result["tie"] and not result["by_lot"]
    assert result["outcome"] == "no_majority"


def test_it_elects_no_option_with_zero_votes_to_fill_a_multiple_choice():
    spec = Spec(kind="multiple", options=((1, ""), (2, ""), (3, "")), seats=2, majority="plurality", tie_break="lot")
    result = compute_result(spec, [((1,), UNIT)], 3 * UNIT)
    assert result["winners"] == [1] and not result["tie"]
    none = compute_result(Spec(kind="multiple", options=((1, ""), (2, ""), (3, "")), seats=2, majority="plurality"),
                          [((1,), UNIT)], 3 * UNIT)
    assert none["winners"] == [1] and not none["tie"]


def test_it_elects_no_stv_candidate_with_zero_votes_to_fill_the_seats_left():
    # 3 seats, 4 candidates, every ballot for 1 only: 1 is elected on the quota (2 = floor(5/4)+1),
    # 2, 3 and 4 have no votes at all and are excluded together: two seats stay empty, no lot, no tie.
    result = compute_result(ranked(4, seats=3, tie_break="lot"), votes([(5, [1])]), 5 * UNIT)
    assert result["winners"] == [1] and not result["tie"] and not result["by_lot"]
    assert result["rounds"][1]["excluded_together"] == [2, 3, 4]


# --- 2. exact weights: weights in units of spec.unit ------------------------------


def test_it_counts_an_organisation_split_over_three_delegates_as_an_exact_tie():
    # one organisation, one vote, three delegates of 1/3 each (unit 3): one yes, one no, one silent
    spec = Spec(kind="yes_no", options=YN, unit=3)
    result = compute_result(spec, [((1,), 1), ((2,), 1)], 3)
    assert result["outcome"] == "rejected" and result["tie"]
    assert result["counts"] == {"1": 1, "2": 1, "3": 0} and result["unit"] == 3


def test_it_blocks_when_three_thirds_of_a_vote_block_with_a_threshold_of_one_vote():
    # three organisations of one vote, three delegates each (unit 3): the last delegate of each blocks
    ballots = [((1,), 1), ((1,), 1), ((3,), 1)] * 3
    spec = Spec(kind="consensus", options=CONSENSUS, block_threshold=1, unit=3)
    assert compute_result(spec, ballots, 9)["outcome"] == "blocked"
    # the same with a threshold of one vote and a third: not blocked, and the blocks stay votes against
    spec = Spec(kind="consensus", options=CONSENSUS, block_threshold=Fraction(4, 3), unit=3)
    assert compute_result(spec, ballots, 9)["outcome"] == "adopted"


def test_it_computes_the_droop_quota_in_whole_votes_of_the_spec_unit():
    # 7 votes of weight 1/3 (unit 3) = 2 1/3 votes, 2 seats: quota floor(7/3 / 3) + 1 = 1 vote
    result = compute_result(ranked(3, seats=2, unit=3), votes([(4, [1]), (3, [2])], unit=1), 7)
    assert result["rounds"][0]["quota"] == "1"
    assert result["rounds"][0]["tallies"] == {"1": "1.333333", "2": "1", "3": "0"}
    assert result["winners"] == [1, 2]


# --- 3. ties set to "none": no lot ever decides ------------------------------------


@pytest.mark.parametrize("seed", ["", "a", "b", "c", "d", "e", "f", "g"])
def test_it_reports_an_instant_runoff_exclusion_tie_whatever_the_seed(seed):
    A, B, C = 1, 2, 3
    result = compute_result(ranked(3, seed=seed), votes([(1, [A]), (1, [B]), (1, [C, A])]), 3 * UNIT)
    assert result["outcome"] == "tie" and result["tie"] and result["winners"] == []
    assert result["rounds"][-1]["tied"] == [A, B, C] and not result["by_lot"]


def test_it_draws_an_instant_runoff_exclusion_by_lot_and_records_it():
    A, B, C = 1, 2, 3
    outcomes = set()
    for seed in "abcdefghij":
        result = compute_result(ranked(3, seed=seed, tie_break="lot"), votes([(1, [A]), (1, [B]), (1, [C, A])]), 3 * UNIT)
        assert not result["tie"] and result["by_lot"] and result["rounds"][0]["by_lot"]
        assert len(result["winners"]) == 1
        outcomes.add(result["winners"][0])
    assert len(outcomes) > 1  # the seed decides, as published


def test_it_elects_when_every_way_of_an_instant_runoff_tie_gives_the_same_winner():
    # A 3, B 2, C 1 (then A), D 1 (then B): C and D tie, no earlier round. Excluding C elects A (4 of 7);
    # excluding D gives A 3, B 3, C 1, then C goes and A has 4. Same winner either way: no tie.
    A, B, C, D = 1, 2, 3, 4
    result = compute_result(ranked(4), votes([(3, [A]), (2, [B]), (1, [C, A]), (1, [D, B])]), 7 * UNIT)
    assert result["winners"] == [A] and not result["tie"]
    assert result["rounds"][0]["tied"] == [C, D] and result["rounds"][0]["every_way"]


def test_it_breaks_an_exclusion_tie_by_the_most_recent_earlier_round():
    # 11 votes: 5 A, 3 B, 1 C>D, 2 D>B.  Round 1: A 5, B 3, C 1, D 2 (no majority): C goes to D.
    # Round 2: A 5, B 3, D 3: B and D tie, but in round 1 D had fewer: D is excluded, no lot, no fork.
    # Round 3: A 5, B 5: tied again; in round 2 B had fewer: B is excluded and A elected.
    A, B, C, D = 1, 2, 3, 4
    result = compute_result(ranked(4), votes([(5, [A]), (3, [B]), (1, [C, D]), (2, [D, B])]), 11 * UNIT)
    assert [r.get("excluded") for r in result["rounds"]] == [C, D, B, None]
    assert not any("tied" in r for r in result["rounds"])
    assert result["winners"] == [A] and not result["tie"]
    # with no earlier difference the tie is followed both ways: 4 A, 3 B, 2 C, 3 D gives A either way
    even = compute_result(ranked(4), votes([(4, [A]), (3, [B]), (2, [C]), (3, [D])]), 12 * UNIT)
    assert even["rounds"][1]["tied"] == [B, D] and even["winners"] == [A] and not even["tie"]


def test_it_reports_an_unresolved_stv_exclusion_tie():
    # 2 seats, 10 votes, quota floor(10/3)+1 = 4. Stage 1: A 6 elected; its surplus 2 has no next preference
    # (transfer value 2/6 -> 0.33333, exhausted 6 x 0.33333 = 1.99998, 0.00002 lost to the fifth decimal).
    # Stage 2: B 2, C 2 for one seat, equal at every stage: B or C, the result is a tie; A stays elected.
    A, B, C = 1, 2, 3
    result = compute_result(ranked(3, seats=2), votes([(6, [A]), (2, [B]), (2, [C])]), 10 * UNIT)
    assert result["winners"] == [A] and result["tie"] and result["outcome"] == "elected"
    assert result["rounds"][1]["tallies"] == {"1": "4", "2": "2", "3": "2"}
    assert result["rounds"][1]["exhausted"] == "1.99998" and result["rounds"][1]["fractions"] == "0.00002"
    assert result["rounds"][-1]["tie"] and result["rounds"][-1]["tied"] == [B, C]
    lot = compute_result(ranked(3, seats=2, tie_break="lot", seed="s"), votes([(6, [A]), (2, [B]), (2, [C])]), 10 * UNIT)
    assert len(lot["winners"]) == 2 and not lot["tie"] and lot["by_lot"]


# --- 4. Scottish STV --------------------------------------------------------------

# 100 votes, 4 seats, 6 candidates; quota floor(100/5) + 1 = 21.
#   30 A>C>E, 26 B>C>D, 12 C>E, 11 D>E, 8 E>F, 13 F
# Scottish rules (one surplus per stage, largest first; an elected candidate gets no more papers):
#   stage 1: A 30, B 26, C 12, D 11, E 8, F 13 -> A and B elected; A's surplus 9 is the largest
#   stage 2: A's 30 papers at 9/30 = 0.30000 go to C: C 21 -> elected (no surplus); B's surplus 5 next
#   stage 3: B's 26 papers at 5/26 = 0.19230 (0.192307... cut) skip C (elected) and go to D:
#            D 11 + 4.99980 = 15.9998; 0.0002 lost to the fifth decimal. No surplus left: E (8) excluded
#   stage 4: E's 8 papers go to F: F 21. Elected: A, B, C, F.
# All surpluses of a stage transferred together (the count this replaces) gives C 26 first (9 + 5), then
# C's surplus goes mostly to E, D (11.96) is excluded before E (12.04), and E is elected instead of F.
FOUR_SEATS = [(30, [1, 3, 5]), (26, [2, 3, 4]), (12, [3, 5]), (11, [4, 5]), (8, [5, 6]), (13, [6])]


def test_it_transfers_one_surplus_per_stage_the_largest_first():
    A, B, C, E, F = 1, 2, 3, 5, 6
    result = compute_result(ranked(6, seats=4), votes(FOUR_SEATS), 100 * UNIT)
    assert result["method"] == "scottish_stv"
    assert result["winners"] == [A, B, C, F] and not result["tie"]
    stages = result["rounds"]
    assert [r["quota"] for r in stages] == ["21"] * 4
    assert stages[0]["elected"] == [A, B] and stages[0]["surplus"] == A
    assert stages[1]["tallies"] == {"1": "21", "2": "26", "3": "21", "4": "11", "5": "8", "6": "13"}
    assert stages[1]["elected"] == [C] and stages[1]["surplus"] == B
    assert stages[2]["tallies"] == {"1": "21", "2": "21", "3": "21", "4": "15.9998", "5": "8", "6": "13"}
    assert stages[2]["fractions"] == "0.0002" and stages[2]["excluded"] == E
    assert stages[3]["tallies"] == {"1": "21", "2": "21", "3": "21", "4": "15.9998", "6": "21"}
    assert stages[3]["elected"] == [F] and len(stages) == 4


def test_it_elects_chocolate_oranges_strawberries_under_the_scottish_rules():
    # Wikipedia, "Single transferable vote": 20 voters, 3 seats, quota floor(20/4)+1 = 6.
    # Stage 1: Chocolate 12 elected, surplus 6 at 6/12 = 0.5: 4 to Strawberries, 2 to Hamburgers.
    # Stage 2: Oranges 4, Pears 2, Strawberries 5, Hamburgers 3 -> Pears excluded, to Oranges.
    # Stage 3: Oranges 6 elected (no surplus); Hamburgers 3 excluded. Stage 4: Strawberries elected.
    OR, P, CH, S, H = 1, 2, 3, 4, 5
    ballots = votes([(4, [OR]), (2, [P, OR]), (8, [CH, S]), (4, [CH, H]), (1, [S]), (1, [H])])
    result = compute_result(ranked(5, seats=3), ballots, 20 * UNIT)
    assert [r.get("excluded") for r in result["rounds"]] == [None, P, H, None]
    assert result["rounds"][2]["tallies"] == {"1": "6", "3": "6", "4": "5", "5": "3"}
    assert result["winners"] == [CH, OR, S]


def test_it_orders_equal_surpluses_by_the_most_recent_earlier_stage():
    # 100 votes, 4 seats, quota 21.  40 W>Y, 25 X>Z, 6 Y>Z, 10 Z, 10 V, 9 U
    # stage 1: W 40, X 25 elected; W's surplus 19 first (the largest): 40 papers at 0.475 to Y: Y 25
    # stage 2: Y 25 elected. X and Y have equal surpluses of 4; at stage 1 X had 25, Y 6: X's goes first.
    W, X, Y, Z, V, U = 1, 2, 3, 4, 5, 6
    groups = [(40, [W, Y]), (25, [X, Z]), (6, [Y, Z]), (10, [Z]), (10, [V]), (9, [U])]
    result = compute_result(ranked(6, seats=4), votes(groups), 100 * UNIT)
    assert result["rounds"][0]["surplus"] == W
    assert result["rounds"][1]["elected"] == [Y] and result["rounds"][1]["surplus"] == X
    assert "tied" not in result["rounds"][1] and not result["tie"]
    # X's 25 papers at 4/25 = 0.16 go to Z: Z 14; then Y's 46 papers: 6 at 4/25 = 0.16 to Z,
    # 40 (value 0.475) at 4 x 0.475 / 25 = 0.076 with no next preference.
    assert result["rounds"][2]["tallies"]["4"] == "14"
    assert result["rounds"][3]["tallies"]["4"] == "14.96" and result["rounds"][3]["exhausted"] == "3.04"
    assert result["winners"][:3] == [W, X, Y] and result["winners"][3] == Z


def test_it_counts_every_order_of_equal_surpluses_when_ties_decide_nothing():
    # 95 votes, 4 seats, quota floor(95/5)+1 = 20.  30 A>C>D, 30 B>C>E, 15 C, 10 D, 10 E
    # Stage 1: A and B elected with equal surpluses of 10 and no earlier stage to order them.
    # A first: 30 papers at 0.33333 to C (24.9999, elected); B's then skip C and go to E (19.9999);
    #   C's surplus: 15 own papers at 0.19999 exhausted, A's 30 at 0.06666 to D (11.9998); D excluded, E elected.
    # B first: the mirror image, D elected. So A, B and C are elected either way; the fourth seat is a tie.
    A, B, C = 1, 2, 3
    groups = [(30, [1, 3, 4]), (30, [2, 3, 5]), (15, [3]), (10, [4]), (10, [5])]
    result = compute_result(ranked(5, seats=4), votes(groups), 95 * UNIT)
    assert result["winners"] == [A, B, C] and result["tie"]
    assert result["rounds"][0]["tied"] == [A, B] and result["rounds"][0]["tie"]
    assert result["rounds"][0]["elected"] == [A, B] and result["rounds"][0]["elected_every_way"] == [C]
    lot = compute_result(ranked(5, seats=4, tie_break="lot", seed="s"), votes(groups), 95 * UNIT)
    assert lot["winners"][:3] == [A, B, C] and len(lot["winners"]) == 4 and lot["by_lot"] and not lot["tie"]
    first = lot["rounds"][0]["surplus"]
    assert lot["rounds"][1]["tallies"]["3"] == "24.9999"
    assert lot["winners"][3] == (5 if first == A else 4)


def test_it_elects_the_continuing_candidates_when_they_are_as_many_as_the_seats_left():
    # 10 votes, 3 seats, quota floor(10/4)+1 = 3.  5 A>B, 2 B, 2 C, 1 D
    # stage 1: A 5 elected; surplus 2 at 2/5 = 0.4 to B: B 4 (stage 2) elected; B's surplus 1: own papers
    # at 1/4 = 0.25 and A's at 1 x 0.4 / 4 = 0.1 have no next preference (exhausted 0.5 + 0.5).
    # stage 3: C 2, D 1 for one seat: D excluded. Stage 4: C is the only continuing candidate: elected.
    A, B, C, D = 1, 2, 3, 4
    result = compute_result(ranked(4, seats=3), votes([(5, [A, B]), (2, [B]), (2, [C]), (1, [D])]), 10 * UNIT)
    assert result["winners"] == [A, B, C]
    stages = result["rounds"]
    assert stages[1]["tallies"] == {"1": "3", "2": "4", "3": "2", "4": "1"} and stages[1]["elected"] == [B]
    assert stages[2]["exhausted"] == "1" and stages[2]["excluded"] == D
    assert stages[3]["elected"] == [C] and stages[3]["tallies"]["3"] == "2"


# --- 5. majorities: never adopted on a tie, blocks are votes against -------------


def test_it_never_adopts_a_fifty_percent_custom_share_on_a_tie():
    spec = Spec(kind="yes_no", options=YN, majority="custom", majority_share=Fraction(1, 2))
    result = compute_result(spec, [((1,), UNIT), ((2,), UNIT)], 2 * UNIT)
    assert result["outcome"] == "rejected" and result["tie"]
    assert compute_result(spec, [((1,), 2 * UNIT), ((2,), UNIT)], 3 * UNIT)["outcome"] == "adopted"


def test_it_needs_at_least_a_custom_share_above_one_half_and_more_than_one_at_or_below():
    sixty = Spec(kind="yes_no", options=YN, majority="custom", majority_share=Fraction(3, 5))
    assert compute_result(sixty, [((1,), 3 * UNIT), ((2,), 2 * UNIT)], 5 * UNIT)["outcome"] == "adopted"  # exactly 60 %
    assert compute_result(sixty, [((1,), 5 * UNIT), ((2,), 4 * UNIT)], 9 * UNIT)["outcome"] == "rejected"
    # 40 % of all eligible votes: more than 40 %, and more for than against
    forty = Spec(kind="yes_no", options=YN, majority="custom", majority_share=Fraction(2, 5), base="eligible")
    assert compute_result(forty, [((1,), 4 * UNIT), ((2,), UNIT)], 10 * UNIT)["outcome"] == "rejected"  # exactly 40 %
    assert compute_result(forty, [((1,), 5 * UNIT), ((2,), UNIT)], 10 * UNIT)["outcome"] == "adopted"
    tie = compute_result(forty, [((1,), 5 * UNIT), ((2,), 5 * UNIT)], 10 * UNIT)
    assert tie["outcome"] == "rejected" and tie["tie"]


def test_it_counts_blocks_below_the_threshold_as_votes_against():
    spec = Spec(kind="consensus", options=CONSENSUS, majority="two_thirds", base="cast", block_threshold=10)
    result = compute_result(spec, [((1,), UNIT)] + [((3,), UNIT)] * 9, 10 * UNIT)
    assert result["outcome"] == "rejected"
    simple = Spec(kind="consensus", options=CONSENSUS, block_threshold=2)
    assert compute_result(simple, [((1,), 3 * UNIT), ((3,), UNIT)], 4 * UNIT)["outcome"] == "adopted"
    assert compute_result(simple, [((1,), UNIT), ((3,), UNIT)], 2 * UNIT)["outcome"] == "rejected"


# --- the rules in words -----------------------------------------------------------


def test_it_names_the_scottish_rules_and_the_tie_rule_of_a_ranked_poll():
    text = rules_text(ranked(5, seats=3))
    assert "Scottish rules (SSI 2007/42)" in text and "five decimal places" in text
    assert "completed for each way the tie could go" in text
    assert "Instant runoff" in rules_text(ranked(5, tie_break="lot")) and "by lot" in rules_text(ranked(5, tie_break="lot"))


def test_it_states_the_majority_and_the_base_of_a_proposal():
    spec = Spec(kind="yes_no", options=YN, majority="custom", majority_share=Fraction(1, 2), base="cast")
    text = rules_text(spec)
    assert "more than 50% of the base" in text and "All votes cast, abstentions included" in text
    assert "a tie never adopts it" in text
    assert "at least 66.67% of the base" in rules_text(Spec(kind="yes_no", options=YN, majority="custom",
                                                            majority_share=Fraction(6667, 10000)))
    consensus = rules_text(Spec(kind="consensus", options=CONSENSUS, block_threshold=2))
    assert "add up to 2 or more" in consensus and "count as votes against" in consensus


@pytest.mark.parametrize("language", ["es", "pt-br", "fr"])
def test_it_translates_the_rules_of_every_kind(language):
    specs = [Spec(kind=kind, options=YN if kind == "yes_no" else CONSENSUS, majority=majority, majority_share=share,
                  base=base, tie_break=ties, seats=seats)
             for kind in ("yes_no", "single", "multiple", "approval", "ranked", "consensus")
             for majority, share in (("plurality", None), ("simple", None), ("absolute", None),
                                     ("two_thirds", None), ("custom", Fraction(3, 5)), ("custom", Fraction(1, 3)))
             for base in ("valid", "eligible") for ties in ("none", "lot") for seats in (1, 2)]
    for spec in specs:
        english = rules_text(spec)
        with translation.override(language):
            translated = rules_text(spec)
        assert translated and translated != english, spec
