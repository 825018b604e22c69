"""Tests for train/synthetic.py and train/synthetic_set.py, the SYNTHETIC (not medical) demo data set."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from train.synthetic import SYNTHETIC_CLASSES, render
from train.synthetic_set import generate

PAIR = ("Normal", "COVID")
N_BIG = 40  # images per class for the separability check


def _auroc(pos: np.ndarray, neg: np.ndarray) -> float:
    """Rank-based AUROC (Mann-Whitney U / (n_pos * n_neg)), ties averaged."""
    values = np.concatenate([pos, neg]).astype(np.float64)
    order = np.argsort(values, kind="mergesort")
    ranks = np.empty(values.size, dtype=np.float64)
    ranks[order] = np.arange(1, values.size + 1)
    for v in np.unique(values):  # average the ranks of tied values
        tied = values == v
        if tied.sum() > 1:
            ranks[tied] = ranks[tied].mean()
    u = ranks[: pos.size].sum() - pos.size * (pos.size + 1) / 2.0
    return float(u / (pos.size * neg.size))


def _load(path: Path) -> np.ndarray:
    with Image.open(path) as im:
        assert im.mode == "L"
        return np.asarray(im)


@pytest.fixture(scope="module")
def big_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[tuple[Path, str]]]:
    out = tmp_path_factory.mktemp("big")
    return out, generate(out, n_per_class=N_BIG, classes=PAIR, seed=0)


def test_auroc_helper() -> None:
    assert _auroc(np.array([3.0, 4.0]), np.array([1.0, 2.0])) == 1.0
    assert _auroc(np.array([1.0, 2.0]), np.array([3.0, 4.0])) == 0.0
    assert _auroc(np.array([1.0, 1.0]), np.array([1.0, 1.0])) == 0.5


def test_layout_counts_and_order(big_run: tuple[Path, list[tuple[Path, str]]]) -> None:
    out, pairs = big_run
    assert len(pairs) == N_BIG * len(PAIR)
    expected = [
        (out / c / f"synthetic-{c}-{i:04d}.png", c) for c in PAIR for i in range(N_BIG)
    ]
    assert pairs == expected
    for c in PAIR:
        assert sorted(p.name for p in (out / c).iterdir()) == [
            f"synthetic-{c}-{i:04d}.png" for i in range(N_BIG)
        ]
    assert sorted(p.name for p in out.iterdir()) == sorted([*PAIR, "README.md"])
    img = _load(pairs[0][0])
    assert img.shape == (192, 192) and img.dtype == np.uint8


def test_readme(big_run: tuple[Path, list[tuple[Path, str]]]) -> None:
    out, _ = big_run
    text = (out / "README.md").read_text(encoding="utf-8")
    first = text.splitlines()[0]
    assert "SYNTHETIC" in first
    assert "cxr-edge" in first
    assert "not real patients" in first.lower()
    assert "demos and tests only" in first
    assert "seed=0" in first
    assert f"{N_BIG} per class" in first and f"{N_BIG * len(PAIR)} images" in first


def test_deterministic_and_prefix_stable(
    tmp_path: Path, big_run: tuple[Path, list[tuple[Path, str]]]
) -> None:
    _, big_pairs = big_run
    a = generate(tmp_path / "a", n_per_class=3, classes=PAIR, seed=0)
    b = generate(tmp_path / "b", n_per_class=3, classes=PAIR, seed=0)
    assert [c for _, c in a] == [c for _, c in b] == ["Normal"] * 3 + ["COVID"] * 3
    for (pa, _), (pb, _) in zip(a, b):
        assert pa.read_bytes() == pb.read_bytes()
    # the first 3 images of each class of the 40-per-class run are the same files
    big = {p.name: p for p, _ in big_pairs}
    for pa, _ in a:
        assert pa.read_bytes() == big[pa.name].read_bytes()
    # a class's images do not depend on which other classes are generated
    only = generate(tmp_path / "only", n_per_class=1, classes=("COVID",), seed=0)
    assert only[0][0].read_bytes() == (tmp_path / "a" / "COVID" / "synthetic-COVID-0000.png").read_bytes()
    # a different seed gives different images
    other = generate(tmp_path / "other", n_per_class=1, classes=("Normal",), seed=1)
    assert other[0][0].read_bytes() != a[0][0].read_bytes()
    # no temporary files left behind
    assert not [p for p in tmp_path.rglob("*") if p.name.endswith(".tmp")]


def test_render_all_classes_shapes() -> None:
    for ci, label in enumerate(SYNTHETIC_CLASSES):
        img = render(label, np.random.default_rng([0, ci, 0]), size=(160, 200))
        assert img.shape == (200, 160)  # size is (width, height)
        assert img.dtype == np.uint8
        assert 20 < img.std() and img.min() < 60 and img.max() > 150  # not blank
        again = render(label, np.random.default_rng([0, ci, 0]), size=(160, 200))
        assert np.array_equal(img, again)


def test_errors(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="Normal.*COVID.*Viral_Pneumonia.*Lung_Opacity"):
        generate(tmp_path, n_per_class=1, classes=("Normal", "Tuberculosis"))
    with pytest.raises(ValueError, match="Lung_Opacity"):
        render("normal", np.random.default_rng(0))
    with pytest.raises(ValueError, match="n_per_class must be a positive integer, got 0"):
        generate(tmp_path, n_per_class=0)
    with pytest.raises(ValueError, match="n_per_class must be a positive integer, got -3"):
        generate(tmp_path, n_per_class=-3)
    assert not any(tmp_path.iterdir())  # nothing written on bad arguments


def test_progress_goes_to_stderr(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    generate(tmp_path, n_per_class=1, classes=("Lung_Opacity",), size=(64, 64), progress=True)
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "1/1" in captured.err


def test_classes_separable_by_texture_not_by_brightness(
    big_run: tuple[Path, list[tuple[Path, str]]],
) -> None:
    _, pairs = big_run
    feature: dict[str, list[float]] = {c: [] for c in PAIR}
    global_mean: dict[str, list[float]] = {c: [] for c in PAIR}
    for path, label in pairs:
        img = _load(path).astype(np.float64)
        # lower-lateral lung zones (both sides) minus the centre of the image
        lower_lateral = np.concatenate([img[110:134, 27:48].ravel(), img[110:134, 144:165].ravel()])
        centre = img[80:112, 84:108]
        feature[label].append(lower_lateral.mean() - centre.mean())
        global_mean[label].append(img.mean())
    auc_feature = _auroc(np.array(feature["COVID"]), np.array(feature["Normal"]))
    auc_mean = _auroc(np.array(global_mean["COVID"]), np.array(global_mean["Normal"]))
    # peripheral lower-zone haze is there and a crude zone feature picks it up ...
    assert auc_feature > 0.7, auc_feature
    # ... but overall brightness is no shortcut
    assert max(auc_mean, 1.0 - auc_mean) < 0.9, auc_mean


def test_smaller_rerun_removes_stale_images(tmp_path: Path) -> None:
    generate(tmp_path, n_per_class=3, classes=("Normal",), size=(64, 64))
    (tmp_path / "Normal" / "notes.txt").write_text("keep me")
    pairs = generate(tmp_path, n_per_class=1, classes=("Normal",), size=(64, 64))
    left = sorted(p.name for p in (tmp_path / "Normal").iterdir())
    assert left == ["notes.txt", "synthetic-Normal-0000.png"]
    assert [p.name for p, _ in pairs] == ["synthetic-Normal-0000.png"]


def test_a_model_trained_on_cxr_synth_output_is_marked_synthetic(tmp_path: Path) -> None:
    """Only --data synthetic marked the model: the same images written by cxr-synth and trained on (as
    cxr-synth --help suggests) gave a model whose card, report and answers never said SYNTHETIC."""
    import json

    from train.run import TrainSettings, run_training
    from train.synthetic_set import generate, is_synthetic_folder

    data = tmp_path / "synth-data"
    generate(data, n_per_class=10, classes=["Normal", "COVID"], size=(48, 48), seed=0)
    assert is_synthetic_folder(data) and not is_synthetic_folder(tmp_path)
    run = tmp_path / "run"
    run_training(TrainSettings(data=str(data), out=run, image_size=32, epochs=1, batch_size=8, teacher_members=0,
                               progress=False))
    assert json.loads((run / "run.json").read_text())["synthetic_data"] is True


def test_a_second_synthetic_run_trains_its_own_classes_not_an_earlier_runs(tmp_path: Path) -> None:
    """--classes Normal,COVID,Viral_Pneumonia, then the default (Normal, COVID) into the same --out:
    the third class folder, left in the run's synthetic-data/, crashed the run ('Viral_Pneumonia' is not
    in list) or, after a stopped run, was trained as a class nobody asked for."""
    from edge.preprocess import PreprocessConfig
    from train.prepare import prepare_data
    from train.run import TrainSettings

    out = tmp_path / "run"
    generate(out / "synthetic-data", n_per_class=8, classes=("Normal", "COVID", "Viral_Pneumonia", "Lung_Opacity"))
    (out / "synthetic-data" / "Lung_Opacity" / "mine.txt").write_text("not the set's")  # someone's: it stays
    s = TrainSettings(data="synthetic", out=out, synthetic_count=8, image_size=32, progress=False)
    split, _, _ = prepare_data(s, PreprocessConfig(size=32))
    assert split.classes == ["COVID", "Normal"]
    assert sorted(p.name for p in (out / "synthetic-data").iterdir() if p.is_dir()) == ["COVID", "Lung_Opacity", "Normal"]


def test_cxr_synth_refuses_a_folder_of_real_films_and_rewrites_its_own(tmp_path: Path) -> None:
    """cxr-synth DIR into a real data folder overwrote its README and marked its real films SYNTHETIC."""
    from typer.testing import CliRunner

    from train.synth_cli import synth_app
    from train.synthetic_set import is_synthetic_folder

    real = tmp_path / "real"
    (real / "COVID").mkdir(parents=True)
    (real / "COVID" / "hannover-1.png").write_bytes(b"x")
    (real / "README.md").write_text("IRB 2024-117. Do not delete.\n")
    r = CliRunner().invoke(synth_app, [str(real), "--count", "2", "--size", "32"])
    assert r.exit_code == 2 and "holds files cxr-synth did not write (COVID/hannover-1.png, README.md)" in r.output
    assert (real / "README.md").read_text() == "IRB 2024-117. Do not delete.\n" and not is_synthetic_folder(real)
    ours = tmp_path / "ours"
    for count in ("3", "2"):  # its own set, written again smaller: allowed
        r = CliRunner().invoke(synth_app, [str(ours), "--count", count, "--size", "32"])
        assert r.exit_code == 0, r.output
    assert sorted(p.name for p in (ours / "COVID").iterdir()) == ["synthetic-COVID-0000.png", "synthetic-COVID-0001.png"]


def test_cxr_synth_written_again_with_other_classes_keeps_none_of_the_earlier_ones(tmp_path: Path) -> None:
    """A second cxr-synth into its own folder with two of the first call's three classes kept the third's
    folder, which its README no longer listed, and cxr-train then found 3 classes."""
    from typer.testing import CliRunner

    from train.synth_cli import synth_app

    ours = tmp_path / "ours"
    for classes in ("Normal,COVID,Viral_Pneumonia", "Normal,COVID"):
        r = CliRunner().invoke(synth_app, [str(ours), "--count", "2", "--size", "32", "--classes", classes])
        assert r.exit_code == 0, r.output
    assert sorted(p.name for p in ours.iterdir()) == ["COVID", "Normal", "README.md"]


def _real_films(folder: Path, n: int, seed: int) -> None:
    """Noise films standing for real ones: no mark, no cxr-synth name."""
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    for k in range(n):
        Image.fromarray(rng.integers(0, 256, (48, 48), dtype=np.uint8)).save(folder / f"film-{k}.png")


def test_each_film_carries_the_synthetic_mark_wherever_it_is_copied(tmp_path: Path) -> None:
    """The README alone marked the set: class folders copied without it trained a model recorded as
    trained on real films (synthetic_data false), its card and reports silent about it."""
    import shutil

    from edge.preprocess import PreprocessConfig
    from train.prepare import prepare_data
    from train.run import TrainSettings
    from train.synthetic_mark import is_synthetic_film

    generate(tmp_path / "s", n_per_class=10, classes=PAIR, size=(48, 48))
    film = tmp_path / "s" / "Normal" / "synthetic-Normal-0000.png"
    assert "SYNTHETIC" in Image.open(film).info["cxr-edge"]
    assert is_synthetic_film("x.png", film.read_bytes()) and not is_synthetic_film("x.png", b"\x89PNG\r\n\x1a\n")
    copied = tmp_path / "copied"
    for c in PAIR:
        shutil.copytree(tmp_path / "s" / c, copied / c)
    split, _, _ = prepare_data(TrainSettings(data=str(copied), out=tmp_path / "r1", image_size=32, progress=False),
                               PreprocessConfig(size=32))
    assert split.notes["synthetic"] is True and split.notes["synthetic_share"] == {"synthetic": 20, "of": 20}


def test_a_model_trained_on_real_films_and_renamed_drawings_is_marked_partly_synthetic(tmp_path: Path) -> None:
    """Drawings renamed and put among real films: by their text chunk, the run says how many films are drawn."""
    import json

    from edge.synthetic_words import synthetic_words
    from train.run import TrainSettings, run_training

    data = tmp_path / "data"
    for k, c in enumerate(PAIR):
        _real_films(data / c, 12, k)
    generate(tmp_path / "s", n_per_class=6, classes=("Normal",), size=(48, 48))
    for film in (tmp_path / "s" / "Normal").iterdir():
        film.rename(data / "Normal" / f"site-{film.name[-8:]}")
    run = tmp_path / "run"
    run_training(TrainSettings(data=str(data), out=run, image_size=32, epochs=1, batch_size=8, teacher_members=0,
                               progress=False))
    record = json.loads((run / "run.json").read_text())
    assert record["synthetic_data"] is True and record["synthetic_share"] == {"synthetic": 6, "of": 30}
    assert synthetic_words(record) == "partly SYNTHETIC images (6 of 30 films)"


def test_what_a_killed_cxr_synth_left_does_not_refuse_the_next(tmp_path: Path) -> None:
    """kill -9 while a film was written left its hidden temporary file, and every later cxr-synth into the
    folder was refused: 'holds files cxr-synth did not write'."""
    import os
    import subprocess
    import sys
    import time

    from typer.testing import CliRunner

    from train.synth_cli import synth_app

    ours = tmp_path / "ours"
    assert CliRunner().invoke(synth_app, [str(ours), "--count", "2", "--size", "32"]).exit_code == 0
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    old = ours / "Normal" / f".synthetic-Normal-0001.0123456789abcdef.p{dead.stdout.strip()}.tmp.png"
    young = ours / f".README.fedcba9876543210.p{dead.stdout.strip()}.tmp.md"
    for leftover in (old, young):
        leftover.write_bytes(b"\x89PNG half")
    an_hour_ago = time.time() - 3600
    os.utime(old, (an_hour_ago, an_hour_ago))
    r = CliRunner().invoke(synth_app, [str(ours), "--count", "2", "--size", "32"])
    assert r.exit_code == 0, r.output
    assert not old.exists()  # removed; one younger than edge.leftovers.YOUNG_S may be a live writer's, and stays
    r = CliRunner().invoke(synth_app, [str(ours / "Normal"), "--count", "2", "--size", "32"])
    assert r.exit_code == 2 and "is the Normal class folder of the SYNTHETIC set" in r.output
    assert "did not write" not in r.output  # it did write them


def test_an_interrupted_set_has_a_readme_that_says_what_was_written(tmp_path: Path, monkeypatch) -> None:
    """Ctrl-C after 16 of 80 films left a README saying '40 per class x 2 classes = 80 images' and
    '- Normal: 40 images in Normal/'; one that came last left 199 films without it, taken for real ones."""
    import train.synthetic_set as synthetic

    readmes = []
    real_render = synthetic.render

    def render_then_stop(*args, **kwargs):
        readmes.append((tmp_path / "s" / "README.md").read_text())
        if len(readmes) > 3:
            raise KeyboardInterrupt
        return real_render(*args, **kwargs)

    monkeypatch.setattr(synthetic, "render", render_then_stop)
    with pytest.raises(KeyboardInterrupt):
        synthetic.generate(tmp_path / "s", n_per_class=10, classes=["Normal", "COVID"], size=(48, 48))
    assert all("INCOMPLETE: cxr-synth is writing these images" in text for text in readmes)
    readme = (tmp_path / "s" / "README.md").read_text()
    assert "stopped after writing 3 of these 20 images" in readme and "- Normal: 3 of 10 images" in readme
    assert "- COVID: 0 of 10 images" in readme and synthetic.is_synthetic_folder(tmp_path / "s")
    assert len(list((tmp_path / "s").rglob("*.png"))) == 3
    monkeypatch.setattr(synthetic, "render", real_render)
    synthetic.generate(tmp_path / "s", n_per_class=10, classes=["Normal", "COVID"], size=(48, 48))
    readme = (tmp_path / "s" / "README.md").read_text()
    assert "INCOMPLETE" not in readme and "- Normal: 10 images in Normal/" in readme


def test_cxr_evaluate_knows_drawings_among_a_sites_films_by_their_mark(tiny_run: Path, tmp_path: Path) -> None:
    """cxr-evaluate looked for the README alone: drawings renamed into a site's folders were scored as X-rays."""
    import json
    import shutil

    from typer.testing import CliRunner

    from convert.evaluate_cli import evaluate_app

    drawings = Path(json.loads((tiny_run / "split.json").read_text())["data_dir"])
    site = tmp_path / "site"
    for c in PAIR:
        _real_films(site / c, 3, len(c))
        for k, film in enumerate(sorted((drawings / c).glob("*.png"))[:4]):
            shutil.copy(film, site / c / f"scan-{k}.png")
    r = CliRunner().invoke(evaluate_app, [str(tiny_run / "model_int8.tflite"), str(site), "--keep-seen", "--explain", "0",
                                          "--n-boot", "100", "--quiet", "--out", str(tmp_path / "r")])
    assert r.exit_code == 0, r.output
    assert "8 of the 14 films are SYNTHETIC drawings by cxr-synth" in r.output
    assert "8 of the 14 films are SYNTHETIC drawings (cxr-synth)" in (tmp_path / "r" / "report.md").read_text()


def test_a_set_cxr_synth_did_not_finish_is_said_by_cxr_train_and_cxr_evaluate(tiny_run: Path, tmp_path: Path,
                                                                                 monkeypatch, capsys) -> None:
    """A cxr-synth killed half-way left a README saying INCOMPLETE; cxr-train trained on the 84 films it held, and
    cxr-evaluate scored them, each saying only that the set was SYNTHETIC."""
    from typer.testing import CliRunner

    import train.synthetic_set as synthetic
    from convert.evaluate_cli import evaluate_app
    from edge.preprocess import PreprocessConfig
    from train.prepare import prepare_data
    from train.run import TrainSettings

    real_render, calls = synthetic.render, []

    def render_then_stop(*args, **kwargs):
        calls.append(1)
        if len(calls) > 40:  # both classes begun
            raise KeyboardInterrupt
        return real_render(*args, **kwargs)

    monkeypatch.setattr(synthetic, "render", render_then_stop)
    with pytest.raises(KeyboardInterrupt):
        synthetic.generate(tmp_path / "s", n_per_class=30, classes=["Normal", "COVID"], size=(64, 64))
    monkeypatch.setattr(synthetic, "render", real_render)
    said = "s/README.md says cxr-synth did not finish writing it"
    r = CliRunner().invoke(evaluate_app, [str(tiny_run / "model_int8.tflite"), str(tmp_path / "s"), "--keep-seen",
                                          "--explain", "0", "--n-boot", "100", "--quiet", "--out", str(tmp_path / "r")])
    assert r.exit_code == 0 and f"cxr-evaluate: warning: {tmp_path}/{said}" in r.output, r.output
    capsys.readouterr()
    prepare_data(TrainSettings(data=str(tmp_path / "s"), out=tmp_path / "run", image_size=64, progress=False),
                 PreprocessConfig(size=64, channels=1))
    assert f"cxr-train: warning: {tmp_path}/{said}" in capsys.readouterr().err
    synthetic.generate(tmp_path / "s", n_per_class=30, classes=["Normal", "COVID"], size=(64, 64))  # finished
    assert synthetic.unfinished_line(tmp_path / "s") is None


def test_a_set_stopped_before_its_second_class_is_said_to_be_unfinished_by_cxr_train(tmp_path: Path, monkeypatch) -> None:
    """cxr-synth killed while it drew its first class: cxr-train said only 'needs at least 2 classes' (or that a
    class folder held no images), not that the set was never finished."""
    import train.synthetic_set as synthetic
    from train.data import DataError
    from train.prepare import find_films

    real_render, calls = synthetic.render, []

    def render_then_stop(*args, **kwargs):
        calls.append(1)
        if len(calls) > 5:  # within the first class
            raise KeyboardInterrupt
        return real_render(*args, **kwargs)

    monkeypatch.setattr(synthetic, "render", render_then_stop)
    with pytest.raises(KeyboardInterrupt):
        synthetic.generate(tmp_path / "s", n_per_class=30, classes=["Normal", "COVID"], size=(64, 64))
    with pytest.raises(DataError, match="README.md says cxr-synth did not finish writing it"):
        find_films(tmp_path / "s", None, [])


def test_a_second_cxr_synth_into_a_folder_being_written_is_refused_at_once(tmp_path: Path) -> None:
    """Two cxr-synth into one folder at once both said 'wrote ...': the set held films of both seeds, one count's
    stale-film cleanup had removed the other's films, and the README described only one of them."""
    pytest.importorskip("fcntl", reason="advisory locks (fcntl) are POSIX-only")
    import os

    from typer.testing import CliRunner

    from train.synth_cli import synth_app
    from train.run_lock import run_folder_lock

    ours = tmp_path / "ours"
    with run_folder_lock(tmp_path / "." / "ours", "cxr-synth"):  # another cxr-synth writing it, by another spelling
        r = CliRunner().invoke(synth_app, [str(ours), "--count", "2", "--size", "32"])
    assert r.exit_code == 2, r.output
    assert f"{ours} is being written by cxr-synth (process {os.getpid()}): two sets at once into one folder" in r.output
    assert not ours.exists()
    assert CliRunner().invoke(synth_app, [str(ours), "--count", "2", "--size", "32"]).exit_code == 0  # free again


def test_the_lock_file_a_killed_cxr_synth_left_does_not_refuse_the_next(tmp_path: Path) -> None:
    """A cxr-synth killed while it held its folder's lock leaves the lock file (.cxr-edge.lock): the next cxr-synth
    took it for a file of the user's and refused its own set."""
    from typer.testing import CliRunner

    from train.synth_cli import synth_app
    from train.run_lock import LOCK_NAME

    ours = tmp_path / "ours"
    assert CliRunner().invoke(synth_app, [str(ours), "--count", "2", "--size", "32"]).exit_code == 0
    (ours / LOCK_NAME).write_text("cxr-synth (process 1 on elsewhere)")  # its holder killed: no lock on it
    r = CliRunner().invoke(synth_app, [str(ours), "--count", "2", "--size", "32"])
    assert r.exit_code == 0, r.output
    assert sorted(p.name for p in ours.iterdir()) == ["COVID", "Normal", "README.md"]  # taken, and removed with it


def test_readme_says_the_synthetic_mark_is_in_each_pngs_metadata_not_on_the_image(tmp_path: Path) -> None:
    """README said 'a SYNTHETIC mark in each PNG': a reader looked at the picture for it, and it is a text chunk that
    no viewer shows (hunt 58, L2)."""
    from PIL import Image

    readme = " ".join((Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8").split())
    assert "a SYNTHETIC mark in each PNG's metadata (a text chunk, not drawn on the image)" in readme
    generate(tmp_path / "s", n_per_class=1, classes=PAIR, size=(64, 64))
    with Image.open(next((tmp_path / "s").glob("*/*.png"))) as img:
        assert any("SYNTHETIC" in v for v in img.text.values()), img.text


def test_cxr_synth_takes_class_names_as_cxr_train_matches_folders_ignoring_case_and_punctuation(tmp_path):
    """cxr-synth --classes covid,viral-pneumonia said 'unknown synthetic class' where cxr-train takes those names for
    the folders COVID and Viral_Pneumonia; the folders are written with the set's own names."""
    from typer.testing import CliRunner

    from train.synth_cli import synth_app

    r = CliRunner().invoke(synth_app, [str(tmp_path / "s"), "--classes", "covid,viral-pneumonia", "--count", "1",
                                       "--size", "32"])
    assert r.exit_code == 0, r.output
    assert sorted(p.name for p in (tmp_path / "s").iterdir() if p.is_dir()) == ["COVID", "Viral_Pneumonia"]
    r = CliRunner().invoke(synth_app, [str(tmp_path / "t"), "--classes", "COVID,covid", "--count", "1", "--size", "32"])
    assert r.exit_code != 0 and "duplicates" in r.output  # one class twice: still refused
