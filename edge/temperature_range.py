"""The range a calibration temperature can have come from, so that one edited by hand is noticed.

cxr-train fits the temperature by a search bounded to [LOWEST_TEMPERATURE, HIGHEST_TEMPERATURE]
(train.calibration.fit_temperature; 1.0, "left alone", lies inside), and cxr-convert copies it
unchanged from run.json into the model file. A value outside that range was written by no
cxr-edge: a run.json or model metadata edited by hand (T = 50 makes every answer read near 1/k,
T = 0.001 near 0 or 1) went on unnoticed. One inside the range cannot be told from a fitted one
without the validation films, so it is not judged here. The bounds live in edge so that the
device can check them without train (edge never imports train)."""

from __future__ import annotations

LOWEST_TEMPERATURE = 0.05  # fit_temperature's lower bound
HIGHEST_TEMPERATURE = 20.0  # and its upper one: every probability near 1 / the classes
_SLACK = 1e-6  # the search's midpoint, exp((a + b) / 2), may round a hair past a bound


def outside_fitted_range(temperature: float) -> str | None:
    """Why ``temperature`` (a finite number above 0: the callers check that first) cannot be a fitted one, or None:
    said as 'is 50, outside 0.05 to 20, the range cxr-train fits it in (edited by hand?): every answer would read
    near 1/k', for the caller to put after what holds it."""
    if LOWEST_TEMPERATURE * (1 - _SLACK) <= temperature <= HIGHEST_TEMPERATURE * (1 + _SLACK):
        return None
    effect = ("every probability would read near 0 or 1" if temperature < LOWEST_TEMPERATURE
              else "every probability would read near 1 over the number of classes")
    return (f"is {temperature:g}, outside {LOWEST_TEMPERATURE:g} to {HIGHEST_TEMPERATURE:g}, the range cxr-train fits it "
            f"in (edited by hand?): {effect}")
