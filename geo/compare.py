"""Comparing two periods' counts: the rate test behind "clearly more / fewer reports".

Counts now and before are compared with the conditional binomial test for two Poisson
counts (Przyborowski & Wilenski 1940; Krishnamoorthy & Thomson 2004): given n = now + before
reports, under "same rate" now ~ Binomial(n, r / (1 + r)) with r = exposure_ratio (length
of the current period / length of the previous one; 1 for equal periods). Two-sided
p = min(1, 2 * min(P(X <= now), P(X >= now))). ``reports.analysis.hotspot_change`` uses it
(with Benjamini-Hochberg over the listed street sections) for the one definition of a hot
spot change.
"""

from __future__ import annotations

import numpy as np
from scipy.stats import binom


def poisson_rate_test(now, before, exposure_ratio: float = 1.0) -> np.ndarray:
    """Two-sided p of the conditional binomial test (see module docstring); NaN where n == 0."""
    now = np.asarray(now, dtype=np.int64)
    n = now + np.asarray(before, dtype=np.int64)
    share = exposure_ratio / (1.0 + exposure_ratio)
    lower = binom.cdf(now, n, share)
    upper = binom.sf(now - 1, n, share)
    p = np.minimum(1.0, 2.0 * np.minimum(lower, upper))
    return np.where(n > 0, p, np.nan)
