"""Street courses and house numbers of the real register, by place: what the basemap draws and
what names a place in the minutes ("Eisenbahnstraße 60–90" for a hotspot section)."""

from __future__ import annotations

import functools

import geopandas as gpd
import numpy as np
import pandas as pd
from scipy.spatial import cKDTree

from geo.register import DATA_DIR, load_register

MAIN_STREET_BONUS_M = 30.0  # about half a block


@functools.cache
def _streets_with_course() -> gpd.GeoDataFrame:
    streets = load_register(DATA_DIR).streets
    return streets[streets.geometry.notna()].reset_index(drop=True)


def street_lines() -> gpd.GeoDataFrame:
    """GeoDataFrame[name, key, ortsteile, in_osten, line_source, geometry] in EPSG:25833 of every
    street with a known course (OSM line, or derived from its address points)."""
    return _streets_with_course().copy()


def nearest_street(x, y) -> list[str]:
    """Name of the street nearest to each EPSG:25833 point ('' where there is none).

    A main street (one with an OSM line: the sources carry lines for main streets) wins over a
    side street up to MAIN_STREET_BONUS_M nearer: places are named by the street people know
    them by ("Eisenbahnstraße"), not by the side street whose course runs a little closer."""
    streets = _streets_with_course()
    if streets.empty or len(x) == 0:
        return [""] * len(x)
    points = gpd.points_from_xy(np.asarray(x, "float64"), np.asarray(y, "float64"))
    (_, nearest), distance = streets.sindex.nearest(points, return_all=False,
                                                    return_distance=True)
    names = streets["name"].to_numpy()[nearest]
    main = streets[streets["line_source"] == "osm"].reset_index(drop=True)
    if len(main):
        (_, near_main), main_distance = main.sindex.nearest(points, return_all=False,
                                                            return_distance=True)
        prefer = main_distance <= distance + MAIN_STREET_BONUS_M
        names = np.where(prefer, main["name"].to_numpy()[near_main], names)
    return names.tolist()


@functools.cache
def _numbered_points() -> dict[str, tuple[cKDTree, np.ndarray]]:
    """Per street: a KD-tree of its building-exact register points and their house numbers."""
    addresses = load_register(DATA_DIR).addresses
    good = addresses[addresses["source"].ne("register2013_way")]
    return {street: (cKDTree(group[["x", "y"]].to_numpy("float64")),
                     group["number"].to_numpy("float64"))
            for street, group in good.groupby("street")}


def street_points(street: str) -> pd.DataFrame:
    """DataFrame[number, x, y] of a street's building-exact register addresses."""
    tree, numbers = _numbered_points().get(street, (None, np.empty(0)))
    xy = tree.data if tree is not None else np.empty((0, 2))
    return pd.DataFrame({"number": numbers, "x": xy[:, 0], "y": xy[:, 1]})


def house_numbers_at(x, y) -> tuple[list[str], np.ndarray]:
    """Nearest street to each EPSG:25833 point and the house number of that street's nearest
    real address ('' and NaN where there is no street, NaN where it has no numbered address)."""
    x, y = np.asarray(x, "float64"), np.asarray(y, "float64")
    names = nearest_street(x, y)
    numbers = np.full(len(x), np.nan)
    if not names:
        return names, numbers
    trees = _numbered_points()
    by_name = pd.Series(np.arange(len(x))).groupby(np.asarray(names, dtype=object)).indices
    for name, rows in by_name.items():
        if name in trees:
            tree, street_numbers = trees[name]
            numbers[rows] = street_numbers[tree.query(np.column_stack([x[rows], y[rows]]))[1]]
    return names, numbers


NEAREST_ADDRESS_M = 150.0  # farther than this a point is not "at" an address


@functools.cache
def _address_tree() -> tuple[cKDTree, np.ndarray]:
    """A KD-tree of every building-exact register address and its "Straße Nr" label."""
    addresses = load_register(DATA_DIR).addresses
    good = addresses[addresses["source"].ne("register2013_way")]
    labels = (good["street"].astype(str) + " " + good["housenumber"].astype(str)).to_numpy()
    return cKDTree(good[["x", "y"]].to_numpy("float64")), labels


def nearest_address(x, y, within_m: float = NEAREST_ADDRESS_M) -> tuple[list[str], np.ndarray]:
    """The register address nearest to each EPSG:25833 point and its distance in metres
    ('' and NaN where none is within ``within_m``): a clicked point in words."""
    x, y = np.asarray(x, "float64"), np.asarray(y, "float64")
    tree, labels = _address_tree()
    distance, index = tree.query(np.column_stack([x, y]), distance_upper_bound=within_m)
    found = np.isfinite(distance)
    names = [str(labels[i]) if ok else "" for i, ok in zip(index, found, strict=True)]
    return names, np.where(found, distance, np.nan)
