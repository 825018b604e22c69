"""A threshold chosen on a site's films (cxr-evaluate --operating-point), in words: what it costs or cannot hold
(site_rule_warnings, site_rule_costs), that it flatters the model where it was chosen with films the model saw
(seen_rule_line), and the refusal of films that cannot measure what it costs the other classes: films of its class
alone, or lacking some of the model's other classes (check_site_films). The sentences it shares with a rule
cxr-convert stores are convert.rule_notes'.
"""

from __future__ import annotations

from convert.rule_notes import less_sensitive_line, shortfall_line, swamps_line
from edge.decision import EXACT_DIGITS, labelling
from edge.figures import counted


def site_rule_warnings(site: dict, labels: list[str]) -> list[str]:
    """cxr-evaluate's warnings (after 'cxr-evaluate: warning: ') about the threshold chosen on a
    site's films (convert.operating_point.site_operating_point). Its threshold, here and in site_rule_costs and
    seen_rule_line, is printed to EXACT_DIGITS (_rule): it is a film's own probability (0.21875736), and at 4 digits
    (0.2187) a film at 0.21874 in predictions.csv read as one it calls, beside counts that leave it out."""
    d = site["decision"]
    out = [line] if (line := seen_rule_line(site)) else []
    warn = less_sensitive_line({**d, "versus_most_probable": site.get("versus_most_probable")}, "these films",
                               digits=EXACT_DIGITS)
    if warn:
        out.append(warn)
    return out + site_rule_costs(site, labels)


def site_rule_costs(site: dict, labels: list[str]) -> list[str]:
    """Those of site_rule_warnings that say what the site's rule costs or cannot hold (its target out of reach, most
    films of the other classes called its class, classes not measured): report.md's threshold section gives them as
    warnings beside its figures (convert.rule_sections.site_point_section), which say the other two in their own
    words. A rule calling 50 of 60 Normal films COVID went to the devices with the warning on stderr alone."""
    d, nf = site["decision"], site["next_films"]
    out = []
    if line := shortfall_line(d, nf["tp"], nf["tp"] + nf["fn"], nf.get("sensitivity"),
                              digits=EXACT_DIGITS):  # a 1 + 1 film site: 0.5
        out.append(line)
    spec = nf.get("specificity")
    if spec is None:  # no film of another class: nothing says what the rule costs them
        n = d["chosen_films"]["n_positive"]
        out.append(f"{_rule(d)} was chosen on {counted(n, 'film')} that {'is' if n == 1 else 'are'} "
                   + one_class_reason(d["class"], labels, n == 1) + " before storing it (--save-model)")
    else:
        # said before the file is written: a full disk may yet keep it from being saved
        stored = f" (to be stored in {site['saved_to']})" if site.get("saved_to") else ""
        if line := swamps_line(d, spec, nf["fp"], nf["fp"] + nf["tn"], labels, "these films", "", stored,
                               others=site.get("others_on_site"), digits=EXACT_DIGITS):
            out.append(line)
        if missing := site.get("missing_classes"):
            out.append(f"{_rule(d)} was chosen on films that "
                       + some_classes_reason(missing, site["classes_present"], labels.index(d["class"]), labels)
                       + " before storing it (--save-model)")
    return out


def seen_rule_line(site: dict) -> str | None:
    """Where a site's rule was chosen with films the model was trained or validated on (--keep-seen), that it and
    what it promises flatter the model; None otherwise."""
    seen, d = site.get("seen"), site["decision"]
    if not seen:
        return None
    n = d["chosen_films"]["n_positive"] + d["chosen_films"]["n_negative"]
    return (f"{_rule(d)} was chosen on {n} films, "
            f"{seen['cases'] + seen['others']} of which the model was trained or validated on ({seen['cases']} {d['class']}, "
            f"{seen['others']} other{'' if seen['others'] == 1 else 's'}; --keep-seen): it answers them better than it will the site's next films, so the rule's "
            "figures here and what it is expected to give on the next films are optimistic; run without --keep-seen to "
            "choose it on the films the model did not see")


def one_class_reason(cls: str, labels: list[str], one: bool = False) -> str:
    """Why a threshold chosen on films of ``cls`` alone must not be stored, after "... films that are" (``one``: after
    "... 1 film that is", which read '1 films that are all COVID: they hold')."""
    others = "/".join(c for c in labels if c != cls)
    return ((f"{cls}: it holds" if one else f"all {cls}: they hold")
            + f" no film of the other classes ({others}), so what the threshold costs them cannot be measured (README: "
            "a Normal threshold chosen on 120 children's healthy films alone left a model finding 28 of 66 COVID "
            "films); add films of every class")


def check_site_films(films: list[str], k: int, labels: list[str], where: str, saving: bool) -> None:
    """Refuse (ValueError) to choose class k's threshold on a site's films (their labels, ``films``)
    that hold none of class k, or, when the rule is to be saved, nothing but class k."""
    cls, n = labels[k], len(films)
    if cls not in films:
        held = f"the one film in {where} is not {cls}" if n == 1 else f"none of the {n} films in {where} is {cls}"
        raise ValueError(f"--operating-point: {held}, so there is no {cls} film to choose a threshold on; add {cls} films")
    if saving and all(f == cls for f in films):
        raise ValueError(f"--save-model: the {counted(n, 'film')} in {where} {'is' if n == 1 else 'are'} "
                         + one_class_reason(cls, labels, n == 1))
    if saving and (missing := missing_others(films, k, labels)):
        raise ValueError(f"--save-model: the {n} films in {where} " + some_classes_reason(missing, films, k, labels))


def missing_others(films: list[str], k: int, labels: list[str]) -> list[str]:
    """The model's classes other than k of which these films (their labels) hold none."""
    return [c for i, c in enumerate(labels) if i != k and c not in films]


def some_classes_reason(missing: list[str], films: list[str], k: int, labels: list[str]) -> str:
    """Why a threshold chosen on films lacking some of the other classes (``missing``) is not to be
    stored, after "... the N films in X": its specificity counts the others present alone, and the
    classes it most likely takes films from may be among the missing ones."""
    counted = " and ".join(c for i, c in enumerate(labels) if i != k and c in films)
    return (f"hold no {' or '.join(missing)} film, so what the threshold for {labels[k]} costs "
            f"{'them' if len(missing) > 1 else 'those'} cannot be measured: its specificity counts {counted} films "
            "alone; add films of every class")


def _rule(d: dict) -> str:
    """'the rule COVID whenever p >= 0.218757361': the site's threshold to EXACT_DIGITS, as its counts count it."""
    return f"the rule {labelling(d, EXACT_DIGITS)}"
