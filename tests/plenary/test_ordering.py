"""The order of a list of speakers as a pure function (convoca.plenary.ordering)."""

from convoca.plenary import ordering
from convoca.plenary.ordering import Entry, Last


def keys(placed):
    return [(entry.key, reason) for entry, reason in placed]


def test_it_keeps_the_order_of_asking_without_rules():
    entries = [Entry("b", number=2), Entry("a", number=1), Entry("c", number=3)]
    assert keys(ordering.order(entries)) == [("a", "arrival"), ("b", "arrival"), ("c", "arrival")]


def test_it_puts_points_of_order_first_then_replies():
    entries = [Entry("a", number=1), Entry("r", kind="reply", number=2), Entry("p", kind="point_of_order", number=3),
               Entry("q", kind="point_of_order", number=4)]
    assert keys(ordering.order(entries)) == [
        ("p", "point_of_order"), ("q", "point_of_order"), ("r", "reply"), ("a", "arrival")]


def test_it_favours_first_time_speakers_and_says_so():
    entries = [Entry("old", number=1, spoke_before=True), Entry("new", number=2)]
    assert keys(ordering.order(entries, first_time=True)) == [("new", "first_time"), ("old", "arrival")]
    assert keys(ordering.order(entries)) == [("old", "arrival"), ("new", "arrival")]


def test_it_alternates_genders_from_the_last_speaker_and_holds_nobody_back_for_saying_nothing():
    entries = [Entry("m1", number=1, gender="man"), Entry("m2", number=2, gender="man"),
               Entry("w1", number=3, gender="woman"), Entry("x", number=4)]
    placed = ordering.order(entries, Last(gender="man"), gender=True)
    # after m1, x (who said nothing) goes before m2: only a man after a man is held back
    assert keys(placed) == [("w1", "gender"), ("m1", "arrival"), ("x", "gender"), ("m2", "arrival")]


def test_it_alternates_countries():
    entries = [Entry("co1", number=1, country="CO"), Entry("co2", number=2, country="CO"), Entry("mx", number=3, country="MX")]
    assert keys(ordering.order(entries, Last(country="CO"), country=True)) == [
        ("mx", "country"), ("co1", "arrival"), ("co2", "arrival")]


def test_it_applies_the_rules_in_order_first_time_before_gender():
    entries = [Entry("w-old", number=1, gender="woman", spoke_before=True), Entry("m-new", number=2, gender="man")]
    placed = ordering.order(entries, Last(gender="man"), first_time=True, gender=True)
    assert keys(placed) == [("m-new", "first_time"), ("w-old", "arrival")]


def test_it_keeps_the_chairs_order_and_puts_new_requests_at_the_end_but_points_of_order_first():
    entries = [Entry("a", number=1, position=2, reason="arrival"), Entry("b", number=2, position=1, reason="chair"),
               Entry("c", number=3, position=99)]
    assert keys(ordering.order(entries, by_hand=True, new="c")) == [("b", "chair"), ("a", "arrival"), ("c", "arrival")]
    entries.append(Entry("p", kind="point_of_order", number=4, position=99))
    placed = ordering.order(entries, by_hand=True, new="p")
    assert [key for key, _ in keys(placed)][0] == "p"


def test_it_moves_a_key_to_a_place():
    assert ordering.move([1, 2, 3, 4], 4, 1) == [4, 1, 2, 3]
    assert ordering.move([1, 2, 3, 4], 1, 99) == [2, 3, 4, 1]
    assert ordering.move([1, 2, 3], 2, 0) == [2, 1, 3]
