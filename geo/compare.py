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

from geo.aggregate import counts_by_cell, counts_on_grid
from geo.grid import GridSpec
from geo.hotspots import fdr, gi_star

CHANGE_LABELS = {
    "new": "neuer Hotspot",
    "intensifying": "verstärkter Hotspot",
    "diminishing": "abgeschwächter Hotspot",
    "ended": "kein Hotspot mehr",
    "unchanged": "unveränderter Hotspot",
    "none": "kein Hotspot",
}


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


def hotspot_changes(
    now: pd.DataFrame,
    before: pd.DataFrame,
    spec: GridSpec,
    distance_band_m: float = 150.0,
    area=None,
    min_reports: int = 3,
    min_total: int = 30,
) -> pd.DataFrame:
    """Gi* class now vs before per grid cell of two report frames; see
    ``hotspot_changes_of_counts``."""
    return hotspot_changes_of_counts(counts_by_cell(now, spec), counts_by_cell(before, spec),
                                     spec, distance_band_m, area, min_reports, min_total)


def hotspot_changes_of_counts(
    now: pd.DataFrame,
    before: pd.DataFrame,
    spec: GridSpec,
    distance_band_m: float = 150.0,
    area=None,
    min_reports: int = 3,
    min_total: int = 30,
) -> pd.DataFrame:
    """Gi* class now vs before per grid cell, from cell counts (DataFrame[cell_id, reports]
    of each period), for the meeting's new/intensifying/diminishing hot spot lists:
    DataFrame[cell_id, class_now, class_before, change, change_label, reports_now,
    reports_before].

    change: "new" (hot now, not before), "intensifying" (hot in both, higher class now),
    "diminishing" (hot in both, lower class now), "ended" (hot before, not now),
    "unchanged" (same hot class), "none" (hot in neither).
    """
    runs = {}
    for key, counts in (("now", now), ("before", before)):
        full = counts_on_grid(counts, spec, area)
        runs[key] = gi_star(full, spec, distance_band_m, min_reports, min_total)
    c_now = runs["now"]["gi_class"].to_numpy()
    c_before = runs["before"]["gi_class"].to_numpy()
    hot_now, hot_before = c_now > 0, c_before > 0
    change = np.select(
        [
            hot_now & ~hot_before,
            hot_now & hot_before & (c_now > c_before),
            hot_now & hot_before & (c_now < c_before),
            ~hot_now & hot_before,
            hot_now & hot_before,
        ],
        ["new", "intensifying", "diminishing", "ended", "unchanged"],
        default="none",
    )
    return pd.DataFrame(
        {
            "cell_id": runs["now"]["cell_id"].to_numpy(),
            "class_now": c_now,
            "class_before": c_before,
            "change": change,
            "change_label": [CHANGE_LABELS[c] for c in change],
            "reports_now": runs["now"]["reports"].to_numpy(),
            "reports_before": runs["before"]["reports"].to_numpy(),
        }
    )
