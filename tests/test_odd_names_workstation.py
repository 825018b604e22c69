"""Names the workstation commands met only on the device before: a film or folder name whose bytes
are not UTF-8 (Latin-1's Röntgen from an old share) and one that reads as TeX ("$5^$"). Each lost a
whole report (cxr-evaluate, cxr-compare) or a whole run (cxr-train) at its last step."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import numpy as np
from typer.testing import CliRunner

from convert.evaluate_cli import evaluate_app

ODD = "R\udcf6ntgen $5^$"  # b"R\xf6ntgen $5^$" as Python holds a name it cannot decode


def _site(tiny_run: Path, root: Path) -> Path:
    """The tiny run's films under a Latin-1 folder name, every film named oddly: whichever films the
    report's occlusion grid picks, their titles carry the name."""
    data = Path(json.loads((tiny_run / "split.json").read_text())["data_dir"])
    site = root / "sit\udce9"
    for label in ("COVID", "Normal"):
        (site / label).mkdir(parents=True)
        for k, film in enumerate(sorted((data / label).glob("*.png"))):
            shutil.copyfile(film, site / label / f"{ODD}-{k}.png")
    return site


def test_cxr_evaluate_keeps_its_report_over_names_that_are_not_utf8_or_read_as_tex(tiny_run, tmp_path):
    site, out = _site(tiny_run, tmp_path), tmp_path / "report"
    r = CliRunner().invoke(evaluate_app, [str(tiny_run / "model_int8.tflite"), str(site), "--keep-seen", "--out",
                                          str(out), "--explain", "2", "--n-boot", "100", "--quiet"])
    assert r.exit_code == 0, r.output
    assert {"report.md", "report.json", "predictions.csv", "occlusion.png", "confusion.png"} <= set(os.listdir(out))
    # valid UTF-8 throughout (jq, Go, JavaScript, Excel): the undecodable byte as \xf6 in text ...
    csv_text = (out / "predictions.csv").read_bytes().decode("utf-8-sig")
    assert "R\\xf6ntgen $5^$-0.png" in csv_text
    assert "\\xe9" in (out / "report.md").read_bytes().decode("utf-8")  # Markdown readers take UTF-8 only
    report = json.loads((out / "report.json").read_bytes().decode("utf-8"), parse_constant=float)
    assert all(p["file"].encode("utf-8") for p in report["predictions"])
    # ... and the exact name beside it in JSON, in base64
    from edge.names import exact_name

    odd = [p for p in report["predictions"] if p["file"].startswith("COVID/R\\xf6ntgen")]
    assert odd and all(exact_name(p).startswith(f"COVID/{ODD}") and "file_bytes" in p for p in odd)
    assert exact_name(report, "data_dir") == str(site) and report["data_dir"].endswith("sit\\xe9")
    plain = [p for p in report["predictions"] if "file_bytes" not in p]
    assert all(exact_name(p) == p["file"] for p in plain)


def test_a_plot_draws_such_names_escaped():
    from convert.plots import _shown, confusion_grid

    assert _shown(ODD) == "R\\xf6ntgen $5^$" and _shown("Röntgen") == "Röntgen" and _shown("a\ud800") == "a\\ud800"
    import tempfile

    with tempfile.TemporaryDirectory() as d:
        confusion_grid({f"int8 on {ODD}": np.eye(2, dtype=int)}, [ODD, "Normal"], Path(d) / "c.png")
        assert (Path(d) / "c.png").stat().st_size > 0


def test_training_digests_and_its_lock_take_such_names(tmp_path):
    from edge.preprocess import PreprocessConfig
    from train.cache import _films_digest
    from train.data import Item
    from train.run_lock import run_folder_lock

    one, other = Item(f"COVID/{ODD}.png", "COVID", "ab"), Item("COVID/Rontgen.png", "COVID", "ab")
    assert _films_digest([one], PreprocessConfig()) != _films_digest([other], PreprocessConfig())
    with run_folder_lock(tmp_path / "run\udce9", "cxr-train"):
        pass


def test_keys_that_are_not_utf8_are_text_too():
    from edge.names import texts

    out = texts({"class_folders": {"Pneumonie_\udce9": "-"}, "file": "a\udce9.png"})
    assert out["class_folders"] == {"Pneumonie_\\xe9": "-"} and out["file"] == "a\\xe9.png" and "file_bytes" in out
    json.dumps(out).encode("utf-8")


def test_lists_of_names_that_are_not_utf8_keep_their_bytes_beside_them():
    """compare.json's files and report.json's copies_within_set wrote a Latin-1 r\\xe9sum\\xe9.png as text alone: it read
    the same as a file named r\\xe9sum\\xe9.png with backslashes, and no script could find it."""
    import base64

    from edge.names import texts

    out = texts({"files": ["ok.png", "r\udce9sum\udce9.png"], "copies_within_set": [["a.png", "co\udcffpy.png"], ["b", "c"]],
                 "plain": ["a", "b"]})
    assert out["files"] == ["ok.png", "r\\xe9sum\\xe9.png"] and out["files_bytes"][0] is None
    assert base64.b64decode(out["files_bytes"][1]) == b"r\xe9sum\xe9.png"
    assert out["copies_within_set_bytes"] == [[None, base64.b64encode(b"co\xffpy.png").decode()], [None, None]]
    assert "plain_bytes" not in out
    json.dumps(out).encode("utf-8")
