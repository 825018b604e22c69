"""A stored rule, in words: what it was chosen on, whether it can hold its target, what its specificity means.

A file that stores a threshold rule answers by it, not by the most probable class: the card, edge-classify's note
on the rule and cxr-convert's report.md say in these words which films it was chosen on (0.95 met on 2 films is
no 0.95 met on 200), where it calls most films of the other classes its class, and whether the card's counts of
untrained classes' films were made under another labelling (recount_note).
"""

from __future__ import annotations

import json
import re

from edge.controls import CONTROL, escaped
from edge.decision import labelling, same_rule
from edge.rule_shortfall import SPECIFICITY_FLOOR, stored_shortfall_share
from edge.figures import counted, fixed
from edge.names import as_text


def calls_most(spec: list | None, cls: str) -> str:
    """': it calls most films of the other classes COVID' after a rule's specificity ([value, low, high]) under
    SPECIFICITY_FLOOR, else '': the card's rule lines and edge-classify's note on a rule say it in these words."""
    if not (isinstance(spec, list) and spec and isinstance(spec[0], (int, float)) and spec[0] < SPECIFICITY_FLOOR):
        return ""
    return f": it calls {'every film' if spec[0] <= 0 else 'most films'} of the other classes {cls}"


# a site's films as cxr-evaluate --operating-point stores them in a file's decision.chosen_on (convert.evaluate_answers)
SITE_FILMS = re.compile(r"((?:partly )?(?:SYNTHETIC )?)films in (.+) \((\d+), cxr-evaluate\)", re.DOTALL)


def site_films_words(chosen_on: str) -> str:
    """The films a stored rule was chosen on, as people read them: "films in films (100, cxr-evaluate)" (the stored
    text, kept so that files already out there still read) said "100 films of the folder 'films' (cxr-evaluate)",
    which reads one way whatever the folder's name; any other text (the validation split) as it is."""
    m = SITE_FILMS.fullmatch(chosen_on)
    if not m:
        return chosen_on
    kind, folder, n = m.groups()
    return f"{counted(int(n), kind + 'film')} of the folder {_quoted(folder)} (cxr-evaluate)"


def _quoted(folder: str) -> str:
    """'films' in single quotes; a name they cannot hold (O'Brien, a line break, a control character or undecodable
    byte) as edge.output.said_name's JSON string, "O'Brien": 'O'Brien' read as two names, and a line break in it
    missed the pattern and gave the stored text raw, over two lines."""
    if "'" not in folder and not CONTROL.search(folder) and as_text(folder) == folder:
        return f"'{folder}'"
    return as_text(escaped(json.dumps(folder, ensure_ascii=False)))


def chosen_on_words(d: dict) -> str:
    """Which films a stored rule ``d`` was chosen on, with how many of its class where the file holds the count:
    "the validation split's 2 COVID films", "the 60 films of the folder 'eval4' (cxr-evaluate), 15 of them COVID", or "the
    validation split". A 0.95 target met on 2 films is no 0.95 met on 200 (edge-classify's note and the card)."""
    cls, chosen_on = d.get("class"), site_films_words(str(d.get("chosen_on", "validation split")))
    n_pos = (d.get("chosen_films") or {}).get("n_positive") if isinstance(d.get("chosen_films"), dict) else None
    if not isinstance(n_pos, int) or isinstance(n_pos, bool):
        return f"the {chosen_on}"
    return (f"the validation split's {counted(n_pos, f'{cls} film')}" if chosen_on == "validation split"
            else f"the {chosen_on}, {n_pos} of them {cls}")


def shortfall_words(d: dict) -> str:
    """Said after chosen_on_words where the stored rule ``d`` was chosen on so few films of its class that it cannot
    hold its target (edge.rule_shortfall.stored_shortfall_share, cxr-convert's warning): ", too few to hold it: expected to
    find 0.500 of the next ones"; "" otherwise. Its warning was on cxr-convert's stderr and in report.md alone, and
    the card is what goes with the file."""
    expected = stored_shortfall_share(d)
    return "" if expected is None else f", too few to hold it: expected to find {fixed(expected)} of the next ones"


def _threshold_for(rule: dict | None, cls: str, labels: list[str]) -> float | None:
    """The p(cls) above which a film is labelled cls under ``rule`` (None: the most probable class),
    where one threshold says it: any rule of cls, and with two classes the most probable class (0.5)
    or the other class's rule (1 - its threshold); None where no one threshold does."""
    if rule is not None and rule["class"] == cls:
        return float(rule["threshold"])
    if len(labels) != 2:
        return None
    return 0.5 if rule is None else 1.0 - float(rule["threshold"])


def recount_note(card: dict, decision: dict | None, labels: list[str]) -> str:
    """Why the card's counts of untrained classes' films may not be the device's answers: they were
    counted under the labelling the file had before its present rule was stored. Says which labelling,
    and which way the present rule moves the answers where one threshold tells ('' where they hold)."""
    if not card.get("other_classes_before_rule"):
        return ""
    if "other_classes_counted_under" not in card:  # stored by cxr-edge 0.20.0, which did not keep it
        return " (counted before its present rule was stored: under it, the shares may differ)"
    before = card["other_classes_counted_under"]
    if same_rule(before, decision):
        return ""
    cls = (decision or before)["class"]
    t0, t1 = _threshold_for(before, cls, labels), _threshold_for(decision, cls, labels)
    how = ("the shares may differ" if t0 is None or t1 is None or t0 == t1
           else f"more films may get {cls}" if t1 < t0 else f"fewer films may get {cls}")
    now = "the most probable class" if decision is None else "its present rule"
    return f" (counted under {labelling(before)}; under {now}, {how})"
