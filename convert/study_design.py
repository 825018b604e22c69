"""Internal or external validation: do the scored films come from the sources the model learnt from?

Figures on films from the archives a model was trained on (a random split of one collection, or a
site's films scored by the model trained on them) show how well it fits those archives. At a
hospital it never saw they are usually lower, often much lower: COVID X-ray classifiers learn the
hospital as readily as the disease (DeGrave et al. 2021), and external validation is what most
published models lacked (Roberts et al. 2021). A reader must be told which kind a report is, in
words, beside the figures. The sources are the names MANIFEST.csv (or the Kaggle metadata, or an
--add-data folder) gave each film; a model file carries its training films' sources from cxr-edge
0.23 on, a model.keras has its run's split.json.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from convert.report_text import md_cell, md_code
from edge import metadata as md
from edge.figures import counted
from train.data import Split
from train.patients import text_key

LEARNT_FROM = ("train", "val")  # the films that fitted the weights, chose the epoch and the temperature
MAX_SOURCES = 200  # kept in a model file; the Kaggle set's metadata names a few dozen
SHOWN = 5


def training_sources(split: Split) -> dict:
    """{films, unnamed, sources: {name: films} (most first), more}: the sources of the training and
    validation films, for the model file's metadata and the reports."""
    counts = Counter(i.source for part in LEARNT_FROM for i in split.parts.get(part, []))
    named = [(s, n) for s, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])) if s]
    return {"films": sum(counts.values()), "unnamed": counts.get("", 0),
            "sources": dict(named[:MAX_SOURCES]), "more": max(0, len(named) - MAX_SOURCES)}


def trained_sources(model: Path) -> dict | None:
    """What a model tells of its training films' sources: its .tflite metadata, else the
    split.json beside it; None where neither does (a file of cxr-edge 0.22 or older, or foreign)."""
    if Path(model).suffix == ".tflite":
        try:
            _, meta, _ = md.read(model)
        except (md.ModelFileError, OSError):
            meta = None
        if meta and isinstance(meta.get("trained_sources"), dict):
            return meta["trained_sources"]
    path = Path(model).parent / "split.json"
    if path.is_file():
        try:
            return training_sources(Split.load(path))
        except (OSError, ValueError, KeyError, TypeError):
            return None
    return None


def _names(sources: dict[str, int], unit: str, shown: int = SHOWN, more: int = 0) -> str:
    """'a (12 films), b (3 films) and 2 more', the most films first (a model file's metadata is
    written with its keys sorted, so the order it was stored in does not survive)."""
    ranked = sorted(sources.items(), key=lambda kv: (-kv[1], kv[0]))
    count = (lambda n: counted(n, "film")) if unit == "films" else (lambda n: f"{n} {unit}")  # noqa: E731 "(1 films)"
    parts = [f"{md_cell(s)} ({count(n)})" for s, n in ranked[:shown]]  # a MANIFEST's value: text, never Markdown
    rest = len(sources) - shown + more
    return ", ".join(parts) + (f" and {rest} more" if rest > 0 else "")


def evaluation_design(trained: dict | None, sources: list[str], seen_films: int = 0) -> dict:
    """Which kind of validation scoring films of these ``sources`` (one per film, '' for none) is,
    for a model whose training sources are ``trained`` (:func:`trained_sources`); ``seen_films``:
    films of this set found among its training or validation films (convert.seen), a sign that the
    set is of the same collection whatever its names say.

    kind: internal (every named film is of a training source; or films of the set were learnt from and
    none names a source), external (no film is, by name, and none was learnt from), mixed (some are; or films
    were learnt from, though none named is of a training source), or unknown (no names to compare: a file that
    records no training sources is unknown even with seen films here where they name sources, which its lines
    then say)."""
    films = len(sources)
    named = [s for s in sources if s]
    known = dict((trained or {}).get("sources") or {})
    keys = {text_key(s) for s in known}  # Clínica typed in Excel is the Clínica of a folder copied from a Mac
    shared = Counter(s for s in named if text_key(s) in keys)
    out = {"films": films, "films_named": len(named), "films_from_training_sources": sum(shared.values()),
           "shared_sources": dict(shared.most_common()), "seen_films": int(seen_films),
           "training_sources": trained}
    # films it learnt from are here: the folder overlaps its collection; named films are compared with its
    # sources, which a file of 0.22 or older does not record (unknown, with the films it saw said)
    if seen_films and not shared and (known or not named):
        kind, why = ("mixed" if named else "internal"), "seen"
    elif not known or not named:
        kind, why = "unknown", "no training sources" if not known else "no sources here"
    elif sum(shared.values()) == len(named):
        kind, why = "internal", "sources"
    elif not shared and not seen_films:
        kind, why = "external", "sources"
    else:
        kind, why = "mixed", "sources"
    return {"kind": kind, "reason": why, **out}


UNSEEN_HOSPITAL = ("at a hospital it never saw they are usually lower, often much lower (DeGrave et al. 2021: COVID "
                   "X-ray models learnt the hospital as readily as the disease)")


_SEEN_FIGURES = ("How the others relate to its training films cannot be told; films of its own archives show how "
                 f"well it fits them, and {UNSEEN_HOSPITAL}.")


def design_line(d: dict, foreign: bool = False) -> str:
    """The report's sentence on which kind of validation this is. A ``foreign`` model (no cxr-edge metadata) was
    told it may be one of cxr-edge 0.22 or older, and that a MANIFEST.csv before training would record its sources:
    neither can apply to a file cxr-edge never made."""
    trained = d.get("training_sources") or {}
    listed = _names(trained.get("sources") or {}, "films", more=trained.get("more", 0))
    partly = _unnamed(d)
    if d["kind"] == "internal" and d["reason"] == "seen":
        return (f"**Internal validation:** {_seen(d)} among the model's training or "
                "validation films, so the others most likely come from the same collection. These figures show how "
                f"well it fits those archives; {UNSEEN_HOSPITAL}.")
    if d["kind"] == "internal":
        return (f"**Internal validation:** every film here{partly} comes from a source the model was trained on "
                f"({_names(d['shared_sources'], 'here')}). These figures show how well it fits those archives; "
                f"{UNSEEN_HOSPITAL}. Score films from a hospital it never saw before trusting it there.")
    if d["kind"] == "external":
        return (f"**External validation, by source name:** no film here{partly} comes from a source the model was "
                f"trained on ({listed}). A source named otherwise here may still be one of them; and one hospital's "
                "figures say little about another's.")
    if d["kind"] == "mixed" and d["reason"] == "seen":
        return (f"**Partly internal:** {_seen(d)} among the model's training or "
                "validation films, so the folder overlaps its training collection, though the films scored name no "
                f"source it was trained on ({listed}). How the others relate to its training films cannot be told.")
    if d["kind"] == "mixed":
        return (f"**Partly internal:** {_from_trained(d)} the model was trained on "
                f"({_names(d['shared_sources'], 'here')}); only the "
                "others show how it does at a hospital it never saw (the per-source table gives them apart).")
    if d["reason"] == "no sources here":
        return ("**Internal or external validation? Unknown:** these films name no source (a MANIFEST.csv with a "
                f"`source` column would), and the model was trained on films from {listed}. If these films come from "
                f"those archives, the figures show how well it fits them; {UNSEEN_HOSPITAL}.")
    if foreign:  # no training sources and no seen films: it carries neither
        return ("**Internal or external validation? Unknown:** a model not made by cxr-edge records no training films, "
                "so whether these films, or their hospitals, were among its training films is unknown. If they were, the "
                f"figures show how well it fits those archives; {UNSEEN_HOSPITAL}.")
    why = ("its training films named no source" if d.get("training_sources") else
           "converted by cxr-edge 0.22 or older, too old to record them, or not by cxr-edge")
    if d.get("seen_films"):
        return ("**Internal or external validation? Partly internal, the rest unknown:** the model file does not "
                f"record where its training films came from ({why}), so these films' sources cannot be compared "
                f"with them; but {_seen(d)} among the model's training or validation "
                f"films, so the folder overlaps its training collection. {_SEEN_FIGURES}")
    return ("**Internal or external validation? Unknown:** the model file does not record where its training films "
            f"came from ({why}: a MANIFEST.csv with a `source` column beside them, before training, would), so "
            "whether these films come from the same hospitals cannot be told. If they do, the figures show how well "
            f"it fits those archives; {UNSEEN_HOSPITAL}.")


def _seen(d: dict) -> str:
    """'3 films of this folder were', '1 film of this folder was' (it read '1 films of this folder were')."""
    n = d["seen_films"]
    return f"{counted(n, 'film')} of this folder {'was' if n == 1 else 'were'}"


def _from_trained(d: dict) -> str:
    """'3 of the 40 films naming a source come from sources', '1 of the 40 ... comes from a source'."""
    n = d["films_from_training_sources"]
    return (f"{n} of the {d['films_named']} films naming a source "
            f"{'comes from a source' if n == 1 else 'come from sources'}")


def _unnamed(d: dict) -> str:
    """' (2 of the 82 films name no source and are not counted)' where some films, not all, name none; else ''."""
    unnamed_here = d["films"] - d["films_named"]
    return (f" ({unnamed_here} of the {d['films']} films "
            f"{'names no source and is' if unnamed_here == 1 else 'name no source and are'} not counted)"
            if unnamed_here and d["films_named"] else "")


def design_short(d: dict, whose: str = "its") -> str:
    """The kind in a clause, for a report that names several models (cxr-compare; ``whose``: the model's
    in words, and ``d``'s seen films that model's own)."""
    if d["kind"] == "internal":
        return (f"internal validation: {_seen(d)} among {whose} training or "
                "validation films" if d["reason"] == "seen"
                else f"internal validation: every film here{_unnamed(d)} comes from a source it was trained on")
    if d["kind"] == "external":
        return f"external validation by source name: no film here{_unnamed(d)} comes from a source it was trained on"
    if d["kind"] == "mixed" and d["reason"] == "seen":
        return (f"partly internal: {_seen(d)} among {whose} training or validation "
                "films, though the films scored name no source it was trained on")
    if d["kind"] == "mixed":
        return f"partly internal: {_from_trained(d)} it was trained on"
    seen = (f", though {_seen(d)} among {whose} training or validation films"
            if d.get("seen_films") else "")
    return ("internal or external, unknown: these films name no source" if d["reason"] == "no sources here" else
            f"internal or external, unknown: its file records no sources of its training films{seen}")


def compared_lines(designs: dict[str, dict]) -> list[str]:
    """cxr-compare's lines, one per model ("A (name)" -> evaluation_design, each with the films that
    model saw: a film only the other saw says nothing of its collection), and what internal means."""
    lines = [f"- {who}: {design_short(d)}." for who, d in designs.items()]
    if any(d["kind"] in ("internal", "mixed") for d in designs.values()):
        lines.append(f"- Internal figures show how well a model fits those archives; {UNSEEN_HOSPITAL}.")
    return lines


def design_note(d: dict) -> str | None:
    """One line for the terminal where the figures are internal, in part or whole; else None."""
    if d["kind"] == "internal":
        return ("internal validation: these films come from the archives the model was trained on; at a hospital "
                "it never saw, figures are usually lower (report.md says more)")
    if d.get("seen_films") and (d["reason"] == "seen" or d["kind"] == "unknown"):
        return (f"{_seen(d)} among the model's training or validation films: the "
                "folder overlaps its training collection (report.md says more)")
    if d["kind"] == "mixed":
        return (f"{_from_trained(d)} the model was trained on: only the others show how it does at a hospital it "
                "never saw (report.md, "
                "per source)")
    return None


def test_split_design(split: Split) -> dict:
    """cxr-convert's test split (report.json's ``study_design``): a random part of the folders the
    training films came from, internal by construction; or, for a split given in folders, its
    test/ folder, which may come from other hospitals: then judged by its films' sources, as
    cxr-evaluate judges a folder."""
    trained = training_sources(split)
    given = split.layout == "train/test folders"
    design = (evaluation_design(trained, [i.source for i in split.parts.get("test", [])]) if given else
              {"kind": "internal", "reason": "random split", "training_sources": trained})
    return {**design, "given_test_folder": given, "holdout_source": split.notes.get("holdout_source")}


def test_split_line(d: dict) -> str:
    """The sentence on :func:`test_split_design`'s test split, for cxr-convert's report."""
    trained = d["training_sources"]
    held = d.get("holdout_source")
    external = (f" The source {md_code(held)} was kept out of training and validation: its section below is the one "
                "estimate here of how the model does at a new site." if held else
                " `cxr-train --holdout-source` measures a source kept out of training; `cxr-evaluate` scores a "
                "site's own films.")
    if d.get("given_test_folder"):
        return f"The test films are the data folder's own test/ folder. {design_line(d)}{external}"
    # the counts are of the training and validation films, not of the test films the sentence is about: named so
    where = (f" (training and validation films: {_names(trained['sources'], 'films', more=trained['more'])})"
             if trained["sources"] else "")
    return ("**Internal validation:** the test films are a random part of the same folders as the training films"
            f"{where}: the same hospitals and archives. These figures show how well the model fits them; "
            f"{UNSEEN_HOSPITAL}.{external}")

