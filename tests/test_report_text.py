"""The words beside the figures: alt text and the reliability diagram as a table."""

from __future__ import annotations

import math
import re

from convert.report_text import ALT, image, reliability_table


def _bin(lo, hi, count, confidence=math.nan, accuracy=math.nan):
    return {"lo": lo, "hi": hi, "count": count, "confidence": confidence, "accuracy": accuracy}


def test_the_reliability_table_lists_bins_with_films_and_their_counts():
    keras = [_bin(0.0, 0.5, 0), _bin(0.5, 0.75, 3, 0.6, 2 / 3), _bin(0.75, 1.0, 7, 0.9, 1.0)]
    int8 = [_bin(0.0, 0.5, 0), _bin(0.5, 0.75, 0), _bin(0.75, 1.0, 10, 0.88, 0.9)]
    lines = reliability_table({"keras": keras, "int8": int8})
    assert lines[0].count("films") == 2 and lines[0].startswith("| top-class probability | keras: films")
    rows = lines[2:]
    assert rows == ["| 50 to 75% | 3 | 60.0 | 66.7 | 0 | — | — |",  # the empty first bin is left out
                    "| 75 to 100% | 7 | 90.0 | 100.0 | 10 | 88.0 | 90.0 |"]
    one = reliability_table({"m": keras})
    assert one[0] == "| top-class probability | films | mean probability % | accuracy % |" and len(one) == 4


def test_the_reliability_table_starts_at_the_lowest_probability_there_can_be_and_says_one_bin_in_words():
    """Two classes: no top-class probability is below 50%, so the first bin reads '50 to 53%', not
    '47 to 53%'; and below the table, the bin of 10+ films whose accuracy strays furthest, in words."""
    bins = [_bin(7 / 15, 8 / 15, 12, 0.51, 0.5), _bin(12 / 15, 13 / 15, 62, 0.83, 44 / 62), _bin(14 / 15, 1.0, 9, 0.97, 0.5)]
    lines = reliability_table({"int8": bins}, floor=0.5)
    assert lines[2].startswith("| 50 to 53.3% | 12 |") and lines[3].startswith("| 80 to 86.7% | 62 |")
    assert lines[-1] == ("For example, films given 80 to 86.7% were right 71% of the time (44 of 62; 95% CI 59–81%): there "
                         "the model is over-confident. A probability is the model's score, not this patient's risk.")  # the 9-film bin strays more
    few = reliability_table({"int8": [_bin(12 / 15, 13 / 15, 17, 0.83, 12 / 17)]}, floor=0.5)
    assert few[-1] == ("For example, films given 80 to 86.7% were right 71% of the time (12 of 17; 95% CI 47–87%): "
                       "17 films cannot tell whether the model is over-confident there (the interval holds "
                       "the 83% it gave). A probability is the model's score, not this patient's risk.")
    fine = reliability_table({"int8": [_bin(14 / 15, 1.0, 400, 0.97, 0.97)]})  # 388 of 400: 95% CI 95-98%
    assert fine[-1] == ("Where 10 films or more share a bin, the share of right answers is within 5 points of the "
                        "probability the model gave: its probabilities can be read as they stand on films like these.")


def test_a_close_bin_whose_interval_is_wide_or_a_set_under_20_films_vouches_for_nothing():
    """8 of 12 right where 70% was given is within 5 points, but its interval is 39-86%; and a chance-level
    model's 16 films (4 right, given 26%) are under report.md's own 20-film floor for judging calibration."""
    words = reliability_table({"int8": [_bin(2 / 3, 11 / 15, 12, 0.70, 8 / 12)]}, floor=0.5)[-1]
    assert words == ("Where 10 films or more share a bin, the share of right answers is within 5 points of the probability "
                     "the model gave, but 12 films, under 20, are too few to tell whether its probabilities can be read "
                     "as they stand: films given 66.7 to 73.3% were right 67% of the time (8 of 12; 95% CI 39–86%).")
    chance = reliability_table({"int8": [_bin(0.25, 4 / 15, 16, 0.26, 0.25)]}, floor=0.25)[-1]
    assert "16 films, under 20, are too few to tell" in chance and "(4 of 16; 95% CI 10–49%)" in chance
    wide = reliability_table({"int8": [_bin(0.8, 13 / 15, 40, 0.84, 0.85)]})[-1]  # 34 of 40: 95% CI 71-93%
    assert "but the 40 films of a bin are too few to tell" in wide and "(34 of 40; 95% CI 71–93%)" in wide
    # a large set is not "too few": one bin of 13 films is (it said "2413 films are too few")
    big = reliability_table({"int8": [_bin(14 / 15, 1.0, 2400, 0.97, 0.97), _bin(0.8, 13 / 15, 13, 0.84, 11 / 13)]})[-1]
    assert "but the 13 films of a bin are too few to tell" in big and "2,413" not in big and "(11 of 13;" in big


def test_every_figure_has_alt_text_that_says_what_it_shows():
    assert all(len(alt.split()) >= 8 for alt in ALT.values())
    assert image("roc") == f"![{ALT['roc']}](roc.png)"
    assert image("confusion", "x.png").endswith("(x.png)")


def test_tables_are_padded_to_read_as_tables_in_plain_text():
    from convert.report_text import align_tables

    md = ["text | with a bar", "| class | n |", "|---|---:|", "| Viral_Pneumonia | 7 |", "| a \\| b | 12 |", "",
          "| lone row |"]
    out = align_tables(md)
    assert out[0] == md[0] and out[-2:] == ["", "| lone row |"]  # text and a one-line 'table' kept as they are
    assert out[1:5] == ["| class           |   n |",
                        "| --------------- | --: |",
                        "| Viral_Pneumonia |   7 |",
                        "| a \\| b          |  12 |"]
    assert len({len(line) for line in out[1:5]}) == 1


def test_a_long_list_of_flagged_films_names_the_most_unlike_first_and_says_how_many_it_leaves_out():
    import numpy as np

    from convert.input_check_report import input_check_section

    unlikeness = np.array([1.5 + (i * 7 % 25) for i in range(25)] + [0.5] * 5)  # flagged in no order of name
    md = input_check_section({}, unlikeness, np.zeros(30, int), ["COVID", "Normal"], [f"f{i:02d}.png" for i in range(30)])
    assert any(line.startswith("Flagged files, the 20 of 25 most unlike the training images first") for line in md)
    listed = [line for line in md if line.startswith("- `f")]
    assert len(listed) == 20 and listed[0] == f"- `f{int(unlikeness.argmax()):02d}.png` (25.5x)"
    scores = [float(line.split("(")[1].rstrip("x)")) for line in listed]
    assert scores == sorted(scores, reverse=True) and min(scores) == 6.5  # the five least unlike are left out


def test_a_bins_mean_lies_within_its_printed_edges():
    """The bin (2/3, 11/15] printed as '67 to 73%' held films of mean probability 66.9% (a helper's case)."""
    (row,) = [r for r in reliability_table({"int8": [_bin(2 / 3, 11 / 15, 2, 0.66884, 0.0)]}, floor=0.5) if r.startswith("| 6")]
    assert row.startswith("| 66.7 to 73.3% | 2 | 66.9 |")
    assert reliability_table({"int8": [_bin(0.5, 0.75, 3, 0.6, 2 / 3)]}, floor=0.5)[2].startswith("| 50 to 75% |")


def test_one_full_bin_does_not_vouch_for_the_films_in_sparse_bins():
    """400 films given 93-100% were right as often as that, but 11 films given about 70% were right
    55% of the time: the words must not say the probabilities can be read as they stand."""
    bins = [_bin(0.6, 2 / 3, 5, 0.64, 0.4), _bin(2 / 3, 0.73, 6, 0.70, 4 / 6), _bin(14 / 15, 1.0, 400, 0.98, 0.98)]
    words = reliability_table({"int8": bins}, floor=0.5)[-1]
    assert words.startswith("Where 10 films or more share a bin (93.3 to 100%: 400 of 411 films)")
    assert "The other 11 films lie in bins too sparse to judge" in words and "read as they stand on films" not in words


def test_names_with_a_bar_or_a_line_break_stay_in_their_cell():
    """A film named 'a|b.png' opened another column, and one with a line break in its name ended the
    row: report.md's tables fell apart."""
    import numpy as np

    from convert.report_text import _cells, md_cell
    from convert.subgroups import per_source_section
    from convert.summary import summarize

    assert md_cell("a|b, \"q\" é.png") == "a\\|b, \"q\" é.png" and md_cell("x\ny\r\n.png") == "x y .png"
    # a value that reads as Markdown: the report's own mark, a picture, a link, code
    assert md_cell("**below**") == "\\*\\*below\\*\\*" and md_cell("<img src=x>") == "\\<img src=x\\>"
    assert md_cell("[x](y)") == "\\[x\\](y)" and md_cell("`a`") == "\\`a\\`" and md_cell("COVID_001.png") == "COVID_001.png"
    # an underscore at a word's edge opens emphasis ('__init__' rendered as a bold 'init'); within a word it stays
    assert md_cell("__init__.png") == "\\_\\_init\\_\\_.png" and md_cell("ward _B_") == "ward \\_B\\_"
    y = np.array([0, 0, 1, 1, 0, 1])
    s = summarize(y, np.eye(2)[[0, 1, 1, 1, 0, 0]], ["COVID", "Normal"], n_boot=20)
    md = per_source_section({"site|A\nnorth": s, "plain": s}, ["COVID", "Normal"])
    tables, table = [], []
    for line in md + [""]:
        if line.startswith("|"):
            table.append(len(_cells(line)))
        elif table:
            tables, table = tables + [table], []
    assert tables and all(len(set(widths)) == 1 for widths in tables)  # every row as wide as its table's head
    assert any(line.startswith("| site\\|A north ") for line in md)


def test_flagged_and_flipped_file_names_cannot_break_report_md():
    """A flagged film named 'film\\n# Not a heading.png' put a heading into report.md, and 'scan`7`.png' ended its
    code span early; cxr-convert's class flips wrapped the name in bare backticks the same way."""
    import numpy as np

    from convert.input_check_report import input_check_section
    from convert.flips import flip_line

    names = ["Normal/scan`7`.png", "Normal/film\n# Not a heading.png", "Normal/a`b.png"]
    md = input_check_section({}, np.array([3.2, 3.6, 4.1]), np.zeros(3, int), ["Normal", "COVID"], names)
    text = "\n".join(md)
    assert not any(line.startswith("# Not") for line in text.split("\n"))
    assert "- ``Normal/a`b.png`` (4.1x)" in md and "- `Normal/film # Not a heading.png` (3.6x)" in md
    assert "- ``Normal/scan`7`.png`` (3.2x)" in md
    flip = {"file": "COVID/x\n# y`.png", "true": "COVID", "reference": {"COVID": 0.6, "Normal": 0.4},
            "quantized": {"COVID": 0.4, "Normal": 0.6}}
    assert flip_line(flip, "int8").startswith("- ``COVID/x # y`.png`` (true COVID")


def test_tables_line_up_in_a_terminal_with_wide_and_decomposed_names():
    """'Opacité_肺部阴影' stood 4 columns out of its table (padded by len(), each CJK letter takes two columns), and a
    macOS folder's decomposed 'é' fell one short."""
    from convert.report_text import align_tables
    from edge.text_width import shown_width

    md = ["| class | n |", "|---|---:|", "| Opacité_肺部阴影 | 3 |", "| Normal | 12 |", "| Opacite\u0301 | 1 |"]
    out = align_tables(md)
    assert len({shown_width(line) for line in out}) == 1, out
    assert shown_width("肺a") == 3 and shown_width("e\u0301") == 1


def test_two_class_roc_alt_text_says_it_shows_one_curve():
    from convert.report_text import image

    two = image("roc", classes=["Normal", "COVID"])
    assert "ROC curve of COVID against the other class, one curve" in two and "each class" not in two
    assert "each class" in image("roc", classes=["COVID", "Normal", "Viral"])


def test_class_names_in_the_per_class_confusion_and_map_tables_are_text_not_markdown():
    """A class folder '<img src=x onerror=alert(1)>' or '[x](javascript:alert(1))' (cxr-train takes either) went raw into
    every table of report.md: a picture, a link, emphasis pairing across the row (md_cell escaped file names only)."""
    import numpy as np

    from convert.figures_md import confusion_table, per_class_table
    from convert.summary import summarize

    classes = ["<img src=x onerror=alert(1)>", "[x](javascript:alert(1)) *b*"]
    s = summarize(np.array([0, 0, 1, 1, 0, 1]), np.eye(2)[[0, 1, 1, 1, 0, 0]], classes, n_boot=20)
    md = "\n".join([*per_class_table(s), *confusion_table(s, classes)])
    assert not re.search(r"(?<!\\)[<>\[\]*]", md), md  # each one escaped
    assert "| \\<img src=x onerror=alert(1)\\> |" in md and "\\[x\\](javascript:alert(1)) \\*b\\*" in md, md


def test_a_bin_just_short_of_certain_is_not_written_as_certain():
    """A top bin whose films were given 99.995% on average read '100.0' (a model that claimed certainty), and
    374 of 375 right read 'right 100% of the time (374 of 375 ...)': the count beside it said otherwise."""
    (row,) = [r for r in reliability_table({"int8": [_bin(14 / 15, 1.0, 250, 0.99995, 0.996)]}) if r.startswith("| 93")]
    assert row == "| 93.3 to 100% | 250 | 99.995 | 99.6 |"
    words = reliability_table({"int8": [_bin(13 / 15, 14 / 15, 375, 0.90, 374 / 375)]})[-1]
    assert "were right 99.7% of the time (374 of 375; 95% CI 99–99.95%)" in words and "100%" not in words


# two class folders cxr-train takes (edge.controls.label_problem refuses only '|' and control characters)
ODD_CLASSES = ["<img src=x>*x*", "[N](http:x)`n`"]


def raw_names(md: str, names: list[str]) -> list[str]:
    """The lines of ``md`` that hold one of ``names`` as it is, not as md_cell escapes it (nor in a code span)."""
    from convert.report_text import md_cell

    found = []
    for line in md.splitlines():
        bare = line
        for name in sorted(names, key=len, reverse=True):
            bare = bare.replace(md_cell(name), "")
        bare = re.sub(r"(?<![\\`])(`+)(?!`).+?(?<!`)\1(?!`)", "", bare)  # code spans: a name there is shown as it is
        # a name is cut at its first backtick: '[N](http:x)`n`' may have lost its '`n`' as a code span above
        if any(name.split("`")[0] in bare for name in names):
            found.append(line)
    return found


def test_every_class_source_and_group_name_in_cxr_evaluates_report_md_is_text_not_markdown(tmp_path):
    """Only the per-class and confusion tables escaped a class name: the warning 'gave 24 films the answer
    <img src=x>*x*', the missed-class note, the prevalence table, the shift section's 'Few films', a rule's heading and
    the per-source and --by sections printed class folders, sources and group values raw, so report.md showed a
    picture, a link or emphasis where a name stood (report.json, predictions.csv and the terminal keep names as
    they are)."""
    import json

    import numpy as np

    from convert.operating_point import site_operating_point
    from convert.report import evaluation_report

    classes = ODD_CLASSES
    n = 24
    y = np.array([0] * (n // 2) + [1] * (n // 2))
    p0 = np.r_[np.linspace(0.95, 0.6, n // 2), np.linspace(0.9, 0.52, n // 2)]  # every film called the first class
    probs = np.stack([p0, 1 - p0], 1)
    files = [f"{classes[k]}/f{i}.png" for i, k in enumerate(y)]
    sources = ["<b>ward</b>", "*north*"] * (n // 2)
    site = site_operating_point(y, probs, classes, 1, 0.9, films="films")
    counts = [n // 2, n // 2]
    robustness = {"none": {"balanced_accuracy": 0.5, "drop_points": 0.0, "answers_moved": 0.0, "moved_into": [0, 0],
                           "label_counts": [n, 0], "probability_change": [0.0, 0.0], "sensitivity": [1.0, 0.0],
                           "class_counts": counts},
                  "blur": {"balanced_accuracy": 0.45, "drop_points": 5.0, "answers_moved": 0.2, "moved_into": [0, 12],
                           "label_counts": [12, 12], "probability_change": [-0.2, 0.2], "sensitivity": [0.5, 0.3],
                           "class_counts": counts}}
    report = evaluation_report(tmp_path / "ev", "model.tflite on data", y, probs, classes, files, sources, n_boot=20,
                               robustness=robustness, threshold=(1, 0.5), site_point=site,
                               subgroups={"[ward](x)": ["_a_", "<i>b</i>"] * (n // 2)},
                               extra={"data_warnings": ["--by *bed*: no film has a value in MANIFEST.csv's *bed* column"]})
    md = (tmp_path / "ev" / "report.md").read_text(encoding="utf-8")
    assert "--by \\*bed\\*: no film has a value in MANIFEST.csv's \\*bed\\* column" in md  # a column no film fills
    for expected in ("\\<img src=x\\>\\*x\\*", "\\[N\\](http:x)\\`n\\`", "\\<b\\>ward\\</b\\>", "\\*north\\*",
                     "## By \\[ward\\](x)", "\\<i\\>b\\</i\\>"):
        assert expected in md, expected
    assert not raw_names(md, [*classes, "<b>ward</b>", "*north*", "[ward](x)", "<i>b</i>"]), raw_names(
        md, [*classes, "<b>ward</b>", "*north*", "[ward](x)", "<i>b</i>"])
    assert "\\\\" not in md  # escaped once: '\\*' shows a backslash
    assert json.loads((tmp_path / "ev" / "report.json").read_text())["classes"] == classes == report["classes"]
    assert f"answer {classes[0]}" in report["chance_warning"]  # report.json's sentence: the name as it is


def test_the_auroc_note_of_a_class_of_one_film_names_it_as_text():
    """'AUROC 1.000 (n/a: one <img src=x>*x* film)' in the headline and the per-class table showed a picture and
    emphasis in report.md: the note was written as the summary holds it; the terminal keeps it as it is."""
    import numpy as np

    from convert.figures_md import headline, per_class_table
    from convert.summary import summarize

    y = np.array([0] + [1] * 9)
    p0 = np.r_[0.9, np.linspace(0.1, 0.4, 9)]
    s = summarize(y, np.stack([p0, 1 - p0], 1), ODD_CLASSES, n_boot=20)
    md = "\n".join([headline(s), *per_class_table(s)])
    assert "one \\<img src=x\\>\\*x\\* film" in md and not raw_names(md, ODD_CLASSES), md
    assert f"one {ODD_CLASSES[0]} film" in headline(s, name=str)


def test_an_input_check_that_flagged_nothing_asks_to_look_at_nothing():
    """'0 of 44 images (0.0%) look unlike ...; look at them.' (hunt 58, nits)."""
    import numpy as np

    from convert.input_check_report import input_check_section

    none = " ".join(input_check_section({}, np.full(4, 0.5), np.zeros(4, int), ["COVID", "Normal"], list("abcd")))
    assert "0 of 4 images (0.0%) look unlike" in none and "look at them" not in none
    some = " ".join(input_check_section({}, np.array([0.5, 2.0]), np.zeros(2, int), ["COVID", "Normal"], ["a", "b"]))
    assert "another population or processing; look at them." in some


def test_the_roc_of_films_of_one_class_is_said_to_be_none_not_sent_to_an_auroc_of_n_a(tmp_path):
    """A set of one site's COVID films: the picture said 'no ROC', its alt text 'its AUROC is in the per-class table',
    where the AUROC is n/a (hunt 58, nits)."""
    import numpy as np

    from convert.report import evaluation_report

    probs = np.tile([[0.7, 0.3], [0.4, 0.6]], (10, 1))
    for name, y in (("one", np.zeros(20, int)), ("two", np.tile([0, 1], 10))):
        evaluation_report(tmp_path / name, "m on site", y, probs, ["COVID", "Normal"], [f"f{k}.png" for k in range(20)],
                          n_boot=10)
    one, two = ((tmp_path / n / "report.md").read_text() for n in ("one", "two"))
    assert "![No ROC: these films hold one class only, so there is no curve and no AUROC](roc.png)" in one
    assert "its AUROC is in the per-class table" not in one and "its AUROC is in the per-class table" in two


def test_a_film_just_over_the_input_checks_threshold_is_not_shown_at_it_and_small_rates_are_not_zero():
    """Flagged means above 1x the threshold, yet a film at 1.04x was listed as '1.0x', and one nearly uniform (the
    float just above 1) too; 1 flagged film of 3,000 read '(0.0%)', and a file that flagged 0.04% of its own
    validation images 'flagged 0.0%' (the card, edge.input_check_words, said 0.04%)."""
    import numpy as np

    from convert.input_check_report import input_check_section

    unlikeness = np.r_[1.04, np.nextafter(1.0, 2.0), 2.5, np.full(2997, 0.5)]
    md = "\n".join(input_check_section({}, unlikeness, np.zeros(3000, int), ["COVID", "Normal"],
                                       [f"f{i:04d}.png" for i in range(3000)], flagged_validation=0.0004))
    assert "- `f0000.png` (1.04x)" in md and "- `f0001.png` (just over 1x)" in md and "- `f0002.png` (2.5x)" in md
    assert "3 of 3000 images (0.1%)" in md and "this file's check flagged 0.04%" in md
    one = "\n".join(input_check_section({}, np.r_[1.5, np.full(2999, 0.5)], np.zeros(3000, int), ["COVID", "Normal"],
                                        [f"f{i:04d}.png" for i in range(3000)]))
    assert "1 of 3000 images (0.03%)" in one


def test_the_reference_standard_line_quotes_a_readme_path_with_a_backtick_as_one_code_span(tmp_path):
    """The data folder's README path stood in one pair of backticks: a folder named with a backtick ended the span
    in the middle of the path and made code of the rest of the sentence."""
    from convert.report_text import md_code, reference_standard_line

    folder = tmp_path / "site `B` films"
    folder.mkdir()
    (folder / "README.md").write_text("how these films were labelled\n")
    line = reference_standard_line(folder)
    assert f" {md_code(folder / 'README.md')} describes where these films" in line
    assert "``" in line  # fenced by more backticks than the path holds in a run


def test_a_set_under_the_ece_floor_is_not_called_over_or_under_confident():
    """13 films, 12 of one class, each given the top class at 54% and 12 right: the headline says 'ECE 0.379 (under
    20 films: too few to judge calibration)', and the words below the table said 'there the model is under-confident'
    (cxr-evaluate on a folder with one Normal film). Under the floor they now say the set is too few, as the headline."""
    words = reliability_table({"int8": [_bin(8 / 15, 0.6, 13, 0.544, 12 / 13)]}, floor=0.5)[-1]
    assert words == ("For example, films given 53.3 to 60% were right 92% of the time (12 of 13; 95% CI 67–99%): "
                     "13 films, under 20, are too few to tell whether the model is under-confident there. "
                     "A probability is the model's score, not this patient's risk.")
    assert "there the model is" not in words
    at_floor = reliability_table({"int8": [_bin(8 / 15, 0.6, 20, 0.544, 19 / 20)]}, floor=0.5)[-1]
    assert "there the model is under-confident" in at_floor  # 19 of 20 at 54%: 95% CI 76-99%, judged
