"""A multi-frame film is classified on its first frame (tests/test_dicom.py pins that), and where its frames are not
all the same the answer says so (edge.frames): a dual-energy set's frame 1 may be its bone image. Identical repeated
frames give no note; counting is cheap (the header first; DICOM frames compared as stored bytes)."""

from __future__ import annotations

import io
import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from edge.batch import classify_files
from edge.frames import differing_frames, frames_words
from edge.output import writer_for
from edge.preprocess import load_bytes
from tests.test_batch_pinned import Fixed
from tests.test_dicom import make_dicom, ramp
from tests.test_edge_cli_messages import PREFIX, edge_classify

pydicom = pytest.importorskip("pydicom")


def frames_dicom(frames: np.ndarray, syntax: str = "native") -> bytes:
    """A DICOM file of ``frames`` (N, H, W) uint16 with Number of Frames N: explicit VR little endian ("native"),
    RLE-compressed ("rle"), implicit VR ("implicit") or deflated ("deflated")."""
    from pydicom.uid import DeflatedExplicitVRLittleEndian, ImplicitVRLittleEndian, RLELossless

    ds = pydicom.dcmread(io.BytesIO(make_dicom(frames[0])), force=True)
    ds.NumberOfFrames = len(frames)
    if syntax == "rle":
        ds.compress(RLELossless, frames)
    else:
        ds.PixelData = frames.astype(np.uint16).tobytes()
        if syntax != "native":
            ds.file_meta.TransferSyntaxUID = ImplicitVRLittleEndian if syntax == "implicit" else DeflatedExplicitVRLittleEndian
    buf = io.BytesIO()
    ds.save_as(buf, enforce_file_format=True)
    return buf.getvalue()


def dual_energy(h: int = 64, w: int = 80) -> np.ndarray:
    """Standard, soft-tissue and bone images: three frames that differ."""
    r = ramp(h, w)
    return np.stack([r, r[:, ::-1], r // 2 + 100])


@pytest.mark.parametrize("syntax", ["native", "rle", "implicit", "deflated"])
def test_a_dual_energy_set_is_counted_and_repeated_frames_are_not(tmp_path, syntax):
    differ, same, one = tmp_path / "de.dcm", tmp_path / "same.dcm", tmp_path / "one.dcm"
    differ.write_bytes(frames_dicom(dual_energy(), syntax))
    same.write_bytes(frames_dicom(np.stack([ramp()] * 3), syntax))
    assert load_bytes(differ.read_bytes(), "de.dcm").shape == (64, 80)  # a film the device reads, frame 1
    one.write_bytes(make_dicom(ramp()))
    assert (differing_frames(differ), differing_frames(same), differing_frames(one)) == (3, None, None)
    assert frames_words(3) == "3 frames: frame 1 classified"


def test_a_multi_page_tiff_and_an_animated_gif_are_counted(tmp_path):
    a = Image.fromarray((ramp() >> 4).astype(np.uint8))
    b = Image.fromarray((ramp()[:, ::-1] >> 4).astype(np.uint8))
    a.save(tmp_path / "pages.tif", save_all=True, append_images=[b, a])
    a.save(tmp_path / "copies.tif", save_all=True, append_images=[a.copy(), a.copy()])
    a.save(tmp_path / "moving.gif", save_all=True, append_images=[b])
    a.save(tmp_path / "still.png")
    got = [differing_frames(tmp_path / n) for n in ("pages.tif", "copies.tif", "moving.gif", "still.png")]
    assert got == [3, None, 2, None]


def test_past_the_budget_frames_are_not_decoded_and_the_note_stays(tmp_path, monkeypatch):
    """Identical frames beyond MAX_COMPARED_PIXELS are not all decoded: the note is given unchecked (it is true)."""
    import edge.frames

    a = Image.fromarray((ramp() >> 4).astype(np.uint8))
    a.save(tmp_path / "copies.tif", save_all=True, append_images=[a.copy()] * 4)
    assert differing_frames(tmp_path / "copies.tif") is None
    monkeypatch.setattr(edge.frames, "MAX_COMPARED_PIXELS", 2 * 64 * 80)
    assert differing_frames(tmp_path / "copies.tif") == 5


def test_a_large_film_is_counted_from_its_stored_bytes(tmp_path):
    """3 frames of 2000 x 2000 16-bit (24 MB): identical frames (the most work: every byte compared) give no note,
    one flipped frame gives 3. How long it takes is a benchmark's business, not a test's (measured by hand at a few
    ms a file against about 150 ms to decode the first frame)."""
    big = np.tile(np.linspace(0, 4095, 2000), (2000, 1)).astype(np.uint16)
    path = tmp_path / "big.dcm"
    for frames, want in ((np.stack([big] * 3), None), (np.stack([big, big, big[:, ::-1]]), 3)):
        path.write_bytes(frames_dicom(frames))
        assert differing_frames(path) == want


def test_the_answer_carries_the_count_and_json_says_it(tmp_path, capsys):
    (tmp_path / "de.dcm").write_bytes(frames_dicom(dual_energy()))
    (tmp_path / "one.dcm").write_bytes(make_dicom(ramp()))
    results = list(classify_files(Fixed([0.9, 0.1]), [str(tmp_path / "de.dcm"), str(tmp_path / "one.dcm")]))
    assert [r.frames for r in results] == [3, None]
    write = writer_for(["COVID", "Normal"], 1, "json")
    for r in results:
        write(r)
    recs = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert recs[0]["frames"] == 3 and "frames" not in recs[1]
    docs = (Path(__file__).parent.parent / "docs" / "commands.md").read_text(encoding="utf-8")
    json_part = docs[docs.index("### JSON lines (`--json`)"):docs.index("- A probability is given to 6 decimals")]
    assert '`"frames"`' in json_part  # a field programs read is named where docs/commands.md lists them


def test_edge_classify_says_which_frame_it_classified(model, tmp_path):
    film = tmp_path / "de.dcm"
    film.write_bytes(frames_dicom(dual_energy(256, 256)))
    p = edge_classify(film, "--model", model)
    assert p.returncode == 0, p.stderr
    assert f"{PREFIX}note: {film}: 3 frames: frame 1 classified" in p.stderr.splitlines()
    p = edge_classify(film, "--model", model, "--json")
    assert p.returncode == 0 and json.loads(p.stdout)["frames"] == 3


def test_cxr_train_names_the_films_it_trains_on_frame_1_of(tmp_path, capsys):
    """cxr-train reads a dual-energy set's frame 1 as the device does, and said nothing: it names such films
    (identical repeated frames and single films are not named). Real data step (prepare_data), tiny films. A
    warning, as cxr-evaluate and cxr-compare say these films (it was a 'note:' beside their 'warning:'): it asks for
    a check; edge-classify's per-film 'note:' only says which frame the answer is about."""
    from tests.test_train_data_checks import films, prepare

    data = tmp_path / "data"
    for c in ("COVID", "Normal"):
        films(data / c, 12, len(c))
    (data / "Normal" / "de.dcm").write_bytes(frames_dicom(dual_energy()))
    (data / "COVID" / "same.dcm").write_bytes(frames_dicom(np.stack([ramp()[::-1]] * 3)))
    prepare(data, tmp_path / "run")
    noted = [line for line in capsys.readouterr().err.splitlines() if "frames" in line]
    assert noted == ["cxr-train: warning: 1 film of several frames that are not all the same (a dual-energy set, a "
                     "multi-page TIFF, an animated image): Normal/de.dcm (3 frames); each is trained on as its frame 1 "
                     "alone, as the device reads it: check that frame 1 is the film meant (not a bone or soft-tissue "
                     "image)"]


def test_the_warning_names_the_first_5_films_and_counts_the_rest(tmp_path):
    """Seven films of 3 frames each (the count given, no files read): five named, 'and 2 more'; five films: all
    named, no 'more'."""
    from edge.frames import frames_warning

    films = [f"f{k}.dcm" for k in range(7)]
    line = frames_warning(tmp_path, films, done="DONE", count=lambda path: 3)
    named = ", ".join(f"f{k}.dcm (3 frames)" for k in range(5))
    assert line.endswith(f"an animated image): {named}, and 2 more; DONE") and line.startswith("7 films of several")
    assert frames_warning(tmp_path, films[:5], done="DONE", count=lambda path: 3).endswith(f"): {named}; DONE")


def test_a_1_bit_dicom_of_several_frames_is_counted_uncompared(tmp_path):
    """1-bit frames (BitsAllocated 1) need not start on a byte, so they are not compared: two frames of 64 x 80 bits
    (640 bytes each), even identical ones, give the note unchecked (true: frame 1 is what was classified)."""
    ds = pydicom.dcmread(io.BytesIO(make_dicom(ramp())), force=True)
    ds.NumberOfFrames, ds.BitsAllocated, ds.BitsStored, ds.HighBit = 2, 1, 1, 0
    ds.PixelData = bytes(range(256)) * 5 * 2  # two identical frames of 640 bytes
    path = tmp_path / "bits.dcm"
    ds.save_as(path, enforce_file_format=True)
    assert differing_frames(path) == 2
