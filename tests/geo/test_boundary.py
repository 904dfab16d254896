"""District boundary: the shipped real Ortsteile, the official-file path and point assignment."""

from __future__ import annotations

import itertools
import json

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from geo import boundary
from geo.crs import METRIC_CRS, to_metric
from tests.helpers import reference_dir

NAMES = boundary.district_config().ortsteile
SHIPPED = boundary.load_boundary()


@pytest.fixture
def reference() -> gpd.GeoDataFrame:
    """The real Ortsteile, read directly (not through geo.boundary), in EPSG:25833."""
    folder = reference_dir("leipzig_ortsteile")
    frames = [gpd.read_file(f) for f in sorted(folder.glob("*.geojson"))]
    frame = gpd.GeoDataFrame(pd.concat(frames, ignore_index=True)).set_crs(4326)
    return frame.to_crs(METRIC_CRS)


def reference_of(reference, name):
    return reference.loc[reference["Name"] == name].geometry.iloc[0]


def test_shipped_ortsteile_are_valid_and_in_district_order():
    frame = SHIPPED.ortsteile()
    assert frame.crs == METRIC_CRS
    assert list(frame.columns) == ["name", "geometry"]
    assert tuple(frame["name"]) == NAMES and len(NAMES) == 7
    assert frame.geometry.is_valid.all()
    assert set(frame.geom_type) == {"Polygon"}


def test_shipped_ortsteile_neither_overlap_nor_leave_gaps():
    frame = SHIPPED.ortsteile()
    for a, b in itertools.combinations(frame.geometry, 2):
        assert a.intersection(b).area < 1.0
    district = SHIPPED.district
    assert abs(district.area - frame.area.sum()) < 1.0
    assert district.geom_type == "Polygon" and len(district.interiors) == 0


def test_core_area_is_neustadt_and_volkmarsdorf():
    frame = SHIPPED.ortsteile().set_index("name")
    core = frame.loc[["Neustadt-Neuschönefeld", "Volkmarsdorf"]].geometry.union_all()
    assert SHIPPED.core.symmetric_difference(core).area < 1.0
    assert SHIPPED.core.area < SHIPPED.district.area / 3


def assert_is_reference(frame, reference, tolerance_m: float = 0.0):
    """Each Ortsteil is the real polygon (up to ``tolerance_m`` along its border)."""
    assert frame.crs == METRIC_CRS
    assert tuple(frame["name"]) == NAMES
    for name, geom in zip(frame["name"], frame.geometry, strict=True):
        real = reference_of(reference, name)
        assert geom.symmetric_difference(real).area < 1.0 + tolerance_m * real.length, name


def test_shipped_ortsteile_are_the_real_ones(reference):
    """Built from the real polygons (coordinates stored to 10 cm)."""
    assert_is_reference(SHIPPED.ortsteile(), reference, tolerance_m=0.1)


def test_official_folder_replaces_the_shipped_geometry(reference, tmp_path):
    official = boundary.load_boundary(str(reference_dir("leipzig_ortsteile")))
    assert_is_reference(official.ortsteile(), reference)
    real_district = reference[reference["Name"].isin(NAMES)].union_all()
    assert official.district.symmetric_difference(real_district).area < 1.0
    shrunk = reference.assign(geometry=reference.buffer(-20))  # an official file of its own
    shrunk.to_file(tmp_path / "amtlich.gpkg", engine="pyogrio")
    assert boundary.load_boundary(tmp_path / "amtlich.gpkg").district.area \
        < real_district.area - 100_000
    assert SHIPPED.district.area > real_district.area - 100_000  # the shipped one unchanged


def test_official_single_geojson_without_crs(reference, tmp_path):
    path = tmp_path / "ortsteile.geojson"
    collection = json.loads(reference.to_crs(4326).to_json())
    collection.pop("crs", None)
    path.write_text(json.dumps(collection), encoding="utf-8")
    assert_is_reference(boundary.load_boundary(str(path)).ortsteile(), reference)


def test_official_geopackage_in_25833_with_named_field(reference, tmp_path):
    path = tmp_path / "ortsteile.gpkg"
    frame = reference.rename(columns={"Name": "OT_Bezeichnung"}).drop(columns="OT")
    # Official files may transliterate umlauts; the Ortsteile must still be found.
    frame["OT_Bezeichnung"] = frame["OT_Bezeichnung"].str.replace("ö", "oe").str.replace("ü", "ue")
    frame.to_file(path, driver="GPKG", engine="pyogrio")
    assert_is_reference(boundary.load_boundary(str(path), "OT_Bezeichnung").ortsteile(), reference)


def test_official_shapefile(reference, tmp_path):
    path = tmp_path / "ortsteile.shp"
    reference.to_crs(4326).to_file(path, engine="pyogrio")
    assert_is_reference(boundary.load_boundary(str(path)).ortsteile(), reference)


def test_official_file_with_lines_instead_of_areas_is_rejected(tmp_path):
    path = tmp_path / "linien.geojson"
    frame = SHIPPED.ortsteile()
    frame.geometry = frame.boundary
    frame.to_file(path, engine="pyogrio")
    with pytest.raises(boundary.BoundaryError, match="keine Flächen"):
        boundary.load_boundary(str(path))


def test_official_file_without_name_field_gives_german_error(tmp_path):
    path = tmp_path / "ohne_namen.geojson"
    SHIPPED.ortsteile().rename(columns={"name": "bezeichnung"}).to_file(path, engine="pyogrio")
    with pytest.raises(boundary.BoundaryError, match=r"fehlt ein Namensfeld.*bezeichnung"):
        boundary.load_boundary(str(path))
    with pytest.raises(boundary.BoundaryError, match="kein Feld „OT_NAME_X“"):
        boundary.load_boundary(str(path), "OT_NAME_X")


def test_official_file_missing_ortsteile_gives_german_error(tmp_path):
    path = tmp_path / "unvollstaendig.geojson"
    SHIPPED.ortsteile().iloc[:5].to_file(path, engine="pyogrio")
    with pytest.raises(boundary.BoundaryError, match="Schönefeld-Ost, Reudnitz-Thonberg nicht"):
        boundary.load_boundary(str(path))
    with pytest.raises(boundary.BoundaryError, match="gibt es nicht"):
        boundary.load_boundary(str(tmp_path / "fehlt.geojson"))


# Points whose Ortsteil is looked up in the real polygons, not taken from memory.
KNOWN_POINTS = {
    "Rabet (Park)": (12.4012, 51.3436),
    "Eisenbahnstraße östlich Otto-Runki-Platz": (12.4110, 51.3466),
    "Volkmarsdorfer Markt": (12.4140, 51.3458),
    "Mariannenpark": (12.4140, 51.3556),
    "Lene-Voigt-Park": (12.4040, 51.3340),
    "Anger-Crottendorf, Zweinaundorfer Straße": (12.4200, 51.3367),
    "Schönefeld-Ost, Torgauer Straße": (12.4330, 51.3600),
    "Stünzer Park": (12.4425, 51.3420),
}


def test_assign_ortsteil_agrees_with_the_real_polygons_on_known_points(reference):
    lon, lat = np.array(list(KNOWN_POINTS.values())).T
    x, y = to_metric(lon, lat)
    points = gpd.GeoSeries(gpd.points_from_xy(x, y), crs=METRIC_CRS)
    real = [reference.loc[reference.contains(p), "Name"].iloc[0] for p in points]
    assert list(SHIPPED.assign_ortsteil(x, y)) == real
    assert set(real) == set(NAMES)


def test_assign_ortsteil_outside_and_missing_coordinates_give_none():
    hauptbahnhof, connewitz = (12.3826, 51.3455), (12.3830, 51.3080)
    lon = np.array([hauptbahnhof[0], connewitz[0], np.nan, 12.41])
    lat = np.array([hauptbahnhof[1], connewitz[1], 51.34, np.nan])
    x, y = to_metric(lon, lat)
    assert list(SHIPPED.assign_ortsteil(x, y)) == [None, None, None, None]
    assert SHIPPED.assign_ortsteil(np.array([]), np.array([])).shape == (0,)


def test_assign_ortsteil_matches_a_spatial_join_on_the_official_polygons():
    official = boundary.load_boundary(str(reference_dir("leipzig_ortsteile")))
    frame = official.ortsteile()
    minx, miny, maxx, maxy = frame.total_bounds
    rng = np.random.default_rng(7)
    x = rng.uniform(minx - 300, maxx + 300, 20_000)
    y = rng.uniform(miny - 300, maxy + 300, 20_000)
    points = gpd.GeoDataFrame(geometry=gpd.points_from_xy(x, y), crs=METRIC_CRS)
    joined = gpd.sjoin(points, frame, predicate="within", how="left")
    expected = joined["name"].groupby(level=0).first().reindex(range(len(x)))
    got = official.assign_ortsteil(x, y)
    assert (pd.Series(got).fillna("-") == expected.fillna("-")).all()
    assert pd.Series(got).notna().sum() > 5_000


def test_assign_ortsteil_handles_lists_and_single_points():
    inside = shapely.get_coordinates(SHIPPED.ortsteile().geometry.iloc[0].representative_point())
    x, y = inside[0]
    assert list(SHIPPED.assign_ortsteil([x], [y])) == [NAMES[0]]
