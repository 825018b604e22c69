"""Paths no command may stumble on: lists of names saved by Windows tools (a byte-order mark, UTF-16),
a name longer than the file system takes, a symbolic link that loops or leads nowhere. Each is one
clear line about that path; in a batch, that path's error among the others' answers."""

from __future__ import annotations

import codecs
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from edge.batch import expand_inputs
from edge.inputs import list_text, stdin_paths
from tests.test_edge_cli_messages import film, films  # noqa: F401 (fixtures)

ROOT = Path(__file__).resolve().parents[1]
TOO_LONG = "O" * 300  # over the 255 bytes a Linux, macOS or Windows file name may have


def test_a_list_of_names_saved_with_a_byte_order_mark_reads_as_its_names():
    names = "scans/café 1.png\r\nscans/x.png.png\r\n"
    want = ["scans/café 1.png", "scans/x.png.png"]
    assert stdin_paths(list_text(codecs.BOM_UTF8 + names.encode())) == want  # Notepad's "UTF-8 with BOM"
    assert stdin_paths(list_text(names.encode("utf-16"))) == want  # Notepad's "Unicode", PowerShell 5's > list.txt
    assert stdin_paths(list_text(codecs.BOM_UTF16_BE + names.encode("utf-16-be"))) == want
    assert stdin_paths(list_text(b"old\xe9.png\n")) == ["old\udce9.png"]  # not UTF-8: the name's bytes, as before


def test_a_utf16_list_without_a_byte_order_mark_reads_as_its_names():
    """``cmd /u /c dir /b > list.txt`` writes UTF-16LE without a mark: read as NUL-separated, each letter was a
    path and '/' and '.' were scanned as folders."""
    names = "scans/café 1.png\r\nscans/x.png.png\r\nscans/肺.png\r\nscans/一Ā.png\r\n"  # 一, Ā: a NUL low byte
    want = ["scans/café 1.png", "scans/x.png.png", "scans/肺.png", "scans/一Ā.png"]
    assert stdin_paths(list_text(names.encode("utf-16-le"))) == want
    assert stdin_paths(list_text(names.encode("utf-16-be"))) == want
    print0 = b"./a\0./b.png\0scans/x\0"  # find -print0: NUL-separated, as before
    assert stdin_paths(list_text(print0)) == ["./a", "./b.png", "scans/x"]
    assert stdin_paths(list_text(b"a\0b\0")) == ["a", "b"]  # no line end: not a UTF-16 list


def test_a_print0_list_that_also_reads_as_utf16_reads_as_the_names_that_are_there(tmp_path, monkeypatch):
    """find -print0 of one name that ends in a newline, of even length (b"ab\\n\\0"), read as UTF-16 ("扡\\n"): the
    film was missed under a name no one gave. The names that are there decide; a UTF-16 list stays one."""
    monkeypatch.chdir(tmp_path)
    assert stdin_paths(list_text(b"ab\n\0")) == ["扡"]  # nothing there: the bytes alone say UTF-16, as before
    (tmp_path / "ab\n").write_bytes(b"x")
    (tmp_path / "cd\n").write_bytes(b"x")
    assert stdin_paths(list_text(b"ab\n\0")) == ["ab\n"]
    assert stdin_paths(list_text(b"ab\n\0cd\n\0")) == ["ab\n", "cd\n"]
    (tmp_path / "a").write_bytes(b"x")  # a UTF-16 list "a\n" splits at its NULs into "a" and "\n": not all there
    assert stdin_paths(list_text("a\n".encode("utf-16-le"))) == ["a"]


def test_a_utf16_list_on_stdin_classifies_its_films_not_the_current_folder(model, film, tmp_path):
    """Read as NUL-separated names, one letter each: each '.' of 'x.png.png' classified the whole current folder."""
    for name in ("other0.png", "other1.png", "x.png.png"):
        shutil.copyfile(film, tmp_path / name)
    p = subprocess.run([sys.executable, "-m", "edge.cli", "-", "--model", str(model)], cwd=tmp_path, capture_output=True,
                       input="x.png.png\r\n".encode("utf-16"), timeout=120, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert p.returncode == 0, p.stderr.decode()
    assert [ln.split(b"\t")[0] for ln in p.stdout.splitlines()] == [b"x.png.png"]


def test_a_name_too_long_is_that_paths_error_not_the_batchs(tmp_path):
    (tmp_path / "a.png").write_bytes(b"x")
    files, errors = expand_inputs([str(tmp_path / f"{TOO_LONG}.png"), str(tmp_path / "a.png")])
    assert files == [str(tmp_path / "a.png")]
    assert len(errors) == 1 and errors[0].error.startswith("cannot look at this path (File name too long")


@pytest.mark.parametrize("module, args", [("train.synth_cli", ["synth_main", "{out}", "--count", "2"]),
                                          ("train.cli", ["train_main", "--out", "{out}"])])
def test_an_output_name_too_long_is_said_as_such_not_as_standard_outputs_failure(tmp_path, module, args):
    """An error about a path raised before a command's own error handling was said as 'cannot write the answers
    to standard output: file name too long'."""
    entry, *rest = args
    p = subprocess.run([sys.executable, "-c", f"from {module} import {entry}; {entry}()",
                        *[a.format(out=tmp_path / TOO_LONG) for a in rest]], cwd=ROOT, capture_output=True, text=True,
                       timeout=300)
    assert p.returncode == 2
    assert "standard output" not in p.stderr and f"{TOO_LONG}: File name too long" in p.stderr, p.stderr


def test_a_symbolic_link_that_loops_or_leads_nowhere_is_said_in_words(tmp_path, model):
    """cxr-evaluate and cxr-compare printed a traceback (exit 1: 'some films unreadable'), cxr-convert 'unexpected
    RuntimeError', cxr-train 'does not exist', cxr-synth 'File exists'."""
    (tmp_path / "it's loopA").symlink_to(tmp_path / "loopB")  # a quote: its repr in pathlib's message is "..."
    (tmp_path / "loopB").symlink_to(tmp_path / "it's loopA")
    (tmp_path / "gone").symlink_to(tmp_path / "nowhere")
    loop = str(tmp_path / "it's loopA")
    for entry, args, what in (
            ("convert.evaluate_cli import evaluate_main", [str(model), loop, "--quiet"], "loops"),
            ("convert.compare_cli import compare_main", [str(model), str(model), loop, "--quiet"], "loops"),
            ("convert.cli import convert_main", [loop], "loops"),
            ("train.cli import train_main", ["--data", loop, "--out", str(tmp_path / "run")], "loops"),
            ("train.synth_cli import synth_main", [loop, "--count", "2"], "loops"),
            ("train.synth_cli import synth_main", [str(tmp_path / "gone"), "--count", "2"], "which does not exist")):
        p = subprocess.run([sys.executable, "-c", f"from {entry}; {entry.split()[-1]}()", *args], cwd=ROOT,
                           capture_output=True, text=True, timeout=300)
        assert p.returncode == 2 and "Traceback" not in p.stderr, (entry, p.stderr)
        assert f"is a symbolic link that {what}" in p.stderr or what in p.stderr.splitlines()[-1], (entry, p.stderr)


def test_a_list_that_starts_as_utf16_but_is_not_is_one_plain_error(model):
    p = subprocess.run([sys.executable, "-m", "edge.cli", "-", "--model", str(model)], cwd=ROOT, capture_output=True,
                       input=b"\xff\xfea\x00\x00\xd8b\x00", timeout=120)
    assert p.returncode == 2
    assert p.stderr.decode().strip().splitlines()[-1] == ("edge-classify: error: standard input starts as a UTF-16 list "
                                                         "of names but is not one: save the list as UTF-8")


def test_a_loop_whose_name_holds_a_newline_or_a_byte_not_utf8_is_said_on_one_line(tmp_path):
    import pathlib

    from edge.cliutil import _loop

    a = os.path.join(str(tmp_path), "it\nloop\udce9")
    os.symlink(str(tmp_path / "b"), os.fsencode(a))
    os.symlink(os.fsencode(a), str(tmp_path / "b"))
    try:
        pathlib.Path(a).resolve()
    except RuntimeError as e:
        said = _loop(e)
    else:  # Python 3.13 raises OSError (ELOOP) instead, which is said as any path's error
        pytest.skip("this Python's resolve() raises no RuntimeError for a loop")
    assert "\n" not in said and said.encode("utf-8") and "it\\nloop\\xe9" in said
