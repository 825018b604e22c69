"""What a model file says it was validated on: its own test figures, stored in its metadata.

A .tflite is copied to devices without its run folder and report. The figures that justify
trusting it (sensitivity and specificity per class with 95% intervals on the frozen test split,
the held-out source, the stored rule on the test films, what the files alone gave away) then
travel inside it, so ``edge-classify --card`` can answer "how good is this file, on what?" on the
device, and a file scored on other data cannot be mistaken for this one.
"""

from __future__ import annotations

import math
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable

from edge import __version__
from edge import metadata as md
from edge.atomic import write_bytes
from edge.answer_worth import percent
from edge.card_figures import stored_digits
from edge.figures import MAX_DIGITS, against_chance, digits_for, kept_as_shown, rounded
from train.audit import give_away_text


def _r(v: Any) -> Any:
    """Round for a compact, readable card (to 3 decimals, more where 3 would make a share 0 or 1);
    NaN (a class absent from a set) becomes None."""
    if isinstance(v, (list, tuple)):
        return [_r(x) for x in v]
    if isinstance(v, float):
        return None if math.isnan(v) else rounded(v)
    return v


def _as_percent(v: Any) -> Any:
    """A share (or list of them) the card writes in whole percent (edge.answer_worth.percent): rounded as _r rounds
    it, with more decimals where 3 would be written otherwise than the share itself: 5 of 11 films (45.45%) kept as
    0.455 read "46%" on the card beside report.md's 45%."""
    if isinstance(v, list):
        return [_as_percent(x) for x in v]
    return kept_as_shown(v, percent, 3) if isinstance(v, float) and 0 <= v <= 1 else _r(v)


def beside_floor(spec: list) -> list:
    """A rule's [specificity, low, high] rounded as _r rounds it, the specificity with more decimals where 3 would put
    it on another side of SPECIFICITY_FLOOR than it lies: the card and edge-classify say "it calls most films of the
    other classes COVID" from the stored figure (edge.stored_rule_words.calls_most), and 500 of 1,001 (0.4995) kept
    as 0.5 went without it, beside report.md saying it."""
    from edge.rule_shortfall import SPECIFICITY_FLOOR

    kept, v = _r(list(spec)), spec[0]
    if isinstance(kept[0], float) and (kept[0] < SPECIFICITY_FLOOR) != (v < SPECIFICITY_FLOOR):
        kept[0] = kept_as_shown(v, lambda x: str(x < SPECIFICITY_FLOOR), 4)
        # an end whose 3 decimals would put it past the point, with as many decimals as the point: 0.49965 kept as 0.5
        # beside 0.49997 was written "0.49997 (0.50000 to ...)", a lower end above its point (a million films or more)
        k = next((k for k in range(4, 10) if round(kept[0], k) == kept[0]), 9)
        kept[1:3] = [rounded(x, k) if isinstance(x, float) and isinstance(y, float) and (y - kept[0]) * (x - v) < 0
                     else y for x, y in zip(spec[1:3], kept[1:3])]
    return kept


def beside_chance(ba: list, n_classes: int) -> list:
    """[balanced accuracy, low, high] rounded as _r rounds it, its ends with more decimals where 3 would put the
    interval on another side of chance (1 / ``n_classes``) than the figures themselves: the card and edge-classify
    judge it from the stored ends (edge.card_warnings.chance_verdict), and 0.50012 kept as 0.5 said "reaches down to
    chance" of a file whose report.md, from 0.50012, said nothing of the kind. The point gets the decimals that keep
    it apart from its ends and chance where it differs from them (by more than float noise: a mean of recalls
    0.3333333333333334 is at chance 1/3)."""
    kept = _r(list(ba))
    lo, hi = ba[1:3]
    if n_classes < 2 or not all(isinstance(v, (int, float)) and not isinstance(v, bool) and v == v for v in (lo, hi)):
        return kept
    side, chance, point = against_chance(lo, hi, 1 / n_classes), 1 / n_classes, ba[0]

    def off_chance(kept_figure: Any) -> bool:
        # judged at the decimals a kept figure holds, as balanced_ci reads them: 0.33301 kept as 0.333 (0.3330 at 4
        # decimals, apart from 0.3333) was written "0.333, at chance" on the card; an end kept off chance is written
        # off it, with its own digits (0.33258 as 0.3326, not 0.333 shown "0.3330" beside chance 0.3333)
        return not isinstance(kept_figure, float) or kept_figure != round(chance, stored_digits(kept_figure))

    for d in range(3, MAX_DIGITS + 1):
        ends = [rounded(lo, d), rounded(hi, d)]
        # the point kept apart from its ends and from chance too: 0.5004 beside 0.4998, kept as 0.5 and 0.5, read
        # "0.500 (0.500 to 0.831)" on the card, a tie or a typo, or "at chance" (edge.card_figures.balanced_ci)
        kept_point = rounded(point, d) if isinstance(point, float) and point == point else kept[0]
        apart = all(abs(a - b) < 1e-9 or ka != kb for (a, ka), (b, kb) in
                    [((point, kept_point), (lo, ends[0])), ((point, kept_point), (hi, ends[1]))]) \
            and all(abs(x - chance) < 1e-9 or off_chance(k) for x, k in ((point, kept_point), (lo, ends[0]), (hi, ends[1])))
        if against_chance(*ends, chance) == side and apart:
            return [kept_point, *ends]
    # never 3 decimals beside raw ends: 0.333 beside 0.3331 was shown "0.3330 (0.3331 to 0.6000)", outside its interval
    # and a point off chance never kept as one that reads at it (0.3333000001 as 0.3333): then as it is
    at_six = rounded(point, MAX_DIGITS) if isinstance(point, float) and point == point else kept[0]
    return [at_six if abs(point - chance) < 1e-9 or off_chance(at_six) else point, lo, hi]


def _counts(r: dict) -> dict:
    """The film counts a class's rates come from, [tp, fn, fp, tn], where ``r`` has them: with rates rounded to 3
    decimals, 1 of 16 found and 61 of 65 others right (0.062 + 0.938) read as no better than no test, where the
    report, from the counts, said it was better (edge.answer_worth.exact_rates)."""
    return {"counts": [int(r[k]) for k in ("tp", "fn", "fp", "tn")]} if all(k in r for k in ("tp", "fn", "fp", "tn")) else {}


def _per_class(summary: dict) -> dict:
    return {r["class"]: {"n": r["support"], "sensitivity": _r([r["sensitivity"], *r["sensitivity_ci"]]),
                         "specificity": _r([r["specificity"], *r["specificity_ci"]]),
                         "ppv": _r([r["ppv"], *r["ppv_ci"]]), **_counts(r)} for r in summary["per_class"]}


def misses(confusion: list[list[int]], classes: list[str]) -> dict:
    """Each class's missed test films by the answer they got ({'COVID': {'Normal': 3}}), for classes with any: the
    card of a 4-class file gave sensitivities alone, and 'COVID missed, called Normal' is the harm a device reader
    must see (edge.missed_films)."""
    return {c: {classes[j]: int(v) for j, v in enumerate(row) if j != k and v}
            for k, (c, row) in enumerate(zip(classes, confusion)) if sum(row) - row[k] > 0}


def validation_card(report: dict, mode: str, data_name: str, audit: dict | None) -> dict:
    """The card of one converted file, from cxr-convert's report (pure: no I/O).

    Figures are for the most probable class, as the report's tables; where the file carries a
    rule, its sensitivity and specificity on the same test films are added.
    """
    m = report["models"][mode]
    card: dict[str, Any] = {
        "scored_by": f"cxr-edge {__version__} (cxr-convert)",
        "scored": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "data": data_name, "synthetic_data": bool(report.get("synthetic_data")),
        "test": {"n": m["n"], "balanced_accuracy": beside_chance([m["balanced_accuracy"], *m["balanced_accuracy_ci"]],
                                                                 len(report.get("classes") or [])),
                 "macro_auroc": None if m.get("macro_auroc") is None else _r([m["macro_auroc"], *m["macro_auroc_ci"]]),
                 "ece": _r(m["ece"]), "per_class": _per_class(m)},
    }
    if len(report.get("classes") or []) > 2 and m.get("confusion_matrix"):  # where each class's missed films went
        card["test"]["misses"] = misses(m["confusion_matrix"], report["classes"])
    if m.get("macro_auroc_no_interval"):  # why its macro AUROC has no interval ('one COVID film'): said by the card
        card["test"]["macro_auroc_no_interval"] = str(m["macro_auroc_no_interval"])
    if (report.get("study_design") or {}).get("kind"):  # internal, external, mixed or unknown: said by the card
        card["test"]["study_design"] = report["study_design"]["kind"]
    if "crops_searched" in report:
        card["test"]["crops_searched"] = bool(report["crops_searched"])
    if report.get("calibration_warning"):  # what cxr-train found of its probabilities (convert.gate.calibration_line)
        card["calibration_warning"] = str(report["calibration_warning"])
    if m.get("gate"):  # a file that failed stays on disk: it must say so wherever it is copied
        card["gate"] = gate_verdict(m["gate"], report.get("gate") or {})
    a = m.get("agreement")
    if a:  # what quantization cost, film by film: the same class as the Keras model, and how far p moved
        card["against_float"] = {"same_class": int(round(a["class_agreement"] * m["n"])), "n": m["n"],
                                 "max_abs_prob_error": rounded_up(a["max_abs_prob_error"], 4)}
    if m.get("decision"):
        d, t = m["decision"], m["decision"]["test"]
        card["rule_on_test"] = {"class": d["class"], "threshold": float(d["threshold"]),  # as stored: never rounded up
                                "sensitivity": _r([t["sensitivity"], *t["sensitivity_ci"]]),
                                "specificity": beside_floor([t["specificity"], *t["specificity_ci"]]), **_counts(t)}
        if d.get("test_films_chosen_on"):  # a site's rule scored again (--report-only) on test films it was chosen on
            card["rule_on_test"]["chosen_films"] = [int(d["test_films_chosen_on"]), int(m["n"])]
        if len(d.get("per_class_on_test") or {}) > 2:  # every answer under the rule: what each is worth (edge.card)
            card["rule_on_test"]["per_class"] = {
                c: {"sensitivity": _r([r["sensitivity"], *r["sensitivity_ci"]]),
                    "specificity": _r([r["specificity"], *r["specificity_ci"]]), **_counts(r)}
                for c, r in d["per_class_on_test"].items()}
        if len(d.get("others_on_test") or {}) > 1:  # what the rule costs the other classes (2 classes: its specificity)
            from convert.rule_notes import found_text, swamped

            card["rule_on_test"].update(others=d["others_on_test"], swamped=swamped(d["others_on_test"]),
                                        others_text=found_text(d["others_on_test"]))
    ext = report.get("external") or {}
    if mode in ext:
        e = ext[mode]
        card["held_out_source"] = {"source": ext["source"], "n": e["n"],
                                   "labels": "its stored rule" if e.get("rule") else "most probable class",
                                   "per_class": {c: v for c, v in _per_class(e).items() if v["n"]}}
        if (sources := ext.get("sources")) and list(sources) != [ext["source"]]:  # the text typed is not their source
            card["held_out_source"]["sources"] = sources
    other = (report.get("other_classes") or {}).get("by_mode", {}).get(mode)
    if other:  # what this file calls the films of its data folder's classes it was not trained on
        # the intervals beside the shares, not in their place: an older edge-classify reads "called" as numbers
        card["other_classes"] = {f: {"n": a["films"], "called": {c: _as_percent(v["share"]) for c, v in a["called"].items()},
                                     "called_ci": {c: _as_percent(list(v["share_ci"])) for c, v in a["called"].items()
                                                   if v.get("share_ci") is not None}}
                                 for f, a in other.items() if a["films"]}
    if kept := card_audit(audit):
        card["shortcut_audit"] = kept
    return card


def card_audit(audit: dict | None) -> dict | None:
    """A shortcut audit (train.audit.shortcut_audit) as the card keeps it and edge.card.shortcut_warning reads it:
    its score and chance rounded, whether it warned, its first three give-aways in words; None where nothing
    was audited."""
    if not audit or audit.get("combined") is None:
        return None
    return {"balanced_accuracy": _r(audit["combined"]), "chance": _r(audit["chance"]), "warn": audit["warn"],
            "give_aways": [give_away_text(g) for g in audit["give_aways"][:3]]}


def gate_verdict(gate: dict, limits: dict) -> dict:
    """cxr-convert's gate verdict on this file, with its reasons and limits, and a sentence for
    ``edge-classify --card`` to print as it is."""
    verdict = {"passed": bool(gate["passed"]), "reasons": list(gate["reasons"]),
               **{k: limits[k] for k in ("max_drop", "max_class_drop") if k in limits}}
    verdict["text"] = ("This file passed cxr-convert's gate (quantization cost no more than allowed)." if gate["passed"]
                       else f"This file FAILED cxr-convert's gate: {'; '.join(gate['reasons'])}. Quantization cost more "
                            "than allowed against the Keras model; use a mode that passed.")
    return verdict


def stamp_card(path: Path, card: dict) -> None:
    """Store ``card`` in the file's metadata, atomically; the weights stay byte-identical."""
    path = Path(path)
    write_bytes(path, md.rewrite(path.read_bytes(), lambda meta: {**meta, "validation": with_site_rule(meta, card)}))


def with_site_rule(meta: dict, card: dict) -> dict:
    """``card``, keeping the site figures of the rule the file carries where cxr-evaluate chose it on a
    site's films (``rule_on_site``): scoring the file again (--report-only) does not change how the rule was chosen."""
    site, d = (meta.get("validation") or {}).get("rule_on_site"), meta.get("decision") or {}
    if site and (site.get("class"), site.get("threshold")) == (d.get("class"), d.get("threshold")):
        return {**card, "rule_on_site": site}
    return card


def stamp_cards(run_dir: Path, report: dict, modes: list[str], data_name: str, audit: dict | None,
                say: Callable[[str], None]) -> None:
    """Store each mode's own test figures in its file, and its size as it now is; ``say`` names
    each file written (and, once, the room its seen-film fingerprints take)."""
    from convert.seen_lists import room_note

    for k, mode in enumerate(modes):
        path = run_dir / f"model_{mode}.tflite"
        stamp_card(path, validation_card(report, mode, data_name, audit))
        report["models"][mode]["size_bytes"] = path.stat().st_size
        say(f"wrote {path.name}: {path.stat().st_size:,} bytes{room_note(path) if k == 0 else ''}")


def rounded_up(v: float, digits: int) -> float:
    """``v`` to ``digits`` decimals (more where fewer would read 0), rounded up: the card says the quantized file's
    probabilities are 'at most' this far from the float model's, and 0.00124 stored as 0.0012 promised less than
    the test films showed."""
    if math.isnan(v):
        return v
    scale = 10 ** digits_for(v, digits)
    return math.ceil(v * scale - 1e-9) / scale  # - 1e-9: 0.0012 is 11.999999999999998 scaled, and stays 0.0012
