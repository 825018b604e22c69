"""edge.error_lines pinned where a small change went unseen (hand mutation testing: each test here failed with one
such change to error_in_words, _raised_by_us or one_line_errors in place, which tests/test_full_disk.py,
tests/test_out_of_memory.py and tests/test_interrupts.py let through). error_in_words says why a map was not written;
one_line_errors is every command's last line."""

from __future__ import annotations

import numpy as np
import pytest
import typer

from edge.error_lines import error_in_words, one_line_errors
from edge.runtime import RuntimeMissing
from edge.shares import wilson_interval


def _raised(work) -> BaseException:
    try:
        work()
    except BaseException as e:  # noqa: BLE001 - the error itself is what is tested
        return e
    raise AssertionError("nothing raised")


def test_a_value_error_of_our_own_code_is_said_as_its_message():
    assert error_in_words(_raised(lambda: wilson_interval(-1, 10))) == "successes=-1 must lie in [0, total=10]"


def test_a_value_error_never_raised_is_taken_as_ours():
    """No traceback to tell whose it is (made, not raised): its message as written."""
    assert error_in_words(ValueError("the map's folder is a file")) == "the map's folder is a file"


def test_numpys_value_error_is_named_by_its_type():
    e = _raised(lambda: np.zeros(2) + np.zeros(3))
    assert error_in_words(e).startswith("ValueError: operands could not be broadcast together")


def test_an_os_error_is_said_in_plain_words():
    assert error_in_words(FileNotFoundError(2, "No such file or directory", "/maps/x.png")) == \
        "/maps/x.png: No such file or directory"


@pytest.mark.parametrize("e, words", [(MemoryError(), "out of memory"), (KeyError("COVID"), "KeyError: 'COVID'"),
                                      (RuntimeError(), "RuntimeError"), (RuntimeError("first\nsecond"), "RuntimeError: first")])
def test_other_errors_are_named_by_type_with_their_first_line(e, words):
    assert error_in_words(e) == words


def test_typers_exit_passes_through_with_its_code():
    with pytest.raises(typer.Exit) as got, one_line_errors("edge-classify", debug=False):
        raise typer.Exit(3)
    assert got.value.exit_code == 3


def test_a_missing_runtime_is_said_as_its_message_whatever_is_expected(capsys):
    with pytest.raises(typer.Exit) as got, one_line_errors("edge-classify", debug=False, expected=(ValueError,)):
        raise RuntimeMissing("no TFLite runtime: pip install ai-edge-litert")
    assert got.value.exit_code == 2
    assert capsys.readouterr().err == "edge-classify: error: no TFLite runtime: pip install ai-edge-litert\n"


def test_an_interrupt_says_how_to_go_on_and_exits_130(capsys):
    with pytest.raises(typer.Exit) as got, one_line_errors("cxr-train", debug=False, on_interrupt="; --resume goes on"):
        raise KeyboardInterrupt
    assert got.value.exit_code == 130
    assert capsys.readouterr().err.endswith("none is half-written; --resume goes on\n")


def test_with_debug_an_interrupt_and_a_bugs_value_error_keep_their_tracebacks():
    with pytest.raises(KeyboardInterrupt), one_line_errors("cxr-train", debug=True):
        raise KeyboardInterrupt
    with pytest.raises(ValueError) as got, one_line_errors("cxr-train", debug=True):
        np.zeros(2) + np.zeros(3)
    assert got.value.cxr_edge_debug is True  # run_app lets it end with its traceback


def test_a_bugs_value_error_is_unexpected_and_ours_is_said_as_it_is(capsys):
    with pytest.raises(typer.Exit), one_line_errors("cxr-train", debug=False):
        np.zeros(2) + np.zeros(3)
    assert capsys.readouterr().err.startswith("cxr-train: error: unexpected ValueError: operands could not be broadcast")


def test_a_value_error_raised_by_the_standard_librarys_own_raise_is_named_by_its_type():
    """json's decoder raises with a raise statement of its own: a bug's error, not a message of ours."""
    import json

    assert error_in_words(_raised(lambda: json.loads(""))).startswith("JSONDecodeError: Expecting value")


# --- session 65: the cases left (a frame without source, 'if bad: raise', the disk hint, a symlink loop) ---

def _ours(name: str, source: str, with_source: bool = True):
    """A function compiled as if it were a file of edge/ (``name``), with its source readable by traceback (as a
    module's is) or not (a .pyc alone)."""
    import linecache

    from edge.error_lines import OUR_CODE

    filename = str(OUR_CODE[0] / name)
    space: dict = {"np": np}
    exec(compile(source, filename, "exec"), space)
    if with_source:
        linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    return space["f"]


def test_a_one_line_if_raise_of_ours_is_our_message_and_a_line_that_raises_nothing_is_a_bugs():
    f = _ours("_pinned_if_raise.py", "def f():\n    if True: raise ValueError('the maps folder is a file')\n")
    assert error_in_words(_raised(f)) == "the maps folder is a file"
    g = _ours("_pinned_sum.py", "def f():\n    return np.zeros(2) + np.zeros(3)  # shapes that do not fit raise\n")
    assert error_in_words(_raised(g)).startswith("ValueError: operands could not be broadcast")


def test_a_frame_of_ours_without_source_is_taken_as_ours():
    f = _ours("_pinned_no_source.py", "def f():\n    raise ValueError('a message of ours')\n", with_source=False)
    assert error_in_words(_raised(f)) == "a message of ours"


@pytest.fixture
def full(monkeypatch):
    """Every folder nearly full, as disk_hint would find it."""
    import edge.error_lines

    monkeypatch.setattr(edge.error_lines, "disk_hint",
                        lambda folders=(): f"; only 1 MiB free in {' '.join(map(str, folders)) or '/tmp'}: is the disk full?")


@pytest.mark.parametrize("e, hinted", [
    (OSError(28, "No space left on device", "/out/a.png"), True),
    (OSError(30, "Read-only file system", "/out/a.png"), False),
    (OSError(13, "Permission denied", "/out/a.png"), False),
    (OSError(1, "Operation not permitted", "/out/a.png"), False),
    (PermissionError("/out is not ours to write to"), False),
])
def test_the_disk_hint_is_given_for_an_os_error_that_could_be_a_full_disk_alone(full, capsys, e, hinted):
    with pytest.raises(typer.Exit) as got, one_line_errors("cxr-train", debug=False, writes_to=["/out"]):
        raise e
    err = capsys.readouterr().err
    assert got.value.exit_code == 2 and err.startswith("cxr-train: error: ")
    assert ("is the disk full?" in err) is hinted, err


def test_our_own_value_error_gets_no_disk_hint(full, capsys):
    with pytest.raises(typer.Exit), one_line_errors("cxr-train", debug=False, writes_to=["/out"]):
        wilson_interval(-1, 10)
    assert capsys.readouterr().err == "cxr-train: error: successes=-1 must lie in [0, total=10]\n"


def test_a_bugs_error_gets_the_disk_hint_before_the_debug_note(full, capsys):
    with pytest.raises(typer.Exit), one_line_errors("cxr-convert", debug=False, writes_to=["/out"]):
        raise RuntimeError("tensorflow failed\nand said much more")
    assert capsys.readouterr().err == ("cxr-convert: error: unexpected RuntimeError: tensorflow failed; only 1 MiB free "
                                       "in /out: is the disk full? (--debug shows the traceback)\n")
    with pytest.raises(typer.Exit), one_line_errors("cxr-convert", debug=False, writes_to=["/out"]):
        np.zeros(2) + np.zeros(3)
    assert "; only 1 MiB free in /out: is the disk full? (--debug shows" in capsys.readouterr().err


def test_a_symlink_loop_is_said_as_one_and_memory_as_memory(tmp_path, capsys):
    loop = tmp_path / "loop"
    loop.symlink_to(loop)
    with pytest.raises(typer.Exit) as got, one_line_errors("edge-classify", debug=False):
        loop.resolve(strict=True)
    err = capsys.readouterr().err
    assert got.value.exit_code == 2 and err.startswith(f"edge-classify: error: {loop}"), err
    with pytest.raises(typer.Exit), one_line_errors("edge-classify", debug=False):
        raise MemoryError()
    assert capsys.readouterr().err.startswith("edge-classify: error: not enough memory (MemoryError): is a memory limit")
