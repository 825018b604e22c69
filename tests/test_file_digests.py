"""Two .tflite files of the same weights answer differently where one stores a rule: every report, --info and
cxr-convert's report name each file by its whole-file SHA-256 too, the digest sha256sum prints and a watch's answer
log names its model by, beside the weights' digest and the rule."""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from tests.conftest import unpadded

ROOT = Path(__file__).resolve().parents[1]


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _info(model: Path) -> dict:
    r = subprocess.run([sys.executable, "-m", "edge.cli", "--info", "--model", str(model)], cwd=ROOT,
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


def test_reports_and_info_tell_a_file_from_its_copy_with_a_stored_rule(tiny_run, unseen_site, tmp_path):
    from convert.compare_cli import compare_app
    from convert.evaluate_cli import evaluate_app
    from edge.answered import model_sha256

    site, saved, plain = tmp_path / "my_site", tmp_path / "site.tflite", tmp_path / "plain.tflite"
    shutil.copytree(unseen_site, site)
    shutil.copyfile(tiny_run / "model_int8.tflite", plain)
    quick = ["--explain", "0", "--n-boot", "100", "--quiet"]
    r = CliRunner().invoke(evaluate_app, [str(plain), str(site), "--operating-point", "COVID=0.9", "--save-model",
                                          str(saved), "--out", str(tmp_path / "chosen"), *quick])
    assert r.exit_code == 0, r.output
    chosen = json.loads((tmp_path / "chosen" / "report.json").read_text())["site_operating_point"]
    assert chosen["saved_sha256"] == _sha256(saved)  # the copy a device gets, by the digest its answer log gives
    assert f"(file SHA-256 `{_sha256(saved)}`)" in (tmp_path / "chosen" / "report.md").read_text()

    # --info: the same weights, two files, told apart by the field a watch's "model_sha256" matches
    a, b = _info(plain), _info(saved)
    assert a["tflite_sha256"] == b["tflite_sha256"] and a["file_sha256"] != b["file_sha256"]
    assert (a["file_sha256"], b["file_sha256"]) == (_sha256(plain), _sha256(saved)) == (model_sha256(plain),
                                                                                        model_sha256(saved))

    out = tmp_path / "cmp"
    r = CliRunner().invoke(compare_app, [str(plain), str(saved), str(site), "--out", str(out), "--n-boot", "100",
                                         "--quiet", "--keep-seen"])
    assert r.exit_code == 0, r.output
    models = json.loads((out / "compare.json").read_text())["provenance"]["models"]
    assert [m["file_sha256"] for m in models] == [_sha256(plain), _sha256(saved)]
    assert models[0]["sha256"] == models[1]["sha256"]  # the weights' digest, as before
    assert models[0]["decision"] is None and models[1]["decision"]["class"] == "COVID"
    assert models[1]["decision"]["stored"]["by"].startswith("cxr-edge ")  # when and by what its rule was set
    line = unpadded((out / "compare.md").read_text()).split("## Provenance")[1]
    assert f"A ({plain}) (file SHA-256 {_sha256(plain)[:12]}..., weights SHA-256 {models[0]['sha256'][:12]}...); " in line
    assert f"B ({saved}) (file SHA-256 {_sha256(saved)[:12]}..., weights SHA-256 {models[1]['sha256'][:12]}..., " \
           "stored rule COVID whenever p >= " in line

    r = CliRunner().invoke(evaluate_app, [str(saved), str(site), "--keep-seen", "--out", str(tmp_path / "ev"), *quick])
    assert r.exit_code == 0, r.output
    p = json.loads((tmp_path / "ev" / "report.json").read_text())["provenance"]["models"][0]
    assert p["file_sha256"] == _sha256(saved) and p["decision"]["threshold"] == chosen["decision"]["threshold"]
    assert f"site.tflite (file SHA-256 {_sha256(saved)[:12]}..." in (tmp_path / "ev" / "report.md").read_text()


def test_cxr_convert_report_names_each_file_it_wrote_by_its_final_digest(tiny_run):
    """The digest of each .tflite as it lies in the run folder, its card stamped after it was scored."""
    report = json.loads((tiny_run / "report.json").read_text())
    files = {p.name: _sha256(p) for p in sorted(tiny_run.glob("*.tflite"))}
    assert report["provenance"]["files_sha256"] == files and set(files) == {"model_int8.tflite", "model_fp32.tflite"}
    line = (tiny_run / "report.md").read_text().split("## Provenance")[1]
    assert f"model_int8.tflite (file SHA-256 {files['model_int8.tflite'][:12]}...)" in line
