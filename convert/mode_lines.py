"""cxr-convert's terminal lines on each mode: its figures against Keras, the gate's verdict, and under them the class
whose sensitivity fell furthest, with its paired 95% interval, beside the gate's limits. A CI log showed "gate passed"
with accuracy and balanced accuracy alone, so whether a class had lost 1.9 of the 2 points allowed, or how far 9
films a class leave the true change, needed report.md. A file that stores a rule was judged under it
(convert.gate.gate_under_rule): its worst class is then the one the rule's answers lost most on, said so."""

from __future__ import annotations

from convert.gate import change_text, points_text
from edge.figures import fixed


def worst_class(delta: dict) -> str | None:
    """The class whose sensitivity changed most for the worse (the first of a tie), or None where no class has a
    change (no test film of any)."""
    changes = {c: v for c, v in (delta.get("sensitivity_points") or {}).items() if v is not None}
    return min(changes, key=changes.get) if changes else None


def mode_lines(mode: str, summary: dict, reference: dict, entry: dict, limits: dict) -> list[str]:
    """The lines cxr-convert logs for ``mode`` (``entry``: its report.json entry; ``limits``: the gate's max_drop and
    max_class_drop): the figures and verdict, then the worst class's change and the limits, in the decimals the gate's
    reasons give a drop over its limit (convert.gate.change_text)."""
    gate = entry["gate"]
    verdict = "passed" if gate["passed"] else "FAILED: " + "; ".join(gate["reasons"])
    # balanced accuracy first: the card's and README's headline, which a test set's mix does not move
    lines = [f"{mode}: balanced accuracy {fixed(summary['balanced_accuracy'])} (keras {fixed(reference['balanced_accuracy'])}), "
             f"accuracy {fixed(summary['accuracy'])} (keras {fixed(reference['accuracy'])}), "
             f"agreement {fixed(entry['agreement']['class_agreement'])}, gate {verdict}"]
    delta, cap, which = entry["delta"], limits.get("max_class_drop"), ""
    if ruled := under_rule_delta(gate.get("under_rule")):  # the answers the gate judged: its stored rule's
        delta, which = ruled, " under its rule"
    c = worst_class(delta)
    if c is None:
        return lines
    ci = (delta.get("sensitivity_points_ci") or {}).get(c)
    room = f" (95% CI {ci[0]:+.1f} to {ci[1]:+.1f})" if ci else ""
    lines.append(f"{mode}: worst class{which} {c}: sensitivity {change_text(delta['sensitivity_points'][c], cap)} points{room}, "
                 f"accuracy {change_text(delta['accuracy_points'], limits.get('max_drop'))}; the gate allows a drop of "
                 f"{points_text(limits['max_drop'])} in accuracy, {points_text(cap)} in any class's sensitivity")
    return lines


def under_rule_delta(under: dict | None) -> dict | None:
    """The file's change against Keras under its stored rule (convert.gate.gate_under_rule's ``under_rule``: each
    answered by its own threshold), in points as ``entry["delta"]``, with the paired interval the gate kept of them
    (none in reports written before it kept one); None where the file stores no rule. The worst-class line read the
    most probable class's changes under a gate verdict judged under the rule."""
    if not isinstance(under, dict) or not under.get("keras") or not under.get("file"):
        return None
    keras, file = under["keras"], under["file"]

    def points(a, b):
        return None if a is None or b is None else 100 * (b - a)

    before = {c["class"]: c["sensitivity"] for c in keras["per_class"]}
    return {"accuracy_points": points(keras["accuracy"], file["accuracy"]),
            "sensitivity_points": {c["class"]: points(before.get(c["class"]), c["sensitivity"]) for c in file["per_class"]},
            "sensitivity_points_ci": under.get("sensitivity_points_ci")}
