"""Cases of edge.answer_model that hand mutation (session 72) showed no test pinned: a model file's name in the
stderr note is shown as every other message shows a path (a newline in it escaped: the note stays one line), and a
model whose digest is unknown has no watched file (nothing to compare a swap with). Plain objects stand for the
loaded model: only its path, file_stat and digest are read."""

from __future__ import annotations

from types import SimpleNamespace

from edge.answer_model import model_file, model_named
from edge.output import said_name


def test_a_model_path_with_a_newline_stays_one_line_in_the_note():
    path = "/srv/models\nv2/model_int8.tflite"
    named = model_named(SimpleNamespace(path=path), "9f86")
    assert named == f"{said_name(path)} (SHA-256 9f86)"
    assert "\n" not in named


def test_a_model_of_unknown_digest_has_no_watched_file(tmp_path):
    model = tmp_path / "model.tflite"
    model.write_bytes(b"x")
    assert model_file(SimpleNamespace(path=str(model), file_stat=None), None) is None
