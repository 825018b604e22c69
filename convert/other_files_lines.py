"""report.md's lines on the model files in the run folder that a conversion did not score
(convert.run_files.other_model_files): report.md must not read as if it described every file there."""

from __future__ import annotations

from convert.report_text import md_code


def other_files_lines(rows: list[dict]) -> list[str]:
    """A line each for the files an earlier call made, those cxr-convert did not make (no cxr-edge metadata),
    and those whose metadata cannot be read (damaged or cut short: neither whose they are nor what they hold can
    be told, and no conversion removes them)."""
    md: list[str] = []
    if ours := [f for f in rows if not f.get("foreign") and not f.get("damaged")]:
        md += ["**Also in this folder, not scored by this conversion** (an earlier call's; each file's card, "
               "`edge-classify --card`, holds the figures it was scored with): "
               + "; ".join(f"{md_code(f['file'])} ({f['mode'] or '?'}, converted {f['converted'] or '?'}"
                           + (", with a stored rule" if f["rule"] else "")
                           + ("" if f["fingerprints"] else ", without fingerprints") + ")" for f in ours)
               + ".", ""]
    if foreign := [f["file"] for f in rows if f.get("foreign")]:
        md += ["**Also in this folder, not made by cxr-convert** (no cxr-edge metadata: no labels, calibration, "
               "self-test or card; not scored): " + ", ".join(map(md_code, foreign)) + ".", ""]
    if damaged := [f["file"] for f in rows if f.get("damaged")]:
        md += ["**Also in this folder, damaged or cut short** (their cxr-edge metadata cannot be read; not scored; "
               "convert again or copy them again): " + ", ".join(map(md_code, damaged)) + ".", ""]
    return md
