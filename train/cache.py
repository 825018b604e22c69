"""A run's frozen split as model inputs: cached once as uint8 arrays beside split.json, so that
cxr-convert, the student and the benchmarks never decode the films again, and decoded from the
files (checked against the SHA-256 the split recorded) where the cache is missing."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from pathlib import Path

import numpy as np

from edge.atomic import DamagedFile, atomic_path, read_json, temporary_file, write_json
from edge.figures import counted
from edge.preprocess import DECODE_RULES, PreprocessConfig, first_line
from train.data import DataError, Item, Split, stderr_note
from train.scan import scan
from edge.output import said_name

WAY = "To train on the films as they are now, "  # how changed_films_way begins


def labels_of(items: list[Item], classes: list[str]) -> np.ndarray:
    index = {c: k for k, c in enumerate(classes)}
    return np.array([index[i.label] for i in items], dtype=np.int64)


def cache_path(run_dir: Path, part: str) -> Path:
    return Path(run_dir) / "cache" / f"{part}.npy"


def _films_digest(items: list[Item], config: PreprocessConfig) -> str:
    """Which films, in which order, preprocessed how: what a part's cached rows must stand for."""
    h = hashlib.sha256(json.dumps(config.to_dict(), sort_keys=True).encode())
    for i in items:
        h.update(f"\n{i.path}\t{i.sha256}".encode("utf-8", "surrogateescape"))
    return h.hexdigest()


def _array_digest(x: np.ndarray) -> str:
    return hashlib.sha256(memoryview(np.ascontiguousarray(x)).cast("B")).hexdigest()  # no copy of the part


def save_cache(run_dir: Path, part: str, x: np.ndarray, items: list[Item] | None = None,
               config: PreprocessConfig | None = None, learnt_otherwise: str | None = None) -> None:
    """Cache one part's model inputs (uint8) so later commands need not decode again; with the
    part's ``items`` and ``config``, a stamp beside it says which films its rows are and the rows'
    own SHA-256, so that a cache replaced, reordered or damaged is decoded again, not scored.
    ``learnt_otherwise``: decoded_otherwise's warning, kept in the stamp and said by every command that
    reads the cache, until the run is trained again (it was said once, and the old rows that showed it
    were gone)."""
    with atomic_path(cache_path(run_dir, part)) as tmp, open(tmp, "wb") as f:
        _write_npy(f, x)
    if items is not None and config is not None:
        write_json(stamp_path(run_dir, part), {"films": _films_digest(items, config), "array": _array_digest(x),
                                               "decode_rules": DECODE_RULES,
                                               **({"learnt_otherwise": learnt_otherwise} if learnt_otherwise else {})})


def save_cache_from(source_dir: Path, run_dir: Path, part: str, x: np.ndarray, items: list[Item],
                    config: PreprocessConfig) -> None:
    """save_cache, linking ``source_dir``'s cache of these very rows (a student's teacher, whose split it
    holds) rather than writing them again: at the Kaggle database's size that was 350 MB kept twice.
    A cache is only ever replaced by a rename, so the two folders' files never change together; where
    the disk makes no links (FAT, some network shares), or the teacher's rows differ, they are written."""
    src = cache_path(source_dir, part)
    if src.is_file() and _cache_matches(source_dir, part, x, items, config):
        with contextlib.suppress(OSError):
            dst = cache_path(run_dir, part)
            with temporary_file(dst) as tmp:
                tmp.unlink()
                os.link(src, tmp)
                os.replace(tmp, dst)
            # the rows' stamp too: _cache_matches found it to be what _stamp would write (hashing 350 MB again)
            write_json(stamp_path(run_dir, part), read_json(stamp_path(source_dir, part)))
            return
    save_cache(run_dir, part, x, items, config)


def _write_npy(f, x: np.ndarray, chunk_bytes: int = 16 << 20) -> None:
    """``np.save``'s file, a chunk of rows at a time through Python's file object: no second copy of
    the part in memory, and a write that does not fit raises the system's error (No space left on
    device, File too large), which atomic_path names the file for. np.save's own write to a real file
    raised "131072 requested and 3968 written", with neither."""
    x = np.ascontiguousarray(x)
    np.lib.format.write_array_header_1_0(f, np.lib.format.header_data_from_array_1_0(x))
    rows = max(1, chunk_bytes // max(1, x[0].nbytes if len(x) else 1))
    for i in range(0, len(x), rows):
        f.write(x[i:i + rows].tobytes())


def stamp_path(run_dir: Path, part: str) -> Path:
    return Path(run_dir) / "cache" / f"{part}.json"


def _cache_matches(run_dir: Path, part: str, x: np.ndarray, items: list[Item], config: PreprocessConfig) -> bool:
    """Whether the cached rows are the part's films, decoded by this version's rules, by the stamp
    written with them (cxr-edge 0.23 on, naming its decoding rules after 0.31.0). An older run's cache is not
    taken: its pixels were decoded by older rules (a PNG failing its checksums read, a transparent
    grey laid on white, before 0.25 an inverted DICOM film read as it was stored), which the device no
    longer follows, so its films are decoded again from their files (checked against split.json's SHA-256)."""
    if x.shape != (len(items), config.size, config.size, config.channels):
        return False
    try:
        stamp = read_json(stamp_path(run_dir, part))
    except (OSError, DamagedFile):
        return False
    return (isinstance(stamp, dict) and stamp.get("decode_rules") == DECODE_RULES
            and stamp.get("films") == _films_digest(items, config) and stamp.get("array") == _array_digest(x))


def _cache_matches_films(run_dir: Path, part: str, x: np.ndarray, items: list[Item], config: PreprocessConfig) -> bool:
    """Whether an older-rules cache's rows are the part's films as they were decoded then: its stamp's digests
    hold, whatever rules it names, or it has none (written before 0.23.0, beside the split it was made from)."""
    if x.shape != (len(items), config.size, config.size, config.channels):
        return False
    if not stamp_path(run_dir, part).is_file():
        return True
    try:
        stamp = read_json(stamp_path(run_dir, part))
    except (OSError, DamagedFile):
        return False
    return stamp.get("films") == _films_digest(items, config) and stamp.get("array") == _array_digest(x)


def _older_rules(run_dir: Path, part: str) -> str | None:
    """What the stamp says of a cache decoded by rules this version no longer follows, or None."""
    path = stamp_path(run_dir, part)
    if not path.is_file():
        return "has no stamp (written by a cxr-edge before 0.23.0)"
    try:
        rules = read_json(path).get("decode_rules")
    except (OSError, DamagedFile):
        return None  # unreadable: _cache_matches refuses it, as a damaged stamp (_stamp_damaged), not as older rules
    if rules is None:
        return "was stamped by cxr-edge 0.31.0 or older, without the decoding rules that made its pixels"
    return None if rules == DECODE_RULES else (
        f"was decoded by other rules (version {rules}, this version's are {DECODE_RULES})")


def _stamp_damaged(run_dir: Path, part: str) -> str | None:
    """What is wrong with a cache's stamp that is there but cannot be read ('[]', cut short, no digests), or None:
    the cache is not taken then, and its films were decoded again without a word (on 50,000 films, an hour)."""
    path = stamp_path(run_dir, part)
    if not path.is_file():
        return None  # no stamp: _older_rules says it
    try:
        stamp = read_json(path)
    except OSError as e:
        return f"{said_name(str(path))} cannot be read: {e.strerror or e}"
    except DamagedFile as e:  # it names the file
        return first_line(e)
    if not all(isinstance(stamp.get(k), str) for k in ("films", "array")):
        return f"{said_name(str(path))} is damaged: it holds no digest of the films or of the rows"
    return None


def load_part(run_dir: Path, split: Split, part: str, config: PreprocessConfig,
              progress: bool = True, rewrite: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """(X, y) of one part of the frozen split: from the cache, else decoded from the files and,
    with ``rewrite`` (a caller that holds the run folder), cached again so that the next command
    need not decode them."""
    items = split.parts[part]
    y = labels_of(items, split.classes)
    cache = cache_path(run_dir, part)
    older = None
    if cache.is_file() and (damaged := _stamp_damaged(run_dir, part)):
        stderr_note(f"note: {damaged}, so {said_name(str(cache))} cannot be checked against the split: the {part} "
                    "films are decoded again instead" + (", and cached anew" if rewrite else ""))
    elif cache.is_file() and (older := _older_rules(run_dir, part)):
        stderr_note(f"note: {said_name(str(cache))} {older}: the {part} films are decoded again by this version's "
                    "rules"
                    + (", and cached anew" if rewrite else ""))
    before = None  # an older-rules cache's rows: the pixels the run's model learnt from
    if cache.is_file():
        try:
            x = np.load(cache, allow_pickle=False)
        except (ValueError, EOFError, OSError) as e:  # cut short (a copy stopped), emptied, or not an array
            x = None
            stderr_note(f"note: {said_name(str(cache))} cannot be read ({first_line(e)}): damaged? the {part} films "
                        "are decoded again instead")
        if x is not None and _cache_matches(run_dir, part, x, items, config):
            if isinstance(note := read_json(stamp_path(run_dir, part)).get("learnt_otherwise"), str):
                stderr_note(note)
            return x, y
        before = x if older and x is not None and _cache_matches_films(run_dir, part, x, items, config) else None
    if not Path(split.data_dir).is_dir() and any(not Path(i.path).is_absolute() for i in items):
        raise DataError(f"the data folder of this run's split, {said_name(str(split.data_dir))}, is not there (moved, "
                        "renamed or unmounted?): put it back, or set data_dir in "
                        f"{said_name(str(Path(run_dir) / 'split.json'))} to its new place")
    res = scan(Path(split.data_dir), [Item(i.path, i.label, "", i.source) for i in items], config, progress)
    if res.skipped:  # moved or damaged, or refused by a check newer than the run (DECODE_RULES stays for a refusal)
        they, them = ("it was", "it") if len(res.skipped) == 1 else ("they were", "them")
        raise DataError(f"{counted(len(res.skipped), 'file')} of the {part} split can no longer be read, e.g. "
                        f"{said_name(res.skipped[0]['path'])}: {res.skipped[0]['error']}. If {they} moved or "
                        f"damaged, put {them} back as split.json recorded {them}; where this cxr-edge refuses {them} "
                        f"(a check newer than the run), the run cannot be scored on {them}. "
                        f"{changed_films_way(Path(run_dir))}")
    changed = [a.path for a, b in zip(res.items, items) if a.sha256 != b.sha256]
    if changed:
        raise DataError(f"{counted(len(changed), 'file')} of the {part} split changed since training "
                        f"({'its' if len(changed) == 1 else 'their'} bytes are not the "
                        f"ones split.json recorded), e.g. {said_name(changed[0])}. {changed_films_way(Path(run_dir))}")
    if learnt := before is not None and decoded_otherwise(before, res.x, items, part, cache) or None:
        stderr_note(learnt)
    if rewrite:
        try:
            save_cache(run_dir, part, res.x, items, config, learnt)
        except OSError as e:  # a cache is a convenience: the inputs are in hand
            stderr_note(f"note: {said_name(str(cache))} could not be written again ({e.strerror or e}): later commands "
                        "decode the films again")
    return res.x, y


def decoded_otherwise(before: np.ndarray, now: np.ndarray, items: list, part: str, cache: Path) -> str | None:
    """A warning where films of an older-rules cache (its rows: what the run's model learnt from) decode otherwise
    now, by more than a few grey levels on average: before 0.25 a DICOM film with Presentation LUT Shape INVERSE
    was read inverted, and a run of then, converted now, was scored, gated and given an input check on films it
    never saw that way, without a word (the device then stopped flagging them). None where every film reads alike."""
    diff = np.abs(before.astype(np.float32) - now.astype(np.float32)).reshape(len(now), -1).mean(1)
    moved = np.flatnonzero(diff > 0.02 * max(1.0, float(now.max()) - float(now.min())))
    if not moved.size:
        return None
    return (f"warning: {counted(int(moved.size), f'{part} film')} of {len(now)} {'decodes' if moved.size == 1 else 'decode'} "
            f"otherwise by this version's rules than when the run in {said_name(str(cache.parent.parent))} learnt or was "
            "scored on "
            f"{'it' if moved.size == 1 else 'them'} (its cache was written by an older cxr-edge; e.g. "
            f"{said_name(items[int(moved[0])].path)}; before 0.25.0 a DICOM film with Presentation LUT Shape INVERSE was "
            "read "
            "inverted): the model learnt such films as they were read then, so its figures on them now say little. "
            "Train the run again (cxr-train with --replace) before converting or trusting it")


def _outside_teacher(run_dir: Path) -> Path | None:
    """The teacher a student run was given by --teacher (run.json's teacher.run), where it is not the run's own
    (RUN/teacher: a copied run folder's run.json still names the teacher where the run was trained)."""
    if (run_dir / "teacher" / "run.json").is_file():
        return None
    try:
        teacher = json.loads((run_dir / "run.json").read_text()).get("teacher") or {}
        path = Path(teacher["run"])
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None
    return None if path.resolve() in ((run_dir / "teacher").resolve(), run_dir.resolve()) else path



def changed_films_way(run_dir: Path) -> str:
    """The way forward where films of a run's split no longer hold the bytes it recorded: its figures would be of
    other films. cxr-train notices a changed film by its name, size and date, so one changed at the same size and
    date (a tag editor, a restore that keeps dates) passes it, and the same command says there is nothing to do."""
    if run_dir.name == "teacher" and (run_dir.parent / "split.json").is_file():  # the default recipe's own teacher
        return (f"{WAY}delete {said_name(str(run_dir))} (this teacher: --replace alone would reuse it "
                f"as it is) and run the cxr-train command of {said_name(str(run_dir.parent))} again with --replace, or that command "
                "with --out a new folder")
    outside = _outside_teacher(run_dir)
    if outside is not None:  # a student of --teacher learns from that teacher's split: it goes first
        first = changed_films_way(outside).removeprefix(WAY)
        return (f"{WAY}first train its teacher {said_name(str(outside))} again ({first}), then run this run's cxr-train command again "
                "with --teacher the teacher trained again, with --replace or --out a new folder")
    teacher = (f" after deleting {said_name(str(run_dir / 'teacher'))} (its teacher, which --replace would reuse as it is)"
               if (run_dir / "teacher" / "run.json").is_file() else "")
    return (f"{WAY}run the cxr-train command that made {said_name(str(run_dir))} (its run.json's "
            f"command) again with --out a new folder, or with --replace{teacher}")
