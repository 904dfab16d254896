"""Getis-Ord Gi*: against esda, FDR, classes and the "too few reports" rule."""

from __future__ import annotations

import esda
import libpysal
import numpy as np
import pandas as pd
import pytest
import shapely
from scipy.stats import false_discovery_control, norm

from geo.grid import GridSpec, cell_centres, cell_ids, grid
from geo.hotspots import CLASS_LABELS, TOO_FEW, fdr, gi_star

AREA = shapely.Point(320_000, 5_691_000).buffer(900)


def full_counts(spec, values):
    cells = grid(spec, AREA)["cell_id"].to_numpy()
    return pd.DataFrame({"cell_id": cells, "reports": values(len(cells))})


def cell_at(x, y, spec):
    return int(cell_ids([x], [y], spec)[0])


@pytest.mark.parametrize(
    ("spec", "band"), [(GridSpec(50, "square"), 160.0), (GridSpec(100, "hex"), 250.0)]
)
def test_z_scores_equal_esda_g_local_star(spec, band):
    rng = np.random.default_rng(20261125)
    counts = full_counts(spec, lambda n: rng.poisson(0.8, n))
    ours = gi_star(counts, spec, band)
    cx, cy = cell_centres(counts["cell_id"].to_numpy(), spec)
    w = libpysal.weights.DistanceBand(
        np.column_stack([cx, cy]), threshold=band, binary=True, silence_warnings=True
    )
    ref = esda.G_Local(
        counts["reports"].to_numpy(dtype=float), w, transform="B", star=True, permutations=0
    )
    assert np.abs(ours["z"].to_numpy() - ref.Zs).max() < 1e-6
    assert np.allclose(ours["p"], 2 * ref.p_norm)  # esda's p_norm is one-sided


def test_fdr_is_benjamini_hochberg():
    p = np.array([0.01, 0.04, 0.03, 0.005, np.nan])
    # by hand: sorted 0.005, 0.01, 0.03, 0.04 -> p * 4 / rank = 0.02, 0.02, 0.04, 0.04
    assert np.allclose(fdr(p)[:4], [0.02, 0.04, 0.04, 0.02])
    assert np.isnan(fdr(p)[4])
    rng = np.random.default_rng(1)
    q = rng.uniform(0, 0.2, 500) ** 2
    assert np.allclose(fdr(q), false_discovery_control(q, method="bh"))


def test_planted_cluster_is_a_99_percent_hotspot_and_classes_follow_p_fdr():
    spec = GridSpec(50, "square")
    rng = np.random.default_rng(5)
    counts = full_counts(spec, lambda n: rng.poisson(0.5, n))
    hot = [cell_at(320_000 + dx, 5_691_000 + dy, spec) for dx in (0, 50) for dy in (0, 50)]
    counts.loc[counts["cell_id"].isin(hot), "reports"] += 12
    out = gi_star(counts, spec, 120.0).set_index("cell_id")
    assert (out.loc[hot, "gi_class"] == 3).all()
    assert (out.loc[hot, "label"] == "Hotspot 99 %").all()
    assert out.loc[hot, "band_reports"].min() >= 48
    judged = out[out["label"] != TOO_FEW]
    for cls, alpha in ((3, 0.01), (2, 0.05), (1, 0.10)):
        expect = (judged["p_fdr"] <= alpha) & (judged["z"] > 0)
        if cls < 3:
            expect &= judged["p_fdr"] > {2: 0.01, 1: 0.05}[cls]
        assert ((judged["gi_class"] == cls) == expect).all()
    assert set(out["label"]) <= set(CLASS_LABELS.values()) | {TOO_FEW}
    assert np.allclose(out["p"], 2 * norm.sf(np.abs(out["z"])))


def test_empty_area_amid_many_reports_is_a_coldspot_not_too_few():
    spec = GridSpec(50, "square")
    counts = full_counts(spec, lambda n: np.full(n, 6))
    cold = cell_at(320_000, 5_691_000, spec)
    cx, cy = cell_centres(counts["cell_id"].to_numpy(), spec)
    near = np.hypot(cx - 320_025, cy - 5_691_025) < 220
    counts.loc[near, "reports"] = 0
    out = gi_star(counts, spec, 120.0).set_index("cell_id")
    assert out.loc[cold, "gi_class"] == -3
    assert out.loc[cold, "label"] == "Coldspot 99 %"
    assert out.loc[cold, "band_reports"] == 0


def test_too_few_reports_locally_and_overall():
    spec = GridSpec(50, "square")
    rng = np.random.default_rng(9)
    counts = full_counts(spec, lambda n: rng.binomial(1, 0.04, n))
    lone = cell_at(319_500, 5_691_000, spec)
    cx, cy = cell_centres(counts["cell_id"].to_numpy(), spec)
    counts.loc[np.hypot(cx - 319_525, cy - 5_691_025) < 200, "reports"] = 0
    counts.loc[counts["cell_id"] == lone, "reports"] = 2
    out = gi_star(counts, spec, 60.0).set_index("cell_id")  # band: the cell and its 4 sides
    assert counts["reports"].sum() >= 30
    assert out.loc[lone, "z"] > 3  # the normal approximation would call it hot ...
    assert out.loc[lone, "label"] == TOO_FEW  # ... but two reports are not a hot spot
    assert out.loc[lone, "gi_class"] == 0
    few = counts.copy()
    few["reports"] = 0
    few.loc[few.index[:5], "reports"] = 4  # 20 reports in the whole district
    assert (gi_star(few, spec, 120.0)["label"] == TOO_FEW).all()
    empty = gi_star(few.assign(reports=0), spec, 120.0)
    assert (empty["label"] == TOO_FEW).all() and empty["z"].isna().all()


def test_pure_noise_gives_no_hotspots_after_fdr():
    spec = GridSpec(50, "square")
    rng = np.random.default_rng(123)
    counts = full_counts(spec, lambda n: rng.poisson(4.0, n))
    out = gi_star(counts, spec, 120.0)
    assert (out["p"] <= 0.05).sum() > 0  # uncorrected, some cells look significant by chance
    assert (out["gi_class"] == 0).all()
    assert set(out["label"]) == {"nicht signifikant"}
