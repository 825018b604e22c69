"""Training defaults that depend on the data: epochs from a step budget, BatchNorm momentum."""

from __future__ import annotations

import pytest

from train.run import auto_epochs


@pytest.mark.parametrize("steps, epochs", [(17, 120), (30, 120), (40, 100), (100, 40), (660, 15), (10_000, 15)])
def test_auto_epochs_follows_a_step_budget_within_bounds(steps, epochs):
    # cxr-dev COVID vs Normal has 17 steps an epoch; the full Kaggle database about 660.
    assert auto_epochs(steps) == epochs


def test_auto_epochs_never_returns_zero_for_empty_input():
    assert auto_epochs(0) == 120


def test_bn_momentum_remembers_about_one_epoch():
    pytest.importorskip("keras")
    from train.models import bn_momentum

    assert bn_momentum(3) == pytest.approx(0.667, abs=1e-3)
    assert bn_momentum(17) == pytest.approx(1 - 1 / 17)
    assert bn_momentum(1000) == 0.95
