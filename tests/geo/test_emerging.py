"""Emerging hot spots: Mann-Kendall, the category rules and the space-time cube end to end."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import shapely
from scipy.stats import kendalltau, norm

from geo.emerging import CATEGORY_LABELS, classify_patterns, emerging_hotspots, mann_kendall
from geo.grid import GridSpec, cell_ids
from tests.stat_sample import reports_at

AREA = shapely.box(319_000, 5_690_000, 321_000, 5_692_000)
SPEC = GridSpec(100, "square")


def test_mann_kendall_known_example():
    # strictly rising 5 values: S = 10, var = 5*4*15/18, z = (10 - 1) / sd
    s, var, z, p = mann_kendall([1.0, 2.0, 3.0, 4.0, 5.0])
    assert (s, var) == (10, pytest.approx(50 / 3))
    assert z == pytest.approx(9 / np.sqrt(50 / 3))
    assert p == pytest.approx(0.027486, abs=1e-6)
    assert mann_kendall([3.0, 3.0, 3.0])[2:] == (0.0, 1.0)


def test_mann_kendall_tie_correction_matches_kendall_tau_against_time():
    rng = np.random.default_rng(2)
    series = rng.integers(0, 4, (50, 12)).astype(float)  # many ties
    s, var, _, _ = mann_kendall(series)
    for row, s_i, var_i in zip(series, s, var, strict=True):
        ref = kendalltau(np.arange(12), row, method="asymptotic")
        if np.isfinite(ref.pvalue):
            assert 2 * norm.sf(abs(s_i) / np.sqrt(var_i)) == pytest.approx(ref.pvalue, rel=1e-9)
    # by hand: [1, 1, 2, 3] -> S = 5, one tie pair: (4*3*13 - 2*1*9) / 18
    s, var, _, _ = mann_kendall([1.0, 1.0, 2.0, 3.0])
    assert (s, var) == (5, pytest.approx(138 / 18))


H, C, N = 1, -1, 0


@pytest.mark.parametrize(
    ("series", "trend", "expected"),
    [
        ([N] * 9 + [H], 0, "new_hot"),
        ([N] * 7 + [H] * 3, 0, "consecutive_hot"),
        ([H] * 10, 1, "intensifying_hot"),
        ([H] * 10, 0, "persistent_hot"),
        ([N] + [H] * 9, -1, "diminishing_hot"),
        ([H, N, N, H, N, H, N, N, H, H], 0, "sporadic_hot"),
        ([C, N, N, N, N, N, H, N, N, H], 0, "oscillating_hot"),
        ([H] * 9 + [N], -1, "historical_hot"),
        ([N] * 9 + [C], 0, "new_cold"),
        ([C] * 10, -1, "intensifying_cold"),
        ([C] * 10, 1, "diminishing_cold"),
        ([H, N, N, N, N, N, C, N, N, C], 0, "oscillating_cold"),
        ([C] * 9 + [N], 0, "historical_cold"),
        ([N, H, N, N, H, N, N, N, N, N], 0, "no_pattern"),
    ],
)
def test_categories_on_constructed_series(series, trend, expected):
    flags = np.array([series])
    got = classify_patterns(flags > 0, flags < 0, np.array([trend]))
    assert got.tolist() == [expected]
    assert expected in CATEGORY_LABELS


def cube_frame(seed=4):
    """12 months of uniform background plus planted clusters with known histories."""
    rng = np.random.default_rng(seed)
    months = pd.date_range("2025-01-01", periods=12, freq="MS", tz="Europe/Berlin")
    xs, ys, ts = [], [], []

    def add(x0, y0, w, month, n):
        xs.extend(rng.uniform(x0, x0 + w, n))
        ys.extend(rng.uniform(y0, y0 + w, n))
        ts.extend([months[month] + pd.Timedelta(days=int(d)) for d in rng.integers(0, 27, n)])

    for m in range(12):
        add(319_000, 5_690_000, 2000, m, 150)
        add(319_300, 5_690_300, 100, m, 15)  # persistent
        if m == 11:
            add(320_500, 5_691_500, 100, m, 15)  # new
        if m >= 9:
            add(319_300, 5_691_500, 100, m, 15)  # consecutive
        if m < 11:
            add(320_500, 5_690_300, 100, m, 15)  # historical
    return reports_at(xs, ys, occurred_at=pd.DatetimeIndex(ts))


PLANTED = {
    (319_350, 5_690_350): "persistent_hot",
    (320_550, 5_691_550): "new_hot",
    (319_350, 5_691_550): "consecutive_hot",
    (320_550, 5_690_350): "historical_hot",
}


def test_space_time_cube_finds_the_planted_histories():
    frame = cube_frame()
    out = emerging_hotspots(frame, SPEC, "M", area=AREA, distance_band_m=150).set_index("cell_id")
    assert len(out.attrs["slices"]) == 12 and out.attrs["classes"].shape == (len(out), 12)
    for (x, y), category in PLANTED.items():
        cell = cell_ids([x], [y], SPEC)[0]
        assert out.loc[cell, "category"] == category
        assert out.loc[cell, "label"] == CATEGORY_LABELS[category]
    assert out.loc[cell_ids([320_550], [5_691_550], SPEC)[0], "hot_slices"] == 1
    assert out["reports"].sum() == len(frame)


def test_meeting_edges_time_window_and_too_few():
    frame = cube_frame()
    edges = pd.date_range("2025-01-01", periods=7, freq="2MS")  # six two-month slices
    out = emerging_hotspots(frame, SPEC, edges=edges, area=AREA, distance_band_m=150)
    assert out.attrs["slices"][0] == "01.01.2025–01.03.2025"
    assert len(out.attrs["slices"]) == 6
    persistent = cell_ids([319_350], [5_690_350], SPEC)[0]
    assert out.set_index("cell_id").loc[persistent, "category"] == "persistent_hot"
    windowed = emerging_hotspots(frame, SPEC, "M", area=AREA, time_window=2).set_index("cell_id")
    # a 3-month moving window carries the cluster that ended last month into the final slice
    historical = cell_ids([320_550], [5_690_350], SPEC)[0]
    assert windowed.loc[historical, "category"] == "persistent_hot"
    unjudged = emerging_hotspots(frame, SPEC, "M", area=AREA, min_total=1000)
    assert not unjudged.attrs["classes"].any()  # every month holds < 1000 reports
    assert set(unjudged["category"]) <= {"no_pattern", "too_few"}
    sparse = frame.iloc[:2]
    out = emerging_hotspots(
        sparse.assign(
            occurred_at=pd.to_datetime(["2025-01-05", "2025-03-05"]).tz_localize("Europe/Berlin")
        ),
        SPEC,
        "M",
        area=AREA,
    )
    assert (out["category"] == "too_few").all()
    assert (out["label"] == "zu wenige Meldungen").all()
    with pytest.raises(ValueError, match="zwei Zeitabschnitte"):
        emerging_hotspots(
            frame.iloc[:5].assign(occurred_at=frame["occurred_at"].iloc[0]), SPEC, "M", area=AREA
        )
