"""Getis-Ord Gi* hot and cold spots on a metric grid.

Statistic (Getis & Ord 1992; Ord & Getis 1995, eq. 8-9, as ArcGIS "Hot Spot Analysis" and
esda ``G_Local(star=True, transform="B")``), for cell i with binary distance-band weights that
include the cell itself (w_ii = 1), n cells, mean x̄ and population standard deviation S::

    W_i  = number of cells within the band (incl. i)
    z_i  = (sum_j w_ij x_j - x̄ W_i) / (S * sqrt(W_i (n - W_i) / (n - 1)))

Neighbours are the cells whose *lattice centres* (not clipped centroids) lie within
``distance_band_m``, so the band is the same everywhere; pick it at least 1.5 x the cell size.
``counts`` must cover the whole grid including zero cells (``aggregate.counts_on_grid``):
leaving zeros out would raise the mean and hide hot spots.

Inference: z is analytical (normal approximation), p two-sided = 2 * (1 - Phi(|z|)).
Because one test per cell is run, p is corrected for the false discovery rate with
Benjamini & Hochberg (1995) over all cells (``p_fdr``); the classes use ``p_fdr``:
p_fdr <= 0.01 -> ±3 ("99 %"), <= 0.05 -> ±2 ("95 %"), <= 0.10 -> ±1 ("90 %"); the sign of z
says hot (+) or cold (-). Comparing BH-adjusted p with 0.10/0.05/0.01 is the BH procedure at
q = 10/5/1 %.

"Too few reports", explicitly:
  * the whole grid holds fewer than ``min_total`` reports (default 30, a rule of thumb for the
    normal approximation) -> every cell is "zu wenige Meldungen", class 0;
  * a cell whose neighbourhood (the cells within the band, incl. itself) holds fewer than
    ``min_reports`` reports (default 3) gets class 0 and "zu wenige Meldungen" instead of
    a hot class or "nicht signifikant": one or two reports do not make a hot spot even where
    the normal approximation says so. A significant *cold* spot keeps its class: an empty
    neighbourhood amid many reports is exactly what a cold spot is.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import sparse
from scipy.spatial import cKDTree
from scipy.stats import false_discovery_control, norm

from geo.grid import GridSpec, cell_centres

TOO_FEW = "zu wenige Meldungen"
NOT_SIGNIFICANT = "nicht signifikant"
LEVELS = ((3, 0.01, "99 %"), (2, 0.05, "95 %"), (1, 0.10, "90 %"))
CLASS_LABELS = {0: NOT_SIGNIFICANT} | {
    sign * cls: f"{'Hotspot' if sign > 0 else 'Coldspot'} {text}"
    for cls, _, text in LEVELS
    for sign in (1, -1)
}


def band_weights(cell_id, spec: GridSpec, distance_band_m: float) -> sparse.csr_array:
    """Binary distance-band weights between lattice centres, incl. self (w_ii = 1)."""
    cx, cy = cell_centres(cell_id, spec)
    n = len(cx)
    tree = cKDTree(np.column_stack([cx, cy]))
    pairs = tree.query_pairs(r=distance_band_m * (1 + 1e-9), output_type="ndarray")
    i = np.concatenate([pairs[:, 0], pairs[:, 1], np.arange(n)])
    j = np.concatenate([pairs[:, 1], pairs[:, 0], np.arange(n)])
    return sparse.csr_array((np.ones(len(i)), (i, j)), shape=(n, n))


def gi_star_z(values: np.ndarray, weights: sparse.csr_array) -> np.ndarray:
    """Analytical Gi* z-scores; ``values`` is (n,) or (n, slices), one column per slice.

    Columns without variance (e.g. all zero) give NaN.
    """
    x = np.asarray(values, dtype="float64")
    n = x.shape[0]
    mean = x.mean(axis=0)
    s = np.sqrt(np.maximum((x**2).mean(axis=0) - mean**2, 0.0))
    card = np.asarray(weights.sum(axis=1), dtype="float64")
    if x.ndim == 2:
        card = card[:, None]
    lag = weights @ x
    with np.errstate(divide="ignore", invalid="ignore"):
        z = (lag - card * mean) / (s * np.sqrt(card * (n - card) / (n - 1)))
    return np.where(s > 0, z, np.nan)


def fdr(p: np.ndarray) -> np.ndarray:
    """Benjamini-Hochberg adjusted p-values over the finite entries (NaN stays NaN)."""
    p = np.asarray(p, dtype="float64")
    out = np.full_like(p, np.nan)
    ok = np.isfinite(p)
    if ok.any():
        out[ok] = false_discovery_control(p[ok], method="bh")
    return out


def classify(
    z: np.ndarray, p_fdr: np.ndarray, band_reports: np.ndarray, min_reports: int
) -> tuple[np.ndarray, np.ndarray]:
    """Classes -3..3 and whether the cell has too few reports (see module docstring)."""
    cls = np.zeros(z.shape, dtype=np.int8)
    for level, alpha, _ in reversed(LEVELS):  # strictest level last so it wins
        cls = np.where(p_fdr <= alpha, np.int8(level), cls)
    cls = (cls * np.sign(np.nan_to_num(z))).astype(np.int8)
    too_few = (band_reports < min_reports) & (cls >= 0)
    too_few |= ~np.isfinite(z)
    return np.where(too_few, np.int8(0), cls), too_few


def labels(cls: np.ndarray, too_few: np.ndarray) -> np.ndarray:
    out = np.array([CLASS_LABELS[int(c)] for c in range(-3, 4)], dtype=object)[cls + 3]
    out[too_few] = TOO_FEW
    return out


def gi_star(
    counts: pd.DataFrame,
    spec: GridSpec,
    distance_band_m: float = 150.0,
    min_reports: int = 3,
    min_total: int = 30,
) -> pd.DataFrame:
    """Gi* per cell: DataFrame[cell_id, reports, band_reports, z, p, p_fdr, gi_class, label].

    ``counts``: DataFrame[cell_id, reports] on the full grid including zero cells.
    ``band_reports`` is the number of reports within the band, the count behind each class.
    """
    ids = counts["cell_id"].to_numpy(dtype=np.int64)
    x = counts["reports"].to_numpy(dtype="float64")
    w = band_weights(ids, spec, distance_band_m)
    z = gi_star_z(x, w)
    p = 2.0 * norm.sf(np.abs(z))
    p_fdr = fdr(p)
    band_reports = np.rint(w @ x).astype(np.int64)
    cls, too_few = classify(z, p_fdr, band_reports, min_reports)
    if x.sum() < min_total:
        cls[:] = 0
        too_few[:] = True
    return pd.DataFrame(
        {
            "cell_id": ids,
            "reports": counts["reports"].to_numpy(dtype=np.int64),
            "band_reports": band_reports,
            "z": z,
            "p": p,
            "p_fdr": p_fdr,
            "gi_class": cls,
            "label": labels(cls, too_few),
        }
    )
