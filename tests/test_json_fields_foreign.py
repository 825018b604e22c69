"""docs/json-fields.md against edge-classify --info --json of a foreign file (a .tflite cxr-convert did not make, run
with --labels), whose `foreign` and `fed` no other fixture writes. Such a file gives only the keys the page's
paragraph lists, so it is held one way here: every key it writes has a line, and the page's list is what it writes.
The file is tiny_run's int8 model without its metadata."""

from __future__ import annotations

import json
import re

from tests.test_json_fields import DOC, doc_tables, problems

LEVEL = "edge-classify --info"


def test_a_foreign_files_info_writes_documented_keys_and_the_ones_the_page_lists(tiny_run, tmp_path):
    from typer.testing import CliRunner

    from edge import metadata as md
    from edge.cli import app as edge_app

    foreign = tmp_path / "foreign.tflite"
    foreign.write_bytes(md.read(tiny_run / "model_int8.tflite")[0])  # a valid .tflite without cxr-edge metadata
    r = CliRunner().invoke(edge_app, ["--info", "--json", "--model", str(foreign), "--labels", "COVID,Normal"])
    assert r.exit_code == 0, r.output
    info = json.loads(r.stdout)
    text = DOC.read_text(encoding="utf-8")
    table = doc_tables(text)[LEVEL]
    assert [p for p in problems([info], table) if p.startswith("written")] == []
    assert info["foreign"] is True and {"foreign", "fed"} <= set(info)
    listed = text.split(f"### {LEVEL}\n")[1].split("| key |")[0]  # "a foreign file (`--labels`) gives only ..."
    assert set(info) == set(re.findall(r"`([a-z_0-9]+)`", listed.split("gives only")[1]))
