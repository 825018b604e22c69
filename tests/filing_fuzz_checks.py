"""The checks and runs of tests/filing_fuzz.py's sequences: what the tester made, snapshotted before each run of
``python -m train.file_by_label`` (in process) and compared after it, with the class folders, MANIFEST.csv and the
exit codes (the invariants I1-I4 there; I5: no class spelt in two folders of OUT where every run exited 0)."""

from __future__ import annotations

import contextlib
import csv
import io
import os
import shutil
import traceback
from collections import Counter
from pathlib import Path

from tests.filing_fuzz_steps import cwd_of, litter_gone, sheet_path
from tests.filing_fuzz import World, _digest, _user_class_files, apply, build, gen_ops, labelled
from train.file_by_label import main
from train.label_spellings import spelling_key


def snapshot(w: World) -> dict[str, tuple]:
    """Every file the tester made, as it is now: all outside OUT, the user's files and the backup in OUT."""
    seen = {}
    for top, dirs, names in os.walk(w.base):
        rel_top = os.path.relpath(top, w.base)
        if rel_top == w.out:
            dirs[:] = [d for d in dirs if d == "backup"]
            names = [n for n in names if n == "notes.txt"]
        for name in names + [d for d in dirs if os.path.islink(os.path.join(top, d))]:
            p = os.path.join(top, name)
            rel = os.path.normpath(os.path.join(rel_top, name)).replace(w.out + "/", "OUT/", 1)
            seen[rel] = ("link", os.readlink(p)) if os.path.islink(p) else ("file", _digest(p))
    for rel in _user_class_files(w):
        if os.path.isfile(w.O / rel):  # one removed is missing here: I1
            seen["OUT/" + rel] = ("file", _digest(w.O / rel))
    return seen

def filed(w: World) -> Counter:
    """(class folder, bytes) of each file in OUT's class folders, the user's own left out."""
    have, users = Counter(), set(_user_class_files(w))
    for folder in sorted(os.listdir(w.O)):
        d = w.O / folder
        if folder.startswith(".") or folder == "backup" or not d.is_dir() or d.is_symlink():
            continue
        for name in sorted(os.listdir(d)):
            if f"{folder}/{name}" not in users and os.path.isfile(d / name):
                have[(folder, _digest(d / name))] += 1
    return have


def check_step(w: World, before: dict, results: list[tuple[str, int | None, str]]) -> list[str]:
    """The invariants' violations after the step's runs (``results``: sheet, exit code or None, what was said)."""
    bad = [f"I4 {s}: raised {said}" for s, rc, said in results if rc is None]
    after = snapshot(w)
    bad += [f"I1 {rel}: {'removed' if rel not in after else 'changed'}" for rel, v in before.items()
            if after.get(rel) != v and not litter_gone(w, rel)]
    manifest = w.O / "MANIFEST.csv"
    if manifest.exists():
        with open(manifest, newline="", encoding="utf-8-sig") as f:
            bad += [f"I3 MANIFEST.csv names {row.get('file')!r}, not there" for row in csv.DictReader(f)
                    if not (w.O / row.get("file", "")).is_file()]
    have = _by_key(filed(w))
    for s, rc, _ in results:
        if rc != 0 or s not in w.sheets:
            continue
        want, unlabelled = labelled(w, s)
        want = _by_key(want)
        for digest in {d for _, d in want} | unlabelled:
            got = Counter({k: n for k, n in have.items() if k[1] == digest})
            exp = Counter({k: n for k, n in want.items() if k[1] == digest})
            if got != exp:
                bad.append(f"I2 {s} exit 0: film {digest} filed {dict(got)}, labelled {dict(exp)}")
    if results and all(rc == 0 for _, rc, _ in results):
        want = _by_key(sum((labelled(w, s)[0] for s in w.sheets), Counter()))
        if have != want:
            bad.append(f"I2 all exit 0: class folders hold {dict(have - want)} beyond the sheets', "
                       f"lack {dict(want - have)}")
        folders = [d for d in os.listdir(w.O) if not d.startswith(".") and d != "backup" and (w.O / d).is_dir()]
        if len({spelling_key(d) for d in folders}) < len(folders):  # cxr-train refuses OUT: one class in two folders
            bad.append(f"I5 all exit 0: class folders {sorted(folders)} spell one class twice")
    return bad


def _by_key(films: Counter) -> Counter:
    """(class, bytes) counts with each class folder by its spelling key: which spelling of a label a class folder
    takes (the sheet's first row's, or the one OUT has already) is the command's choice; one folder a class is I5."""
    keyed = Counter()
    for (folder, digest), n in films.items():
        keyed[(spelling_key(folder), digest)] += n
    return keyed


def run_sheets(w: World) -> list[tuple[str, int | None, str]]:
    """Each sheet run, from the world's working directory where it has one (the sheet and --out relative to it)."""
    results, here, cwd = [], os.getcwd(), cwd_of(w)
    for sheet in sorted(w.sheets):
        buf = io.StringIO()
        given = [os.path.relpath(p, cwd) if cwd else str(p) for p in (sheet_path(w, sheet), w.O)]
        try:
            os.chdir(cwd or here)
            with contextlib.redirect_stdout(buf), contextlib.redirect_stderr(buf):
                rc = main([given[0], "--out", given[1]])
        except Exception:  # noqa: BLE001 - I4: main never raises
            rc, buf = None, io.StringIO(traceback.format_exc())
        finally:
            os.chdir(here)
        results.append((sheet, rc, buf.getvalue()))
    return results


def run_sequence(base: Path, seed: int, ops: list[tuple] | None = None, steps: int = 8
                 ) -> tuple[list[tuple], list[str], list, list]:
    """(the operations, the first violations with the step they came at, each step's exit codes, what the failing
    step's runs said) of one sequence."""
    shutil.rmtree(base, ignore_errors=True)
    base.mkdir(parents=True)
    w = build(base, seed)
    ops = gen_ops(seed, len(w.films), steps) if ops is None else ops
    log = []
    for step, op in enumerate([("none",)] + list(ops)):
        apply(w, op)
        before = snapshot(w)
        results = run_sheets(w)
        log.append((op, [(s, rc) for s, rc, _ in results]))
        if bad := check_step(w, before, results):
            return ops, [f"step {step} {op}: {b}" for b in bad], log, results
    return ops, [], log, []
