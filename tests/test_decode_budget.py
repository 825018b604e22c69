"""How many films edge-classify decodes at once (edge.decode_budget): four large 16-bit films no longer
decode together on a small board, while small 8-bit films still do."""

from __future__ import annotations

import threading

import numpy as np
import pytest
from PIL import Image

MIB = 2**20


def started_together(workers: int, budget: int | None, cost: int) -> int:
    """How many films of ``cost`` bytes start, one after another, before any has finished."""
    from edge.decode_budget import may_start

    in_flight = started = 0
    while started < workers and may_start(in_flight, cost, budget):
        in_flight, started = in_flight + cost, started + 1
    return started


@pytest.mark.parametrize("workers, free_mib, cost_mib, expected", [
    (4, 3500, 217, 2),   # 6000x6000 16-bit PNG on a 4 GB Pi (3.5 GB free): two at a time, not four
    (4, 3500, 446, 1),   # a 16-bit DICOM of that size: one
    (4, 750, 217, 1),    # a 1 GB Pi: one
    (4, 750, 20, 4),     # an 8-bit film of 2000x2500: as many as the threads, even on a 1 GB Pi
    (4, 3500, 20, 4),
    (2, 24000, 446, 2),  # a workstation: every thread
    (4, 100, 446, 1),    # one film alone always starts, however little is free
    (1, 3500, 20, 1),
])
def test_films_started_together(workers, free_mib, cost_mib, expected):
    from edge.decode_budget import DECODE_SHARE

    assert started_together(workers, int(free_mib * MIB * DECODE_SHARE), cost_mib * MIB) == expected


def test_no_budget_known_keeps_every_thread_decoding():
    from edge.decode_budget import may_start

    assert started_together(4, None, 446 * MIB) == 4
    assert may_start(10**12, 10**12, None)


def test_the_gate_gives_back_what_a_film_took():
    from edge.decode_budget import DecodeGate, may_start

    gate = DecodeGate(100)
    gate.enter(60)
    assert not may_start(gate._in_flight, 60, gate.budget)
    gate.leave(60)
    gate.enter(60)  # started at once: nothing else in flight
    gate.enter(40)
    assert gate._in_flight == 100


def test_a_film_costs_its_bytes_and_its_decoded_pixels(tmp_path):
    from edge.decode_budget import film_cost

    rng = np.random.default_rng(0)
    wide, narrow = tmp_path / "wide.png", tmp_path / "narrow.png"
    Image.fromarray(rng.integers(0, 65535, (600, 500), dtype=np.uint16)).save(wide)
    Image.fromarray(rng.integers(0, 255, (600, 500), dtype=np.uint8)).save(narrow)
    assert film_cost(str(wide)) > film_cost(str(narrow)) > 600 * 500 * 3
    broken = tmp_path / "broken.png"
    broken.write_bytes(b"not an image at all")
    assert film_cost(str(broken)) == 2 * len(b"not an image at all")  # paced by its size; its decode refuses it
    assert film_cost(str(tmp_path / "gone.png")) == 0


def test_a_dicom_costs_by_its_header(tmp_path):
    pytest.importorskip("pydicom", reason="DICOM support is the optional [dicom] extra")
    from edge.decode_budget import DICOM_BASE_BYTES, DICOM_BYTES_PER_SAMPLE_16, film_cost
    from tests.test_dicom import make_dicom

    path = tmp_path / "film.dcm"
    path.write_bytes(make_dicom(np.zeros((300, 200), np.uint16) + 7))
    assert film_cost(str(path)) == DICOM_BASE_BYTES + int(300 * 200 * DICOM_BYTES_PER_SAMPLE_16)


def _decodes_at_once(monkeypatch) -> list[int]:
    """Replace edge.batch.decode by one that notes how many decodes run at once (each lingers a little, so that
    ungated threads overlap)."""
    import time

    import edge.batch

    lock, now, most = threading.Lock(), [0], [0]

    def decode(path, config):
        with lock:
            now[0] += 1
            most[0] = max(most[0], now[0])
        time.sleep(0.05)
        with lock:
            now[0] -= 1
        return np.zeros((8, 8, 1), np.uint8)

    monkeypatch.setattr(edge.batch, "decode", decode)
    return most


def test_a_batch_of_large_films_decodes_them_one_at_a_time_where_memory_is_short(monkeypatch):
    import edge.batch
    from tests.test_batch_pinned import Fixed

    most = _decodes_at_once(monkeypatch)
    monkeypatch.setattr(edge.batch, "decode_budget", lambda: 300 * MIB, raising=False)  # 2.4 GB free
    monkeypatch.setattr(edge.batch, "film_cost", lambda path: 217 * MIB, raising=False)  # each a 6000x6000 16-bit PNG
    paths = [f"{i}.png" for i in range(8)]
    answers = list(edge.batch.classify_files(Fixed([0.5, 0.5]), paths, workers=4))
    assert [r.file for r in answers] == paths and all(r.error is None for r in answers)
    assert most[0] == 1


def test_a_gate_given_paces_the_batch(monkeypatch):
    import edge.batch
    from edge.decode_budget import DecodeGate
    from tests.test_batch_pinned import Fixed

    most = _decodes_at_once(monkeypatch)
    monkeypatch.setattr(edge.batch, "film_cost", lambda path: MIB)
    paths = [f"{i}.png" for i in range(6)]
    answers = list(edge.batch.classify_files(Fixed([0.5, 0.5]), paths, workers=3, gate=DecodeGate(MIB)))
    assert [r.file for r in answers] == paths and most[0] == 1
