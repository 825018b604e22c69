"""Simulated acquisition shifts: how another hospital's X-rays might differ from ours.

Each shift is a pure function on an 8-bit grayscale image (before edge.preprocess), so a
robustness score measures the whole device path: preprocessing and model together.
"""

from __future__ import annotations

import itertools
from typing import Any, Callable, Iterable

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

from edge.runtime import usable_cores


def gamma(g: float) -> Callable[[np.ndarray], np.ndarray]:
    lut = np.clip(np.round(255.0 * (np.arange(256) / 255.0) ** g), 0, 255).astype(np.uint8)
    return lambda x: lut[x]


def contrast(factor: float) -> Callable[[np.ndarray], np.ndarray]:
    def f(x: np.ndarray) -> np.ndarray:
        m = x.mean()
        return np.clip(np.round((x.astype(np.float32) - m) * factor + m), 0, 255).astype(np.uint8)
    return f


def blur(radius: float) -> Callable[[np.ndarray], np.ndarray]:
    return lambda x: np.asarray(Image.fromarray(x).filter(ImageFilter.GaussianBlur(radius * max(x.shape) / 256)))


def noise(sigma: float, seed: int = 0) -> Callable[[np.ndarray], np.ndarray]:
    def f(x: np.ndarray) -> np.ndarray:
        rng = np.random.default_rng([seed, x.shape[0], x.shape[1], int(x[::7, ::7].sum())])
        return np.clip(np.round(x + rng.normal(0, sigma, x.shape)), 0, 255).astype(np.uint8)
    return f


def unsharp(radius_fraction: float, percent: int) -> Callable[[np.ndarray], np.ndarray]:
    """Unsharp masking with a radius relative to the image's shorter side, as radiography vendors
    process films: a small radius sharpens edges, a large one equalises contrast locally."""
    def f(x: np.ndarray) -> np.ndarray:
        radius = max(1.0, radius_fraction * min(x.shape[:2]))
        return np.asarray(Image.fromarray(x).filter(ImageFilter.UnsharpMask(radius=radius, percent=percent, threshold=0)))
    return f


def zoom(fraction: float) -> Callable[[np.ndarray], np.ndarray]:
    """Central crop keeping ``fraction`` of each side (a tighter collimation)."""
    def f(x: np.ndarray) -> np.ndarray:
        h, w = x.shape
        dh, dw = int(h * (1 - fraction) / 2), int(w * (1 - fraction) / 2)
        return x[dh : h - dh, dw : w - dw]
    return f


def crop_axis(fraction: float, axis: int) -> Callable[[np.ndarray], np.ndarray]:
    """Central crop of one side only (axis 0: keep ``fraction`` of the height; 1: of the width): a
    film collimated tighter one way, so another shape. edge.preprocess pads it into bars that
    square films never have (cxr-dev's adult films are all square; Hannover's are landscape)."""
    def f(x: np.ndarray) -> np.ndarray:
        d = int(x.shape[axis] * (1 - fraction) / 2)
        return x[d : x.shape[0] - d] if axis == 0 else x[:, d : x.shape[1] - d]
    return f


def rotate(degrees: float) -> Callable[[np.ndarray], np.ndarray]:
    return lambda x: np.asarray(Image.fromarray(x).rotate(degrees, resample=Image.Resampling.BILINEAR, fillcolor=0))


def text_marker(seed: int = 0) -> Callable[[np.ndarray], np.ndarray]:
    """Burned-in white text (side marker, hospital label) in a corner, as many sites add."""
    def f(x: np.ndarray) -> np.ndarray:
        img = Image.fromarray(x.copy())
        d = ImageDraw.Draw(img)
        h, w = x.shape
        s = max(1, int(round(min(h, w) / 256)))
        box = (int(w * 0.04), int(h * 0.04), int(w * 0.04) + 60 * s, int(h * 0.04) + 14 * s)
        d.rectangle(box, fill=0)
        d.text((box[0] + 2 * s, box[1] + 2 * s), "PORTABLE", fill=255, font_size=10 * s)
        d.text((w - 30 * s, h - 30 * s), "R", fill=255, font_size=20 * s)
        return np.asarray(img)
    return f


def pad_border(fraction: float, value: int = 0) -> Callable[[np.ndarray], np.ndarray]:
    """A flat frame around the image (scanner margin or letterbox)."""
    def f(x: np.ndarray) -> np.ndarray:
        h, w = x.shape
        p = int(round(max(h, w) * fraction))
        return np.pad(x, ((p, p), (p, p)), constant_values=value)
    return f


SHIFTS: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "gamma 0.6": gamma(0.6),
    "gamma 1.6": gamma(1.6),
    "contrast x0.6": contrast(0.6),
    "blur": blur(1.5),
    "edge enhancement": unsharp(1 / 128, 150),  # 2 px at cxr-dev's 256 px: one pixel of the model input
    "local contrast": unsharp(1 / 12.8, 80),  # 20 px at 256 px
    "noise sd 12": noise(12.0),
    "zoom 0.85": zoom(0.85),
    "crop height 0.85": crop_axis(0.85, 0),
    "crop width 0.85": crop_axis(0.85, 1),
    "rotate 8deg": rotate(8.0),
    "text markers": text_marker(),
    "border pad 12%": pad_border(0.12),
    "white border 8%": pad_border(0.08, 255),
}


def shifted_inputs(grays: list[np.ndarray], config) -> dict[str, np.ndarray]:
    """Model inputs of the same images unshifted ("none", first) and under every shift, each
    through edge.preprocess with ``config``: computed once, scored by as many models as needed."""
    from edge.preprocess import preprocess_gray

    return {name: np.stack([preprocess_gray(shift(g), config) for g in grays])
            for name, shift in {"none": lambda g: g, **SHIFTS}.items()}


def answers_moved(p: np.ndarray, q: np.ndarray) -> float:
    """Mean total variation between two sets of predicted probabilities of the same images
    (0: unmoved; 1: every answer certain of another class)."""
    return float(0.5 * np.abs(q - p).sum(axis=1).mean())


def moved_into(before: np.ndarray, after: np.ndarray, n_classes: int) -> list[int]:
    """How many answers changed into each class, given the labels of the same films without and
    with a shift: where they go says which class a site's unfamiliar processing would be called."""
    changed = after != before
    return np.bincount(after[changed], minlength=n_classes).tolist()


def changed_labels(before: np.ndarray, after: np.ndarray, y: np.ndarray, n_classes: int) -> dict[str, Any]:
    """How many labels a shift changed, and of them how many it made wrong (right before), made right, and moved
    from one wrong class to another (``wrong_to_wrong``: most changes of a model at chance); ``wrong_into``: the
    changes now wrong (``after`` is not the film's class ``y``) by the class they went to. A drop in balanced
    accuracy is what is left after the films made right offset those made wrong: 18 of 120 films changed under a
    drop of 1.7 points. Only the changes now wrong are errors a site would see, so only they say which false calls
    a model makes there (``lean``)."""
    changed, wrong, was_wrong = after != before, after != y, before != y
    return {"changed": int(changed.sum()), "made_wrong": int((changed & wrong & ~was_wrong).sum()),
            "made_right": int((changed & ~wrong).sum()), "wrong_to_wrong": int((changed & wrong & was_wrong).sum()),
            "wrong_into": np.bincount(after[changed & wrong], minlength=n_classes).tolist()}


def shift_workers() -> int:
    """Threads for robustness: the shifts are PIL filters and numpy array arithmetic, which run
    outside Python's lock, so each core takes a film (a 2500x2000 film costs about 0.6 s to read
    and shift: benchmarks/shift_speed.py; two threads 1.8 times as fast on 2 cores)."""
    return min(8, usable_cores())


def drop_points(clean: float, shifted: float) -> float:
    """How far a shift lowers balanced accuracy, in points. Two equal scores summed in another order
    (0.7 + 0.64 against 0.72 + 0.62) differ by 1e-14, which a table printed as a gain of "-0.0"."""
    return round(100.0 * (clean - shifted), 9) + 0.0


def robustness(predict: Callable[[np.ndarray], np.ndarray], films: Iterable[Any], config, y: np.ndarray,
               n_classes: int, chunk: int = 64, done: Callable[[], None] | None = None,
               rule: tuple[int, float] | None = None, load: Callable[[Any], np.ndarray] | None = None,
               workers: int | None = None) -> dict[str, dict]:
    """A model under every shift of the same labelled images: balanced accuracy, its drop from
    the unshifted images (points), each class's sensitivity (a shift rarely hurts every class alike:
    local contrast costs the 4-class models mostly their viral pneumonias, which balanced accuracy
    hides), how far the shift moves the answers, i.e. the mean total variation between the
    probabilities with and without it (0: unmoved; 1: certain of another class; answers can move a
    long way without crossing the decision threshold, which balanced accuracy would not see), and
    how many labels changed into each class (``moved_into``; ``changed``, ``made_wrong``, ``made_right``,
    ``wrong_to_wrong``, ``wrong_into``: changed_labels, so a net drop can be read as films; ``label_counts``: how many images got
    each class; ``probability_change``: the mean change of each class's probability;
    ``class_counts``: the films of each class, so a drop can be read as films).

    ``films`` are grayscale images, or anything ``load`` turns into one (a path with
    edge.preprocess.load_grayscale): read, shifted and preprocessed by ``workers`` threads
    (shift_workers()) in order, ``chunk`` at a time, so a large set of large films fits in memory;
    ``done`` is called once per image. ``rule`` (class index, threshold; edge.decision) labels the
    films as a device under that rule would, else the most probable class."""
    from concurrent.futures import ThreadPoolExecutor

    from convert.metrics import balanced_accuracy, sensitivities
    from edge.decision import labels_for
    from edge.preprocess import preprocess_gray

    shifts = {"none": lambda g: g, **SHIFTS}
    parts: dict[str, list[np.ndarray]] = {name: [] for name in shifts}

    def inputs(film: Any) -> list[np.ndarray]:
        g = load(film) if load else film
        return [preprocess_gray(shift(g), config) for shift in shifts.values()]

    def score(batch: list[list[np.ndarray]]) -> None:
        for k, name in enumerate(shifts):
            parts[name].append(predict(np.stack([film[k] for film in batch])))

    films = iter(films)
    pool = ThreadPoolExecutor(workers or shift_workers())
    try:
        while head := list(itertools.islice(films, chunk)):
            batch = []
            for x in pool.map(inputs, head):
                batch.append(x)
                if done:
                    done()
            score(batch)
    finally:  # Ctrl-C: the films not yet started are dropped, not worked through
        pool.shutdown(cancel_futures=True)
    probs = {name: np.concatenate(p) for name, p in parts.items()}
    labels = {name: labels_for(p, rule) for name, p in probs.items()}
    clean = balanced_accuracy(y, labels["none"], n_classes)
    return {name: {"balanced_accuracy": (ba := balanced_accuracy(y, labels[name], n_classes)),
                   "drop_points": drop_points(clean, ba),
                   "answers_moved": answers_moved(probs["none"], p),
                   "moved_into": moved_into(labels["none"], labels[name], n_classes),
                   **changed_labels(labels["none"], labels[name], y, n_classes),
                   "label_counts": np.bincount(labels[name], minlength=n_classes).tolist(),
                   "probability_change": (p - probs["none"]).mean(axis=0).tolist(),
                   "sensitivity": sensitivities(y, labels[name], n_classes),
                   "class_counts": np.bincount(y, minlength=n_classes).tolist()}
            for name, p in probs.items()}


def lean(robustness: dict[str, dict]) -> dict[str, list]:
    """Totals over all shifts of ``robustness``: labels changed into each class (``into``), those of them now
    wrong (``wrong_into``; absent where ``robustness`` predates it) and the mean change of each class's probability
    (``mean_dp``). A model whose wrong answers drift to one class under any unfamiliar processing will make that
    class's false calls at a new site; a change that made a film right is no error there."""
    shifted = [r for name, r in robustness.items() if name != "none"]
    out = {"into": np.sum([r["moved_into"] for r in shifted], axis=0).astype(int).tolist(),
           "mean_dp": np.mean([r["probability_change"] for r in shifted], axis=0).tolist()}
    if shifted and all("wrong_into" in r for r in shifted):
        out["wrong_into"] = np.sum([r["wrong_into"] for r in shifted], axis=0).astype(int).tolist()
    return out


def hardest_hit(robustness: dict[str, dict], name: str) -> tuple[int, float] | None:
    """(class index, sensitivity drop in points) of the class that ``name`` costs most, or None
    when it costs no class anything."""
    before, after = robustness["none"]["sensitivity"], robustness[name]["sensitivity"]
    drops = [(100.0 * (b - a), k) for k, (b, a) in enumerate(zip(before, after)) if b is not None and a is not None]
    worst = max(drops, key=lambda d: d[0], default=(0.0, -1))  # a tie goes to the first class
    return (worst[1], worst[0]) if worst[0] > 0 else None
