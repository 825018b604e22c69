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
                     cropped: Iterable[tuple[int, int]] | np.ndarray = (),
                     mirrored: Iterable[tuple[int, int]] | np.ndarray = (),
                     progress: bool = False) -> tuple[list[int], dict]:
    """Group ids (each group's smallest index) joining exact and near duplicates, and the ``cropped``
    and ``mirrored`` copies found by train.crop_copies; counts for run.json (pairs of each kind,
    groups, films). Exact pairs are pairs as the other kinds count them (3 films of the same bytes: 3 pairs);
    ``exact_duplicate_films`` counts the films beyond the first of their bytes (3 films: 2), the figure runs of
    cxr-edge 0.45.0 and before stored as ``exact_duplicate_pairs``. ``progress``: a progress bar
    (train.progress) over the films, for large sets."""
    from train.progress import progress_bar

    n = len(sha256)
    cropped, mirrored = (np.asarray(p if isinstance(p, np.ndarray) else list(p), np.int64).reshape(-1, 2)
                         for p in (cropped, mirrored))
    keyed = bool(len(cropped) or len(mirrored))  # the pairs found here are needed only to count those apart
    first: dict[str, int] = {}
    same = np.array([first.setdefault(s, i) for i, s in enumerate(sha256)], np.int64)  # first film of its bytes
    labels = np.arange(n)
    exact = np.flatnonzero(same != labels)
    merge_groups(labels, same[exact], exact)
    known = [same[exact] * n + exact]  # pairs as smaller * n + larger: 8 bytes, where a tuple took about 150
    near_pairs = 0
    hashes = np.asarray(hashes, dtype=np.uint64)
    thumbs = np.asarray(thumbs, dtype=np.float32)
    # Blocks of rows against the films after them: memory stays a block's width whatever the number
    # of films. On chest X-rays an eighth of all pairs are hash candidates, so gathering each pair's
    # thumbnails (the obvious way) took 10 GB at 20,000 films; one matrix product per block does not.
    # Where the product is within its rounding of the threshold, the pair is scored on its own, as
    # all pairs once were, so the groups do not depend on the block size or the BLAS. Copies join the
    # groups as each block finds them, kept as keys only where crops are to be counted apart from them:
    # 4,000 films copies of 8 hold a million pairs, which as a list of tuples took 1.9 GB.
    chunk = 512
    bar = progress_bar(n, "resized or re-encoded copies within the set", progress and n > 1)
    for start in range(0, n, chunk):
        end = min(n, start + chunk)
        close = hamming_matrix(hashes[start:end], hashes[start:]) <= max_bits
        close &= np.arange(start, n)[None, :] > np.arange(start, end)[:, None]
        if close.any():
            corr = thumbs[start:end] @ thumbs[start:].T
            rows, cols = np.nonzero(close & (corr >= min_corr - ROUNDING))
            corr = corr[rows, cols]
            rows, cols = rows + start, cols + start
            keep = corr >= min_corr + ROUNDING
            for part in np.array_split(np.flatnonzero(~keep), max(1, -(-int((~keep).sum()) // chunk))):
                keep[part] = np.einsum("ij,ij->i", thumbs[rows[part]], thumbs[cols[part]]) >= min_corr
            keep &= same[rows] != same[cols]
            rows, cols = rows[keep], cols[keep]
            near_pairs += len(rows)
            if keyed:
                known.append(rows * n + cols)
            merge_groups(labels, rows, cols)
        bar.update(end - start)
    bar.close()
    known_keys = np.sort(np.concatenate(known))
    cropped, mirrored = _new_pairs(cropped, n, known_keys), _new_pairs(mirrored, n, known_keys)
    del known, known_keys
    for keys in (cropped, mirrored):
        merge_groups(labels, keys // max(n, 1), keys % max(n, 1))
    groups = labels.tolist()
    sizes = np.bincount(labels, minlength=n) if n else np.zeros(0, int)
    copies = np.bincount(same, minlength=n)  # films of each set of identical bytes, at its first film
    stats = {"exact_duplicate_pairs": int((copies * (copies - 1) // 2).sum()), "exact_duplicate_films": len(exact),
             "near_duplicate_pairs": near_pairs,
             "cropped_copy_pairs": len(cropped), "mirrored_copy_pairs": len(mirrored),
             "duplicate_groups": int((sizes > 1).sum()), "images_in_duplicate_groups": int(sizes[sizes > 1].sum()),
             "near_duplicate_rule": f"dHash <= {max_bits} bits and 32x32 correlation >= {min_corr}",
             "cropped_copy_rule": f"copy code of one padded back by 0-6% a side, moved by 2-4% or turned by 2-4 degrees "
                                  f"within {COPY_CODE_BITS} bits of the other's (up to 16 bits with a 24x24 thumbnail "
                                  "correlation of at least 0.98)",
             "mirrored_copy_rule": f"copy code of one's mirror image within {COPY_CODE_BITS} bits of the other's"}
    return groups, stats


# How far a float32 product of two unit 32x32 thumbnails may be from the same product summed pair
# by pair: about 1e-6 in practice, under 6e-5 at worst (1,024 roundings of 6e-8).
ROUNDING = 1e-4


def merge_groups(labels: np.ndarray, a: np.ndarray, b: np.ndarray) -> None:
    """Join, in place, the groups of films ``a[k]`` and ``b[k]`` for every k. ``labels``: each film's
    group, as its smallest film (join's answer): the pairs are taken as arrays, so a million of them
    cost numpy's time, not Python's, and pairs already in one group cost nothing more."""
    a, b = np.asarray(a, np.int64), np.asarray(b, np.int64)
    while True:
        la, lb = labels[a], labels[b]
        apart = la != lb
        if not apart.any():
            return
        a, b = a[apart], b[apart]
        # each group points to the smallest group it meets, then the pointers are followed to the end
        to = np.arange(len(labels))
        np.minimum.at(to, np.maximum(la[apart], lb[apart]), np.minimum(la[apart], lb[apart]))
        while not np.array_equal(to[to], to):
            to = to[to]
        labels[:] = to[labels]


def _new_pairs(pairs: np.ndarray, n: int, known: np.ndarray) -> np.ndarray:
    """The pairs (K, 2), each once (as smaller * n + larger), that are not already among ``known``
    (so keyed, sorted). Sorting, not np.unique or np.isin: their hashing took 10 s for 4 million pairs."""
    keys = np.sort(pairs.min(1) * n + pairs.max(1))
    keys = keys[np.r_[True, keys[1:] != keys[:-1]]] if len(keys) else keys
    if not len(known):
        return keys
    at = np.minimum(np.searchsorted(known, keys), len(known) - 1)
    return keys[known[at] != keys]


UNFOUND_COPIES = ("Copies cut by more than about 6% a side, moved by more than about 4%, turned by more than about 5 "
                  "degrees, or both mirrored and cut are not found, and may sit on both sides of the split.")
# what an older run (cxr-edge 0.15.0 or before) did not look for, and what that may mean
UNSEARCHED_COPIES = ("This run was split before cxr-train looked for cropped, moved, turned or mirrored copies: its test "
                     "split may hold such copies of training films, and then its figures flatter the model.")


def duplicates_text(h: dict) -> str:
    """'12 films are copies of another (5 groups: 2 exact, 3 resized or re-encoded, 1 cropped, moved or turned
    and 0 mirrored pairs)' from duplicate_groups' counts: films and groups first, as people count them. A run of
    cxr-edge 0.45.0 or before (no ``exact_duplicate_films``) stored the films beyond the first of their bytes as its
    exact pairs, never more than its pairs (equal where no bytes came three times; surely so for 1), so that
    figure is said as 'at least' from 2."""
    exact = h.get("exact_duplicate_pairs", 0)
    older = exact > 1 and "exact_duplicate_films" not in h
    kinds = (f"{'at least ' if older else ''}{exact} exact, {h.get('near_duplicate_pairs', 0)} resized or re-encoded, "
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
    from edge.output import said_name

    first = " = ".join(f"{said_name(c['file'])} ({c['label']})" for c in sorted(shown, key=group.index))
    return (f"{sum(map(len, conflicts))} films are one picture filed under different classes ({len(conflicts)} "
            f"group{'' if len(conflicts) == 1 else 's'}; e.g. {first})")
