"""docs/json-fields.md against edge-classify --json's answers for DICOM films, whose keys no PNG writes: a lateral
view (its header says it is no frontal chest film: `header_says`, and the input check's own verdict `input_check`),
a film of three differing frames (`frames`), and the lateral view refused by --refuse-atypical (`atypical`,
`header_says` of a refusal). Both films are built here from a synthetic ramp with pydicom; the model is tiny_run's
int8 file, run in-process. Held both ways, as tests/test_json_fields.py holds the PNG answers."""

from __future__ import annotations

import io
import json
from pathlib import Path

import numpy as np
import pytest

pydicom = pytest.importorskip("pydicom", reason="DICOM support is the optional [dicom] extra")

from tests.test_dicom import make_dicom, ramp  # noqa: E402
from tests.test_json_fields import DOC, doc_tables, problems  # noqa: E402


def dicom_films(folder: Path) -> tuple[Path, Path]:
    """A lateral-view DICOM film (ViewPosition LL) and one of three frames that differ (dual-energy-like)."""
    lateral = pydicom.dcmread(io.BytesIO(make_dicom(ramp())), force=True)
    lateral.ViewPosition = "LL"
    three = pydicom.dcmread(io.BytesIO(make_dicom(ramp())), force=True)
    r = ramp()
    three.NumberOfFrames = 3
    three.PixelData = np.stack([r, r[:, ::-1], r // 2 + 100]).astype(np.uint16).tobytes()
    paths = folder / "lateral.dcm", folder / "three-frames.dcm"
    for ds, path in zip((lateral, three), paths):
        ds.save_as(path, enforce_file_format=True)
    return paths


@pytest.fixture(scope="module")
def answers(tiny_run, tmp_path_factory) -> dict[str, list[dict]]:
    """Each film's --json line, and the lateral film's line under --refuse-atypical."""
    from typer.testing import CliRunner

    from edge.cli import app as edge_app

    lateral, three = dicom_films(tmp_path_factory.mktemp("json-fields-dicom"))
    model = str(tiny_run / "model_int8.tflite")
    r = CliRunner().invoke(edge_app, [str(lateral), str(three), "--json", "--model", model])
    assert r.exit_code == 0, r.output
    refused = CliRunner().invoke(edge_app, [str(lateral), "--json", "--refuse-atypical", "--model", model])
    assert refused.exit_code != 0, refused.output
    return {"A film's answer": [json.loads(ln) for ln in r.stdout.splitlines()],
            "A film refused": [json.loads(ln) for ln in refused.stdout.splitlines()]}


# (the page's ### heading, the keys the page marks "Only ..." that these films write)
CONDITIONAL_WRITTEN = {"A film's answer": {"header_says", "input_check", "frames"},
                       "A film refused": {"atypical", "header_says"}}


@pytest.mark.parametrize("level", CONDITIONAL_WRITTEN)
def test_every_key_written_is_documented_and_these_films_write_theirs(answers, level):
    written = answers[level]
    assert written and all(("error" in a) == (level == "A film refused") for a in written), written
    assert problems(written, doc_tables(DOC.read_text(encoding="utf-8"))[level]) == []
    assert CONDITIONAL_WRITTEN[level] - {k for a in written for k in a} == set()


def test_the_keys_say_what_the_films_are(answers):
    lateral, three = answers["A film's answer"]
    assert "lateral" in lateral["header_says"].lower() and lateral["atypical"] is True
    assert lateral["input_check"] in (True, False)  # tiny_run's file has an input check: its own verdict
    assert three["frames"] == 3 and "header_says" not in three
    (refused,) = answers["A film refused"]
    assert refused["atypical"] is True and refused["header_says"] == lateral["header_says"]
