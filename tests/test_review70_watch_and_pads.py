"""Defects session 70's last review found: a watch whose --model path became a FIFO hung for ever (edge.model_swap
hashed it); a model file with a damaged byte in its archive's directory ended a running watch with 'unexpected
NotImplementedError' (edge.metadata caught only some of zipfile's errors); free_memory raised on a cgroup path not
UTF-8 (edge.decode_budget); and a film padded with grey 128 on every side, saved as JPEG, was refused as a JPEG cut
short (edge.pillow_misreads.ends_in_decoder_fill)."""

from __future__ import annotations

import io
import os
import shutil
import threading

import numpy as np
import pytest
from PIL import Image

from edge.decode_budget import free_memory
from edge.digest import file_sha256
from edge.metadata import ModelFileError, split
from edge.model_swap import ModelFile
from edge.pillow_misreads import ends_in_decoder_fill
from edge.preprocess import load_bytes
from tests.test_image_fuzzed import film


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this system")
def test_a_fifo_in_the_model_s_place_is_said_gone_not_opened(tiny_run, tmp_path):
    model = tmp_path / "model_int8.tflite"
    shutil.copyfile(tiny_run / "model_int8.tflite", model)
    watched = ModelFile(model, file_sha256(model))
    model.unlink()
    os.mkfifo(model)
    said: list[str | None] = []
    poll = threading.Thread(target=lambda: said.extend([watched.note(), watched.note()]), daemon=True)
    poll.start()
    poll.join(20)
    if poll.is_alive():
        with open(model, "wb"):  # let the blocked open go before failing
            pass
        pytest.fail("the watch opened a FIFO in its model's place and waited for a writer")
    assert said[0] is None and "is gone, or cannot be read" in (said[1] or "")


def _central_directory_byte(data: bytes, offset: int, value: int) -> bytes:
    at = data.rindex(b"PK\x01\x02") + offset
    return data[:at] + bytes([value]) + data[at + 1:]


@pytest.mark.parametrize("offset,value", [(10, 99), (8, 1)])  # compression method 99; the 'encrypted' flag
def test_a_damaged_byte_in_the_archive_directory_is_a_damaged_model_not_an_unexpected_error(tiny_run, offset, value):
    data = _central_directory_byte((tiny_run / "model_int8.tflite").read_bytes(), offset, value)
    with pytest.raises(ModelFileError, match="damaged or truncated cxr-edge model file"):
        split(data)


def test_a_cgroup_path_not_utf8_leaves_memory_to_meminfo(tmp_path):
    proc = tmp_path / "proc"
    (proc / "self").mkdir(parents=True)
    (proc / "self" / "cgroup").write_bytes(b"0::/\xff\xfe\n")
    (proc / "meminfo").write_text("MemTotal: 8000000 kB\nMemAvailable: 4000000 kB\n")
    assert free_memory(str(proc), str(tmp_path / "cgroup")) == 4000000 * 1024


def test_a_cgroup_path_climbing_out_of_the_root_reads_the_root_alone(tmp_path):
    proc, root = tmp_path / "proc", tmp_path / "a" / "b" / "cgroup"
    (proc / "self").mkdir(parents=True)
    (proc / "self" / "cgroup").write_text("0::/../../x\n")
    (proc / "meminfo").write_text("MemAvailable: 4000000 kB\n")
    root.mkdir(parents=True)
    (tmp_path / "a" / "memory.max").write_text("1000000\n")  # outside the root: never read
    (tmp_path / "a" / "memory.current").write_text("0\n")
    assert free_memory(str(proc), str(root)) == 4000000 * 1024


def test_a_film_padded_with_grey_128_all_round_and_saved_as_jpeg_is_read():
    padded = np.full((192, 160), 128, np.uint8)
    padded[32:160, 32:128] = film()
    img = Image.open(io.BytesIO(_jpeg(padded)))
    assert not ends_in_decoder_fill(img)
    assert load_bytes(_jpeg(padded), "padded.jpg").shape == (192, 160)
    cut = np.asarray(Image.fromarray(film()).resize((160, 192))).copy()
    cut[128:] = 128  # grey 128 below only, the film above to its edges: the decoder's fill after a cut, as before
    with pytest.raises(Exception, match=r"^truncated JPEG"):
        load_bytes(_jpeg(cut), "cut.jpg")


def _jpeg(gray: np.ndarray) -> bytes:
    out = io.BytesIO()
    Image.fromarray(gray).save(out, "JPEG", quality=95)
    return out.getvalue()


def _cut(gray: np.ndarray) -> bytes:
    """A JPEG of ``gray`` cut at half and closed with an end marker: the decoder fills the rest with grey 128."""
    data = _jpeg(gray)
    return data[: len(data) // 2] + b"\xff\xd9"


@pytest.mark.parametrize("strip", ["left", "right", "top", "left and right", "all round"])
def test_a_cut_jpeg_whose_film_has_a_grey_128_strip_is_still_refused(strip):
    """A side strip runs down through the decoder's fill: skipping the check for any grey edge read cut films."""
    gray = np.asarray(Image.fromarray(film()).resize((320, 384))).copy()
    if "left" in strip or strip == "all round":
        gray[:, :16] = 128
    if "right" in strip or strip == "all round":
        gray[:, -16:] = 128
    if strip in ("top", "all round"):
        gray[:16] = 128
    if strip == "all round":
        gray[-16:] = 128
    with pytest.raises(Exception, match=r"^truncated JPEG"):
        load_bytes(_cut(gray), "cut.jpg")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this system")
def test_a_model_given_as_a_fifo_is_not_opened_again_for_its_digest(tiny_run, tmp_path):
    from edge.answer_model import model_digest

    class Loaded:
        path = tmp_path / "model.fifo"

    os.mkfifo(Loaded.path)
    answer: list[str | None] = []
    worker = threading.Thread(target=lambda: answer.append(model_digest(Loaded(), None)), daemon=True)
    worker.start()
    worker.join(20)
    if worker.is_alive():
        with open(Loaded.path, "wb"):
            pass
        pytest.fail("model_digest opened a FIFO again and waited for a writer")
    assert answer == [None]
