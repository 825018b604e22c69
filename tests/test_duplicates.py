"""Near-duplicate detection in blocks gives the pairs that comparing every pair gives."""

from __future__ import annotations

import numpy as np

from train.hygiene import NEAR_DUPLICATE_BITS, NEAR_DUPLICATE_CORRELATION, duplicate_groups, hamming_matrix


def _every_pair(sha256, hashes, thumbs):
    n = len(sha256)
    pairs = set()
    for i in range(n):
        for j in range(i + 1, n):
            bits = bin(int(hashes[i]) ^ int(hashes[j])).count("1")
            if bits <= NEAR_DUPLICATE_BITS and float(thumbs[i] @ thumbs[j]) >= NEAR_DUPLICATE_CORRELATION \
                    and sha256[i] != sha256[j]:
                pairs.add((i, j))
    return pairs


def test_hamming_matrix_counts_bits():
    a = np.array([0, 2**64 - 1, 0b1011], np.uint64)
    assert hamming_matrix(a, a).tolist() == [[0, 64, 3], [64, 0, 61], [3, 61, 0]]


def test_blocks_find_the_same_copies_as_every_pair_across_block_edges():
    rng = np.random.default_rng(3)
    n = 700  # more than one block of 512: copies of a film on both sides of a block edge
    base = rng.integers(0, 2**63, size=12, dtype=np.uint64)
    hashes = base[rng.integers(0, 12, n)] ^ (np.uint64(1) << rng.integers(0, 64, n).astype(np.uint64))
    proto = rng.normal(size=(30, 1024)).astype(np.float32)
    thumbs = proto[rng.integers(0, 30, n)] + rng.normal(scale=0.14, size=(n, 1024)).astype(np.float32)
    thumbs -= thumbs.mean(1, keepdims=True)
    thumbs /= np.linalg.norm(thumbs, axis=1, keepdims=True)
    sha = [f"f{i}" for i in range(n)]
    sha[650] = sha[5]  # an exact copy, counted once as exact, never as near
    groups, stats = duplicate_groups(sha, hashes, thumbs)
    expected = _every_pair(sha, hashes, thumbs)
    assert stats["near_duplicate_pairs"] == len(expected) > 50 and stats["exact_duplicate_pairs"] == 1
    assert any(i < 512 <= j for i, j in expected)
    for i, j in expected:
        assert groups[i] == groups[j]
    assert groups[650] == groups[5]


def test_many_copies_of_few_films_join_as_every_pair_says_in_bounded_memory():
    # A set padded with copies of a few films: every pair within a cluster is a copy (about 300,000
    # here), which as a list of tuples took gigabytes at a few thousand films.
    import resource

    from train.hygiene import join

    rng = np.random.default_rng(5)
    n, films = 1_600, 3
    which = rng.integers(0, films, n)
    thumbs = rng.normal(size=(films, 1024)).astype(np.float32)[which]
    thumbs += rng.normal(scale=0.05, size=(n, 1024)).astype(np.float32)
    thumbs -= thumbs.mean(1, keepdims=True)
    thumbs /= np.linalg.norm(thumbs, axis=1, keepdims=True)
    hashes = rng.integers(0, 2**63, films, dtype=np.uint64)[which]
    sha = [f"f{i}" for i in range(n)]
    twin = int(np.flatnonzero(which == which[3])[1])
    sha[twin] = sha[3]  # an exact copy within a cluster
    crops = [(i, j) for i in range(n - 1) for j in range(n - 1) if which[i] == which[j] and i != j][:50_000]
    lone = rng.normal(size=1024).astype(np.float32)
    thumbs[1_599] = (lone - lone.mean()) / np.linalg.norm(lone - lone.mean())  # copies no one
    hashes[1_599] = 12345
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    groups, stats = duplicate_groups(sha, hashes, thumbs, cropped=np.array(crops), mirrored=[(1_599, 0)])
    grown_mib = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    corr = thumbs @ thumbs.T
    a, b = np.nonzero(np.triu(corr >= NEAR_DUPLICATE_CORRELATION, 1) & (which[:, None] == which[None, :]))
    near = [(i, j) for i, j in zip(a.tolist(), b.tolist()) if sha[i] != sha[j]]
    assert groups == join(n, near + [(3, twin), (1_599, 0)])  # the groups the pairs give, each its smallest film
    assert len(set(groups)) == films
    assert stats["near_duplicate_pairs"] == len(near) > 250_000
    assert (stats["exact_duplicate_pairs"], stats["cropped_copy_pairs"], stats["mirrored_copy_pairs"]) == (1, 0, 1)
    assert grown_mib < 150  # as lists of tuples and gathered pairs: 1.7 GB


def test_merge_groups_gives_the_groups_join_gives_for_pairs_found_in_parts():
    from train.hygiene import join, merge_groups

    rng = np.random.default_rng(8)
    for n, m in ((1, 0), (30, 10), (200, 150), (200, 400)):
        pairs = rng.integers(0, n, (m, 2))
        labels = np.arange(n)
        for part in np.array_split(pairs, 3):  # as blocks find them
            merge_groups(labels, part[:, 0], part[:, 1])
        assert labels.tolist() == join(n, pairs.tolist())


def test_a_copy_group_on_two_sides_of_the_split_is_counted_across_splits():
    """run.json's groups_across_splits, the safety net that says a split leaked copies, counted only
    groups on all three sides: a copy in train and its twin in test was reported as 0."""
    from train.hygiene import cross_split_duplicates

    assert cross_split_duplicates({"train": [0], "val": [], "test": [1]}, [0, 0]) == 1
    assert cross_split_duplicates({"train": [0], "val": [1], "test": [2]}, [0, 0, 0]) == 1
    assert cross_split_duplicates({"train": [0], "val": [1], "test": []}, [0, 1]) == 0


def test_dhash_reads_left_to_right_gradients():
    """NEAR_DUPLICATE_BITS was tuned on dHash of horizontal gradients; a hash of vertical ones would
    join and miss other pairs than the bound was chosen for."""
    from train.hygiene import dhash

    ramp = np.tile(np.linspace(0, 255, 90).astype(np.uint8), (80, 1))  # brighter to the right
    assert dhash(ramp) == 2**64 - 1 and dhash(ramp[:, ::-1]) == 0
    assert dhash(np.ascontiguousarray(ramp.T[:80, :90])) == 0  # brighter downwards: no left-to-right gradient
