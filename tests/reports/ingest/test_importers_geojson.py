"""GeoJSON features: properties as columns, geometry as a point."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from shapely.geometry import Point, shape

from reports.ingest.importers import FileError, read_file


def collection(features, **extra) -> bytes:
    return json.dumps({"type": "FeatureCollection", "features": features, **extra}).encode()


def feature(geometry, **props):
    return {"type": "Feature", "geometry": geometry, "properties": props}


def test_points_properties_and_representative_points():
    square = {"type": "Polygon", "coordinates": [[[12.40, 51.34], [12.41, 51.34],
                                                  [12.41, 51.35], [12.40, 51.35],
                                                  [12.40, 51.34]]]}
    raw = read_file(collection([
        feature({"type": "Point", "coordinates": [12.4012, 51.3421]}, Datum="24.11.2026",
                Anzahl=3, Art="Graffiti"),
        feature(square, Datum="25.11.2026", Art="Leerstand", extra={"a": 1}),
        feature(None, Datum="26.11.2026", Art="Graffiti"),
    ]), "meldungen.geojson")
    assert raw.implied == {"lon": "geometry_lon", "lat": "geometry_lat"}
    assert raw.row_label == "Eintrag"
    assert raw.rows["Anzahl"].tolist() == ["3", "", ""]
    assert raw.rows["geometry_lon"][0] == "12.4012"
    lon, lat = float(raw.rows["geometry_lon"][1]), float(raw.rows["geometry_lat"][1])
    assert shape(square).contains(Point(lon, lat))
    assert raw.rows["geometry_lon"][2] == ""
    assert raw.rows["extra"][1] == '{"a": 1}'


def test_metric_crs_goes_to_x_y():
    raw = read_file(collection(
        [feature({"type": "Point", "coordinates": [318000.5, 5690000.25]}, Art="Graffiti")],
        crs={"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::25833"}},
    ), "m.geojson")
    assert raw.implied == {"x": "geometry_x", "y": "geometry_y"}
    assert raw.rows["geometry_x"][0] == "318000.5"


def test_broken_geometry_is_a_row_error():
    raw = read_file(collection([
        feature({"type": "Point", "coordinates": []}, Art="Graffiti"),
        feature({"type": "Point", "coordinates": [12.4, 51.3]}, Art="Graffiti"),
    ]), "m.geojson")
    assert list(raw.row_numbers) == [2]
    assert raw.errors["row_number"].tolist() == [1]
    assert "m.geojson, Eintrag 1, Feld „geometry“" in raw.errors["message"][0]
    assert raw.total == 2


@pytest.mark.parametrize("data", [b"{kaputt", b'{"type": "Point"}', b"\xff\xfe"])
def test_invalid_documents_are_file_errors(data):
    with pytest.raises(FileError, match=r"m\.geojson"):
        read_file(data, "m.geojson")


JSON = st.recursive(st.none() | st.booleans() | st.floats(allow_nan=False) | st.integers()
                    | st.text(max_size=8),
                    lambda inner: st.lists(inner, max_size=4)
                    | st.dictionaries(st.sampled_from(["type", "features", "geometry",
                                                       "properties", "coordinates", "crs",
                                                       "Art"]), inner, max_size=4),
                    max_leaves=25)


@settings(max_examples=200, deadline=None)
@given(JSON, st.sampled_from(["geojson", "open311"]))
def test_any_json_gives_rows_or_a_file_error(doc, fmt):
    if fmt == "geojson" and isinstance(doc, list):
        doc = {"type": "FeatureCollection", "features": doc}
    try:
        raw = read_file(json.dumps(doc).encode(), "x.json", fmt)
    except FileError as exc:
        assert "x.json" in str(exc)
        return
    assert raw.total == len(raw.rows) + len(raw.errors)
    assert len(raw.row_numbers) == len(raw.rows)


def test_unknown_geometry_type_is_a_row_error_not_a_crash():
    from reports.ingest.importers.geojson import read

    doc = {"type": "FeatureCollection",
           "features": [{"type": "Feature", "geometry": {"type": ""}, "properties": {}}]}
    table = read(json.dumps(doc).encode(), "x.geojson")
    assert table.errors["field"].tolist() == ["geometry"]
    assert "Eintrag 1" in table.errors["message"].iloc[0]
