"""Where a model finds the evidence for its answer: occlusion maps, and a picture of one.

Cover one square of the preprocessed image with its mean grey, run the model again, and record
how much the probability of the answer it gave falls; do that for every square. Areas whose
cover lowers the answer most hold its evidence. It needs nothing but the model's predict
function, so it works on the device's .tflite exactly as on a .keras, with no gradients.

Why: COVID X-ray models are known to learn the hospital instead of the disease (burned-in
text, borders, positioning; DeGrave et al. 2021). A map that is hot on a corner marker or the
film's edge, rather than on the lungs, tells the person reading it not to trust that answer.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from itertools import product
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from PIL import Image, ImageDraw

from edge.atomic import atomic_path
from edge.caption import LINE_PX, caption_lines, draw_caption
from edge.figures import exact_text

if TYPE_CHECKING:
    from edge.model import EdgeModel

BORDER_MARGIN = 0.125  # the film's outer eighth: borders, collimation, text and markers


def _starts(side: int, patch: int, stride: int) -> list[int]:
    """Patch offsets along one side, always including the last one, so every pixel is covered."""
    return sorted(set(range(0, max(1, side - patch + 1), stride)) | {max(0, side - patch)})


def occlusion_map(predict: Callable[[np.ndarray], np.ndarray], image: np.ndarray, target: int,
                  patch: int = 16, stride: int = 8) -> np.ndarray:
    """(H, W) map: the fall of ``target``'s probability when a patch over each pixel is covered
    by the image's mean grey, averaged over the patches that cover it. Positive where the
    evidence for ``target`` lies, negative where covering makes the model surer of it.
    A 128-pixel input costs 226 model calls."""
    h, w = image.shape[:2]
    offsets = list(product(_starts(h, patch, stride), _starts(w, patch, stride)))
    batch = np.repeat(image[None], len(offsets), axis=0)
    fill = np.asarray(image.mean()).astype(image.dtype)
    for k, (y0, x0) in enumerate(offsets):
        batch[k, y0:y0 + patch, x0:x0 + patch] = fill
    base = float(predict(image[None])[0, target])
    drops = base - predict(batch)[:, target]
    heat, count = np.zeros((h, w)), np.zeros((h, w))
    for d, (y0, x0) in zip(drops, offsets):
        heat[y0:y0 + patch, x0:x0 + patch] += d
        count[y0:y0 + patch, x0:x0 + patch] += 1
    return heat / np.maximum(count, 1)


def border_share(heat: np.ndarray, margin: float = BORDER_MARGIN) -> float:
    """Share of the positive evidence that lies within ``margin`` of the image's edge.

    The lungs sit in the middle of a chest film; its outer eighth holds borders, collimation,
    text and markers. Uniform evidence gives 1 - (1 - 2 * margin)^2, about 0.44 for the default."""
    pos = np.clip(heat, 0, None)
    total = pos.sum()
    if total <= 0:
        return 0.0
    h, w = heat.shape
    mh, mw = int(round(h * margin)), int(round(w * margin))
    inner = pos[mh:h - mh, mw:w - mw].sum()
    return float((total - inner) / total)


def picture(image: np.ndarray, heat: np.ndarray, caption: str, scale: int = 2) -> Image.Image:
    """The model's input beside the same input with its evidence painted over it, and a caption.

    Only positive evidence is painted, from transparent to red to yellow, relative to the
    image's own strongest square: the map says where, not how much. The outer eighth is
    outlined, so evidence on borders and text stands out. Pillow alone: no plotting library
    on the device.
    """
    gray = image[..., 0] if image.ndim == 3 else image
    h, w = gray.shape
    pos = np.clip(heat, 0, None)
    t = pos / pos.max() if pos.max() > 0 else pos
    colour = np.stack([np.minimum(1.0, 2 * t), np.clip(2 * t - 1, 0, 1), np.zeros_like(t)], axis=-1) * 255.0
    alpha = (0.65 * t)[..., None]
    base = np.repeat(gray[..., None].astype(np.float64), 3, axis=-1)
    painted = np.round(base * (1 - alpha) + colour * alpha).astype(np.uint8)
    panels = np.concatenate([base.astype(np.uint8), np.full((h, 4, 3), 255, np.uint8), painted], axis=1)
    img = Image.fromarray(panels).resize((panels.shape[1] * scale, h * scale), Image.Resampling.NEAREST)
    draw = ImageDraw.Draw(img)
    m = int(round(h * BORDER_MARGIN)) * scale
    left = (w + 4) * scale
    draw.rectangle([left + m, m, left + w * scale - m - 1, h * scale - m - 1], outline=(0, 160, 255))
    lines, font = caption_lines(caption, img.width)  # wrapped, in a font that has its letters (edge.caption)
    out = Image.new("RGB", (img.width, img.height + 4 + LINE_PX * len(lines)), (0, 0, 0))
    out.paste(img, (0, 0))
    draw_caption(ImageDraw.Draw(out), lines, font, img.height + 2)
    return out


def explain_file(model: EdgeModel, image: np.ndarray, label: int, probability: float, path: str, out_dir: Path,
                 taken: set[str]) -> dict:
    """Map where ``model`` found the evidence for ``label`` in ``image`` (the model input of the
    file at ``path``, which gave ``label`` this ``probability``); write the picture to ``out_dir``
    (atomically, under a name not in ``taken``) and return {"map": its path, "evidence_at_border": share}."""
    heat = occlusion_map(model.classify, image, label)
    share = border_share(heat)
    caption = (f"{Path(path).name}: {model.labels[label]} {exact_text(probability, 2)}\n"
               f"red to yellow: its evidence; {share:.0%} of it outside the blue frame (borders, text)")
    if _same_folder(Path(path).parent, Path(out_dir)):
        raise ValueError(f"{out_dir} is this film's own folder: its map would be written among the films "
                         "(over a film of the same name), so give --explain a folder of its own")
    stem, n = map_stem(Path(path).name), 1
    name = f"{stem}.png"
    while name.casefold() in taken:  # the same name in two folders; A.png and a.png are one file on Windows and macOS
        n += 1
        name = f"{stem}-{n}.png"
    taken.add(name.casefold())
    target = Path(out_dir) / name
    with atomic_path(target) as tmp:
        picture(image, heat, caption).save(tmp, format="PNG")
    return {"map": str(target), "evidence_at_border": round(share, 4)}


# A map's name leaves room for "-99999.png" within the 255 bytes a file name may have.
MAX_STEM_BYTES = 240


def map_stem(name: str) -> str:
    """A film's name less its image suffix, as its map's name begins. A name with no image suffix keeps its
    last part (1.2.840.113619.2.55.3.1 and ...3.2, two films of one series, both lost their last UID part to
    a "suffix" and shared one stem), and a name too long is cut so that its -2, -3 still fits."""
    from edge.batch import IMAGE_SUFFIXES

    base, suffix = os.path.splitext(name)
    stem = (base if suffix.lower() in IMAGE_SUFFIXES else name) or "image"
    raw = os.fsencode(stem)
    if len(raw) <= MAX_STEM_BYTES:
        return stem
    cut = MAX_STEM_BYTES
    while cut > 0 and raw[cut] & 0xC0 == 0x80:  # not inside a letter's UTF-8 bytes
        cut -= 1
    return os.fsdecode(raw[:cut])


def _same_folder(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve() or a.samefile(b)
    except OSError:
        return False


def maps_folder(out_dir: Path, inputs: list[str], recursive: bool) -> str | None:
    """Make ``out_dir`` for the maps of these inputs, or say why it cannot be (edge.cliutil.folder_problem,
    clash_with_inputs, or mkdir's error)."""
    from edge.cliutil import folder_problem

    if problem := folder_problem(out_dir) or clash_with_inputs(out_dir, inputs, recursive):
        return problem
    try:
        Path(out_dir).mkdir(parents=True, exist_ok=True)
    except OSError as e:
        return f"cannot create it ({e.strerror or e})"
    return None


def clash_with_inputs(out_dir: Path, inputs: list[str], recursive: bool) -> str | None:
    """Why the maps must not go to ``out_dir`` for these inputs (files, folders, '-'), or None.

    A map named after its film, written into the film's own folder, replaces the film (NAME.png
    over NAME.png), and maps inside a folder that is read recursively or watched come back as
    films: under --watch an endless loop of maps of maps, each given a label. Paths read from
    stdin are checked one by one (explain_file)."""
    out = Path(out_dir).resolve()
    for a in inputs:
        if a == "-":
            continue
        p = Path(a)
        folder = p if p.is_dir() else p.parent
        same = _same_folder(folder, out)
        if same or (p.is_dir() and recursive and folder.resolve() in out.parents):
            return (f"{out_dir} is {'' if same else 'inside '}the folder of the films to map "
                    f"({a}): the maps would be written among the films (over a film of the same name) and read as "
                    "films next time; give a folder outside them")
    return None
