"""Every film of a run read once (scan): its SHA-256, perceptual hashes, copy codes, audit traits and model input,
in arrays that hold one copy of the inputs (Scan); a film that cannot be read is skipped with its reason, never
stopping the run. Also where a recorded film's file is found again (film_file), in either Unicode spelling."""

from __future__ import annotations

import hashlib
import os
import unicodedata
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from edge.borders_contrast import inside_borders
from edge.preprocess import (OUT_OF_MEMORY, ImageError, PreprocessConfig, bordered_input, first_line, read_film,
                             read_image_file)
from edge.runtime import usable_cores
from train.audit import file_traits
from train.code_distance import CODE
from train.crop_copies import CHECK_FROM, GUESSES, SIEVE_SIDE, crop_print
from train.data import Item
from train.hygiene import THUMB, copy_code, fingerprint
from train.progress import progress_bar
from train.synthetic_mark import is_synthetic_film


@dataclass
class Scan:
    """Every usable file decoded once: model inputs, content hashes and perceptual hashes."""

    items: list[Item]
    x: np.ndarray
    dhash: np.ndarray
    thumbs: np.ndarray
    skipped: list[dict]
    traits: list[dict[str, str]]  # train.audit.file_traits plus the source, per usable file
    crops: tuple[np.ndarray, ...] = ()  # train.crop_copies.crop_print per usable file, each part stacked
    drawn: np.ndarray | None = None  # per usable file, whether it is a cxr-synth drawing (train.synthetic_mark)

    def take(self, keep: np.ndarray) -> "Scan":
        """The scan of the files where ``keep`` is True (skipped files stay listed). The inputs are
        moved up in place, a block at a time, rather than copied (a second copy of 20,000 films'
        inputs was 1 GB): this scan's own arrays are then spent, so use the one returned."""
        if np.all(keep):
            return self
        idx = np.flatnonzero(keep)
        for start in range(0, len(idx), 1024):  # each row moves to a place at or before its own: safe in order
            part = idx[start:start + 1024]
            self.x[start:start + len(part)] = self.x[part]
        return Scan([self.items[i] for i in idx], self.x[:len(idx)], self.dhash[idx], self.thumbs[idx], self.skipped,
                    [self.traits[i] for i in idx], tuple(a[idx] for a in self.crops),
                    None if self.drawn is None else self.drawn[idx])


def film_file(root: str | Path, path: str) -> Path:
    """The file of a film recorded (split.json, run.json) as ``path`` under ``root``: as spelt, else in the other
    Unicode form where that is there. A folder copied through HFS+ or a Mac's zip spells 'é' decomposed (NFD), and
    cxr-train takes it as the same films (train.film_changes), but cxr-convert, its cache gone, called the film
    missing ("no such file") while it was there. Neither there: as spelt, so that the error names the recorded path."""
    first = Path(root) / path
    if os.path.lexists(first):
        return first
    for form in ("NFC", "NFD"):
        if (other := unicodedata.normalize(form, path)) != path and os.path.lexists(Path(root) / other):
            return Path(root) / other
    return first


def _bytes_sha256(path: Path) -> dict[str, str]:
    """{"sha256": the file's bytes'} for a film that could not be decoded, or {} where its bytes cannot be read."""
    try:
        return {"sha256": hashlib.sha256(read_image_file(path)).hexdigest()}
    except (OSError, ImageError, MemoryError):
        return {}


def scan(data_dir: Path, items: list[Item], config: PreprocessConfig, progress: bool = True,
         crops: bool = False) -> Scan:
    """Read each file once: SHA-256, perceptual hash, and the model input via edge.preprocess;
    with ``crops``, what the search for cropped and mirrored copies needs (train.crop_copies:
    10.7 KB and about 5 ms a film).

    Unreadable files are skipped with their reason (one bad file does not stop training). A film's uniform borders
    are found once, as edge.preprocess.read_film checks it, for its audit trait and its model input alike: up to
    0.54.0 the two trimmed it again each (three border searches a film; benchmarks/scan_path.py).
    """
    def one(it: Item):
        path = film_file(data_dir, it.path)
        try:
            data = read_image_file(path)  # a broken link or a FIFO: a reason in words, never a hang
            gray, borders = read_film(data, path)  # its borders found once, as its checks read it (see scan's doc)
            traits = {"source": it.source, **file_traits(data, gray, inside_borders(gray, borders).shape)}
            return (hashlib.sha256(data).hexdigest(), *fingerprint(gray), bordered_input(gray, borders, config), traits,
                    copy_code(gray).hex(), crop_print(gray) if crops else (), is_synthetic_film(it.path, data))
        except (ImageError, OSError) as e:
            return str(e)
        except Exception as e:  # whatever else fails is this file's reason to be skipped, as in edge.batch.decode
            return OUT_OF_MEMORY if isinstance(e, MemoryError) else f"cannot decode ({type(e).__name__}: {first_line(e)})"

    n = len(items)
    x = np.empty((n, config.size, config.size, config.channels), np.uint8)  # in place: no lists + np.stack
    thumbs = np.empty((n, THUMB * THUMB), np.float32)
    prints = (np.empty((n, SIEVE_SIDE ** 2), np.float32), np.empty((n, len(GUESSES), CODE), np.uint8),
              np.empty((n, CODE), np.uint8), np.empty((n, CHECK_FROM, CHECK_FROM), np.uint8)) if crops else ()
    hashes, read, drawn, traits, skipped = np.zeros(n, np.uint64), np.zeros(n, bool), np.zeros(n, bool), [{}] * n, {}

    def keep(k: int, res: tuple | str) -> None:  # film k's results in row k; the rows are closed up at the end
        if isinstance(res, str):  # its bytes' SHA-256 where they read: a copy repaired later with its old date is seen
            skipped[k] = {"path": items[k].path, "error": res, **_bytes_sha256(film_file(data_dir, items[k].path))}
            return
        items[k].sha256, items[k].near = res[0], res[5]
        hashes[k], thumbs[k], x[k], traits[k], drawn[k], read[k] = res[1], res[2], res[3], res[4], res[7], True
        for part, value in zip(prints, res[6]):
            part[k] = value

    alone = []
    bar = progress_bar(n, "reading images", progress)
    with ThreadPoolExecutor(max_workers=min(8, usable_cores() * 2)) as pool:
        for k, res in enumerate(pool.map(one, items)):
            bar.update(1)
            if res == OUT_OF_MEMORY:  # short of memory beside the others: decoded again alone, as edge.batch does
                alone.append(k)
            else:
                keep(k, res)
    bar.close()
    for k in alone:  # the pool has ended: one film at a time
        res = one(items[k])
        keep(k, f"{OUT_OF_MEMORY} (also alone: this film needs more memory than is free)" if res == OUT_OF_MEMORY else res)
    return Scan(list(items), x, hashes, thumbs, [skipped[k] for k in sorted(skipped)], traits, prints, drawn).take(read)
