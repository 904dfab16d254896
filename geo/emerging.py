"""Emerging hot spot analysis: how hot and cold spots develop over a series of time slices.

Follows ArcGIS Pro "Emerging Hot Spot Analysis" (Esri, "How Emerging Hot Spot Analysis works"):

1. Space-time cube: reports are counted per grid cell and time slice (calendar periods via
   ``freq``, e.g. "M" monthly, or explicit ``edges`` such as the dates of the alliance's
   meetings). Every cell of the clipped grid is in the cube, empty cells count 0.
2. Gi* per slice (geo.hotspots, same distance band, FDR per slice, same "too few" rules:
   a slice with fewer than ``min_total`` reports has no hot or cold cells).
   Neighbourhood in space only by default. ``time_window=k`` adds the k previous slices to
   each slice's counts (a moving window), the simple form of ArcGIS's "neighborhood time
   step"; the global mean is still taken per slice. A slice without any report has no
   variance: its z-scores are set to 0 (no clustering) for the trend test.
3. Mann-Kendall trend test (Mann 1945; Kendall 1975) on each cell's series of Gi* z-scores,
   with the tie correction of the variance and a continuity correction, two-sided p.
4. Categories, checked in this order (cold versions mirror hot ones, with "cold" for "hot",
   and a falling z trend as "intensifying"); "significant" = class != 0 in that slice;
   "mostly" = hot in at least 90 % of the slices; trend significant at ``trend_alpha``:

   * intensifying (zunehmend): hot in the final slice, mostly hot, z trend rising.
   * diminishing (abnehmend): hot in the final slice, mostly hot, z trend falling.
   * persistent (persistent): hot in the final slice, mostly hot, no significant trend.
   * new (neu): hot in the final slice and never before.
   * consecutive (aufeinanderfolgend): an uninterrupted run of >= 2 hot slices at the end,
     never hot before that run, less than 90 % hot.
   * oscillating (oszillierend): hot in the final slice, less than 90 % hot, cold in an
     earlier slice.
   * sporadic (sporadisch): hot in the final slice, on-and-off hot before, less than 90 % hot,
     never cold.
   * historical (historisch): not hot in the final slice, but hot in >= 90 % of the slices.
   * kein Muster: none of the above.
   * zu wenige Meldungen: the cell's neighbourhood holds fewer than ``min_reports`` reports
     over the whole period; no pattern is claimed for it.

ArcGIS recommends at least 10 slices; with fewer, "mostly" and the trend test have little power.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

import numpy as np
import pandas as pd
import shapely
from scipy.stats import norm

from config.locale import TIMEZONE
from geo.aggregate import placed
from geo.grid import GridSpec, cell_ids, grid
from geo.hotspots import TOO_FEW, band_weights, classify, fdr, gi_star_z

PATTERNS = (
    "new",
    "consecutive",
    "intensifying",
    "persistent",
    "diminishing",
    "sporadic",
    "oscillating",
    "historical",
)
_GERMAN = {
    "new": "neuer",
    "consecutive": "aufeinanderfolgender",
    "intensifying": "zunehmender",
    "persistent": "persistenter",
    "diminishing": "abnehmender",
    "sporadic": "sporadischer",
    "oscillating": "oszillierender",
    "historical": "historischer",
}
CATEGORY_LABELS = {
    f"{pattern}_{kind}": f"{_GERMAN[pattern]} {'Hotspot' if kind == 'hot' else 'Coldspot'}"
    for kind in ("hot", "cold")
    for pattern in PATTERNS
} | {"no_pattern": "kein Muster", "too_few": TOO_FEW}
MOSTLY = 0.9


def mann_kendall(series) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Mann-Kendall test on each row of ``series`` (shape (T,) or (n, T), in time order).

    Returns (S, var_S, z, p): S = sum_{i<j} sign(x_j - x_i); var_S with tie correction
    (n(n-1)(2n+5) - sum_t t(t-1)(2t+5)) / 18; z with continuity correction
    ((S - 1) / sd for S > 0, (S + 1) / sd for S < 0, else 0); p two-sided.
    """
    x = np.atleast_2d(np.asarray(series, dtype="float64"))
    t = x.shape[1]
    s = np.zeros(x.shape[0])
    for i in range(t - 1):
        s += np.sign(x[:, i + 1 :] - x[:, i : i + 1]).sum(axis=1)
    # Every value in a tie group of size g contributes (g-1)(2g+5); summed that is g(g-1)(2g+5).
    group = (x[:, :, None] == x[:, None, :]).sum(axis=2)
    ties = ((group - 1) * (2 * group + 5)).sum(axis=1)
    var = (t * (t - 1) * (2 * t + 5) - ties) / 18.0
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.where(s > 0, (s - 1) / np.sqrt(var), np.where(s < 0, (s + 1) / np.sqrt(var), 0.0))
    z = np.where(var > 0, z, 0.0)
    p = 2.0 * norm.sf(np.abs(z))
    if np.ndim(series) == 1:
        return s[0], var[0], z[0], p[0]
    return s, var, z, p


def _slices(times: pd.Series, freq: str, edges) -> tuple[np.ndarray, list[str]]:
    """Slice index per report (-1 = outside the slices) and slice labels."""
    if edges is not None:
        bounds = pd.DatetimeIndex(pd.to_datetime(list(edges)))
        if bounds.tz is None:
            bounds = bounds.tz_localize(TIMEZONE)
        if not bounds.is_monotonic_increasing:
            raise ValueError("Die Zeitgrenzen müssen aufsteigend sortiert sein.")
        edge_ns = bounds.tz_convert("UTC").as_unit("ns").asi8
        time_ns = pd.DatetimeIndex(times).tz_convert("UTC").as_unit("ns").asi8
        idx = np.searchsorted(edge_ns, time_ns, side="right") - 1
        idx[(idx >= len(bounds) - 1) | times.isna().to_numpy()] = -1
        labels = [f"{a:%d.%m.%Y}–{b:%d.%m.%Y}" for a, b in itertools.pairwise(bounds)]
        return idx, labels
    periods = times.dt.tz_convert(TIMEZONE).dt.tz_localize(None).dt.to_period(freq)
    if periods.notna().sum() == 0:
        return np.full(len(times), -1), []
    full = pd.period_range(periods.min(), periods.max(), freq=freq)
    idx = np.full(len(times), -1)
    ok = periods.notna().to_numpy()
    idx[ok] = full.get_indexer(periods[ok])
    return idx, [str(p) for p in full]


def classify_patterns(hot: np.ndarray, cold: np.ndarray, trend: np.ndarray) -> np.ndarray:
    """Category key per cell from hot/cold flags (n, T) and trend (-1, 0, +1 in z)."""
    t = hot.shape[1]
    out = np.full(hot.shape[0], "no_pattern", dtype=object)
    decided = np.zeros(hot.shape[0], dtype=bool)
    finals = {"hot": hot[:, -1], "cold": cold[:, -1]}
    for kind, mine, other, up in (("hot", hot, cold, 1), ("cold", cold, hot, -1)):
        final = finals[kind] & ~decided
        total = mine.sum(axis=1)
        mostly = total >= MOSTLY * t
        rev = mine[:, ::-1]
        trailing = np.where(rev.all(axis=1), t, rev.argmin(axis=1))
        rules = [
            ("intensifying", final & mostly & (trend == up)),
            ("diminishing", final & mostly & (trend == -up)),
            ("persistent", final & mostly),
            ("new", final & (total == 1)),
            ("consecutive", final & (trailing >= 2) & (total == trailing)),
            ("oscillating", final & other[:, :-1].any(axis=1)),
            ("sporadic", final),
            ("historical", ~finals["hot"] & ~finals["cold"] & ~decided & mostly),
        ]
        for pattern, hit in rules:
            hit = hit & ~decided
            out[hit] = f"{pattern}_{kind}"
            decided |= hit
    return out


def emerging_hotspots(
    frame: pd.DataFrame,
    spec: GridSpec,
    freq: str = "M",
    *,
    edges: Sequence | None = None,
    distance_band_m: float = 150.0,
    area: shapely.Geometry,
    time_window: int = 0,
    min_reports: int = 3,
    min_total: int = 30,
    trend_alpha: float = 0.05,
) -> pd.DataFrame:
    """Emerging hot spot category per grid cell.

    Returns DataFrame[cell_id, category, label, reports, hot_slices, cold_slices, trend_z,
    trend_p]; ``attrs["slices"]`` holds the slice labels, ``attrs["classes"]`` the Gi* class
    per cell and slice (n, T) for charts.
    """
    pts, _ = placed(frame)
    slice_idx, slice_labels = _slices(pts["occurred_at"], freq, edges)
    n_slices = len(slice_labels)
    if n_slices < 2:
        raise ValueError("Für eine Entwicklung braucht es mindestens zwei Zeitabschnitte.")
    cells = grid(spec, area)["cell_id"].to_numpy()
    order = np.argsort(cells)
    ids = cell_ids(pts["x"].to_numpy(), pts["y"].to_numpy(), spec)
    row = order[np.minimum(np.searchsorted(cells[order], ids), len(cells) - 1)]
    ok = (cells[row] == ids) & (slice_idx >= 0)  # inside the grid and inside a slice
    raw = np.bincount(row[ok] * n_slices + slice_idx[ok], minlength=len(cells) * n_slices)
    raw = raw.reshape(len(cells), n_slices).astype("float64")
    cube = raw
    if time_window > 0:
        summed = np.cumsum(np.pad(raw, ((0, 0), (1, 0))), axis=1)
        start = np.maximum(np.arange(n_slices) - time_window, 0)
        cube = summed[:, 1:] - summed[:, start]
    w = band_weights(cells, spec, distance_band_m)
    z = gi_star_z(cube, w)
    p = 2.0 * norm.sf(np.abs(z))
    p_fdr = np.column_stack([fdr(p[:, k]) for k in range(n_slices)])
    band = np.rint(w @ cube)
    classes, _ = classify(z, p_fdr, band, min_reports)
    classes[:, cube.sum(axis=0) < min_total] = 0  # slice too sparse to judge
    _, _, trend_z, trend_p = mann_kendall(np.round(np.nan_to_num(z), 9))
    trend = np.where(trend_p <= trend_alpha, np.sign(trend_z), 0)
    category = classify_patterns(classes > 0, classes < 0, trend)
    category[(w @ raw.sum(axis=1)) < min_reports] = "too_few"
    out = pd.DataFrame(
        {
            "cell_id": cells,
            "category": category,
            "label": [CATEGORY_LABELS[c] for c in category],
            "reports": raw.sum(axis=1).astype(np.int64),
            "hot_slices": (classes > 0).sum(axis=1),
            "cold_slices": (classes < 0).sum(axis=1),
            "trend_z": trend_z,
            "trend_p": trend_p,
        }
    )
    out.attrs["slices"] = slice_labels
    out.attrs["classes"] = classes
    return out
