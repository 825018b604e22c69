"""kept_as_shown's limits pinned (mutation survivors of session 73): it looks past 6 decimals, as the comment on its
range promises (a probability whose 3 and 4 decimals both need 7), and where no rounding up to 9 decimals is shown as
the value itself it keeps the value whole rather than rounding it to ``digits``."""

from edge.figures import fixed, kept_as_shown


def test_a_value_needing_seven_decimals_is_kept_to_seven_not_whole():
    both = lambda v: f"{fixed(v, 3)} {fixed(v, 4)}"  # noqa: E731  (convert.gate's p-value text)
    assert kept_as_shown(0.8935002123, both, 4) == 0.8935002  # 0.893500 reads '0.893 0.8935', not '0.894 0.8935'


def test_a_value_no_rounding_shows_alike_is_kept_whole():
    assert kept_as_shown(0.12345678912, repr) == 0.12345678912  # every rounding to 2..9 decimals reads otherwise
