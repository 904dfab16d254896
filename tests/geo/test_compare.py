"""The rate test for two Poisson counts behind every "clearly more / fewer" verdict."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import binomtest

from geo.compare import poisson_rate_test


def test_rate_test_equals_exact_binomial_test_for_equal_periods():
    for now, before in [(20, 2), (1, 20), (6, 0), (5, 6), (0, 0), (13, 13)]:
        p = poisson_rate_test([now], [before])[0]
        if now + before == 0:
            assert np.isnan(p)
        else:
            assert p == pytest.approx(binomtest(now, now + before, 0.5).pvalue)
    # twice as long a current period: twice the reports is no change
    assert poisson_rate_test([20], [10], exposure_ratio=2.0)[0] == pytest.approx(1.0)
