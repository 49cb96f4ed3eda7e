"""Word-level differences (difflib over word tokens)."""

from convoca.texts.diff import DELETE, EQUAL, INSERT, has_changes, tokens, word_diff


def ops(old, new):
    return [(segment.op, segment.text) for segment in word_diff(old, new)]


def test_it_splits_words_punctuation_and_spaces():
    assert tokens("¡Hola, mundo!  Sí.") == ["¡", "Hola", ",", " ", "mundo", "!", "  ", "Sí", "."]


def test_it_marks_a_replaced_word_as_removed_then_added():
    assert ops("Tres días de debate", "Cuatro días de debate") == [
        (DELETE, "Tres"), (INSERT, "Cuatro"), (EQUAL, " días de debate"),
    ]


def test_it_marks_added_and_removed_words_in_reading_order():
    assert ops("el 1.º de mayo", "el 1.º de mayo y el 8 de marzo") == [
        (EQUAL, "el 1.º de mayo"), (INSERT, " y el 8 de marzo"),
    ]
    assert ops("una jornada continental de acción", "una jornada de acción") == [
        (EQUAL, "una jornada "), (DELETE, "continental "), (EQUAL, "de acción"),
    ]


def test_it_reads_a_change_of_white_space_alone_as_no_change():
    segments = word_diff("Tres días\nde debate", "Tres días de debate")
    assert not has_changes(segments)


def test_it_handles_empty_texts():
    assert ops("", "Nuevo texto") == [(INSERT, "Nuevo texto")]
    assert ops("Texto", "") == [(DELETE, "Texto")]
    assert ops("", "") == []


def test_it_rebuilds_both_texts_from_its_segments():
    old = "Convocamos una jornada continental de acción el 1.º de mayo."
    new = "Convocamos dos jornadas continentales de acción: el 1.º de mayo y el 12 de octubre."
    segments = word_diff(old, new)
    assert "".join(s.text for s in segments if s.op != INSERT) == old
    assert "".join(s.text for s in segments if s.op != DELETE) == new
