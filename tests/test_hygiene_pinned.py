"""train.hygiene pinned where a small change went unseen (hand mutation testing: each test here failed with one
such change in place, which the fast tests of the duplicate checks let through). These are the checks that keep
copies of a film off both sides of the split, so that the test figures are not a film scored on its own copy."""

from __future__ import annotations

import numpy as np

from train.hygiene import (copy_code, duplicate_groups, duplicates_text, conflicts_text, fingerprint,
                           label_conflicts)


def _unit(*head: float) -> np.ndarray:
    t = np.zeros(1024, np.float32)
    t[:len(head)] = head
    return t


def test_a_hash_exactly_at_the_bit_limit_is_still_a_near_copy_and_one_bit_past_is_not():
    """The rule says 'dHash <= 10 bits': copies re-encoded by as much as the limit are grouped (a '<' would let
    them sit on both sides of the split), one bit more are not."""
    hashes = np.array([0, (1 << 10) - 1, (1 << 11) - 1], np.uint64)  # 10 and 11 bits from the first
    thumbs = np.stack([_unit(1.0)] * 3)
    groups, stats = duplicate_groups(["a", "b", "c"], hashes, thumbs)
    assert groups[:2] == [0, 0] and stats["near_duplicate_pairs"] == 2  # b-c are 1 bit apart
    groups, stats = duplicate_groups(["a", "c"], hashes[[0, 2]], thumbs[:2])
    assert groups == [0, 1] and stats["near_duplicate_pairs"] == 0


def test_a_correlation_exactly_at_its_limit_joins_and_the_default_limit_is_098():
    """'32x32 correlation >= min_corr': a pair exactly at the limit (0.75, exact in float32) is a copy; under the
    default 0.98, a pair correlated 0.975 (like two distinct cxr-dev films, at most 0.967) is not."""
    at = np.stack([_unit(1.0), _unit(0.75, np.sqrt(1 - 0.75 ** 2))])
    groups, _ = duplicate_groups(["a", "b"], np.zeros(2, np.uint64), at, min_corr=0.75)
    assert groups == [0, 0]
    near = np.stack([_unit(1.0), _unit(0.975, np.sqrt(1 - 0.975 ** 2))])
    groups, stats = duplicate_groups(["a", "b"], np.zeros(2, np.uint64), near)
    assert groups == [0, 1] and "correlation >= 0.98" in stats["near_duplicate_rule"]


def test_counts_of_films_groups_and_pairs_leave_lone_films_out():
    """3 films of one set of bytes and 2 lone films: 2 exact copies beyond the first, 3 exact pairs, 1 group of 3
    films (the lone films are no group: counted, every film would read as a copy)."""
    rng = np.random.default_rng(0)
    thumbs = rng.normal(size=(5, 1024)).astype(np.float32)
    thumbs /= np.linalg.norm(thumbs, axis=1, keepdims=True)
    hashes = np.array([0, 0, 0, 2**64 - 1, 2**32 - 1], np.uint64)
    groups, stats = duplicate_groups(["x", "x", "x", "y", "z"], hashes, thumbs)
    assert groups == [0, 0, 0, 3, 4]
    assert (stats["exact_duplicate_films"], stats["exact_duplicate_pairs"]) == (2, 3)
    assert (stats["duplicate_groups"], stats["images_in_duplicate_groups"]) == (1, 3)


def test_a_cropped_pair_found_twice_is_counted_once():
    """train.crop_copies may name a pair both ways round: one pair of films, 'one cropped pair'."""
    thumbs = np.stack([_unit(1.0), _unit(0.0, 1.0), _unit(0.0, 0.0, 1.0)])
    hashes = np.array([0, 2**64 - 1, 2**32 - 1], np.uint64)
    _, stats = duplicate_groups(["a", "b", "c"], hashes, thumbs, cropped=[(0, 1), (1, 0), (0, 1)])
    assert stats["cropped_copy_pairs"] == 1


def test_thumbnails_are_zero_mean_so_a_brighter_copy_still_correlates():
    """A copy saved brighter by a constant is the same picture: the thumbnail is centred before it is scaled."""
    gray = (np.arange(64 * 64).reshape(64, 64) % 97).astype(np.uint8)
    _, t = fingerprint(gray)
    _, brighter = fingerprint(gray + 100)
    assert abs(float(t.mean())) < 1e-6 and float(t @ brighter) > 0.9999


def test_a_flat_film_has_a_copy_code_of_zeros():
    """The copy code's bit is 'brighter to the right', strictly: flat runs (black borders) are 0 bits, as the
    codes stored with every model since convert.seen began were made."""
    assert copy_code(np.full((40, 40), 7, np.uint8)) == bytes(32)


def test_copies_under_one_label_are_no_conflict():
    """Only a group whose films carry two labels is a labelling error; copies filed once each under the same
    class are not (counted, every duplicate group would be named a conflict)."""
    groups = [0, 0, 2, 2]
    found = label_conflicts(groups, ["a", "b", "c", "d"], ["COVID", "COVID", "COVID", "Normal"])
    assert found == [[{"file": "c", "label": "COVID"}, {"file": "d", "label": "Normal"}]]


def test_the_conflict_example_shows_both_labels_when_one_label_has_three_films():
    group = [{"file": f"COVID/{k}.png", "label": "COVID"} for k in "abc"] + [{"file": "Normal/d.png", "label": "Normal"}]
    text = conflicts_text([group])
    assert "(Normal)" in text and text.startswith("4 films are one picture filed under different classes (1 group;")


def test_duplicates_text_words_for_none_one_and_two_groups_and_old_runs():
    """None found says what was looked for; '1 group' but '2 groups'; a run of 0.45.0 or before with 1 exact
    pair had exactly 1 (no 'at least'), with 2 at least 2."""
    base = {"near_duplicate_pairs": 0, "cropped_copy_pairs": 0, "mirrored_copy_pairs": 0}
    assert duplicates_text({**base, "exact_duplicate_pairs": 0, "exact_duplicate_films": 0,
                            "duplicate_groups": 0}).startswith("none found")
    two = duplicates_text({**base, "exact_duplicate_pairs": 2, "exact_duplicate_films": 2, "duplicate_groups": 2,
                           "images_in_duplicate_groups": 4})
    assert two.startswith("4 films are copies of another (2 groups: 2 exact,")
    old_one = duplicates_text({**base, "exact_duplicate_pairs": 1, "duplicate_groups": 1,
                               "images_in_duplicate_groups": 2})
    assert "(1 group: 1 exact," in old_one and "at least" not in old_one
    assert "at least 2 exact" in duplicates_text({**base, "exact_duplicate_pairs": 2, "duplicate_groups": 1,
                                                  "images_in_duplicate_groups": 3})
