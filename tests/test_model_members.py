"""Model files altered after cxr-convert wrote them: members dropped (fingerprints, the self-test), a
flatbuffer that crashes the runtime though its checksum was written again. Each is refused with one
line naming the file, by every tool alike; a file that never had a member keeps working."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from convert.evaluate_cli import evaluate_app
from edge import metadata as md
from edge.cli import app as edge_app
from edge.model import EdgeModel, ModelFileError


def _rewrapped(model: Path, out: Path, keep=lambda name: False, **change) -> Path:
    """``model`` with its metadata attached again (edge.metadata.attach) and only the members ``keep`` names."""
    fb, meta, files = md.read(model)
    out.write_bytes(md.attach(fb, {**meta, **change}, {n: d for n, d in files.items() if keep(n)}))
    return out


def test_the_member_sizes_match_what_convert_writes():
    from convert.seen_lists import PREFIX
    from edge.members import CODE_BYTES, KEY_BYTES
    from train.code_distance import CODE

    assert (KEY_BYTES, CODE_BYTES) == (PREFIX, CODE)


def test_members_problem_names_what_the_metadata_records_and_the_file_lacks():
    from edge.members import members_problem

    seen = {"train": 2, "val": 1, "hash": "sha256[:8]", "copy_code": "..."}
    whole = {"selftest.json": b"{}", "seen/train.bin": bytes(16), "seen/val.bin": bytes(8), "seen/train.near": bytes(64)}
    new = {"created_by": "cxr-edge 0.33.0, tensorflow 2.19.0", "seen": seen}
    assert members_problem(new, whole) is None
    assert "seen/val.bin" in members_problem(new, {k: v for k, v in whole.items() if k != "seen/val.bin"})
    assert "1.5 of its 2" in members_problem(new, {**whole, "seen/train.bin": bytes(12)})
    assert "not a whole number" in members_problem(new, {**whole, "seen/train.near": bytes(40)})
    assert "seen/*.near" in members_problem(new, {k: v for k, v in whole.items() if not k.endswith(".near")})
    assert "selftest.json" in members_problem(new, {k: v for k, v in whole.items() if k != "selftest.json"})
    # files that never had them: --no-fingerprints, cxr-edge 0.1.0 (selftest.npz), a maker that is not cxr-convert
    assert members_problem({"created_by": "cxr-edge 0.33.0"}, {"selftest.json": b"{}"}) is None
    assert members_problem({"created_by": "cxr-edge 0.1.0, tensorflow 2.15"}, {}) is None
    assert members_problem({}, {}) is None
    assert members_problem({"created_by": "cxr-edge 0.33.0", "seen": {"train": 0, "val": 0}}, {"selftest.json": b""}) is None


def test_a_file_that_lost_its_fingerprints_is_refused_by_evaluate_and_card(tiny_run, tmp_path):
    """It had cxr-evaluate score the model's training films, and its report and card say none were found."""
    split = json.loads((tiny_run / "split.json").read_text())
    lone = tmp_path / "lone"
    lone.mkdir()  # no split.json beside it: the file's own fingerprints are all there is
    model = _rewrapped(tiny_run / "model_int8.tflite", lone / "rewrapped.tflite", keep=lambda n: not n.startswith("seen/"))
    r = CliRunner().invoke(evaluate_app, [str(model), split["data_dir"], "--out", str(tmp_path / "r"), "--explain", "0",
                                          "--n-boot", "100", "--quiet"])
    assert r.exit_code == 2, r.output
    assert "rewrapped.tflite: it lacks seen/train.bin, seen/val.bin" in r.output and "copy it again" in r.output
    assert not (tmp_path / "r" / "report.md").exists()
    r = CliRunner().invoke(edge_app, ["--card", "--model", str(model)])
    assert r.exit_code == 2 and "it lacks seen/train.bin" in r.output and "fingerprints" not in r.stdout
    # cut short: keys that never match
    fb, meta, files = md.read(tiny_run / "model_int8.tflite")
    short = lone / "short.tflite"
    short.write_bytes(md.attach(fb, meta, {**files, "seen/train.bin": files["seen/train.bin"][:-3]}))
    r = CliRunner().invoke(edge_app, ["--card", "--model", str(short)])
    assert r.exit_code == 2 and "seen/train.bin holds" in r.output


def test_a_file_that_lost_its_self_test_is_refused_and_not_blamed_on_an_older_converter(tiny_run, tmp_path):
    """With its self-test gone, labels swapped in its metadata classified every film wrong, exit code 0."""
    model = tiny_run / "model_int8.tflite"
    labels = md.read(model)[1]["labels"]
    swapped = _rewrapped(model, tmp_path / "swapped.tflite", keep=lambda n: n != "selftest.json",
                         labels=list(reversed(labels)))
    film = next(Path(json.loads((tiny_run / "split.json").read_text())["data_dir"]).rglob("*.png"))
    r = CliRunner().invoke(edge_app, ["--model", str(swapped), str(film)])
    assert r.exit_code == 2 and "it lacks selftest.json" in r.output, r.output
    r = CliRunner().invoke(edge_app, ["--selftest", "--model", str(swapped)])
    assert r.exit_code == 2 and "it lacks selftest.json" in r.output and "older" not in r.output, r.output
    # a file from before cxr-edge 0.2.0 never had one: it classifies, and --selftest says why there is none
    old = _rewrapped(model, tmp_path / "old.tflite", keep=lambda n: n.startswith("seen/"),
                     created_by="cxr-edge 0.1.0, tensorflow 2.15.0")
    r = CliRunner().invoke(edge_app, ["--model", str(old), str(film)])
    assert r.exit_code == 0, r.output
    r = CliRunner().invoke(edge_app, ["--selftest", "--model", str(old)])
    assert r.exit_code == 2 and "made by an older cxr-convert?" in r.output


def test_every_model_is_first_loaded_in_a_child_process_and_its_verdict_kept(tiny_run, tmp_path, monkeypatch):
    """A flatbuffer forged with its checksum written again crashed every command (signal 11, no word);
    the child that loads it first dies in its place. The verdict is kept, so a second start skips it."""
    model = tiny_run / "model_int8.tflite"
    crashing = tmp_path / "crashing-python"
    crashing.write_text("#!/bin/sh\nkill -SEGV $$\n")
    crashing.chmod(0o755)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    python = sys.executable
    monkeypatch.setattr(sys, "executable", str(crashing))  # the child that tries the file dies as the runtime would
    with pytest.raises(ModelFileError, match=r"model_int8.tflite: the .* runtime crashed \(signal 11\) loading or running this model"):
        EdgeModel(model)
    r = CliRunner().invoke(edge_app, ["--info", "--model", str(model)])
    assert r.exit_code == 2 and "crashed (signal 11)" in r.output
    r = CliRunner().invoke(edge_app, ["--card", "--model", str(model)])  # refused as the device would refuse it
    assert r.exit_code == 2 and "crashed (signal 11)" in r.output
    # a model that loads: tried once, then the kept verdict is enough (the crashing child is not started again)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache2"))
    monkeypatch.setattr(sys, "executable", python)
    EdgeModel(model)
    assert [p.read_text() for p in (tmp_path / "cache2" / "cxr-edge" / "probed").iterdir()] == ["runs\n"]
    monkeypatch.setattr(sys, "executable", str(crashing))
    assert EdgeModel(model).labels
    # a cache that cannot be written: the child runs at every start
    (tmp_path / "not-a-folder").write_text("")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "not-a-folder"))
    for _ in range(2):
        with pytest.raises(ModelFileError, match="crashed"):
            EdgeModel(model)


def test_a_probe_killed_from_outside_blames_no_file_and_a_crash_is_not_remembered(tiny_run, tmp_path, monkeypatch):
    """The OOM killer's SIGKILL of the child on a Pi short of memory refused a good model as 'crashed (signal 9)',
    and the verdict, kept, refused it on every start after. A crash is tried again next time."""
    model = tiny_run / "model_int8.tflite"
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    killed = tmp_path / "killed-python"
    killed.write_text("#!/bin/sh\nkill -KILL $$\n")
    killed.chmod(0o755)
    python = sys.executable
    monkeypatch.setattr(sys, "executable", str(killed))
    assert EdgeModel(model).labels  # no verdict: loaded here, as before
    assert not (tmp_path / "cache" / "cxr-edge" / "probed").exists()  # and nothing kept
    crashing = tmp_path / "crashing-python"
    crashing.write_text("#!/bin/sh\nkill -SEGV $$\n")
    crashing.chmod(0o755)
    monkeypatch.setattr(sys, "executable", str(crashing))
    with pytest.raises(ModelFileError, match="crashed"):
        EdgeModel(model)
    monkeypatch.setattr(sys, "executable", python)  # the machine mended: the file is tried again, and loads
    assert EdgeModel(model).labels


def test_a_probe_that_could_not_try_the_file_is_not_remembered_as_loading_it(tiny_run, tmp_path, monkeypatch):
    """A child whose runtime would not import (too little memory) exits 1 without loading the file: that is no
    verdict, and was kept as 'loads', so a forged file would then have been loaded in-process for ever after."""
    model = tiny_run / "model_int8.tflite"
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    failing = tmp_path / "failing-python"
    failing.write_text("#!/bin/sh\nexit 1\n")
    failing.chmod(0o755)
    monkeypatch.setattr(sys, "executable", str(failing))
    assert EdgeModel(model).labels
    assert not (tmp_path / "cache" / "cxr-edge" / "probed").exists()


def test_a_windows_child_that_crashed_is_read_as_a_crash_and_posix_signals_as_before():
    """On Windows a child killed by an access violation exits 0xC0000005, a positive code: read as 'no verdict',
    the parent loaded the forged file itself and died without a word (no line, no exit code 2)."""
    from edge.probe import _SAFE, _verdict

    assert _verdict(0xC0000005, "nt") == "crashed (exception 0xC0000005)"
    assert _verdict(0xC00000FD, "nt") == "crashed (exception 0xC00000FD)"  # stack overflow
    assert _verdict(0xC0000409, "nt") == "crashed (exception 0xC0000409)"  # fail-fast
    # Ctrl-C, a DLL not found or failing to start, no memory: nothing of the file, as SIGINT or SIGKILL on POSIX
    assert all(_verdict(code, "nt") is None for code in (0xC000013A, 0xC0000135, 0xC0000142, 0xC0000017))
    for name in ("nt", "posix"):  # the child's own exits (1: no runtime, 3: another file) tell nothing of the file
        assert _verdict(0, name) == _SAFE and _verdict(1, name) is None and _verdict(3, name) is None
    assert _verdict(0xC0000005, "posix") is None  # an exit status, never a signal, on POSIX
    assert _verdict(-11, "posix") == "crashed (signal 11)" and _verdict(-7, "posix") == "crashed (signal 7)"
    assert _verdict(-9, "posix") is None and _verdict(-15, "posix") is None and _verdict(-2, "posix") is None


def test_the_probe_child_runs_no_module_of_the_folder_it_was_started_in(tiny_run, tmp_path, monkeypatch):
    """`python -c` put the working folder first on sys.path: a numpy.py dropped in a films folder ran in the child
    (for every model, on its first load), and, making the child fail, switched the probe off."""
    films = tmp_path / "films"
    films.mkdir()
    (films / "numpy.py").write_text(f"open({str(tmp_path / 'RAN')!r}, 'w').write('ran')\nraise ImportError('planted')\n")
    monkeypatch.chdir(films)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    assert EdgeModel(tiny_run / "model_int8.tflite").labels
    assert not (tmp_path / "RAN").exists()
    assert len(list((tmp_path / "cache" / "cxr-edge" / "probed").iterdir())) == 1  # it tried the file, and it loads


def test_no_verdict_is_kept_where_no_absolute_cache_folder_can_be_had(monkeypatch):
    """With no HOME and no passwd entry, '~' came back as it is, and verdicts went to ./~/.cache in the folder the
    command ran in (a films folder); a relative XDG_CACHE_HOME was taken as it is, which XDG says to ignore."""
    import os

    from edge.probe import cache_folder

    monkeypatch.setattr(os.path, "expanduser", lambda p: p)
    monkeypatch.setenv("XDG_CACHE_HOME", "cache")
    assert cache_folder() is None
    monkeypatch.setenv("XDG_CACHE_HOME", "/var/cache/x")
    assert str(cache_folder()) == "/var/cache/x/cxr-edge/probed"


def test_no_verdict_is_kept_in_a_home_folder_that_is_not_there(monkeypatch, tmp_path):
    """A service user's HOME=/nonexistent (Debian's convention): run as root, the probe made /nonexistent/.cache."""
    from edge.probe import cache_folder

    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "nonexistent"))
    assert cache_folder() is None
    monkeypatch.setenv("HOME", str(tmp_path))
    assert cache_folder() == tmp_path / ".cache" / "cxr-edge" / "probed"


def test_the_card_of_a_file_the_device_refuses_is_refused_too(tiny_run, tmp_path):
    """--card had read the metadata alone: a file naming 3 classes for a model of 2 outputs, which every other
    command refuses, got a clean card ('Every film gets one of its answers (one of COVID, Normal or Other)'), exit 0."""
    three = _rewrapped(tiny_run / "model_int8.tflite", tmp_path / "three.tflite", keep=lambda n: True,
                       labels=["COVID", "Normal", "Other"])
    info = CliRunner().invoke(edge_app, ["--info", "--model", str(three)])
    card = CliRunner().invoke(edge_app, ["--card", "--model", str(three)])
    assert info.exit_code == card.exit_code == 2, card.output
    assert card.output.splitlines()[-1] == info.output.splitlines()[-1]


def test_a_file_replaced_between_the_parents_read_and_the_childs_is_not_vouched_for(tiny_run, tmp_path, monkeypatch):
    """The child read the file again by its path and its verdict was kept under the SHA-256 its parent had read:
    a file swapped in between was vouched for by a verdict on another file, on every start after."""
    from edge.probe import probed_crash

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    fb, meta, _ = md.read(tiny_run / "model_int8.tflite")
    assert probed_crash(tiny_run / "model_int8.tflite", "0" * 64, "litert x", len(fb)) is None  # no verdict
    assert not (tmp_path / "cache" / "cxr-edge" / "probed").exists()
    assert probed_crash(tiny_run / "model_int8.tflite", meta["tflite_sha256"], "litert x", len(fb)) is None
    assert len(list((tmp_path / "cache" / "cxr-edge" / "probed").iterdir())) == 1  # the file it read: kept


def test_a_fingerprint_member_longer_than_its_count_is_damaged():
    """A seen/*.bin longer than its recorded count is as damaged as a short one."""
    from edge.members import members_problem
    seen = {"train": 2, "val": 1, "hash": "sha256[:8]", "copy_code": "..."}
    whole = {"selftest.json": b"{}", "seen/train.bin": bytes(16), "seen/val.bin": bytes(8), "seen/train.near": bytes(64)}
    new = {"created_by": "cxr-edge 0.33.0, tensorflow 2.19.0", "seen": seen}
    assert "3 of its 2" in members_problem(new, {**whole, "seen/train.bin": bytes(24)})
