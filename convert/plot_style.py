"""How a report plot tells its series apart: readers print the plots in greyscale and some cannot tell red from
green, so no series is told by colour alone. Colours come from the Okabe-Ito colour-blind-safe palette, and
every curve also has its own line style and marker, every bar its own hatch; a report's model (its mode) keeps
one style in every figure. convert.plots draws with them."""

from __future__ import annotations

from convert.modes import MODES as QUANT_MODES

# Okabe-Ito, less its yellow (faint as a line on white) and its black (a black bar hid its black whisker and
# hatch), and a mid grey: 7 colours against 4 line styles, so 28 curves before a colour and style repeat together.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#777777")
LINESTYLES = ("-", "--", "-.", ":")
MARKERS = ("o", "s", "D", "^", "v", "P", "X")
HATCHES = ("", "//", "..", "xx", "\\\\", "--", "oo")
# Each model of a report keeps its colour, hatch and marker in every figure (fp32 was black in one, green in another).
MODES = ("keras", *QUANT_MODES)


def style(k: int) -> dict:
    """Colour, line style and marker of the k-th series: each differs, so greyscale still parts them."""
    return {"color": PALETTE[k % len(PALETTE)], "ls": LINESTYLES[k % len(LINESTYLES)], "marker": MARKERS[k % len(MARKERS)]}


def series(name: str, k: int) -> int:
    """The style index of a report's model: its mode's own (MODES), else its place ``k``."""
    return MODES.index(name) if name in MODES else k
