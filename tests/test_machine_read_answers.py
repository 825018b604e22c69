"""What a program reading edge-classify's machine outputs relies on: --info with --json (one line of JSON, not an
exit 2), --info's "decision" (null where the file stores no rule, as report.json and the metadata name it), a
batch's answers in the order its inputs were given (an error among them, not before them all), and --explain's
covered_probability written as every other probability in the JSON. Real tiny model (tests/conftest.py's tiny_run)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import numpy as np
from typer.testing import CliRunner

from edge.batch import Result
from edge.cli import app


def _films(tiny_run: Path) -> list[Path]:
    data = Path(json.loads((tiny_run / "split.json").read_text())["data_dir"])
    return sorted((data / "COVID").glob("*.png"))[:2] + sorted((data / "Normal").glob("*.png"))[:1]


def test_info_takes_json_and_names_the_stored_rule_null_where_none(tiny_run):
    """--info --json was refused with exit code 2 ("--info is JSON already"), which --help did not say: a script
    that gives --json to every call for JSON got none. And a file without a stored rule had no "decision" key."""
    model = str(tiny_run / "model_int8.tflite")
    plain = CliRunner().invoke(app, ["--info", "--model", model])
    assert plain.exit_code == 0, plain.output
    one = CliRunner().invoke(app, ["--info", "--json", "--model", model])
    assert one.exit_code == 0, one.output
    assert len(one.stdout.splitlines()) == 1 and json.loads(one.stdout) == json.loads(plain.stdout)
    facts = json.loads(plain.stdout)
    assert "decision" in facts and facts["decision"] is None  # this file stores no rule: null, not absent
    r = CliRunner().invoke(app, ["--info", "--csv", "--model", model])
    assert r.exit_code == 2 and "--info prints JSON (with --json on one line), not CSV: leave out --csv" in r.output


def test_a_batchs_errors_come_where_their_names_were_given(tiny_run, tmp_path):
    """The error of a name that gave no film (no such file, a folder without images) was written before every
    answer: a program reading --json or --csv beside its own list of inputs had each answer one row off."""
    a, b, c = _films(tiny_run)
    empty = tmp_path / "empty"
    empty.mkdir()
    gone = tmp_path / "gone.png"
    given = [a, gone, b, empty, a, c, tmp_path / "gone2.png"]  # a given twice: answered once, where first named
    want = [str(p) for p in (a, gone, b, empty, c, tmp_path / "gone2.png")]
    model = str(tiny_run / "model_int8.tflite")
    r = CliRunner().invoke(app, [*map(str, given), "--json", "--model", model])
    assert r.exit_code == 1, r.output
    records = [json.loads(line) for line in r.stdout.splitlines()]
    assert [rec["file"] for rec in records] == want
    assert [("error" in rec) for rec in records] == [False, True, False, True, False, True]
    r = CliRunner().invoke(app, [*map(str, given), "--csv", "--model", model])
    assert [row["file"] for row in csv.DictReader(io.StringIO(r.stdout))] == want


def test_an_error_given_after_a_repeated_film_keeps_its_place_among_the_films_answered():
    """a b a gone c: the repeated a is answered once, so gone's place is after two answers, not three (it came
    after c)."""
    from edge.batch import Result
    from edge.input_order import after_repeats_left_out, in_input_order

    kept = ["a", "b", "c"]  # of a b a c, the second a left out
    gone = Result("gone", error="no such file")
    placed = after_repeats_left_out([(3, gone)], [True, True, False, True])
    assert placed == [(2, gone)]
    answers = [Result(p, probabilities=None) for p in kept]
    assert [r.file for r in in_input_order(iter(answers), placed)] == ["a", "b", "gone", "c"]


def test_errors_in_order_still_stream():
    """An error waits for the answers of the films given before it, never for those after it."""
    from edge.input_order import in_input_order

    pulled: list[str] = []

    def answers():
        for name in ("a", "b", "c"):
            pulled.append(name)
            yield Result(name, probabilities=np.array([1.0]))

    out = in_input_order(answers(), [(1, Result("x", error="no such file or folder")),
                                     (0, Result("w", error="no such file or folder")),
                                     (3, Result("z", error="no such file or folder"))])
    assert next(out).file == "w" and pulled == []
    assert next(out).file == "a" and next(out).file == "x" and pulled == ["a"]  # x before b is decoded
    assert [r.file for r in out] == ["b", "c", "z"]


def test_covered_probability_keeps_a_tiny_probability_as_the_other_probabilities_do(tiny_run, tmp_path):
    """covered_probability was round(p, 6): 1.1e-07 was written 0, and 0.99999989 was 1.0 (a certainty), where every
    other probability in --json keeps 6 significant digits of a tiny one and stays off 0 and 1 (edge.decision.for_json)."""
    from edge.decision import for_json
    from edge.explain import explain_file, occlusion
    from edge.model import EdgeModel
    from edge.preprocess import preprocess_file

    m = EdgeModel(tiny_run / "model_int8.tflite")
    image = preprocess_file(str(_films(tiny_run)[0]), m.preprocess)
    found = occlusion(m.log_scores, image, 0)
    covered = found.base - found.largest_fall  # the label's log-odds with its strongest square covered
    assert abs(covered) > 1e-6
    m.temperature *= abs(covered) / 16  # the same map, at log-odds of +-16: p = 1.1e-07, or 1 - 1.1e-07
    (tmp_path / "maps").mkdir()
    out = explain_file(m, image, 0, 0.5, str(tmp_path / "films" / "x.png"), tmp_path / "maps", set())
    p = 1 / (1 + np.exp(-16 * np.sign(covered)))
    assert 0 < out["covered_probability"] < 1 and out["covered_probability"] == for_json(p, 0, None), out


def test_report_json_writes_a_mistakes_tiny_covered_probability_as_every_other_probability(tmp_path):
    """report.json's occlusion rows wrote round(p, 6): a covered probability of 1.1e-07 read 0, where --json and
    predictions.csv give 1.1e-07 (edge.decision.for_json)."""
    from convert.occlusion_section import occlusion_rows

    class Covered:  # what convert.occlusion's map answers: the label's probability with its strongest square covered
        def probability(self, covered: bool) -> float:
            return 1.1e-07 if covered else 0.97

    mistakes = [{"index": 0, "true": 1, "predicted": 0, "probability": 0.97, "border_share": None, "map": Covered()}]
    (row,) = occlusion_rows(mistakes, ["COVID", "Normal"], ["a.png"])
    assert row["covered_probability"] == 1.1e-07 and row["probability"] == 0.97 and row["predicted"] == "COVID"


def test_info_writes_a_stored_figure_that_is_not_a_number_as_null(tmp_path):
    """A rule chosen where a class had no films stores a specificity of NaN in the file's metadata: --info printed
    NaN, which jq and JavaScript's JSON.parse refuse; report.json writes null for the same figure."""
    import json

    from typer.testing import CliRunner

    from edge.cli import app
    from edge.metadata import attach, read
    from tests.test_json_probabilities import calibrated_model

    model, _ = calibrated_model(tmp_path)
    flatbuffer, meta, files = read(model)
    meta["decision"] = {"class": "COVID", "threshold": 0.3, "chosen_films": {"sensitivity": 1.0, "specificity": float("nan"),
                                                                             "n_positive": 4, "n_negative": 0}}
    model.write_bytes(attach(flatbuffer, meta, files))

    def refuse(constant: str):
        raise AssertionError(f"{constant} is no JSON")

    for options in (["--info"], ["--info", "--json"]):
        r = CliRunner().invoke(app, [*options, "--model", str(model)])
        assert r.exit_code == 0, r.output
        info = json.loads(r.stdout, parse_constant=refuse)
        assert info["decision"]["chosen_films"] == {"sensitivity": 1.0, "specificity": None, "n_positive": 4,
                                                    "n_negative": 0}


def test_selftest_json_writes_a_deviation_that_is_no_number_as_null(tiny_run, tmp_path):
    """A self-test whose probabilities hold a NaN (the device's runtime gave one, or the file's reference was
    damaged) printed "max_deviation": NaN with --selftest --json, which jq and JavaScript's JSON.parse refuse: the
    one line a monitoring script reads failed to parse, where it should read a failed self-test."""
    from edge.metadata import attach, read

    flatbuffer, meta, files = read(tiny_run / "model_int8.tflite")
    spec = json.loads(files["selftest.json"])
    spec["probabilities"][0][0] = float("nan")
    model = tmp_path / "nan_reference.tflite"
    model.write_bytes(attach(flatbuffer, meta, {**files, "selftest.json": json.dumps(spec).encode()}))

    def refuse(constant: str):
        raise AssertionError(f"{constant} is no JSON")

    r = CliRunner().invoke(app, ["--selftest", "--json", "--model", str(model)])
    assert r.exit_code == 1, r.output
    result = json.loads(r.stdout, parse_constant=refuse)
    assert result["passed"] is False and result["max_deviation"] is None
    assert set(result) == _documented("With `--json`, one line:", "A file converted")  # what docs/commands.md names


def _documented(start: str, end: str) -> set[str]:
    """The `names` docs/commands.md gives between ``start`` and ``end`` (a field list it promises programs)."""
    import re

    docs = " ".join((Path(__file__).parent.parent / "docs" / "commands.md").read_text(encoding="utf-8").split())
    said = docs[docs.index(start) + len(start):]
    return set(re.findall(r"`([a-z][a-z0-9_]*)`", said[:said.index(end)])) - {"null", "true", "false"}  # values, not names


def test_the_csv_header_docs_give_is_the_one_written():
    """docs/commands.md named --csv's columns one by one in prose, never the header a script matches a log's first
    line against; the header it now gives in full is csv_columns' for a COVID, Normal model."""
    from edge.output import csv_columns

    docs = " ".join((Path(__file__).parent.parent / "docs" / "commands.md").read_text(encoding="utf-8").split())
    assert f"The header in full, for a COVID, Normal model: `{','.join(csv_columns(['COVID', 'Normal']))}`" in docs


def test_convert_report_names_a_files_missing_rule_null_as_info_does(tiny_run):
    """cxr-convert's report.json left "decision" out of a .tflite that stores no rule, where --info, cxr-evaluate's
    and cxr-compare's provenance give null for the same fact (and docs/commands.md says --info's decision is 'as each
    model's decision in report.json'): a script reading report["models"]["int8"]["decision"] failed on such files."""
    models = json.loads((tiny_run / "report.json").read_text(encoding="utf-8"))["models"]
    for mode in ("int8", "fp32"):  # the files: the Keras model is no file a device runs, and stores no rule
        assert "decision" in models[mode] and models[mode]["decision"] is None, mode


def test_a_map_whose_covered_film_gives_nan_is_a_map_error_not_nan_in_the_json(tmp_path):
    """A model whose output is finite for the film but NaN with a square of it covered (here sqrt(max pixel -
    0.998): the film's one bright corner, covered, leaves a negative root) wrote "covered_probability": NaN with
    --explain --json, which jq and JavaScript's JSON.parse refuse, and drew a map of NaN. The label stands; the map
    is not written, and map_error says why."""
    from train.quiet import load_tensorflow

    load_tensorflow()
    import keras
    from PIL import Image

    from convert.export import convert

    inputs = keras.Input((32, 32, 1))
    brightest = keras.layers.GlobalMaxPooling2D()(keras.layers.Rescaling(1 / 255.0)(inputs))
    dense = keras.layers.Dense(2, kernel_initializer=keras.initializers.Constant([[1.0, 0.0]]),
                               bias_initializer=keras.initializers.Constant([-0.998, 0.5]))(brightest)
    model = tmp_path / "root.tflite"
    model.write_bytes(convert(keras.Model(inputs, keras.layers.Lambda(keras.ops.sqrt)(dense)), "fp32"))
    i, j = np.mgrid[0:64, 0:64]
    film = (20 + i + j).astype(np.uint8)
    film[:8, :8] = 255  # the first square the map covers: all of the film's brightest pixels
    Image.fromarray(film).save(tmp_path / "corner.png")

    def refuse(constant: str):
        raise AssertionError(f"{constant} is no JSON")

    r = CliRunner().invoke(app, [str(tmp_path / "corner.png"), "--model", str(model), "--labels", "A,B", "--json",
                                 "--explain", str(tmp_path / "maps")])
    assert r.exit_code == 1, r.output  # a map not written, as for any other map that fails
    (answer,) = [json.loads(line, parse_constant=refuse) for line in r.stdout.splitlines()]
    assert answer["label"] == "B" and "covered_probability" not in answer and "map" not in answer
    assert "no finite output" in answer["map_error"]


def test_every_field_of_info_is_named_in_the_docs(tiny_run):
    """--info --json's top-level fields a program reads: docs/commands.md named about half of them, so a script
    could not tell `seen` or `head_refit` from noise. Every field the int8 file's --info gives must be named in
    the --info section (a new field must be documented as it is added)."""
    r = CliRunner().invoke(app, ["--info", "--json", "--model", str(tiny_run / "model_int8.tflite")])
    assert r.exit_code == 0, r.output
    named = _documented("- `--info`: what the model says about itself", "- `--selftest`: check this device")
    assert set(json.loads(r.stdout)) - named == set()
