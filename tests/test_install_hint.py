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
