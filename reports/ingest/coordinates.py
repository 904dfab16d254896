"""Coordinates as partners export them, checked before geocoding.

Three things go wrong in real exports, and none may pass silently:

* values that cannot be a place on earth near here (``1e308``, ``0``/``0`` typed as a
  placeholder is treated as empty, anything else no known system explains) -> a German
  message for the row instead of a quietly unplaced report;
* UTM metres from the wrong zone: EPSG:25832 (zone 32, what much of western Germany and
  some federal systems use) has Leipzig at eastings around 730 km, EPSG:25833 at 320 km.
  Both fit "UTM" value windows, so the zone is decided per file from where the points fall
  (a column name saying 25832 / Zone 32, or the zone prefix ``32``, wins) and zone-32
  values are converted to EPSG:25833;
* x and y swapped: handled per row downstream (``geo.coords``); here only for zone 32.
"""

from __future__ import annotations

import numpy as np
from pyproj import Transformer

from geo.coords import validate_coordinates

_ZONE32_TO_33 = Transformer.from_crs(25832, 25833, always_xy=True)
_ZONE32_TO_WGS84 = Transformer.from_crs(25832, 4326, always_xy=True)
_ZONE33_TO_WGS84 = Transformer.from_crs(25833, 4326, always_xy=True)
# About 60 km around Leipzig: where a partner's points must mostly fall for a zone to win.
_REGION = (11.5, 13.4, 50.9, 51.8)
_EASTING = (1.5e5, 9.5e5)
_NORTHING = (5.2e6, 6.2e6)


def _inside(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    return ((lon >= _REGION[0]) & (lon <= _REGION[1]) & (lat >= _REGION[2])
            & (lat <= _REGION[3]))


def _in(values: np.ndarray, window: tuple[float, float]) -> np.ndarray:
    return (values >= window[0]) & (values <= window[1])


def placeholder(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``0``/``0``: systems write it for "no coordinates"."""
    return (a == 0) & (b == 0)


def impossible(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Pairs given in full that no known system places in or near Germany."""
    both = ~np.isnan(a) & ~np.isnan(b)
    with np.errstate(all="ignore"):
        flags = validate_coordinates(np.where(both, a, np.nan), np.where(both, b, np.nan))["flag"]
    zone32 = _metric(a, b, 32)[2]
    return both & flags.eq("invalid").to_numpy() & ~zone32


def _metric(a: np.ndarray, b: np.ndarray, zone: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(easting, northing, ok) of pairs read as metres of ``zone`` (either order, optional
    zone prefix such as 32 736 000)."""
    with np.errstate(all="ignore"):
        prefix = zone * 1e6
        a = np.where(_in(a - prefix, _EASTING), a - prefix, a)
        b = np.where(_in(b - prefix, _EASTING), b - prefix, b)
        straight = _in(a, _EASTING) & _in(b, _NORTHING)
        swapped = _in(b, _EASTING) & _in(a, _NORTHING)
    east = np.where(straight, a, np.where(swapped, b, np.nan))
    north = np.where(straight, b, np.where(swapped, a, np.nan))
    return east, north, straight | swapped


def metric_zone(a: np.ndarray, b: np.ndarray, names: tuple[str, ...] = ()) -> int:
    """32 or 33: which UTM zone the metric pairs of one file are in.

    A column name mentioning 25832 / zone 32 decides; else a zone prefix 32 in the values;
    else the zone that puts more points near Leipzig (ties: 33, Saxony's official system).
    """
    label = " ".join(names).lower().replace(" ", "")
    if "25832" in label or "zone32" in label or "utm32" in label:
        return 32
    if "25833" in label or "zone33" in label or "utm33" in label:
        return 33
    with np.errstate(all="ignore"):
        if np.any((a >= 32e6) & (a < 33e6)) and not np.any((a >= 33e6) & (a < 34e6)):
            return 32
    hits = {}
    for zone, transformer in ((32, _ZONE32_TO_WGS84), (33, _ZONE33_TO_WGS84)):
        east, north, ok = _metric(a, b, zone)
        if not ok.any():
            hits[zone] = 0
            continue
        lon, lat = transformer.transform(east[ok], north[ok])
        hits[zone] = int(_inside(np.asarray(lon), np.asarray(lat)).sum())
    return 32 if hits[32] > hits[33] else 33


def zone32_to_33(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Zone-32 metres (either order, with or without prefix) -> EPSG:25833 x, y; ok mask."""
    east, north, ok = _metric(a, b, 32)
    x, y = np.full(len(a), np.nan), np.full(len(a), np.nan)
    if ok.any():
        x[ok], y[ok] = _ZONE32_TO_33.transform(east[ok], north[ok])
    return x, y, ok
