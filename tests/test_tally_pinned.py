"""edge.tally pinned where a change would make the summary line miscount (found by hand mutation testing: each
test here failed with one small change to tally or Tally in place, which the fast tests let through)."""

from __future__ import annotations

from collections import Counter

from edge.tally import Tally, tally

LABELS = ["COVID", "Normal"]


def test_a_batch_given_one_file_twice_counts_it_twice():
    """Only a watch retries a film; a batch answers each path given, and its line adds up to them."""
    t = Tally(retries=False)
    t.add("a.png", None)
    t.add("a.png", "COVID")
    assert t.line(LABELS) == "2 files: 1 COVID, 0 Normal, 1 failed" and t.any_failed


def test_a_film_refused_by_its_header_then_answered_is_no_longer_counted_as_flagged_by_it():
    t = Tally(retries=True)
    t.add("a.dcm", None, flagged=True, by_header=True)
    t.add("a.dcm", "Normal")
    assert t.line(LABELS) == "1 file: 0 COVID, 1 Normal"


def test_a_removed_film_is_not_retried_by_the_next_film_under_its_name():
    """IM0001 failed, was removed, and a new IM0001 was answered: two films, one failed, one flagged by its
    header; the new film's later retry takes back only its own count."""
    t = Tally(retries=True)
    t.add("IM0001", None, flagged=True, by_header=True)
    t.forget(["IM0001"])
    t.add("IM0001", None)
    assert t.line(LABELS) == ("2 files: 0 COVID, 0 Normal, 1 refused, 1 failed; 1 no frontal chest film by its DICOM "
                              "header")
    t.add("IM0001", "COVID")  # the new film, retried
    assert t.line(LABELS) == "2 files: 1 COVID, 0 Normal, 1 refused; 1 no frontal chest film by its DICOM header"


def test_films_flagged_by_their_headers_are_plural():
    assert tally(Counter({"COVID": 2}), LABELS, 3, 1, 3, by_header=2, maps_failed=1) == \
        ("3 files: 2 COVID, 0 Normal, 1 failed; 1 unlike the training images (input check); 2 no frontal chest films "
         "by their DICOM headers; 1 evidence map not written")
