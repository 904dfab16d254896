"""Gazetteer: the shipped streets and places, and the checks that guard edits of the file."""

from __future__ import annotations

import json

import numpy as np
import pytest
import shapely

from geo import boundary
from geo.crs import METRIC_CRS
from geo.gazetteer import GAZETTEER_FILE, GazetteerError, gazetteer, load_gazetteer
from tests.helpers import reference_dir

KEY_PLACES = [
    "Rabet",
    "Spielplatz Rabet",
    "Otto-Runki-Platz",
    "Neustädter Markt",
    "Volkmarsdorfer Markt",
    "Torgauer Platz",
    "Mariannenpark",
    "Lene-Voigt-Park",
    "Stünzer Park",
]
KEY_STREETS = [
    "Eisenbahnstraße",
    "Hermann-Liebmann-Straße",
    "Torgauer Straße",
    "Wurzner Straße",
    "Dresdner Straße",
    "Rosa-Luxemburg-Straße",
    "Rabet",
]


@pytest.fixture(autouse=True)
def shipped(monkeypatch):
    boundary.use_official_file(None)
    yield
    boundary.use_official_file(None)


def test_gazetteer_loads_in_metric_crs_with_contract_columns():
    frame = gazetteer()
    assert frame.crs == METRIC_CRS
    assert list(frame.columns) == [
        "name", "kind", "hn_from", "hn_to", "aliases", "precision_m", "geometry"
    ]
    assert set(frame["kind"]) == {"street", "place"}
    assert (frame["kind"] == "street").sum() >= 60
    assert not frame.duplicated(["kind", "name"]).any()


def test_key_places_and_streets_are_present():
    frame = gazetteer()
    places = frame.loc[frame["kind"] == "place"].set_index("name")
    streets = frame.loc[frame["kind"] == "street"].set_index("name")
    assert set(KEY_PLACES) <= set(places.index)
    assert set(KEY_STREETS) <= set(streets.index)
    assert (places["precision_m"] > 0).all()
    assert "Park am Rabet" in places.loc["Rabet", "aliases"].split("|")
    assert "Eisi" in streets.loc["Eisenbahnstraße", "aliases"].split("|")


def test_streets_have_ascending_house_number_ranges_and_lines():
    streets = gazetteer().query("kind == 'street'")
    assert set(streets.geom_type) == {"LineString"}
    assert (streets["hn_from"] >= 1).all() and (streets["hn_from"] < streets["hn_to"]).all()
    assert streets.length.min() > 50


def test_everything_lies_within_300_m_of_the_district():
    district = boundary.district()
    for name, geom in zip(gazetteer()["name"], gazetteer().geometry, strict=True):
        vertices = shapely.points(shapely.get_coordinates(geom))
        assert shapely.distance(vertices, district).max() < 300, name


def test_eisenbahnstrasse_runs_west_to_east_through_the_core():
    streets = gazetteer().query("kind == 'street'").set_index("name")
    line = streets.geometry["Eisenbahnstraße"]
    (x0, _), (x1, _) = shapely.get_coordinates(line)[[0, -1]]
    assert x1 - x0 > 1500  # numbers rise eastwards
    core = boundary.core_area()
    assert line.intersection(core).length / line.length > 0.9


def test_key_places_lie_in_the_same_ortsteil_as_in_reality(monkeypatch):
    places = gazetteer().set_index("name").loc[KEY_PLACES]
    points = places.geometry.representative_point()
    x, y = points.x.to_numpy(), points.y.to_numpy()
    shipped = boundary.assign_ortsteil(x, y)
    boundary.use_official_file(str(reference_dir("leipzig_ortsteile")))
    real = boundary.assign_ortsteil(x, y)
    assert list(shipped) == list(real)
    assert None not in set(real)


def test_streets_lie_mostly_within_the_real_district(monkeypatch):
    boundary.use_official_file(str(reference_dir("leipzig_ortsteile")))
    real = boundary.district().buffer(300)
    lines = gazetteer().query("kind == 'street'").geometry
    inside = np.array([line.intersection(real).length / line.length for line in lines])
    assert inside.min() > 0.9


def _write(tmp_path, features) -> object:
    path = tmp_path / "gazetteer.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}), "utf-8")
    return path


def _feature(name, kind="street", hn_from=1, hn_to=9, precision_m=None):
    geometry = (
        {"type": "LineString", "coordinates": [[12.40, 51.345], [12.41, 51.346]]}
        if kind == "street"
        else {"type": "Point", "coordinates": [12.40, 51.345]}
    )
    properties = {"name": name, "kind": kind, "hn_from": hn_from, "hn_to": hn_to,
                  "aliases": "", "precision_m": precision_m}
    return {"type": "Feature", "properties": properties, "geometry": geometry}


def test_duplicate_names_are_rejected_with_german_message(tmp_path):
    path = _write(tmp_path, [_feature("Teststraße"), _feature("Teststraße")])
    with pytest.raises(GazetteerError, match="Teststraße \\(street\\) steht 2-mal"):
        load_gazetteer(path)


def test_bad_house_numbers_kind_and_precision_are_rejected(tmp_path):
    path = _write(tmp_path, [
        _feature("Rückwärtsstraße", hn_from=20, hn_to=3),
        _feature("Halbstraße", hn_to=None),
        _feature("Irgendwas", kind="river"),
        _feature("Platz ohne Genauigkeit", kind="place", hn_from=None, hn_to=None),
    ])
    with pytest.raises(GazetteerError) as error:
        load_gazetteer(path)
    message = str(error.value)
    assert "Rückwärtsstraße" in message and "20–3 ist ungültig" in message
    assert "Halbstraße" in message and "braucht" in message
    assert "street oder place" in message
    assert "precision_m" in message


def test_same_name_as_street_and_place_is_allowed(tmp_path):
    path = _write(tmp_path, [
        _feature("Rabet"),
        _feature("Rabet", kind="place", hn_from=None, hn_to=None, precision_m=100),
    ])
    assert len(load_gazetteer(path)) == 2


def test_shipped_file_is_the_default():
    assert load_gazetteer(GAZETTEER_FILE).equals(gazetteer())


def test_nearest_street_names_a_point_by_the_street_it_lies_on():
    from geo.gazetteer import gazetteer, nearest_street

    streets = gazetteer()
    line = streets[(streets["kind"] == "street") & (streets["name"] == "Eisenbahnstraße")]
    mid = line.geometry.iloc[0].interpolate(0.5, normalized=True)
    assert nearest_street([mid.x], [mid.y + 5.0]) == ["Eisenbahnstraße"]
    assert nearest_street([], []) == []
