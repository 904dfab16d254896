"""The maps' address search index (maps.search): built from data/ alone, deterministic, the
shipped file is that build, and its points are the register's."""

from __future__ import annotations

import json

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from geo.crs import to_display
from maps import search


@pytest.fixture(scope="module")
def index() -> dict:
    return search.shipped_index()


def _at(index: dict, pair: list[int]) -> tuple[float, float]:
    lat0, lon0 = index["origin"]
    return lat0 + pair[0] / search.SCALE, lon0 + pair[1] / search.SCALE


def test_shipped_index_is_the_build_of_the_shipped_data(index):
    assert search.INDEX_PATH.read_bytes() == search.index_bytes(index), (
        "static/search/orte.json is stale: run lagebild build-tiles")


def test_addresses_sit_on_the_register_points(index):
    addresses = pd.read_parquet(search.DATA_DIR / "addresses.parquet")
    streets = {row[0]: row for row in index["streets"]}
    eisenbahn = streets["Eisenbahnstraße"]
    numbers = {n[0]: _at(index, n[1:]) for n in eisenbahn[7]}
    row = addresses[(addresses["street"] == "Eisenbahnstraße")
                    & (addresses["housenumber"] == "120")].iloc[0]
    lon, lat = to_display([row["x"]], [row["y"]])
    got = numbers["120"]
    assert abs(got[0] - lat[0]) < 2e-5 and abs(got[1] - lon[0]) < 2e-5  # about 1 m
    # every district address is searchable, the district's streets and Ortsteile too
    district = {row[0] for row in index["ortsteile"]}
    assert {"Volkmarsdorf", "Neustadt-Neuschönefeld", "Anger-Crottendorf"} <= district
    assert {"Rabet", "Mariannenpark", "Hermann-Liebmann-Straße"} <= set(streets)
    # the street's own bounds hold its numbers
    south, west = _at(index, eisenbahn[3:5])
    north, east = _at(index, eisenbahn[5:7])
    assert all(south <= a <= north and west <= b <= east for a, b in numbers.values())


def test_index_holds_places_only_near_the_district_and_no_reports(index):
    ortsteile = gpd.read_parquet(search.DATA_DIR / "ortsteile.geoparquet")
    far = ortsteile[ortsteile["name"] == "Grünau-Nord"].to_crs(4326).union_all()
    for row in index["streets"]:
        lat, lon = _at(index, row[1:3])
        assert not far.contains(shapely.Point(lon, lat)), row[0]
    assert set(index) == {"origin", "streets", "places", "ortsteile"}
    assert len(search.index_bytes(index)) < 600_000  # loaded once per page, uncompressed
    assert json.loads(search.index_bytes(index))["streets"] == index["streets"]
