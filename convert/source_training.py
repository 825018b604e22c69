"""Which of cxr-evaluate's per-source rows the model trained on, which source cxr-train held out, and which it never saw.

After ``cxr-train --holdout-source SITE`` a folder scored by cxr-evaluate holds SITE's films beside those of the
sources the model learnt from. The per-source table gave them as rows alike: a reader saw one row with lower
figures and could not tell it was the one external estimate. The model knows: its file's metadata (or its run's
split.json, for a model.keras) records the source held out and the sources of its training and validation films.

Each source is marked only as far as that record supports it: ``trained on`` where its training or validation films
name it (compared as convert.study_design compares them), ``held out`` where its name holds the --holdout-source
text (cxr-train's own rule, train.holdout.source_held), and ``not in training`` only where the record lists
every training film's source (none unnamed, none cut off the list): else a source named otherwise may still be
among them, and nothing is said of it.
"""

from __future__ import annotations

from pathlib import Path

from convert.report_text import md_code
from edge import metadata as md
from edge.controls import escaped
from edge.shell_words import command_words
from train.holdout import source_held
from train.manifest import NOT_GIVEN
from train.patients import text_key

WORDS = {"held out": "held out of training", "trained on": "trained on",
         "not in training": "not in training"}  # report.md's words beside the source's name


def held_out_source(model: Path) -> str | None:
    """The --holdout-source a model was trained with, as typed: its .tflite metadata's training settings, else the
    split.json beside a model.keras; None where it had none or nothing records it (an older or foreign file)."""
    model = Path(model)
    if model.suffix == ".tflite":
        try:
            _, meta, _ = md.read(model)
        except (md.ModelFileError, OSError):
            return None
        settings = ((meta or {}).get("training") or {}).get("settings") if isinstance(meta, dict) else None
        held = settings.get("holdout_source") if isinstance(settings, dict) else None
        return held if isinstance(held, str) and held.strip() else None
    from train.data import Split

    path = model.parent / "split.json"
    try:
        held = Split.load(path).notes.get("holdout_source") if path.is_file() else None
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None
    return held if isinstance(held, str) and held.strip() else None


def seen_sources(seen_note: dict | None, items: list) -> list[str]:
    """The sources named by films found among the model's training or validation films (convert.seen's note,
    whether they were left out or kept): a site whose films the model learnt under another source's name (a
    hospital's own export of films a public archive holds) is no site it never saw."""
    seen = {e["file"] for e in (seen_note or {}).get("seen_films") or []}
    return sorted({i.source for i in items if i.path in seen and i.source and i.source != NOT_GIVEN})


def training_role(source: str, trained: dict | None, holdout: str | None,
                  seen: list[str] | None = None) -> str | None:
    """``trained on``, ``held out``, ``not in training`` or None (the record does not tell) for one source's name;
    ``seen``: sources of films found among its training films (seen_sources), trained on whatever the record names."""
    if not source or source == NOT_GIVEN:
        return None
    known = (trained or {}).get("sources") or {}
    if text_key(source) in {text_key(s) for s in [*known, *(seen or [])]}:
        return "trained on"
    if holdout and source_held(holdout, source):
        return "held out"
    complete = bool(known) and not (trained or {}).get("unnamed") and not (trained or {}).get("more")
    return "not in training" if complete else None


def mark_training(per_source: dict, design: dict | None) -> None:
    """Give each per-source summary its ``in_training`` (training_role) where the record tells it, from
    cxr-evaluate's study design (its ``training_sources`` and ``holdout_source``)."""
    design = design or {}
    for source, summary in per_source.items():
        if role := training_role(source, design.get("training_sources"), design.get("holdout_source"),
                                 design.get("seen_sources")):
            summary["in_training"] = role


def marks(per_source: dict) -> dict[str, str]:
    """source -> the words report.md's per-source table puts beside its name."""
    return {v: WORDS[s["in_training"]] for v, s in per_source.items() if s.get("in_training") in WORDS}


def training_note(per_source: dict, holdout: str | None) -> list[str]:
    """report.md's sentence under the per-source heading, where a row is marked held out or not in training."""
    roles = {s.get("in_training") for s in per_source.values()}
    if not roles & {"held out", "not in training"}:
        return []
    command = md_code(command_words("cxr-train", "--holdout-source", holdout or ""))
    said = {"held out": f"**held out of training** marks the source {command} kept out of its training and validation films",
            "not in training": "**not in training** a source none of its training or validation films named",
            "trained on": "trained on a source they named, or whose films here were found among them"}
    return ["Beside each source, what the model's record says of it: " + "; ".join(v for k, v in said.items() if k in roles)
            + ". Only the rows not trained on show how it does at a site it never saw.", ""]


def training_line(per_source: dict, holdout: str | None) -> str | None:
    """The terminal's note naming the per-source rows of sources the model never trained on; None where none is."""
    held = [escaped(v) for v, s in per_source.items() if s.get("in_training") == "held out"]
    never = [escaped(v) for v, s in per_source.items() if s.get("in_training") == "not in training"]
    if not held and not never:
        return None
    command = command_words("cxr-train", "--holdout-source", holdout or "")
    parts = ([f"{', '.join(held)}: held out of training ({command})"] if held else []) + (
        [f"{', '.join(never)}: not in training"] if never else [])
    return (f"per source, {'; '.join(parts)}: those rows show how the model does at a site it never saw "
            "(report.md, \"Per source\")")
