"""convert.provenance pinned: what a report says it scored (digests, versions, resamples), word for word.

Written by hand mutation testing (H67 mutants6): the reports' tests (test_file_digests, test_evaluate,
test_compare_reports) run whole evaluations in tens of seconds; these hold each part of the provenance
line and the digests on real files, in milliseconds. A wrong digest or version in a report's record is
silent: nobody checks it until the report is needed as evidence.
"""

from __future__ import annotations

import hashlib

from convert.provenance import SHOWN_GROUPS, model_digest, provenance_line, scoring_provenance, written_files

A, B, C = "a" * 64, "b" * 64, "c" * 64
TAIL = ("; 2,000 bootstrap resamples for the balanced-accuracy interval; every other interval is a score interval "
        "(Wilson's, Newcombe's for AUROC, or MOVER's over them), not resampled.")


def record(models: list[dict], **more) -> dict:
    return {"scored": "2026-12-04T10:11:12+00:00", "models": models, "n_boot": 2000,
            "versions": {"cxr_edge": "0.50.0", "runtime": "litert 2.3.0", "tensorflow": "2.21.0"}, **more}


def tflite(path: str, weights: str = A, whole: str | None = B) -> dict:
    m = {"file": path, "sha256": weights, "of": "flatbuffer (edge-classify --info)", "decision": None}
    return m if whole is None else {**m, "file_sha256": whole}


def test_one_tflite_is_named_with_its_file_and_weights_digests():
    """The whole file's digest first (what sha256sum and a device's answer log give), then the weights'."""
    assert provenance_line(record([tflite("runs/r1/model_int8.tflite")])) == (
        "Scored 2026-12-04 by cxr-edge 0.50.0 (litert 2.3.0): model_int8.tflite (file SHA-256 bbbbbbbbbbbb..., "
        "weights SHA-256 aaaaaaaaaaaa...)" + TAIL)


def test_a_report_from_before_file_digests_names_the_weights_only():
    """An old report's .tflite has no file_sha256: its flatbuffer digest is not the file's and is not said as it."""
    assert "model_int8.tflite (weights SHA-256 aaaaaaaaaaaa...)" in provenance_line(
        record([tflite("model_int8.tflite", whole=None)]))


def test_a_keras_file_has_one_digest_and_keras_ran_it():
    """A .keras: its digest is the whole file's, said once; with no TFLite runtime, Keras (TensorFlow) ran it."""
    p = record([{"file": "model.keras", "sha256": C, "of": "file", "file_sha256": C}])
    p["versions"] = {"cxr_edge": "0.50.0", "runtime": None, "tensorflow": "2.21.0"}
    assert provenance_line(p) == "Scored 2026-12-04 by cxr-edge 0.50.0 (Keras): model.keras (file SHA-256 cccccccccccc...)" + TAIL
    p["versions"] = {"cxr_edge": "0.50.0", "runtime": None}  # neither could be named: nothing claimed
    assert provenance_line(p).startswith("Scored 2026-12-04 by cxr-edge 0.50.0: model.keras")


def test_two_models_are_a_and_b_with_their_paths_three_by_name():
    """cxr-compare's two files are often both model_int8.tflite: named A and B with their paths, as compare.md."""
    two = provenance_line(record([tflite("r1/model_int8.tflite"), tflite("r2/model_int8.tflite", weights=C)]))
    assert ": A (r1/model_int8.tflite) (file SHA-256 bbbbbbbbbbbb..., weights SHA-256 aaaaaaaaaaaa...); " \
           "B (r2/model_int8.tflite) (file SHA-256 bbbbbbbbbbbb..., weights SHA-256 cccccccccccc...)" in two
    three = provenance_line(record([tflite("r1/a.tflite"), tflite("r2/b.tflite"), tflite("r3/c.tflite")]))
    assert ": a.tflite (file" in three and "; b.tflite (file" in three and "; c.tflite (file" in three


def test_cxr_converts_record_names_each_written_file_and_the_trained_model():
    p = {"scored": "2026-12-04T10:11:12+00:00", "trained": "2026-12-01T09:00:00+00:00", "trained_with": "0.49.0",
         "model_sha256": C, "n_boot": 1000, "files_sha256": {"model_fp32.tflite": A, "model_int8.tflite": B},
         "versions": {"cxr_edge": "0.50.0", "runtime": "litert 2.3.0"}}
    assert provenance_line(p) == (
        "Scored 2026-12-04 by cxr-edge 0.50.0 (litert 2.3.0): model_fp32.tflite (file SHA-256 aaaaaaaaaaaa...); "
        "model_int8.tflite (file SHA-256 bbbbbbbbbbbb...); model.keras SHA-256 cccccccccccc..., trained "
        "2026-12-01T09:00:00+00:00 with cxr-edge 0.49.0; 1,000 bootstrap resamples for the balanced-accuracy "
        "interval; every other interval is a score interval (Wilson's, Newcombe's for AUROC, or MOVER's over them), "
        "not resampled.")
    del p["trained_with"]
    assert "with cxr-edge ?;" in provenance_line(p)


def test_compares_resamples_are_said_for_the_groups_resampled_only():
    p = record([tflite("r1/m.tflite"), tflite("r2/m.tflite")], resampled=[])
    assert provenance_line(p).endswith("; no interval needed resampling: each is Newcombe's score interval, or for "
                                       "balanced accuracy MOVER's over them.")
    groups = [f"site{k}" for k in range(SHOWN_GROUPS + 2)]
    p["resampled"] = groups
    assert provenance_line(p).endswith(
        "; 2,000 bootstrap resamples for the balanced-accuracy interval of site0, site1, site2, site3, site4 and 2 more "
        "(compare.json's balanced_accuracy_difference_ci_method); every other interval is a score interval "
        "(Newcombe's, or MOVER's over them), not resampled.")
    p["resampled"] = groups[:SHOWN_GROUPS]
    assert "interval of site0, site1, site2, site3, site4 (compare.json's" in provenance_line(p)


def test_a_model_file_that_is_no_tflite_model_is_digested_as_a_file(tmp_path):
    """A .keras, or a .tflite whose metadata cannot be read: its one digest is the whole file's."""
    for name in ("model.keras", "broken.tflite"):
        path = tmp_path / name
        path.write_bytes(name.encode())
        whole = hashlib.sha256(name.encode()).hexdigest()
        assert model_digest(path) == {"file": str(path), "sha256": whole, "of": "file", "file_sha256": whole}


def test_written_files_are_the_tflite_files_whole_digests(tmp_path):
    (tmp_path / "model_int8.tflite").write_bytes(b"int8")
    (tmp_path / "model_fp32.tflite").write_bytes(b"fp32")
    (tmp_path / "report.json").write_text("{}")
    assert written_files(tmp_path) == {"model_fp32.tflite": hashlib.sha256(b"fp32").hexdigest(),
                                       "model_int8.tflite": hashlib.sha256(b"int8").hexdigest()}


def test_scoring_a_keras_file_alone_names_no_tflite_runtime(tmp_path):
    """Keras ran a .keras: a TFLite runtime named there would claim a run that never was; a .tflite among the
    models (any case of suffix) names the one that ran it."""
    (tmp_path / "model.keras").write_bytes(b"k")
    (tmp_path / "M.TFLITE").write_bytes(b"t")
    alone = scoring_provenance([tmp_path / "model.keras"], 500)
    assert alone["versions"]["runtime"] is None and alone["n_boot"] == 500 and len(alone["models"]) == 1
    both = scoring_provenance([tmp_path / "model.keras", tmp_path / "M.TFLITE"], 500)
    assert both["versions"]["runtime"]
    assert both["versions"]["numpy"] and both["versions"]["pillow"] and both["versions"]["python"]


def test_cxr_converts_record_holds_run_jsons_stamps_in_utc():
    """conversion_provenance: each stamp from run.json under its own key; scored in UTC, so two sites' records
    of one model compare by time."""
    from convert.provenance import conversion_provenance

    run = {"created": "2026-12-01T09:00:00+00:00", "cxr_edge_version": "0.49.0", "model_sha256": A, "split_digest": B}
    p = conversion_provenance(run, 1000)
    assert {k: p[k] for k in ("trained", "trained_with", "model_sha256", "split_digest", "n_boot")} == {
        "trained": "2026-12-01T09:00:00+00:00", "trained_with": "0.49.0", "model_sha256": A, "split_digest": B,
        "n_boot": 1000}
    assert p["scored"].endswith("+00:00") and len(p["scored"]) == 25


def test_a_record_without_a_trained_model_or_files_says_neither():
    """No model.keras digest: no 'trained' part (a stamp alone says nothing of which model); no file: no colon."""
    p = record([], trained="2026-12-01T09:00:00+00:00")
    assert provenance_line(p) == "Scored 2026-12-04 by cxr-edge 0.50.0 (litert 2.3.0)" + TAIL


def test_a_stored_rule_is_named_with_the_digests():
    """Two files of one weights answer differently where one stores a rule: the line names the rule. The words are
    written out here, not built with edge.decision.labelling, so that a slip there (a '>' for '>=', the class or the
    threshold dropped) shows here too."""
    rule = {"class": "COVID", "threshold": 0.3, "chosen_on": "validation", "stored": "2026-12-02"}
    m = {**tflite("model_int8.tflite"), "decision": rule}
    assert "(file SHA-256 bbbbbbbbbbbb..., weights SHA-256 aaaaaaaaaaaa..., stored rule COVID whenever p >= 0.3)" \
        in provenance_line(record([m]))
