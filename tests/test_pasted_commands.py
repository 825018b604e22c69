"""Commands that messages and reports give to paste (next: cxr-convert RUN, run cxr-convert RUN without
--report-only, edge-classify --selftest --model M, edge-classify --model SAVED, convmv ... DATA): each path one
shell word that gives back the exact path. edge.output.said_name's JSON-style quotes are for naming: pasted,
"runs/$x" was runs/ and "runs/it's" the same path only by luck. A path holding a line break cannot be pasted on one
line: the message says it in the said form, on one line, and says to type it by hand."""

from __future__ import annotations

import json
import re
import shlex
import shutil
import subprocess

import pytest

from edge.shell_words import HAND_TYPED, command_text

PASTEABLE = ["my run", "run $HOME `id`", "bob's run"]
NEWLINE = "a\nb"


def _bash_words(command: str) -> list[str] | None:
    """What bash makes of ``command``'s words (printf's argv), or None where there is no bash."""
    if shutil.which("bash") is None:
        return None
    out = subprocess.run(["bash", "-c", "printf '%s\\0' " + command], capture_output=True, check=True).stdout
    return [w.decode("utf-8", "surrogateescape") for w in out.split(b"\0")[:-1]]


def _pasted(command: str, words: list[str]) -> None:
    assert "\n" not in command and HAND_TYPED not in command, command
    assert shlex.split(command) == words, command
    assert _bash_words(command) in (None, words), command


def _typed_by_hand(message: str, path: str) -> None:
    assert "\n" not in message and "\x1b" not in message, message
    assert json.dumps(path, ensure_ascii=False) in message and HAND_TYPED in message, message


@pytest.mark.parametrize("name", [*PASTEABLE, NEWLINE, "esc\x1b[2Jx"])
def test_command_text_quotes_a_path_to_paste_or_says_to_type_it(tmp_path, name):
    path = str(tmp_path / name)
    text = command_text("cxr-convert", path)
    if name in PASTEABLE:
        _pasted(text, ["cxr-convert", path])
    else:
        _typed_by_hand(text, path)
    assert command_text("cxr-convert", "runs/x") == "cxr-convert runs/x"  # a plain path as it was


# one training (about a minute on 2 cores): the newline case of the same command_text is the unit test's above
@pytest.mark.parametrize("name", ["my $run's"])
def test_the_next_command_after_training_pastes_the_run_folder(tmp_path, capsys, name):
    from tests.test_data import write_images
    from train.quiet import load_tensorflow
    from train.run import TrainSettings, run_training

    load_tensorflow()
    write_images(tmp_path / "films" / "COVID", "COVID", 8)
    write_images(tmp_path / "films" / "Normal", "Normal", 8)
    out = tmp_path / name
    run_training(TrainSettings(data=str(tmp_path / "films"), out=out, image_size=32, epochs=1, batch_size=16,
                               teacher_members=0, progress=False))
    last = capsys.readouterr().err.splitlines()[-1]
    hint = re.search(r"; next: (.*)$", last).group(1)
    _pasted(hint, ["cxr-convert", str(out)])


@pytest.mark.parametrize("name", [*PASTEABLE, NEWLINE])
def test_report_only_tells_a_pasteable_cxr_convert_for_a_file_of_another_model(tiny_run, tmp_path, name):
    from convert.run_files import modes_to_score

    run_dir = tmp_path / name
    run_dir.mkdir()
    for f in ("run.json", "model_int8.tflite"):
        shutil.copyfile(tiny_run / f, run_dir / f)
    run = json.loads((run_dir / "run.json").read_text())
    with pytest.raises(ValueError) as e:
        modes_to_score(run_dir, ["int8"], True, {**run, "created": "2020-01-01T00:00:00+00:00"})
    message = str(e.value)
    if name == NEWLINE:
        _typed_by_hand(message, str(run_dir))
    else:
        _pasted(re.search(r": run (cxr-convert .*) without --report-only", message).group(1), ["cxr-convert", str(run_dir)])


@pytest.mark.parametrize("name", [*PASTEABLE, NEWLINE])
def test_the_selftest_command_pastes_the_model_path(tiny_run, tmp_path, name):
    from edge.about import selftest_problem
    from tests.test_selftest_command import _with_probabilities

    path = tmp_path / name / "m.tflite"
    flipped = _with_probabilities(tiny_run, path, lambda p: [0.0, 1.0] if p[0] > p[1] else [1.0, 0.0])
    kind, why = selftest_problem(flipped, path)
    assert kind == "error"
    if name == NEWLINE:
        _typed_by_hand(why, str(path))
    else:
        _pasted(re.search(r"`(edge-classify .*)` gives the figures", why).group(1), ["edge-classify", "--selftest", "--model", str(path)])


@pytest.mark.parametrize("name", [*PASTEABLE, NEWLINE])
def test_the_report_s_saved_model_command_pastes_its_path(tmp_path, name):
    from convert.rule_sections import where_to_store

    saved = str(tmp_path / name / "site.tflite")
    (line,) = where_to_store({"decision": {}}, saved)
    if name == NEWLINE:
        _typed_by_hand(line, saved)
    else:  # in md_code's fence
        _pasted(re.search(r"with this rule: (`+) ?(.*?) ?\1 applies", line).group(2), ["edge-classify", "--model", saved])


@pytest.mark.parametrize("name", [*PASTEABLE, NEWLINE])
def test_the_convmv_hint_pastes_the_data_folder(tmp_path, name):
    from train.class_choice import not_text_error

    data = str(tmp_path / name)
    message = not_text_error("Unauff\udce4llig", data)
    if name == NEWLINE:
        _typed_by_hand(message, data)
    else:
        _pasted(message.split("e.g. ")[1], ["convmv", "-f", "latin1", "-t", "utf8", "-r", "--notest", data])
