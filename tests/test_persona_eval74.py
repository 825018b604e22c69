"""What a hospital researcher validating a model on their own films meets (session 74's walk-through of cxr-evaluate).

An empty class folder of one of the model's classes is refused with the advice `--class-map Normal=-`; taking that
advice must not be answered with "leave Normal out of --class-map to score it", which only leads back to the
refusal: the folder holds no films to score, and the warning says so and what to do instead."""

from __future__ import annotations

import contextlib
import io
from pathlib import Path

import pytest

from convert.site_folders import site_items
from train.data import DataError


def _films(folder: Path, n: int = 1) -> None:
    folder.mkdir(parents=True)
    from PIL import Image

    for i in range(n):
        Image.new("L", (32, 32), 40 + i).save(folder / f"f{i}.png")


def _warnings(root: Path, class_map: str | None) -> tuple[str, list[str]]:
    err, warnings = io.StringIO(), []
    with contextlib.redirect_stderr(err):
        site_items(root, ["COVID", "Normal"], class_map, "cxr-evaluate", quiet=True, warnings=warnings)
    return err.getvalue(), warnings


def test_an_empty_class_folder_is_refused_with_the_class_map_advice(tmp_path):
    _films(tmp_path / "COVID")
    (tmp_path / "Normal").mkdir()
    with pytest.raises(DataError, match="--class-map Normal=-"):
        _warnings(tmp_path, None)


def test_taking_that_advice_is_not_told_to_undo_it(tmp_path):
    _films(tmp_path / "COVID")
    (tmp_path / "Normal").mkdir()
    err, warnings = _warnings(tmp_path, "Normal=-")
    said = [w for w in warnings if "is the model's class Normal" in w]
    assert len(said) == 1, warnings
    assert "leave Normal out of --class-map" not in said[0]  # the refusal again: the folder holds no images
    assert "holds no images" in said[0] and "put films of Normal in it" in said[0]
    assert said[0] in err


def test_a_left_out_folder_with_films_still_says_how_to_score_it(tmp_path):
    _films(tmp_path / "COVID")
    _films(tmp_path / "Normal")
    _, warnings = _warnings(tmp_path, "Normal=-")
    said = [w for w in warnings if "is the model's class Normal" in w]
    assert said and said[0].endswith("leave Normal out of --class-map to score it")


def _evaluate_row(key: str) -> str:
    """The row of ``key`` in json-fields.md's table of cxr-evaluate's report.json top level."""
    page = (Path(__file__).resolve().parent.parent / "docs" / "json-fields.md").read_text(encoding="utf-8")
    section = page.split("### cxr-evaluate's report.json: top level", 1)[1].split("\n### ", 1)[0]
    return next(line for line in section.splitlines() if line.startswith(f"| `{key}` |"))


def test_every_key_of_the_shortcut_audit_is_named_where_report_json_is_documented():
    """report.json's shortcut_audit holds n, chance, folds, give_aways and, where the traits give the label away,
    combined_p and permutations: the page named four of them, and a reader looking up 'combined_p' found nothing."""
    from train.audit import shortcut_audit

    traits = [{"source": "siteA" if i < 12 else "siteB", "format": "PNG"} for i in range(24)]
    audit = shortcut_audit(traits, [0] * 12 + [1] * 12, ["COVID", "Normal"])
    row = _evaluate_row("shortcut_audit")
    assert "combined_p" in audit and "folds" in audit
    assert [k for k in audit if f"`{k}`" not in row] == []


def test_every_key_of_the_evidence_border_share_is_named_where_report_json_is_documented():
    """evidence_border_share counts its images (n) and those where covering found no evidence (without_evidence):
    without them on the page a reader cannot tell how many films the mean is over."""
    import numpy as np

    from convert.occlusion import overall_border_share

    x = np.random.default_rng(0).uniform(0, 255, (2, 16, 16, 1)).astype(np.float32)
    logits = lambda batch: np.stack([batch.reshape(len(batch), -1).mean(1) / 255, np.zeros(len(batch))], 1)  # noqa: E731
    evidence = overall_border_share(logits, x, np.array([[0.9, 0.1], [0.8, 0.2]]))
    row = _evaluate_row("evidence_border_share")
    assert [k for k in evidence if f"`{k}`" not in row] == []


def test_too_few_films_is_documented_as_the_class_names_it_holds():
    """report.json's too_few_films lists the classes of 1 to 19 films (['COVID', 'Normal'] on 3 films each); the page
    called it 'Warnings that a class has too few films', and a script reading a sentence out of it got a class name."""
    from convert.set_notes import FEW_FILMS, too_few_films

    summary = {"per_class": [{"class": "COVID", "support": 3}, {"class": "Normal", "support": 0},
                             {"class": "Lung_Opacity", "support": FEW_FILMS}]}
    assert too_few_films(summary) == ["COVID"]
    row = _evaluate_row("too_few_films")
    assert "Warnings" not in row
    assert "class names" in row and f"fewer than {FEW_FILMS}" in row
