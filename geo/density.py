"""Kernel density surface for the heat layer (quartic/biweight kernel, as QGIS "Heatmap").

Points are first binned onto the raster and the binned counts convolved with the kernel by FFT
(scipy.signal.fftconvolve): cost grows with raster size, not with the number of reports, so
a million reports take about as long as a thousand.

Kernel (Silverman 1986, eq. 4.5; QGIS heatmap "quartic"): K(d) = 3 / (pi h^2) * (1 - (d/h)^2)^2
for d < h, 0 beyond the bandwidth h. It is evaluated at cell centres and renormalised to sum 1,
so the surface conserves the total weight exactly, except for the share spilling over the
raster edge: ``values.sum() * cell_area_km2 == total weight`` up to that edge loss.
Values are reports per km².
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy.signal import fftconvolve

from geo.crs import to_display


@dataclass(frozen=True)
class Surface:
    """Raster in EPSG:25833: ``values[i, j]`` is the cell with lower-left corner
    ``(x0 + j * cell_m, y0 + i * cell_m)`` (row 0 is the southern edge; flip for images)."""

    values: np.ndarray
    x0: float
    y0: float
    cell_m: float

    @property
    def bounds(self) -> tuple[float, float, float, float]:
        ny, nx = self.values.shape
        return (self.x0, self.y0, self.x0 + nx * self.cell_m, self.y0 + ny * self.cell_m)

    @property
    def cell_area_km2(self) -> float:
        return self.cell_m**2 / 1e6


def quartic_kernel(bandwidth_m: float, cell_m: float) -> np.ndarray:
    """Quartic kernel sampled on the raster, summing to 1."""
    k = max(math.ceil(bandwidth_m / cell_m), 0)
    offsets = np.arange(-k, k + 1) * cell_m
    d2 = (offsets[None, :] ** 2 + offsets[:, None] ** 2) / bandwidth_m**2
    kernel = np.where(d2 < 1.0, (1.0 - d2) ** 2, 0.0)
    return kernel / kernel.sum()


def kde(
    x,
    y,
    weights=None,
    bandwidth_m: float = 150.0,
    cell_m: float = 10.0,
    *,
    bounds: tuple[float, float, float, float],
) -> Surface:
    """Density surface of the points (EPSG:25833 metres) within ``bounds``.

    ``bounds`` (xmin, ymin, xmax, ymax), e.g. the district's bounds padded by one
    bandwidth. Points with NaN coordinates or outside the bounds are ignored; choose bounds
    padded by the bandwidth so points near the edge keep their full mass.
    """
    if bandwidth_m <= 0 or cell_m <= 0:
        raise ValueError("bandwidth_m and cell_m must be positive")
    xmin, ymin, xmax, ymax = bounds
    nx = max(math.ceil((xmax - xmin) / cell_m), 1)
    ny = max(math.ceil((ymax - ymin) / cell_m), 1)
    x = np.asarray(x, dtype="float64")
    y = np.asarray(y, dtype="float64")
    w = np.ones_like(x) if weights is None else np.asarray(weights, dtype="float64")
    ix = np.floor((x - xmin) / cell_m)
    iy = np.floor((y - ymin) / cell_m)
    ok = (ix >= 0) & (ix < nx) & (iy >= 0) & (iy < ny)  # also drops NaN
    flat = iy[ok].astype(np.int64) * nx + ix[ok].astype(np.int64)
    binned = np.bincount(flat, weights=w[ok], minlength=nx * ny).reshape(ny, nx)
    smooth = fftconvolve(binned, quartic_kernel(bandwidth_m, cell_m), mode="same")
    smooth[smooth < 1e-12 * max(smooth.max(), 1.0)] = 0.0  # FFT round-off, not density
    return Surface(smooth / (cell_m**2 / 1e6), float(xmin), float(ymin), float(cell_m))


def image_bounds(surface: Surface) -> list[list[float]]:
    """[[south, west], [north, east]] in EPSG:4326, as folium's ImageOverlay expects.

    The raster is metric; draped on a web map over a few km this distorts well below a cell.
    """
    xmin, ymin, xmax, ymax = surface.bounds
    lon, lat = to_display([xmin, xmin, xmax, xmax], [ymin, ymax, ymin, ymax])
    return [[float(lat.min()), float(lon.min())], [float(lat.max()), float(lon.max())]]


def heat_points(surface: Surface, limit: int | None = None) -> list[list[float]]:
    """Non-zero cells as [lat, lon, weight] (weight = reports per km²), densest first.

    For folium's HeatMap plugin; ``limit`` keeps only the densest cells.
    """
    rows, cols = np.nonzero(surface.values)
    vals = surface.values[rows, cols]
    order = np.argsort(-vals, kind="stable")[:limit]
    rows, cols, vals = rows[order], cols[order], vals[order]
    lon, lat = to_display(
        surface.x0 + (cols + 0.5) * surface.cell_m, surface.y0 + (rows + 0.5) * surface.cell_m
    )
    return np.column_stack([lat, lon, vals]).tolist()
