"""Metric grids: stable arithmetic ids, hex geometry, clipping to the area."""

from __future__ import annotations

import math

import numpy as np
import pytest
import shapely

from geo.grid import (
    ORIGIN_X,
    ORIGIN_Y,
    STRIDE,
    GridSpec,
    cell_centres,
    cell_ids,
    cell_polygons,
    grid,
)

AREA = shapely.Point(320_000, 5_691_000).buffer(800)  # a small district stand-in


def random_points(n=2000, seed=3):
    rng = np.random.default_rng(seed)
    return rng.uniform(318_000, 322_000, n), rng.uniform(5_689_000, 5_693_000, n)


def test_spec_rejects_unknown_sizes_and_shapes_and_is_hashable():
    with pytest.raises(ValueError, match="Zellgröße"):
        GridSpec(75, "square")
    with pytest.raises(ValueError, match="Zellform"):
        GridSpec(100, "triangle")
    assert len({GridSpec(100, "hex"), GridSpec(100, "hex"), GridSpec(50, "hex")}) == 2


def test_square_ids_are_fixed_arithmetic_on_the_origin():
    """Ids must never change between releases: a hand-computed id for a known point."""
    x, y = np.array([318_928.97]), np.array([5_691_400.63])
    row, col = math.floor((y[0] - ORIGIN_Y) / 100), math.floor((x[0] - ORIGIN_X) / 100)
    assert cell_ids(x, y, GridSpec(100, "square"))[0] == row * STRIDE + col + STRIDE // 2
    assert (row, col) == (114, 189)


@pytest.mark.parametrize(
    "spec", [GridSpec(c, s) for c in (50, 100, 250) for s in ("square", "hex")]
)
def test_point_id_polygon_round_trip(spec):
    x, y = random_points()
    ids = cell_ids(x, y, spec)
    assert ids.dtype == np.int64
    polys = cell_polygons(ids, spec).geometry.values
    inside = shapely.intersects(polys, shapely.points(x, y))  # boundary counts as inside
    assert inside.all()
    assert np.allclose(shapely.area(polys), spec.cell_m**2)  # hex: same area as the square
    cx, cy = cell_centres(ids, spec)
    assert np.array_equal(cell_ids(cx, cy, spec), ids)


def test_hex_spacing_is_the_flat_to_flat_width():
    spec = GridSpec(100, "hex")
    ids = grid(spec, AREA)["cell_id"].to_numpy()
    cx, cy = cell_centres(ids, spec)
    d = np.hypot(cx[:, None] - cx[None, :], cy[:, None] - cy[None, :])
    nearest = np.where(d > 0, d, np.inf).min(axis=1)
    assert np.allclose(nearest, 100 * math.sqrt(2 / math.sqrt(3)))


def test_nan_coordinates_are_refused():
    with pytest.raises(ValueError, match="NaN"):
        cell_ids([1.0, np.nan], [2.0, 3.0], GridSpec())


@pytest.mark.parametrize("spec", [GridSpec(50, "square"), GridSpec(100, "hex")])
def test_grid_is_clipped_to_area_and_covers_it(spec):
    cells = grid(spec, AREA)
    assert cells.crs.to_epsg() == 25833
    assert cells["cell_id"].is_unique
    assert shapely.within(cells.geometry.values, AREA.buffer(1e-6)).all()
    assert cells.area.sum() == pytest.approx(AREA.area, rel=1e-9)
    # every point inside the area falls into a cell of the grid
    x, y = random_points(3000)
    inside = shapely.contains_xy(AREA, x, y)
    assert np.isin(cell_ids(x[inside], y[inside], spec), cells["cell_id"]).all()
    # a cell cut by the outline is smaller than a full cell
    assert cells.area.min() < spec.cell_m**2 * 0.99


def test_grid_cache_hands_out_copies():
    first = grid(GridSpec(250, "square"), AREA)
    first.loc[:, "cell_id"] = -1
    assert (grid(GridSpec(250, "square"), AREA)["cell_id"] >= 0).all()


def test_the_district_grid_tiles_the_real_district():
    from geo.boundary import load_boundary

    district = load_boundary().district
    cells = grid(GridSpec(250, "hex"), district)
    assert cells.area.sum() == pytest.approx(district.area, rel=1e-9)
