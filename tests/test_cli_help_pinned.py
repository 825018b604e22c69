"""edge-classify's --help (edge.cli_help) held against what the code does: its numbers and names are the code's,
read from where the code keeps them, so that a changed span, exit code or naming rule changes the help with it.

Found by hand mutation testing: ten of its claims (the watch's spans and poll counts, the interrupt's exit code,
the evidence share of a uniform map, the second map's name, the threshold rule's words) could be changed and no
test saw it. The texts are read as one line (their words rewrapped), as edge.help_output fits them to a terminal.
"""

from __future__ import annotations

import numpy as np

from edge import cli_help
from edge.cliutil import EXIT_INTERRUPTED, EXIT_PIPE_CLOSED, EXIT_SOME_FAILED, EXIT_USAGE
from edge.explain import border_share
from edge.new_name import write_new
from edge.threshold_text import class_and_value
from edge.watch_timing import EMPTY_NS, EMPTY_POLLS, FULL_EVERY, QUIET_NS, STILL_CHANGING_NS


def _words(text: str) -> str:
    return " ".join(text.split())


def test_the_watch_help_gives_the_watchs_own_spans_and_poll_counts():
    text = _words(cli_help.WATCH_HELP)
    assert f"on two polls in a row, {QUIET_NS // 10**9} s apart at least" in text
    assert f"each {FULL_EVERY}th poll" in text
    assert f"gets its error line after {EMPTY_NS // 10**9} s ({EMPTY_POLLS} polls at least)" in text
    assert f"a file still changing after {STILL_CHANGING_NS // 60 // 10**9} minutes" in text


def test_the_command_help_gives_the_exit_codes_the_command_exits_with():
    text = _words(cli_help.CLASSIFY_HELP)
    assert (f"Exit code: 0 all classified, {EXIT_SOME_FAILED} some files failed (the rest are still classified), "
            f"{EXIT_USAGE} usage or model error, or answers that cannot be written (a full disk), {EXIT_INTERRUPTED} interrupted, {EXIT_PIPE_CLOSED} standard "
            "output's reader went away") in text


def test_the_explain_help_gives_a_uniform_maps_border_share():
    """A map whose evidence is spread evenly has this share in the film's outer eighth: the number a person reads
    evidence_at_border against."""
    even = border_share(np.ones((64, 64)))
    assert f"{even:.2f} if spread evenly" in _words(cli_help.EXPLAIN_HELP)


def test_the_explain_help_names_a_second_map_as_write_new_does(tmp_path):
    def draw(path, first):
        path.write_bytes(b"x")

    names = [write_new(tmp_path, "NAME", ".png", set(), draw).name for _ in range(3)]
    assert names == ["NAME.png", "NAME-2.png", "NAME-3.png"]
    assert f"is named {names[1]}, {names[2]}, ..." in _words(cli_help.EXPLAIN_HELP)


def test_the_threshold_help_gives_the_forms_and_the_side_of_a_low_threshold():
    """CLASS>=P is read back (the rule column's form); CLASS>P is not, so the help names only the first. A low
    threshold is one below 1/K (0.25 with four classes), not below 0.5."""
    labels = ["COVID", "Normal"]
    assert class_and_value("COVID>=0.25", labels, "--threshold", "probability", 0.3) == (0, 0.25)
    text = _words(cli_help.THRESHOLD_HELP)
    assert "CLASS>=P, as the rule column prints it, is taken too; no other comparison is." in text
    assert "A P below 1/K (K classes; 0.5 for two) trades specificity for sensitivity" in text
