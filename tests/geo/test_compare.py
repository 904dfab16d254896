"""Two-period comparison: the rate test, verdicts with their counts, hot spot changes."""

from __future__ import annotations

import numpy as np
import pytest
import shapely
from scipy.stats import binomtest

from geo.compare import poisson_rate_test, two_period
from geo.grid import GridSpec, cell_ids
from tests.stat_sample import reports_at

SPEC = GridSpec(100, "square")
AREA = shapely.box(319_000, 5_690_000, 321_000, 5_692_000)


def test_rate_test_equals_exact_binomial_test_for_equal_periods():
    for now, before in [(20, 2), (1, 20), (6, 0), (5, 6), (0, 0), (13, 13)]:
        p = poisson_rate_test([now], [before])[0]
        if now + before == 0:
            assert np.isnan(p)
        else:
            assert p == pytest.approx(binomtest(now, now + before, 0.5).pvalue)
    # twice as long a current period: twice the reports is no change
    assert poisson_rate_test([20], [10], exposure_ratio=2.0)[0] == pytest.approx(1.0)


def frame_of(parts):
    """Reports in cells `col` columns east of the first cell, n each, plus one unplaced."""
    cols = np.repeat([col for col, _ in parts], [n for _, n in parts])
    x = np.append(319_050.0 + 100 * cols, np.nan)
    return reports_at(x, np.append(np.full(len(cols), 5_690_050.0), np.nan))


def test_verdicts_with_the_counts_behind_them():
    now = frame_of([(0, 20), (1, 1), (2, 6), (3, 5), (4, 1)])
    before = frame_of([(0, 2), (1, 20), (3, 6), (4, 1)])
    out = two_period(now, before, SPEC).set_index("cell_id")
    ids = cell_ids([319_050 + 100 * c for c in range(5)], [5_690_050] * 5, SPEC)
    expected = [
        (20, 2, "zunehmend"),
        (1, 20, "abnehmend"),
        (6, 0, "neu"),
        (5, 6, "unverändert"),
        (1, 1, "zu wenige Meldungen"),
    ]
    for cell, (n_now, n_before, verdict) in zip(ids, expected, strict=True):
        row = out.loc[cell]
        assert (row["now"], row["before"], row["verdict"]) == (n_now, n_before, verdict)
        assert row["change"] == n_now - n_before
    assert out.loc[ids[0], "rel_change"] == pytest.approx(9.0)
    assert np.isnan(out.loc[ids[2], "rel_change"])
    assert np.isnan(out.loc[ids[4], "p_fdr"])  # too few: not part of the tested family
    assert out.attrs["not_placed"] == {"now": 1, "before": 1}
    assert out["change"].tolist() == sorted(out["change"], reverse=True)
