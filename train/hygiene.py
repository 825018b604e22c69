"""Data hygiene: exact and near-duplicate images, so no image is scored on its own copy.

Public chest X-ray collections re-publish each other's images, re-encoded or resized; a random
split then puts copies on both sides and inflates test scores. Exact copies share a SHA-256;
near copies share a perceptual difference hash (dHash) up to a few bits AND correlate almost
perfectly at 32x32. The hash alone is not enough: chest X-rays all look alike at 8x8 (on
cxr-dev, 8x8 hashes within 6 bits joined 1,050 of 1,372 distinct images into groups), so the
hash only proposes candidates and the thumbnail correlation decides.
"""

from __future__ import annotations

from typing import Iterable

import numpy as np
from PIL import Image

NEAR_DUPLICATE_BITS = 10  # of 64; re-encoded or rescaled copies differ by 0-3
NEAR_DUPLICATE_CORRELATION = 0.98  # distinct cxr-dev images: at most 0.967; a resized copy: 0.9997
THUMB = 32
# A finer dHash that travels with a model (convert.seen), where no thumbnail can: 32 bytes a film.
# On cxr-dev, no two distinct films of 940,506 pairs were within 10 bits of 256 (the closest: 11),
# while rescaled (x0.875 to x4), RGB, JPEG (quality 75 to 95) and gamma-changed copies of 300 films all
# were (at most 10); JPEG at quality 50 and a 0.7 contrast change reach 11 to 13 for a few.
COPY_CODE_SIDE = 16
COPY_CODE_BITS = 10


def fingerprint(gray: np.ndarray) -> tuple[int, np.ndarray]:
    """(dHash, unit-norm zero-mean 32x32 thumbnail) of a grayscale image."""
    t = np.asarray(Image.fromarray(gray).resize((THUMB, THUMB), Image.Resampling.BOX), np.float32).ravel()
    t -= t.mean()
    norm = float(np.linalg.norm(t))
    return dhash(gray), (t / norm if norm > 0 else t)


def dhash(gray: np.ndarray, size: int = 8) -> int:
    """64-bit difference hash: sign of horizontal gradients on a (size+1) x size thumbnail."""
    small = np.asarray(Image.fromarray(gray).resize((size + 1, size), Image.Resampling.BOX), dtype=np.int16)
    bits = (small[:, 1:] > small[:, :-1]).ravel()
    return int(np.packbits(bits).view(">u8")[0])


def copy_code(gray: np.ndarray) -> bytes:
    """256-bit difference hash on a 17x16 thumbnail: equal, up to a few bits, for re-encoded or
    resized copies of one film (see COPY_CODE_BITS)."""
    small = np.asarray(Image.fromarray(gray).resize((COPY_CODE_SIDE + 1, COPY_CODE_SIDE), Image.Resampling.BOX),
                       dtype=np.int16)
    return np.packbits((small[:, 1:] > small[:, :-1]).ravel()).tobytes()


_POPCOUNT = np.array([bin(i).count("1") for i in range(256)], dtype=np.uint8)


def hamming_matrix(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Pairwise Hamming distances between two arrays of uint64 hashes (8 bytes of work per pair,
    through a byte table: unpacking bits would take 64)."""
    x = np.bitwise_xor(np.asarray(a, np.uint64)[:, None], np.asarray(b, np.uint64)[None, :])
    return _POPCOUNT[x.view(np.uint8).reshape(*x.shape, 8)].sum(-1, dtype=np.uint8)


def join(n: int, pairs: Iterable[tuple[int, int]]) -> list[int]:
    """Union-find: for each of n items, its group's id (the group's smallest index), given the
    pairs known to belong together."""
    parent = list(range(n))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, j in pairs:
        ri, rj = find(int(i)), find(int(j))
        if ri != rj:
            parent[max(ri, rj)] = min(ri, rj)
    return [find(i) for i in range(n)]


def duplicate_groups(sha256: list[str], hashes: np.ndarray, thumbs: np.ndarray,
                     max_bits: int = NEAR_DUPLICATE_BITS, min_corr: float = NEAR_DUPLICATE_CORRELATION,
                     cropped: Iterable[tuple[int, int]] = (),
                     mirrored: Iterable[tuple[int, int]] = ()) -> tuple[list[int], dict]:
    """Group ids (union-find) joining exact and near duplicates, and the ``cropped`` and ``mirrored``
    copies found by train.crop_copies; counts for run.json (pairs of each kind, groups, films)."""
    n = len(sha256)
    first: dict[str, int] = {}
    exact = []
    for i, s in enumerate(sha256):
        if s in first:
            exact.append((first[s], i))
        else:
            first[s] = i
    near = []
    hashes = np.asarray(hashes, dtype=np.uint64)
    thumbs = np.asarray(thumbs, dtype=np.float32)
    # Blocks of rows against the films after them: memory stays a block's width whatever the number
    # of films. On chest X-rays an eighth of all pairs are hash candidates, so gathering each pair's
    # thumbnails (the obvious way) took 10 GB at 20,000 films; one matrix product per block does not.
    # The product is only a sieve, with a margin for its rounding: kept pairs are scored pair by pair,
    # as they always were, so the groups do not depend on the block size or the BLAS.
    chunk = 512
    for start in range(0, n, chunk):
        end = min(n, start + chunk)
        close = hamming_matrix(hashes[start:end], hashes[start:]) <= max_bits
        close &= np.arange(start, n)[None, :] > np.arange(start, end)[:, None]
        if not close.any():
            continue
        close &= thumbs[start:end] @ thumbs[start:].T >= min_corr - 1e-4
        rows, cols = np.nonzero(close)
        rows, cols = rows + start, cols + start
        corr = np.einsum("ij,ij->i", thumbs[rows], thumbs[cols]) if len(rows) else np.zeros(0)
        near += [(int(r), int(c)) for r, c in zip(rows[corr >= min_corr], cols[corr >= min_corr])
                 if sha256[r] != sha256[c]]
    cropped, mirrored = _new_pairs(cropped, exact + near), _new_pairs(mirrored, exact + near)
    groups = join(n, exact + near + cropped + mirrored)
    sizes = np.bincount(groups, minlength=n) if n else np.zeros(0, int)
    stats = {"exact_duplicate_pairs": len(exact), "near_duplicate_pairs": len(near),
             "cropped_copy_pairs": len(cropped), "mirrored_copy_pairs": len(mirrored),
             "duplicate_groups": int((sizes > 1).sum()), "images_in_duplicate_groups": int(sizes[sizes > 1].sum()),
             "near_duplicate_rule": f"dHash <= {max_bits} bits and 32x32 correlation >= {min_corr}",
             "cropped_copy_rule": f"copy code of one padded back by 0-6% a side, moved by 2-4% or turned by 2-4 degrees "
                                  f"within {COPY_CODE_BITS} bits of the other's (up to 16 bits with a 24x24 thumbnail "
                                  "correlation of at least 0.98)",
             "mirrored_copy_rule": f"copy code of one's mirror image within {COPY_CODE_BITS} bits of the other's"}
    return groups, stats


def _new_pairs(pairs: Iterable[tuple[int, int]], known: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The pairs, each once, that are not already among ``known`` (either way round)."""
    seen = {tuple(sorted(p)) for p in known}
    return [p for p in dict.fromkeys(tuple(sorted(map(int, p))) for p in pairs) if p not in seen]


UNFOUND_COPIES = ("Copies cut by more than about 6% a side, moved by more than about 4%, turned by more than about 5 "
                  "degrees, or both mirrored and cut are not found, and may sit on both sides of the split.")
# what an older run (cxr-edge 0.15.0 or before) did not look for, and what that may mean
UNSEARCHED_COPIES = ("This run was split before cxr-train looked for cropped, moved, turned or mirrored copies: its test "
                     "split may hold such copies of training films, and then its figures flatter the model.")


def duplicates_text(h: dict) -> str:
    """'12 films are copies of another (5 groups: 2 exact, 3 resized or re-encoded, 1 cropped and 0
    mirrored pairs)' from duplicate_groups' counts: films and groups first, as people count them."""
    kinds = (f"{h.get('exact_duplicate_pairs', 0)} exact, {h.get('near_duplicate_pairs', 0)} resized or re-encoded, "
             f"{h.get('cropped_copy_pairs', 0)} cropped, moved or turned and {h.get('mirrored_copy_pairs', 0)} "
             "mirrored pairs")
    if "duplicate_groups" not in h:  # a run of cxr-edge 0.15.0 or older: pairs only, no crops looked for
        return (f"{kinds.replace(', 0 cropped, moved or turned and 0 mirrored', '')} (cropped and mirrored copies were "
                "not looked for)")
    if not h["duplicate_groups"]:
        return ("none found (the same bytes, resized or re-encoded, cut by up to about 6% a side, moved by up to about "
                "4%, turned by up to about 5 degrees, or mirrored)")
    return (f"{h.get('images_in_duplicate_groups', 0)} films are copies of another ({h['duplicate_groups']} "
            f"group{'' if h['duplicate_groups'] == 1 else 's'}: {kinds})")


def cross_split_duplicates(parts: dict[str, list[int]], groups: list[int]) -> int:
    """How many groups appear in more than one split part (0 after a group-aware split)."""
    seen: dict[int, set[str]] = {}
    for name, idx in parts.items():
        for i in idx:
            seen.setdefault(groups[i], set()).add(name)
    return sum(len(v) > 1 for v in seen.values())


def label_conflicts(groups: list[int], files: list[str], labels: list[str]) -> list[list[dict]]:
    """Groups of copies (``groups``: a group id per film, duplicate_groups) whose films carry two or
    more labels: one picture taught as two answers, a labelling error ({file, label} each)."""
    members: dict[int, list[int]] = {}
    for k, g in enumerate(groups):
        members.setdefault(g, []).append(k)
    return [[{"file": files[k], "label": labels[k]} for k in ks]
            for ks in members.values() if len({labels[k] for k in ks}) > 1]


def conflicts_text(conflicts: list[list[dict]]) -> str:
    """'4 films are one picture filed under different classes (2 groups; e.g. COVID/a.png (COVID) =
    Normal/b.png (Normal))': the start of every message about label_conflicts."""
    group = conflicts[0]  # one film of each label first: three of one label would hide the conflict
    shown = list({c["label"]: c for c in reversed(group)}.values())[::-1][:3]
    shown += [c for c in group if c not in shown][:max(0, 3 - len(shown))]
    first = " = ".join(f"{c['file']} ({c['label']})" for c in sorted(shown, key=group.index))
    return (f"{sum(map(len, conflicts))} films are one picture filed under different classes ({len(conflicts)} "
            f"group{'' if len(conflicts) == 1 else 's'}; e.g. {first})")
