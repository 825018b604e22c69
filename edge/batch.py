"""Batch classification: expand paths, decode in worker threads while the interpreter runs.

Decoding (zlib, JPEG, resize) releases the GIL in Pillow, so worker threads keep the
interpreter fed and a folder is classified about as fast as it can be decoded. One bad file
becomes an error Result; it never stops the batch.
"""

from __future__ import annotations

import os
from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator, Protocol

import numpy as np

from edge.capped_repr import error_text
from edge.decode_budget import DecodeGate, decode_budget, film_cost
from edge.dicom_start import DICOM_SUFFIXES
from edge.film_files import image_files, is_image_name
from edge.heap_trim import trim_after
from edge.runtime import usable_cores
from edge.preprocess import OUT_OF_MEMORY, ImageError, PreprocessConfig, first_line, preprocess_file, short_of_memory


@dataclass
class Result:
    file: str
    probabilities: np.ndarray | None = None
    error: str | None = None
    atypical: bool | None = None  # unlike the training images (edge.typicality), or header_says; None: no check
    header_says: str | None = None  # why its DICOM header says it is no frontal chest film (edge.dicom_view)
    input_check: bool | None = None  # the input check's own verdict, which atypical hides where header_says flags it
    explanation: dict | None = None  # edge.explain.explain_file's {map, evidence_at_border}, with --explain
    image: np.ndarray | None = None  # the model input, kept only when classify_files is asked to (keep_inputs)
    frames: int | None = None  # the file's frame count, where it has several not all the same: frame 1 was classified


class Classifier(Protocol):
    preprocess: PreprocessConfig

    def classify(self, batch: np.ndarray) -> np.ndarray: ...


def expand_inputs(args: Iterable[str], recursive: bool = False, linked: list[str] | None = None,
                  masks: list[str] | None = None) -> tuple[list[str], list[Result]]:
    """Turn files and folders into a deterministic list of files, plus errors for missing ones.

    Folders contribute their image files (edge.film_files.is_image_file) in sorted order; files named
    explicitly are tried whatever their suffix. Symlinked sub-folders are not followed, so a symlink
    loop cannot make the walk endless; those passed over are appended to ``linked``, mask sub-folders to ``masks``.
    """
    files: list[str] = []
    errors: list[Result] = []
    for arg in args:
        p = Path(arg)
        try:
            is_dir = p.is_dir()
        except OSError as e:  # a name too long, a folder on the way without permission: this path's error, never the batch's
            errors.append(Result(arg, error=f"cannot look at this path ({e.strerror or e})"))
            continue
        if is_dir:
            unreadable: list[OSError] = []
            files.extend(image_files(p, recursive, unreadable, linked, masks))
            # a folder that cannot be listed hides its films: an error, never a silent skip
            errors.extend(Result(e.filename or arg, error=f"cannot read this folder ({e.strerror or e})")
                          for e in unreadable)
        elif p.exists() or p.is_symlink():
            files.append(arg)
        else:
            errors.append(Result(arg, error="no such file or folder"))
    return files, errors


def decode(path: str, config: PreprocessConfig) -> np.ndarray | str:
    """Preprocess one file, or return the reason it cannot be used."""
    try:
        return preprocess_file(path, config)
    except ImageError as e:
        return str(e)
    except Exception as e:  # a decoder bug must not end the batch
        return OUT_OF_MEMORY if short_of_memory(e) else f"cannot decode ({type(e).__name__}: {first_line(e)})"


def decode_film(path: str, config: PreprocessConfig, refuse: bool = False) -> tuple[np.ndarray | str | None, str | None]:
    """:func:`decode`, and why the film's DICOM header says it is no frontal chest film (edge.dicom_view), if it does.
    The header first: with ``refuse`` (--refuse-atypical) a film it flags is not decoded (None), since a CT the
    device had no codec for was refused as 'cannot decode', and a 4096² mammogram decoded in full to be refused."""
    from edge.dicom_view import film_header_says

    says = film_header_says(path) if os.path.isfile(path) else None  # a FIFO is never opened twice
    if says and refuse:
        return None, says
    x = decode(path, config)
    return x, says if isinstance(x, np.ndarray) else None


def decode_counted(path: str, config: PreprocessConfig, refuse: bool = False) -> tuple[np.ndarray | str | None, str | None,
                                                                                      int | None]:
    """:func:`decode_film`, and for a film decoded, its frame count where it holds several frames not all the same
    (edge.frames): only its first is classified, and the answer must say so."""
    from edge.frames import differing_frames

    x, says = decode_film(path, config, refuse)
    return x, says, differing_frames(path) if isinstance(x, np.ndarray) and os.path.isfile(path) else None


def decode_paced(path: str, config: PreprocessConfig, refuse: bool = False,
                 gate: DecodeGate | None = None) -> tuple[np.ndarray | str | None, str | None, int | None]:
    """:func:`decode_counted`, started once the films decoding beside it leave room for it (edge.decode_budget):
    four large 16-bit films decoded at once held 1 to 1.7 GB on a Pi. After a large film the memory its decode
    freed goes back to the system (edge.heap_trim), not kept in this thread's arena for the next."""
    if gate is None or gate.budget is None:
        return decode_counted(path, config, refuse)
    cost = film_cost(path)
    gate.enter(cost)
    try:
        return decode_counted(path, config, refuse)
    finally:
        gate.leave(cost)
        trim_after(cost)


def _submit(pool: ThreadPoolExecutor, path: str, config: PreprocessConfig, refuse: bool = False,
            gate: DecodeGate | None = None) -> Future:
    """Decode ``path`` in a worker thread, or here where no thread can be started (a process limit, a
    tight address space on a small board): the batch ended with "can't start new thread" and no answer."""
    try:
        return pool.submit(decode_paced, path, config, refuse, gate)
    except RuntimeError:
        done: Future = Future()
        done.set_result(decode_counted(path, config, refuse))
        return done


def classify_files(model: Classifier, paths: list[str], workers: int | None = None, window: int = 32,
                   keep_inputs: bool = False, refuse_header: bool = False,
                   gate: DecodeGate | None = None) -> Iterator[Result]:
    """Yield one Result per path, in order, decoding ahead in threads while the model runs; a film that ran
    out of memory beside the others is decoded once more alone, after them (as --threads 1 would: films
    that each fit failed together, and a watch's retry failed them together again).
    ``keep_inputs``: each Result also carries its model input (for edge.explain, without decoding again);
    ``refuse_header`` (--refuse-atypical): a film its DICOM header flags is refused undecoded. ``gate``: how
    many films decode at once within the memory free (default: a share of what is free now, edge.decode_budget)."""
    workers = workers or min(4, usable_cores())
    gate = gate or DecodeGate(decode_budget() if workers > 1 else None)
    if any(os.path.splitext(p.rstrip())[1].lower() in DICOM_SUFFIXES or not is_image_name(os.path.basename(p))
           for p in paths):  # .dcm, or no image suffix at all: DICOM's names
        _load_dicom_support()
    pool = ThreadPoolExecutor(max_workers=workers)
    alone: list[str] = []
    try:
        pending: deque[tuple[str, Future]] = deque()
        it = iter(paths)
        for path in it:
            pending.append((path, _submit(pool, path, model.preprocess, refuse_header, gate)))
            if len(pending) >= window:
                break
        while pending:
            path, fut = pending.popleft()
            nxt = next(it, None)
            if nxt is not None:
                pending.append((nxt, _submit(pool, nxt, model.preprocess, refuse_header, gate)))
            x, says, frames = fut.result()
            if isinstance(x, str) and x == OUT_OF_MEMORY and workers > 1:
                alone.append(path)
                continue
            yield _answer(model, path, x, keep_inputs, says, frames)
        if alone:  # one worker, as --threads 1 has: decoded in this thread, the first film failed again (ulimit -v)
            pool.shutdown(wait=True)
            pool = ThreadPoolExecutor(max_workers=1)
        for path in alone:
            x, says, frames = _submit(pool, path, model.preprocess, refuse_header).result()
            if isinstance(x, str) and x == OUT_OF_MEMORY:  # still "out of memory...": a watch tries it once more
                x = f"{OUT_OF_MEMORY}, also alone, as with --threads 1: this film needs more memory than is free"
            yield _answer(model, path, x, keep_inputs, says, frames)
    finally:  # stopped (Ctrl-C, SIGTERM, a reader gone): the films queued are not decoded for nothing
        pool.shutdown(wait=True, cancel_futures=True)


def _load_dicom_support() -> None:
    """Import pydicom here, in the main thread, before the decode workers start: imported in a worker under an
    address-space limit (ulimit -v), it crawled for minutes holding the GIL (glibc could not reserve the
    worker's own 64 MB arena: a failed mmap for every small allocation), and SIGTERM went unheard."""
    try:
        import pydicom.pixels  # noqa: F401
    except Exception:  # noqa: BLE001 - not installed, or no memory: each DICOM film's decode says so
        pass


def _answer(model: Classifier, path: str, x: np.ndarray | str | None, keep_inputs: bool, says: str | None = None,
            frames: int | None = None) -> Result:
    """The Result for ``path`` from its model input, or from the reason it has none; ``says``: why its DICOM
    header says it is no frontal chest film, which flags it as atypical with or without an input check (refused,
    undecoded, where ``x`` is None); ``frames``: its frame count, where only the first of differing frames was read."""
    if x is None:
        return Result(path, error=f"refused: {says}", atypical=True, header_says=says)
    if isinstance(x, str):
        return Result(path, error=x)
    try:
        check = getattr(model, "atypical", lambda _: None)(x[None])
        with np.errstate(invalid="ignore", over="ignore"):  # said below, per film, not as numpy's warning
            p = model.classify(x[None])[0]
    except Exception as e:
        return Result(path, error=f"inference failed ({type(e).__name__}: {error_text(e)})")
    if not np.all(np.isfinite(p)):  # a label from NaN would be argmax's first class, not an answer
        return Result(path, error="inference failed (the model gave no finite output: NaN or infinity)")
    verdict = None if check is None else bool(check[0])
    return Result(path, probabilities=p, atypical=True if says else verdict, header_says=says, input_check=verdict,
                  image=x if keep_inputs else None, frames=frames)
