"""edge.memory and edge.names pinned where a small change went unseen (hand mutation testing: each test here failed
with one such change to short_of_memory, is_text, as_text, texts, _any_bytes, _exact or exact_name in place, which
the fast tests of out-of-memory errors and of odd file names let through)."""

from __future__ import annotations

import base64

from edge.memory import short_of_memory
from edge.names import as_text, exact_name, is_text, texts

LATIN1 = b"r\xe9sum\xe9.png".decode("utf-8", "surrogateescape")


def test_what_says_the_process_ran_out_of_memory():
    assert short_of_memory(MemoryError())
    for e in (ImportError("libopenblas.so: failed to map segment from shared object"),
              OSError("Cannot allocate memory"), ImportError("Cannot allocate memory")):
        assert short_of_memory(e), e
    assert not short_of_memory(ValueError("failed to map segment"))  # a file's own error that says so is the file's
    assert not short_of_memory(OSError("broken data stream"))


def test_a_latin1_name_is_shown_with_its_bytes_and_an_unpaired_escape_as_itself():
    assert not is_text(LATIN1) and is_text("résumé.png")
    assert as_text(LATIN1) == "r\\xe9sum\\xe9.png" and as_text("résumé.png") == "résumé.png"
    assert as_text("a\udcff\ud800.png") == "a\\udcff\\ud800.png"  # \ud800 stands for no byte


def test_texts_gives_exact_bytes_beside_names_and_lists_of_them_and_none_for_names_that_are_text():
    exact = base64.b64encode(b"r\xe9sum\xe9.png").decode("ascii")
    out = texts({"file": LATIN1, "copies": (("a.png", LATIN1),), LATIN1: 1, "n": 3})
    assert out == {"file": "r\\xe9sum\\xe9.png", "file_bytes": exact, "copies": [["a.png", "r\\xe9sum\\xe9.png"]],
                   "copies_bytes": [[None, exact]], "r\\xe9sum\\xe9.png": 1, "n": 3}
    assert texts({"file": "a.png", "files": ["a.png"]}) == {"file": "a.png", "files": ["a.png"]}
    assert texts({"file": "a\ud800.png"}) == {"file": "a\\ud800.png"}  # no bytes it stands for: no _bytes field


def test_the_exact_name_is_read_back_only_from_valid_base64():
    record = texts({"file": LATIN1})
    assert exact_name(record) == LATIN1
    assert exact_name({"file": "a.png", "file_bytes": "not base64!"}) == "a.png"
    assert exact_name({"file": "a.png", "file_bytes": "YQ==!"}) == "a.png"  # not read as 'a' past a stray character
    assert exact_name({"file": "a.png", "file_bytes": ["x"]}) == "a.png"
    assert exact_name({"file": "a.png", "file_bytes": base64.b64encode(b"\xff\xfe").decode()}) == "\udcff\udcfe"
