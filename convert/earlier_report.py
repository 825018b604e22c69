"""The earlier report a default report folder holds, where it is of other films or another model. cxr-evaluate and
cxr-compare name their folder after the data folder alone (RUN/site-report, DATA-compare), so model_int8 then
model_fp32 on one site, or two sites' folders both named test/, report into one folder: the first was replaced
unsaid. Each command says what it replaces ("note: replacing the report on ...") and how to keep both (--out)."""

from __future__ import annotations

from pathlib import Path


def other_report(out_dir: Path, data_dir: Path, model: Path) -> str | None:
    """What the report in ``out_dir`` is of, where it is another data folder's ('the report on ...') or
    another model file's ('the report of ...'): model_int8 then model_fp32 on one site both report into
    RUN/site-report, and the first was replaced unsaid. None where it is this one's, or none."""
    from edge.atomic import read_json
    from edge.names import exact_name

    try:
        before = read_json(out_dir / "report.json")
        data, scored = str(exact_name(before, "data_dir")), str(exact_name(before, "model") or "")
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if Path(data).resolve() != data_dir.resolve():
        return f"the report on {data}"
    if scored and Path(scored).resolve() != model.resolve():
        return f"the report of {scored}"
    return None


def other_comparison(out_dir: Path, data_dir: Path, model_a: Path, model_b: Path) -> str | None:
    """What the comparison in ``out_dir`` is of, where it is of other models or another data folder:
    the default folder is named after the data folder alone, and one comparison replaced another unsaid."""
    from edge.atomic import read_json
    from edge.names import exact_name

    try:
        before = read_json(out_dir / "compare.json")
        was = [Path(str(exact_name(before, k))).resolve() for k in ("model_a", "model_b", "data_dir")]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if was[2] != data_dir.resolve():
        return f"the comparison on {before['data_dir']}"
    if was[:2] != [model_a.resolve(), model_b.resolve()]:
        return f"the comparison of {before['model_a']} and {before['model_b']}"
    return None
