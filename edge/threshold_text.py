"""Reading a rule typed as text: edge-classify's --threshold COVID=0.2 and cxr-convert's --operating-point COVID=0.95.

One CLASS=VALUE reader for both, so that the same text names the same class in each: the class matches as a folder
does (edge.class_key: covid and COVID-19 mean COVID), and the rule as the tools print it (COVID>=0.2) reads back.
"""

from __future__ import annotations

from edge.class_key import same_class_key
from edge.comma_list import decimal_comma_hint


def class_and_value(text: str, labels: list[str], option: str, value_name: str, example: float) -> tuple[int, float]:
    """'COVID=0.2' -> (index of COVID, 0.2) for a CLASS=VALUE option; a clear ValueError otherwise.
    The class matches as a folder does (covid and COVID-19 mean COVID), where one label has its key."""
    name, sep, value = text.partition("=")
    name = name.strip()
    head, _, tail = text.rpartition("=")
    if (held := _label_holding_equals(head, labels)) is not None:
        name, value = held, tail
    elif text.count("=") > 1:  # COVID=0.95,Normal=0.9: one rule, for one class
        raise ValueError(f"{option} takes one CLASS={value_name.upper()} (one class's rule), e.g. {labels[0]}={example:g}; "
                         f"got {text!r}")
    if not sep:
        raise ValueError(f"{option} wants CLASS={value_name.upper()}, e.g. {labels[0]}={example:g}; got {text!r}")
    if name not in labels and name.endswith(">"):  # COVID>=0.15, the rule as the CSV's rule column and notes print it
        name = name[:-1].rstrip()
    if name not in labels and any(ch in name for ch in "<>!"):  # COVID<=0.9 read as COVID>=0.9 ('<' is no letter)
        raise ValueError(f"{option} takes CLASS={value_name.upper()} or CLASS>={value_name.upper()}, e.g. "
                         f"{labels[0]}={example:g}; got {text!r}: a rule has no other comparison (it gives the class "
                         "whenever its probability reaches the threshold)")
    same = [k for k, c in enumerate(labels) if c.casefold() == name.casefold()]  # covid=0.3 means COVID
    if len(same) != 1:
        same = [k for k, c in enumerate(labels) if same_class_key(c) == same_class_key(name)]  # covid-19 too
    if name not in labels and len(same) != 1:
        raise ValueError(f"{option}: {name!r} is not one of the model's classes ({', '.join(labels)})")
    try:
        return labels.index(name) if name in labels else same[0], float(value)
    except ValueError:
        raise ValueError(f"{option}: {value!r} is not a {value_name} between 0 and 1{decimal_comma_hint(value)}") from None


def _label_holding_equals(head: str, labels: list[str]) -> str | None:
    """The label ``head`` (what comes before a CLASS=VALUE's last '=') names where that label holds '=' itself ('=X':
    cxr-train takes such a folder), also as the CSV's rule cell gives it ("'=X>": the apostrophe is the
    spreadsheet's formula guard); else None."""
    head = head.strip()
    for name in (head, head[:-1].rstrip() if head.endswith(">") else head):
        for n in (name, name[1:] if name.startswith("'") else name):
            if "=" in n and n in labels:
                return n
    return None


def parse_threshold(text: str, labels: list[str]) -> tuple[int, float]:
    """'COVID=0.2' -> (index of COVID, 0.2); a clear ValueError for anything else."""
    k, p = class_and_value(text, labels, "--threshold", "probability", 0.3)
    if not 0.0 < p < 1.0:
        raise ValueError(f"--threshold: the probability must lie strictly between 0 and 1, got {p}")
    return k, p
