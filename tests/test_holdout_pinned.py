"""train.holdout pinned where a small change went unseen (hand mutation testing: each test here failed with one
such change in place, which tests/test_split_messages.py and tests/test_one_film_words.py let through). These are
cxr-train --holdout-source's choice of films and what it says it took."""

from __future__ import annotations

from train.data import Item
from train.holdout import holdout_emptied, holdout_line, matches, no_holdout_match


def _films(source: str, n: int, label: str = "COVID", name: str = "f") -> list[Item]:
    return [Item(f"{label}/{source or name}-{k}.png", label, source=source) for k in range(n)]


def test_holdout_matches_a_source_whatever_the_case_of_the_option():
    """'--holdout-source COVID' takes the source covid-a: the option is compared as the sources are."""
    assert matches("COVID", Item("x/a.png", "COVID", source="covid-a"))
    assert matches("Covid", Item("x/COVID-1.png", "COVID"))


def test_the_holdout_line_lists_sources_most_films_first_and_names_films_without_a_source():
    """Several sources matched: each said with its films, the largest first, and films matched by name alone
    said as having no source rather than as a blank name."""
    held = [*_films("site-b", 1), *_films("site-a", 3), *_films("", 2, name="site")]
    line = holdout_line("site", held)
    assert line.startswith("holding out 6 images of 3 sources matching 'site' as an external set (3 of site-a, "
                           "2 of no source: matched by file name, 1 of site-b); name a source in full")


def test_films_matched_by_source_whatever_its_case_are_not_said_to_be_matched_by_name_alone():
    held = [*_films("Site-One", 2), *_films("", 1, name="site")]
    line = holdout_line("site", held)
    assert line.endswith("; 1 of them by file name alone (their names begin with 'site', their sources do not "
                         "name it)")


def test_no_match_names_only_real_sources_and_eight_of_them_without_dots():
    """The refusal lists the sources there are to choose (films without one are no choice), all eight of
    eight, and ', ...' only past eight."""
    items = [f for k in range(8) for f in _films(f"s{k}", 8 - k)] + _films("", 5, name="loose")
    said = no_holdout_match("zz", items)
    assert said.endswith("the sources of the films of the classes used are s0 (8), s1 (7), s2 (6), s3 (5), s4 (4), "
                         "s5 (3), s6 (2), s7 (1) (a source of a class left out by --classes is no choice)")
    assert ", ..." in no_holdout_match("zz", items + _films("s8", 1))


def test_a_class_emptied_by_the_holdout_names_only_its_own_sources():
    external = [*_films("covid-a", 2), *_films("normal-x", 1, label="Normal")]
    kept = _films("normal-y", 3, label="Normal")
    assert holdout_emptied("a", kept, external, ["COVID", "Normal"]) == (
        "--holdout-source a takes every COVID film (sources: covid-a); nothing is left to train COVID on")
