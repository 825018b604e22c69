"""The earlier report a default report folder holds, where it is of other films or another model. cxr-evaluate and
cxr-compare name their folder after the data folder alone (RUN/site-report, DATA-compare), so model_int8 then
model_fp32 on one site, or two sites' folders both named test/, report into one folder: the first was replaced
unsaid. Each command says what it replaces ("note: replacing the report on ...") and how to keep both (--out). So
does a folder given with --out (up to 0.57.0 replaced unsaid: r1 of one site's films became r1 of another's), and the
note says how many films the report it replaces scored, and when, as its report.json (compare.json) records them.

A report records its paths as they were typed (report.md shows them so) and, under ``absolute_paths``, resolved: a
relative ``test`` typed in one site's folder and then in another's (one model's RUN/test-report) named two folders, and
read back from the second it resolved to the second: the first site's report was replaced unsaid."""

from __future__ import annotations

from pathlib import Path

from edge.names import exact_name


def absolute_paths(**paths: Path) -> dict[str, str]:
    """The paths a report is of, resolved (report.json's and compare.json's ``absolute_paths``)."""
    return {k: str(Path(p).resolve()) for k, p in paths.items()}


def _recorded(before: dict, field: str) -> Path:
    """A path an earlier report records, resolved where it was written; a report before ``absolute_paths`` gives it as
    typed, resolved here, which is right where both runs started in one folder."""
    absolute = before.get("absolute_paths")
    given = exact_name(absolute, field) if isinstance(absolute, dict) else None
    return Path(str(given if given is not None else exact_name(before, field))).resolve()


def other_report(out_dir: Path, data_dir: Path, model: Path) -> str | None:
    """What the report in ``out_dir`` is of, where it is another data folder's ('the report on ...') or
    another model file's ('the report of ...'): model_int8 then model_fp32 on one site both report into
    RUN/site-report, and the first was replaced unsaid. None where it is this one's, or none."""
    from edge.atomic import read_json

    try:
        before = read_json(out_dir / "report.json")
        data, scored = exact_name(before, "data_dir"), exact_name(before, "model") or ""
        if not isinstance(data, str) or not isinstance(scored, str):  # damaged: 'the report on None' was said
            return None
        data_at, scored_at = _recorded(before, "data_dir"), scored and _recorded(before, "model")
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if data_at != data_dir.resolve():  # 'test' typed both times: which test/ it was
        return (f"the report on {data_at if data == str(data_dir) else data}"
                + (f" of {scored}" if scored and scored_at != model.resolve() else ""))
    if scored and scored_at != model.resolve():
        return f"the report of {scored}"
    return None


def other_comparison(out_dir: Path, data_dir: Path, model_a: Path, model_b: Path) -> str | None:
    """What the comparison in ``out_dir`` is of, where it is of other models or another data folder:
    the default folder is named after the data folder alone, and one comparison replaced another unsaid."""
    from edge.atomic import read_json

    try:
        before = read_json(out_dir / "compare.json")
        if not all(isinstance(exact_name(before, k), str) for k in ("model_a", "model_b", "data_dir")):
            return None  # damaged: 'the comparison on None' was said
        was = [_recorded(before, k) for k in ("model_a", "model_b", "data_dir")]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if was[2] != data_dir.resolve():
        return f"the comparison on {was[2] if before['data_dir'] == str(data_dir) else before['data_dir']}"
    if was[:2] != [model_a.resolve(), model_b.resolve()]:
        return f"the comparison of {before['model_a']} and {before['model_b']}"
    return None


def held_words(out_dir: Path, record: str) -> str:
    """'12 films, scored 2026-12-08 03:41 UTC', or '': what the earlier report ``record`` (report.json, compare.json)
    in ``out_dir`` scored, and when, for the note that it is replaced; a figure the file lacks is left out."""
    from datetime import datetime, timezone

    from edge.atomic import read_json
    from edge.figures import counted

    try:
        before = read_json(out_dir / record)
    except (OSError, ValueError):
        return ""
    if not isinstance(before, dict):
        return ""
    n = (before.get("metrics") if isinstance(before.get("metrics"), dict) else before).get("n")
    said = [counted(n, "film")] if isinstance(n, int) and not isinstance(n, bool) else []
    try:
        when = datetime.fromisoformat(str(before["provenance"]["scored"])).astimezone(timezone.utc)
        said.append(f"scored {when:%Y-%m-%d %H:%M} UTC")
    except (KeyError, TypeError, ValueError):
        pass
    return ", ".join(said)


def replacing_note(prog: str, other: str, out_dir: Path, record: str, given: bool) -> str:
    """The note that the report folder's earlier report, ``other`` (other_report's, other_comparison's words), is
    replaced: one line, the same for a folder given with --out as for the default one (which is named after the data
    folder alone), with the films it scored and when, so that what is lost is known."""
    from edge.output import said_name

    held = held_words(out_dir, record)
    why = "" if given else "the folder is named after the data folder's name"
    inside = "; ".join(w for w in (held, why) if w)
    return (f"{prog}: note: replacing {other} in {said_name(str(out_dir))}" + (f" ({inside})" if inside else "")
            + f"; give {'another --out' if given else '--out'} to keep both")
