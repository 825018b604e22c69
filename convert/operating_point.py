"""Store a screening threshold in a model file, so the device applies it without being told.

cxr-convert's report lists thresholds per class (convert.roc.operating_points), and
``edge-classify --threshold`` applies one. But a threshold belongs to one model file: a retrained
model puts its probabilities elsewhere, and a threshold typed on each device outlives the model
it was chosen for. ``cxr-convert --operating-point COVID=0.95`` chooses the threshold on the
validation split through each converted file itself and writes it into that file's metadata
(``decision``), where edge.decision.stored_rule reads it. The weights are untouched: only the
metadata archive after the flatbuffer is rewritten, and its checksum still covers the weights.

A site can also choose its own threshold on its own labelled films (``cxr-evaluate
--operating-point``, :func:`site_operating_point`), with what it is expected to give on films it was
not chosen on (:func:`next_film_rates`), and store it in a copy of the model.
"""

from __future__ import annotations

import base64
from pathlib import Path

import numpy as np

from convert.roc import (against_most_probable, rates_at_threshold, saturation_note,
                         threshold_for_sensitivity)
from convert.metrics import to_jsonable
from edge import metadata as md
from edge.decision import labelling, same_rule
from edge.rule_shortfall import next_share  # the card says it too
from edge.threshold_text import class_and_value
from edge.atomic import write_bytes


def parse_operating_point(text: str, labels: list[str]) -> tuple[int, float]:
    """'COVID=0.95' -> (index of COVID, 0.95): the class and the sensitivity to reach on validation."""
    k, target = class_and_value(text, labels, "--operating-point", "sensitivity", 0.95)
    if not 0.0 < target <= 1.0:
        raise ValueError(f"--operating-point: the sensitivity must lie in (0, 1], got {target}")
    return k, target


def operating_point_setting(text: str | None, labels: list[str]) -> tuple[int, float] | str | None:
    """cxr-convert's --operating-point: None (leave the files' rules), "none" (remove them) or (class, sensitivity)."""
    if text is None:
        return None
    return "none" if text.strip().lower() == "none" else parse_operating_point(text, labels)


def kept_points(run_dir: Path, modes: list[str],
                labels: list[str]) -> tuple[dict[str, tuple[int, float]], dict[str, str]]:
    """The (class, target sensitivity) of the rule each of these modes' files in ``run_dir`` stores,
    for a conversion without --operating-point, which writes the files anew: the rule goes on, chosen
    again through the new file, as a device given the new file must not lose it without a word.
    A file that cannot be read, or whose rule names no class of the run, keeps nothing. And the rules
    that cannot go on (chosen on a site's films, by cxr-evaluate --save-model): mode -> where chosen."""
    from edge import metadata as md

    kept, lost = {}, {}
    for mode in modes:
        try:
            d = (md.read(Path(run_dir) / f"model_{mode}.tflite")[1] or {}).get("decision") or {}
            k, target = labels.index(d["class"]), float(d["target_sensitivity"])
        except (OSError, ValueError, KeyError, TypeError):
            continue
        if d.get("chosen_on", "validation split") != "validation split":
            lost[mode] = str(d["chosen_on"])
        elif 0.0 < target <= 1.0:
            kept[mode] = (k, target)
    return kept, lost


def stored_decision(path: Path) -> dict | None:
    """The rule a model file stores (in this version's shape: as_stored_now), None where it stores none or cannot
    be read (as edge reads it)."""
    from edge import metadata as md

    try:
        return as_stored_now((md.read(Path(path))[1] or {}).get("decision") or None)
    except (OSError, ValueError, md.ModelFileError):
        return None


def as_stored_now(decision: dict | None) -> dict | None:
    """A rule as a file stores it, in this version's shape, for everything cxr-convert writes from it: the counts of
    the films it was chosen on are "chosen_films". cxr-edge 0.6.0 named them "validation" (renamed within that
    version number), and cxr-convert --report-only over such a file stopped with "unexpected KeyError:
    'chosen_films'"."""
    if isinstance(decision, dict) and "chosen_films" not in decision and isinstance(decision.get("validation"), dict):
        return {**{k: v for k, v in decision.items() if k != "validation"}, "chosen_films": decision["validation"]}
    return decision


def store_rule(path: Path, point: tuple[int, float] | str, val: tuple[np.ndarray, np.ndarray] | None,
               labels: list[str]) -> tuple[dict | None, np.ndarray | None]:
    """Write the --operating-point rule into one converted file, chosen through that file on the
    validation films ``val`` (x, y); returns (the rule stored, None when it was removed; the file's
    probabilities on those films, which the metadata does not change, for the report to reuse).
    The rule returned also says how it compares with the most probable class on those films
    (``versus_most_probable``, convert.roc.against_most_probable), which the file does not carry."""
    from edge.model import EdgeModel

    if point == "none":
        stamp_decision(path, None)
        return None, None
    x_val, y_val = val
    p = EdgeModel(path).classify(x_val)
    decision = choose_decision(y_val, p, labels, *point)
    stamp_decision(path, decision)
    from convert.rule_notes import others_under_rule

    return to_jsonable({**decision, "versus_most_probable": against_most_probable(y_val, p, point[0], decision["threshold"]),
                        "others_on_validation": others_under_rule(y_val, p, point[0], decision["threshold"], labels)}), p


def decision_films_text(films_sha256: list[str]) -> str:
    """The first 8 bytes of each film's SHA-256, sorted, as base64 (12 characters a film)."""
    return base64.b64encode(b"".join(sorted(bytes.fromhex(h[:16]) for h in films_sha256))).decode("ascii")


def chosen_films_among(decision_films: str | None, films_sha256: list[str]) -> int | None:
    """How many of these films the file's rule was chosen on; None when the file does not say."""
    if not decision_films:
        return None
    raw = base64.b64decode(decision_films)
    known = {raw[k:k + 8] for k in range(0, len(raw), 8)}
    return sum(bytes.fromhex(h[:16]) in known for h in films_sha256)


def choose_decision(y: np.ndarray, p: np.ndarray, labels: list[str], k: int, target: float,
                    chosen_on: str = "validation split") -> dict:
    """The rule for class k at the target sensitivity, chosen on these films (labels y, probabilities p)."""
    positive = np.asarray(y) == k
    if not positive.any():
        raise ValueError(f"--operating-point: the {chosen_on} has no {labels[k]} films to choose a threshold on")
    threshold = threshold_for_sensitivity(positive, np.asarray(p)[:, k], target)
    if threshold >= 1.0:  # the probabilities saturate: another sensitivity may not help, and the note says
        why = saturation_note(positive, np.asarray(p)[:, k], labels[k], target, f"films of the {chosen_on}")
        raise ValueError(f"--operating-point: {why}")
    if not 0.0 < threshold:
        raise ValueError(f"--operating-point: the threshold for {target:g} sensitivity would be {threshold:g}, "
                         "which the device cannot store as a rule; choose a lower sensitivity")
    rates = rates_at_threshold(positive, np.asarray(p)[:, k], threshold)
    return {"class": labels[k], "threshold": threshold, "target_sensitivity": target, "chosen_on": chosen_on,
            "chosen_films": {"n_positive": int(positive.sum()), "n_negative": int((~positive).sum()),
                             "sensitivity": rates["sensitivity"], "specificity": rates["specificity"]}}


def next_film_rates(positive: np.ndarray, scores: np.ndarray, threshold: float) -> dict:
    """What a threshold placed among these films' cases will give on the site's next films.

    The threshold was chosen among the cases (the positives): their sensitivity at it is fitted
    (with 20 cases and a 95% target, 0.95 by construction). If the next cases are like these n,
    and f of them reach the threshold, the share of all cases to come that reach it is distributed
    as Beta(f, n + 1 - f) (the coverage of an order statistic: Wilks 1941): mean f / (n + 1), and
    its 2.5 and 97.5 percentiles give the interval. The other films played no part in choosing the
    threshold, so their specificity at it is not fitted, and its Wilson interval stands.
    Both figures are of this very threshold, the one saved, where cross-validation scores
    thresholds chosen on fewer cases: at or above this one, so it promised too high a specificity.
    Returns rates_at_threshold's fields with the expected sensitivity and its interval (tp and fn
    still give the fitted one).
    """
    from convert.metrics import beta_interval

    rates = rates_at_threshold(positive, scores, threshold)
    f, n = rates["tp"], rates["tp"] + rates["fn"]
    if f == 0:  # no case reaches it (never so for a threshold chosen on these cases)
        return rates
    return {**rates, "sensitivity": next_share(f, n), "sensitivity_ci": list(beta_interval(f, n + 1 - f))}


def site_operating_point(y: np.ndarray, p: np.ndarray, labels: list[str], k: int, target: float, films: str,
                         seen: np.ndarray | None = None) -> dict:
    """A threshold chosen on a site's own labelled films (cxr-evaluate --operating-point): the rule
    to store, and the rates it is expected to give on the site's next films (next_film_rates).
    ``seen``: which films the model was trained or validated on (kept by --keep-seen), counted so that the
    report says its figures flatter the model."""
    from convert.rule_notes import others_under_rule
    from convert.site_rule_notes import missing_others

    decision = choose_decision(y, p, labels, k, target, chosen_on=films)
    expected = next_film_rates(np.asarray(y) == k, np.asarray(p)[:, k], decision["threshold"])
    present = [c for i, c in enumerate(labels) if i in set(np.asarray(y).tolist())]
    return to_jsonable({"decision": decision, "next_films": expected, "classes_present": present,
                        "missing_classes": missing_others(present, k, labels),
                        # what the rule costs each other class, which its specificity over them all may hide
                        "others_on_site": others_under_rule(y, p, k, decision["threshold"], labels),
                        "versus_most_probable": against_most_probable(y, p, k, decision["threshold"]),
                        **({"seen": {"cases": int((seen & (np.asarray(y) == k)).sum()),
                                     "others": int((seen & (np.asarray(y) != k)).sum())}}
                           if seen is not None and seen.any() else {})})


def stored_now() -> dict:
    """When, and by which version, a rule is stored in a file: a copy re-stamped with a site's rule keeps its
    weights and its "converted" date, so without this nothing in it said when or by what its rule was set. A
    rule chosen again for a file written anew (cxr-convert keeps a rule's target, not its threshold) is
    stored anew."""
    from datetime import datetime, timezone

    from edge import __version__

    return {"on": datetime.now(timezone.utc).isoformat(timespec="seconds"), "by": f"cxr-edge {__version__}"}


def stamp_decision(path: Path, decision: dict | None, out: Path | None = None, site: dict | None = None,
                   films_sha256: list[str] | None = None) -> None:
    """Write ``path`` with this rule (stamped) in place, or into a copy at ``out``."""
    write_bytes(out or path, stamped(path, decision, site, films_sha256))


def stamped(path: Path | bytes, decision: dict | None, site: dict | None = None,
            films_sha256: list[str] | None = None) -> bytes:
    """The file's bytes (or these bytes) with its metadata rewritten for this rule (None removes it); the weights
    stay byte-identical. The file's card (convert.card) loses the test
    figures of a previous rule, and gains ``site``'s expected rates on its next films (site_operating_point).
    ``films_sha256``: the SHA-256 of the films the rule was chosen on, kept as their first 8 bytes
    (decision_films_text) so that cxr-evaluate can tell when it scores those films again."""
    def update(meta: dict) -> dict:
        before = meta.pop("decision", None)
        meta.pop("decision_films", None)
        if films_sha256:
            meta["decision_films"] = decision_films_text(films_sha256)
        card = meta.pop("validation", None)
        if card:
            card = {k: v for k, v in card.items() if k not in ("rule_on_test", "rule_on_site")}
            held = card.get("held_out_source")
            if held and not same_rule(before, decision) and not held.get("counted_before_rule"):
                # not counted under this rule: say under which
                held.update(labels=f"counted under {labelling(before)}, before its present rule was stored",
                            counted_before_rule=True)
            if "other_classes" in card and not card.get("other_classes_before_rule"):
                # counted under the labelling the file had then, not this rule's: the card says which
                card["other_classes_before_rule"] = True
                card["other_classes_counted_under"] = ({"class": before["class"], "threshold": before["threshold"]}
                                                       if before else None)
        if site is not None:  # a file converted before cxr-edge 0.7.0 has no card: these figures begin one
            nf = site["next_films"]
            # "estimate" tells these from the 5-fold cross-validated figures files of 0.31.0 and before carry
            card = {**(card or {}), "rule_on_site": {"films": decision["chosen_on"], "class": decision["class"],
                                                     "threshold": decision["threshold"], "estimate": "next films",
                                                     "sensitivity": [nf["sensitivity"], *nf["sensitivity_ci"]],
                                                     "specificity": [nf["specificity"], *nf["specificity_ci"]]}}
        if card:
            meta["validation"] = card
        requires = [r for r in meta.pop("requires", []) if r != "decision"]
        if decision is not None:
            meta["decision"] = {**decision, "stored": stored_now()}
            requires.append("decision")  # a reader that ignored the rule would give other labels than intended
        if requires:
            meta["requires"] = requires
        return meta

    return md.rewrite(path if isinstance(path, bytes) else Path(path).read_bytes(), update)
