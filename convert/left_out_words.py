"""The answers the films of left-out class folders got (convert.left_out), in words: report.md's section "Classes
left out" (a row per folder, and per model for cxr-compare, each share with its 95% interval) and the one stderr
line per folder that cxr-evaluate, cxr-compare and cxr-convert print. Kept apart from the scoring, which reads
films and runs models; these only say what it found."""

from __future__ import annotations

from convert.report_text import md_cell
from edge.figures import fixed
from edge.output import said_name
from train.manifest import NOT_GIVEN


def _share(c: dict) -> str:
    if c["share"] is None:
        return "-"
    lo, hi = c["share_ci"]
    return f"{c['films']:,} ({fixed(c['share'], 0, 100)}%, {fixed(lo, 0, 100)}-{fixed(hi, 0, 100)})"


def answers_section(answers: dict[str, dict] | dict[str, dict[str, dict]], labels: list[str],
                    models: list[str] | None = None,
                    lead: str | None = None,
                    csv_name: str | None = None, whose: str | None = None,
                    keep: str = "--keep-seen keeps them") -> list[str]:
    """report.md's section on the left-out folders' films: the answers they got, in a table. With
    ``models`` (cxr-compare: ["A", "B"]), ``answers`` holds each model's answers_by_folder, and each
    folder has a row per model; ``csv_name`` is the file that lists the films one by one; ``whose``
    training the seen films came from (default: the model, or either model); ``keep``: how the
    command at hand keeps seen films (cxr-convert has no --keep-seen)."""
    by_model = {m: answers[m] for m in models} if models else {"": answers}
    if not any(by_model.values()):
        return []
    flagged = any(a["flagged_by_input_check"] is not None for per in by_model.values() for a in per.values())
    from train.class_names import same_class_key

    if lead is None:  # a folder of the model's own class left out (--class-map Normal=-) is no class it lacks
        keys = {same_class_key(c) for c in labels}
        own = [f for f in next(iter(by_model.values())) if same_class_key(f) in keys]
        lead = "These films are in no figure above: the model has no answer for their class."
        if own:
            others = len(own) < len(next(iter(by_model.values())))
            lead = (f"These films are in no figure above. {', '.join(map(md_cell, own))}: the model's own class"
                    f"{'es' if len(own) > 1 else ''}, left out with --class-map FOLDER=-, so "
                    f"{'their' if len(own) > 1 else 'its'} sensitivity is not measured"
                    + ("; the other folders: the model has no answer for their class." if others else "."))
    md = ["## Classes left out", "",
          f"{lead} In use it gives each such film one of its own answers all the same; the table shows which "
          "(percent, 95% interval)" + (f", and {csv_name} lists them film by film" if csv_name else "") + ". A film of such a finding "
          "called Normal is reported as Normal, often with a high probability: to this model Normal means only none "
          "of its other classes, never 'no disease'; one called another disease is a false call of that disease."
          + (" The rows under a folder (…) split its films by source: one archive's films of a finding may get "
             "other answers than another's." if any("by_source" in a for a in next(iter(by_model.values())).values())
             else ""), "",
          "| Folder | films | " + ("model | " if models else "") + " | ".join(f"called {md_cell(c)}" for c in labels)
          + (" | flagged by the input check" if flagged else "") + " |",
          "|---|---:|" + ("---|" if models else "") + "---:|" * (len(labels) + flagged)]
    first = next(iter(by_model.values()))
    for folder in first:
        for m, per in by_model.items():
            a = per[folder]
            md.append(f"| {md_cell(folder)} | {a['films']:,} | " + (f"{m} | " if models else "")
                      + " | ".join(_share(a["called"][c]) for c in labels)
                      + (f" | {'-' if a['flagged_by_input_check'] is None else format(a['flagged_by_input_check'], ',')}"
                         if flagged else "") + " |")
        for src in first[folder].get("by_source", {}):
            for m, per in by_model.items():
                b = per[folder]["by_source"][src]
                md.append(f"| … {md_cell(src or NOT_GIVEN)} | {b['films']:,} | " + (f"{m} | " if models else "")
                          + " | ".join(_share(b["called"][c]) for c in labels) + (" | " if flagged else "") + " |")
    if seen := {f: a["seen_in_training"] for f, a in first.items() if a.get("seen_in_training")}:
        whose = whose or ("either model" if models else "the model")
        kept = next(iter(first.values())).get("seen_kept")
        md += ["", ("Among these films, ones " if kept else "Left out of this table, as films ") + f"{whose} was trained or "
               "validated on (the same films or copies): " + "; ".join(f"{n:,} of {md_cell(f)}" for f, n in seen.items())
               + (". Their answers flatter it (--keep-seen kept them)." if kept else
                  ". Their answers would flatter it, or, where it learnt them under another label, say nothing of a "
                  "finding it never saw; " + keep + ".")]
    if unread := {f: a["unreadable"] for f, a in first.items() if a["unreadable"]}:
        md += ["", "Not read: " + "; ".join(f"{n:,} file{'' if n == 1 else 's'} of {md_cell(f)}" for f, n in unread.items())
               + " (stderr gives each reason)."]
    if framed := {f: a["multi_frame_films"] for f, a in first.items() if a.get("multi_frame_films")}:
        md += ["", "**Warning (the films):** Of several frames that are not all the same (a dual-energy set, a multi-page "
               "TIFF, an animated image): " + "; ".join(f"{n:,} film{'' if n == 1 else 's'} of {md_cell(f)}"
                                                         for f, n in framed.items())
               + ". Each is scored on its frame 1 alone, as edge-classify reads it, and counted in its folder's shares "
               "above: check that frame 1 is the film meant (not a bone or soft-tissue image)"
               + (f"; {csv_name}'s frames column gives each one's count." if csv_name else ".")]
    return md + [""]


def answers_line(folder: str, a: dict, labels: list[str], why: str = "left out of the figures", whose: str = "it") -> str:
    """One stderr line per left-out folder: the answers its films got, each share with its 95% interval as report.md
    gives it ('COVID 24 (48%, 35-61)': on 50 films a bare 48% read as exact). ``whose``: who saw the films left out
    ("that either model" where cxr-compare looked in both models at once: not a fact about each)."""
    seen = a.get("seen_in_training")
    return f"{said_name(folder)} ({a['films']:,} film{'' if a['films'] == 1 else 's'}, {why}) called " + ", ".join(
        f"{c} {_share(a['called'][c]) if a['films'] else a['called'][c]['films']}" for c in labels) + (f"; {seen:,} more {whose} was trained or validated on left out" if seen and
                            not a.get("seen_kept") else f"; {seen:,} of them seen in training (--keep-seen)" if seen else "")
