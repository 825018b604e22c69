"""edge.explain.picture: the evidence is painted where the map is positive, and nowhere else."""

from __future__ import annotations

import os

import numpy as np
import pytest

from edge.evidence_paint import luminance
from edge.explain import Occlusion, picture


def found(heat: np.ndarray, fall: float = 1.0) -> Occlusion:
    return Occlusion(heat, (0, heat.shape[0], 0, heat.shape[1]), 0.0, fall)


def test_only_positive_evidence_is_painted_and_the_input_is_shown_unchanged():
    rng = np.random.default_rng(1)
    image = rng.integers(0, 255, (32, 32, 1), dtype=np.uint8)
    heat = np.zeros((32, 32))
    heat[20:28, 20:28] = 0.3   # evidence, inside the frame
    heat[0:4, 0:4] = -0.5      # covering this made the model surer: not evidence
    pic = np.asarray(picture(image, found(heat), "caption", scale=1))
    left, right = pic[:32, :32].astype(int), pic[:32, 36:68].astype(int)
    assert np.array_equal(left, np.repeat(image, 3, axis=-1))  # what the model saw, as it saw it
    dimmed = np.round(0.4 * np.repeat(image, 3, axis=-1)).astype(int)
    near = np.zeros((32, 32), bool)
    near[19:29, 19:29] = True  # the evidence and its outline
    lines = np.zeros((32, 32), bool)
    for m in (4, 5):  # the outer eighth's frame: a dark line and a light one inside it
        lines[m, m:32 - m] = lines[32 - m - 1, m:32 - m] = lines[m:32 - m, m] = lines[m:32 - m, 32 - m - 1] = True
    assert np.array_equal(right[~near & ~lines], dimmed[~near & ~lines])  # the film dimmed, the negative square too
    inside = np.zeros((32, 32), bool)
    inside[21:27, 21:27] = True
    assert (luminance(right[inside]) > luminance(dimmed[inside]) + 100).all()
    assert pic.shape[0] > 32  # the caption below


def test_evidence_is_lighter_the_stronger_on_any_film_and_outlined_and_framed_for_grey_print():
    """Red to yellow over the film as it was made weak evidence on bright bone print darker than no evidence, and
    weak evidence on dark lung invisible; the --explain picture had no outline and its blue frame printed as the
    film's own grey."""
    strengths = np.repeat(np.linspace(0, 1, 9), 8)[None, :].repeat(72, axis=0)  # columns of rising evidence
    for film in (40, 120, 200):
        image = np.full((72, 72, 1), film, np.uint8)
        pic = np.asarray(picture(image, found(strengths), "", scale=1))[:72, 76:148]
        row = luminance(pic[36]).reshape(9, 8)[:, 4]  # one pixel per strength, clear of the outline and frame
        assert (np.diff(row) > 4).all(), (film, row)
    heat = np.zeros((32, 32))
    heat[12:20, 12:20] = 1.0
    pic = np.asarray(picture(np.full((32, 32, 1), 128, np.uint8), found(heat), "", scale=1))[:32, 36:68]
    assert (pic[11, 14] == 0).all() and (pic[12, 14] == 255).all()  # dark outside the outline, light inside
    assert (pic[4, 10] == 0).all() and (pic[5, 10] == 255).all()  # the frame: a dark line and a light one


def test_the_caption_says_where_without_colour_names_and_never_rounds_to_a_certainty():
    from edge.explain import evidence_text

    heat = np.zeros((64, 64))
    heat[30:34, 30:34] = 1.0
    heat[0, 0] = 1e-4  # a sliver of the evidence in the border: 0.004%, not 0%
    text = evidence_text(Occlusion(heat, (0, 64, 0, 64), 21.0, 1.0), "Normal")
    assert "red" not in text and "blue" not in text and "yellow" not in text
    assert "brightest" in text and "outside the black-and-white frame" in text
    assert " 0% of it" not in text and "1.00" not in text and "from 1.0" not in text
    assert "takes Normal from 0.99999" in text


def test_a_sure_answer_every_cover_raises_says_its_log_odds_went_up_not_down_by_a_negative():
    """A sure answer whose every cover raised it has a "largest fall" below 0: its caption said "its log-odds down by
    -0.2", which says neither way; it rose by 0.2."""
    from edge.explain import evidence_text

    raised = evidence_text(Occlusion(np.zeros((8, 8)), (0, 8, 0, 8), 14.0, -0.2), "COVID")
    assert raised.startswith("no evidence to map") and raised.endswith("its log-odds up by 0.2")
    lowered = evidence_text(Occlusion(np.zeros((8, 8)), (0, 8, 0, 8), 14.0, 0.01), "COVID")
    assert lowered.endswith("its log-odds down by 0.01")


def test_a_map_without_evidence_paints_nothing():
    image = np.full((16, 16, 1), 90, np.uint8)
    pic = np.asarray(picture(image, found(-np.ones((16, 16)), fall=-1.0), "", scale=1))
    inside_the_frame = pic[4:12, 24:32]  # the right panel starts at column 20; its frame's lines at 2-3 and 12-13
    assert (inside_the_frame == 90).all()
    heat = np.ones((16, 16))  # a positive map whose largest fall is below MIN_FALL: noise, not evidence
    assert (np.asarray(picture(image, found(heat, fall=0.01), "", scale=1))[4:12, 24:32] == 90).all()
    assert (np.asarray(picture(image, found(heat), "", scale=1))[4:12, 24:32] != 90).any()


def test_a_caption_is_wrapped_to_the_picture_and_keeps_its_letters():
    """The caption ran past the right edge (a 64-px model's map lost its probability), and Pillow's built-in
    font drew ü and ö as boxes."""
    from edge.caption import ascii_letters, caption_font, caption_lines, wrapped

    measure = lambda s: 6 * len(s)  # noqa: E731  (a fixed-width font, 6 px a letter)
    assert wrapped("synthetic-COVID-0003.png: Pneumothorax 0.30", 102, measure) == [
        "synthetic-COVID-0", "003.png:", "Pneumothorax 0.30"]  # 17 letters a line: a long name broken anywhere
    assert wrapped("a b\nc", 100, measure) == ["a b", "c"]
    assert all(measure(line) <= 90 for line in wrapped("x" * 100 + " y z", 90, measure))
    assert ascii_letters("Lungenentzündung Röntgen.png é 中") == "Lungenentzundung Rontgen.png e ?"

    caption = "Röntgen.png: Pneumothorax_überblähung 0.30\npainted: its evidence; 12% of it outside the black-and-white frame"
    lines, font = caption_lines(caption, 264)
    assert all(font.getlength(line) <= 256 for line in lines)
    drawn = " ".join(lines)
    assert "0.30" in drawn and drawn.endswith("black-and-white frame")
    assert ("Pneumothorax_überblähung" in drawn) == caption_font()[1]  # as written where a font has the letters
    pic = picture(np.zeros((64, 64, 1), np.uint8), found(np.ones((64, 64))), caption)
    assert pic.height >= 128 + 16 * len(lines)


def test_a_caption_draws_no_boxes_for_letters_its_font_lacks():
    """DejaVu Sans has no Chinese letters: a film named 肺炎.png was captioned with two boxes. Each letter is now
    drawn by a font that has it (a CJK font where the system has one) or written '?'."""
    from edge.caption import caption_lines

    def boxes(font, text: str) -> set[str]:  # letters the font draws as it draws a code point no font has
        box = font.getmask("\U0010fffd")
        return {ch for ch in set(text) if not ch.isspace()
                and (font.getmask(ch).size, bytes(font.getmask(ch))) == (box.size, bytes(box))}

    caption = "肺炎-한국.png: COVID 0.91\npainted: its evidence"
    lines, font = caption_lines(caption, 400)
    drawn = "".join(lines)
    assert "COVID 0.91" in drawn
    assert boxes(font, drawn) == set()
    assert drawn.count("?") + sum(ch in drawn for ch in "肺炎한국") == 4  # each letter drawn, or shown as missing


def test_letters_no_font_here_has_are_said_once_on_stderr(monkeypatch, capsys):
    """A caption 'résumé_??.png' and nothing said: cxr-evaluate's plots say so once (convert.plot_fonts)."""
    import edge.caption as caption

    monkeypatch.setattr(caption, "wide_font", lambda: None)  # a system without a CJK font
    monkeypatch.setattr(caption, "_told", [])
    first, _ = caption.caption_lines("résumé_胸部.png: COVID 0.74\npainted: its evidence", 400)
    caption.caption_lines("肺炎.png: Normal 0.60", 400)
    caption.caption_lines("Röntgen.png: Normal 0.60", 400)
    assert first[0].startswith("r") and "??.png: COVID 0.74" in first[0]
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("edge-classify: note: the maps' captions cannot draw some of their letters")
    assert ': 胸部 in "résumé_胸部.png: COVID 0.74")' in err and "fonts-noto-cjk" in err


def test_a_maps_name_keeps_a_uid_whole_and_fits_with_its_number():
    """Path.stem took a UID's last part for a suffix (1.2.840.113619.2.55.3.1 and ...3.2, two films of one series, were
    mapped as ...55.3.png and ...55.3-2.png), and a 251-byte name's second map, ...-2.png, was past the 255 bytes
    a file name may have and never written."""
    from edge.map_paths import map_stem

    assert map_stem("1.2.840.113619.2.55.3.1") == "1.2.840.113619.2.55.3.1"
    assert map_stem("scan.2024.PNG") == "scan.2024" and map_stem("IM0001.dcm") == "IM0001" and map_stem(".png") == ".png"
    for name in ("L" * 251 + ".png", "é" * 130 + ".png", "\udcff" * 251 + ".png"):
        stem = map_stem(name)
        assert len(os.fsencode(f"{stem}-99999.png")) <= 255 and name.startswith(stem)


def test_a_map_never_replaces_a_file_written_after_the_run_began_and_a_renamed_map_names_its_film(model_dir, tmp_path):
    """The names in DIR were read once at the start: a watch overwrote the map another run wrote there later
    (that run's answer then pointed at another film's map), and a/x.png's and b/x.png's maps were both captioned x.png."""
    from edge.explain import explain_file
    from edge.model import EdgeModel

    m = EdgeModel(model_dir / "compact" / "model_int8.tflite")
    side = m.input_shape[1]
    image = np.random.default_rng(0).integers(1, 255, (side, side, 1), dtype=np.uint8)
    maps, taken = tmp_path / "maps", set()  # the folder read when it was empty
    maps.mkdir()
    (maps / "x.png").write_bytes(b"another run's map")  # written after: unknown to ``taken``
    out = explain_file(m, image, 0, 0.5, str(tmp_path / "b" / "x.png"), maps, taken)
    assert (maps / "x.png").read_bytes() == b"another run's map" and out["map"] == str(maps / "x-2.png")
    share = out["evidence_at_border"]
    assert (share is None or 0 <= share <= 1) and 0 <= out["covered_probability"] <= 1
    assert sorted(p.name for p in maps.iterdir()) == ["x-2.png", "x.png"]  # nothing claimed and left empty


def test_a_map_killed_while_written_leaves_no_file_under_its_name_and_the_next_run_clears_it(model_dir, tmp_path):
    """The map's name was claimed empty before its picture was written: a kill -9 there left a 0-byte
    x.png for good, beside its film's real map, named x-2.png by the next run."""
    import subprocess
    import sys
    import time

    from edge.explain import explain_file
    from edge.map_paths import maps_folder
    from edge.model import EdgeModel

    model, maps = model_dir / "compact" / "model_int8.tflite", tmp_path / "maps"
    maps.mkdir()
    killed = ("import os, signal, sys\nimport numpy as np\nimport edge.explain as ex\nfrom edge.model import EdgeModel\n"
              "m = EdgeModel(sys.argv[1])\nside = m.input_shape[1]\n"
              "class Killed:\n    def __init__(self, *a, **kw):\n        pass\n"
              "    def save(self, fp, format, **kw):\n        open(fp, 'wb').write(b'half a picture')\n"
              "        os.kill(os.getpid(), signal.SIGKILL)\n"
              "ex.picture = Killed\n"
              "ex.explain_file(m, np.full((side, side, 1), 100, np.uint8), 0, 0.5, 'films/x.png', ex.Path(sys.argv[2]), set())\n")
    r = subprocess.run([sys.executable, "-c", killed, str(model), str(maps)], capture_output=True, text=True)
    assert r.returncode == -9, r.stderr
    left = [p.name for p in maps.iterdir()]
    assert "x.png" not in left and len(left) == 1 and left[0].startswith(".x."), left  # only its temporary file
    old = time.time() - 120  # found later: older than edge.leftovers.YOUNG_S
    os.utime(maps / left[0], (old, old))
    assert maps_folder(maps, [str(tmp_path / "films")], False) is None  # the next run into the folder clears it
    m = EdgeModel(model)
    side = m.input_shape[1]
    out = explain_file(m, np.full((side, side, 1), 100, np.uint8), 0, 0.5, str(tmp_path / "films" / "x.png"), maps, set())
    assert out["map"] == str(maps / "x.png") and [p.name for p in maps.iterdir()] == ["x.png"]
    assert (maps / "x.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_every_map_names_its_model_and_says_it_is_not_a_medical_device(model_dir, tmp_path):
    """The per-film map, the picture most likely forwarded or opened beside the patient's film, had neither the
    report plots' footer nor the model's name."""
    from PIL import Image

    from edge.caption import FOOTER_GREY
    from edge.explain import explain_file
    from edge.model import EdgeModel

    m = EdgeModel(model_dir / "compact" / "model_int8.tflite")
    side = m.input_shape[1]
    image = np.random.default_rng(1).integers(1, 255, (side, side, 1), dtype=np.uint8)
    out = explain_file(m, image, 0, 0.5, str(tmp_path / "films" / "x.png"), tmp_path, set())
    with Image.open(out["map"]) as pic:
        assert pic.text["Model"] == "model_int8.tflite"
        assert pic.text["Disclaimer"] == "Research software, not a medical device"
        bottom = np.asarray(pic.convert("RGB"))[-16:]
    assert (bottom == FOOTER_GREY).all(axis=-1).any()  # the footer drawn under the caption, in the plots' grey
    from edge.caption import caption_lines

    foot = "model m.tflite. Research software, not a medical device"
    plain = picture(image, found(np.ones((side, side))), "x.png: COVID 0.50")
    footed = picture(image, found(np.ones((side, side))), "x.png: COVID 0.50", foot=foot)
    assert footed.height == plain.height + 16 * len(caption_lines(foot, footed.width)[0]) > plain.height  # wrapped


def test_a_map_of_a_model_whose_name_is_not_text_names_it_with_its_bytes_escaped(model_dir, tmp_path):
    import shutil

    from PIL import Image

    from edge.explain import explain_file
    from edge.model import EdgeModel

    odd = tmp_path / os.fsdecode(b"r\xe9sum\xe9.tflite")  # a Latin-1 name: PNG text must be UTF-8
    shutil.copy(model_dir / "compact" / "model_int8.tflite", odd)
    m = EdgeModel(odd)
    side = m.input_shape[1]
    out = explain_file(m, np.full((side, side, 1), 100, np.uint8), 0, 0.5, str(tmp_path / "films" / "x.png"), tmp_path, set())
    with Image.open(out["map"]) as pic:
        assert pic.text["Model"] == "r\\xe9sum\\xe9.tflite"


def test_a_map_labelled_by_a_threshold_rule_names_the_rule_in_its_caption(model_dir, tmp_path):
    """Under --threshold COVID=0.9 a film at COVID 0.74 is Normal: its map was captioned 'Normal 0.26' alone,
    read as 'Normal, 26%' by whoever sees the picture forwarded without the JSON that names the rule."""
    import subprocess
    import sys

    from PIL import Image

    from edge.batch import decode
    from edge.model import EdgeModel

    model = model_dir / "compact" / "model_int8.tflite"
    m = EdgeModel(model)
    film = tmp_path / "films" / "x.png"
    film.parent.mkdir()
    Image.fromarray(np.random.default_rng(3).integers(1, 255, (96, 96), dtype=np.uint8)).save(film)
    p = m.classify(decode(str(film), m.preprocess)[None])[0]
    k, other = 0, 1
    rule = f"{m.labels[k]}={min(0.999, (1 + p[k]) / 2):.3f}"  # above the film's own probability: the other class is given
    maps = tmp_path / "maps"
    run = subprocess.run([sys.executable, "-m", "edge.cli", str(film), "--model", str(model), "--threshold", rule,
                          "--explain", str(maps), "--json"], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    with Image.open(maps / "x.png") as pic:
        caption = pic.text["Description"]
    assert caption.startswith(f"x.png: {m.labels[other]} ")
    assert f"(rule {m.labels[k]}>={rule.split('=')[1].rstrip('0')}: {m.labels[k]} " in caption and "is below it)" in caption
    run = subprocess.run([sys.executable, "-m", "edge.cli", str(film), "--model", str(model), "--most-probable",
                          "--explain", str(maps), "--json"], capture_output=True, text=True, timeout=120)
    with Image.open(maps / "x-2.png") as pic:
        assert "rule" not in pic.text["Description"].split("\n")[0]


def test_a_labelled_film_whose_map_was_not_written_makes_the_exit_code_say_so():
    """--explain: a film keeps its label when its map cannot be written, but the run's exit code is 1 and the
    summary says how many maps are missing; with the code 0 a script took the missing maps for written."""
    from edge.tally import Tally

    t = Tally(retries=False)
    t.add("a.png", "COVID", mapped=True)
    assert not t.any_failed
    t.add("b.png", "Normal", map_failed=True)
    assert t.any_failed and t.failed == 0
    assert t.line(["COVID", "Normal"]) == "2 files: 1 COVID, 1 Normal; 1 evidence map not written"


def test_the_map_of_a_film_the_input_check_flagged_says_so_in_its_caption(tmp_path):
    """The map of a film the input check flagged showed 'Normal 0.77' like any other film's: the warning went to
    stderr alone, and the map is the picture a clinician looks at alone (hunt 58, M6)."""
    import json
    import subprocess
    import sys

    from PIL import Image

    from edge.explain import FLAGGED_CAPTION
    from tests.test_json_probabilities import calibrated_model

    model, noise = calibrated_model(tmp_path)
    maps = tmp_path / "maps"
    run = subprocess.run([sys.executable, "-m", "edge.cli", str(noise), "--model", str(model), "--explain", str(maps),
                          "--json"], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout)["atypical"] is True
    with Image.open(maps / "noise.png") as pic:
        assert pic.text["Description"].endswith("\nInput check: unlike the training films - look at the film")
    assert FLAGGED_CAPTION == "Input check: unlike the training films - look at the film"


def test_a_map_of_a_film_its_dicom_header_flags_says_what_the_header_says(tmp_path):
    """A lateral DICOM film whose pixels pass the input check is flagged by its header (edge.dicom_view); its map, the
    picture most likely looked at alone, said "Input check: unlike the training films", the check that passed it,
    and not that the film is a lateral one (hunt 59)."""
    import json
    import subprocess
    import sys

    from PIL import Image

    pytest.importorskip("pydicom", reason="DICOM support is the optional [dicom] extra")
    from tests.test_dicom import make_dicom, ramp, with_header
    from tests.test_json_probabilities import calibrated_model

    model, _ = calibrated_model(tmp_path)
    film = tmp_path / "films" / "IM1"
    film.parent.mkdir()
    film.write_bytes(with_header(make_dicom(ramp()), ViewPosition="LL", BodyPartExamined="CHEST"))
    maps = tmp_path / "maps"
    run = subprocess.run([sys.executable, "-m", "edge.cli", str(film), "--model", str(model), "--explain", str(maps),
                          "--json"], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout)["atypical"] is True
    with Image.open(next(maps.glob("*.png"))) as pic:
        assert pic.text["Description"].endswith("\nThe DICOM header says ViewPosition LL: a lateral film - look at the film")


def test_a_synthetic_models_map_says_so_in_orange_above_its_footer_and_in_its_text(model_dir, tmp_path):
    """A demo model (trained on drawings) mapped a real healthy film as "COVID 1.00" with its evidence in the lungs,
    and nothing on the picture, the one most likely forwarded, said the model had seen only drawings (hunt 58, H1)."""
    from PIL import Image

    from edge.caption import FOOTER_WARN
    from edge.explain import explain_file
    from edge.model import EdgeModel

    m = EdgeModel(model_dir / "compact" / "model_int8.tflite")
    assert m.meta.get("synthetic_data") is True  # tests.runtime_models trains on the synthetic set
    side = m.input_shape[1]
    image = np.random.default_rng(1).integers(1, 255, (side, side, 1), dtype=np.uint8)
    out = explain_file(m, image, 0, 0.5, str(tmp_path / "films" / "x.png"), tmp_path / "a", set())
    with Image.open(out["map"]) as pic:
        assert pic.text["Warning"] == "TRAINED ON SYNTHETIC IMAGES: says nothing about real X-rays"
        below = np.asarray(pic.convert("RGB"))[2 * side:]  # the caption and footer under the two panels
    # drawn, in the warning colour (near it: a font's antialiased strokes may never reach it exactly)
    assert (np.abs(below.astype(int) - np.array(FOOTER_WARN)).max(axis=-1) < 40).any()
    m.meta["synthetic_data"] = False  # a model trained on real films: no such line
    out = explain_file(m, image, 0, 0.5, str(tmp_path / "films" / "x.png"), tmp_path / "b", set())
    with Image.open(out["map"]) as pic:
        assert "Warning" not in pic.text
        assert not (np.asarray(pic.convert("RGB")) == FOOTER_WARN).all(axis=-1).any()
