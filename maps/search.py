"""The address search of every map: a compact index of the shipped register (addresses,
streets, named places and Ortsteile around the district), served as one static JSON file.

The map's search control (``static/vendor/lagebild/map-controls.js``) loads it once and
suggests as one types, in the browser — no server round trip per key. The index only moves
the map; it holds no report and no figure, so the public gets the same search. It is built
from ``data/`` alone, deterministically (same data, same bytes), by ``lagebild build-tiles``
(``write_index``); ``tests/maps/test_search.py`` rebuilds it and compares with the shipped file.

Format (positions as integers in 1e-5 degrees, about 1 m, from ``origin``)::

    {"origin": [lat, lon],
     "streets": [[name, lat, lon, south, west, north, east, [[number, lat, lon], ...]], ...],
     "places": [[name, lat, lon], ...],
     "ortsteile": [[name, south, west, north, east], ...]}
"""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from config.paths import DATA_DIR, STATIC_DIR
from geo.boundary import district_config
from geo.crs import DISPLAY_CRS, METRIC_CRS

INDEX_PATH = STATIC_DIR / "search" / "orte.json"
INDEX_URL = "/app/static/search/orte.json"  # static/ as Streamlit serves it
AREA_MARGIN_M = 1500.0  # beyond the district: the streets one sees on the first map view
SCALE = 100_000  # 1e-5 degrees


def _lat_lon(x, y) -> tuple[np.ndarray, np.ndarray]:
    points = gpd.GeoSeries(gpd.points_from_xy(x, y), crs=METRIC_CRS).to_crs(DISPLAY_CRS)
    return points.y.to_numpy(), points.x.to_numpy()


def build_index(addresses: pd.DataFrame, streets: gpd.GeoDataFrame, places: gpd.GeoDataFrame,
                ortsteile: gpd.GeoDataFrame, area: shapely.Geometry) -> dict:
    """The index of everything that lies in ``area`` (EPSG:25833; addresses with columns
    street, housenumber, x, y; streets, places and Ortsteile with name and geometry)."""
    xmin, ymin, _, _ = area.bounds
    origin_lat, origin_lon = (float(v[0]) for v in _lat_lon([xmin], [ymin]))

    def grid(lat, lon) -> list[int]:
        return [round(float(lat - origin_lat) * SCALE), round(float(lon - origin_lon) * SCALE)]

    inside = addresses[shapely.contains_xy(area, addresses["x"], addresses["y"])]
    lat, lon = _lat_lon(inside["x"], inside["y"])
    inside = inside.assign(lat=lat, lon=lon)
    lines = streets[streets.intersects(area)]
    line_of = dict(zip(lines["name"], lines.to_crs(DISPLAY_CRS).geometry, strict=True))
    entries = []
    for name in sorted(set(inside["street"]) | set(line_of)):
        rows = inside[inside["street"] == name]
        numbers = sorted(zip(rows["number"], rows["housenumber"], rows["lat"], rows["lon"],
                             strict=True))
        if len(rows):
            # the address nearest the middle of the street's addresses, as the geocoder answers
            mid_lat, mid_lon = rows["lat"].mean(), rows["lon"].mean()
            k = int(np.argmin((rows["lat"] - mid_lat) ** 2 + (rows["lon"] - mid_lon) ** 2))
            centre = (rows["lat"].iloc[k], rows["lon"].iloc[k])
            south, north = rows["lat"].min(), rows["lat"].max()
            west, east = rows["lon"].min(), rows["lon"].max()
        else:
            line = line_of[name]
            mid = line.interpolate(0.5, normalized=True)
            centre = (mid.y, mid.x)
            west, south, east, north = line.bounds
        entries.append([str(name), *grid(*centre), *grid(south, west), *grid(north, east),
                        [[str(h), *grid(a, b)] for _, h, a, b in numbers]])
    named = places[places.intersects(area)].to_crs(DISPLAY_CRS)
    place_rows = sorted([str(n), *grid(p.y, p.x)]
                        for n, p in zip(named["name"], named.geometry, strict=True))
    parts = ortsteile[ortsteile.intersects(area)].to_crs(DISPLAY_CRS)
    ortsteil_rows = []
    for name, geom in sorted(zip(parts["name"], parts.geometry, strict=True)):
        west, south, east, north = geom.bounds
        ortsteil_rows.append([str(name), *grid(south, west), *grid(north, east)])
    return {"origin": [round(origin_lat, 6), round(origin_lon, 6)], "streets": entries,
            "places": place_rows, "ortsteile": ortsteil_rows}


def shipped_index() -> dict:
    """The index of the shipped register (data/) around the shipped district."""
    ortsteile = gpd.read_parquet(DATA_DIR / "ortsteile.geoparquet").to_crs(METRIC_CRS)
    district = ortsteile[ortsteile["name"].isin(district_config().ortsteile)].union_all()
    return build_index(
        pd.read_parquet(DATA_DIR / "addresses.parquet",
                        columns=["street", "number", "housenumber", "x", "y"]),
        gpd.read_parquet(DATA_DIR / "streets.geoparquet", columns=["name", "geometry"]),
        _named_places(), ortsteile, district.buffer(AREA_MARGIN_M))


def _named_places() -> gpd.GeoDataFrame:
    """Named buildings and the parts of Ortsteil names ("Stünz"); whole Ortsteile are listed
    as Ortsteile already."""
    places = gpd.read_parquet(DATA_DIR / "places.geoparquet", columns=["name", "kind", "geometry"])
    return places[places["kind"].ne("ortsteil")][["name", "geometry"]]


def index_bytes(index: dict) -> bytes:
    return (json.dumps(index, ensure_ascii=False, separators=(",", ":")) + "\n").encode()


def write_index(path: Path = INDEX_PATH) -> int:
    """Write the shipped index to ``path``; returns its size in bytes."""
    data = index_bytes(shipped_index())
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return len(data)
