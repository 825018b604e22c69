"""edge.message_case.after_prefix pinned case by case (mutation survivors MC of session 73): the first word ends at a
colon or a comma ('However,' is an ordinary word), a file name with a dot is kept, and a name's 's is read alike
typed (') or typeset (\u2019): a class's possessive (Normal's) and model B\u2019s keep their capitals, as B's did."""

from __future__ import annotations

import pytest

from edge.message_case import after_prefix


@pytest.mark.parametrize("text, said", [
    ("However, few films", "however, few films"), ("Note: COVID", "note: COVID"), ("Too; few", "too; few"),
    ("Model\u2019s rule", "model\u2019s rule"), ("Model's rule", "model's rule"),
    ("Patient's.csv names", "Patient's.csv names"),
    ("Normal's sensitivity fell", "Normal's sensitivity fell"),
    ("Normal\u2019s sensitivity", "Normal\u2019s sensitivity"),
    ("Wilson\u2019s interval", "Wilson\u2019s interval"), ("B\u2019s classes", "B\u2019s classes"),
    ("Crohn's films", "Crohn's films"), ("A", "a")])
def test_the_first_word_as_a_reader_reads_it(text, said):
    assert after_prefix(text, ["COVID", "Normal", "Crohn's"]) == said
