"""A file in a data folder named by its path, never by the folder's name with "'s" glued on.

A physicist's folder was called ``films``: cxr-train said "films's MANIFEST.csv has no source column", which reads
wrong for any name ending in s and is no path to open. Each message now quotes the file's own path
("films/MANIFEST.csv"), as the other messages quote paths."""

from __future__ import annotations

from pathlib import Path

from train.class_folders import half_a_split, split_twins
from train.data import Item
from train.film_sources import attach_sources
from train.synthetic_set import README_START, unfinished_line


def _said(text: str, items: list[Item], name: str = "MANIFEST.csv") -> list[str]:
    Path("films").mkdir(exist_ok=True)
    (Path("films") / name).write_text(text)
    said: list[str] = []
    attach_sources(items, Path("films"), said.append)
    assert said and not any("films's" in s or "'s MANIFEST" in s for s in said), said
    return said


def test_manifest_messages_name_the_file_by_its_path(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    said = _said("file,label,origin\nCOVID/a.png,COVID,x\n", [Item("COVID/a.png", "COVID")])
    assert said[0].startswith("note: films/MANIFEST.csv has no source column (source or source_repo; its columns: ")
    said = _said("file,source\nCOVID/a.png,x\nCOVID/gone.png,y\n", [Item("COVID/a.png", "COVID")])
    assert any(s.startswith("warning: 1 row of films/MANIFEST.csv names no film found there") for s in said), said
    said = _said("file,source\nCOVID/a.png,x\nCOVID/a.png,y\n", [Item("COVID/a.png", "COVID")])
    assert any("two or more rows in films/MANIFEST.csv that disagree" in s for s in said), said


def test_a_manifest_named_in_another_case_is_named_as_it_is(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    said = _said("file,label\nCOVID/a.png,COVID\n", [Item("COVID/a.png", "COVID")], name="manifest.csv")
    assert said[0].startswith("note: films/manifest.csv has no source column"), said


def test_split_folders_and_an_unfinished_set_are_named_by_their_paths(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for d in ("films/train/A", "films/test/A", "films/val/A", "films/validation/A"):
        Path(d).mkdir(parents=True)
    assert split_twins(Path("films")).startswith("films: its folders val/ and validation/ both name the validation split")
    Path("half/train/A").mkdir(parents=True)
    Path("half/val/A").mkdir(parents=True)
    assert half_a_split(Path("half")).startswith("half: its folders train, val look like a split given in folders")
    Path("films/README.md").write_text(f"{README_START}\nINCOMPLETE: stopped\n")
    assert unfinished_line("films").startswith("films/README.md says cxr-synth did not finish writing it")
