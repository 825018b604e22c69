"""Whether a run's films changed since it listed them: each film's path, label, size and date (film_stamps,
data_fingerprint in run.json), the files that give their sources (sources_digest), and how many were added,
removed or changed (films_changed). cxr-train reuses a finished run, teacher or data phase only where they
did not change; cxr-convert refuses a run whose films changed since training."""

from __future__ import annotations

import hashlib
import json
import os
import unicodedata
from pathlib import Path
from typing import Any

from edge.atomic import DamagedFile, read_json
from train.data import DataError
from train.scan import film_file
from train.split_rules import version_of
from edge.output import said_name


# The first cxr-edge whose every run.json holds "data_fingerprint" (null for a student of an older teacher):
# a later run.json without it was edited or damaged, not made before the record.
FINGERPRINT_SINCE = (0, 14, 0)


class RecordDamaged(DamagedFile, DataError):
    """A run's record of its films (run.json's or prepared.json's data_fingerprint) that is there but cannot be
    read: whether the films changed cannot be told. A record that is not there (a run older than it) is None."""

    def __str__(self) -> str:  # said after the run's folder: "the run in OUT: its run.json's record ..."
        return f"its {self.path.name}'s record of its films is damaged ({self.why})"


def _fingerprint(run_dir: Path, record: str) -> tuple[dict, dict] | None:
    """(the run's record, its data_fingerprint) from ``run_dir``/``record``; None where the run has no record of
    its films (its file is gone, or it predates FINGERPRINT_SINCE); RecordDamaged where its shape is not the one
    written: checked here once, so that what reads it after is no guess (and a bug there is no 'older run')."""
    path = Path(run_dir) / record
    try:
        run = read_json(path)
    except FileNotFoundError:
        return None
    except DamagedFile as e:
        raise RecordDamaged(path, e.why) from None
    except OSError as e:
        raise RecordDamaged(path, f"{type(e).__name__}: {e}") from None
    if "data_fingerprint" not in run:
        version = version_of(run.get("cxr_edge_version"))
        if version is not None and version >= FINGERPRINT_SINCE:
            raise RecordDamaged(path, f"no data_fingerprint, which cxr-edge {run['cxr_edge_version']} records")
        return None
    done = run["data_fingerprint"]
    if done is None:  # a student of a teacher older than the record: none to compare
        return None
    if not isinstance(done, dict):
        raise RecordDamaged(path, f"its data_fingerprint is {type(done).__name__}, not a JSON object")
    wrong = [k for k, kind in (("sha256", str), ("taken_ns", int)) if not isinstance(done.get(k), kind)
             or isinstance(done.get(k), bool)]
    if wrong:
        raise RecordDamaged(path, f"its data_fingerprint has no {' or '.join(wrong)}")
    return run, done


def film_stamps(root: Path, items: list) -> dict[str, tuple[str, int, int]]:
    """Each film found (path as recorded, relative to ``root`` or absolute) -> (label, size,
    mtime_ns): what a changed data folder changes, read from the file system without decoding."""
    stamps = {}
    for it in items:
        try:
            st = os.stat(Path(root) / it.path)
            stamps[it.path] = (it.label, st.st_size, st.st_mtime_ns)
        except OSError:  # gone since it was listed: still a film of this listing, with no size
            stamps[it.path] = (it.label, -1, -1)
    return stamps


def _listing_sha256(rows: list) -> str:
    return hashlib.sha256(json.dumps(sorted(rows), separators=(",", ":")).encode()).hexdigest()


def data_fingerprint(stamps: dict[str, tuple[str, int, int]], taken_ns: int) -> dict:
    """run.json's record of the films a run was trained from: a SHA-256 of every film's path,
    label, size and modification time, another without the times, and when they were listed
    (``taken_ns``), so that a later call can tell whether the data changed and roughly how
    (films_changed), and tell a copy that only changed the dates (``cp -r``, rsync without -t)."""
    return {"sha256": _listing_sha256([[p, *v] for p, v in stamps.items()]),
            "sizes_sha256": _listing_sha256([[p, label, size] for p, (label, size, _) in stamps.items()]),
            "files": len(stamps), "taken_ns": taken_ns}


def sources_digest(folders: list[str | Path], items: list | None = None) -> str:
    """SHA-256 of what gives the films their sources: each folder's MANIFEST.csv and the Kaggle
    database's *.metadata.xlsx, by their bytes (a copy that only changed their dates is the same).
    A source fixed there changes the split's sources, --holdout-source and the shortcut audit.
    With ``items`` (the run's films), only the sheets of class folders that hold one of them: a sheet of a class
    left out (Lung_Opacity.metadata.xlsx unpacked beside a COVID,Normal run) gives none of its films a source,
    and counted as a change it trained the finished run again, or refused it where it was converted."""
    from train.kaggle_metadata import metadata_files
    from train.manifest import manifest_path
    from train.side_file import SideFileError, read_side_file

    used = None if items is None else _class_folders_used(folders, items)
    h = hashlib.sha256()
    for k, folder in enumerate(folders):
        sheets = {c: p for c, p in metadata_files(Path(folder)).items() if used is None or c in used[k]}
        found = [p for p in [manifest_path(folder)] if p] + sorted(sheets.values())
        for p in found:
            h.update(f"{k}/{p.name}\0".encode("utf-8", "surrogateescape"))
            try:
                h.update(hashlib.sha256(read_side_file(p)).digest())
            except (OSError, SideFileError):  # a FIFO or /dev/zero in its place: said where the sources are read
                h.update(b"unreadable")
    return h.hexdigest()


def _class_folders_used(folders: list[str | Path], items: list) -> list[set[str]]:
    """Per folder, the names of its top-level folders that hold a film of ``items``: --data's films by their
    relative paths, an --add-data folder's by their absolute ones (train.extra_data, under the resolved folder)."""
    roots = [Path(f).resolve() for f in folders]
    used: list[set[str]] = [set() for _ in roots]
    for it in items:
        path = Path(it.path)
        if not path.is_absolute():
            used[0].add(path.parts[0])
            continue
        for k, root in enumerate(roots):
            if path.is_relative_to(root) and path != root:
                used[k].add(path.relative_to(root).parts[0])
                break
    return used


def sources_changed(run_dir: Path, folders: list[str | Path], record: str = "run.json",
                    items: list | None = None) -> bool:
    """Whether the sources' files (sources_digest, of ``items``' class folders where given) changed since the run in
    ``run_dir`` listed its films (in its ``record``); False for a run that did not record them (cxr-edge 0.20.0 and
    older). A digest of every sheet, as 0.45.0 and older recorded it, counts as unchanged too.
    RecordDamaged where the record is there but cannot be read: a damaged one is not "not changed"."""
    found = _fingerprint(run_dir, record)
    if found is None:
        return False
    done = found[1].get("sources_sha256")
    if done is not None and not isinstance(done, str):
        raise RecordDamaged(Path(run_dir) / record, f"its sources_sha256 is {done!r}, not a SHA-256")
    return done is not None and done != sources_digest(folders, items) and done != sources_digest(folders)


def _recorded(run_dir: Path, run: dict) -> tuple[dict[str, str | None], dict[str, str]]:
    """(path -> label, None for a skipped file; path -> SHA-256 of its bytes) as the run recorded them."""
    before: dict[str, str | None] = {}
    sha: dict[str, str] = {}
    try:  # a damaged split.json spoils the counts only: the films did change
        split = json.loads((Path(run_dir) / "split.json").read_text())
        for i in (i for v in split["splits"].values() for i in v):
            before[i["path"]] = i["label"]
            if "sha256" in i:
                sha[i["path"]] = i["sha256"]
        before.update({f["path"]: None for f in run.get("skipped_files", []) if f["path"] not in before})
        hygiene = run.get("data_hygiene") or {}
        # listed, read, then left out: copies across folders, and the held-out patients' films filed elsewhere
        for c in [*hygiene.get("cross_folder_copies", []), *(hygiene.get("holdout_left_out") or {}).get("films", [])]:
            before[c["file"]], sha[c["file"]] = c["label"], c["sha256"]
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        pass
    return before, sha


def _same_bytes(root: Path, path: str, sha256: str | None) -> bool:
    if sha256 is None:
        return False
    try:
        return hashlib.sha256(film_file(root, path).read_bytes()).hexdigest() == sha256
    except OSError:
        return False


def repaired(run: dict, root: Path | None) -> int:
    """How many of the files a run could not read (its skipped_files, with their bytes' SHA-256 from cxr-edge 0.39.0)
    hold other bytes now: a failed copy restored from a backup keeps its old date and size, so the run's record of
    its films did not change, and every rerun said "nothing to do" and skipped the good film again."""
    if root is None:
        return 0
    count = 0
    for f in run.get("skipped_files") or []:
        if isinstance(f, dict) and isinstance(f.get("sha256"), str) and isinstance(f.get("path"), str):
            try:
                count += hashlib.sha256(film_file(root, f["path"]).read_bytes()).hexdigest() != f["sha256"]
            except OSError:  # unreadable still, or gone (the record's sizes say that)
                pass
    return count


def films_changed(run_dir: Path, stamps: dict[str, tuple[str, int, int]], root: Path | None = None,
                  log: Any = None, record: str = "run.json") -> tuple[int, int] | None:
    """(added, removed or changed) films between the finished run in ``run_dir`` and ``stamps``
    (the films found now under ``root``); (0, 0) when they are the same; None when its run.json
    predates the data fingerprint. Paths and labels come from its split.json and skipped files; a
    film whose path and label are unchanged counts as changed when it was modified after the run
    listed its films. When only dates changed (same names, labels and sizes: a copied data folder),
    the films' bytes are compared with the SHA-256 the split recorded, so an hour's teacher is not
    trained again for a ``touch``; ``log`` says so, as reading every film takes a while. ``record``:
    the file that holds the run's data_fingerprint (train.prepared's, for a run not finished). RecordDamaged
    where that record is there but cannot be read or lacks what it holds: whether the films changed cannot be
    told, and a damaged record is never taken for an older run's (whose teacher was reused)."""
    found = _fingerprint(run_dir, record)
    if found is None:
        return None
    run, done = found
    now = data_fingerprint(stamps, done["taken_ns"])
    if now["sha256"] == done["sha256"]:
        return 0, repaired(run, root)
    before, sha = _recorded(run_dir, run)
    # a film's path as the run spelt it, where they differ only in how accents are written (a Mac folder's
    # 'Pneumoni\u0301a' renamed 'Pneumonía': the same films, counted as all added and all removed)
    spelt = {unicodedata.normalize("NFC", q): q for q in before}
    on_disk = {spelt.get(unicodedata.normalize("NFC", p), p): p for p in stamps}
    stamps = {spelt.get(unicodedata.normalize("NFC", p), p): v for p, v in stamps.items()}
    # labels are stored composed (NFC); a run of 0.34.0 or before kept a Mac folder's decomposed spelling
    stamps = {p: (before[p] if isinstance(before.get(p), str) and unicodedata.normalize("NFC", before[p]) == v[0]
                  else v[0], *v[1:]) for p, v in stamps.items()}
    now = data_fingerprint(stamps, done["taken_ns"])
    if now["sha256"] == done["sha256"]:
        return 0, repaired(run, root)
    if root is not None and now["sizes_sha256"] == done.get("sizes_sha256") and set(before) == set(stamps):
        if log:  # the record holds one digest of every date, not each film's: which films' dates changed is not known
            since = sum(mtime >= done["taken_ns"] for _, _, mtime in stamps.values())
            log(f"films' dates are not as when the run in {said_name(str(run_dir))} listed them" + (
                f" ({since} of the {len(stamps)} dated since)" if since else "")
                + f", with the same names, classes and sizes: comparing the bytes of all {len(stamps)} with the ones "
                "it was trained on")
        # An unreadable file has no recorded bytes: changed only if written since (it may read now).
        changed = sum(not _same_bytes(root, on_disk[p], sha.get(p)) if before[p] is not None
                      else mtime >= done["taken_ns"] for p, (_, _, mtime) in stamps.items())
        return 0, changed
    added = sum(p not in before for p in stamps)
    gone = sum(p not in stamps for p in before)
    changed = sum(before[p] not in (None, label) or mtime >= done["taken_ns"]
                  for p, (label, _, mtime) in stamps.items() if p in before)
    # A film replaced by one with an older date escapes the count, not the fingerprint: one at least.
    return added, gone + changed if added or gone + changed else 1
