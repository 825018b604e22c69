"""cxr-compare: paired differences between two models, McNemar's exact test, end to end on a tiny set."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from convert.compare import compare, mcnemar_exact
from convert.compare_cli import compare_app
from tests.conftest import unpadded


@pytest.mark.parametrize("only_a, only_b, p", [
    (0, 0, 1.0),
    (0, 5, 2 / 32),            # all five discordant films favour B: 2 * (1/2)^5
    (1, 9, 2 * 11 / 1024),     # P(X <= 1) for X ~ Bin(10, 1/2), two-sided
    (9, 1, 2 * 11 / 1024),     # symmetric
    (5, 5, 1.0),               # an even split is no evidence, clipped at 1
])
def test_mcnemar_exact_by_hand(only_a, only_b, p):
    assert mcnemar_exact(only_a, only_b) == pytest.approx(p)


def test_mcnemar_exact_on_a_large_set_is_a_number_not_an_overflow():
    """2.0 ** n overflowed at 1,024 films that one model alone got right: cxr-compare on a site's
    thousands of films ended after scoring them all. The tail, as exact fractions, by hand."""
    from fractions import Fraction
    from math import comb

    tail = sum(Fraction(comb(1100, k), 2 ** 1100) for k in range(501))
    assert mcnemar_exact(600, 500) == pytest.approx(float(2 * tail), rel=1e-12)
    assert mcnemar_exact(600, 500) == pytest.approx(0.0028195, abs=1e-7)
    assert mcnemar_exact(3000, 3000) == 1.0 and mcnemar_exact(0, 5000) == 0.0


def test_a_p_too_small_for_a_float_is_never_printed_as_0():
    """'McNemar p = 0' where 1,100 changed answers all favoured one model: a p-value is never 0."""
    from convert.compare import headline, p_text

    assert p_text(0.0) == "< 1e-300" and p_text(0.0312) == "= 0.0312" and p_text(0.5, "") == "0.5"
    y = np.zeros(1100, int)
    r = compare(y, np.ones(1100, int), y, ["COVID", "Normal"], n_boot=50)
    assert r["mcnemar_p"] == 0.0 and "McNemar p < 1e-300" in headline(r)


def test_compare_counts_by_hand():
    y = np.array([0, 0, 0, 0, 1, 1, 1, 1])
    a = np.array([0, 0, 1, 1, 1, 1, 0, 0])  # half of each class right
    b = np.array([0, 0, 0, 1, 1, 1, 1, 0])  # three of four of each class right
    r = compare(y, a, b, ["COVID", "Normal"], n_boot=200)
    assert r["balanced_accuracy_a"] == 0.5 and r["balanced_accuracy_b"] == 0.75
    assert r["balanced_accuracy_difference"] == pytest.approx(0.25)
    lo, hi = r["balanced_accuracy_difference_ci"]
    assert lo <= 0.25 <= hi
    assert (r["only_a_right"], r["only_b_right"]) == (0, 2) and r["mcnemar_p"] == pytest.approx(0.5)
    assert r["answers_changed"] == 2 and r["changed"] == [[0, 1], [1, 0]]
    assert [(c["class"], c["n"], c["difference"], c["only_b_right"]) for c in r["per_class"]] == \
        [("COVID", 4, 0.25, 1), ("Normal", 4, 0.25, 1)]


def test_identical_answers_differ_by_nothing_but_the_films_cannot_prove_it():
    """No film changed answer: the difference is 0, but a bootstrap's 0-to-0 would claim these
    films prove the models equal. Newcombe's interval per class, MOVER's over them, say how far
    apart two models could be that these films cannot tell apart."""
    rng = np.random.default_rng(0)
    y, a = rng.integers(0, 3, 60), rng.integers(0, 3, 60)
    r = compare(y, a, a.copy(), ["A", "B", "C"], n_boot=200)
    assert r["balanced_accuracy_difference"] == 0 and r["mcnemar_p"] == 1.0 and r["answers_changed"] == 0
    lo, hi = r["balanced_accuracy_difference_ci"]
    assert lo == pytest.approx(-hi) and 0.05 < hi < 0.3
    for c in r["per_class"]:
        assert c["difference_ci"][0] == pytest.approx(-c["difference_ci"][1]) and 0.03 < c["difference_ci"][1] < 0.5


def test_a_large_paired_gain_has_an_interval_above_zero_and_a_small_p():
    y = np.array([0] * 40 + [1] * 40)
    a = np.array([0] * 40 + [0] * 20 + [1] * 20)  # Normal: 20 of 40
    b = y.copy()                                  # every film right
    r = compare(y, a, b, ["COVID", "Normal"], n_boot=500)
    normal = r["per_class"][1]
    assert normal["difference"] == 0.5 and normal["difference_ci"][0] > 0.3
    # COVID: all 40 right by both; by hand, 1 minus Wilson's lower limit for 40 of 40, 40 / (40 + 1.96^2)
    assert r["per_class"][0]["difference_ci"] == pytest.approx([-(1 - 40 / (40 + 1.959964 ** 2)), 1 - 40 / (40 + 1.959964 ** 2)])
    assert r["mcnemar_p"] < 1e-5 and r["only_b_right"] == 20


def test_changed_answers_that_all_favour_one_model_do_not_prove_it_better():
    """40 films of each class both models get right and 2 of each that only B gets right: McNemar's
    p is 0.125 and each class's interval holds 0, so balanced accuracy's must too (a bootstrap,
    whose resamples can never favour A, gave +1.2 to +9.5 points). A set of one class gets that
    class's own interval."""
    from convert.compare import headline
    from convert.intervals import mover_sum

    y = np.array([0] * 42 + [1] * 42)
    a = np.r_[[0] * 40, [1, 1], [1] * 40, [0, 0]]
    r = compare(y, a, y.copy(), ["COVID", "Normal"], n_boot=500)
    assert r["mcnemar_p"] == pytest.approx(0.125) and all(c["difference_ci"][0] < 0 for c in r["per_class"])
    lo, hi = r["balanced_accuracy_difference_ci"]
    assert lo < 0 < r["balanced_accuracy_difference"] < hi
    assert (lo, hi) == pytest.approx(mover_sum([c["difference"] for c in r["per_class"]],
                                               [c["difference_ci"] for c in r["per_class"]], [0.5, 0.5]))
    one = compare(y[42:], a[42:], y[42:], ["COVID", "Normal"], n_boot=500)
    assert one["balanced_accuracy_difference_ci"] == [None, None] and one["balanced_accuracy_difference"] is None
    assert headline(one).startswith(f"Normal films only: B - A Normal sensitivity {100 * one['per_class'][0]['difference']:+.1f}")


def test_films_of_one_class_give_compare_json_no_balanced_accuracy_and_say_why():
    """COVID films only, B answering COVID to every one: compare.json gave balanced_accuracy_b 1.0, and a script
    keeping the model with the higher balanced accuracy kept the one that reads nothing (H66). Null, with the reason;
    the class's own row keeps its sensitivities, and the headline and the --by table show them."""
    from convert.compare import group_markdown, headline

    y = np.zeros(30, int)
    a, b = np.r_[np.zeros(24, int), np.ones(6, int)], np.zeros(30, int)
    r = compare(y, a, b, ["COVID", "Normal"], n_boot=50)
    assert [r[k] for k in ("balanced_accuracy_a", "balanced_accuracy_b", "balanced_accuracy_difference")] == [None] * 3
    assert r["balanced_accuracy_difference_ci"] == [None, None] and r["balanced_accuracy_difference_ci_method"] is None
    assert r["balanced_accuracy_no_value"].startswith("one class present (COVID films only): balanced accuracy needs")
    (row,) = r["per_class"]
    assert (row["sensitivity_a"], row["sensitivity_b"]) == (0.8, 1.0) and row["difference"] == pytest.approx(0.2)
    assert headline(r).startswith("COVID films only: B - A COVID sensitivity +20.0 points (95% CI ")
    assert "; A 80.0%, B 100.0%)" in headline(r)
    (line,) = [x for x in group_markdown("source", {"s1": r}) if x.startswith("| s1 |")]
    assert line.startswith("| s1 | 30 | 80.0 | 100.0 | +20.0 (") and "COVID films only: COVID sensitivity" in line
    json.dumps(r, allow_nan=False)
    two = compare(np.r_[y, 1], np.r_[a, 1], np.r_[b, 1], ["COVID", "Normal"], n_boot=50)
    assert "balanced_accuracy_no_value" not in two and two["balanced_accuracy_b"] == 1.0


def test_compare_md_says_in_one_sentence_what_the_interval_and_mcnemar_say_together():
    """runB against runA: an interval of -17.2 to -0.3 points beside McNemar's p = 0.278, and compare.md gave only the
    generic paragraph on why the two can disagree, no verdict on these films (hunt 58, L6)."""
    from convert.compare import markdown

    y = np.array([0] * 40 + [1] * 40)
    r = {**compare(y, np.array([0] * 40 + [0] * 20 + [1] * 20), y.copy(), ["COVID", "Normal"], n_boot=200),
         "skipped_files": []}
    agreed = "\n".join(markdown(r, "a", "b", "d", "x"))
    assert "McNemar's p is " in agreed and ": by both, model B did better on these films." in agreed
    disagree = {**r, "balanced_accuracy_difference_ci": [-0.172, -0.003], "mcnemar_p": 0.278, "only_a_right": 48,
                "only_b_right": 37}
    md = "\n".join(markdown(disagree, "a", "b", "d", "x"))
    assert "\nHere the interval excludes 0 but McNemar's p is 0.278: these films do not settle which is better.\n" in md
    neither = "\n".join(markdown({**disagree, "balanced_accuracy_difference_ci": [-0.1, 0.05]}, "a", "b", "d", "x"))
    # Normal's own interval excludes 0 (B right on 20 more of its films): a difference seen there, not "no difference"
    assert "Here the interval includes 0 and McNemar's p is 0.278: these films show a difference in Normal sensitivity " \
           "(its interval excludes 0), and they cannot show the two equivalent: Normal sensitivity's interval (" in neither


def test_the_verdict_when_the_interval_and_mcnemar_favour_different_models_or_the_interval_starts_at_0():
    """The interval for B and McNemar's test for A (more films right only by A) fell through to 'the interval excludes
    0 but McNemar's p is 0.010', read as McNemar's test not significant; an interval from exactly 0 (a bootstrap
    whose lowest differences are all 0) must not be said to exclude 0; A ahead by both is said of A."""
    from convert.compare import verdict

    def r(lo, hi, p, only_a, only_b):
        return {"balanced_accuracy_difference_ci": [lo, hi], "mcnemar_p": p, "only_a_right": only_a,
                "only_b_right": only_b}

    assert verdict(r(0.01, 0.2, 0.01, 20, 5)) == ("Here the interval excludes 0 and McNemar's p is 0.01, but they favour "
                                                  "different models: these films do not settle which is better.")
    assert verdict(r(0.0, 0.2, 0.5, 5, 6)) == ("Here the interval includes 0 and McNemar's p is 0.5: these films show no "
                                               "difference, but they cannot show the two equivalent either: no class's "
                                               "sensitivity has an interval within +/- 2 points (the default per-class "
                                               "limit of cxr-convert's gate); more films narrow the intervals.")
    assert verdict(r(-0.2, -0.01, 0.01, 20, 5)) == ("Here the interval excludes 0 and McNemar's p is 0.01: by both, "
                                                    "model A did better on these films.")


def test_an_empty_class_is_left_out_not_a_crash():
    r = compare(np.array([0, 0, 1]), np.array([0, 1, 1]), np.array([0, 0, 1]), ["A", "B", "C"], n_boot=100)
    assert [c["class"] for c in r["per_class"]] == ["A", "B"]


def test_films_of_one_class_are_said_to_give_its_sensitivity_not_balanced_accuracy():
    """A site's Normal export failed: only COVID films were scored, and the headline gave "B - A balanced
    accuracy +20 points (CI +2.6 to +39.1)" to the model that calls more films COVID, unqualified."""
    from convert.compare import caveats, headline, markdown

    y = np.zeros(25, int)
    a, b = np.r_[np.zeros(15, int), np.ones(10, int)], np.r_[np.zeros(20, int), np.ones(5, int)]
    r = compare(y, a, b, ["COVID", "Normal"], n_boot=100)
    assert r["only_class"] == "COVID" and not r["too_few_films"]
    assert headline(r).startswith("COVID films only: B - A COVID sensitivity +20.0 points (95% CI ")
    (warn,) = caveats(r)
    assert warn.startswith("only COVID films were scored") and "the one that calls more films COVID looks better" in warn
    assert f"**Warning: {warn}.**" in "\n".join(markdown({**r, "skipped_files": []}, "a", "b", "d", "x"))
    few = compare(np.array([0, 1] * 4), np.array([0, 1] * 4), np.array([0, 0] * 4), ["COVID", "Normal"], n_boot=50)
    assert few["only_class"] is None and few["too_few_films"] and headline(few).endswith("; too few films to judge (8)")
    assert caveats(few) == ["8 films scored: too few to judge, one film moves a figure by 12 points or more"]
    both = compare(np.array([0, 1] * 15), np.array([0, 1] * 15), np.array([0, 0] * 15), ["COVID", "Normal"], n_boot=50)
    assert headline(both).startswith("B - A balanced accuracy")
    # B called every film COVID: 'cannot tell' alone hid that it reads nothing on these films (cxr-evaluate said so)
    (useless,) = caveats(both)
    assert useless.startswith("model B gave 30 of the 30 films the answer COVID: it hardly tells the classes apart")
    assert "interval" not in useless  # compare shows no interval of either model's own
    assert f"**Warning: {useless}.**" in "\n".join(markdown({**both, "skipped_files": []}, "a", "b", "d", "x"))
    nearly = compare(np.array([0, 1] * 20), np.r_[np.zeros(38, int), 1, 1], np.array([0, 1] * 20), ["COVID", "Normal"],
                     n_boot=50)
    assert [w[:41] for w in caveats(nearly)] == ["model A gave 38 of the 40 films the answe"]  # 95%: nearly all
    assert caveats(compare(np.array([0, 1] * 20), np.r_[np.zeros(37, int), 1, 1, 1], np.array([0, 1] * 20),
                           ["COVID", "Normal"], n_boot=50)) == []
    # each model's own level beside the gap: two models at chance differ by little, and are both useless
    assert f"; A {100 * both['balanced_accuracy_a']:.1f}%, B {100 * both['balanced_accuracy_b']:.1f}%)" in headline(both)


def test_cxr_compare_end_to_end_on_int8_against_fp32(tiny_run, tmp_path):
    from edge.model import EdgeModel
    from edge.preprocess import preprocess_file

    data = Path(json.loads((tiny_run / "split.json").read_text())["data_dir"])
    out = tmp_path / "cmp"
    a, b = tiny_run / "model_fp32.tflite", tiny_run / "model_int8.tflite"
    res = CliRunner().invoke(compare_app, [str(a), str(b), str(data), "--out", str(out), "--n-boot", "100", "--quiet",
                                           "--keep-seen"])  # the tiny run's own films: all it has
    assert res.exit_code == 0, res.output
    assert "B - A balanced accuracy" in res.output and "McNemar p" in res.output
    r = json.loads((out / "compare.json").read_text())
    assert r["disclaimer"].startswith("Research software, NOT a medical device")  # read alone, as report.json
    files = sorted(p.relative_to(data).as_posix() for p in data.glob("*/*.png"))
    assert sorted(r["files"]) == files and r["n"] == len(files)
    for model, answers in ((a, r["answers_a"]), (b, r["answers_b"])):  # each as the device labels it
        m = EdgeModel(model)
        x = np.stack([preprocess_file(data / f, m.preprocess) for f in r["files"]])
        assert answers == [m.labels[k] for k in m.classify(x).argmax(1)]
    assert r["answers_changed"] == sum(x != y for x, y in zip(r["answers_a"], r["answers_b"]))
    assert r["true"] == [f.split("/")[0] for f in r["files"]]  # each film's class beside both answers: per-film analysis
    md = unpadded((out / "compare.md").read_text())
    assert "not a medical device" in md and "| class | n | sensitivity A % |" in md
    assert [m["sha256"] for m in r["provenance"]["models"]] == [EdgeModel(p).meta["tflite_sha256"] for p in (a, b)]
    assert "## Provenance" in md and r["provenance"]["n_boot"] == 100
    sha = r["provenance"]["models"]  # which digest is which model's: both may well be model_int8.tflite
    assert (f"A ({a}) (file SHA-256 {sha[0]['file_sha256'][:12]}..., weights SHA-256 {sha[0]['sha256'][:12]}...); "
            f"B ({b}) (file SHA-256 {sha[1]['file_sha256'][:12]}..., weights SHA-256 {sha[1]['sha256'][:12]}") in md


def test_cxr_compare_leaves_out_the_films_a_model_was_trained_on(tiny_run, tmp_path):
    split = json.loads((tiny_run / "split.json").read_text())
    a, b = tiny_run / "model_fp32.tflite", tiny_run / "model_int8.tflite"
    res = CliRunner().invoke(compare_app, [str(a), str(b), split["data_dir"], "--out", str(tmp_path / "c"),
                                           "--n-boot", "100", "--quiet"])
    assert res.exit_code == 0, res.output
    assert "left out (--keep-seen keeps them)" in res.output
    r = json.loads((tmp_path / "c" / "compare.json").read_text())
    assert sorted(r["files"]) == sorted(i["path"] for i in split["splits"]["test"])
    note = r["seen_in_training"]
    assert (note["train"], note["val"], note["left_out"]) == (len(split["splits"]["train"]), len(split["splits"]["val"]), True)
    assert note["films"] == note["train"] + note["val"]  # both files of one run: its split counted once


def test_by_group_compares_within_each_group():
    from convert.compare import by_group

    y = np.array([0, 0, 1, 1, 0, 1])
    a, b = np.array([0, 1, 1, 0, 0, 1]), np.array([0, 0, 1, 1, 1, 0])
    groups = by_group(y, a, b, ["A", "B"], ["AP", "AP", "AP", "AP", "PA", "PA"], n_boot=100)
    assert list(groups) == ["AP", "PA"]
    assert (groups["AP"]["balanced_accuracy_a"], groups["AP"]["balanced_accuracy_b"]) == (0.5, 1.0)
    assert (groups["PA"]["balanced_accuracy_a"], groups["PA"]["balanced_accuracy_b"]) == (1.0, 0.0)
    assert (groups["PA"]["only_a_right"], groups["PA"]["only_b_right"]) == (2, 0)
    from convert.compare import group_markdown

    rows = [ln for ln in group_markdown("view", groups) if ln.startswith("| AP") or ln.startswith("| PA")]
    assert len(rows) == 2 and all(ln.endswith("| too few films |") for ln in rows)  # 4 and 2 films


def test_cxr_compare_by_a_manifest_column(tiny_run, tmp_path):
    import csv
    import shutil

    data = tmp_path / "data"
    shutil.copytree(json.loads((tiny_run / "split.json").read_text())["data_dir"], data)
    files = sorted(p.relative_to(data).as_posix() for p in data.glob("*/*.png"))
    with open(data / "MANIFEST.csv", "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["file", "view", "source"])
        w.writerows([fl, "AP" if k % 2 else "PA", "site-" + fl.split("/")[0]] for k, fl in enumerate(files))
    out = tmp_path / "cmp"
    res = CliRunner().invoke(compare_app, [str(tiny_run / "model_fp32.tflite"), str(tiny_run / "model_int8.tflite"),
                                           str(data), "--by", "view", "--out", str(out), "--n-boot", "100", "--quiet",
                                           "--keep-seen"])
    assert res.exit_code == 0, res.output
    r = json.loads((out / "compare.json").read_text())
    view = {fl: "AP" if k % 2 else "PA" for k, fl in enumerate(files)}
    for g, sub in r["by"]["view"].items():
        mine = [k for k, fl in enumerate(r["files"]) if view[fl] == g]
        assert sub["n"] == len(mine)
        assert sub["answers_changed"] == sum(r["answers_a"][k] != r["answers_b"][k] for k in mine)
    md = (out / "compare.md").read_text()
    assert "## By view" in md
    # the sources, unasked, as cxr-evaluate shows them; each source here holds one class, and the note says so
    assert sorted(r["by"]["source"]) == sorted({"site-" + fl.split("/")[0] for fl in files}) and "## By source" in md
    covid = next(ln for ln in md.splitlines() if ln.startswith("| site-COVID "))
    assert "COVID films only: COVID sensitivity" in covid


def test_seen_film_messages_tell_two_files_of_one_name_apart(tiny_run, tmp_path):
    import shutil

    models = []
    for run in ("runA", "runB"):  # away from the run folder: found by the fingerprints inside each file
        (tmp_path / run).mkdir()
        models.append(shutil.copy(tiny_run / "model_int8.tflite", tmp_path / run / "model_int8.tflite"))
    res = CliRunner().invoke(compare_app, [*map(str, models), json.loads((tiny_run / "split.json").read_text())["data_dir"],
                                           "--out", str(tmp_path / "c"), "--n-boot", "100", "--quiet", "--keep-seen"])
    assert res.exit_code == 0, res.output
    assert ("(found by runA/model_int8.tflite (fingerprints inside the file), runB/model_int8.tflite (fingerprints "
            "inside the file)); kept (--keep-seen)") in res.output
    from convert.seen import model_names

    assert model_names([Path("a/m.tflite"), Path("b/n.tflite")]) == ["m.tflite", "n.tflite"]
    assert model_names([Path("x/run/m.tflite"), Path("y/run/m.tflite")]) == ["x/run/m.tflite", "y/run/m.tflite"]
    here = Path.cwd().name  # a file given as it lies in the working folder has that folder for a parent, not ''
    assert model_names([Path("m.tflite"), Path("run/m.tflite")]) == [f"{here}/m.tflite", "run/m.tflite"]


def test_cxr_compare_names_each_models_rule_and_warns_when_it_was_chosen_on_these_films(tiny_run, unseen_site, tmp_path):
    """A file carrying a site's threshold is scored with it, as on the device: the report must say so,
    and a rule chosen on the very folder compared makes that model's figures optimistic."""
    import shutil

    from convert.evaluate_cli import evaluate_app

    site, saved = tmp_path / "my_site", tmp_path / "site.tflite"
    shutil.copytree(unseen_site, site)
    original = tiny_run / "model_int8.tflite"
    r = CliRunner().invoke(evaluate_app, [str(original), str(site), "--operating-point", "COVID=0.9", "--save-model",
                                          str(saved), "--out", str(tmp_path / "r"), "--explain", "0",
                                          "--n-boot", "100", "--quiet"])
    assert r.exit_code == 0, r.output

    def run(*extra: str, data: Path = site) -> tuple[str, dict, str]:
        out = tmp_path / f"c{len(list(tmp_path.glob('c*')))}"
        res = CliRunner().invoke(compare_app, [str(original), str(saved), str(data), "--out", str(out), "--n-boot", "100",
                                               "--quiet", "--keep-seen", *extra])
        assert res.exit_code == 0, res.output
        return res.output, json.loads((out / "compare.json").read_text()), unpadded((out / "compare.md").read_text())

    said, r, md = run()
    assert "cxr-compare: B (site.tflite) labels by its stored rule: COVID whenever p(COVID) >= " in said
    # the file keeps the chosen films' fingerprints: they are found by their bytes, whatever the folder is called
    warned = "cxr-compare: warning: B: 32 of the 32 films scored are ones the rule this model file carries, COVID whenever p >= "
    assert warned in said and "was chosen on (32 SYNTHETIC films of the folder 'my_site' (cxr-evaluate))" in said
    assert "- A (model_int8.tflite) labels by the most probable class." in md
    assert "- B (site.tflite) labels by its stored rule: COVID whenever p(COVID) >= " in md
    assert "chosen on 32 SYNTHETIC films of the folder 'my_site' (cxr-evaluate)" in md
    assert "- **Warning:** B: 32 of the 32 films scored are ones the rule" in md and len(r["rule_warnings"]) == 1
    assert r["rule_a"] is None and r["rule_b"]["class"] == "COVID" and 0 < r["rule_b"]["threshold"] < 1

    shutil.copytree(site, tmp_path / "our_films_2024")  # the same films under another name: still found
    said, r, _ = run(data=tmp_path / "our_films_2024")
    assert warned in said and len(r["rule_warnings"]) == 1
    said, r, md = run("--most-probable")
    assert "stored rule" not in said and r["rule_b"] is None
    assert "- B (site.tflite) labels by the most probable class (its stored rule ignored: --most-probable)." in md


def test_a_model_trained_on_synthetic_images_is_said_to_be_one(tiny_run, tmp_path):
    """The demo's model compared with a real one: its figures mean nothing for real X-rays."""
    data = json.loads((tiny_run / "split.json").read_text())["data_dir"]
    res = CliRunner().invoke(compare_app, [str(tiny_run / "model_fp32.tflite"), str(tiny_run / "model_int8.tflite"),
                                           data, "--out", str(tmp_path / "c"), "--n-boot", "100", "--quiet",
                                           "--keep-seen"])
    assert res.exit_code == 0, res.output
    assert "cxr-compare: note: B (model_int8.tflite) was trained on SYNTHETIC images" in res.output
    assert "> **A (model_fp32.tflite) was trained on SYNTHETIC images" in (tmp_path / "c" / "compare.md").read_text()


def test_compare_md_says_what_report_md_says_of_the_films(tiny_run, tmp_path, monkeypatch):
    """Films left out as seen, copies within the set, label conflicts and unreadable files: in
    compare.md and compare.json as in cxr-evaluate's report, and on stderr before the bootstrap."""
    import shutil

    split = json.loads((tiny_run / "split.json").read_text())
    data = tmp_path / "data"
    shutil.copytree(split["data_dir"], data)
    test = sorted(i["path"] for i in split["splits"]["test"])
    covid = next(p for p in test if p.startswith("COVID/"))
    shutil.copy(data / covid, data / "COVID" / "twin.png")           # a copy within one class
    shutil.copy(data / test[-1], data / "COVID" / "misfiled.png")     # the same film under another class
    (data / "Normal" / "broken.png").write_bytes(b"not an image")
    a, b = tiny_run / "model_fp32.tflite", tiny_run / "model_int8.tflite"

    def run(*extra: str):
        out = tmp_path / f"c{len(list(tmp_path.glob('c*')))}"
        res = CliRunner().invoke(compare_app, [str(a), str(b), str(data), "--out", str(out), "--n-boot", "100",
                                               "--quiet", *extra])
        return res, out

    res, out = run()
    assert res.exit_code == 1, res.output  # a file could not be read
    said = res.output
    assert "left out (--keep-seen keeps them)" in said
    assert "cxr-compare: warning: label conflict: " in said and "are copies of one another" in said
    assert "cxr-compare: Normal/broken.png: " in said
    r = json.loads((out / "compare.json").read_text())
    assert r["copies_within_set"] == [[covid, "COVID/twin.png"]]
    assert sorted(c["file"] for c in r["label_conflicts"][0]) == sorted([test[-1], "COVID/misfiled.png"])
    assert [s["path"] for s in r["skipped_files"]] == ["Normal/broken.png"]
    md = unpadded((out / "compare.md").read_text())
    assert "**1 file could not be read and is not scored** (compare.json lists it): `Normal/broken.png`." in md
    assert f"{r['seen_in_training']['films']} films that either model was trained" in md and "were left out" in md
    assert "**Label conflict:**" in md and "**Copies:** 2 films are copies of one another" in md
    assert r["seen_in_training"]["unchecked"] == []

    import convert.compare

    def stop(*args, **kwargs):
        raise ValueError("stopped before the bootstrap")

    monkeypatch.setattr(convert.compare, "compare", stop)
    res, _ = run("--keep-seen")
    assert "stopped before the bootstrap" in res.output
    assert "Normal/broken.png: " in res.output and "are copies of one another" in res.output  # already said


def test_the_seen_note_speaks_of_two_models():
    from convert.seen_lines import seen_line

    note = {"split": "a.tflite (fingerprints inside the file)", "films": 5, "train": 4, "val": 1, "copies": 0,
            "left_out": False, "models": 2, "unchecked": ["b.tflite"]}
    line = seen_line(note)
    assert line.startswith("**5 of the films scored are ones either model was trained (4) or validated (1) on")
    assert "these figures flatter the model that saw them.**" in line
    assert line.endswith(" b.tflite could not be checked: its file carries no fingerprints of its training films "
                         "and has no split.json of its own beside it.")
    assert seen_line(None, models=2) == (
        "Whether either model saw any of these films in training could not be checked (neither model file carries "
        "fingerprints of its training films nor has a split.json of its own beside it).")
    one = seen_line({**note, "models": 1, "unchecked": []})
    assert "ones the model was trained" in one and "flatter it.**" in one
    # left out (report.md's usual line), each count under its own part's name: training's 4, validation's 1
    left = seen_line({**note, "models": 1, "unchecked": [], "left_out": True})
    assert left.startswith("5 films that the model was trained (4) or validated (1) on were left out")


def test_cxr_compare_refuses_too_many_groups_before_reading_a_film(tiny_run, tmp_path, monkeypatch):
    import csv

    import train.scan
    from convert.group_values import MAX_GROUPS

    data, files = tmp_path / "data", [f"{('COVID', 'Normal')[k % 2]}/{k}.png" for k in range(MAX_GROUPS + 10)]
    for fl in files:  # never read: placeholders will do
        (data / fl).parent.mkdir(parents=True, exist_ok=True)
        (data / fl).write_bytes(b"")
    with open(data / "MANIFEST.csv", "w", newline="") as f:
        csv.writer(f).writerows([["file", "ward"], *([fl, f"W{k}"] for k, fl in enumerate(files)),
                                 *([f"elsewhere/{k}.png", f"X{k}"] for k in range(60))])  # not scored: not counted

    def no_reading(*args, **kwargs):
        raise AssertionError("a film was read before --by was refused")

    monkeypatch.setattr(train.scan, "scan", no_reading)
    res = CliRunner().invoke(compare_app, [str(tiny_run / "model_fp32.tflite"), str(tiny_run / "model_int8.tflite"),
                                           str(data), "--by", "ward", "--out", str(tmp_path / "c"), "--quiet"])
    assert res.exit_code == 2 and f"--by ward: {len(files)} different values in MANIFEST.csv among the films to score" \
        in res.output, res.output


def test_a_file_that_is_no_model_is_named(tiny_run, tmp_path):
    """'not a TensorFlow Lite model' without a name left the user to guess which of two models it was."""
    fake = tmp_path / "fake.tflite"
    fake.write_bytes(b"PK\x03\x04 not a model at all")
    res = CliRunner().invoke(compare_app, [str(tiny_run / "model_int8.tflite"), str(fake), str(tmp_path), "--quiet",
                                           "--out", str(tmp_path.parent / f"{tmp_path.name}-cmp")])  # not in the data
    assert res.exit_code == 2 and f"error: {fake}: not a TensorFlow Lite model (no TFL3 identifier)" in res.output
    from edge.metadata import split

    cut = tmp_path / "bare.tflite"  # the model without cxr-edge's metadata (a file cut short inside is said so since 0.53.0)
    cut.write_bytes(split((tiny_run / "model_int8.tflite").read_bytes())[0])
    from convert.evaluate_cli import evaluate_app

    (tmp_path / "site").mkdir()
    res = CliRunner().invoke(evaluate_app, [str(cut), str(tmp_path / "site"), "--quiet"])
    # cxr-evaluate has no --labels: the hint says which command takes it
    assert res.exit_code == 2 and f"{cut} has no cxr-edge metadata" in res.output
    assert "edge-classify runs it and cxr-evaluate scores it with --labels A,B" in res.output and "or pass --labels" not in res.output


def test_cxr_compare_says_when_its_default_folder_holds_another_comparison(tiny_run, tmp_path):
    """The default folder is named after the data folder alone: comparing int8 with fp32, then fp16 with
    fp32 on the same films, replaced the first comparison unsaid."""
    import shutil

    data = tmp_path / "site"
    shutil.copytree(Path(json.loads((tiny_run / "split.json").read_text())["data_dir"]), data)
    models = tmp_path / "m"
    models.mkdir()
    for mode in ("int8", "fp32"):
        shutil.copy(tiny_run / f"model_{mode}.tflite", models / f"model_{mode}.tflite")
    shutil.copy(tiny_run / "model_int8.tflite", models / "other.tflite")

    def compare(a: str, b: str):
        return CliRunner().invoke(compare_app, [str(models / a), str(models / b), str(data), "--n-boot", "100",
                                                "--quiet", "--keep-seen"])
    first = compare("model_int8.tflite", "model_fp32.tflite")
    assert first.exit_code == 0 and "replacing" not in first.output, first.output
    # resolved, beside the paths as typed: a relative DATA_DIR typed in another folder is another data folder
    assert json.loads((models / "site-compare" / "compare.json").read_text())["absolute_paths"] == {
        "model_a": str(models / "model_int8.tflite"), "model_b": str(models / "model_fp32.tflite"), "data_dir": str(data)}
    again = compare("model_int8.tflite", "model_fp32.tflite")
    assert "replacing" not in again.output  # the same comparison, renewed
    other = compare("other.tflite", "model_fp32.tflite")
    assert other.exit_code == 0
    assert (f"note: replacing the comparison of {models / 'model_int8.tflite'} and {models / 'model_fp32.tflite'} "
            f"in {models / 'site-compare'}") in other.output


def _plain_keras(folder: Path, tiny_run: Path, *head, weights=None) -> Path:
    """A model.keras saved by plain Keras, beside a copy of the run's run.json that records its checksum
    (a model from elsewhere, or a run.json written over)."""
    import keras

    from edge.digest import file_sha256

    size = json.loads((tiny_run / "run.json").read_text())["preprocess"]
    keras.utils.set_random_seed(0)
    m = keras.Sequential([keras.Input((size["size"], size["size"], size["channels"])), keras.layers.Rescaling(1 / 255.0),
                          keras.layers.GlobalAveragePooling2D(), *head])
    if weights is not None:
        m.layers[-1].set_weights(weights(m.layers[-1].get_weights()))
    folder.mkdir()
    m.save(folder / "model.keras")
    run = json.loads((tiny_run / "run.json").read_text())
    (folder / "run.json").write_text(json.dumps({**run, "model_sha256": file_sha256(folder / "model.keras")}))
    return folder / "model.keras"


def test_a_model_that_gives_nan_is_refused_not_scored_as_the_first_class(tiny_run, tmp_path):
    """cxr-compare read a model whose every answer was NaN as 100% COVID sensitivity, '+91.7 points', exit 0."""
    import numpy as np

    import keras

    nan = _plain_keras(tmp_path / "nan", tiny_run, keras.layers.Dense(2),
                       weights=lambda w: [np.full_like(w[0], np.nan), w[1]])
    data = json.loads((tiny_run / "split.json").read_text())["data_dir"]
    res = CliRunner().invoke(compare_app, [str(tiny_run / "model_int8.tflite"), str(nan), data,
                                           "--out", str(tmp_path / "c"), "--quiet", "--no-find-crops"])
    assert res.exit_code == 2 and f"{nan}: the model gave" in res.output and "no finite probabilities" in res.output, res.output
    assert not (tmp_path / "c" / "compare.md").exists()


def test_a_keras_model_that_run_json_does_not_describe_is_refused(tiny_run, tmp_path):
    """Five outputs were scored on their first two, one output stopped on an IndexError, and a model
    ending in softmax was given a second one (0.913 scored as 0.812)."""
    import keras

    from convert.evaluate import model_for

    for name, head, said in (("five", [keras.layers.Dense(5)], "output shape (None, 5) is not one score for each of the 2"),
                             ("one", [keras.layers.Dense(1, activation="sigmoid")], "output shape (None, 1)"),
                             ("softmax", [keras.layers.Dense(2, activation="softmax")], "it ends in a softmax"),
                             ("layer", [keras.layers.Dense(2), keras.layers.Softmax()], "it ends in a softmax")):
        path = _plain_keras(tmp_path / name, tiny_run, *head)
        with pytest.raises(ValueError, match="does not describe this model") as e:
            model_for(path)
        assert said in str(e.value), str(e.value)
    model_for(_plain_keras(tmp_path / "logits", tiny_run, keras.layers.Dense(2)))  # the shape cxr-train makes


def test_a_groups_copies_count_once_in_the_by_table():
    """cxr-compare's --by table counted a ward of 10 films scored twice over as 20, with no 'too few films'."""
    from convert.compare import by_group, group_markdown
    from convert.subgroups import copy_groups

    files = [f"f{k}.png" for k in range(40)]
    # f20..f29 copied as f30..f39 (one class); f0 and f1 are one film under two classes (a label conflict)
    group = copy_groups(files, [[f"f{k}.png", f"f{k + 10}.png"] for k in range(20, 30)],
                        [[{"file": "f0.png", "label": "COVID"}, {"file": "f1.png", "label": "Normal"}]])
    assert group[30] == 20 and group[1] == 0 and group[5] == 5
    y = np.array([0] * 10 + [1] * 30)
    ward = ["A"] * 20 + ["Dup"] * 20
    r = by_group(y, y, y, ["COVID", "Normal"], ward, 100, group)
    assert r["Dup"]["distinct_films"] == 10 and r["A"]["distinct_films"] == 19
    rows = {ln.split("|")[1].strip(): ln for ln in group_markdown("ward", r) if ln.startswith("| ")}
    assert "| 20 (10 distinct) |" in rows["Dup"] and "too few films (10 without their copies)" in rows["Dup"]
    assert "| 20 (19 distinct) |" in rows["A"] and "too few films (19 without their copies)" in rows["A"]


def test_cxr_compare_refuses_a_report_folder_inside_the_data_folder(tiny_run, tmp_path):
    """cxr-evaluate refused it; cxr-compare wrote DATA/DATA-compare/ (its default beside a model B kept with the
    films), and the next run on the folder failed on a class folder named DATA-compare."""
    import shutil

    data = tmp_path / "site"
    shutil.copytree(Path(json.loads((tiny_run / "split.json").read_text())["data_dir"]), data)
    shutil.copy(tiny_run / "model_int8.tflite", data / "new.tflite")
    for extra in ([], ["--out", str(data / "COVID")]):
        res = CliRunner().invoke(compare_app, [str(tiny_run / "model_fp32.tflite"), str(data / "new.tflite"), str(data),
                                               "--n-boot", "100", "--quiet", "--keep-seen", *extra])
        assert res.exit_code == 2 and "lies in the data folder" in res.output, res.output
    assert not (data / "site-compare").exists() and not (data / "COVID" / "compare.md").exists()


def _relabelled(data: bytes, labels: list[str]) -> bytes:
    """The file as cxr-convert would have written it for a run of these class names: its self-test's
    record of the labels too, which cxr-compare checks as edge-classify does."""
    from edge.metadata import attach, split

    flatbuffer, meta, files = split(data)
    spec = json.loads(files["selftest.json"])
    return attach(flatbuffer, {**meta, "labels": labels},
                  {**files, "selftest.json": json.dumps({**spec, "labels": labels}).encode()})


def test_models_whose_classes_differ_only_in_spelling_are_compared(tiny_run, tmp_path):
    """A model trained on folders named covid-19 and NORMAL was refused beside one of COVID and Normal,
    with no way around it, though each scored the same folder."""
    data = Path(json.loads((tiny_run / "split.json").read_text())["data_dir"])
    b = tmp_path / "spelt.tflite"
    b.write_bytes(_relabelled((tiny_run / "model_int8.tflite").read_bytes(), ["covid-19", "NORMAL"]))
    res = CliRunner().invoke(compare_app, [str(tiny_run / "model_int8.tflite"), str(b), str(data), "--out",
                                           str(tmp_path / "c"), "--n-boot", "100", "--quiet", "--keep-seen"])
    assert res.exit_code == 0, res.output
    assert "B's classes covid-19, NORMAL are taken as A's COVID, Normal" in res.output
    assert "; covid-19 as COVID: COVID-19 and COVID, one disease's two spellings)" in res.output  # not punctuation
    r = json.loads((tmp_path / "c" / "compare.json").read_text())
    assert r["answers_changed"] == 0 and r["answers_a"] == r["answers_b"]
    other = tmp_path / "other.tflite"
    other.write_bytes(_relabelled((tiny_run / "model_int8.tflite").read_bytes(), ["COVID", "Healthy"]))
    res = CliRunner().invoke(compare_app, [str(tiny_run / "model_int8.tflite"), str(other), str(data), "--out",
                                           str(tmp_path / "d"), "--n-boot", "100", "--quiet", "--keep-seen"])
    assert res.exit_code == 2 and "the models have different classes" in res.output
    # a 2-class model against a 4-class one was refused with no way forward
    assert "score each with cxr-evaluate on the same folder (--class-map FOLDER=- leaves out" in res.output


def test_the_spelling_note_says_which_names_matched_as_covid_19_and_covid():
    """The note said B's covid-19 was A's COVID '(names matched ignoring case and punctuation)': ignoring those gives
    covid19, not covid; the alias matched them, and the note must say so (hunt 59, nits)."""
    from edge.class_key import matched_how

    assert matched_how(["covid-19", "NORMAL"], ["COVID", "Normal"]) == (
        "names matched ignoring case and punctuation; covid-19 as COVID: COVID-19 and COVID, one disease's two spellings")
    assert matched_how(["covid", "NORMAL"], ["COVID", "Normal"]) == "names matched ignoring case and punctuation"
    assert matched_how(["COVID-19"], ["covid_19"]) == "names matched ignoring case and punctuation"  # no alias needed


def test_changed_answers_table_has_a_in_rows_and_b_in_columns():
    """The table of changed answers has A's label in rows and B's in columns (a symmetric case cannot tell)."""
    from convert.compare import compare
    r = compare(np.array([0, 0, 1]), np.array([0, 0, 0]), np.array([1, 1, 0]), ["COVID", "Normal"], n_boot=10)
    assert r["changed"] == [[0, 2], [0, 0]]  # A said COVID, B said Normal, twice


def test_a_bootstrap_interval_of_b_minus_a_holds_its_own_difference():
    """15 films of each class only B gets right and 5 only A does (so the interval is a bootstrap one): compare.md
    printed '+20.0 points (95% CI -31.0 to -9.0)', B - A's point beside A - B's interval."""
    y = np.array([0] * 50 + [1] * 50)
    a, b = y.copy(), y.copy()
    for c in (0, 1):
        a[50 * c:50 * c + 15] = 1 - c
        b[50 * c + 15:50 * c + 20] = 1 - c
    r = compare(y, a, b, ["COVID", "Normal"], n_boot=400)
    assert r["balanced_accuracy_difference_ci_method"] == "bootstrap"
    assert r["balanced_accuracy_difference"] == pytest.approx(0.20)
    lo, hi = r["balanced_accuracy_difference_ci"]
    assert 0 < lo < 0.20 < hi
    assert all(c["difference_ci"][0] < c["difference"] < c["difference_ci"][1] for c in r["per_class"])


def test_one_answer_is_judged_against_the_chance_of_the_classes_present():
    """A four-class model that calls all 40 films of a site's COVID and Normal folders Lung_Opacity: cxr-compare
    gave chance as 25% (the model's four classes), where it is 50% on these films."""
    y = np.array([0] * 20 + [2] * 20)
    r = compare(y, np.full(40, 1), y.copy(), ["COVID", "Lung_Opacity", "Normal", "Viral_Pneumonia"], n_boot=50)
    assert "chance for balanced accuracy is 50.0%" in (r["one_answer"]["A"] or "")
    assert r["one_answer"]["B"] is None


def test_class_group_and_file_names_in_compare_md_are_text_not_markdown():
    """compare.md printed class folder names raw in its per-class and 'answers that changed' tables, in the warning
    'model B gave 30 of the 30 films the answer ...', in a one-class headline and in the --by section (its heading and
    notes), so a folder '<img src=x>*x*' showed as a picture with emphasis (compare.json and the terminal keep them)."""
    from convert.compare import by_group, caveats, group_markdown, headline, markdown
    from tests.test_report_text import ODD_CLASSES, raw_names

    y = np.array([0, 1] * 15)
    r = compare(y, y, np.zeros(30, int), ODD_CLASSES, n_boot=50)
    one = compare(np.zeros(25, int), np.r_[np.zeros(15, int), np.ones(10, int)], np.zeros(25, int), ODD_CLASSES,
                  n_boot=50)
    groups = by_group(y, y, np.zeros(30, int), ODD_CLASSES, ["*a*"] * 28 + ["<i>b</i>"] * 2, n_boot=50)
    groups["<i>b</i>"]["per_class"] = groups["<i>b</i>"]["per_class"][:1]  # a group of one class: 'X films only'
    # the same-model warning names the files as typed (/runs/_old ... /runs/x_ read as emphasis), a data warning a
    # group value
    said = {"same_model": "/runs/_old/m.tflite and /runs/x_/m.tflite are the same model file: B minus A is zero",
            "data_warnings": ["--by *bed*: no film has a value in MANIFEST.csv's *bed* column"]}
    md = "\n".join([*markdown({**r, "skipped_files": [], **said}, "<m>a.tflite", "b.tflite", "*data*", "x"),
                    *markdown({**one, "skipped_files": []}, "a", "b", "d", "x"), *group_markdown("[ward](y)", groups)])
    names = [*ODD_CLASSES, "*a*", "<i>b</i>", "[ward](y)", "<m>a.tflite", "*data*"]
    assert not raw_names(md, names), raw_names(md, names)
    for shown in ("| \\<img src=x\\>\\*x\\* |", "the answer \\<img src=x\\>\\*x\\*", "## By \\[ward\\](y)",
                  "\\<img src=x\\>\\*x\\* films only: B - A \\<img src=x\\>\\*x\\* sensitivity"):
        assert shown in unpadded(md), shown
    assert "\\\\" not in md  # escaped once
    assert "/runs/\\_old/m.tflite and /runs/x\\_/m.tflite are the same model file" in md
    assert "--by \\*bed\\*: no film has a value" in md
    assert headline(one).startswith(f"{ODD_CLASSES[0]} films only")  # the terminal's line keeps the name as it is
    assert f"the answer {ODD_CLASSES[0]}:" in caveats(r)[0]


def test_cxr_compare_names_a_film_whose_dicom_header_says_no_chest_film(tiny_run, tmp_path):
    """A skull CT among a site's films was scored by both models without a word from cxr-compare, where
    cxr-evaluate names it (hunt 59): named on stderr and among compare.md's and compare.json's warnings."""
    from tests.test_evaluate import site_with_a_skull_ct

    site = site_with_a_skull_ct(tiny_run, tmp_path)
    out = tmp_path / "cmp"
    res = CliRunner().invoke(compare_app, [str(tiny_run / "model_fp32.tflite"), str(tiny_run / "model_int8.tflite"),
                                           str(site), "--out", str(out), "--n-boot", "100", "--quiet", "--keep-seen"])
    assert res.exit_code == 0, res.output
    line = ("1 film whose DICOM header says it is no frontal chest radiograph (another modality or body part, a lateral "
            "view, For Processing): Normal/IM000001 (Modality CT); it is scored all the same by both models, and "
            "counted in every figure below; edge-classify flags such films")
    assert f"cxr-compare: warning: {line}" in res.output.splitlines()
    assert json.loads((out / "compare.json").read_text())["data_warnings"] == [line]
    assert line in (out / "compare.md").read_text()


def test_too_few_films_promises_no_more_points_than_one_film_moves():
    """'or more' is a lower bound: 6 films of one class, each 16.7 points of its sensitivity, were said to move a
    figure by '17 points or more' (100 / n rounded to the nearest point: up for 6, 13, 15, 17 and 18 films)."""
    from convert.compare import caveats

    for n, said in ((6, 16), (13, 7), (15, 6), (18, 5), (8, 12), (1, 100)):
        r = compare(np.zeros(n, int), np.zeros(n, int), np.zeros(n, int), ["COVID", "Normal"], n_boot=100)
        films = "1 film" if n == 1 else f"{n} films"  # '1 films scored' before
        assert caveats(r)[-1] == f"{films} scored: too few to judge, one film moves a figure by {said} points or more"


def test_the_by_table_says_its_groups_intervals_and_p_are_unadjusted_for_how_many_groups():
    """Each --by group's McNemar p and interval are its own 0.05 (95%) ones: of 3 groups where B and A do equally well,
    one at p <= 0.05 turns up by chance more often than 1 in 20, and compare.md gave the table without a word of it
    (H51). A single group is the comparison itself, and gets no such sentence."""
    from convert.compare import by_group, group_markdown

    y = np.array([0, 1] * 30)
    three = by_group(y, y, y, ["COVID", "Normal"], ["w1"] * 20 + ["w2"] * 20 + ["w3"] * 20, n_boot=20)
    text = " ".join(group_markdown("ward", three))
    assert "unadjusted for the 3 groups compared" in text and "up to about one group in 20 shows p ≤ 0.05" in text
    one = by_group(y, y, y, ["COVID", "Normal"], ["w1"] * 60, n_boot=20)
    assert "unadjusted" not in " ".join(group_markdown("ward", one))
