"""How many training films the full-integer modes' ranges are set on (--calibration-samples), and how they were drawn.

The converter sets each int8 tensor's range from the lowest and highest values it sees on these films: a class none of
them shows sets no range, and a handful of films leave out the extremes that others reach, which are then clipped on
the device. ``cxr-convert --calibration-samples 1`` was accepted without a word, and report.md called its one film
"stratified". Fewer films than the run has classes are refused; under 100 (TensorFlow's guide asks for about 100 to
500; benchmarks/RESULTS.md, session 26, found 300, 1,000 and every training film alike) a warning says what it risks;
report.md names how many films each class gave.
"""

from __future__ import annotations

import numpy as np

from convert.modes import FULL_INTEGER
from edge.figures import counted, listed
from edge.output import said_name

FEWEST_ADVISED = 100  # TensorFlow's post-training integer quantization guide: "around ~100-500 samples"
DEFAULT_SAMPLES = 300  # cxr-convert's default, the count benchmarks/RESULTS.md measured


def too_few_problem(n: int, classes: list[str], modes: list[str] | None) -> str | None:
    """Why ``n`` calibration films are refused for a run of ``classes`` converting ``modes`` (None: every mode), or
    None: fewer than one film a class leaves a class's range unset (a full-integer mode must be among them)."""
    if modes is not None and not any(m in FULL_INTEGER for m in modes):
        return None
    if n >= len(classes):
        return None
    return (f"--calibration-samples {n} is fewer than the run's {len(classes)} classes ({', '.join(classes)}): "
            f"the int8 ranges would be set without a single film of some class; give at least {FEWEST_ADVISED} "
            f"(the default, {DEFAULT_SAMPLES}, is what benchmarks/RESULTS.md measured)")


def calibration_draw(labels: np.ndarray, classes: list[str], asked: int) -> dict:
    """What report.json keeps of the films drawn (``labels``: their class indices): each class's count, and a warning
    in words where they are under FEWEST_ADVISED (None otherwise)."""
    counts = {c: int(np.sum(np.asarray(labels) == k)) for k, c in enumerate(classes)}
    n = sum(counts.values())
    warning = None
    if n < FEWEST_ADVISED:
        # all the training split holds: more --calibration-samples adds none ("give 100 or more" was said to one who
        # asked 300 of a split of 84)
        fewer, advice = ((f" (all the training split holds of the {asked} asked for)",
                          f"train the run on more films to set them on {FEWEST_ADVISED} or more") if n < asked else
                         ("", f"give --calibration-samples {FEWEST_ADVISED} or more (the default is {DEFAULT_SAMPLES})"))
        warning = (f"the int8 ranges are set on {counted(n, 'training film')}{fewer} ({draw_words(counts)}): values "
                   f"the other films reach beyond them are clipped on the device; {advice}, and read the gate below "
                   "for what it cost")
    return {"counts": counts, "warning": warning}


def recorded_draw(n: int | None) -> dict | None:
    """--report-only's ``calibration_draw``, which draws no film: the count the full-integer files record
    (convert.run_files.calibration_count), no class counts, and the warning under FEWEST_ADVISED that a conversion
    gives (it was left out, though docs/commands.md promises it); None where the files record no count."""
    if n is None:
        return None
    warning = None if n >= FEWEST_ADVISED else (
        f"the int8 ranges were set on {counted(n, 'training film')} when the files were converted: values the other "
        "films reach beyond them are clipped on the device; convert again with --calibration-samples "
        f"{FEWEST_ADVISED} or more (the default is {DEFAULT_SAMPLES}; more training films where the split holds "
        "fewer), and read the gate below for what it cost")
    return {"counts": None, "warning": warning}


def uncounted_line(names: list[str]) -> str:
    """--report-only's note on full-integer files (``names``) that do not record how many training films set their
    ranges: whether those were under FEWEST_ADVISED, which a conversion warns of, cannot be checked, and it said
    nothing, which read as no warning due. A note, not an error: the files are scored as ever."""
    one = len(names) == 1
    return (f"{listed([said_name(n) for n in names])} {'does' if one else 'do'} not record how many training films "
            f"set {'its' if one else 'their'} int8 ranges ({'it was' if one else 'they were'} converted before files "
            f"recorded it), so whether they were fewer than {FEWEST_ADVISED}, which cxr-convert warns of, cannot be "
            "checked; convert again without --report-only to know")


def warned(draw: dict | None, log) -> dict | None:
    """``draw``, its warning logged (``log``: cxr-convert's stderr lines) where it has one."""
    if draw and draw.get("warning"):
        log(f"warning: {draw['warning']}")
    return draw


def draw_words(counts: dict[str, int], name=str) -> str:
    """'4 COVID and 4 Normal': each class's count in the draw (``name``: how a class name is shown)."""
    return listed([f"{n} {name(c)}" for c, n in counts.items()])


def draw_sentence(report: dict, name=str) -> str:
    """report.md's sentence on the films the full-integer ranges were set on: how many of each class, drawn how
    (an equal share of each class, at random within it); '' where no full-integer mode was converted. ``name``: how a
    class name is shown (report.md's md_cell)."""
    if not report.get("calibrated_modes", True):
        return ""
    n, draw = report.get("calibration_samples"), report.get("calibration_draw") or {}
    if not n:
        return ("The full-integer modes' quantization ranges were set on training images when they were converted "
                "(never test). ")
    each = (f": {draw_words(draw['counts'], name)}, an equal share of each class as far as its films allowed, drawn at random within it"
            if draw.get("counts") else ", drawn from each class alike when the files were converted")
    said = (f"The full-integer modes' quantization ranges were set on {counted(n, 'training image')}{each} "
            "(never test). ")
    warned = draw.get("warning") and (draw["warning"].replace(draw_words(draw["counts"]), draw_words(draw["counts"], name))
                                      if draw.get("counts") else draw["warning"])
    return said + (f"**Warning:** {warned}. " if warned else "")
