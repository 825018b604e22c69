"""The per-film spreadsheets of a report: predictions.csv (the films scored) and left_out.csv (the films of
classes the model was never trained on). One row a film, for the case review a clinician does film by film;
both give the probabilities as report.json does (edge.decision.for_json) and the rule that chose the labels."""

from __future__ import annotations

import numpy as np

from edge.decision import for_json, labels_for
from edge.output import rule_text
from edge.spreadsheet import spreadsheet_csv
from train.data import Item
from train.manifest import NOT_GIVEN


def predictions_csv(predictions: list[dict], classes: list[str], groups: dict[str, list[str]], rule: str = "") -> str:
    """predictions.csv. ``rule`` ('COVID>=0.5334', edge.output.rule_text): the threshold rule that chose the
    labels, in a column of its own as edge-classify --csv has it: a row 'predicted Normal' beside p_COVID 0.5025
    read as a contradiction."""
    atypical = any("atypical" in p for p in predictions)  # 1/0, empty: not checked (edge-classify --csv's column)
    headed = any("header_says" in p for p in predictions)  # why a film's DICOM header flagged it
    framed = any("frames" in p for p in predictions)  # a film of several frames not all the same: scored on frame 1
    seen = any("seen_in_training" in p for p in predictions)  # --keep-seen: train, val or empty
    header = ["file", "true", "predicted", "correct", *(f"p_{c}" for c in classes), *(["rule"] if rule else []),
              *(["atypical"] if atypical else []), *(["header_says"] if headed else []),
              *(["frames"] if framed else []), *(["seen_in_training"] if seen else []), *groups]
    return spreadsheet_csv(header, ([p["file"], p["true"], p["predicted"], int(p["true"] == p["predicted"]),
                                     *(p["probabilities"][c] for c in classes), *([rule] if rule else []),
                                     *([int(p["atypical"]) if "atypical" in p else ""] if atypical else []),
                                     *([p.get("header_says", "")] if headed else []),
                                     *([p.get("frames", "")] if framed else []),
                                     *([p.get("seen_in_training", "")] if seen else []), *(v[k] for v in groups.values())]
                                    for k, p in enumerate(predictions)))


def left_out_csv(items: list[Item], probs: np.ndarray, labels: list[str], rule: tuple[int, float] | None = None,
                 unlikeness: np.ndarray | None = None, frames: dict[str, int] | None = None) -> str:
    """left_out.csv, with each film's source where MANIFEST.csv or the Kaggle metadata names one (the answers
    of a children's archive and an adults' one may differ). Its probabilities, rule and atypical columns are
    predictions.csv's: a film at p_COVID 0.3333 answered COVID, with no rule column beside it, read as a
    mistake of the tool. ``frames``: the films of several frames not all the same (convert.frame_films.frame_counts),
    each scored on its frame 1 alone: their counts in a ``frames`` column, as predictions.csv's, where any is."""
    frames = frames or {}
    sourced = any(it.source for it in items)
    ruled = rule_text(rule, labels)
    header = ["file", "folder", "predicted", *(f"p_{c}" for c in labels), *(["rule"] if ruled else []),
              *(["atypical"] if unlikeness is not None else []), *(["frames"] if frames else []),
              *(["source"] if sourced else [])]
    predicted = labels_for(probs, rule) if len(probs) else []
    return spreadsheet_csv(header, ([it.path, it.label, labels[int(k)], *(for_json(v, j, rule) for j, v in enumerate(p)),
                                     *([ruled] if ruled else []), *([int(unlikeness[n] > 1.0)] if unlikeness is not None else []),
                                     *([frames.get(it.path, "")] if frames else []),
                                     *([it.source or NOT_GIVEN] if sourced else [])]
                                    for n, (it, p, k) in enumerate(zip(items, probs, predicted))))
