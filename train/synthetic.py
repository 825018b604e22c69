"""SYNTHETIC chest-X-ray-like images for smoke tests and demos. NOT medical data.

Everything this module produces is drawn from simple geometric shapes and
filtered noise. No real patient, radiograph or clinical data set went into it,
and a model trained on it learns nothing about real disease. It exists so
that the whole cxr-edge pipeline (PNG decoding, grayscale conversion,
aspect-preserving resize with padding, histogram equalisation, border
trimming, training, TFLite conversion, on-device inference) can run on a
fresh machine without downloading anything.

An image is made in three steps, each drawn from its own random numbers:

* a normal frontal (PA) chest with random anatomy (train/synthetic_anatomy.py);
* the class pattern inside the lung fields, of random strength, so some
  cases are subtle (train/synthetic_findings.py, which describes the classes);
* acquisition, here in :func:`render`: random pose (shift, scale, rotation
  within +-5 degrees), brightness, contrast and gamma, plus heel-effect
  gradient, blur and noise; some images get black collimation borders or a
  burned-in "L"/"R" marker in a corner.

Anatomy and acquisition are drawn the same way for every class, so neither
borders, markers nor overall brightness tell the classes apart; only the
pattern inside the lungs does.

Images are deterministic. :func:`generate` seeds image ``i`` of class ``c``
with ``np.random.default_rng([seed, SYNTHETIC_CLASSES.index(c), i])``. So the
same seed gives byte-identical PNG files, and a run with 10 images per class
gives the same first 10 images as a run with 60. The PNGs also do not depend
on which other classes are generated alongside.

Only numpy and Pillow are used.
"""

from __future__ import annotations

import contextlib
import io
import math
import sys
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from PIL import Image

from edge.atomic import clear_leftovers, temporary_for, write_bytes, write_text
from train.synthetic_anatomy import draw_chest
from train.synthetic_draw import Canvas, gaussian_blur, lowpass_noise
from train.synthetic_findings import add_finding
from train.synthetic_mark import png_info

__all__ = ["SYNTHETIC_CLASSES", "render", "generate", "drop_other_classes", "why_not_here"]

SYNTHETIC_CLASSES: tuple[str, ...] = ("Normal", "COVID", "Viral_Pneumonia", "Lung_Opacity")

_MIN_SIDE = 32  # smallest width/height render() accepts


# 5x7 bitmap glyphs for burned-in side markers. These are used instead of a
# font so the output is the same whatever fonts the machine has.
_GLYPHS: dict[str, tuple[str, ...]] = {
    "L": ("1....", "1....", "1....", "1....", "1....", "1....", "11111"),
    "R": ("1111.", "1...1", "1...1", "1111.", "1.1..", "1..1.", "1...1"),
}


# --------------------------------------------------------------------------
# rendering one image
# --------------------------------------------------------------------------


def _check_label(label: str) -> int:
    if label not in SYNTHETIC_CLASSES:
        raise ValueError(
            f"unknown synthetic class {label!r}; known classes: {', '.join(SYNTHETIC_CLASSES)}"
        )
    return SYNTHETIC_CLASSES.index(label)


def _check_size(size: tuple[int, int]) -> tuple[int, int]:
    try:
        width, height = (int(s) for s in size)
    except (TypeError, ValueError):
        raise ValueError(f"size must be (width, height), got {size!r}") from None
    if width < _MIN_SIDE or height < _MIN_SIDE:
        raise ValueError(f"size must be at least {_MIN_SIDE}x{_MIN_SIDE}, got {width}x{height}")
    return width, height


def render(label: str, rng: np.random.Generator, size: tuple[int, int] = (192, 192)) -> np.ndarray:
    """One synthetic image, uint8 HxW (size = (width, height)).

    A normal chest, the pattern of class ``label`` in its lungs, then pose and exposure.
    """
    _check_label(label)
    width, height = _check_size(size)
    cv = Canvas(width, height)
    chest = draw_chest(rng, cv)
    img = add_finding(label, rng, cv, chest)
    return _acquire(img, rng, chest.background)


def _acquire(img: np.ndarray, rng: np.random.Generator, background: float) -> np.ndarray:
    """Take the picture of a drawn chest: pose, exposure, noise, marker and borders; uint8 HxW.

    Nothing here depends on the class, so none of it can tell the classes apart.
    """
    height, width = img.shape
    shape = (height, width)
    img = np.clip(img, 0.0, 1.0).astype(np.float32)

    # ---- pose: shift, scale, rotation -----------------------------------------
    angle = math.radians(rng.uniform(-5.0, 5.0))
    scale = rng.uniform(0.9, 1.08)
    shift_x = rng.uniform(-0.05, 0.05) * width
    shift_y = rng.uniform(-0.05, 0.05) * height
    cx, cy = width / 2.0, height / 2.0
    ca, sa = math.cos(angle) / scale, math.sin(angle) / scale
    # output (x, y) -> input: centre + R(-angle)/scale * (out - centre - shift)
    ox, oy = cx + shift_x, cy + shift_y
    coeffs = (ca, sa, cx - ca * ox - sa * oy, -sa, ca, cy + sa * ox - ca * oy)
    posed = Image.fromarray(img).transform(
        (width, height),
        Image.Transform.AFFINE,
        coeffs,
        resample=Image.Resampling.BILINEAR,
        fillcolor=float(background),
    )
    img = np.asarray(posed, dtype=np.float32).copy()

    # ---- acquisition: heel effect, blur, exposure, noise -------------------------
    g_ang = rng.uniform(0, 2 * math.pi)
    gx = (np.arange(width, dtype=np.float32)[None, :] / width - 0.5) * math.cos(g_ang)
    gy = (np.arange(height, dtype=np.float32)[:, None] / height - 0.5) * math.sin(g_ang)
    img = img * (1.0 + rng.uniform(0.0, 0.15) * (gx + gy))
    img = gaussian_blur(img, rng.uniform(0.3, 1.1) * min(width, height) / 192.0)
    img = np.clip(img, 0.0, 1.0) ** rng.uniform(0.75, 1.3)
    contrast = rng.uniform(0.8, 1.2)
    brightness = rng.uniform(-0.08, 0.08)
    img = (img - 0.4) * contrast + 0.4 + brightness
    img = img + rng.normal(0.0, rng.uniform(0.006, 0.025), shape)
    img = img + rng.uniform(0.0, 0.02) * lowpass_noise(rng, shape, 1.2)  # film grain
    img = np.clip(img, 0.0, 1.0)

    # ---- burned-in side marker (any class) -------------------------------------
    if rng.random() < 0.4:
        _burn_marker(img, rng, str(rng.choice(["L", "R"])))

    out = np.round(img * 255.0).astype(np.uint8)

    # ---- collimation: black borders on some images ------------------------------
    if rng.random() < 0.3:
        for side_idx in range(4):
            if rng.random() < 0.5:
                continue
            dim = height if side_idx < 2 else width
            k = int(rng.integers(1, max(2, int(0.06 * dim))))
            if side_idx == 0:
                out[:k, :] = 0
            elif side_idx == 1:
                out[-k:, :] = 0
            elif side_idx == 2:
                out[:, :k] = 0
            else:
                out[:, -k:] = 0
    return out


def _burn_marker(img: np.ndarray, rng: np.random.Generator, letter: str) -> None:
    """Stamp a block letter into a random corner of img (float, in place)."""
    h, w = img.shape
    glyph = np.array([[c == "1" for c in row] for row in _GLYPHS[letter]], dtype=bool)
    k = max(1, int(round(min(h, w) * rng.uniform(0.01, 0.016))))
    bitmap = np.kron(glyph, np.ones((k, k), dtype=bool))
    gh, gw = bitmap.shape
    if gh + 4 > h // 3 or gw + 4 > w // 3:
        return
    my = int(rng.integers(int(0.07 * h), int(0.14 * h)))
    mx = int(rng.integers(int(0.07 * w), int(0.14 * w)))
    top = my if rng.random() < 0.5 else h - my - gh
    left = mx if rng.random() < 0.5 else w - mx - gw
    patch = img[top : top + gh, left : left + gw]
    patch[bitmap] = rng.uniform(0.9, 1.0)


# --------------------------------------------------------------------------
# writing a data set
# --------------------------------------------------------------------------


def _png_bytes(img: np.ndarray) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(img).save(buf, format="PNG", pnginfo=png_info())  # each film marked, wherever it is copied
    return buf.getvalue()


README_START = "SYNTHETIC images generated by cxr-edge"


def is_synthetic_folder(folder: str | Path) -> bool:
    """Whether ``folder`` is a set cxr-synth (generate) wrote, by the README it leaves there: a model
    trained on it must be marked SYNTHETIC as one trained on --data synthetic is."""
    try:
        with open(Path(folder) / "README.md", encoding="utf-8", errors="replace") as f:
            return f.read(len(README_START)) == README_START
    except OSError:
        return False


def _readme_text(classes: Sequence[str], n_per_class: int, size: tuple[int, int], seed: int,
                 written: dict[str, int] | None = None, complete: bool = True) -> str:
    """The set's README. ``complete`` False: written first, while the films are drawn (a set stopped half-way
    is still marked SYNTHETIC), so it says the counts are those asked for; ``written``: the films each class
    got from a call that was stopped, said in place of the counts asked for."""
    total = n_per_class * len(classes)
    lines = [
        f"{README_START} (train/synthetic.py), NOT real patients or "
        f"medical data; for demos and tests only. seed={seed}, {n_per_class} per class x "
        f"{len(classes)} classes = {total} images, {size[0]}x{size[1]} px.",
        "",
    ]
    if written is not None:
        lines += [f"INCOMPLETE: cxr-synth was stopped after writing {sum(written.values())} of these {total} images; "
                  "the same command writes the rest.", ""]
    elif not complete:
        lines += ["INCOMPLETE: cxr-synth is writing these images, or was killed while it did: the counts below are "
                  "those asked for, and a folder may hold fewer; the same command writes the rest.", ""]
    lines += [
        "These pictures are drawn from geometric shapes and filtered noise to look roughly",
        "like frontal chest X-rays so that the cxr-edge pipeline can be exercised without",
        "downloading anything. A model trained on them says nothing about real disease.",
        "",
        "Classes (pattern inside the lung fields):",
    ]
    about = {
        "Normal": "clear lungs, only faint vessels near the hila",
        "COVID": "bilateral peripheral lower-zone ground-glass haze",
        "Viral_Pneumonia": "bilateral perihilar interstitial streaks",
        "Lung_Opacity": "one dense, sharply bounded lobar consolidation in one lung",
    }
    for c in classes:
        count = n_per_class if written is None else f"{written.get(c, 0)} of {n_per_class}"
        lines.append(f"- {c}: {count} images in {c}/ ({about[c]})")
    lines += [
        "",
        "Regenerate with:",
        "    from train.synthetic import generate",
        f"    generate(out_dir, n_per_class={n_per_class}, classes={tuple(classes)!r}, "
        f"size={tuple(size)!r}, seed={seed})",
        "",
    ]
    return "\n".join(lines)


def generate(
    out_dir: Path,
    n_per_class: int = 60,
    classes: Sequence[str] = ("Normal", "COVID"),
    size: tuple[int, int] = (192, 192),
    seed: int = 0,
    progress: bool = False,
) -> list[tuple[Path, str]]:
    """Write out_dir/<class>/synthetic-<class>-<index:04d>.png and out_dir/README.md; return (path, class) pairs in a deterministic order.

    The order is class by class as given in ``classes``, then by index.
    Image ``i`` of class ``c`` is rendered with
    ``np.random.default_rng([seed, SYNTHETIC_CLASSES.index(c), i])``.
    Existing files with the same names are replaced, and older
    ``synthetic-<class>-NNNN.png`` files with an index of ``n_per_class`` or
    more (left by an earlier, larger run) are removed from the class folders
    written, so those folders hold exactly this run's images. Anything else in
    ``out_dir`` (other folders, other files) is left alone.
    """
    if isinstance(classes, str):
        classes = (classes,)
    classes = tuple(classes)
    if not classes:
        raise ValueError(f"classes must not be empty; known classes: {', '.join(SYNTHETIC_CLASSES)}")
    class_idx = [_check_label(c) for c in classes]
    if len(set(classes)) != len(classes):
        raise ValueError(f"classes contains duplicates: {classes!r}")
    if isinstance(n_per_class, bool) or int(n_per_class) != n_per_class or n_per_class < 1:
        raise ValueError(f"n_per_class must be a positive integer, got {n_per_class!r}")
    n_per_class = int(n_per_class)
    if isinstance(seed, bool) or int(seed) != seed or seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed!r}")
    seed = int(seed)
    width, height = _check_size(size)

    out_dir = Path(out_dir)
    pairs: list[tuple[Path, str]] = []
    # First: a run stopped half-way leaves films that are still said to be SYNTHETIC (is_synthetic_folder).
    write_text(out_dir / "README.md", _readme_text(classes, n_per_class, (width, height), seed, complete=False))
    clear_leftovers(out_dir, (".", *classes))  # what a killed call's writes left: hidden, and no one's but ours
    try:
        _write_films(out_dir, classes, class_idx, n_per_class, (width, height), seed, pairs, progress)
    except BaseException:  # Ctrl-C, a full disk: the README says what was written, not what was asked for
        written = {c: sum(label == c for _, label in pairs) for c in classes}
        with contextlib.suppress(Exception):
            write_text(out_dir / "README.md", _readme_text(classes, n_per_class, (width, height), seed, written))
        raise
    write_text(out_dir / "README.md", _readme_text(classes, n_per_class, (width, height), seed))
    return pairs


def _write_films(out_dir: Path, classes: tuple[str, ...], class_idx: list[int], n_per_class: int,
                 size: tuple[int, int], seed: int, pairs: list[tuple[Path, str]], progress: bool) -> None:
    """generate's films, each appended to ``pairs`` once written (what a stopped call wrote stays said)."""
    width, height = size
    total = n_per_class * len(classes)
    done = 0
    on_terminal = getattr(sys.stderr, "isatty", lambda: False)()
    every = max(1, total // (50 if on_terminal else 10))  # at most ~50 updates (~10 lines in a log)
    for label, ci in zip(classes, class_idx):
        class_dir = out_dir / label
        class_dir.mkdir(parents=True, exist_ok=True)
        for i in range(n_per_class):
            img = render(label, np.random.default_rng([seed, ci, i]), (width, height))
            path = class_dir / f"synthetic-{label}-{i:04d}.png"
            write_bytes(path, _png_bytes(img))
            pairs.append((path, label))
            done += 1
            if progress and (done == total or done % every == 0):
                # On a terminal one line redrawn; in a log file a line now and then, not '\r'-joined updates.
                print(f"\rsynthetic: {done}/{total} images" if on_terminal else f"synthetic: {done}/{total} images",
                      end="" if on_terminal else "\n", file=sys.stderr, flush=True)
        for stale in class_dir.glob(f"synthetic-{label}-*.png"):
            index = stale.name[len(f"synthetic-{label}-") : -len(".png")]
            if index.isdigit() and len(index) >= 4 and int(index) >= n_per_class:
                stale.unlink()
    if progress and on_terminal:
        print(file=sys.stderr, flush=True)


def _film_name(name: str, label: str) -> bool:
    """Whether ``name`` is one of class ``label``'s films, or what a killed write of one left."""
    name = temporary_for(name) or name
    return name.startswith(f"synthetic-{label}-") and name.endswith(".png")


def drop_other_classes(out_dir: Path, classes: Sequence[str]) -> None:
    """Remove from ``out_dir`` (a run's own synthetic-data/) the class folders of synthetic classes an
    earlier run generated there and this one does not: a run of 3 classes, then one of 2 into the
    same --out, trained a third class nobody asked for. A folder holding anything but the set's own
    images is someone's, and stays."""
    import shutil

    for other in sorted(set(SYNTHETIC_CLASSES) - set(classes)):
        folder = Path(out_dir) / other
        if folder.is_dir() and not folder.is_symlink() and all(
                f.is_file() and _film_name(f.name, other) for f in folder.iterdir()):
            shutil.rmtree(folder)


def why_not_here(out_dir: Path) -> str | None:
    """Why cxr-synth must not write into ``out_dir``, or None: it holds files cxr-synth did not write
    (anything but its README, its class folders of synthetic-CLASS-NNNN.png and what its killed writes
    left), whose folder the README would mark SYNTHETIC; or it is a class folder of cxr-synth's own,
    whose films a set written into it would bury a level down."""
    out_dir = Path(out_dir)
    if not out_dir.is_dir():
        return None
    others: list[str] = []
    loose: list[str] = []
    for entry in sorted(out_dir.iterdir()):
        if temporary_for(entry.name) == "README.md" or entry.name == "README.md" and is_synthetic_folder(out_dir):
            continue
        if entry.name in SYNTHETIC_CLASSES and entry.is_dir() and not entry.is_symlink():
            others += [f"{entry.name}/{f.name}" for f in sorted(entry.iterdir()) if not _film_name(f.name, entry.name)]
        elif any(_film_name(entry.name, c) for c in SYNTHETIC_CLASSES):
            loose.append(entry.name)
        else:
            others.append(entry.name)
    if others:
        return (f"{out_dir} holds files cxr-synth did not write ({', '.join(others[:3])}"
                f"{f' and {len(others) - 3} more' if len(others) > 3 else ''}): its README would be overwritten and its "
                "films marked SYNTHETIC with the drawings; give a new or empty folder")
    if loose:
        films = f"{', '.join(loose[:2])}{', ...' if len(loose) > 2 else ''}"
        parent = out_dir.parent if len(out_dir.parts) > 1 else out_dir.resolve().parent
        what = (f"is the {out_dir.name} class folder of the SYNTHETIC set {parent} ({films})"
                if is_synthetic_folder(parent) else f"holds cxr-synth's films themselves ({films}), as a class folder of a set it wrote does")
        return (f"{out_dir} {what}: cxr-synth writes class folders into the folder it is given; give the set's folder "
                "or a new or empty one")
    return None
