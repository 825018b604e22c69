"""Figures as people read them never look better than they are: no AUROC or share below 1 shown as
a perfect one, no printed threshold above the stored one, no interval that is a single point."""

from __future__ import annotations

import numpy as np

from convert.figures_md import fmt_auc, fmt_ci
from edge.answer_worth import predictive_values
from edge.card import _ci, card_text
from edge.stored_rule_words import recount_note
from edge.decision import EXACT_DIGITS, beside_rule, fmt_threshold
from edge.figures import exact_text, fixed, rounded, rounded_down
from tests.conftest import unpadded


def test_a_value_below_one_never_reads_as_one():
    assert fixed(0.9996) == "0.9996" and fixed(0.9996, 1, 100) == "99.96" and fixed(0.99951, 1, 100) == "99.95"
    assert fixed(1.0) == "1.000" and fixed(0.5) == "0.500" and fixed(0.0) == "0.000" and fixed(0.0004) == "0.0004"
    assert rounded(0.9996) == 0.9996 and rounded(0.12345) == 0.123 and rounded(1.0) == 1.0
    assert fmt_auc(0.9996, (0.9976, 1.0)) == "0.9996 (0.998–1.000)"  # one mis-ranked pair of 2,500
    assert fmt_ci(0.9996, (0.99, 1.0)) == "99.96 (99.0–100.0)"


def test_a_float32_probability_next_to_one_is_cut_not_rounded_to_a_certainty():
    p = float(np.float32(0.9999997))  # beyond the 6 decimals a share gets to stay off 1
    assert fixed(p, 4) == "0.999999" and fixed(p, 1, 100) == "99.99997" and rounded(p) == 0.999999
    assert exact_text(beside_rule(p, 0, None, 4)) == "0.999999"
    # below what 6 decimals hold: in powers of ten, not 0.000001 (a PPV of 3.3e-7 % was shown 3x too high)
    assert fixed(1e-9, 4) == "1.0e-09" and fixed(3.3e-9, 1, 100) == "3.3e-07" and fixed(2e-6, 1, 100) == "0.0002"


def test_a_probability_printed_beside_a_rule_reads_on_the_rules_side_of_it():
    rng = np.random.default_rng(1)
    cases = [(0.29996, 0.3), (0.3, 0.3), (0.9999997, 0.9999991), (0.99999905, 0.99999906), (0.999991, 0.99999)]
    cases += [(float(p), float(t)) for p, t in rng.random((2000, 2)).astype(np.float32) ** 0.01]  # crowded near 1
    for p, t in cases:
        for digits in (2, 4, 6):
            text = exact_text(beside_rule(p, 0, (0, t), digits), digits)
            assert (float(text) >= t) == (p >= t), (p, t, digits, text)
            assert 0 < float(text) < 1 or p in (0.0, 1.0), (p, t, text)
            assert len(text.split(".")[1]) <= max(digits, EXACT_DIGITS)
    assert exact_text(beside_rule(0.29996, 0, (0, 0.3), 4)) == "0.29996"  # not 0.3000: a COVID the rule did not call


def test_a_printed_threshold_is_never_above_the_stored_one():
    assert fmt_threshold(0.5800999999046326) == "0.58"  # float32 just below 0.5801: 0.5801 would lose its film
    assert fmt_threshold(0.29) == "0.29" and fmt_threshold(np.float32(0.29)) == "0.2899"  # typed vs a float32 below it
    assert fmt_threshold(0.21875736) == "0.2187"
    for t in np.random.default_rng(0).random(200_000).astype(np.float32):
        assert float(fmt_threshold(t)) <= float(t)


def test_the_card_gives_no_interval_where_the_bootstrap_gave_one_value():
    assert _ci([1.0, 1.0, 1.0]).startswith("1.000 (no interval") and _ci([0.9996, 0.998, 1.0]) == "0.9996 (0.998 to 1.000)"


def _card(**extra) -> dict:
    per = {"COVID": {"n": 50, "sensitivity": [1.0, 0.93, 1.0], "specificity": [1.0, 0.93, 1.0]},
           "Normal": {"n": 50, "sensitivity": [1.0, 0.93, 1.0], "specificity": [1.0, 0.93, 1.0]}}
    return {"labels": ["COVID", "Normal"], "validation": {"data": "d", "test": {
        "n": 100, "balanced_accuracy": [1.0, 0.96, 1.0], "macro_auroc": [1.0, 1.0, 1.0], "ece": 0.01, "per_class": per},
        **extra}}


def test_the_cards_worth_of_an_answer_follows_the_site_rule_the_device_applies():
    """After cxr-evaluate --save-model the device labels by the site rule: what a COVID answer is worth
    comes from that rule's cross-validated rates, not from the most probable class's test figures."""
    site = {"films": "films in site (300)", "class": "COVID", "threshold": 0.34,
            "sensitivity": [0.94, 0.89, 0.97], "specificity": [0.62, 0.54, 0.69]}
    meta = _card(rule_on_site=site)
    meta["decision"] = {"class": "COVID", "threshold": 0.34}
    text = card_text(meta, "site.tflite")
    ppv, npv = predictive_values(0.94, 0.62, 0.05)
    assert f"COVID answer would be right {round(100 * ppv)}% of the time (PPV" in text and "100%" not in text
    assert "With its rule, at those cross-validated rates, if 5% of your films were COVID" in text
    # and it says where they come from: the site's films, not the test split's (a helper's case)
    (line,) = [x for x in text.splitlines() if "cross-validated rates, if" in x]
    assert "the rest like its Normal films it was chosen on:" in line
    assert "within the cross-validated figures' intervals" in line and "test" not in line
    # a file saved since 0.32.0 carries the figures expected on the site's next films, and says so
    meta = _card(rule_on_site={**site, "estimate": "next films"})
    meta["decision"] = {"class": "COVID", "threshold": 0.34}
    text = card_text(meta, "site.tflite")
    assert "expected on that site's next films: sensitivity" in text and "cross-validated" not in text
    assert "With its rule, at those expected rates, if 5% of your films were COVID" in text
    # a rule stored without figures for it: no worth of an answer at all, rather than argmax's
    meta = _card()
    meta["decision"] = {"class": "COVID", "threshold": 0.34}
    assert "(PPV" not in card_text(meta, "m.tflite") and "(PPV" in card_text(_card(), "m.tflite")


def test_untrained_class_counts_say_which_way_the_present_rule_moves_them():
    labels = ["COVID", "Normal"]
    under = lambda before: {"other_classes_before_rule": True, "other_classes_counted_under": before}  # noqa: E731
    old, new = {"class": "COVID", "threshold": 0.25}, {"class": "COVID", "threshold": 0.609}
    assert recount_note(under(old), new, labels) == (" (counted under COVID whenever p >= 0.25; under its present rule, "
                                                     "fewer films may get COVID)")
    assert "more films may get COVID" in recount_note(under(new), old, labels)
    assert recount_note(under(None), {"class": "COVID", "threshold": 0.3}, labels).startswith(
        " (counted under the most probable class; under its present rule, more films may get COVID")
    assert "fewer films may get Normal" in recount_note(under(None), {"class": "Normal", "threshold": 0.8}, labels)
    assert "under the most probable class, more films may get COVID" in recount_note(under(new), None, labels)
    assert "fewer films may get COVID" in recount_note(under({"class": "Normal", "threshold": 0.8}), new, labels)  # p(COVID) > 0.2 before
    assert recount_note(under(old), dict(old), labels) == ""  # the same rule again: the counts hold
    assert "the shares may differ" in recount_note(under(None), new, ["COVID", "Normal", "Viral"])
    assert recount_note({}, new, labels) == ""
    assert "the shares may differ" in recount_note({"other_classes_before_rule": True}, new, labels)  # 0.20.0 files


def test_report_tables_never_round_a_share_below_one_up_to_100():
    """An NPV of 0.9996 at 1% prevalence read '100.0' in report.md, and 1,999 of 2,000 films found read a
    sensitivity of '100.0' in compare.md: answers that are sometimes wrong shown as never wrong."""
    from convert.compare import compare, markdown
    from convert.prevalence import at_prevalences, section

    rows = at_prevalences([{"class": "COVID", "sensitivity": 29 / 30, "sensitivity_ci": (0.83, 0.994),
                            "specificity": 0.9, "specificity_ci": (0.8, 0.95)},
                           {"class": "Normal", "sensitivity": 0.9, "sensitivity_ci": (0.8, 0.95),
                            "specificity": 29 / 30, "specificity_ci": (0.83, 0.994)}], (0.01,))
    [line] = [ln for ln in section(rows, ["COVID", "Normal"]) if ln.startswith("| 1% |")]
    assert "| 99.96 (99.8–99.99) |" in line and "100.0" not in line
    y = np.array([0] * 2000 + [1] * 2000)
    pred = y.copy()
    pred[0] = 1  # one COVID film missed by both
    md = "\n".join(markdown(compare(y, pred, pred, ["COVID", "Normal"], n_boot=50), "a", "b", "d", ""))
    assert "| COVID | 2000 | 99.95 | 99.95 |" in md


def test_a_typed_threshold_is_printed_so_that_the_printed_rule_gives_the_printed_label():
    """A threshold typed with 10 or more digits (0.15127000001) was printed to 9, 0.15127, beside a film shown
    at 0.15127 and labelled Normal: the printed rule applied to the printed probability gave COVID."""
    from edge.decision import labels_for
    from edge.output import rule_text

    p = float(np.float32(0.1512673944))  # the film the hunt found, and thresholds just above it
    for t in (0.15127000001, 0.151267395, 0.1512673944 + 1e-12, 0.41519):
        printed = float(rule_text((0, t), ["COVID", "Normal"]).split(">=")[1])
        assert printed == t  # a typed threshold as typed: the shortest text that reads back as it
        label = labels_for(np.array([[p, 1 - p]]), (0, t))[0]
        assert (beside_rule(p, 0, (0, t), 4) >= printed) == (label == 0)
    stored = float(np.float32(0.1512673944))  # a stored rule, a float32: 9 digits rounded down, as before
    assert rule_text((0, stored), ["COVID", "Normal"]) == "COVID>=0.151267394"
    assert fmt_threshold(0.41519) == "0.4151"  # a chosen threshold in tables: 4 digits rounded down, as before


def test_a_film_just_under_a_stored_threshold_reads_under_the_rule_as_printed(capsys):
    """A stored rule's threshold is a film's float32 probability, printed to 9 digits rounded down (0.2000660002 as
    0.200066, in the note and the CSV's rule column). The float32 film just under it was shown 0.200066 in --json,
    --csv and the text output and labelled Normal: the printed rule applied to the printed probability gave COVID."""
    import csv
    import io

    from edge.batch import Result
    from edge.decision import for_json, labels_for
    from edge.output import rule_text, writer_for

    labels = ["COVID", "Normal"]
    t32 = np.float32(0.200066)
    t, p = float(t32), np.nextafter(t32, np.float32(0))
    printed = float(rule_text((0, t), labels).split(">=")[1])
    assert (t, printed) == (0.2000660002231598, 0.200066) and labels_for(np.array([[p, 1 - p]]), (0, t))[0] == 1
    writer_for(labels, 1, "csv", threshold=(0, t))(Result("a.png", probabilities=np.array([p, 1 - p], np.float32)))
    row = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))[0]
    assert row["label"] == "Normal" and float(row["p_COVID"]) < float(row["rule"].split(">=")[1]), row
    # float32 thresholds from 0.2 to 0.21, where a 6-decimal value lies within 1e-9 under 670 of them: the float32
    # film just under each, and the one at it, on their sides of the printed rule in every output's digits
    ts = np.float32(np.arange(200_000, 210_000) / 1e6)
    for t32 in np.concatenate([ts, np.nextafter(ts, np.float32(1))]):
        t = float(t32)
        printed = float(fmt_threshold(t, EXACT_DIGITS))
        for p, below in ((float(np.nextafter(t32, np.float32(0))), True), (t, False)):
            for shown in (for_json(p, 0, (0, t)), *(beside_rule(p, 0, (0, t), d) for d in (2, 4))):
                assert (shown < printed) == below, (t, p, shown)


def test_the_evaluation_report_names_the_typed_threshold_and_a_command_a_shell_takes(tmp_path):
    """report.md rewrote --threshold COVID=0.41519 as 0.4151 and said `edge-classify --threshold COVID=0.4151`
    gives the counts; that command labelled one film more. A class name with a space was not quoted."""
    from convert.report import evaluation_report

    y = np.array([0, 0, 1, 1])
    p0 = np.array([0.9, 0.41515, 0.41516, 0.2])  # one film between the typed threshold's 4 digits and itself
    for classes, command in ((["COVID", "Normal"], "`edge-classify --threshold COVID=0.41519` gives"),
                             (["Viral Pneumonia", "Normal"], "`edge-classify --threshold 'Viral Pneumonia=0.41519'` gives")):
        out = tmp_path / classes[0].replace(" ", "_")
        report = evaluation_report(out, "t", y, np.stack([p0, 1 - p0], 1), classes, [f"f{k}.png" for k in range(4)],
                                   n_boot=10, threshold=(0, 0.41519))
        md = (out / "report.md").read_text()
        assert command in md and f"Labels follow the rule {classes[0]} whenever p({classes[0]}) >= 0.41519 " in md
        assert "0.4151 " not in md and "0.4151`" not in md
        assert report["threshold_rule"]["tp"] == 1
        # the calibration table counts the most probable class, not the rule's labels: said, or read as a second count
        assert "count the most probable class as the answer, not the rule's labels" in md
    plain = tmp_path / "plain"
    evaluation_report(plain, "t", y, np.stack([p0, 1 - p0], 1), ["COVID", "Normal"], [f"f{k}.png" for k in range(4)], n_boot=10)
    assert "the rule's labels" not in (plain / "report.md").read_text()


def test_a_lower_bound_is_rounded_down_never_up():
    """'at least 97%' for a lower end of 96.74% (and report.md's '≥ 1.6' for 1.553%) promised more than the test
    films showed; a lower end too small for the digits gets more of them, not '0'."""
    assert rounded_down(0.9674, 0) == "96" and rounded_down(0.01553, 1) == "1.5"
    assert rounded_down(0.29, 1) == "29.0"  # 0.29 * 1000 is 289.99999999999994 in floats: not 28.9
    assert rounded_down(0.0019, 1) == "0.1" and rounded_down(0.0004, 0) == "0.04"
    assert rounded_down(1.0, 0) == "100" and rounded_down(0.0, 1) == "0.0"
    # near the whole, as many decimals as fixed() shows: '≥ 99.9' beside 99.9 for every film called Normal (at a
    # prevalence of 0.001) read as no better than no test, where the lower end was 99.989
    assert rounded_down(0.99989, 1) == "99.98" and rounded_down(0.999999999, 1) == "99.999999"
    assert rounded_down(3.35e-9, 1) == "3.3e-07" and rounded_down(1e-9, 1) == "1.0e-07"  # not '10.0e-08'


def test_names_in_a_sentence_are_joined_one_way():
    """'a, b and c' was written out by hand in six places (edge.figures.listed now): one of them raised on no names."""
    from edge.figures import listed

    assert (listed([]), listed(["COVID"]), listed(["COVID", "Normal"]), listed(["a", "b", "c"])) == \
        ("", "COVID", "COVID and Normal", "a, b and c")


def test_a_stored_rule_scored_on_films_of_its_class_alone_claims_no_false_alarms_and_quotes_its_recorded_cost(tmp_path):
    """cxr-evaluate of a rule-carrying file on 51 COVID films alone (docs: 'one class is enough'): '0 false alarms' with
    no film that could be one, 'specificity 74.5' for Normal with n = 0 (COVID's sensitivity again), and never the
    18.2% test specificity the file records for its rule (hunt 58, H2)."""
    from convert.report import evaluation_report
    from edge.model_notes import rule_record

    y = np.zeros(8, int)
    p0 = np.array([0.9, 0.8, 0.6, 0.45, 0.4, 0.35, 0.2, 0.1])
    meta = {"decision": {"class": "COVID", "threshold": 0.2947, "target_sensitivity": 0.95, "chosen_on": "validation split",
                         "chosen_films": {"n_positive": 20, "n_negative": 22, "sensitivity": 0.95, "specificity": 0.2}},
            "validation": {"test": {"n": 42, "per_class": {"COVID": {"n": 20}, "Normal": {"n": 22}}},
                           "rule_on_test": {"class": "COVID", "threshold": 0.2947, "sensitivity": [0.9, 0.699, 0.972],
                                            "specificity": [0.182, 0.073, 0.385]}}}
    report = evaluation_report(tmp_path / "r", "t", y, np.stack([p0, 1 - p0], 1), ["COVID", "Normal"],
                               [f"f{k}.png" for k in range(8)], extra={"stored_rule_record": rule_record(meta)}, n_boot=10,
                               threshold=(0, 0.2947), threshold_from="model file")
    md = unpadded((tmp_path / "r" / "report.md").read_text())
    assert "0 false alarms" not in md and "false alarms: not measurable, no films of other classes here" in md
    normal = next(r for r in report["metrics"]["per_class"] if r["class"] == "Normal")
    assert normal["specificity"] is None and normal["specificity_ci"] == [None, None]
    assert "| Normal | 0 | n/a | n/a | n/a | n/a |" in md
    assert ("**Warning:** As the model file records it, the rule was chosen for 0.95 sensitivity on the validation "
            "split's 20 COVID films; on the test split's 20 COVID films it reached sensitivity 0.900 (0.699 to 0.972), "
            "specificity 0.182 (0.073 to 0.385) on its 22 films of other classes: it calls most films of the other "
            "classes COVID. These films are all COVID: they cannot show what the rule costs the other classes.") in md
    # films of both classes: the false alarms counted, and the Normal row's specificity is a share of real films
    both = evaluation_report(tmp_path / "b", "t", np.r_[y, [1, 1]], np.stack([np.r_[p0, 0.5, 0.1], 1 - np.r_[p0, 0.5, 0.1]], 1),
                             ["COVID", "Normal"], [f"f{k}.png" for k in range(10)], n_boot=10, threshold=(0, 0.2947))
    assert "1 false alarm" in (tmp_path / "b" / "report.md").read_text()  # '1 false alarms' before
    assert next(r for r in both["metrics"]["per_class"] if r["class"] == "Normal")["specificity"] is not None
