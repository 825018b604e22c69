"""A cached part's films of several frames not all the same, kept in its cache's stamp beside the rows.

cxr-convert scores a run's test split (and held-out source) from its cache (train.cache), without reading a film,
but counted each film's frames from its header on every call (edge.frames.differing_frames, for the report's
multi_frame_films): every test film opened again, over a network share or a slow disk too, and a report that lost
its frame counts where the data folder was unmounted or unreadable (an unreadable film gives no count), though its
figures were the same. The counts are kept in the stamp (cache/PART.json) once read, for the films the stamp's digest
names (their paths and SHA-256, as split.json recorded them) and for the cxr-edge that counted them (a later one
may compare frames otherwise): a cache written anew drops them, and they are counted again.

The counts come from the films as they are when first counted, as the rows come from the films as they were when
decoded: a film changed under its name since is not what was scored, and its header would not say what was.
"""

from __future__ import annotations

from pathlib import Path

from edge import __version__
from edge.atomic import DamagedFile, read_json, write_json
from edge.frames import differing_frames
from edge.preprocess import PreprocessConfig
from train.cache import _films_digest, stamp_path
from train.data import Split


def part_frames(run_dir: Path, split: Split, part: str, config: PreprocessConfig, keep: bool = True) -> dict[str, int]:
    """Each film of ``split``'s ``part`` of several frames not all the same: its frame count, in the part's order
    (convert.frame_films.frame_counts' answer), from the part's cache stamp where it holds them for these films, else
    read from the films' headers and, with ``keep`` (a caller that holds the run folder), kept in the stamp."""
    items = split.parts[part]
    digest = _films_digest(items, config)
    path = stamp_path(run_dir, part)
    try:
        stamp = read_json(path)
    except (OSError, DamagedFile):
        stamp = None
    kept = stamp.get("frames") if stamp is not None else None
    if (isinstance(kept, dict) and kept.get("films") == digest and kept.get("cxr_edge") == __version__
            and isinstance(counts := kept.get("counts"), dict)
            and all(isinstance(n, int) and not isinstance(n, bool) and n > 1 for n in counts.values())):
        return {i.path: counts[i.path] for i in items if i.path in counts}
    counts: dict[str, int] = {}
    opened = True
    for i in items:
        try:
            n = differing_frames(Path(split.data_dir) / i.path, unopened=True)
        except OSError:  # gone, unreadable or unmounted: no count, as ever, but none kept in place of its own
            n, opened = None, False
        if n:
            counts[i.path] = n
    if keep and opened and stamp is not None and stamp.get("films") == digest:  # the stamp of these films' rows
        try:
            write_json(path, {**stamp, "frames": {"films": digest, "cxr_edge": __version__, "counts": counts}})
        except OSError:
            pass  # a convenience, as the cache is: the next call reads the headers again
    return counts
