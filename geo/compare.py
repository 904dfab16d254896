"""Two-period comparison for the meetings: "since the last meeting" vs "the period before".

Per cell, the counts now and before are compared with the conditional binomial test for two
Poisson counts (Przyborowski & Wilenski 1940; Krishnamoorthy & Thomson 2004): given
n = now + before reports in the cell, under "same rate" now ~ Binomial(n, r / (1 + r)) with
r = exposure_ratio (length of the current period / length of the previous one; 1 for equal
periods). Two-sided p = min(1, 2 * min(P(X <= now), P(X >= now))). Many cells are tested at
once, so verdicts use Benjamini-Hochberg adjusted p (``p_fdr``) at ``alpha``.

Verdicts (with the counts behind them in the same row):
  * "zu wenige Meldungen": now + before < ``min_reports``; no statement.
  * "neu": nothing before, at least ``min_reports`` now (descriptive; p is still given).
  * "zunehmend" / "abnehmend": significant change up / down.
  * "unverändert": no significant change.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.stats import binom

from geo.aggregate import counts_by_cell
from geo.grid import GridSpec
from geo.hotspots import fdr


def poisson_rate_test(now, before, exposure_ratio: float = 1.0) -> np.ndarray:
    """Two-sided p of the conditional binomial test (see module docstring); NaN where n == 0."""
    now = np.asarray(now, dtype=np.int64)
    n = now + np.asarray(before, dtype=np.int64)
    share = exposure_ratio / (1.0 + exposure_ratio)
    lower = binom.cdf(now, n, share)
    upper = binom.sf(now - 1, n, share)
    p = np.minimum(1.0, 2.0 * np.minimum(lower, upper))
    return np.where(n > 0, p, np.nan)


def two_period(
    now: pd.DataFrame,
    before: pd.DataFrame,
    spec: GridSpec,
    min_reports: int = 5,
    alpha: float = 0.05,
    exposure_ratio: float = 1.0,
) -> pd.DataFrame:
    """Per cell with reports in either period: DataFrame[cell_id, now, before, change,
    rel_change, p, p_fdr, verdict], sorted by change (largest increase first).

    ``rel_change`` = change / before (NaN where before == 0).
    """
    a = counts_by_cell(now, spec).rename(columns={"reports": "now"})
    b = counts_by_cell(before, spec).rename(columns={"reports": "before"})
    out = a.merge(b, on="cell_id", how="outer").fillna(0)
    out = out.astype({"cell_id": np.int64, "now": np.int64, "before": np.int64})
    out["change"] = out["now"] - out["before"]
    with np.errstate(divide="ignore", invalid="ignore"):
        out["rel_change"] = np.where(out["before"] > 0, out["change"] / out["before"], np.nan)
    enough = (out["now"] + out["before"]).to_numpy() >= min_reports
    p = poisson_rate_test(out["now"], out["before"], exposure_ratio)
    out["p"] = p
    out["p_fdr"] = fdr(np.where(enough, p, np.nan))
    significant = out["p_fdr"].to_numpy() <= alpha
    verdict = np.select(
        [
            ~enough,
            out["before"].to_numpy() == 0,
            significant & (out["change"].to_numpy() > 0),
            significant & (out["change"].to_numpy() < 0),
        ],
        ["zu wenige Meldungen", "neu", "zunehmend", "abnehmend"],
        default="unverändert",
    )
    out["verdict"] = verdict
    out.attrs["not_placed"] = {"now": a.attrs["not_placed"], "before": b.attrs["not_placed"]}
    return out.sort_values(["change", "cell_id"], ascending=[False, True]).reset_index(drop=True)
