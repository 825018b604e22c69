"""--json's input_check: the input check's own verdict on a film its DICOM header flags, whose atypical is true
whatever the check found (session 62's lead: a user could not tell whether the check would have flagged it too, a
header's ViewPosition written wrongly from a lateral film the check missed)."""

from __future__ import annotations

import json

import pytest

from tests.test_edge_cli_messages import edge_classify


def test_a_film_its_header_flags_carries_the_input_checks_own_verdict(tmp_path):
    pytest.importorskip("pydicom", reason="DICOM support is the optional [dicom] extra")
    import numpy as np

    from edge.metadata import attach, read
    from tests.test_dicom import make_dicom, with_header
    from tests.test_edge_cli_outputs import checked_model
    from tests.test_typicality import layout_images

    model = checked_model(tmp_path)  # as test_edge_cli_outputs' lateral film: a handmade model of seconds
    chest = layout_images(1, 7, 64)[0, :, :, 0].astype(np.uint16) * 16  # pixels the check passes
    noise = np.random.default_rng(0).integers(0, 4096, (64, 64)).astype(np.uint16)  # pixels it flags
    films = tmp_path / "films"
    films.mkdir()
    for name, pixels, view in (("IM1", chest, "PA"), ("IM2", chest, "LL"), ("IM3", noise, "LL"), ("IM4", noise, "PA")):
        (films / name).write_bytes(with_header(make_dicom(pixels), ViewPosition=view, BodyPartExamined="CHEST"))
    p = edge_classify(films, "--json", "--model", model)
    assert p.returncode == 0, p.stderr
    pa, ll, ll_noise, pa_noise = map(json.loads, p.stdout.splitlines())
    assert pa["atypical"] is False and pa_noise["atypical"] is True  # the check's verdicts, without a header's word
    assert "input_check" not in pa and "input_check" not in pa_noise  # atypical is it: not said twice
    assert ll["atypical"] is True and ll["header_says"] and ll["input_check"] is False
    assert ll_noise["atypical"] is True and ll_noise["input_check"] is True

    flatbuffer, meta, files = read(model)  # without an input check: null, as atypical's null means
    unchecked = tmp_path / "unchecked.tflite"
    unchecked.write_bytes(attach(flatbuffer, {k: v for k, v in meta.items() if k != "typicality"}, files))
    p = edge_classify(films / "IM2", "--json", "--model", unchecked)
    assert p.returncode == 0, p.stderr
    ll = json.loads(p.stdout)
    assert ll["atypical"] is True and ll["header_says"] and ll["input_check"] is None
