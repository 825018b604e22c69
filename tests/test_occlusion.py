"""Occlusion maps: a classifier whose evidence is known must be found where it is, measured on the
film (not its padding), in log-odds (which do not stop at 1.0), and said to be absent where it is."""

from __future__ import annotations

import numpy as np
import pytest

from convert.occlusion import explain_mistakes, overall_border_share
from edge.explain import MIN_FALL, border_share, film_box, occlusion


def top_left_detector(x: np.ndarray) -> np.ndarray:
    """Log-scores whose P(class 1) is the brightness of the 32x32 top-left corner, and depends on nothing else."""
    p1 = np.clip(x[:, :32, :32, 0].astype(float).mean(axis=(1, 2)) / 255, 1e-9, 1 - 1e-9)
    return np.log(np.stack([1 - p1, p1], axis=1))


def image(corner: int) -> np.ndarray:
    img = np.full((128, 128, 1), 60, np.uint8)
    img[:32, :32] = corner
    return img


def test_the_map_is_hot_where_the_evidence_is_and_zero_elsewhere():
    heat = occlusion(top_left_detector, image(250), target=1).heat
    assert heat.shape == (128, 128)
    assert heat[:24, :24].min() > 0.05
    # No patch that covers pixels past row/column 48 touches the corner.
    assert np.all(heat[48:, :] == 0) and np.all(heat[:, 48:] == 0)
    # For the other class the same patches raise the probability: negative evidence.
    assert occlusion(top_left_detector, image(250), target=0).heat[:24, :24].max() < 0


def test_a_sure_answer_still_has_its_evidence_found():
    """The map was the fall of a probability: at 1.0 in float32 (a logit margin over the temperature above
    about 17) no cover could lower it, every map came out empty and was reported as '0% at the border'."""
    def sure(x: np.ndarray) -> np.ndarray:  # logits 40 apart where the corner is bright: P = 1.0 in float32
        corner = x[:, :32, :32, 0].astype(float).mean(axis=(1, 2)) / 255
        return np.stack([np.zeros(len(x)), 50 * corner], axis=1)
    found = occlusion(sure, image(250), target=1)
    assert np.float32(1 / (1 + np.exp(-found.base))) == 1.0 and found.found
    assert found.heat[:24, :24].min() > 1 and found.share_at_border > 0.6
    assert found.largest_fall > 5


def test_a_map_without_evidence_says_so_and_is_counted_apart():
    flat = occlusion(lambda x: np.zeros((len(x), 2)), image(250), target=0)
    assert not flat.found and flat.share_at_border is None and flat.largest_fall < MIN_FALL
    x = np.stack([image(250), image(250)])
    probs = np.exp(top_left_detector(x))
    none = overall_border_share(lambda b: np.zeros((len(b), 2)), x, probs)
    assert none == {"mean": None, "n": 0, "without_evidence": 2, "strongest_at_border": None,
                    "strongest_at_border_even": None}


def test_the_film_not_its_padding_is_mapped_and_framed():
    """A landscape film padded to a square: its own top edge (where text sits) counted as inside the frame,
    and covering the black padding with grey painted 'evidence' on it."""
    img = np.zeros((128, 128, 1), np.uint8)
    img[32:96] = 60                  # a film 128 wide and 64 high, padded black above and below
    img[32:40, 48:80] = 250          # bright text on the film's own top edge
    assert film_box(img) == (32, 96, 0, 128)

    def text_detector(x: np.ndarray) -> np.ndarray:
        p = np.clip(x[:, 32:40, 48:80, 0].astype(float).mean(axis=(1, 2)) / 255, 1e-9, 1 - 1e-9)
        return np.log(np.stack([1 - p, p], axis=1))
    found = occlusion(text_detector, img, target=1)
    assert found.box == (32, 96, 0, 128)
    assert np.all(found.heat[:32] == 0) and np.all(found.heat[96:] == 0)  # nothing on the padding
    assert found.share_at_border > 0.6  # on the square, rows 32-40 lay inside the frame: 0
    assert border_share(found.heat) < 0.1


def test_a_films_own_black_band_is_film_not_padding():
    """Preprocessing equalises a dark band at a film's edge to 0: taken for padding, it was never covered
    nor counted (5 cxr-dev films). Padding is centred and on one side only; a band on one edge is the film's."""
    img = np.zeros((128, 128, 1), np.uint8)
    img[:, 15:113] = 60                 # a portrait film padded 15 columns each side
    img[115:, 15:113] = 0               # its own black band at the bottom
    assert film_box(img) == (0, 128, 15, 113)
    img[:] = 60
    img[:12] = 0                        # a square film, not padded, black along its top
    assert film_box(img) == (0, 128, 0, 128)
    img[:] = 0
    img[31:96] = 60                     # a landscape film 65 high: padding 31 above and 32 below
    assert film_box(img) == (31, 96, 0, 128)


def test_every_pixel_is_covered_and_the_calls_do_not_grow_with_the_side():
    seen = []

    def record(x):
        seen.append(x.copy())
        return np.zeros((len(x), 2))

    img = np.zeros((30, 30, 1), np.uint8)
    img[::2], img[1::2] = 255, 10  # stripes: the mean grey differs from every pixel; no black row reads as padding
    occlusion(record, img, 0, patch=16, stride=8)
    covered = (seen[1] != img).any(axis=0)[..., 0]  # seen[0] is the unmodified image
    assert covered.all()
    calls = {}
    for side in (64, 128, 512):
        seen.clear()
        occlusion(record, np.full((side, side, 1), 9, np.uint8), 0)
        calls[side] = sum(len(b) for b in seen)
    # 225 squares, the image uncovered, and up to 72 squares moved around the strongest (edge.squares): 3,970
    # calls at 512 px with 16-pixel squares every 8
    assert calls[128] == calls[512] and 226 < max(calls.values()) <= 298
    assert max(len(b) for b in seen) < 226  # 512 px: run in chunks, not all 225 copies at once (236 MB)


def marker_detector(x: np.ndarray) -> np.ndarray:
    """Log-scores of a model that reads a white 15-pixel marker at rows and columns 5-19: its answer holds
    while any white of it is left (its brightest pixel), and leans on how much is left (its mean)."""
    mark = x[:, 5:20, 5:20, 0].astype(float) / 255
    return np.stack([np.zeros(len(x)), 6 * mark.mean(axis=(1, 2)) + 12 * mark.max(axis=(1, 2)) - 9], axis=1)


def test_a_marker_between_the_grids_squares_is_covered_whole_and_its_cover_said_to_matter():
    """Squares every 8 pixels start at 0 and 8: neither covers rows 5-19 whole, the white left kept the
    answer, and the map said covering its strongest square left it at 0.99 where a square at (5, 5) makes it 0.01."""
    img = np.full((128, 128, 1), 60, np.uint8)
    img[5:20, 5:20] = 250
    found = occlusion(marker_detector, img, target=1)
    assert found.probability() > 0.99
    assert found.probability(covered=True) < 0.05
    assert all(at <= 5 and at + found.patch >= 20 for at in found.strongest)  # the strongest square covers it whole
    hot = np.unravel_index(found.heat.argmax(), found.heat.shape)
    assert 4 <= hot[0] < 20 and 4 <= hot[1] < 20  # on the marker, or the pixel beside it
    assert found.strongest_at_border and found.share_at_border > 0.9


def test_a_small_decisive_marker_is_caught_where_the_share_by_area_misses_it():
    """A model that reads a corner marker, and the middle of the film a little everywhere: its evidence by
    area lies mostly inside the frame (40% for a planted marker that flipped 19 of 51 answers: 'looks at the
    middle'), but its strongest square is the marker on every film, against a quarter for any square alike."""
    from convert.evidence_words import evidence_line

    def marker_and_middle(x: np.ndarray) -> np.ndarray:
        mark, middle = x[:, 5:20, 5:20, 0].astype(float) / 255, x[:, 16:112, 16:112, 0].astype(float) / 255
        return np.stack([np.zeros(len(x)), 4 * mark.max(axis=(1, 2)) + 2 * mark.mean(axis=(1, 2))
                         + 20 * middle.mean(axis=(1, 2)) - 18], axis=1)

    films = []
    for middle in (170, 180, 190):
        img = np.full((128, 128, 1), 60, np.uint8)
        img[16:112, 16:112] = middle
        img[5:20, 5:20] = 250
        films.append(img)
    x = np.stack(films)
    got = overall_border_share(marker_and_middle, x, np.exp(marker_and_middle(x)), pred=np.ones(3, int))
    assert got["n"] == 3 and got["mean"] < 0.44
    assert got["strongest_at_border"] == 1.0 and 0.2 < got["strongest_at_border_even"] < 0.3
    line = evidence_line(got)
    assert "on 100% of the images the square whose cover lowers the answer most lies in the outer eighth" in line
    assert "more than twice as often: look at the maps" in line
    calm = evidence_line(got | {"strongest_at_border": 0.08})
    assert "(25% if it were any square alike)." in calm and "look at the maps" not in calm


def test_border_share():
    heat = np.zeros((64, 64))
    heat[:4, :] = 1.0
    assert border_share(heat) == pytest.approx(1.0)
    heat = np.zeros((64, 64))
    heat[28:36, 28:36] = 1.0
    assert border_share(heat) == 0.0
    assert border_share(np.ones((64, 64))) == pytest.approx(1 - 0.75 ** 2)
    assert border_share(-np.ones((8, 8))) == 0.0
    heat = np.zeros((64, 64))
    heat[24:26, 24:40] = 1.0
    assert border_share(heat) == 0.0 and border_share(heat, (24, 40, 24, 40)) == 1.0  # the box's own outer eighth


def test_a_square_is_at_the_border_by_its_centre_not_its_corner():
    """The strongest square's place ('strongest square at the border', the caption's 'x% if spread evenly')
    goes by its centre: by its top-left corner, a square over the lungs whose corner reached the outer eighth
    was said to lie at the border, a warning of shortcut learning on a film that shows none."""
    from edge.explain import Occlusion, at_border

    box = (0, 64, 0, 64)  # its outer eighth: the 8 pixels along each edge
    assert at_border((0, 0), 8, box) and not at_border((48, 24), 16, box)
    assert not at_border((4, 28), 16, box)  # corner in the outer eighth, centre (12, 36) inside
    assert at_border((50, 50), 16, box)  # centre (58, 58): outside the frame
    lungs = Occlusion(np.zeros((64, 64)), box, 0.0, largest_fall=1.0, strongest=(4, 28), patch=16)
    assert not lungs.strongest_at_border


def test_explain_mistakes_picks_the_most_confident_errors_in_order():
    x = np.stack([image(c) for c in (250, 200, 40, 250)])
    y = np.array([0, 0, 0, 1])  # the first two are called class 1 wrongly, the first more surely
    probs = np.exp(top_left_detector(x))
    out = explain_mistakes(top_left_detector, x, y, probs, limit=5)
    assert [m["index"] for m in out] == [0, 1]
    assert out[0]["probability"] > out[1]["probability"] and out[0]["predicted"] == 1 and out[0]["true"] == 0
    # The evidence is a corner: well above the 0.44 of evidence spread evenly (the corner's inner
    # quarter and the patches' reach lie inside the outer eighth's line).
    assert out[0]["border_share"] > 0.6 and out[0]["map"].found
    assert explain_mistakes(top_left_detector, x, y, probs, limit=1)[0]["index"] == 0
    done = []  # cxr-evaluate's progress bar: the mistakes' maps ran before it started, with no progress of their own
    explain_mistakes(top_left_detector, x, y, probs, limit=5, done=done.append)
    assert done == [1, 1]


def test_overall_border_share_samples_evenly_and_follows_the_answers():
    x = np.stack([image(c) for c in (250, 40, 250, 40, 250)])
    probs = np.exp(top_left_detector(x))
    every = overall_border_share(top_left_detector, x, probs)
    assert every["n"] == 5 and every["mean"] > 0.6  # all the evidence is in the corner
    two = overall_border_share(top_left_detector, x, probs, limit=2)  # images 0 and 4
    assert two["n"] == 2
    assert two["mean"] == pytest.approx(occlusion(top_left_detector, x[0], 1).share_at_border)
    # under a threshold rule the answers are the rule's: the evidence mapped is for the class given
    given = np.zeros(5, int)  # every film called class 0, whose evidence here is none (a negative map)
    ruled = overall_border_share(top_left_detector, x, probs, pred=given)
    # covering a dark corner (40, below the mean grey) lowers class 1 there: evidence for class 0 on 2 films
    assert ruled["n"] == 2 and ruled["without_evidence"] == 3 and every["without_evidence"] == 0


def test_mistakes_whose_maps_found_no_evidence_are_said_so_once_and_not_keyed_as_painted_maps(tmp_path):
    """'None of the 24 images ... gave evidence', then the key to painted maps, a picture with nothing painted and six
    rows each marked 'no evidence'. Now said once; the films stay (picture and table) without the columns that need
    evidence. Maps that found evidence keep the key and the columns."""
    from convert.occlusion_section import occlusion_section

    x = np.stack([image(250), image(200), image(240)])
    probs = np.array([[0.1, 0.9], [0.2, 0.8], [0.3, 0.7]])
    y, classes, files = np.zeros(3, int), ["COVID", "Normal"], ["a.png", "b.png", "c.png"]
    flat = lambda b: np.zeros((len(b), 2))  # noqa: E731: answers alike whatever is covered: no evidence anywhere
    report: dict = {}
    md = occlusion_section(tmp_path, explain_mistakes(flat, x, y, probs, 6), x, classes, files, report,
                           overall_border_share(flat, x, probs))
    assert [r["border_share"] for r in report["occlusion"]] == [None, None, None]  # report.json keeps its nulls
    assert md[2].startswith("None of the 3 images mapped over this set gave evidence to map")
    assert md[4] == ("The model's 3 most confident mistakes below: as over the set, none of their maps found evidence, "
                     "so nothing is painted and no share in the border is given. The picture shows them dimmed, nothing "
                     "painted, for a look at them; the table gives each answer's probability.")
    assert md[6].startswith("![The most confident mistakes, each film dimmed and unpainted") and (tmp_path / "occlusion.png").is_file()
    assert md[8:12] == ["| file | true | predicted | probability |", "|---|---|---|---:|", "| a.png | COVID | Normal | 0.90 |",
                        "| b.png | COVID | Normal | 0.80 |"]
    assert not any("no evidence" in line or "Occlusion maps: each film" in line for line in md)
    one = occlusion_section(tmp_path, explain_mistakes(flat, x[:1], y[:1], probs[:1], 6), x[:1], classes, files, {})
    assert one[2].startswith("The model's 1 most confident mistake below: its map found no evidence (no square's cover")
    found = occlusion_section(tmp_path, explain_mistakes(top_left_detector, x, y, probs, 6), x, classes, files, {})
    assert any(line.startswith("Occlusion maps: each film") for line in found)
    assert "| file | true | predicted | probability | covered | border % |" in found
