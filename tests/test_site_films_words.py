"""A site's rule said in words that read one way whatever its folder is called.

A physicist scored a folder named ``films`` with cxr-evaluate --operating-point --save-model; the card
(edge-classify --card) and cxr-compare said the rule was "chosen on films in films (100, cxr-evaluate)". The
stored text stays (files out there carry it); what people read names the count and the folder apart."""

from convert.compare import labelling
from convert.rule_notes import chosen_here_line
from edge.card import site_rule_line
from edge.stored_rule_words import chosen_on_words, site_films_words

STORED = "films in films (100, cxr-evaluate)"  # decision.chosen_on as cxr-evaluate stores it


def test_a_folder_named_films_is_said_as_a_folder_not_glued_to_the_word_films():
    assert site_films_words(STORED) == "100 films of the folder 'films' (cxr-evaluate)"
    assert site_films_words("SYNTHETIC films in my site (1, cxr-evaluate)") == \
        "1 SYNTHETIC film of the folder 'my site' (cxr-evaluate)"
    assert site_films_words("partly SYNTHETIC films in s (2, cxr-evaluate)") == \
        "2 partly SYNTHETIC films of the folder 's' (cxr-evaluate)"
    assert site_films_words("validation split") == "validation split"  # any other text as it is


def test_the_card_and_cxr_compare_say_the_count_and_the_folder_apart():
    site = {"films": STORED, "class": "COVID", "threshold": 0.4, "estimate": "next films",
            "sensitivity": [0.9, 0.8, 0.95], "specificity": [0.7, 0.6, 0.8]}
    assert "was chosen on 100 films of the folder 'films' (cxr-evaluate); expected" in site_rule_line(site)
    assert "films in films" not in site_rule_line(site)
    said = chosen_on_words({"class": "COVID", "chosen_on": STORED, "chosen_films": {"n_positive": 30}})
    assert said == "the 100 films of the folder 'films' (cxr-evaluate), 30 of them COVID"
    line = labelling(["COVID", "Normal"], (0, 0.4), STORED)
    assert "; chosen on 100 films of the folder 'films' (cxr-evaluate) (--most-probable ignores it)" in line


def test_the_warning_on_scoring_the_folder_a_rule_was_chosen_on_still_finds_it():
    line = chosen_here_line(STORED, "films", "COVID whenever p >= 0.4")
    assert line and "was chosen on 100 films of the folder 'films' (cxr-evaluate), the folder scored here" in line
    assert chosen_here_line(STORED, "other", "COVID whenever p >= 0.4") is None


def test_a_folder_name_that_single_quotes_cannot_hold_is_said_as_a_json_string_on_one_line():
    """'O'Brien' read as two names, and a folder name with a line break missed the pattern: the stored text came back
    raw, over two lines of the card (session 69's review). Plain names keep their single quotes: cards out there."""
    assert site_films_words("films in O'Brien (5, cxr-evaluate)") == \
        "5 films of the folder \"O'Brien\" (cxr-evaluate)"
    assert site_films_words("films in site\nB (3, cxr-evaluate)") == "3 films of the folder \"site\\nB\" (cxr-evaluate)"
    assert site_films_words("films in a\x1b[31m (2, cxr-evaluate)") == \
        "2 films of the folder \"a\\u001b[31m\" (cxr-evaluate)"
    assert site_films_words("films in r\udce9sum\udce9 (4, cxr-evaluate)") == \
        "4 films of the folder \"r\\xe9sum\\xe9\" (cxr-evaluate)"
    said = chosen_on_words({"class": "COVID", "chosen_on": "films in site\nB (3, cxr-evaluate)",
                            "chosen_films": {"n_positive": 1}})
    assert "\n" not in said and said.startswith("the 3 films of the folder \"site\\nB\""), said
