"""Metric analysis grids (square and hexagonal) in EPSG:25833.

Cell ids come from pure arithmetic on a fixed origin, so the same point gets the same id in
every call, every process and every release: counting 1M points needs no spatial join, and ids
stored in a meeting handout still mean the same cell next month.

Cell size ``cell_m``:
    square  the side length (cell area ``cell_m**2``).
    hex     pointy-top hexagon with the *same area* as the square of side ``cell_m``, so counts
            per cell are comparable between the two shapes. Its flat-to-flat width is
            ``cell_m * sqrt(2 / sqrt(3))`` (about 1.075 x cell_m, 53.7 m for 50 m cells) and
            its circumradius (centre to corner) is ``cell_m * sqrt(2 / (3 * sqrt(3)))``.

Hex indexing uses axial coordinates (q, r) with cube rounding, as described in
Amit Patel, "Hexagonal Grids" (Red Blob Games, 2013).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

import geopandas as gpd
import numpy as np
import shapely

from geo.crs import METRIC_CRS

CELL_SIZES = (50, 100, 250)
SHAPES = ("square", "hex")

# Fixed origin (EPSG:25833) south-west of Leipzig; never change it, ids depend on it.
ORIGIN_X = 300_000.0
ORIGIN_Y = 5_680_000.0
# Id = row * STRIDE + (col + STRIDE // 2): unique for |col| < 2**23, i.e. far beyond Saxony.
STRIDE = 1 << 24
_HALF = STRIDE // 2
_SQRT3 = math.sqrt(3.0)


@dataclass(frozen=True)
class GridSpec:
    """Which grid: cell size in metres (50, 100 or 250) and shape ("square" or "hex")."""

    cell_m: int = 100
    shape: Literal["square", "hex"] = "square"

    def __post_init__(self) -> None:
        if self.cell_m not in CELL_SIZES:
            raise ValueError(f"Zellgröße {self.cell_m} m nicht erlaubt (erlaubt: {CELL_SIZES})")
        if self.shape not in SHAPES:
            raise ValueError(f"Zellform {self.shape!r} unbekannt (erlaubt: {SHAPES})")

    @property
    def hex_radius(self) -> float:
        """Circumradius of the equal-area hexagon (centre to corner), metres."""
        return self.cell_m * math.sqrt(2.0 / (3.0 * _SQRT3))


def _pack(row: np.ndarray, col: np.ndarray) -> np.ndarray:
    return row.astype(np.int64) * STRIDE + (col.astype(np.int64) + _HALF)


def _unpack(ids) -> tuple[np.ndarray, np.ndarray]:
    ids = np.asarray(ids, dtype=np.int64)
    row = ids // STRIDE
    col = ids - row * STRIDE - _HALF
    return row, col


def _hex_round(q: np.ndarray, r: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Round fractional axial coordinates to the containing hexagon (cube rounding)."""
    s = -q - r
    rq, rr, rs = np.rint(q), np.rint(r), np.rint(s)
    dq, dr, ds = np.abs(rq - q), np.abs(rr - r), np.abs(rs - s)
    fix_q = (dq > dr) & (dq > ds)
    fix_r = ~fix_q & (dr > ds)
    rq = np.where(fix_q, -rr - rs, rq)
    rr = np.where(fix_r, -rq - rs, rr)
    return rq, rr


def cell_ids(x, y, spec: GridSpec) -> np.ndarray:
    """Cell id of each point (EPSG:25833 metres); NaN coordinates raise, drop them first."""
    x = np.asarray(x, dtype="float64") - ORIGIN_X
    y = np.asarray(y, dtype="float64") - ORIGIN_Y
    if np.isnan(x).any() or np.isnan(y).any():
        raise ValueError("cell_ids needs placed points; drop rows with NaN x/y first")
    if spec.shape == "square":
        return _pack(np.floor(y / spec.cell_m), np.floor(x / spec.cell_m))
    size = spec.hex_radius
    q = (_SQRT3 / 3.0 * x - y / 3.0) / size
    r = (2.0 / 3.0 * y) / size
    q, r = _hex_round(q, r)
    return _pack(r, q)


def cell_centres(ids, spec: GridSpec) -> tuple[np.ndarray, np.ndarray]:
    """Centre (x, y) of each full (unclipped) cell; the lattice points Gi* distances use."""
    row, col = _unpack(ids)
    if spec.shape == "square":
        return (ORIGIN_X + (col + 0.5) * spec.cell_m, ORIGIN_Y + (row + 0.5) * spec.cell_m)
    size = spec.hex_radius
    return (
        ORIGIN_X + size * (_SQRT3 * col + _SQRT3 / 2.0 * row),
        ORIGIN_Y + size * 1.5 * row,
    )


def _corner_offsets(spec: GridSpec) -> tuple[np.ndarray, np.ndarray]:
    if spec.shape == "square":
        h = spec.cell_m / 2.0
        return np.array([-h, h, h, -h]), np.array([-h, -h, h, h])
    angles = np.deg2rad(np.arange(6) * 60.0 + 30.0)  # pointy top
    return spec.hex_radius * np.cos(angles), spec.hex_radius * np.sin(angles)


def cell_polygons(ids, spec: GridSpec) -> gpd.GeoDataFrame:
    """Full (unclipped) cell polygons for the given ids, built vectorised."""
    ids = np.asarray(ids, dtype=np.int64)
    cx, cy = cell_centres(ids, spec)
    dx, dy = _corner_offsets(spec)
    coords = np.stack([cx[:, None] + dx[None, :], cy[:, None] + dy[None, :]], axis=-1)
    rings = np.concatenate([coords, coords[:, :1]], axis=1)
    return gpd.GeoDataFrame({"cell_id": ids}, geometry=shapely.polygons(rings), crs=METRIC_CRS)


def _ids_covering(bounds: tuple[float, float, float, float], spec: GridSpec) -> np.ndarray:
    """All cell ids whose cell may touch the bounding box (a small superset)."""
    xmin, ymin, xmax, ymax = bounds
    if spec.shape == "square":
        c0, c1 = np.floor((np.array([xmin, xmax]) - ORIGIN_X) / spec.cell_m)
        r0, r1 = np.floor((np.array([ymin, ymax]) - ORIGIN_Y) / spec.cell_m)
    else:
        size = spec.hex_radius
        r0 = math.floor((ymin - ORIGIN_Y) / (1.5 * size)) - 1
        r1 = math.ceil((ymax - ORIGIN_Y) / (1.5 * size)) + 1
        # q range for the extreme rows: x = size * sqrt3 * (q + r / 2)
        c0 = math.floor((xmin - ORIGIN_X) / (size * _SQRT3) - r1 / 2.0) - 1
        c1 = math.ceil((xmax - ORIGIN_X) / (size * _SQRT3) - r0 / 2.0) + 1
    rows, cols = np.meshgrid(np.arange(r0, r1 + 1), np.arange(c0, c1 + 1), indexing="ij")
    return _pack(rows.ravel(), cols.ravel())


def grid(spec: GridSpec, area: shapely.Geometry) -> gpd.GeoDataFrame:
    """All cells intersecting ``area`` (e.g. the district, EPSG:25833), clipped to it.

    Columns: cell_id, geometry (clipped, EPSG:25833). Cached per (spec, area); callers get a copy.
    """
    return _grid(spec, area).copy()


@lru_cache(maxsize=16)
def _grid(spec: GridSpec, area) -> gpd.GeoDataFrame:
    cells = cell_polygons(_ids_covering(area.bounds, spec), spec)
    shapely.prepare(area)
    hit = shapely.intersects(area, cells.geometry.values)
    cells = cells[hit]
    clipped = shapely.intersection(cells.geometry.values, area)
    keep = shapely.area(clipped) > 0  # drop cells touching only along an edge
    return gpd.GeoDataFrame(
        {"cell_id": cells["cell_id"].to_numpy()[keep]},
        geometry=clipped[keep],
        crs=METRIC_CRS,
    ).reset_index(drop=True)
