"""What edge-classify writes: file names with a newline or tab in the text format, the fields of
--json and --csv (atypical null for a file without an input check, the rule column, map_error),
the --json help that lists them, and standard output that cannot be written. Real tiny model
(tests/conftest.py's tiny_run), a fresh edge-classify process per case."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from edge import metadata as md
from edge.output import shown
from tests.test_edge_cli_messages import PREFIX, ROOT, edge_classify, film, films, lines  # noqa: F401 (fixtures)


@pytest.fixture(scope="module")
def foreign(model, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("foreign") / "foreign.tflite"
    path.write_bytes(md.read(model)[0])  # a valid .tflite without cxr-edge metadata: no input check
    return path


# ---- 2. file names that would split the text format's line or columns ------------------------


def test_shown_quotes_only_names_that_need_it():
    assert shown("scans/a b.png") == "scans/a b.png"
    assert shown("nl\nname.png") == '"nl\\nname.png"' and json.loads(shown("nl\nname.png")) == "nl\nname.png"
    assert json.loads(shown('"quoted".png')) == '"quoted".png'
    assert json.loads(shown("del\x7f\x85.png")) == "del\x7f\x85.png" and "\x85" not in shown("del\x7f\x85.png")
    for odd in ("ls\u2028sep.png", "para\u2029.png", "gpj.\u202eexe.png", "\u2067isolate.png"):  # splitlines(); bidi
        assert json.loads(shown(odd)) == odd and len(shown(odd).splitlines()) == 1
        assert not any(ch in shown(odd) for ch in "\u2028\u2029\u202e\u2067")
    assert shown("中文 é.png") == "中文 é.png"


def test_text_format_escapes_newlines_and_tabs_in_file_names(model, film, tmp_path):
    names = ["nl\nname.png", "tab\tname.png", '"quoted.png', "plain.png"]
    for name in names:
        shutil.copyfile(film, tmp_path / name)
    p = edge_classify(*(tmp_path / n for n in names), tmp_path / "gone\nmissing.png", "--model", model)
    assert p.returncode == 1
    rows = [ln.split("\t") for ln in p.stdout.splitlines()]
    assert len(rows) == len(names) and all(len(r) == 3 for r in rows), p.stdout
    assert [json.loads(f) if f.startswith('"') else f for f, _, _ in rows] == [str(tmp_path / n) for n in names]
    assert f'{PREFIX}"{tmp_path}/gone\\nmissing.png": no such file or folder' in p.stderr.splitlines()


# ---- 6. the fields of --json and --csv -----------------------------------------------------------


def test_json_rows_of_a_file_without_input_check_say_atypical_null(foreign, film):
    p = edge_classify(film, "--json", "--labels", "A,B", "--model", foreign)
    assert p.returncode == 0, p.stderr
    rec = json.loads(p.stdout)
    assert "atypical" in rec and rec["atypical"] is None
    c = edge_classify(film, "--csv", "--labels", "A,B", "--model", foreign)
    assert list(csv.DictReader(io.StringIO(c.stdout)))[0]["atypical"] == ""  # empty: not checked, as JSON's null


@pytest.mark.parametrize("flags, rule", [(("--threshold", "COVID=0.3"), "COVID>=0.3"), ((), "")])
def test_csv_has_a_rule_column_when_a_rule_chose_the_label(model, film, flags, rule):
    p = edge_classify(film, film.parent / "missing.png", "--csv", *flags, "--model", model)
    rows = list(csv.DictReader(io.StringIO(p.stdout)))
    assert {r["file"]: r["rule"] for r in rows} == {str(film): rule, str(film.parent / "missing.png"): ""}, p.stdout
    header = p.stdout.splitlines()[0].split(",")
    assert header[-5:] == ["error", "rule", "header_says", "model_sha256", "synthetic"]  # each added at the end: readers by position keep working


def test_csv_cells_a_spreadsheet_would_run_start_with_an_apostrophe(model, film, tmp_path):
    """Bare names (ls | edge-classify --csv -) went out as =HYPERLINK(...) and -2+3.png cells, which a
    spreadsheet runs; the reports' CSVs were guarded, the answers log most opened in one was not."""
    names = ['=HYPERLINK("x")a.png', "-2+3.png", "@sum.png", "plain.png"]
    for name in names:
        shutil.copyfile(film, tmp_path / name)
    p = subprocess.run([sys.executable, "-m", "edge.cli", "--csv", "--model", str(model), "--", *names, "+gone.png"],
                       cwd=tmp_path, capture_output=True, text=True, timeout=120,
                       env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert p.returncode == 1, p.stderr
    rows = list(csv.DictReader(io.StringIO(p.stdout)))
    by_file = {r["file"]: r for r in rows}
    assert sorted(by_file) == sorted(["'" + names[0], "'-2+3.png", "'@sum.png", "plain.png", "'+gone.png"])
    assert by_file["'+gone.png"]["error"] and all(by_file[f]["label"] in ("COVID", "Normal") for f in by_file
                                                  if f != "'+gone.png")


def test_json_help_lists_every_field_it_may_print(model):
    p = subprocess.run([sys.executable, "-m", "edge.cli", "--help"], cwd=ROOT, capture_output=True, text=True,
                       timeout=60)
    json_help = re.search(r"\n\s*--json\s(.*?)\n\s*--csv\s", p.stdout, re.S).group(1)  # however it is wrapped
    for field in ("atypical", "rule", "top_k", "map", "evidence_at_border", "map_error", "error", "time", "written",
                  "file_bytes", "frames"):
        assert field in re.findall(r"\w+", json_help), (field, json_help)
    help_text = " ".join(p.stdout.split())  # a refusal's atypical, --csv's time column and -k, -k under a rule
    assert "atypical: true for a film refused by --refuse-atypical" in help_text
    assert "then with --watch time, then header_says (why a DICOM film's header flagged it, else empty); one label a " \
           "row: -k is ignored" in help_text
    assert "the label, then the K-1 most probable other classes" in help_text


@pytest.mark.parametrize("fmt", ["--json", "--csv"])
def test_a_map_that_cannot_be_written_is_a_field_of_its_row(model, film, tmp_path, fmt):
    import resource

    maps = tmp_path / "maps"
    maps.mkdir()

    def no_room() -> None:  # a map of a few KB does not fit: its write fails, as on a full disk
        resource.setrlimit(resource.RLIMIT_FSIZE, (200, resource.RLIM_INFINITY))

    p = subprocess.run([*map(str, (sys.executable, "-m", "edge.cli", film, "--explain", maps, fmt, "--model", model))],
                       cwd=ROOT, capture_output=True, text=True, timeout=120, preexec_fn=no_room)
    assert p.returncode == 1, p.stderr
    rec = json.loads(p.stdout) if fmt == "--json" else list(csv.DictReader(io.StringIO(p.stdout)))[0]
    assert rec["label"] and rec["map_error"].startswith("no map written ("), rec
    assert not rec.get("map")


def test_info_names_a_model_file_whose_name_is_not_utf8_as_text(model, tmp_path):
    """--info wrote the name as a lone surrogate escape, which jq reads as U+FFFD."""
    named = tmp_path / os.fsdecode(b"mod\xe8le.tflite")
    shutil.copy(model, named)
    p = subprocess.run([sys.executable, "-m", "edge.cli", "--info", "--model", named], cwd=ROOT, capture_output=True,
                       timeout=120)
    assert p.returncode == 0, p.stderr
    facts = json.loads(p.stdout.decode("utf-8"))  # strict: valid UTF-8, no lone surrogate
    assert facts["file"].endswith("mod\\xe8le.tflite") and r"\udce8" not in p.stdout.decode("utf-8")
    assert os.fsencode(named) == __import__("base64").b64decode(facts["file_bytes"])


def test_a_file_without_an_input_check_says_so_once(model, film, tmp_path):
    """A file made before 0.4.0 labelled noise 'COVID 0.50' with no warning, and nothing said that none could come."""
    old = tmp_path / "old.tflite"
    old.write_bytes(md.rewrite(model.read_bytes(), lambda meta: {
        **{k: v for k, v in meta.items() if k not in ("typicality", "validation")}, "created_by": "cxr-edge 0.3.0"}))
    shutil.copyfile(film, tmp_path / "copy.png")  # two films (one named twice is answered once)
    p = edge_classify(film, tmp_path / "copy.png", "--model", old)
    assert p.returncode == 0 and len(p.stdout.splitlines()) == 2, p.stderr
    assert lines(p.stderr, "note").count(f"{PREFIX}note: {old} carries no input check: images unlike the training films "
                                         "(not a chest film, inverted, a scanned form) get a label without a warning, "
                                         "unless a DICOM film's header says it is no frontal chest film (made before cxr-edge 0.4.0: convert it again to add one)") == 1
    assert "carries no input check" not in edge_classify(film, "--model", model).stderr
    # a file of today's cxr-convert whose run had too few training films for one: converting again adds none
    small = tmp_path / "small.tflite"
    small.write_bytes(md.rewrite(model.read_bytes(), lambda meta: {k: v for k, v in meta.items() if k != "typicality"}))
    assert "(its run had too few training films to fit one when it was converted: train on more films for one)" in (
        edge_classify(film, "--model", small).stderr)
    # a pre-0.4.0 file whose figures cxr-convert --report-only stamped again: still made before 0.4.0
    restamped = tmp_path / "restamped.tflite"
    restamped.write_bytes(md.rewrite(old.read_bytes(), lambda meta: {**meta, "validation": {
        **md.read(model)[1]["validation"], "scored_by": "cxr-edge 0.27.0 (cxr-convert)"}}))
    assert "(made before cxr-edge 0.4.0: convert it again to add one)" in edge_classify(film, "--model", restamped).stderr


# ---- 5. standard output that cannot be written -----------------------------------------------


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="no /dev/full here")
@pytest.mark.parametrize("args", [("--json",), ("--info",), ()])
def test_standard_output_on_a_full_device_is_said_in_words(model, film, args):
    with open("/dev/full", "w") as full:
        films = [] if "--info" in args else [str(film)]  # --info classifies nothing: a film with it is refused
        p = subprocess.run([sys.executable, "-m", "edge.cli", *films, *args, "--model", str(model)], cwd=ROOT,
                           stdout=full, stderr=subprocess.PIPE, text=True, timeout=120)
    assert p.returncode == 2
    way = f": free some space on its disk (or send the answers to another log), then give edge-classify {film} again"
    assert lines(p.stderr, "error") == [f"{PREFIX}error: cannot write the answers to standard output: "
                                        f"no space left on device{way if films else ''}"], p.stderr


def test_the_csv_rule_reads_as_the_stderr_note_does():
    from edge.output import rule_text

    assert rule_text((0, 0.6436387896537781), ["COVID", "Normal"]) == "COVID>=0.643638789"
    assert rule_text((1, 0.3), ["COVID", "Normal"]) == "Normal>=0.3" and rule_text(None, ["COVID"]) == ""
    assert rule_text((1, 0.29), ["COVID", "Normal"]) == "Normal>=0.29"  # 0.289999999 scaled, read as typed


def test_a_csv_rows_rule_applied_to_its_own_columns_gives_its_label(capsys):
    """A stored threshold is a film's own probability (0.38763344). Printed to 4 digits, 0.3876, a
    film at 0.38762 (Normal: below it) read 'COVID>=0.3876' beside p_COVID 0.3876 in its own row."""
    import numpy as np

    from edge.batch import Result
    from edge.output import writer_for

    rule = (0, float(np.float32(0.38763344)))
    write = writer_for(["COVID", "Normal"], 1, "csv", threshold=rule)
    for p in (0.38762, float(np.float32(0.38763344)), 0.3876, 0.38770):
        write(Result(f"{p}.png", np.array([p, 1 - p], dtype=np.float32)))
    header, *rows = list(csv.reader(capsys.readouterr().out.splitlines()))
    for row in map(dict, (zip(header, r) for r in rows)):
        cls, t = row["rule"].split(">=")
        assert row["label"] == ("COVID" if float(row["p_COVID"]) >= float(t) else "Normal"), row
    assert [r[1] for r in rows] == ["Normal", "COVID", "Normal", "COVID"]


def test_a_csv_rows_probabilities_are_the_numbers_json_gives_for_the_same_film(capsys):
    """--csv wrote 4 decimals (0.5104 where --json, report.json and predictions.csv gave 0.510363) and a rare
    class's 2.65e-10 as 0.000001: a script joining a device's --csv log with a report by probability found no
    match, and one summing rare-class probabilities was 3,800 times off (hunt 59)."""
    import numpy as np

    from edge.batch import Result
    from edge.output import writer_for

    films = [Result("a.png", np.array([0.5103634, 0.4896366])), Result("b.png", np.array([2.65e-10, 1 - 2.65e-10])),
             Result("c.png", np.array([0.2999999, 0.7000001]))]
    for rule in (None, (0, 0.3)):
        for fmt in ("csv", "json"):
            write = writer_for(["COVID", "Normal"], 1, fmt, threshold=rule)
            for r in films:
                write(r)
        lines = capsys.readouterr().out.splitlines()
        header, *rows = list(csv.reader(lines[:4]))
        for row, rec in zip(map(dict, (zip(header, r) for r in rows)), map(json.loads, lines[4:]), strict=True):
            assert [float(row["p_COVID"]), float(row["p_Normal"])] == list(rec["probabilities"].values()), (row, rec)
            assert float(row["probability"]) == rec["probability"] and row["label"] == rec["label"]
        assert rows[0][3] == "0.510363" and rows[1][3] == "2.65e-10"


def test_csv_rows_end_in_one_newline_so_windows_text_mode_makes_no_blank_rows(model, film, tmp_path):
    shutil.copyfile(film, tmp_path / "copy.png")
    raw = subprocess.run([sys.executable, "-m", "edge.cli", str(film), str(tmp_path / "copy.png"), "--csv", "--model", str(model)],
                         cwd=ROOT, capture_output=True, timeout=120).stdout
    assert raw.count(b"\n") == 3 and b"\r" not in raw  # header and two rows; Windows' stdout adds the \r itself


def test_explain_maps_of_names_that_differ_only_in_case_do_not_overwrite_each_other(model, film, tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    shutil.copy(film, tmp_path / "a" / "Film.png")
    shutil.copy(film, tmp_path / "b" / "film.png")
    maps = tmp_path / "maps"
    p = edge_classify(tmp_path / "a" / "Film.png", tmp_path / "b" / "film.png", "--json", "--explain", maps, "--model", model)
    names = [Path(json.loads(line)["map"]).name for line in p.stdout.splitlines()]
    assert names == ["Film.png", "film-2.png"], p.stdout  # one file on Windows and macOS file systems otherwise
    # a second day's batch: day one's maps, which its answers name, and the user's own file are kept
    (maps / "notes.png").write_text("my notes")
    before = (maps / "Film.png").read_bytes()
    (tmp_path / "c").mkdir()
    shutil.copy(film, tmp_path / "c" / "FILM.png")
    p = edge_classify(tmp_path / "b" / "film.png", tmp_path / "a" / "Film.png", tmp_path / "c" / "FILM.png",
                      "--json", "--explain", maps, "--model", model)
    names = [Path(json.loads(line)["map"]).name for line in p.stdout.splitlines()]
    assert p.returncode == 0 and names == ["film-3.png", "Film-4.png", "FILM-5.png"], p.stdout
    assert (maps / "Film.png").read_bytes() == before and (maps / "notes.png").read_text() == "my notes"
    assert "holds 3 files already: they are kept, and a map whose name is taken gets -2, -3" in p.stderr
    assert f"edge-classify: 3 maps of where the model found its evidence in {maps}" in p.stderr
    # one of each: '1 file(s) already: they are kept' and '1 map(s)' were said
    (tmp_path / "maps1").mkdir()
    (tmp_path / "maps1" / "notes.png").write_text("my notes")
    p = edge_classify(tmp_path / "c" / "FILM.png", "--explain", tmp_path / "maps1", "--model", model)
    assert p.returncode == 0, p.stderr
    assert "holds 1 file already: it is kept, and a map whose name is taken gets -2, -3" in p.stderr
    assert f"edge-classify: 1 map of where the model found its evidence in {tmp_path / 'maps1'}" in p.stderr


def test_a_name_the_output_encoding_cannot_hold_is_escaped_not_the_end_of_the_batch(model, film, tmp_path):
    odd = tmp_path / "x≥1 Łódź.png"  # neither character is in code page 1252
    shutil.copy(film, odd)
    env = {**os.environ, "PYTHONIOENCODING": "cp1252"}
    p = subprocess.run([sys.executable, "-m", "edge.cli", str(odd), str(film), "--model", str(model)], cwd=ROOT,
                       capture_output=True, timeout=120, env=env)
    out = p.stdout.decode("cp1252")
    assert p.returncode == 0, p.stderr
    assert "x\\u22651 \\u0141ód\\u017a.png" in out and str(film) in out  # both answered; ó is in cp1252


def test_csv_answers_are_utf8_whatever_the_output_encoding(model, film, tmp_path):
    """Under a latin-1 output encoding --csv wrote café in latin-1 and 中文 as \\u4e2d\\u6587: README promises UTF-8,
    and the names no longer led back to their files."""
    for name in ("café.png", "中文.png"):
        shutil.copy(film, tmp_path / name)
    p = subprocess.run([sys.executable, "-m", "edge.cli", str(tmp_path), "--csv", "--model", str(model)], cwd=ROOT,
                       capture_output=True, timeout=120, env={**os.environ, "PYTHONIOENCODING": "latin-1"})
    assert p.returncode == 0, p.stderr
    names = [line.split(",")[0] for line in p.stdout.decode("utf-8").splitlines()[1:]]
    assert names == [str(tmp_path / "café.png"), str(tmp_path / "中文.png")]


def test_explain_never_writes_its_maps_among_the_films(model, film, tmp_path):
    """A map is named after its film: written into the film's own folder it replaced the film
    (NAME.png over NAME.png), and under --watch each map came back as a film, without end."""
    scans = tmp_path / "scans"
    (scans / "day1").mkdir(parents=True)
    shutil.copy(film, scans / "day1" / "film.png")
    before = (scans / "day1" / "film.png").read_bytes()
    for args in ([scans / "day1"], [scans / "day1" / "film.png"], [scans, "--recursive", "--explain", scans / "maps"]):
        explain = [] if "--explain" in args else ["--explain", scans / "day1"]
        p = edge_classify(*args, *explain, "--model", model)
        assert p.returncode == 2 and "the folder of the films to map" in p.stderr and p.stdout == "", p.stderr
    p = edge_classify("-", "--explain", scans / "day1", "--json", "--model", model, stdin=f"{scans / 'day1' / 'film.png'}\n")
    answer = json.loads(p.stdout)
    assert answer["label"] and "this film's own folder" in answer["map_error"] and p.returncode == 1
    assert (scans / "day1" / "film.png").read_bytes() == before and sorted(os.listdir(scans / "day1")) == ["film.png"]
    assert edge_classify(scans, "--recursive", "--explain", tmp_path / "maps", "--model", model).returncode == 0


def test_csv_keeps_a_file_name_with_a_line_break_on_one_row(model, film, tmp_path):
    from edge.controls import escaped

    names = ["cr\rname.png", "nl\nname.png", "plain.png"]
    for name in names:
        shutil.copyfile(film, tmp_path / name)
    raw = subprocess.run([sys.executable, "-m", "edge.cli", *(str(tmp_path / n) for n in names), "--csv", "--model",
                          str(model)], cwd=ROOT, capture_output=True, timeout=120).stdout
    rows = list(csv.reader(io.StringIO(raw.decode(), newline="")))
    # one row each, as a spreadsheet reads it; the line breaks written as \u000d, \u000a (edge.controls.escaped)
    assert [r[0] for r in rows[1:]] == [escaped(str(tmp_path / n)) for n in names], raw
    assert raw.count(b"\n") == 1 + len(names)  # the header and the rows


def test_threads_also_bound_the_films_decoded_at_once(model, film, monkeypatch):
    """Decoding always took up to 4 threads: six 7000x7000 16-bit films peaked at 499 MB with
    --threads 1, and a 512 MB board (Zero 2 W) is among the supported ones."""
    from typer.testing import CliRunner

    from edge import answering, batch, cli

    used: list[int | None] = []
    real = batch.classify_files

    def spy(m, paths, workers=None, **kw):
        used.append(workers)
        return real(m, paths, workers, **kw)
    monkeypatch.setattr(answering, "classify_files", spy)
    r = CliRunner().invoke(cli.app, [str(film), "--threads", "1", "--model", str(model)])
    assert r.exit_code == 0 and used == [1], r.output
    r = CliRunner().invoke(cli.app, [str(film), "--model", str(model)])
    assert r.exit_code == 0 and used == [1, None]  # the default: up to 4, as many as the cores


@pytest.mark.parametrize("raised, said", [
    (MemoryError(), "no map written (out of memory)"),
    (KeyError("heatmap"), "no map written (KeyError: 'heatmap')"),
    (OSError(28, "No space left on device", "maps/film.png"), "no map written (maps/film.png: No space left on device)")])
def test_a_map_not_written_keeps_its_cause(model, film, tmp_path, monkeypatch, raised, said):
    """'no map written ()' for a MemoryError, '('heatmap')' for a KeyError, Python's '[Errno 28] ...' for a full
    disk: the cause of a missing map was lost or raw; memory, the type or the OSError in words as elsewhere."""
    from typer.testing import CliRunner

    from edge import cli, explain

    def failing(*args, **kwargs):
        raise raised

    monkeypatch.setattr(explain, "explain_file", failing)
    r = CliRunner().invoke(cli.app, [str(film), "--json", "--explain", str(tmp_path / "maps"), "--model", str(model)])
    assert r.exit_code == 1 and json.loads(r.stdout)["map_error"] == said, r.output
    assert f"{shown(str(film))}: {said}" in r.stderr


def test_csv_answers_escape_control_characters_in_film_names(capsys):
    """edge-classify --csv printed a film named 'x\\e]0;pwned\\a.png' raw to the terminal: the terminal's title was
    set, ESC[2J cleared the screen and U+202E reversed the row, where the text answers and --json escape them."""
    import numpy as np

    from edge.batch import Result
    from edge.controls import CONTROL
    from edge.output import writer_for

    name = "ev/x\x1b]0;pwned\x07\x1b[2J\u202eevil.png"
    write = writer_for(["COVID", "Normal"], 1, "csv")
    write(Result(name, np.array([0.25, 0.75])))
    write(Result(name, np.array([0.5, 0.5]), error="not a readable image"))
    out = capsys.readouterr().out
    assert not CONTROL.search(out.replace("\n", "")), repr(out)
    rows = list(csv.reader(out.splitlines()))
    assert [r[0] for r in rows[1:]] == ["ev/x\\u001b]0;pwned\\u0007\\u001b[2J\\u202eevil.png"] * 2, rows
    assert rows[1][1:5] == ["Normal", "0.75", "0.25", "0.75"], rows


def test_csv_answers_quote_a_name_with_a_semicolon(capsys):
    """edge-classify --csv wrote 'semi/x;=1+1;.png' unquoted: opened in a semicolon-locale Excel, '=1+1' was a cell
    of its own, a formula the apostrophe guard never saw. The probabilities stay unquoted numbers."""
    import numpy as np

    from edge.batch import Result
    from edge.output import writer_for

    writer_for(["COVID", "Normal"], 1, "csv")(Result("semi/x;=1+1;.png", np.array([0.25, 0.75])))
    assert capsys.readouterr().out.splitlines()[1].startswith('"semi/x;=1+1;.png",Normal,0.75,0.25,0.75,')


def test_a_probability_short_of_one_is_never_printed_as_one(capsys):
    """p = 0.999992 printed '1.0000' (and its other class '0.0000'): a certainty the model did not give."""
    import numpy as np

    from edge.batch import Result
    from edge.output import writer_for

    r = Result("a.png", np.array([0.999992, 0.000008], dtype=np.float64))
    for fmt in ("text", "csv", "json"):
        writer_for(["COVID", "Normal"], 2, fmt)(r)
    text, _, row, json_line = capsys.readouterr().out.splitlines()
    assert text.split("\t")[1:] == ["COVID", "0.99999", "Normal", "0.00001"], text
    assert row.split(",")[1:5] == ["COVID", "0.999992", "0.999992", "8e-06"], row  # as JSON gives them
    assert json.loads(json_line)["probability"] == 0.999992
    writer_for(["COVID", "Normal"], 1, "text", width=6)(Result("b.png", np.array([0.5, 0.5])))
    assert capsys.readouterr().out.split()[-1] == "0.5000"


def test_terminal_columns_line_up_with_wide_and_decomposed_names(capsys):
    """A Chinese label (two columns a letter) pushed its row's probability right of the others'."""
    import numpy as np

    from edge.batch import Result
    from edge.output import writer_for
    from edge.text_width import shown_width

    names = ["肺炎片.png", "Lunge\u0301.png", "plain.png"]
    write = writer_for(["肺炎", "Normal"], 2, "text", width=max(map(shown_width, names)))
    for name, p in zip(names, ([0.7, 0.3], [0.2, 0.8], [0.6, 0.4])):
        write(Result(name, np.array(p)))
    lines = capsys.readouterr().out.splitlines()
    # the second class column starts at the same terminal column on every line
    starts = {shown_width(line[:line.index("  ", line.index("0."))]) for line in lines}
    assert len(starts) == 1, lines


def test_refuse_atypical_gives_a_flagged_film_an_error_not_a_label(tmp_path):
    """--refuse-atypical: a film the input check flags gets the 'refused' error line and exit 1; ignored, the
    film was labelled and the exit code said all went well. A handmade model of seconds, not the tiny run."""
    from tests.test_json_probabilities import calibrated_model

    model, noise = calibrated_model(tmp_path)
    p = edge_classify(noise, "--json", "--model", model)
    assert p.returncode == 0 and json.loads(p.stdout)["atypical"] is True and json.loads(p.stdout)["label"] == "COVID"
    p = edge_classify(noise, "--json", "--refuse-atypical", "--model", model)
    assert p.returncode == 1
    assert _unnamed(json.loads(p.stdout)) == {"file": str(noise), "atypical": True, "error": "refused: less typical than 99% of "
                                    "the films this model was checked against (input check)"}
    assert lines(p.stderr, "error") == []  # the refusal is the film's answer line, not an error of the run


# ---- 5. the runtime from Python, as docs/commands.md shows it ----------------------------------


def test_the_python_example_in_the_docs_runs_and_answers_as_edge_classify(model, film, tmp_path):
    """docs/commands.md's 'From Python' example is what a program on the device copies: run as written (its file
    names swapped for the tiny model, a film and a broken one), it must give edge-classify --json's label and
    probabilities, and go on past the broken film."""
    import contextlib

    text = (ROOT / "docs" / "commands.md").read_text(encoding="utf-8")
    code = re.search(r"### From Python\n.*?```python\n(.*?)```", text, re.S).group(1)
    broken = tmp_path / "xray2.png"
    broken.write_bytes(b"not an image")
    code = code.replace('"model_int8.tflite"', repr(str(model))).replace(
        '["xray1.png", "xray2.dcm"]', repr([str(film), str(broken)]))
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code, "commands.md", "exec"), {})
    answered, failed = out.getvalue().splitlines()
    want = json.loads(edge_classify("--model", model, "--json", film).stdout)
    assert answered.startswith(f"{film} {want['label']} ") and str(want["probabilities"]) in answered, (answered, want)
    assert failed.startswith(f"{broken} error: ")


def test_a_synthetic_models_json_answers_say_so_and_a_real_models_do_not(model, film, tmp_path):
    """A log line of the demo model, '{"label": "COVID", "probability": 1.0, ...}', could be told from a real model's
    only by its model_sha256 (hunt 58)."""
    p = edge_classify(film, "--json", "--model", model)  # the tiny run: trained on the synthetic set
    assert p.returncode == 0, p.stderr
    assert json.loads(p.stdout)["synthetic"] is True
    real = tmp_path / "real.tflite"
    real.write_bytes(md.rewrite(model.read_bytes(), lambda m: {**m, "synthetic_data": False}))
    p = edge_classify(film, "--json", "--model", real)
    assert p.returncode == 0, p.stderr
    assert "synthetic" not in json.loads(p.stdout)


def test_a_top_k_above_the_models_classes_gives_them_all_as_its_help_says(model, film):
    """`-k 5` on a 4-class model quietly printed 4 pairs (hunt 59, nits): the help says a K above the model's classes
    gives them all, and that is what is printed."""
    from typer.testing import CliRunner

    from edge import cli

    assert "K above the model's classes: all of them" in " ".join(CliRunner().invoke(cli.app, ["--help"]).output.split())
    r = CliRunner().invoke(cli.app, [str(film), "-k", "5", "--model", str(model)])
    answer = [ln for ln in r.output.splitlines() if ln.startswith(str(film))]
    assert r.exit_code == 0 and len(answer) == 1 and len(answer[0].split("\t")) == 1 + 2 * 2, r.output  # both classes


def test_a_film_its_dicom_header_refuses_is_refused_undecoded(tmp_path):
    """Under --refuse-atypical the header was read only after the pixels decoded: a CT the device had no codec for
    was answered 'cannot decode ... pip install', not refused for what it is, and a 4096² mammogram was decoded in
    full to be refused (hunt 59 flagged, F1). Refused by its header first; without --refuse-atypical the decode's
    own error stands."""
    pytest.importorskip("pydicom", reason="DICOM support is the optional [dicom] extra")
    from pydicom.pixels import get_decoder
    from pydicom.uid import JPEGLSLossless

    from tests.test_dicom import compressed
    from tests.test_json_probabilities import calibrated_model

    if get_decoder(JPEGLSLossless).is_available:
        pytest.skip("a JPEG-LS decoder is installed here: the film would decode")
    model, _ = calibrated_model(tmp_path)
    film = tmp_path / "IM1"
    film.write_bytes(compressed(JPEGLSLossless, [b"\xff\xd8\xff\xf7" + bytes(100)], Modality="CT"))
    why = "the DICOM header says Modality CT: not a radiograph; the model was trained on frontal chest X-rays"
    p = edge_classify(film, "--json", "--refuse-atypical", "--model", model)
    assert p.returncode == 1 and _unnamed(json.loads(p.stdout)) == {"file": str(film), "error": f"refused: {why}",
                                                         "atypical": True, "header_says": why}, p.stdout
    p = edge_classify(film, "--json", "--model", model)
    assert p.returncode == 1 and json.loads(p.stdout)["error"].startswith("cannot decode its compressed pixel data")


def checked_model(tmp_path):
    """A handmade COVID/Normal model of seconds (it says COVID to every film) carrying an input check fitted on
    frontal-chest-like layouts (tests.test_typicality.layout_images) as the device sees them at 32 pixels."""
    import keras
    import numpy as np

    from edge.metadata import attach
    from edge.preprocess import PreprocessConfig, preprocess_gray
    from edge.typicality import fit_typicality
    from tests.test_foreign_models import _tflite
    from tests.test_typicality import layout_images

    config = PreprocessConfig(size=32)
    seen = lambda n, seed: np.stack([preprocess_gray(g[..., 0], config) for g in layout_images(n, seed, 64)])  # noqa: E731
    dense = keras.layers.Dense(2, kernel_initializer="zeros", bias_initializer=keras.initializers.Constant([2.0, -1.0]))
    model = tmp_path / "checked.tflite"
    model.write_bytes(attach(open(_tflite(tmp_path, "plain", dense), "rb").read(), {
        "labels": ["COVID", "Normal"], "preprocess": config.to_dict(), "temperature": 1.0, "output": "logits",
        "typicality": fit_typicality(seen(60, 0), seen(20, 1)).to_dict()}))
    return model


def test_a_dicom_film_whose_header_says_lateral_is_flagged_and_refused_with_or_without_an_input_check(tmp_path):
    """A lateral (or CT, skull, For-Processing) film whose pixels pass the input check got a COVID/Normal answer with
    atypical false, and --refuse-atypical let it through: its header's word was never read. It is flagged as the
    check flags a film, its reason named, and refused under --refuse-atypical, also by a model without an input check
    (which refused --refuse-atypical outright: nothing would have stopped the lateral film). A handmade model of
    seconds, not the tiny run."""
    import numpy as np

    from edge.metadata import attach, read
    from tests.test_dicom import make_dicom, with_header
    from tests.test_typicality import layout_images

    model = checked_model(tmp_path)
    pixels = layout_images(1, 7, 64)[0, :, :, 0].astype(np.uint16) * 16  # another such layout, 12 bits
    films = tmp_path / "films"
    films.mkdir()
    (films / "IM1").write_bytes(with_header(make_dicom(pixels), ViewPosition="PA", BodyPartExamined="CHEST"))
    (films / "IM2").write_bytes(with_header(make_dicom(pixels), ViewPosition="LL", BodyPartExamined="CHEST"))
    lateral = "the DICOM header says ViewPosition LL: a lateral film; the model was trained on frontal films"
    p = edge_classify(films, "--json", "--model", model)
    assert p.returncode == 0, p.stderr
    pa, ll = map(json.loads, p.stdout.splitlines())
    assert pa["atypical"] is False and "header_says" not in pa  # the pixels alone pass the input check
    assert ll["atypical"] is True and ll["header_says"] == lateral and ll["label"] == "COVID"
    p = edge_classify(films, "--model", model)
    assert lines(p.stderr, "warning") == [f"{PREFIX}warning: {films / 'IM2'}: {lateral}; look at it before trusting its label"]
    assert lines(p.stderr, "summary") == [f"{PREFIX}summary: 2 files: 2 COVID, 0 Normal; 1 no frontal chest film by its "
                                          "DICOM header"]
    p = edge_classify(films, "--json", "--refuse-atypical", "--model", model)
    assert p.returncode == 1
    assert _unnamed(json.loads(p.stdout.splitlines()[1])) == {"file": str(films / "IM2"), "error": f"refused: {lateral}",
                                                    "atypical": True, "header_says": lateral}
    # --csv: a header_says column, at the end, so that a CSV reader tells a header's flag from the input check's
    for flags, error in (((), ""), (("--refuse-atypical",), f"refused: {lateral}")):
        p = edge_classify(films, "--csv", *flags, "--model", model)
        rows = list(csv.DictReader(io.StringIO(p.stdout)))
        assert [(r["atypical"], r["header_says"], r["error"]) for r in rows] == [("0", "", ""), ("1", lateral, error)]
        assert p.stdout.splitlines()[0].endswith(",rule,header_says,model_sha256,synthetic")

    flatbuffer, meta, files = read(model)  # the same model without an input check
    unchecked = tmp_path / "unchecked.tflite"
    unchecked.write_bytes(attach(flatbuffer, {k: v for k, v in meta.items() if k != "typicality"}, files))
    p = edge_classify(films, "--json", "--refuse-atypical", "--model", unchecked)
    assert p.returncode == 1, p.stderr
    pa, ll = map(json.loads, p.stdout.splitlines())
    assert pa["atypical"] is None and pa["label"] == "COVID"  # not checked: nothing to say either way
    assert _unnamed(ll) == {"file": str(films / "IM2"), "error": f"refused: {lateral}", "atypical": True, "header_says": lateral}
    # two notes, each saying its own thing once: the file's lack of a check (why, and the DICOM exception), then
    # what --refuse-atypical still refuses (its 'carries no input check (why)' repeated the first note's)
    notes = lines(p.stderr, "note")
    assert sum("unless a DICOM film's header says it is no frontal chest film" in n for n in notes) == 1
    assert f"{PREFIX}note: --refuse-atypical: {unchecked} carries no input check, so it refuses only the DICOM films " \
           "whose header says they are no frontal chest film (another modality or body part, a lateral view, For " \
           "Processing); every other film is labelled unchecked" in notes
    assert sum("carries no input check (" in n for n in notes) == 0


def _unnamed(rec: dict) -> dict:
    """A refusal's record without the model that refused it (model, model_sha256: tests/test_model_named.py's)."""
    assert len(rec.get("model_sha256", "")) == 64, rec
    return {k: v for k, v in rec.items() if k not in ("model", "model_sha256")}
