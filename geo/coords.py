"""Validation of coordinates given in partner exports.

Exports carry WGS84 lon/lat, sometimes swapped (lat first), or EPSG:25833 eastings/northings,
sometimes with the "33" zone prefix. We recognise each case by value ranges around Leipzig,
fix what is unambiguous, and flag it, so that no point is silently moved or dropped.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from geo.crs import to_display, to_metric

# Value windows: wide enough for all of Germany (points far away stay recognisable and are then
# flagged "outside" by the boundary), narrow enough that lon/lat and metres never overlap.
_LON = (5.0, 16.0)
_LAT = (47.0, 56.0)
_EASTING = (200_000.0, 900_000.0)
_NORTHING = (5_200_000.0, 6_200_000.0)
_ZONE_PREFIX = 33_000_000.0

FLAG_NOTES = {
    "wgs84": "WGS84 Länge/Breite",
    "swapped": "Breite/Länge vertauscht – korrigiert",
    "utm": "ETRS89/UTM 33N (EPSG:25833)",
    "utm_prefix": "UTM-Rechtswert mit Zonenpräfix 33 – korrigiert",
    "utm_swapped": "Hoch-/Rechtswert vertauscht – korrigiert",
    "missing": "keine Koordinaten",
    "invalid": "Koordinaten nicht erkennbar (weder WGS84 noch EPSG:25833 im Raum Leipzig)",
}
VALID_FLAGS = frozenset(("wgs84", "swapped", "utm", "utm_prefix", "utm_swapped"))


def _within(values: np.ndarray, bounds: tuple[float, float]) -> np.ndarray:
    return (values >= bounds[0]) & (values <= bounds[1])


def _floats(values) -> np.ndarray:
    array = np.asarray(values)
    if array.dtype.kind in "fiu":
        return array.astype("float64", copy=False)
    numbers = pd.to_numeric(pd.Series(array.astype(object)), errors="coerce")
    return numbers.to_numpy("float64", na_value=np.nan)


def validate_coordinates(a, b) -> pd.DataFrame:
    """Coordinate pairs (first column ``a``, second ``b``) -> DataFrame[x, y, lon, lat, flag].

    Vectorised. ``flag`` is a key of ``FLAG_NOTES``; rows flagged "missing"/"invalid" have NaN
    coordinates. Non-numeric input counts as missing.
    """
    a, b = _floats(a), _floats(b)
    flag = np.full(a.shape, "invalid", dtype=object)
    lon = np.full(a.shape, np.nan)
    lat = np.full(a.shape, np.nan)
    x = np.full(a.shape, np.nan)
    y = np.full(a.shape, np.nan)

    cases = [  # (flag, mask, first, second, metric?)
        ("wgs84", _within(a, _LON) & _within(b, _LAT), a, b, False),
        ("swapped", _within(a, _LAT) & _within(b, _LON), b, a, False),
        ("utm", _within(a, _EASTING) & _within(b, _NORTHING), a, b, True),
        ("utm_prefix", _within(a - _ZONE_PREFIX, _EASTING) & _within(b, _NORTHING),
         a - _ZONE_PREFIX, b, True),
        ("utm_swapped", _within(b, _EASTING) & _within(a, _NORTHING), b, a, True),
    ]
    for name, mask, first, second, is_metric in cases:
        if is_metric:
            x[mask], y[mask] = first[mask], second[mask]
        else:
            lon[mask], lat[mask] = first[mask], second[mask]
        flag[mask] = name
    geographic = ~np.isnan(lon)
    if geographic.any():
        x[geographic], y[geographic] = to_metric(lon[geographic], lat[geographic])
    metric = ~np.isnan(x) & ~geographic
    if metric.any():
        lon[metric], lat[metric] = to_display(x[metric], y[metric])
    flag[np.isnan(a) | np.isnan(b)] = "missing"
    return pd.DataFrame({"x": x, "y": y, "lon": lon, "lat": lat, "flag": flag})
