"""What the card claims of a file: only figures that belong to its task, with intervals, and no silent gaps."""

from __future__ import annotations

from edge.card import card_text


def _meta(labels: list[str], **validation) -> dict:
    per_class = {c: {"n": 10, "sensitivity": [0.8, 0.49, 0.94], "specificity": [0.9, 0.8, 0.95]} for c in labels}
    return {"labels": labels, "validation": {"data": "x", "test": {
        "n": 10 * len(labels), "balanced_accuracy": [0.8, 0.7, 0.9], "ece": 0.05, "per_class": per_class}, **validation}}


AUDIT = {"balanced_accuracy": 0.742, "chance": 0.25, "warn": True, "give_aways": ["source s: 100% COVID (n = 23)"]}


def test_the_new_site_warning_cites_the_cxr_dev_figure_only_for_a_covid_vs_normal_file():
    two = card_text(_meta(["COVID", "Normal"], shortcut_audit=AUDIT), "m")
    assert ("a COVID vs Normal model on cxr-dev called only 6% to 10% of the healthy films of a source never seen in "
            "training Normal (README, 'How good is it?')") in two
    for labels in (["COVID", "Lung_Opacity", "Normal", "Viral_Pneumonia"], ["Effusion", "Normal"]):
        text = card_text(_meta(labels, shortcut_audit=AUDIT), "m")
        assert "Expect lower figures at a new site, possibly far lower" in text
        assert "6% to 10%" not in text and "cxr-dev" not in text, text
