"""Street courses of the real register, by name: what the basemap draws and what names a place
in the minutes ("Eisenbahnstraße" for a hotspot cell)."""

from __future__ import annotations

import functools

import geopandas as gpd
import numpy as np

from geo.register import DATA_DIR, load_register


@functools.cache
def _streets_with_course() -> gpd.GeoDataFrame:
    streets = load_register(DATA_DIR).streets
    return streets[streets.geometry.notna()].reset_index(drop=True)


def street_lines() -> gpd.GeoDataFrame:
    """GeoDataFrame[name, key, ortsteile, in_osten, line_source, geometry] in EPSG:25833 of every
    street with a known course (OSM line, or derived from its address points)."""
    return _streets_with_course().copy()


def nearest_street(x, y) -> list[str]:
    """Name of the nearest street to each EPSG:25833 point ('' where there is none)."""
    streets = _streets_with_course()
    if streets.empty or len(x) == 0:
        return [""] * len(x)
    points = gpd.points_from_xy(np.asarray(x, "float64"), np.asarray(y, "float64"))
    _, nearest = streets.sindex.nearest(points, return_all=False)
    return streets["name"].to_numpy()[nearest].tolist()
