"""MANIFEST.csv's label or class column against the films' class folders: the films it names another class
for, and the one warning that says so (cxr-train, its --add-data folders, cxr-evaluate's site folders). The
folder decides a film's class; a sheet that disagrees is a mistake in one or the other, which only a person can
tell, so it is said rather than followed.
"""

from __future__ import annotations

from pathlib import Path

from edge.figures import counted
from edge.output import said_name
from train.class_names import same_class_key
from train.manifest import manifest_key


def label_disagreements(items: list, rows: dict[str, dict[str, str]]) -> list[tuple[str, str]]:
    """(path, MANIFEST.csv's label) of each film whose row's label or class column names another
    class than its ``label`` (its class folder's, or the class an --add-data folder was mapped to)."""
    out = []
    for it in items:
        row = rows.get(manifest_key(it.path)) or {}
        said = next((v for c, v in row.items() if c.lower() in ("label", "class") and v), None)
        if said is not None and same_class_key(said) != same_class_key(it.label):
            out.append((it.path, said))
    return out


def disagreement_warning(data_dir: Path, disagree: list[tuple[str, str]]) -> str:
    """The warning line for those films, the first named: the class folder wins, so the user checks which is right."""
    path, said = disagree[0]
    n = len(disagree)  # one film: "for 1 film ... is not its class folder's"
    return (f"warning: for {counted(n, 'film')} in {said_name(str(data_dir))} the label in MANIFEST.csv is not "
            f"{'its' if n == 1 else 'their'} class folder's (e.g. {said_name(str(path))}: {said_name(str(said))}); the folder decides the class: check "
            "which is right")
