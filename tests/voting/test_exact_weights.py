"""Weights are exact: an organisation's vote split three ways is three thirds that add up to one vote, so an
exact tie is a tie and a block threshold of one vote is met by three thirds."""

from fractions import Fraction

import pytest

from convoca.voting import queries, services
from convoca.voting.models import WEIGHT_UNIT, Poll, weight_display

from .helpers import add_delegate, check_in, close_and_count, key, open_poll


@pytest.fixture
def trio(world):
    """One organisation (Sindicato Andino) with three delegates present: bob and two more."""
    w = world
    check_in(w.bob_reg)
    w.d2, _ = add_delegate(w, "d2@example.org", "Delegada Dos")
    w.d3, _ = add_delegate(w, "d3@example.org", "Delegado Tres")
    return w


def test_it_splits_an_organisation_vote_in_exact_thirds(trio):
    w = trio
    poll = open_poll(w, weighting=Poll.Weighting.ORGANISATION, secrecy=Poll.Secrecy.OPEN)
    poll.refresh_from_db()
    assert poll.weight_unit == 3 * WEIGHT_UNIT
    assert poll.eligible_weight == poll.weight_unit  # 1/3 + 1/3 + 1/3 = exactly one vote
    result = services.cast_ballot(w.bob, poll, ["yes"], key())
    assert Fraction(result.weight, result.unit) == Fraction(1, 3)
    assert weight_display(result.weight, result.unit) == "1/3"


def test_it_reports_an_exact_tie_between_two_thirds_of_one_organisation(trio):
    w = trio
    poll = open_poll(w, weighting=Poll.Weighting.ORGANISATION, secrecy=Poll.Secrecy.OPEN)
    services.cast_ballot(w.bob, poll, ["yes"], key())
    services.cast_ballot(w.d2, poll, ["no"], key())
    close_and_count(w, poll)
    poll.refresh_from_db()
    assert poll.result["outcome"] == "rejected" and poll.result["tie"] is True
    shown = queries.labelled_result(poll, poll.result)
    assert shown["cast"] == "2/3" and {row["votes"] for row in shown["rows"]} == {"1/3", "0"}


def test_it_lets_three_thirds_reach_a_block_threshold_of_one_vote(trio):
    w = trio
    poll = open_poll(w, kind=Poll.Kind.CONSENSUS, weighting=Poll.Weighting.ORGANISATION, block_threshold=1,
                     secrecy=Poll.Secrecy.OPEN, electorate=Poll.Electorate.PRESENT)
    for user in (w.bob, w.d2, w.d3):
        services.cast_ballot(user, poll, ["block"], key())
    close_and_count(w, poll)
    poll.refresh_from_db()
    assert poll.result["outcome"] == "blocked"


def test_it_keeps_decimal_custom_weights_in_millionths(trio):
    w = trio
    poll = open_poll(w, custom_weights={f"org:{w.org_co.pk}": "2.5"}, secrecy=Poll.Secrecy.OPEN)
    poll.refresh_from_db()
    assert poll.weight_unit == WEIGHT_UNIT
    result = services.cast_ballot(w.bob, poll, ["yes"], key())
    assert weight_display(result.weight, result.unit) == "2.5"


def test_it_picks_the_smallest_unit_in_which_every_weight_is_whole():
    unit, numerators = services.exact_weights({"a": Fraction(1, 3), "b": Fraction(1, 7), "c": Fraction(5, 2)})
    assert unit == 21 * WEIGHT_UNIT
    assert numerators == {"a": 7 * WEIGHT_UNIT, "b": 3 * WEIGHT_UNIT, "c": 52_500_000}


@pytest.mark.parametrize(("units", "unit", "shown"), [
    (0, WEIGHT_UNIT, "0"), (WEIGHT_UNIT, WEIGHT_UNIT, "1"), (500_000, WEIGHT_UNIT, "0.5"),
    (1, 3, "1/3"), (7, 6, "7/6"), (3_000_000, 3_000_000, "1"), (1_250_000, WEIGHT_UNIT, "1.25"),
])
def test_it_shows_weights_exactly(units, unit, shown):
    assert weight_display(units, unit) == shown
