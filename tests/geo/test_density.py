"""Kernel density: mass conservation, peak at the cluster, quartic shape, map helpers."""

from __future__ import annotations

import numpy as np
import pytest
import shapely

from geo.crs import to_display
from geo.density import heat_points, image_bounds, kde

BOUNDS = (319_000.0, 5_690_000.0, 321_000.0, 5_692_000.0)


def test_surface_integrates_to_total_weight_and_peaks_at_cluster():
    rng = np.random.default_rng(7)
    cx, cy = 319_700.0, 5_691_300.0
    x = np.concatenate([rng.normal(cx, 30, 300), rng.uniform(319_300, 320_700, 300), [np.nan]])
    y = np.concatenate([rng.normal(cy, 30, 300), rng.uniform(5_690_300, 5_691_700, 300), [1.0]])
    w = np.ones_like(x)
    w[:10] = 3.0
    s = kde(x, y, w, bandwidth_m=150, cell_m=10, bounds=BOUNDS)
    assert s.values.shape == (200, 200)
    assert s.values.sum() * s.cell_area_km2 == pytest.approx(np.nansum(w[:-1]), rel=1e-9)
    i, j = np.unravel_index(np.argmax(s.values), s.values.shape)
    peak = (s.x0 + (j + 0.5) * s.cell_m, s.y0 + (i + 0.5) * s.cell_m)
    assert np.hypot(peak[0] - cx, peak[1] - cy) < 40
    assert (s.values >= 0).all()


def test_single_point_has_the_quartic_shape():
    h = 100.0
    s = kde([320_005.0], [5_691_005.0], None, bandwidth_m=h, cell_m=10, bounds=BOUNDS)
    i, j = np.unravel_index(np.argmax(s.values), s.values.shape)
    assert (s.x0 + j * 10, s.y0 + i * 10) == (320_000.0, 5_691_000.0)
    centre = 3 / (np.pi * h**2) * 1e6  # reports per km² at d = 0
    assert s.values[i, j] == pytest.approx(centre, rel=0.02)
    half = s.values[i, j + 5]  # d = 50 m = h / 2 -> (1 - 1/4)^2 of the peak
    assert half / s.values[i, j] == pytest.approx(0.5625, rel=1e-6)
    assert s.values[i, j + 10] == 0.0  # d = h: nothing beyond the bandwidth
    assert s.values.sum() * s.cell_area_km2 == pytest.approx(1.0)


def test_points_outside_the_bounds_are_ignored():
    s = kde([0.0, 320_000.0], [0.0, 5_691_000.0], None, bandwidth_m=50, cell_m=10, bounds=BOUNDS)
    assert s.values.sum() * s.cell_area_km2 == pytest.approx(1.0)


def test_image_bounds_and_heat_points_are_lat_lon():
    s = kde([320_000.0, 320_300.0], [5_691_000.0, 5_691_000.0], [1.0, 4.0], 60, 20, bounds=BOUNDS)
    (south, west), (north, east) = image_bounds(s)
    lon, lat = to_display([320_000.0], [5_691_000.0])
    assert south < lat[0] < north and west < lon[0] < east
    pts = heat_points(s, limit=5)
    assert len(pts) == 5
    assert [p[2] for p in pts] == sorted((p[2] for p in pts), reverse=True)
    top_lon, top_lat = to_display([320_300.0], [5_691_000.0])
    assert shapely.Point(pts[0][1], pts[0][0]).distance(shapely.Point(top_lon, top_lat)) < 3e-4


def test_bad_parameters_are_refused():
    with pytest.raises(ValueError):
        kde([1.0], [1.0], None, bandwidth_m=0, cell_m=10, bounds=BOUNDS)
