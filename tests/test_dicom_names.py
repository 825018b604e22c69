"""DICOM files named by UID (a PACS export's ``1.2.826.0.1.3680043.8.498.131003``, no image
suffix) count as films wherever a folder is listed: a batch, --watch, train.discovery.discover. A
suffix-less file that is not DICOM still does not. Listing only reads bytes 128..132, so most
tests here need no pydicom; decoding ones skip without it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

import edge.film_files as film_files
import edge.watch as watch_module
from edge.batch import expand_inputs
from edge.film_files import image_files, is_image_file
from edge.no_images import why_no_images
from edge.tally import tally
from edge.watch import Watcher
from train.data import DataError
from train.discovery import discover

UID = "1.2.826.0.1.3680043.8.498.131003"
HEAD = b"\0" * 128 + b"DICM" + b"\2\0\0\0UL\4\0" + b"\0" * 8  # a DICOM file's preamble, magic, first element


def _png(path: Path, seed: int = 0) -> None:
    Image.fromarray(np.random.default_rng(seed).integers(0, 255, (48, 40), dtype=np.uint8)).save(path)


def _real_dicom(path: Path) -> None:
    pytest.importorskip("pydicom", reason="decoding DICOM needs the optional [dicom] extra (pydicom)")
    from tests.test_dicom import make_dicom, ramp

    path.write_bytes(make_dicom(ramp(48, 40)))


def _mixed(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    _png(folder / "a.png")
    (folder / UID).write_bytes(HEAD)                   # DICOM by content
    (folder / "IM0001").write_bytes(b"x" * 200)        # suffix-less, not DICOM
    (folder / "notes.txt").write_bytes(HEAD)           # a document's name is never opened
    (folder / "DICOMDIR").write_bytes(HEAD)            # an export's index, not a film
    (folder / f"{UID}9.part").write_bytes(HEAD)        # a copy in progress
    (folder / f".{UID}8").write_bytes(HEAD)            # hidden


def test_a_batch_lists_uid_named_dicom_beside_films(tmp_path):
    _mixed(tmp_path)
    assert image_files(tmp_path, False) == [str(tmp_path / UID), str(tmp_path / "a.png")]
    assert expand_inputs([str(tmp_path)])[0] == [str(tmp_path / UID), str(tmp_path / "a.png")]
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / UID).write_bytes(HEAD)
    assert str(tmp_path / "sub" / UID) in image_files(tmp_path, True)


def test_why_no_images_knows_uid_named_dicom(tmp_path):
    (tmp_path / "top" / "sub").mkdir(parents=True)
    (tmp_path / "top" / "sub" / UID).write_bytes(HEAD)
    assert why_no_images([str(tmp_path / "top")], False, False).endswith("(it has sub-folders with images: use --recursive)")
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "IM0001").write_bytes(b"x" * 200)
    assert ("(its 1 file has no image suffix such as .png, .jpg, .dcm and is not DICOM; "
            in why_no_images([str(tmp_path / "other")], False, False))


def test_unreadable_and_odd_files_are_not_images(tmp_path):
    assert not is_image_file(str(tmp_path / UID))          # gone (between the listing and the look)
    assert not is_image_file(str(tmp_path))                 # a folder
    (tmp_path / "short").write_bytes(b"DICM")               # too short to hold the magic at 128
    assert not is_image_file(str(tmp_path / "short"))
    if hasattr(os, "mkfifo"):
        os.mkfifo(tmp_path / "1.2.3")                       # opened without waiting for a writer
        assert not is_image_file(str(tmp_path / "1.2.3"))
    (tmp_path / UID).write_bytes(HEAD)
    assert is_image_file(str(tmp_path / UID))


def test_only_names_that_may_be_dicom_are_opened(tmp_path, monkeypatch):
    _mixed(tmp_path)
    opened = []
    real_open = os.open
    monkeypatch.setattr(film_files.os, "open", lambda p, *a, **k: opened.append(os.path.basename(p)) or real_open(p, *a, **k))
    image_files(tmp_path, False)
    assert sorted(opened) == sorted(["IM0001", UID])


def test_the_watcher_hands_out_a_uid_named_dicom_once_settled_and_reads_others_once(tmp_path, monkeypatch):
    w = Watcher([tmp_path], full_every=3)
    (tmp_path / "IM0001").write_bytes(b"x" * 200)
    dcm = tmp_path / UID
    dcm.write_bytes(HEAD[:100])                             # a copy under way: no magic yet
    sniffed = []
    real = film_files.has_dicom_magic
    monkeypatch.setattr(film_files, "has_dicom_magic", lambda p: sniffed.append(os.path.basename(p)) or real(p))
    assert w.poll() == [] and sniffed == []                 # first sight: not read before it settles
    with dcm.open("ab") as f:
        f.write(HEAD[100:])
    assert w.poll() == [] and sniffed == ["IM0001"]         # IM0001 settled (and is no film); the DICOM grew
    assert w.poll() == [str(dcm)] and sniffed == ["IM0001", UID]
    for _ in range(4):                                      # a full check among them: nothing read again
        assert w.poll() == []
    assert sniffed == ["IM0001", UID]
    with (tmp_path / "IM0001").open("ab") as f:             # changed: looked at again once it settles
        f.write(b"y")
    os.utime(tmp_path / "IM0001", ns=(7, 7))
    assert [w.poll() for _ in range(4)] == [[]] * 4 and sniffed == ["IM0001", UID, "IM0001"]


def test_a_quiet_poll_reads_no_file_beside_suffix_less_ones(tmp_path, monkeypatch):
    (tmp_path / "a.png").write_bytes(b"x" * 10)
    (tmp_path / "IM0001").write_bytes(b"x" * 2000)  # long enough to tell it is no DICOM (a shorter one is stat'ed)
    old = 10**18
    os.utime(tmp_path, ns=(old, old))
    w = Watcher([tmp_path])
    assert w.poll() == [] and w.poll() == [str(tmp_path / "a.png")]
    calls = []
    real_stat, real_open = os.stat, os.open
    monkeypatch.setattr(watch_module.os, "stat", lambda p, *a, **k: calls.append(p) or real_stat(p, *a, **k))
    monkeypatch.setattr(film_files.os, "open", lambda p, *a, **k: calls.append(p) or real_open(p, *a, **k))
    assert w.poll() == [] and calls == [str(tmp_path)]


def test_discover_finds_uid_named_dicom_in_a_class_folder(tmp_path):
    for c in ("COVID", "Normal"):
        (tmp_path / c).mkdir()
    (tmp_path / "COVID" / UID).write_bytes(HEAD)
    _png(tmp_path / "Normal" / "n.png")
    (tmp_path / "Normal" / "IM0001").write_bytes(b"x" * 200)
    items, _, _ = discover(tmp_path)
    assert sorted(i.path for i in items) == [f"COVID/{UID}", "Normal/n.png"]
    (tmp_path / "COVID" / UID).write_bytes(b"x" * 200)      # suffix-less, not DICOM: no image
    with pytest.raises(DataError, match="COVID .* holds no images .*DICOM files whatever their name"):
        discover(tmp_path)


def test_discovered_uid_named_dicom_decodes(tmp_path):
    from edge.preprocess import PreprocessConfig
    from train.scan import scan

    for c in ("COVID", "Normal"):
        (tmp_path / c).mkdir()
    _real_dicom(tmp_path / "COVID" / UID)
    _png(tmp_path / "Normal" / "n.png")
    items, _, _ = discover(tmp_path)
    s = scan(tmp_path, items, PreprocessConfig(size=32), progress=False)
    assert s.skipped == [] and len(s.items) == 2


def test_one_image_is_singular_in_the_tally():
    assert tally(Counter({"COVID": 1}), ["COVID", "Normal"], 1, 0, 0) == "1 file: 1 COVID, 0 Normal"
    assert tally(Counter(), ["COVID"], 2, 2, 0) == "2 files: 0 COVID, 2 failed"


def test_the_tally_adds_up_to_the_files_and_keeps_missing_maps_apart():
    """A labelled film whose evidence map failed keeps its label: counted once, by its label."""
    line = tally(Counter({"COVID": 2, "Normal": 1}), ["COVID", "Normal"], 4, 1, 1, maps_failed=2)
    assert line == ("4 files: 2 COVID, 1 Normal, 1 failed; 1 unlike the training images (input check); "
                    "2 evidence maps not written")


def test_edge_classify_classifies_uid_named_dicom_in_a_mixed_folder(model_dir, tmp_path):
    _mixed(tmp_path)
    _real_dicom(tmp_path / UID)
    p = subprocess.run([sys.executable, "-m", "edge.cli", str(tmp_path), "--json", "--model",
                        str(model_dir / "compact" / "model_int8.tflite")], capture_output=True, text=True, timeout=120)
    answers = [json.loads(ln) for ln in p.stdout.splitlines()]
    assert [a["file"] for a in answers] == [str(tmp_path / UID), str(tmp_path / "a.png")], p.stderr
    assert all("label" in a for a in answers) and p.returncode == 0, p.stderr
    assert "summary: 2 files: " in p.stderr


def test_a_class_folder_of_uid_named_dicoms_given_for_its_parent_is_pointed_up(tmp_path):
    from convert.site_folders import site_items

    covid = tmp_path / "site" / "COVID"
    covid.mkdir(parents=True)
    (covid / UID).write_bytes(HEAD)
    with pytest.raises(DataError, match=r"holds the images of one class \(COVID\) itself; give the folder above it"):
        site_items(covid, ["COVID", "Normal"], None, "cxr-evaluate")


@pytest.mark.parametrize("form", ["file meta, no preamble", "data set alone, explicit", "data set alone, implicit"])
def test_a_uid_named_dicom_written_without_its_preamble_is_listed_and_read(tmp_path, form):
    """Named .dcm, a data set with no preamble and no DICM was read; named by UID (no suffix), it was passed over
    in its folder (cxr-evaluate left it out without a word) and, named by itself, 'unknown or corrupt format'."""
    pytest.importorskip("pydicom", reason="decoding DICOM needs the optional [dicom] extra (pydicom)")
    import io

    import pydicom
    from pydicom.filebase import DicomBytesIO
    from pydicom.filewriter import write_dataset

    from edge.preprocess import load_bytes
    from tests.test_dicom import make_dicom, ramp

    whole = make_dicom(ramp(48, 40))
    if form.startswith("file meta"):
        data = whole[132:]
    else:
        fp = DicomBytesIO()
        fp.is_little_endian, fp.is_implicit_VR = True, form.endswith("implicit")
        write_dataset(fp, pydicom.dcmread(io.BytesIO(whole)))
        data = fp.getvalue()
    (tmp_path / UID).write_bytes(data)
    (tmp_path / "IM0001").write_bytes(b"\x08\x00\x05\x01not a data set at all" + b"x" * 200)
    assert image_files(tmp_path, False) == [str(tmp_path / UID)]
    assert (load_bytes(data, str(tmp_path / UID)) == load_bytes(whole, "x.dcm")).all()


def test_a_tga_image_is_not_taken_for_a_dicom_data_set(tmp_path):
    """A TGA with an 8-byte image ID starts 08 00 02 00 00 00 00 00, which the sniffing for data sets written without
    their preamble took for DICOM: listed in its folder, then refused as a DICOM cut short."""
    from edge.dicom import starts_as_data_set
    from edge.preprocess import load_bytes

    Image.fromarray(np.random.default_rng(0).integers(0, 255, (48, 40), dtype=np.uint8)).save(
        tmp_path / "scan.tga", id_section=b"PATIENT1")
    data = (tmp_path / "scan.tga").read_bytes()
    assert data[:2] == b"\x08\x00" and not starts_as_data_set(data)
    (tmp_path / "scan").write_bytes(data)  # no suffix: not listed as a film
    assert image_files(tmp_path, False) == []  # .tga is no suffix taken in folders; named, it is read
    assert load_bytes(data, str(tmp_path / "scan.tga")).shape == (48, 40)


def test_a_complete_deflated_dicom_without_pixels_is_not_said_to_be_cut_short():
    pytest.importorskip("pydicom", reason="decoding DICOM needs the optional [dicom] extra (pydicom)")
    import io

    import pydicom

    from edge.preprocess import ImageError, load_bytes
    from tests.test_dicom import deflated, make_dicom, ramp

    ds = pydicom.dcmread(io.BytesIO(deflated(make_dicom(ramp(48, 40)))))
    del ds.PixelData
    ds.ImageComments = "as a report's text, which deflates well " * 100  # inflated, the data set outgrows the file
    buf = io.BytesIO()
    ds.save_as(buf, enforce_file_format=True)
    with pytest.raises(ImageError, match=r"^DICOM file holds no image \(no PixelData\)$"):
        load_bytes(buf.getvalue(), "sr.dcm")


@pytest.mark.parametrize("first", [0x0000, 0x0010, 0x0014, 0x0016])
def test_a_preamble_less_implicit_data_set_is_found_whatever_its_first_element(tmp_path, first):
    """A list of first elements left out files beginning with a Group Length, a Recognition Code or (0008,0014)."""
    import struct

    from edge.dicom import starts_as_data_set

    def element(el: int, value: bytes) -> bytes:
        return struct.pack("<HHI", 0x0008, el, len(value)) + value

    head = element(first, b"1.2\x00" if first else b"\x10\x00\x00\x00") + element(0x0018, b"1.2.3.4\x00") \
        + element(0x0060, b"DX")
    assert starts_as_data_set(head + b"\x00" * 100)
    assert starts_as_data_set(element(first, b"ab") + struct.pack("<HHI", 0x0008, 0x1140, 0xFFFFFFFF))  # a sequence
    assert not starts_as_data_set(element(0x0018, b"ab") + element(0x0016, b"cd"))  # tags going back: no data set


def _object(path: Path, sop_class: str, preamble: bool = True) -> None:
    """A DICOM file of ``sop_class`` without pixels, as a PACS export writes reports and presentation states."""
    pytest.importorskip("pydicom", reason="writing DICOM test files needs the optional [dicom] extra (pydicom)")
    import io

    import pydicom
    from pydicom.filebase import DicomBytesIO
    from pydicom.filewriter import write_dataset

    from tests.test_dicom import make_dicom, ramp

    ds = pydicom.dcmread(io.BytesIO(make_dicom(ramp(48, 40))))
    ds.file_meta.MediaStorageSOPClassUID = ds.SOPClassUID = sop_class
    del ds.PixelData
    if preamble:
        buf = io.BytesIO()
        pydicom.dcmwrite(buf, ds, enforce_file_format=True)
        path.write_bytes(buf.getvalue())
    else:
        fp = DicomBytesIO()
        fp.is_little_endian, fp.is_implicit_VR = True, True
        write_dataset(fp, ds)
        path.write_bytes(fp.getvalue())


def test_dicom_objects_that_hold_no_film_are_no_films_of_a_folder(tmp_path):
    """A PACS export carries a dose report (SR), key images (KO) and presentation states beside the films:
    each was listed as a film and failed ('holds no image'), so every such export ended with exit code 1."""
    _real_dicom(tmp_path / "film.dcm")
    _object(tmp_path / "dose.dcm", "1.2.840.10008.5.1.4.1.1.88.67")
    _object(tmp_path / f"{UID}1", "1.2.840.10008.5.1.4.1.1.88.59")             # key objects, named by UID
    _object(tmp_path / f"{UID}2", "1.2.840.10008.5.1.4.1.1.11.1", preamble=False)  # a presentation state, implicit
    _object(tmp_path / "cr.dcm", "1.2.840.10008.5.1.4.1.1.1")                  # CR: a film's class, if without pixels
    assert image_files(tmp_path, False) == [str(tmp_path / "cr.dcm"), str(tmp_path / "film.dcm")]
    from edge.preprocess import ImageError, load_bytes

    with pytest.raises(ImageError, match="holds no image: a structured report, not a film"):
        load_bytes((tmp_path / "dose.dcm").read_bytes(), "dose.dcm")
    for name in ("film.dcm", "cr.dcm"):
        (tmp_path / name).unlink()
    assert why_no_images([str(tmp_path)], False, False).endswith(
        "(its 3 DICOM files are not films: each is a presentation state or a structured report)")


def test_the_sop_class_is_read_from_the_file_meta_or_the_data_set():
    import struct

    from edge.dicom_start import not_a_film, sop_class

    def explicit(group: int, element: int, vr: bytes, value: bytes) -> bytes:
        return struct.pack("<HH", group, element) + vr + struct.pack("<H", len(value)) + value

    meta = explicit(2, 0, b"UL", struct.pack("<I", 30)) + explicit(2, 1, b"OB", b"")[:6] + b"\0\0" + \
        struct.pack("<I", 2) + b"\0\1" + explicit(2, 2, b"UI", b"1.2.840.10008.5.1.4.1.1.104.1\0")
    assert sop_class(b"\0" * 128 + b"DICM" + meta) == "1.2.840.10008.5.1.4.1.1.104.1"
    assert not_a_film(b"\0" * 128 + b"DICM" + meta) == "an encapsulated document (PDF or CDA)"
    data_set = explicit(8, 5, b"CS", b"ISO_IR 100") + explicit(8, 0x16, b"UI", b"1.2.840.10008.5.1.4.1.1.1.1\0")
    assert sop_class(data_set) == "1.2.840.10008.5.1.4.1.1.1.1" and not_a_film(data_set) is None
    assert sop_class(data_set[:-4]) is None                                   # cut before the value's end
    assert sop_class(explicit(8, 0x18, b"UI", b"1.2\0")) is None             # past (0008,0016): not given
    assert not_a_film(explicit(8, 0x16, b"UI", b"1.2.840.10008.5.1.4.1.1.110")) is None  # .11 only as a whole part


def test_a_dicom_copy_stalled_in_its_header_is_handed_out_once_it_is_whole(tmp_path):
    """A UID-named DICOM whose copy paused within its first bytes was judged no DICOM and that verdict kept until
    the next check of every file: answered 25 s late at a 1 s interval, up to a minute at the default."""
    dcm = tmp_path / UID
    dcm.write_bytes(HEAD[:100])
    old = 10**18
    os.utime(tmp_path, ns=(old, old))
    w = Watcher([tmp_path], full_every=1000)
    assert [w.poll() for _ in range(3)] == [[]] * 3      # settled, and too short to be DICOM yet
    with dcm.open("ab") as f:
        f.write(HEAD[100:] + b"\0" * 2000)
    assert [w.poll() for _ in range(3)] == [[], [str(dcm)], []]  # seen at once, handed out once settled


def _locked(tmp_path: Path) -> Path:
    """tmp_path/films: a.png, and IM000002, a DICOM film of a PACS export (no suffix) that nobody may read."""
    folder = tmp_path / "films"
    folder.mkdir()
    _png(folder / "a.png")
    locked = folder / "IM000002"
    locked.write_bytes(HEAD + b"\0" * 2000)
    locked.chmod(0)
    return locked


LISTED = """
import json, sys
from pathlib import Path
from edge.film_files import image_files
from edge.no_images import why_no_images
from train.discovery import discover
said = []
items, _, _ = discover(Path(sys.argv[1]), log=said.append)
print(json.dumps({"listed": [Path(p).name for p in image_files(Path(sys.argv[1]) / "COVID", False)],
                  "found": sorted(i.path for i in items), "said": said}))
"""


def test_a_uid_named_film_that_cannot_be_read_is_listed_so_that_its_error_is_said(tmp_path):
    """A suffix-less film whose first bytes could not be read (permission denied) was taken for no DICOM: edge-classify
    dropped it without a word (exit code 0), and cxr-train said it had no image suffix, to be given one."""
    from tests.unprivileged import as_a_user

    locked = _locked(tmp_path)
    data = tmp_path / "data"
    (data / "COVID").mkdir(parents=True)
    (data / "Normal").mkdir()
    _png(data / "Normal" / "n.png")
    locked.rename(data / "COVID" / locked.name)
    (data / "COVID" / "1.2.3").write_bytes(b"x" * 2000)     # readable, and no DICOM: still no film
    try:
        got = as_a_user(LISTED, data)
    finally:
        (data / "COVID" / locked.name).chmod(0o644)
    assert got["listed"] == ["IM000002"]
    assert got["found"] == ["COVID/IM000002", "Normal/n.png"] and got["said"] == []


def test_a_uid_named_file_gone_before_it_was_looked_at_is_still_no_film(tmp_path, monkeypatch):
    """Only a file that is there and cannot be read is listed: one removed between the listing and the look is not."""
    def gone(path, head=None):
        raise FileNotFoundError(2, "No such file or directory", path)

    (tmp_path / "IM000002").write_bytes(HEAD)
    monkeypatch.setattr(film_files, "read_regular_file", gone)
    assert image_files(tmp_path, False) == []
    monkeypatch.setattr(film_files, "read_regular_file", lambda p, head=None: (_ for _ in ()).throw(OSError(5, "EIO", p)))
    assert image_files(tmp_path, False) == [str(tmp_path / "IM000002")]  # an I/O error: listed, its error said


def test_edge_classify_says_a_uid_named_film_it_cannot_read(model_dir, tmp_path):
    """edge-classify answered the readable films, exit code 0, and never named the PACS film it could not read."""
    from tests.unprivileged import run_as_a_user

    locked = _locked(tmp_path)
    try:
        p = run_as_a_user([sys.executable, "-m", "edge.cli", str(locked.parent), "--model",
                           str(model_dir / "compact" / "model_int8.tflite")], capture_output=True, text=True,
                          timeout=120, cwd=Path(__file__).resolve().parents[1],
                          env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])})
    finally:
        locked.chmod(0o644)
    assert p.returncode == 1, p.stderr
    assert f"edge-classify: {locked}: permission denied" in p.stderr.splitlines()
    assert "summary: 2 files: " in p.stderr


def test_the_watcher_answers_a_uid_named_film_once_it_can_be_read(tmp_path, monkeypatch):
    """--watch kept a PACS film it could not read as "not DICOM" until it changed, and a chmod is no change to its
    stamp: never answered, never said. Now it goes out (its error said) and again once its permissions are fixed."""
    film = tmp_path / "IM000002"
    film.write_bytes(HEAD + b"\0" * 2000)
    real = film_files.read_regular_file
    denied = {str(film)}

    def read(path, head=None):
        if str(path) in denied:
            raise PermissionError(13, "Permission denied", str(path))
        return real(path, head=head)

    monkeypatch.setattr(film_files, "read_regular_file", read)
    old = 10**18
    os.utime(tmp_path, ns=(old, old))
    w = Watcher([tmp_path])
    assert w.poll() == [] and w.poll() == [str(film)]      # handed out: its read fails, and says so
    w.failed(str(film), "permission denied")
    assert [w.poll() for _ in range(3)] == [[]] * 3
    denied.clear()
    film.chmod(0o600)                                       # its permissions fixed: its ctime alone moves
    assert w.poll() == [] and w.poll() == [str(film)]
    assert [w.poll() for _ in range(3)] == [[]] * 3
