"""What cxr-train says of a model's validation answers beside its figures: whether they tell the classes apart
at all (at_chance, apart_from_chance), what its calibrated probabilities are worth where only they fail
(probabilities_line), and how the loss weighed lopsided classes (weights_line). Pure functions of the answers.
"""

from __future__ import annotations

import numpy as np

from edge.shares import mean_of_proportions
from train.audit import balanced_accuracy
from train.calibration import HIGHEST_TEMPERATURE, NO_SIGNAL


def at_chance(logits: np.ndarray, y: np.ndarray, n_classes: int) -> float | None:
    """The validation films' balanced accuracy where it is no better than chance (1 / the classes), else None."""
    if len(np.unique(y)) < 2:
        return None
    ba = balanced_accuracy(y, np.asarray(logits).argmax(1))
    return ba if ba <= 1 / n_classes + 1e-9 else None


def apart_from_chance(logits: np.ndarray, y: np.ndarray, n_classes: int) -> tuple[float, float, float] | None:
    """The validation films' balanced accuracy and its 95% interval (MOVER over each class's Wilson interval,
    edge.shares) where that interval clears chance, else None: the answers then tell the classes apart, whatever
    the probabilities say. On lopsided classes a model at 0.75 (AUROC 0.93) had probabilities that beat the
    class shares by nothing, and cxr-train said its answers told no more than how common each class is."""
    y, pred = np.asarray(y), np.asarray(logits).argmax(1)
    present = [k for k in range(n_classes) if (y == k).any()]
    if len(present) < 2:
        return None
    right, films = [int((pred[y == k] == k).sum()) for k in present], [int((y == k).sum()) for k in present]
    lo, hi = mean_of_proportions(right, films)
    return (balanced_accuracy(y, pred), lo, hi) if lo > 1 / n_classes else None


def probabilities_line(apart: tuple[float, float, float], temperature: float, n_classes: int, lopsided: bool) -> str:
    """What to say where the answers tell the classes apart (apart_from_chance) but the calibrated probabilities
    beat the class shares by nothing: 'no more than how common each class is' was false of the answers, and a
    temperature at its upper bound (every probability near 1/k) was not said at all."""
    ba, lo, hi = apart
    bound = (f", its upper bound: every probability near {1 / n_classes:.2f} whatever the film"
             if temperature >= HIGHEST_TEMPERATURE * 0.99 else "")
    why = (" (the loss weighted the lopsided classes alike, and one temperature cannot undo that)" if lopsided else "")
    return (f"on the validation films the model tells the classes apart (balanced accuracy {ba:.3f}, 95% CI {lo:.3f} "
            f"to {hi:.3f}), but its calibrated probabilities fit them no better than how common each class is "
            f"(calibration temperature {temperature:.3g}{bound}){why}: go by its answers, not by its probabilities "
            "as chances")


def weights_line(counts: dict[str, int], weights: dict[str, float]) -> str | None:
    """A line where the loss weighs the classes' training films more than 2 to 1 apart (train.fit.class_weights):
    otherwise the imbalance, and how the loss made up for it, were only in run.json."""
    w = [weights[c] for c in counts if counts[c]]
    if len(w) < 2 or max(w) <= 2 * min(w):
        return None
    return (f"classes in training: {', '.join(f'{c} {n}' for c, n in counts.items())}; each film weighted "
            f"{' : '.join(f'{weights[c]:.3g}' for c in counts)} in the loss, so that every class counts alike "
            "(run.json: fit.class_weights)")


def no_signal(gain: float, apart: tuple[float, float, float] | None) -> bool:
    """Whether a model's validation answers carry no signal: its calibrated probabilities beat the class shares by
    less than NO_SIGNAL nats a film (train.calibration.information_gain) and its answers do not tell the classes
    apart either (apart_from_chance None). run.json keeps it; convert.gate.no_signal_line reads it."""
    return bool(gain < NO_SIGNAL and apart is None)


def probabilities_only(gain: float, apart: tuple[float, float, float] | None) -> bool:
    """Whether the answers tell the classes apart while the calibrated probabilities beat the class shares by nothing
    (signal_warning's probabilities_line): run.json keeps that line as validation.probabilities_note, which
    convert.gate.calibration_line carries to report.md, the model file, its card and edge-classify."""
    return bool(gain < NO_SIGNAL and apart is not None)


def signal_warning(logits: np.ndarray, y: np.ndarray, temperature: float, gain: float, lopsided: bool) -> str | None:
    """The one warning cxr-train gives of what its validation answers carry, or None: no signal at all; else
    answers that tell the classes apart with probabilities that do not (probabilities_line); else answers no
    better than chance whose probabilities may still carry a little."""
    n_classes = np.asarray(logits).shape[1]
    apart = apart_from_chance(logits, y, n_classes)
    if no_signal(gain, apart):
        accuracy = float((np.asarray(logits).argmax(1) == np.asarray(y)).mean())
        return (f"on the validation films the model's answers tell no more than how common each class is (validation "
                f"accuracy {accuracy:.3f}, calibration temperature {temperature:.3g}: every answer near "
                + (f"{1 / n_classes:.2f}" if temperature >= HIGHEST_TEMPERATURE * 0.99 else "the class shares")
                + "). Train longer (--epochs) or on more films before using it")
    if probabilities_only(gain, apart):
        return probabilities_line(apart, temperature, n_classes, lopsided)
    if (chance_ba := at_chance(logits, y, n_classes)) is not None:
        return (f"on the validation films the model's answers are no better than chance (balanced accuracy "
                f"{chance_ba:.3f}, chance {1 / n_classes:.3f}). Train longer (--epochs) or on more films before using it")
    return None
