"""Pure functions: paragraphs, word-level diffs, consolidation and conflict detection (no database)."""

from convoca.proposals import consolidation as cons
from convoca.proposals.consolidation import ADD, REMOVE, REPLACE, Change, Resolution, consolidate, word_diff

BASE = "The quick brown fox jumps.\n\nSecond paragraph here.\n\nThird one, final."


def test_it_splits_paragraphs_on_blank_lines_and_keeps_line_breaks_inside():
    assert cons.paragraphs("a\nb\n\n\n c \n \n\nd") == ["a\nb", " c", "d"]
    assert cons.paragraphs("") == [] and cons.paragraphs(None) == []
    assert cons.clean_text("a\r\n\r\nb") == "a\n\nb"


def test_word_diff_marks_deleted_and_inserted_words():
    segments = word_diff("The quick brown fox.", "The slow brown fox!")
    assert [(s.op, s.text) for s in segments] == [
        ("equal", "The "), ("delete", "quick"), ("insert", "slow"), ("equal", " brown fox"), ("delete", "."),
        ("insert", "!"),
    ]
    assert not cons.has_changes(word_diff("a  b", "a b"))  # white space alone is no change


def test_two_amendments_changing_different_words_of_a_paragraph_both_apply():
    result = consolidate(BASE, [
        Change("A", REPLACE, 1, 1, "The slow brown fox jumps."),
        Change("B", REPLACE, 1, 1, "The quick brown dog jumps."),
    ])
    assert result.text.split("\n\n")[0] == "The slow brown dog jumps."
    assert result.applied == ["A", "B"] and result.clashes == []


def test_two_amendments_changing_the_same_words_are_a_conflict_never_merged():
    result = consolidate(BASE, [
        Change("A", REPLACE, 1, 1, "The slow brown fox jumps."),
        Change("B", REPLACE, 1, 1, "The fast brown fox jumps."),
    ])
    assert result.text.split("\n\n")[0] == "The slow brown fox jumps."  # the later one is left out
    assert result.applied == ["A"]
    clash = result.clash_of("B")
    assert (clash.others, clash.start, clash.end) == (["A"], 0, 1)


def test_an_insertion_right_against_a_changed_word_is_a_conflict():
    result = consolidate(BASE, [
        Change("A", REPLACE, 1, 1, "The slow brown fox jumps."),
        Change("B", REPLACE, 1, 1, "The very quick brown fox jumps."),
    ])
    assert result.clash_of("B") is not None


def test_identical_changes_apply_once():
    same = "The slow brown fox jumps."
    result = consolidate(BASE, [Change("A", REPLACE, 1, 1, same), Change("B", REPLACE, 1, 1, same)])
    assert result.applied == ["A", "B"] and result.text.startswith(same + "\n\nSecond")


def test_deleting_a_paragraph_another_amendment_changed_is_a_conflict():
    result = consolidate(BASE, [Change("A", REPLACE, 2, 2, "Second paragraph, changed."), Change("B", REMOVE, 2, 2)])
    assert result.clash_of("B").others == ["A"]
    result = consolidate(BASE, [Change("B", REMOVE, 2, 2), Change("A", REPLACE, 2, 2, "Second paragraph, changed.")])
    assert result.clash_of("A").others == ["B"] and "Second" not in result.text


def test_deletions_insertions_and_multi_paragraph_replacements():
    result = consolidate(BASE, [
        Change("A", REMOVE, 2, 2),
        Change("B", ADD, 2, 2, "Inserted after the second."),
        Change("C", ADD, 0, 0, "At the very beginning."),
        Change("D", REPLACE, 3, 3, "Third, split.\n\nInto two."),
    ])
    assert cons.paragraphs(result.text) == [
        "At the very beginning.", "The quick brown fox jumps.", "Inserted after the second.", "Third, split.",
        "Into two.",
    ]
    assert result.positions == [1, None, None]
    assert result.clashes == []


def test_two_insertions_at_one_place_both_apply_in_order():
    result = consolidate(BASE, [Change("A", ADD, 1, 1, "First insert."), Change("B", ADD, 1, 1, "Second insert.")])
    assert cons.paragraphs(result.text)[1:3] == ["First insert.", "Second insert."]


def test_an_insertion_inside_a_rewritten_range_is_a_conflict():
    result = consolidate(BASE, [Change("A", REPLACE, 1, 2, "One paragraph for two."), Change("B", ADD, 1, 1, "x")])
    assert result.clash_of("B").others == ["A"] and (result.clash_of("B").start, result.clash_of("B").end) == (0, 2)


def test_a_change_to_a_paragraph_that_does_not_exist_is_not_applied():
    result = consolidate(BASE, [Change("A", REPLACE, 7, 7, "x"), Change("B", ADD, 9, 9, "y")])
    assert result.applied == [] and {c.key for c in result.clashes} == {"A", "B"} and result.text == BASE


def test_a_resolution_replaces_the_conflicting_paragraphs_and_later_changes_apply_around_it():
    a = Change("A", REPLACE, 1, 1, "The slow brown fox jumps.")
    b = Change("B", REPLACE, 1, 1, "The fast brown fox jumps.")
    first = consolidate(BASE, [a, b])
    clash = first.clash_of("B")
    assert cons.range_text(first, clash.start, clash.end) == "The slow brown fox jumps."
    resolved = consolidate(BASE, [a, b, Resolution("R", clash.start, clash.end, "The fast and slow fox jumps."),
                                  Change("C", REPLACE, 3, 3, "Third one, really final.")])
    assert cons.paragraphs(resolved.text) == [
        "The fast and slow fox jumps.", "Second paragraph here.", "Third one, really final.",
    ]
    # a later amendment to the resolved paragraph collides with the resolution, named by its key
    later = consolidate(BASE, [a, Resolution("R", 0, 1, "Resolved."), Change("D", REPLACE, 1, 1, "The quick red fox.")])
    assert later.clash_of("D").others == ["R"]


def test_a_resolution_widens_to_a_whole_earlier_change_it_overlaps():
    state_changes = [Change("A", REPLACE, 1, 2, "One for two.")]
    result = consolidate(BASE, state_changes)
    assert result.state.widen(1, 2) == (0, 2)
    resolved = consolidate(BASE, [*state_changes, Resolution("R", 1, 2, "Rewritten.")])
    assert cons.paragraphs(resolved.text) == ["Rewritten.", "Third one, final."]


def test_consolidating_thirty_amendments_on_twenty_paragraphs_is_deterministic():
    paragraphs = [" ".join(f"w{p}_{w}" for w in range(40)) for p in range(20)]
    base = cons.join(paragraphs)
    changes = []
    for i in range(30):
        p = i % 20
        words = paragraphs[p].split()
        words[(i * 7) % 40] = f"new{i}"
        changes.append(Change(i, REPLACE, p + 1, p + 1, " ".join(words)))
    one, two = consolidate(base, changes), consolidate(base, changes)
    assert one.text == two.text and one.clashes == two.clashes
    assert {c.key for c in one.clashes} == set()  # different words: all apply
    assert all(f"new{i}" in one.text for i in range(30))
