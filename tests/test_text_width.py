"""edge.text_width: the terminal columns a name takes, so the device's and card's columns line up."""

from edge.text_width import padded, shown_width


def test_wide_letters_take_two_columns_and_accents_none():
    assert shown_width("COVID") == 5
    assert shown_width("肺炎") == 4
    assert shown_width("Pneumonie\u0301") == 9  # a decomposed accent, as macOS names folders


def test_characters_that_show_nothing_take_no_column():
    """A zero-width space or joiner and an emoji's variation selector were counted a column each: a class name
    holding one pushed its row's figures a column left of the others."""
    assert shown_width("Lung\u200bOpacity") == len("LungOpacity")
    assert shown_width("a\u200db") == 2
    assert shown_width("\U0001f600\ufe0f") == 2  # the emoji its two columns, its selector none
    assert padded("x\u200b", 3) == "x\u200b  "
