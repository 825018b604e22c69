"""convert.flips pinned where a small change went unseen (hand mutation testing: each test here failed with one such
change in place, which every earlier test of the class flips that needs no trained model let through)."""

from __future__ import annotations

from convert.flips import flip_line, flip_what


def test_a_flip_is_judged_by_the_quantized_files_own_answer_where_the_record_keeps_it():
    """Rounded to 0.5 and 0.5 the figures name COVID (the first class); the file's own answer was Normal, the true
    class: made right, not still wrong."""
    flip = {"file": "a.png", "true": "Normal", "reference": {"COVID": 0.6, "Normal": 0.4}, "reference_label": "COVID",
            "quantized": {"COVID": 0.5, "Normal": 0.5}, "quantized_label": "Normal", "quantized_tie": False}
    assert flip_what(flip) == "now right"


def test_class_names_in_a_flip_line_are_text_not_markdown():
    """A class folder named 'COVID|19' opened a column, '*Normal*' read as emphasis: escaped where the class is
    named, in the true class and beside each probability."""
    flip = {"file": "a.png", "true": "COVID|19", "reference": {"COVID|19": 0.7, "*Normal*": 0.3},
            "quantized": {"COVID|19": 0.4, "*Normal*": 0.6}}
    assert flip_line(flip, "int8") == ("- `a.png` (true COVID\\|19; now wrong): keras COVID\\|19 0.700, \\*Normal\\* 0.300 "
                                       "→ int8 COVID\\|19 0.400, \\*Normal\\* 0.600")


def _flip(k: int, true: str) -> dict:
    return {"file": f"f{k:02d}.png", "true": true, "reference": {"COVID": 0.7, "Normal": 0.3},
            "quantized": {"COVID": 0.3, "Normal": 0.7}}


def test_report_md_lists_films_made_wrong_first_and_counts_only_those_beyond_fifty():
    """Exactly FLIPS_SHOWN flips are all listed, with no '... and 0 more'; one more is counted, not listed; films the
    quantized file made wrong come before those it made right, whatever report.json's order."""
    from convert.flips import FLIPS_SHOWN, flip_lines

    right_then_wrong = [_flip(0, "Normal"), _flip(1, "COVID")]  # f00 made right, f01 made wrong
    md = flip_lines(right_then_wrong, "int8")
    assert md[0] == "Class flips against Keras: 2:" and "`f01.png`" in md[2] and "`f00.png`" in md[3] and md[-1] == ""
    assert flip_lines([], "int8") == ["Class flips against Keras: 0.", ""]
    fifty = flip_lines([_flip(k, "COVID") for k in range(FLIPS_SHOWN)], "int8")
    assert len(fifty) == FLIPS_SHOWN + 3 and not any("more (report.json" in line for line in fifty)
    more = flip_lines([_flip(k, "COVID") for k in range(FLIPS_SHOWN + 1)], "int8")
    assert more[-2] == "- ... and 1 more (report.json lists every flip)" and len(more) == FLIPS_SHOWN + 4
