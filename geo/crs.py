"""Coordinate reference systems: metric work in EPSG:25833, display in EPSG:4326."""

from __future__ import annotations

import numpy as np
from pyproj import CRS, Transformer

METRIC_CRS = CRS.from_epsg(25833)  # ETRS89 / UTM 33N, Saxony's official CRS
DISPLAY_CRS = CRS.from_epsg(4326)  # WGS84 lon/lat, what web maps show

_TO_METRIC = Transformer.from_crs(DISPLAY_CRS, METRIC_CRS, always_xy=True)
_TO_DISPLAY = Transformer.from_crs(METRIC_CRS, DISPLAY_CRS, always_xy=True)


def to_metric(lon, lat) -> tuple[np.ndarray, np.ndarray]:
    """WGS84 lon/lat -> EPSG:25833 easting/northing in metres."""
    x, y = _TO_METRIC.transform(np.asarray(lon, dtype="float64"), np.asarray(lat, dtype="float64"))
    return np.asarray(x), np.asarray(y)


def to_display(x, y) -> tuple[np.ndarray, np.ndarray]:
    """EPSG:25833 easting/northing -> WGS84 lon/lat."""
    lon, lat = _TO_DISPLAY.transform(np.asarray(x, dtype="float64"), np.asarray(y, dtype="float64"))
    return np.asarray(lon), np.asarray(lat)


def require_metric(frame) -> None:
    """Raise where a (Geo)DataFrame that needs metres is not in EPSG:25833."""
    crs = getattr(frame, "crs", None)
    if crs is None or CRS.from_user_input(crs) != METRIC_CRS:
        raise ValueError(f"metric work needs EPSG:25833, got {crs}; call .to_crs(25833) first")
