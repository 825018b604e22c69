"""The films a site's rule (cxr-evaluate --operating-point) was chosen on whose DICOM header says they are no frontal
chest radiograph: counted, and the rule's counts over the films left when they are set aside.

The rule is chosen on every film scored, flagged ones too, because edge-classify answers such films by default (with
a warning): the site's next films will hold them in the same way, so its figures are those of the default device. A
device run with --refuse-atypical answers none of them, and the rule's figures over the films it does answer may
differ (a lateral COVID film scored low pulls the threshold down for all): the report gives those too, so that
neither reading goes unsaid.
"""

from __future__ import annotations

import numpy as np

from convert.report_text import md_cell
from edge.figures import counted


def header_flagged(y: np.ndarray, probs: np.ndarray, k: int, threshold: float, flagged: np.ndarray) -> dict | None:
    """How many of the films the rule for class ``k`` at ``threshold`` was chosen on a DICOM header flags
    (``flagged``, per film) among its class's films ("cases") and the others, with the rule's counts over the
    films not flagged ("answered": convert.roc.rates_at_threshold's fields); None where no film is flagged."""
    from convert.roc import rates_at_threshold

    flagged, positive = np.asarray(flagged, bool), np.asarray(y) == k
    if not flagged.any():
        return None
    kept = ~flagged
    return {"cases": int((flagged & positive).sum()), "others": int((flagged & ~positive).sum()),
            "answered": rates_at_threshold(positive[kept], np.asarray(probs)[kept, k], threshold)}


def header_flagged_line(site: dict) -> str | None:
    """report.md's sentence (under a rule chosen on a site's films) saying that films a DICOM header flags were among
    those it was chosen on, that its figures count them as edge-classify's default answers them, and what the rule
    gives on the films edge-classify --refuse-atypical answers; None where no such film was among them."""
    h, d = site.get("header_flagged"), site["decision"]
    if not h:
        return None
    cls, n = md_cell(d["class"]), h["cases"] + h["others"]
    chosen = d["chosen_films"]["n_positive"] + d["chosen_films"]["n_negative"]
    a = h["answered"]
    cases, others = a["tp"] + a["fn"], a["fp"] + a["tn"]
    found = f"finds {a['tp']} of {counted(cases, f'{cls} film')}" if cases else f"has no {cls} film to find"
    called = f" and calls {a['fp']} of {counted(others, 'film')} of other classes {cls}" if others else ""
    which = ", ".join(part for part in (f"{h['cases']} {cls}" if h["cases"] else "", f"{h['others']} of "
                                          f"{'another class' if h['others'] == 1 else 'other classes'}" if h["others"]
                                          else "") if part)
    # every film it was chosen on flagged (one film, or a site whose headers all say lateral): there is no "other"
    lead = (f"the one film scored here ({which})," if chosen == 1 else
            f"all {chosen} films scored here, {'every one' if n == chosen else f'{n} of them'} ({which})")
    rest = (f": on the other {counted(chosen - n, 'film')} the rule {found}{called}" if chosen > n else
            ", none of the films it was chosen on: these films say nothing of what the rule gives there")
    return (f"It was chosen on {lead} "
            f"{'a film whose DICOM header says it is' if n == 1 else 'films whose DICOM header says they are'} no "
            "frontal chest radiograph: `edge-classify` answers such films by default, with a warning, and the figures "
            f"above count them. Under `--refuse-atypical` it answers none of them{rest}.")
