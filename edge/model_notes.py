"""What edge-classify says on stderr about the model file once, before its first answer.

Each note answers a question a reader of the answers would otherwise get wrong: a label that is not the most
probable class, a file without calibration or input check, a synthetic model, a file that failed its gate,
and a probability read as the patient's chance of disease.
"""

from __future__ import annotations

import sys
from decimal import Decimal
from pathlib import Path
from typing import Optional

from edge.answer_worth import is_normal_class, normal_note
from edge.card import _ci, calibration_warning, chance_verdict, failed_gate
from edge.card_figures import specificity_ci
from edge.decision import EXACT_DIGITS, describe, fmt_threshold
from edge.rule_shortfall import recorded_target
from edge.figures import counted
from edge.input_check_words import flagged_share, no_input_check_why, own_flags_words
from edge.stored_rule_words import calls_most, chosen_on_words
from edge.synthetic_words import drawn_only, synthetic_words


def say(line: str) -> None:
    print(f"edge-classify: {line}", file=sys.stderr)


def rule_record(meta: dict) -> str:
    """What the stored rule was chosen for, on how many films of its class, and what it reached where the file
    measured it: the target alone ('0.95 sensitivity', on 4 validation films) reads as the device's own figure."""
    d = meta["decision"]
    cls, target = d.get("class"), recorded_target(d)
    # a rule stored without a target (by hand, or another tool) said 'chosen for nan sensitivity', and one whose
    # target is no number stopped edge-classify ('unexpected ValueError'); the card leaves it out as well
    text = (f"chosen for {target:g} sensitivity on {chosen_on_words(d)}" if target is not None
            else "the sensitivity it was chosen for is not recorded")
    v = meta.get("validation") if isinstance(meta.get("validation"), dict) else {}
    test, site = v.get("rule_on_test"), v.get("rule_on_site")
    if _scored(site, d):
        how = ("expected on that site's next films" if site.get("estimate") == "next films"
               else "5-fold cross-validated there")  # files saved by 0.31.0 and before
        return f"{text}; {how}: sensitivity {_ci(site['sensitivity'])}{_specificity(site, cls)}"
    t = v.get("test") if isinstance(v.get("test"), dict) else {}
    row = (t.get("per_class") or {}).get(cls) if isinstance(t.get("per_class"), dict) else None
    n = row.get("n") if isinstance(row, dict) else None
    if _scored(test, d) and isinstance(n, int):
        others = t.get("n") - n if isinstance(t.get("n"), int) and t["n"] > n else None
        return (f"{text}; on the test split's {counted(n, f'{cls} film')} it reached sensitivity {_ci(test['sensitivity'])}"
                + _specificity(test, cls, others))
    return text


def _specificity(figures: dict, cls: str, others: int | None = None) -> str:
    """', specificity 0.120 (0.050 to 0.240) on its 45 films of other classes: it calls most films of the other classes
    COVID' beside a rule's sensitivity, where the file holds it: 'sensitivity 1.000' alone read as a good rule at
    classify time for one that called every film COVID."""
    spec = figures.get("specificity")
    if not (isinstance(spec, list) and len(spec) == 3 and isinstance(spec[0], (int, float))):
        return ""
    on = f" on its {counted(others, 'film')} of other classes" if others else ""
    return f", specificity {specificity_ci(spec)}{on}{calls_most(spec, cls)}"


def _scored(figures, decision: dict) -> bool:
    """Whether stored rule figures are the stored rule's (its class, its threshold to the 3 decimals a card may
    round it to) and hold a sensitivity with its interval: figures of another rule must not vouch for this one."""
    if not isinstance(figures, dict) or figures.get("class") != decision.get("class"):
        return False
    t, sens = figures.get("threshold"), figures.get("sensitivity")
    return (isinstance(t, (int, float)) and abs(t - float(decision.get("threshold", -1))) < 5e-4
            and isinstance(sens, list) and len(sens) == 3 and all(isinstance(x, (int, float)) for x in sens))


def tell_rule(m, rule: Optional[tuple[int, float]], given: bool) -> None:
    """Say a threshold rule the file carries (``given``: the user's own --threshold), and what one above 0.5 does."""
    if rule is not None and not given:  # a label that is not the most probable class must never surprise
        say(f"note: this model file gives {describe(rule, m.labels, EXACT_DIGITS)} ({rule_record(m.meta)}); "
            "--most-probable gives the most probable class")
    if rule is not None and rule[1] > 0.5:  # 'chosen for 0.95 sensitivity' read as a rule that finds more
        cls = m.labels[rule[0]]
        say(f"note: {cls}>={fmt_threshold(rule[1], EXACT_DIGITS)} is above 0.5: it gives {cls} less often than "
            f"the most probable class does (a film can be most probably {cls} below it), so it finds fewer "
            f"{cls} films, not more")
    if rule is not None:
        fewer_of_the_other(m.labels, rule)


def fewer_of_the_other(labels: list[str], rule: tuple[int, float]) -> None:
    """Say that a two-class model's rule below 0.5 on its normal class finds fewer films of the other class: a
    high-sensitivity rule typed on the wrong class (Normal=0.3 for COVID=0.3) gave 'COVID' only above 0.7, and
    nothing said that it now missed more COVID films, not fewer."""
    if rule[1] >= 0.5 or len(labels) != 2 or not is_normal_class(labels[rule[0]]):
        return
    normal, other = labels[rule[0]], labels[1 - rule[0]]
    said = fmt_threshold(rule[1], EXACT_DIGITS)
    say(f"note: {normal}>={said} is below 0.5 on the normal class: it gives {other} only where {other}'s "
        f"probability is above {Decimal(1) - Decimal(said)}, so it finds fewer {other} films, not "
        f"more; a rule that finds more {other} films is --threshold {other}=P")


def tell_model(m, model: Path) -> None:
    """Say what the file lacks or is (no metadata, no input check, synthetic, failed gate) and what a probability is."""
    from edge.output import said_name  # a newline in the file's path forged a line, an ESC ran on the terminal

    named = said_name(str(model))
    foreign = m.meta.get("foreign")
    if foreign:
        from edge.model_graph import foreign_feed

        say(f"warning: {named} has no cxr-edge metadata: it runs with the --labels given but without "
            "calibration, preprocessing settings from the file, input check or self-test; it is given "
            f"{foreign_feed(getattr(m, 'input_scale', '0..255'))}")
        if clipped := getattr(m, "input_clipped", None):
            say(f"warning: {named}: {clipped}")
    elif m.typicality is None:  # else silence would read as "every film looked like a chest film"
        say(f"note: {named} carries no input check: images unlike the training films (not a chest "
            f"film, inverted, a scanned form) get a label without a warning, unless a DICOM film's header says it is "
            f"no frontal chest film ({no_input_check_why(m.meta)})")
    if m.meta.get("synthetic_data"):
        say(f"note: this model was trained on {synthetic_words(m.meta)}; its output means nothing for real X-rays")
    if gate_failed := failed_gate(m.meta):  # a file kept beside the one that passed, copied here by mistake?
        say(f"warning: {named}: {gate_failed}")
    if (where := chance_verdict(m.meta)) != "above":  # a file at chance gave its answers without a word
        say(f"warning: {named}: on its test split its balanced accuracy's interval "
            + ("lies wholly below chance: it was systematically wrong there, as if labels were swapped"
               if where == "below" else "reaches chance: its answers may not tell the classes apart")
            + " (edge-classify --card gives its figures)")
    if sharp := calibration_warning(m.meta):  # the demo model's 1.0000 for any film, said nowhere (hunt 58, M1)
        say(f"warning: {named}: {sharp}")
    # Once a run, beside the answers: "COVID 0.93" reads as a 93% chance that this patient has COVID. A model of
    # drawings alone was calibrated on drawings, and its card gives no prevalence (a clinic's means nothing for
    # them): the note promised both, of films (review 73, clinician)
    drawn = not foreign and drawn_only(m.meta)
    calibrated = ("uncalibrated: " if foreign else "calibrated on cxr-synth's drawings, not on films: " if drawn
                  else "calibrated on films whose mix of classes is not your clinic's: ")
    card = ("" if foreign else " (edge-classify --card says what the model scored on drawings)" if drawn
            else " (edge-classify --card says what the model scored, and at which prevalence)")
    say("note: research software, not a medical device; a probability is the model's score, " + calibrated
        + "not this patient's chance of disease" + card + normal_note(m.labels))


def flagged_too(meta: dict) -> str:
    """How often the file's input check flags an ordinary film, from its own validation images where it
    stored the share (a small training set's check flags far more than the 1 in 100 once said of all)."""
    share = flagged_share(meta)
    if share is None:
        return "some ordinary films are flagged too"
    return own_flags_words(share)
