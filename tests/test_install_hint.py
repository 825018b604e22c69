"""edge.install_hint: the pip command an error gives for a missing extra ([train], [dicom]) works when pasted."""

from __future__ import annotations

import json
import shlex
import sys

import pytest

from edge.install_hint import install_hint

PIP = f"{shlex.quote(sys.executable)} -m pip install"  # this Python's: a device's .venv is run without activating it


@pytest.mark.parametrize("record, exists, says", [
    ({"url": "file:///SRC", "dir_info": {"editable": True}}, True, "-e '/SRC[train]'"),
    ({"url": "file:///SRC/cxr_edge-0.35.0-py3-none-any.whl", "archive_info": {}}, True,
     "'/SRC/cxr_edge-0.35.0-py3-none-any.whl[train]'"),
    ({"url": "file:///SRC", "dir_info": {}}, False, "'.[train]' from the cxr-edge source folder"),
    ({"url": "https://example.org/cxr_edge.whl"}, True, "'.[train]' from the cxr-edge source folder"),
    (None, True, "'.[train]' from the cxr-edge source folder"),
])
def test_the_hint_names_where_this_install_came_from(tmp_path, monkeypatch, record, exists, says):
    """'pip install cxr-edge[train]' failed when pasted: cxr-edge is not on PyPI (and the name is anyone's to take)."""
    from importlib import metadata

    src = tmp_path / "my src"
    if exists:
        src.mkdir()
        (src / "cxr_edge-0.35.0-py3-none-any.whl").write_bytes(b"")

    class Dist:
        def read_text(self, name: str) -> str | None:
            return None if record is None else json.dumps(record).replace("/SRC", src.as_posix().replace(" ", "%20"))
    monkeypatch.setattr(metadata, "distribution", lambda name: Dist())
    assert install_hint("train").startswith(f"{PIP} {says.replace('/SRC', src.as_posix())}")


def test_a_dicom_film_without_pydicom_names_the_dicom_extra(monkeypatch):
    """The DICOM refusal gave the same not-on-PyPI command ('pip install cxr-edge[dicom]')."""
    from edge.dicom import dicom_to_gray
    from edge.preprocess import ImageError

    monkeypatch.setitem(sys.modules, "pydicom", None)  # import pydicom raises ImportError
    with pytest.raises(ImageError, match=r"^this is a DICOM file: install DICOM support with .* -m pip install .*\[dicom\]"):
        dicom_to_gray(b"\0" * 132)


def test_a_pasteable_word_is_quoted_for_the_shell_it_is_pasted_into():
    """On Windows the hint was 'C:\\...\\python.exe' -m pip ...: cmd.exe passes single quotes on literally and
    PowerShell refuses the line; elsewhere single quotes stay (a $ or ` inside double quotes would be expanded)."""
    from edge.shell_words import shell_quote

    venv = r"C:\Users\me\my venv\Scripts\python.exe"
    assert shell_quote(venv, "nt") == f'"{venv}"'
    assert shell_quote(r"C:\src\cxr-edge[train]", "nt") == r"C:\src\cxr-edge[train]"  # one word as it is
    # no space, but '&' ends a command in cmd.exe and PowerShell: C:\R&D\... ran 'D\...' as a second command
    assert shell_quote(r"C:\R&D\venv\Scripts\python.exe", "nt") == r'"C:\R&D\venv\Scripts\python.exe"'
    assert shell_quote("COVID,Normal", "nt") == '"COVID,Normal"'  # PowerShell reads a bare comma list as an array
    assert shell_quote("/home/me/my venv/bin/python", "posix") == "'/home/me/my venv/bin/python'"
    assert shell_quote("COVID,Normal $x", "posix") == "'COVID,Normal $x'"
    assert shell_quote("plain", "posix") == "plain"


def test_no_message_quotes_a_command_word_for_posix_shells_alone():
    """Every pasteable command (install hints, --classes, --class-map, --resume's differences, the report's
    edge-classify lines, the self-test's) goes through edge.shell_words.shell_quote: one left on shlex.quote gave
    Windows users single quotes that cmd.exe and PowerShell do not read."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    left = [str(p.relative_to(root)) for pkg in ("edge", "train", "convert") for p in sorted((root / pkg).rglob("*.py"))
            if "shlex.quote(" in p.read_text(encoding="utf-8") and p != root / "edge" / "shell_words.py"]
    assert left == []


def test_the_hint_on_windows_names_the_source_folder_in_windows_form(tmp_path, monkeypatch):
    """pip records file:///C:/Users/me/cxr; its URL path /C:/Users/me/cxr is no path on Windows, so the hint there
    always fell back to the vaguer '.[train] from the cxr-edge source folder'."""
    import nturl2path
    import os
    from importlib import metadata

    import edge.install_hint as ih
    from edge.shell_words import shell_quote

    class Dist:
        def read_text(self, name: str) -> str:
            return json.dumps({"url": "file:///C:/Users/me/my%20cxr", "dir_info": {"editable": True}})
    monkeypatch.setattr(metadata, "distribution", lambda name: Dist())
    monkeypatch.setattr(ih, "url2pathname", nturl2path.url2pathname)  # what urllib.request gives on Windows
    monkeypatch.setattr(ih, "shell_quote", lambda word: shell_quote(word, "nt"))
    monkeypatch.setattr(sys, "executable", r"C:\Users\me\my cxr\.venv\Scripts\python.exe")
    real = os.path.exists
    monkeypatch.setattr(os.path, "exists", lambda p: p == r"C:\Users\me\my cxr" or real(p))
    # PowerShell takes a quoted first word for a string, and runs it only after '&' (which cmd.exe refuses)
    assert install_hint("train") == (r'"C:\Users\me\my cxr\.venv\Scripts\python.exe" -m pip install -e '
                                     r'"C:\Users\me\my cxr[train]" (in PowerShell, begin the line with &)')


def test_a_hint_by_this_pythons_own_pip_tells_powershell_users_to_begin_with_an_ampersand(monkeypatch):
    """own_pip (the missing runtime's and matplotlib's hints) quoted a Windows venv's python.exe as install_hint
    does, but without install_hint's PowerShell note, so PowerShell took the pasted line for a string."""
    import edge.install_hint as ih
    from edge.shell_words import shell_quote

    monkeypatch.setattr(ih, "shell_quote", lambda word: shell_quote(word, "nt"))
    monkeypatch.setattr(sys, "executable", r"C:\Users\me\my cxr\.venv\Scripts\python.exe")
    assert ih.own_pip("no runtime: pip install ai-edge-litert") == (
        r'no runtime: "C:\Users\me\my cxr\.venv\Scripts\python.exe" -m pip install ai-edge-litert'
        " (in PowerShell, begin the line with &)")
    assert ih.own_pip("nothing to install") == "nothing to install"
    monkeypatch.setattr(sys, "executable", "/home/pi/.venv/bin/python3")
    monkeypatch.setattr(ih, "shell_quote", lambda word: shell_quote(word, "posix"))
    assert ih.own_pip("pip install matplotlib") == "/home/pi/.venv/bin/python3 -m pip install matplotlib"
