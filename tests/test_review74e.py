"""A Windows MANIFEST.csv whose only letters past ASCII are code page 1252's š and ž (Czech, Slovak and Finnish
names; the same bytes in code page 1250) is read as written: 0.58.0's Mac Roman detection took its š for Mac
Roman's ö and its ž for û ('Košice' became 'Koöice', a source of its own). Excel for Mac's files stay Mac Roman."""

from __future__ import annotations

import pytest

from train.manifest import read_manifest
from train.manifest_text import decode


@pytest.mark.parametrize("encoding", ["cp1252", "cp1250"])
@pytest.mark.parametrize("name", ["Košice", "Ružomberok", "Všeobecná fakultní nemocnice", "KOŠICE"])
def test_windows_s_and_z_with_caron_stay_windows(tmp_path, encoding, name):
    (tmp_path / "MANIFEST.csv").write_bytes(f"file;source\r\na.png;{name}\r\nb.png;Bratislava\r\n".encode(encoding))
    _, rows = read_manifest(tmp_path)
    assert rows["a.png"]["source"] == name


@pytest.mark.parametrize("name", ["Röntgen Süd", "Mäntsälä", "Köln-Mülheim", "Zürich"])
def test_mac_roman_umlauts_still_told_from_windows(name):
    assert decode(f"file;source\ra.png;{name}\r".encode("mac_roman")) == f"file;source\ra.png;{name}\r"
