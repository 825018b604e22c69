"""One rule for every comma-separated option value: a blank item is refused, never dropped.

'--by "sex,$COL"' with $COL unset, or '--quant int8,,fp32', reads as a value left out: dropping the blank would give
a report without the subgroup or mode the script asked for, and exit 0. Kept in edge/ (no TensorFlow) so that the
device and the workstation commands share it.
"""

from __future__ import annotations

import re


def comma_items(text: str, option: str, what: str, example: str) -> list[str]:
    """'sex, age' -> ['sex', 'age'], each stripped and in order; ValueError for a blank item ('sex,', 'a,,b')."""
    items = [item.strip() for item in text.split(",")]
    if "" in items:
        raise ValueError(f"{option} {text!r} has an empty item (a value left out, or an unset variable?); "
                         f"give {what} separated by commas, e.g. {example}")
    return items


def decimal_comma_hint(text: str) -> str:
    """' (write 0.3)' for a share between 0 and 1 written with a decimal comma ('0,3', as German or French write it),
    to end the error line that refuses it; '' for anything else ('1,5' would be refused again as 1.5)."""
    if not re.fullmatch(r"\s*\d*,\d+\s*", text) or not 0 <= float(text.strip().replace(",", ".")) <= 1:
        return ""
    return f" (write {text.strip().replace(',', '.')})"
