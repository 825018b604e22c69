"""A disk that fills up, Ctrl-C, and a reader that goes away: one clear line, and nothing already written is lost.

A full disk is provoked for real, without root or mocks: the commands run in a child process
whose file-size limit (RLIMIT_FSIZE) is smaller than what they write, so the kernel refuses the
write (EFBIG) as it would refuse it on a full disk (ENOSPC). Python ignores the SIGXFSZ signal,
so the failure arrives as an OSError where it would arrive on a full disk.
"""

from __future__ import annotations

import csv
import errno
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

resource = pytest.importorskip("resource", reason="file-size limits (RLIMIT_FSIZE) need a POSIX system")

REPO = Path(__file__).resolve().parents[1]


def run_limited(limit: int, code: str, *args: str) -> subprocess.CompletedProcess:
    """Run ``python -c code args`` in a child process that may write no file larger than ``limit`` bytes."""

    def limit_file_size() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, resource.RLIM_INFINITY))

    return subprocess.run([sys.executable, "-c", code, *args], preexec_fn=limit_file_size, capture_output=True,
                          text=True, timeout=300, env={**os.environ, "PYTHONPATH": str(REPO)})


def cli(main: str, prog: str) -> str:
    module, func = main.rsplit(".", 1)
    return f"import sys; sys.argv[0] = {prog!r}; from {module} import {func}; {func}()"


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.rglob("*") if ".tmp" in p.name or p.name.endswith(".born"))


def test_a_write_that_does_not_fit_keeps_the_old_file_and_names_it(tmp_path):
    target = tmp_path / "report.json"
    target.write_text("the previous report")
    r = run_limited(4096, "import sys; from edge.atomic import write_bytes; write_bytes(sys.argv[1], b'x' * 20000)",
                    str(target))
    assert r.returncode == 1
    assert f"File too large: '{target}'" in r.stderr  # the file asked for, not the temporary one
    assert target.read_text() == "the previous report"
    assert leftovers(tmp_path) == []


def test_an_atomic_write_syncs_the_temporary_file_before_it_is_renamed_into_place(tmp_path, monkeypatch):
    """Renamed first and synced after, a power cut in between left a model or report of zeros under its final
    name (delayed allocation); the data must reach the card, through the temporary file, before the rename."""
    from edge import atomic

    events: list[tuple[str, str]] = []
    real_fsync, real_replace = os.fsync, os.replace

    def fsync(fd):
        events.append(("fsync", os.readlink(f"/proc/self/fd/{fd}")))
        return real_fsync(fd)

    def replace(src, dst, *args, **kwargs):
        events.append(("replace", str(src)))
        return real_replace(src, dst, *args, **kwargs)

    monkeypatch.setattr(atomic.os, "fsync", fsync)
    monkeypatch.setattr(atomic.os, "replace", replace)
    target = tmp_path / "answers.json"
    atomic.write_text(target, "{}\n")
    assert target.read_text() == "{}\n" and leftovers(tmp_path) == []
    kinds = [kind for kind, _ in events]
    assert "fsync" in kinds and "replace" in kinds and kinds.index("fsync") < kinds.index("replace"), events
    synced = Path(next(path for kind, path in events if kind == "fsync"))  # the first: its folder may be synced after
    assert synced.parent == tmp_path and synced.name.startswith(".answers.") and ".tmp" in synced.name, events


def test_a_training_cache_that_does_not_fit_names_its_file_and_the_reason(tmp_path):
    """The train split's cache is the largest file a run writes; numpy's own write said only
    '131072 requested and 3968 written': no file, no 'File too large' or 'No space left'."""
    code = ("import sys, numpy as np; from train.cache import save_cache; "
            "save_cache(sys.argv[1], 'train', np.zeros((40, 64, 64, 1), np.uint8))")
    r = run_limited(60000, code, str(tmp_path / "run"))
    assert r.returncode == 1 and f"File too large: '{tmp_path / 'run' / 'cache' / 'train.npy'}'" in r.stderr, r.stderr
    assert leftovers(tmp_path) == [] and not (tmp_path / "run" / "cache" / "train.npy").exists()


@pytest.mark.parametrize("stem", ["m" * 246, "é" * 123])  # 250 bytes with ".png": a legal name, its temporary one not
def test_a_file_with_a_name_near_the_limit_is_written(tmp_path, stem):
    """The temporary name was 26 bytes longer than the file's own: edge-classify --explain could not
    write the map of a film named with 234 to 255 bytes ('File name too long')."""
    from edge.atomic import write_bytes

    target = tmp_path / f"{stem}.png"
    write_bytes(target, b"map")
    assert target.read_bytes() == b"map" and leftovers(tmp_path) == []


def test_ctrl_c_the_moment_the_temporary_file_is_created_leaves_nothing(tmp_path, monkeypatch):
    """The window CI once hit: the temporary file exists, its name not yet known to the cleanup."""
    from edge.atomic import write_bytes

    real_open = os.open

    def open_then_interrupted(file, flags, *args, **kwargs):
        fd = real_open(file, flags, *args, **kwargs)
        if flags & os.O_CREAT and os.path.basename(os.fspath(file)).startswith("."):  # made before it is named .tmp
            os.close(fd)
            raise KeyboardInterrupt
        return fd

    target = tmp_path / "model.tflite"
    target.write_bytes(b"the previous model")
    monkeypatch.setattr(os, "open", open_then_interrupted)
    with pytest.raises(KeyboardInterrupt):
        write_bytes(target, b"new")
    monkeypatch.undo()
    assert target.read_bytes() == b"the previous model"
    assert leftovers(tmp_path) == []


def test_outputs_get_the_usual_permissions_not_a_temporary_files(tmp_path):
    from edge.atomic import write_bytes

    old = os.umask(0o022)
    try:
        write_bytes(tmp_path / "report.json", b"{}")
    finally:
        os.umask(old)
    assert (tmp_path / "report.json").stat().st_mode & 0o777 == 0o644  # not mkstemp's 0600: others may read a report


def test_cxr_evaluate_on_a_full_disk_is_one_line_and_keeps_the_old_report(tiny_run, tmp_path):
    data = json.loads((tiny_run / "split.json").read_text())["data_dir"]
    out = tmp_path / "report"
    out.mkdir()
    old = json.dumps({"title": "an earlier report", "metrics": {}, "data_dir": data, "model": str(tiny_run / "model_int8.tflite")})
    (out / "report.json").write_text(old)
    r = run_limited(4096, cli("convert.evaluate_cli.evaluate_main", "cxr-evaluate"), str(tiny_run / "model_int8.tflite"), data,
                    "--out", str(out), "--keep-seen", "--quiet", "--explain", "0", "--n-boot", "100")
    assert r.returncode == 2, r.stderr
    assert "Traceback" not in r.stderr
    # one error line (the warning that these are the run's own training films, and the note that they
    # are synthetic, come before it)
    [line] = [ln for ln in r.stderr.strip().splitlines() if not ln.startswith(("cxr-evaluate: warning:",
                                                                               "cxr-evaluate: note:"))]
    assert line.startswith(f"cxr-evaluate: error: {out}/") and ": File too large" in line and "Errno" not in line
    assert (out / "report.json").read_text() == old
    assert leftovers(out) == []


def test_cxr_convert_failing_inside_tensorflow_is_one_line_and_keeps_the_models(tiny_run, tmp_path):
    """TensorFlow's converter writes a temporary SavedModel first; when that write fails it raises
    an unrelated error from deep inside. The user still gets one line, and the model files that
    were there are untouched."""
    run = tmp_path / "run"
    shutil.copytree(tiny_run, run, ignore=shutil.ignore_patterns("teacher", "*.png"))
    before = (run / "model_int8.tflite").read_bytes()
    r = run_limited(100_000, cli("convert.cli.convert_main", "cxr-convert"), str(run), "--quant", "int8",
                    "--no-latency", "--quiet", "--explain", "0")
    assert r.returncode == 2, r.stderr
    assert "Traceback" not in r.stderr
    last = r.stderr.strip().splitlines()[-1]
    assert last.startswith("cxr-convert: error: ") and "--debug" in last, r.stderr
    assert (run / "model_int8.tflite").read_bytes() == before
    assert leftovers(run) == []


def test_disk_hint_names_a_nearly_full_folder(tmp_path):
    from edge.cliutil import disk_hint

    hint = disk_hint([tmp_path / "not" / "made" / "yet"], low=2**62)  # every real disk is "nearly full"
    assert hint.startswith("; only ") and f"free in {tmp_path}" in hint and hint.endswith("is the disk full?")
    assert disk_hint([tmp_path], low=0) == ""
    if os.path.isdir("/proc"):  # a pseudo file system reports 0 bytes free: it is no disk to be full
        assert "/proc" not in disk_hint(["/proc/nope"], low=2**20)


def test_edge_classify_stops_quietly_when_its_reader_goes_away(tiny_run, tmp_path):
    """`edge-classify scans/ | head`: no traceback and no error line once head has what it wanted."""
    split = json.loads((tiny_run / "split.json").read_text())
    image = str(Path(split["data_dir"]) / split["splits"]["test"][0]["path"])
    # More output than a pipe buffers (64 KiB), so the child is still writing when the pipe closes; 1500 names of
    # one film (hard links), since a film named twice is answered once
    films = tmp_path / "films"
    films.mkdir()
    names = [films / f"{k:04d}.png" for k in range(1500)]
    for name in names:
        os.link(image, name)
    (tmp_path / "paths.txt").write_text("\n".join(map(str, names)) + "\n")
    with open(tmp_path / "paths.txt") as paths:
        proc = subprocess.Popen([sys.executable, "-c", cli("edge.cli.run", "edge-classify"), "-", "--model",
                                 str(tiny_run / "model_int8.tflite")], stdin=paths, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True, env={**os.environ, "PYTHONPATH": str(REPO)})
    first = proc.stdout.readline()
    proc.stdout.close()
    stderr = proc.stderr.read()
    assert proc.wait(timeout=120) == 141  # a shell's code for a command a closed pipe stopped: not "some files failed"
    assert first.startswith(str(names[0]) + "\t")
    assert "Traceback" not in stderr and "error" not in stderr and "Broken pipe" not in stderr, stderr


def test_a_reader_gone_is_exit_code_141_not_a_result_of_the_command(tmp_path):
    """`cxr-convert RUN | true`: every gate passed and every file written, and it exited 1, which is cxr-convert's
    "gate failed" (cxr-evaluate's and cxr-compare's "some files could not be read"): a CI step read a failure."""
    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader is gone before the first line
    try:
        p = subprocess.run([sys.executable, "-c", cli("train.synth_cli.synth_main", "cxr-synth"), str(tmp_path / "s"),
                            "--count", "2", "--size", "32"], stdout=write_end, stderr=subprocess.PIPE, text=True,
                           env={**os.environ, "PYTHONPATH": str(REPO)}, timeout=120)
    finally:
        os.close(write_end)
    assert p.returncode == 141 and "Traceback" not in p.stderr and "error" not in p.stderr, (p.returncode, p.stderr)
    assert len(list((tmp_path / "s").rglob("*.png"))) == 4  # the work is done all the same


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])  # Ctrl-C, and a service manager's stop or `timeout`
def test_ctrl_c_is_one_line_exit_130_and_leaves_no_half_written_file(tmp_path, sig):
    out = tmp_path / "synth"
    proc = subprocess.Popen([sys.executable, "-c", cli("train.synth_cli.synth_main", "cxr-synth"), str(out), "--count", "2000"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "PYTHONPATH": str(REPO)},
                            # a suite started in the background (`make test &`) inherits an ignored SIGINT,
                            # and Python installs no KeyboardInterrupt handler then: give the child the default
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    def finished() -> list[Path]:  # glob's "*" also matches the writer's hidden temporary ".name.<hex>.tmp.png"
        return sorted(p for p in out.glob("*/*.png") if not p.name.startswith("."))

    deadline = time.monotonic() + 120
    while not finished() and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.05)
    proc.send_signal(sig)
    _, stderr = proc.communicate(timeout=120)
    assert proc.returncode == 130, stderr  # SIGTERM was exit 143, no line, a hidden temporary file left
    assert "Traceback" not in stderr
    assert stderr.strip().splitlines()[-1].startswith("cxr-synth: error: interrupted")
    written = finished()
    assert 0 < len(written) < 4000 and leftovers(out) == []
    from PIL import Image

    for path in written:  # every file there is whole
        with Image.open(path) as im:
            im.load()


def test_an_unexpected_many_line_error_becomes_one_line(capsys):
    import typer

    from edge.error_lines import one_line_errors

    with pytest.raises(typer.Exit) as exit_info:
        with one_line_errors("cxr-train", debug=False):
            raise RuntimeError("OOM when allocating tensor\n\t [[node conv2d]]\nHint: ...")
    assert exit_info.value.exit_code == 2
    [line] = capsys.readouterr().err.splitlines()
    assert line.startswith("cxr-train: error: unexpected RuntimeError: OOM when allocating tensor") and "--debug" in line
    with pytest.raises(RuntimeError):
        with one_line_errors("cxr-train", debug=True):
            raise RuntimeError("shown with its traceback")


def test_a_value_error_from_numpy_or_the_standard_library_is_unexpected_and_ours_is_said_as_it_is(capsys):
    """A ValueError is the project's way of speaking to the user, so numpy's ('operands could not be broadcast
    together ...', a bug's) was printed as if it were about the user's data: it is named unexpected, by its type,
    with --debug's traceback, as a KeyError is; a ValueError of our own code keeps its message as it is."""
    import numpy as np
    import typer

    from edge.error_lines import one_line_errors
    from edge.labels_given import check_label_names
    from edge.model import softmax

    for bug, said in ((lambda: softmax(np.zeros((2, 3)), np.ones(4)), "unexpected ValueError: operands could not be "
                       "broadcast together with shapes (2,3) (4,) (--debug shows the traceback)"),  # numpy's C, our line
                      (lambda: np.stack([np.zeros(3), np.zeros(4)]), "unexpected ValueError: all input arrays must "
                       "have the same shape (--debug shows the traceback)"),
                      (lambda: json.loads("{"), "unexpected JSONDecodeError: Expecting property name enclosed in "
                       "double quotes: line 1 column 2 (char 1) (--debug shows the traceback)"),
                      (lambda: check_label_names(["", "B"]), "--labels ',B': a class name is empty; give one name per "
                       "output, e.g. --labels COVID,Normal")):
        with pytest.raises(typer.Exit) as exit_info:
            with one_line_errors("cxr-evaluate", debug=False):
                bug()
        assert exit_info.value.exit_code == 2
        assert capsys.readouterr().err.splitlines() == [f"cxr-evaluate: error: {said}"]
    with pytest.raises(ValueError, match="operands could not be broadcast"):
        with one_line_errors("cxr-evaluate", debug=True):
            softmax(np.zeros((2, 3)), np.ones(4))


def test_edge_classify_explain_on_a_full_disk_keeps_every_label(tiny_run, tmp_path):
    """The maps do not fit: each image still gets its label on stdout, each missing map one line,
    exit code 1, and no half-written picture is left."""
    data = Path(json.loads((tiny_run / "split.json").read_text())["data_dir"])
    films = sorted(data.glob("*/*.png"))[:3]
    maps = tmp_path / "maps"
    r = run_limited(2048, cli("edge.cli.run", "edge-classify"), *map(str, films), "--model",
                    str(tiny_run / "model_int8.tflite"), "--explain", str(maps))
    assert r.returncode == 1, r.stderr
    assert [ln.split("\t")[0] for ln in r.stdout.splitlines()] == [str(f) for f in films]
    missing = [ln for ln in r.stderr.splitlines() if "no map written" in ln]
    assert len(missing) == 3 and all("File too large" in ln for ln in missing), r.stderr
    assert "0 maps of where" in r.stderr and "Traceback" not in r.stderr
    # each film counted once, by its label; the maps apart
    assert "summary: 3 files: " in r.stderr and "failed" not in r.stderr.split("summary:")[1].split(";")[0]
    assert r.stderr.count("; 3 evidence maps not written") == 1
    assert list(maps.iterdir()) == []


def test_a_staged_set_replaces_the_old_files_together_or_not_at_all(tmp_path, monkeypatch):
    """A report and its plots: a Ctrl-C while they are written leaves the old set whole, not new
    plots beside an old report that contradicts them."""
    from edge.atomic import staged_folder, write_text

    out = tmp_path / "report"
    out.mkdir()
    for name in ("report.md", "plot.png", "kept.txt"):
        (out / name).write_text("old")
    with pytest.raises(KeyboardInterrupt):
        with staged_folder(out, last=("report.md",)) as stage:
            write_text(stage / "plot.png", "new")
            raise KeyboardInterrupt  # a Ctrl-C before the report is written
    assert {p.name: p.read_text() for p in out.iterdir()} == {"report.md": "old", "plot.png": "old", "kept.txt": "old"}
    moved, real_replace = [], os.replace
    monkeypatch.setattr(os, "replace", lambda a, b: (moved.append(Path(b).name), real_replace(a, b))[1])
    with staged_folder(out, last=("report.md",)) as stage:
        write_text(stage / "report.md", "new")
        write_text(stage / "plot.png", "new")
        write_text(stage / "maps" / "a.png", "new")
    assert moved[-1] == "report.md"  # the report that points at the others comes last
    assert {p.relative_to(out).as_posix(): p.read_text() for p in out.rglob("*") if p.is_file()} == \
        {"report.md": "new", "plot.png": "new", "maps/a.png": "new", "kept.txt": "old"}


@pytest.mark.parametrize("links", [True, False], ids=["hard links", "no links (FAT, Windows)"])
def test_a_staged_set_whose_move_fails_half_way_puts_back_the_files_it_replaced(tmp_path, monkeypatch, links):
    """On Windows a report file open in Excel can be neither replaced nor renamed: the files moved in
    before it are put back (a new one removed), so the old set stays whole and the error names the file."""
    from edge.atomic import staged_folder, write_text

    out = tmp_path / "report"
    (out / "maps").mkdir(parents=True)
    for name in ("report.md", "plot.png", "maps/a.png"):
        (out / name).write_text("old")
    before = {p.relative_to(out).as_posix(): p.read_text() for p in out.rglob("*") if p.is_file()}
    real_replace = os.replace

    def locked(a, b, fail=("plot.png",)):  # the report folder's own file, not the one written in the stage
        if (Path(b).name in fail and Path(b).parent in (out, out / "maps")) or (Path(a).name in fail and
                                                                                 Path(a).parent == out):
            raise PermissionError(13, "The process cannot access the file because it is being used by another "
                                      "process", str(a))
        return real_replace(a, b)

    monkeypatch.setattr(os, "replace", locked)
    if not links:
        monkeypatch.setattr(os, "link", lambda *a, **k: (_ for _ in ()).throw(OSError(1, "Operation not permitted")))
    with pytest.raises(PermissionError) as e:
        with staged_folder(out, last=("report.md",)) as stage:
            for name in ("report.md", "plot.png", "maps/a.png", "maps/b.png"):  # a.png, b.png go in before plot.png
                write_text(stage / name, "new")
    assert "plot.png" in str(e.value)
    assert {p.relative_to(out).as_posix(): p.read_text() for p in out.rglob("*") if p.is_file()} == before
    assert not [p for p in out.iterdir() if p.name.startswith(".")]
    # Where an old file cannot be put back either, the error says where it was left, and it stays there.
    monkeypatch.setattr(os, "replace", lambda a, b: locked(a, b, fail=("plot.png", "a.png")) if ".replaced" in
                        Path(a).parts else locked(a, b))  # putting back the old a.png fails
    with pytest.raises(PermissionError) as e:
        with staged_folder(out, last=("report.md",)) as stage:
            for name in ("report.md", "plot.png", "maps/a.png"):
                write_text(stage / name, "new")
    assert "could not be put back" in str(e.value) and "(a.png)" in str(e.value)
    kept = [p for p in out.glob(".staging-*/.replaced/maps/a.png")]
    assert len(kept) == 1 and kept[0].read_text() == "old"


def test_cxr_convert_interrupted_before_its_report_leaves_the_run_as_it_was(tiny_run, tmp_path, monkeypatch):
    """Models are stamped with their new figures and the report written last: a Ctrl-C between them
    left new model files beside an old report.json that described others."""
    from typer.testing import CliRunner

    import convert.quant_report
    from convert.cli import convert_app

    run = tmp_path / "run"
    shutil.copytree(tiny_run, run, ignore=shutil.ignore_patterns("teacher"))
    before = {p.name: p.read_bytes() for p in run.iterdir() if p.is_file()}

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(convert.quant_report, "write_quantization_report", interrupted)
    r = CliRunner().invoke(convert_app, [str(run), "--report-only", "--quant", "int8", "--operating-point", "COVID=0.9",
                                         "--no-latency", "--explain", "0", "--quiet"])
    assert r.exit_code == 130, r.output
    assert {p.name: p.read_bytes() for p in run.iterdir() if p.is_file()} == before
    assert [p.name for p in run.iterdir() if p.name.startswith(".")] == []  # no staging folder left
    assert "wrote model_int8.tflite" not in r.output  # it was not: said once the set is moved in


@pytest.mark.parametrize("fmt, unbuffered", [("--json", ""), ("--json", "1"), ("--csv", "1"), ("--csv", "")])
def test_answers_appended_to_a_full_file_end_with_a_whole_line(tiny_run, tmp_path, fmt, unbuffered):
    """`edge-classify ... --json >> answers.jsonl` on a full disk left half an answer at the end of
    the log, and the next run's first answer was glued onto it: no longer a line of JSON. Under
    PYTHONUNBUFFERED=1 (Docker images, service units) Python dropped the rest of a short write of a
    CSV row without an error: the log ended in half a row, and the command in exit code 0."""
    data = Path(json.loads((tiny_run / "split.json").read_text())["data_dir"])
    films = sorted(data.glob("*/*.png"))[:12]
    log = tmp_path / "answers.jsonl"
    header = "file,label,probability,p_COVID,p_Normal,atypical,error,rule\n"
    log.write_text('{"file": "earlier.png", "label": "COVID"}\n' if fmt == "--json" else header)
    limit = log.stat().st_size + 1500  # a few answers fit (each names its model), then one is cut by the limit
    code = ("import os, sys; fd = os.open(sys.argv.pop(1), os.O_WRONLY | os.O_APPEND); os.dup2(fd, 1); "
            + cli("edge.cli.run", "edge-classify"))

    def limit_file_size() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, resource.RLIM_INFINITY))

    r = subprocess.run([sys.executable, "-c", code, str(log), *map(str, films), fmt, "--model",
                        str(tiny_run / "model_int8.tflite")], preexec_fn=limit_file_size, capture_output=True,
                       text=True, timeout=300, env={**os.environ, "PYTHONPATH": str(REPO), "PYTHONUNBUFFERED": unbuffered})
    assert r.returncode == 2 and "cannot write the answers to standard output" in r.stderr, r.stderr
    text = log.read_text()
    assert text.endswith("\n") and len(text.splitlines()) >= 3, text
    if fmt == "--csv":
        rows = list(csv.reader(text.splitlines()))
        assert text.startswith(header) and all(len(row) == len(rows[0]) for row in rows), rows[-1]
        assert [row[0] for row in rows[1:]] == list(map(str, films[:len(rows) - 1]))
        return
    answers = [json.loads(line) for line in text.splitlines()]  # every line whole
    assert answers[0]["file"] == "earlier.png" and all(a["file"] == str(f) for a, f in zip(answers[1:], films))



def test_info_on_a_full_disk_leaves_no_half_document(tiny_run, tmp_path):
    """`edge-classify --info > facts.json` on a full disk: the cut-back kept the whole lines of the JSON written
    before the failure, half a document that no reader can parse; a document is cut off whole, only a log of
    answers keeps its whole lines (another writer's among them)."""
    out = tmp_path / "facts.json"

    def limit_file_size() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (300, resource.RLIM_INFINITY))

    with open(out, "wb") as f:
        r = subprocess.run([sys.executable, "-m", "edge.cli", "--info", "--model", str(tiny_run / "model_int8.tflite")],
                           stdout=f, stderr=subprocess.PIPE, text=True, preexec_fn=limit_file_size, timeout=120,
                           env={**os.environ, "PYTHONPATH": str(REPO)})
    assert r.returncode == 2 and "cannot write" in r.stderr, r.stderr
    assert out.read_bytes() == b""


SHARED_LOG_WRITER = """
import os, resource, sys
from edge.stdout_file import written_to_stdout
try:
    with written_to_stdout("edge-classify", answers=True):  # as edge.answering writes each answer
        with open(sys.argv[1], "a") as other:  # a second watch appends its answer meanwhile
            other.write('{"file": "other.png", "label": "Normal"}\\n')
        size = os.path.getsize(sys.argv[1])
        resource.setrlimit(resource.RLIMIT_FSIZE, (size + 10, resource.RLIM_INFINITY))  # then the disk is full
        print('{"file": "mine.png", "label": "COVID"}')
except SystemExit as e:
    print(e.code, file=sys.stderr)
"""


def test_a_failed_answer_cuts_back_its_own_half_line_not_another_writers_answers(tmp_path):
    """Two watches appending to one log, one of them on a full disk: it cut the log back to its size when its
    answer began, and the other watch's answer, written in between, was lost from the record."""
    log = tmp_path / "answers.jsonl"
    log.write_text('{"file": "earlier.png", "label": "COVID"}\n')
    with open(log, "ab") as out:
        r = subprocess.run([sys.executable, "-c", SHARED_LOG_WRITER, str(log)], stdout=out, stderr=subprocess.PIPE,
                           text=True, timeout=60, env={**os.environ, "PYTHONPATH": str(REPO)})
    assert "cannot write the answers" in r.stderr, r.stderr
    assert [json.loads(line)["file"] for line in log.read_text().splitlines()] == ["earlier.png", "other.png"]


def test_a_site_rule_is_saved_only_once_its_report_is_written(tiny_run, unseen_site, tmp_path, monkeypatch):
    """--save-model wrote the deployable model first: a disk that filled while writing the report left
    a model with a new rule and no report behind it, over the file kept at that path. (The model is
    larger than the report's files, so a file-size limit cannot fill the disk between the two: the
    report's writer fails as a full disk makes it fail.)"""
    import errno

    from typer.testing import CliRunner

    import convert.report
    from convert.evaluate_cli import evaluate_app

    def disk_full(stage, *args, **kwargs):
        (stage / "report.json").write_text("{")
        raise OSError(errno.ENOSPC, "No space left on device", str(stage / "roc.png"))

    monkeypatch.setattr(convert.report, "evaluation_report", disk_full)
    data = str(unseen_site)
    saved = tmp_path / "site.tflite"
    saved.write_bytes(b"the model kept here")
    out = tmp_path / "new" / "report"
    r = CliRunner().invoke(evaluate_app, [str(tiny_run / "model_int8.tflite"), data, "--operating-point", "COVID=0.9",
                                          "--save-model", str(saved), "--out", str(out), "--quiet",
                                          "--explain", "0", "--n-boot", "100"])
    assert r.exit_code == 2 and f"{out}/roc.png: No space left on device" in r.output, r.output
    assert saved.read_bytes() == b"the model kept here"
    assert not (tmp_path / "new").exists()  # nor the folders made for the report


def test_a_site_rule_that_cannot_be_saved_leaves_no_report_naming_it(tiny_run, unseen_site, tmp_path):
    """The report was written first and said 'Saved in site.tflite with this rule' over a write that then
    failed: the file there was another model."""
    data = str(unseen_site)
    saved = tmp_path / "site.tflite"
    saved.write_bytes(b"the model kept here")
    out = tmp_path / "report"
    r = run_limited(4096, cli("convert.evaluate_cli.evaluate_main", "cxr-evaluate"), str(tiny_run / "model_int8.tflite"),
                    data, "--operating-point", "COVID=0.9", "--save-model", str(saved), "--out", str(out),
                    "--quiet", "--explain", "0", "--n-boot", "100")
    assert r.returncode == 2 and f"{saved}: File too large" in r.stderr, r.stderr
    assert saved.read_bytes() == b"the model kept here" and not out.exists()
    assert leftovers(tmp_path) == []


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
def test_closing_lines_on_a_full_standard_output_are_one_line_not_a_traceback(tmp_path):
    """cxr-synth, cxr-convert, cxr-evaluate and cxr-compare print their last lines outside their error
    handling: > /dev/full gave a traceback and exit code 1 (for cxr-convert: 'gate failed')."""
    with open("/dev/full", "w") as full:
        r = subprocess.run([sys.executable, "-c", cli("train.synth_cli.synth_main", "cxr-synth"), str(tmp_path / "s"),
                            "--count", "1", "--size", "32"], stdout=full, stderr=subprocess.PIPE, text=True, timeout=120,
                           env={**os.environ, "PYTHONPATH": str(REPO)})
    assert r.returncode == 2 and "Traceback" not in r.stderr, r.stderr
    assert r.stderr.strip().splitlines()[-1] == ("cxr-synth: error: cannot write the answers to standard output: "
                                                 "no space left on device")


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
def test_a_watch_stopped_by_a_full_disk_says_its_unwritten_films_are_answered_at_the_next_start(model_dir, tmp_path):
    """A watch whose log's disk filled stopped with one line and no word of the films it had found: its operator
    could not tell whether they were lost (with --skip-answered, the next start answers them)."""
    from PIL import Image

    incoming = tmp_path / "incoming"
    incoming.mkdir()
    Image.new("L", (64, 64), 128).save(incoming / "a.png")
    (tmp_path / "answers.jsonl").write_text("")
    with open("/dev/full", "w") as full:
        r = subprocess.run([sys.executable, "-m", "edge.cli", str(incoming), "--watch", "--json", "--interval", "0.1",
                            "--model", str(model_dir / "compact" / "model_int8.tflite"),
                            "--skip-answered", str(tmp_path / "answers.jsonl")], stdout=full, stderr=subprocess.PIPE,
                           text=True, timeout=120, env={**os.environ, "PYTHONPATH": str(REPO)})
    assert r.returncode == 2 and "Traceback" not in r.stderr, r.stderr
    assert r.stderr.strip().splitlines()[-1] == (
        "edge-classify: error: cannot write the answers to standard output: no space left on device; the films whose "
        "answers were not written are answered at the next start (--skip-answered skips only those written)")


def test_a_ctrl_c_that_tensorflow_dropped_still_stops_cxr_convert(tiny_run, tmp_path, monkeypatch):
    """Inside TensorFlow a KeyboardInterrupt can be raised in a garbage-collector callback and dropped
    ('Exception ignored', to the converter's silenced stderr): cxr-convert then rewrote every file and
    exited 0 (2 of 10 Ctrl-Cs). The real converter runs; the signal is dropped after it as TensorFlow
    would drop it."""
    import convert.export
    from convert.quantize import ConvertSettings, run_conversion

    run = tmp_path / "run"
    shutil.copytree(tiny_run, run)
    before = {p.name: p.read_bytes() for p in run.iterdir() if p.is_file()}
    real = convert.export.convert

    def dropped(*args, **kwargs):
        out = real(*args, **kwargs)
        try:
            signal.raise_signal(signal.SIGINT)
            time.sleep(0.1)
        except KeyboardInterrupt:
            pass  # swallowed where it landed
        return out
    monkeypatch.setattr(convert.export, "convert", dropped)
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)  # as at a terminal (not a background job)
    try:
        with pytest.raises(KeyboardInterrupt):
            run_conversion(ConvertSettings(run_dir=run, modes=["fp32"], latency_threads=(), n_boot=50, progress=False))
    finally:
        signal.signal(signal.SIGINT, previous)
    assert {p.name: p.read_bytes() for p in run.iterdir() if p.is_file()} == before  # the run as it was
    assert [p.name for p in run.iterdir() if p.name.startswith(".")] == []


def test_debug_shows_a_files_error_with_its_traceback_not_as_standard_outputs(tmp_path):
    """With --debug, a run folder that does not exist was said to be 'cannot write the answers to standard
    output', without the traceback --debug is for."""
    missing = tmp_path / "no-run"
    r = subprocess.run([sys.executable, "-c", cli("convert.cli.convert_main", "cxr-convert"), str(missing), "--debug"],
                       capture_output=True, text=True, timeout=120, env={**os.environ, "PYTHONPATH": str(REPO)})
    assert r.returncode != 0 and "standard output" not in r.stderr, r.stderr
    assert "Traceback" in r.stderr and f"FileNotFoundError: run folder {missing} does not exist" in r.stderr


def test_a_read_only_or_refused_folder_is_not_asked_whether_the_disk_is_full(tmp_path, monkeypatch, capsys):
    """A run folder on a read-only file system with little room: 'ro/r is not writable; only 3 MiB free
    in ro/r: is the disk full?' sent the user after the wrong cause."""
    import os as real_os
    import shutil as real_shutil
    from collections import namedtuple

    import typer

    from edge import cliutil, error_lines

    usage = namedtuple("usage", "total used free")
    monkeypatch.setattr(real_shutil, "disk_usage", lambda p: usage(5 << 20, 2 << 20, 3 << 20))
    for error in (PermissionError(f"{tmp_path} is not a run folder to write into: it is not writable"),
                  OSError(errno.EROFS, "Read-only file system", str(tmp_path / "a"))):
        with pytest.raises(typer.Exit), error_lines.one_line_errors("cxr-convert", False, writes_to=[tmp_path]):
            raise error
        assert "is the disk full" not in capsys.readouterr().err
    with pytest.raises(typer.Exit), error_lines.one_line_errors("cxr-convert", False, writes_to=[tmp_path]):
        raise OSError(errno.ENOSPC, "No space left on device", str(tmp_path / "a"))
    assert "only 3 MiB free" in capsys.readouterr().err
    stat = real_os.statvfs(tmp_path)
    flags = namedtuple("flags", "f_flag")
    monkeypatch.setattr(real_os, "statvfs", lambda p: flags(stat.f_flag | real_os.ST_RDONLY))
    assert cliutil.folder_problem(tmp_path / "new") == f"{tmp_path} is on a read-only file system"


@pytest.mark.parametrize("command", ["train.cli:train_main", "convert.cli:convert_main"])
def test_without_matplotlib_train_and_convert_refuse_before_any_work(tiny_run, tmp_path, command):
    """A device install with TensorFlow added by hand trained (or converted) to the end, then lost it all to
    'unexpected ModuleNotFoundError' drawing the plots."""
    run = tmp_path / "run"
    shutil.copytree(tiny_run, run, ignore=shutil.ignore_patterns("teacher"))
    before = {p.name: p.read_bytes() for p in run.iterdir() if p.is_file()}
    module, main = command.split(":")
    args = (["--data", "synthetic", "--out", str(tmp_path / "new"), "--epochs", "1", "--image-size", "32"]
            if module == "train.cli" else [str(run), "--quant", "int8"])
    code = (f"import sys; sys.modules['matplotlib'] = None; sys.argv = ['prog'] + sys.argv[1:]; "
            f"from {module} import {main}; {main}()")
    r = subprocess.run([sys.executable, "-c", code, *args], cwd=REPO, capture_output=True, text=True, timeout=300,
                       env={**os.environ, "PYTHONPATH": str(REPO)})
    assert r.returncode == 2, r.stderr
    assert "which cannot be imported (import of matplotlib halted; None in sys.modules): " in r.stderr \
        and " -m pip install " in r.stderr and "[train]" in r.stderr and "cxr-edge[train]" not in r.stderr, r.stderr
    assert {p.name: p.read_bytes() for p in run.iterdir() if p.is_file()} == before and not (tmp_path / "new").exists()


def test_the_staged_report_goes_in_last_even_where_it_sorts_first(tmp_path, monkeypatch):
    """report.md moves in last even where other files (subgroups.csv, sensitivity.png) sort after it by name."""
    from edge.atomic import staged_folder, write_text
    moved, real = [], os.replace
    monkeypatch.setattr(os, "replace", lambda a, b: (moved.append(Path(b).name), real(a, b))[1])
    with staged_folder(tmp_path / "out", last=("report.md",)) as stage:
        for name in ("report.md", "subgroups.csv", "sensitivity.png"):  # both sort after report.md
            write_text(stage / name, "new")
    assert moved[-1] == "report.md"
