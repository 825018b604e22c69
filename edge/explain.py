"""Where a model finds the evidence for its answer: occlusion maps, and a picture of one.

Cover one square of the film (the preprocessed image less its padding) with its mean grey, run the
model again, and record how much the log-odds of the answer it gave fall; do that for every square. Areas whose
cover lowers the answer most hold its evidence. It needs nothing but the model's predict
function, so it works on the device's .tflite exactly as on a .keras, with no gradients.

Why: COVID X-ray models are known to learn the hospital instead of the disease (burned-in
text, borders, positioning; DeGrave et al. 2021). A map that is hot on a corner marker or the
film's edge, rather than on the lungs, tells the person reading it not to trust that answer.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from itertools import product
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from PIL import Image, ImageDraw
from PIL.PngImagePlugin import PngInfo

from edge.answer_worth import normal_meaning
from edge.caption import FOOTER, FOOTER_GREY, FOOTER_WARN, LINE_PX, caption_lines, draw_caption, footer
from edge.decision import for_json
from edge.evidence_paint import DARK, LIGHT, OUTLINE_LEVEL, outline, painted, strength
from edge.figures import exact_text, fixed
from edge.map_paths import map_stem, same_folder
from edge.names import as_text
from edge.new_name import write_new
from edge.squares import falls, film_box, starts
from edge.synthetic_words import synthetic_mark

if TYPE_CHECKING:
    from edge.model import EdgeModel

BORDER_MARGIN = 0.125  # the film's outer eighth: borders, collimation, text and markers
# Below this fall of the answer's log-odds (about 1 point of probability at 0.5) no square holds evidence:
# a map normalised to its strongest square would paint a model at chance as vividly as a sure one.
MIN_FALL = 0.05
CHUNK_BYTES = 64 * 2**20  # covered copies run at a time: memory no longer grows with the input side's fourth power


@dataclass
class Occlusion:
    """Where covering the film lowered the answer: ``heat`` (H, W), the fall of the answer's log-odds
    averaged over the squares covering each pixel (positive: its evidence; 0 on the padding around the
    film); ``box`` (top, bottom, left, right), the film within the padded square; ``base`` the answer's
    log-odds uncovered; ``largest_fall`` the largest fall one square's cover gave, ``strongest`` (top, left)
    of that square and ``patch`` its side; ``grid_at_border`` the share of the grid's squares whose centre
    lies in the film's outer eighth (where the strongest would lie as often if evidence were spread evenly)."""

    heat: np.ndarray
    box: tuple[int, int, int, int]
    base: float
    largest_fall: float
    strongest: tuple[int, int] = (0, 0)
    patch: int = 0
    grid_at_border: float = 0.0

    @property
    def found(self) -> bool:
        """Whether any square's cover lowered the answer enough to call it evidence (MIN_FALL)."""
        return self.largest_fall >= MIN_FALL

    @property
    def share_at_border(self) -> float | None:
        """border_share of the film's own area; None where no evidence was found (not 0: nothing was measured)."""
        return border_share(self.heat, self.box) if self.found else None

    @property
    def strongest_at_border(self) -> bool | None:
        """Whether the strongest square's centre lies in the film's outer eighth; None where no evidence was
        found. A small decisive marker holds little of the area-weighted share_at_border but is this square."""
        if not self.found:
            return None
        return at_border(self.strongest, self.patch, self.box)

    def probability(self, covered: bool = False) -> float:
        """The answer's probability, uncovered or with its strongest square covered."""
        return float(1 / (1 + np.exp(-(self.base - (self.largest_fall if covered else 0.0)))))


def log_odds(scores: np.ndarray, target: int) -> np.ndarray:
    """(N,) log-odds of ``target`` from (N, classes) log-scores (logits over the temperature; a
    constant per row cancels). Unlike a probability it does not stop at 1.0 in float32, where no
    cover could lower a sure answer and every map came out empty."""
    s = np.asarray(scores, dtype=np.float64)
    others = np.delete(s, target, axis=1)
    top = others.max(axis=1)
    return s[:, target] - (top + np.log(np.exp(others - top[:, None]).sum(axis=1)))


def occlusion(log_scores: Callable[[np.ndarray], np.ndarray], image: np.ndarray, target: int,
              patch: int | None = None, stride: int | None = None) -> Occlusion:
    """Cover each square of the film with the film's mean grey and record how much the log-odds of
    ``target`` fall (the weight of evidence, Zintgraf et al. 2017). ``log_scores``: per-class
    log-scores of a batch (EdgeModel.log_scores). Squares are an eighth of the input's side, every
    sixteenth, and the strongest are then moved in smaller steps (edge.squares.falls) so that evidence
    about one square in size, lying between the grid's squares, is covered whole: about 300 model calls
    at any input size (a 512-pixel input had taken 3,969 calls and 1 GB with squares every 8 pixels)."""
    h, w = image.shape[:2]
    patch = patch or max(2, min(h, w) // 8)
    stride = stride or max(1, patch // 2)
    top, bottom, left, right = box = film_box(image)
    grid = list(product(starts(top, bottom, patch, stride), starts(left, right, patch, stride)))
    fill = np.asarray(image[top:bottom, left:right].mean()).astype(image.dtype)
    base = float(log_odds(log_scores(image[None]), target)[0])
    chunk = max(1, CHUNK_BYTES // max(1, image.nbytes))

    def drop(offsets: list[tuple[int, int]]) -> np.ndarray:
        out = []
        for i in range(0, len(offsets), chunk):
            batch = np.repeat(image[None], len(offsets[i:i + chunk]), axis=0)
            for k, (y0, x0) in enumerate(offsets[i:i + chunk]):
                batch[k, y0:y0 + patch, x0:x0 + patch] = fill
            out.append(base - log_odds(log_scores(batch), target))
        return np.concatenate(out)

    found = falls(drop, grid, stride)
    heat, count = np.zeros((h, w)), np.zeros((h, w))
    for (y0, x0), d in found.items():
        heat[y0:y0 + patch, x0:x0 + patch] += d
        count[y0:y0 + patch, x0:x0 + patch] += 1
    heat = heat / np.maximum(count, 1)
    outside = np.ones((h, w), bool)
    outside[top:bottom, left:right] = False
    heat[outside] = 0.0
    strongest = max(found, key=lambda o: found[o])
    grid_share = float(np.mean([at_border(o, patch, box) for o in grid]))
    return Occlusion(heat, box, base, found[strongest], strongest, patch, grid_share)


def at_border(offset: tuple[int, int], patch: int, box: tuple[int, int, int, int],
              margin: float = BORDER_MARGIN) -> bool:
    """Whether the centre of the square at ``offset`` (top, left) lies in the film's outer eighth (``box``)."""
    top, bottom, left, right = frame(box, margin)
    cy, cx = offset[0] + patch / 2, offset[1] + patch / 2
    return not (top <= cy <= bottom and left <= cx <= right)


def border_share(heat: np.ndarray, box: tuple[int, int, int, int] | None = None,
                 margin: float = BORDER_MARGIN) -> float:
    """Share of the positive evidence that lies within ``margin`` of the film's edge (``box``, as
    film_box gives it; default: the whole image).

    The lungs sit in the middle of a chest film; its outer eighth holds borders, collimation,
    text and markers. Uniform evidence gives 1 - (1 - 2 * margin)^2, about 0.44 for the default."""
    box = box or (0, heat.shape[0], 0, heat.shape[1])
    pos = np.clip(heat, 0, None)
    top, bottom, left, right = box
    total = pos[top:bottom, left:right].sum()
    if total <= 0:
        return 0.0
    top, bottom, left, right = frame(box, margin)
    return float((total - pos[top:bottom, left:right].sum()) / total)


def frame(box: tuple[int, int, int, int], margin: float = BORDER_MARGIN) -> tuple[int, int, int, int]:
    """(top, bottom, left, right) of the inner part of the film: its outer eighth lies outside."""
    top, bottom, left, right = box
    mh, mw = int(round((bottom - top) * margin)), int(round((right - left) * margin))
    return top + mh, bottom - mh, left + mw, right - mw


def picture(image: np.ndarray, found: Occlusion, caption: str, scale: int = 2, foot: str = "",
            warn: str = "") -> Image.Image:
    """The model's input beside the same input with its evidence painted over it (edge.evidence_paint: the
    brighter the stronger, on any film and in grey print), outlined at half the strongest, and the film's
    outer eighth framed; the caption says how much the strongest square matters. A map without evidence
    (Occlusion.found) is painted nothing. ``warn`` (a synthetic model's mark) goes above the footer, in orange.
    Pillow alone: no plotting library on the device."""
    gray = image[..., 0] if image.ndim == 3 else image
    h, w = gray.shape
    t = strength(found.heat, found.found)
    base = np.repeat(gray[..., None], 3, axis=-1).astype(np.uint8)
    right = np.kron(painted(gray, t), np.ones((scale, scale, 1), np.uint8))
    if t.any() and t.min() < OUTLINE_LEVEL:  # a contour needs the level inside the map's range
        inner, outer = outline(np.kron(t >= OUTLINE_LEVEL, np.ones((scale, scale), bool)))
        right[inner], right[outer] = LIGHT, DARK
    top, bottom, left, right_edge = (v * scale for v in frame(found.box))
    for inset, shade in ((0, DARK), (1, LIGHT)):  # dark outside, light inside: one of them shows on any film
        y0, y1, x0, x1 = top + inset, bottom - 1 - inset, left + inset, right_edge - 1 - inset
        if y1 > y0 and x1 > x0:
            right[y0, x0:x1 + 1] = right[y1, x0:x1 + 1] = shade
            right[y0:y1 + 1, x0] = right[y0:y1 + 1, x1] = shade
    left_panel = np.kron(base, np.ones((scale, scale, 1), np.uint8))
    panels = np.concatenate([left_panel, np.full((h * scale, 4 * scale, 3), 255, np.uint8), right], axis=1)
    img = Image.fromarray(panels)
    lines, font = caption_lines(caption, img.width)  # wrapped, in a font that has its letters (edge.caption)
    warn_lines, warn_font = caption_lines(warn, img.width) if warn else ([], font)
    foot_lines, foot_font = caption_lines(foot, img.width) if foot else ([], font)
    below = len(lines) + len(warn_lines) + len(foot_lines)
    out = Image.new("RGB", (img.width, img.height + 4 + LINE_PX * below), (0, 0, 0))
    out.paste(img, (0, 0))
    draw = ImageDraw.Draw(out)
    draw_caption(draw, lines, font, img.height + 2)
    draw_caption(draw, warn_lines, warn_font, img.height + 2 + LINE_PX * len(lines), FOOTER_WARN)
    draw_caption(draw, foot_lines, foot_font, img.height + 2 + LINE_PX * (len(lines) + len(warn_lines)), FOOTER_GREY)
    return out


def evidence_text(found: Occlusion, label: str) -> str:
    """What a map shows, in words: where the evidence lies, and how much its strongest square matters.
    Probabilities and the share are never rounded to a certainty (or a nothing) they are not (edge.figures)."""
    before, after = found.probability(), found.probability(covered=True)
    digits = next((d for d in (2, 3, 4) if fixed(before, d) != fixed(after, d)), 4)
    change = f"covering its strongest square takes {label} from {fixed(before, digits)} to {fixed(after, digits)}"
    if fixed(before, digits) == fixed(after, digits):  # a sure answer: its log-odds still move
        # where every cover raised the answer, its strongest square's "fall" is a rise: "down by -0.2" said neither
        way = "down" if found.largest_fall >= 0 else "up"
        change += f", its log-odds {way} by {abs(found.largest_fall):.2g}"
    if not found.found:
        return f"no evidence to map: {change}"
    even = fixed(1 - (1 - 2 * BORDER_MARGIN) ** 2, 0, 100)
    return (f"painted, the brightest where strongest, outlined at half the strongest: its evidence, "
            f"{fixed(found.share_at_border, 0, 100)}% of it outside the black-and-white frame (the film's outer "
            f"eighth: borders, text; {even}% if spread evenly); {change}")


# A flagged film's map says so: a picture opened alone showed "Normal 0.77" like any other film's (hunt 58, M6).
FLAGGED_CAPTION = "Input check: unlike the training films - look at the film"


def flagged_caption(atypical: bool | str | None) -> str:
    """The caption's last line for a flagged film: the input check's words, or, for a film its DICOM header flags
    (``atypical``: edge.dicom_view's reason), what the header says: a lateral film's map read "Input check: unlike
    the training films", the check that passed it (hunt 59)."""
    if isinstance(atypical, str) and atypical:
        said = atypical.split(";")[0]  # 'the DICOM header says ViewPosition LL: a lateral film'
        return f"\n{said[0].upper()}{said[1:]} - look at the film"
    return f"\n{FLAGGED_CAPTION}" if atypical else ""


def explain_file(model: EdgeModel, image: np.ndarray, label: int, probability: float, path: str, out_dir: Path,
                 taken: set[str], rule: str = "", atypical: bool | str | None = False,
                 threshold: tuple[int, float] | None = None) -> dict:
    """Map where ``model`` found the evidence for ``label`` in ``image`` (the model input of the
    file at ``path``, which gave ``label`` this ``probability``, by the threshold ``rule`` in words, if any:
    edge.output.rule_caption; ``atypical``: the input check flagged the film, or its DICOM header's reason
    (flagged_caption), said in the caption, since the map is the picture most likely looked at alone); write the picture to ``out_dir``
    (atomically, under a name no other file there has) and return {"map": its path,
    "evidence_at_border": share or None where no evidence was found, "covered_probability": the
    answer's probability with its strongest square covered, as --json gives every probability (edge.decision.for_json:
    a tiny one to 6 significant digits, not 0; on its side of ``threshold``, the rule in force)}."""
    if same_folder(Path(path).parent, Path(out_dir)):
        from edge.output import said_name  # a newline in --explain forged a line of the error

        raise ValueError(f"{said_name(str(out_dir))} is this film's own folder: its map would be written among the films "
                         "(over a film of the same name), so give --explain a folder of its own")
    found = occlusion(model.log_scores, image, label)
    if not np.isfinite(found.heat).all() or not np.isfinite(found.largest_fall):  # NaN: a map of nothing, and
        # "covered_probability": NaN in --json, which no JSON parser reads; the label stands, its map_error says why
        raise ValueError("the model gave no finite output, NaN or infinity, with a square of the film covered")
    stem = map_stem(Path(path).name)
    mark = synthetic_mark(model.meta)  # a demo model's map of a real film said nothing of its drawings (hunt 58, H1)
    # 'Normal 0.46' alone read as 'no disease' where the model means only 'not COVID' (review 73, clinician)
    meaning = f"{said}\n" if (said := normal_meaning(model.labels, label)) else ""

    def draw(tmp: Path, first: bool) -> None:
        # a map renamed -2, -3 (the same name in two folders) names its film by the path given, not the name alone
        shown = Path(path).name if first else str(path)
        caption = (f"{shown}: {model.labels[label]} {exact_text(probability, 2)}{rule}\n{meaning}"
                   f"{evidence_text(found, model.labels[label])}{flagged_caption(atypical)}")
        info = PngInfo()  # the same words as text a viewer or a script reads without looking at the picture
        info.add_itxt("Model", as_text(model.path.name))  # a name's undecodable bytes as \xNN: PNG text is UTF-8
        info.add_itxt("Disclaimer", FOOTER)
        if mark:
            info.add_itxt("Warning", mark)
        info.add_itxt("Description", as_text(caption))
        picture(image, found, caption, foot=footer(as_text(model.path.name)), warn=mark).save(tmp, format="PNG",
                                                                                              pnginfo=info)

    target = write_new(Path(out_dir), stem, ".png", taken, draw)
    share = found.share_at_border
    return {"map": str(target), "evidence_at_border": None if share is None else round(share, 4),
            "covered_probability": for_json(found.probability(covered=True), label, threshold)}
