"""The build step (``python -m geo build-data``): small fixture sources written here, the
determinism of the output, and that the shipped files were built from the real sources."""

from __future__ import annotations

import gzip
import json

import numpy as np
import pandas as pd
import pytest

from config.paths import DATA_DIR
from geo.build_data import SHIPPED_FILES, Sources, build, derived_course, write
from geo.crs import to_display
from lagebild.cli import main
from tests.helpers import REFERENCE_DIR

SHARED = REFERENCE_DIR.parent


def _lonlat(x, y):
    lon, lat = to_display([x], [y])
    return float(lon[0]), float(lat[0])


@pytest.fixture
def sources(tmp_path) -> Sources:
    """A tiny Leipzig: Musterstraße (numbered 1..19, a range row, an "HH" row, one coarse way
    point), a directory with one more street, one OSM line, two buildings, two Ortsteile."""
    src, ref = tmp_path / "sources", tmp_path / "reference" / "leipzig_ortsteile"
    src.mkdir(parents=True)
    ref.mkdir(parents=True)
    rows = []
    for n in range(1, 16, 2):
        rows.append(("Musterstraße", str(n), "04315", *_lonlat(319000 + n * 10, 5691510),
                     "osm2025"))
    rows.append(("Musterstraße", "16-20", "04315", *_lonlat(319170, 5691490), "osm2025"))
    rows.append(("Musterstraße", "17HH", "04315", *_lonlat(319170, 5691530), "osm2025"))
    rows.append(("Musterstraße", "19", "04315", *_lonlat(319000, 5691650), "register2013_way"))
    pd.DataFrame(rows, columns=["street", "housenumber", "postcode", "lon", "lat", "source"]
                 ).to_csv(src / "leipzig_addresses.csv", index=False)
    pd.DataFrame({"street": ["Musterstraße", "Linienweg"], "ortsteile": ["A", "B"],
                  "in_leipziger_osten": [1, 0]}).to_csv(
        src / "leipzig_strassen_ortsteile_2018.csv", index=False)
    line = [_lonlat(319000, 5691000), _lonlat(319500, 5691000)]
    (src / "leipzig_streets.geojson").write_text(json.dumps({"type": "FeatureCollection",
        "features": [{"type": "Feature", "properties": {"name": "Linienweg"},
                      "geometry": {"type": "LineString", "coordinates": line}}]}))
    square = [_lonlat(319100 + dx, 5691550 + dy) for dx, dy in
              ((0, 0), (20, 0), (20, 20), (0, 20), (0, 0))]
    buildings = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"id": str(i), "building": "yes", "name": name},
         "geometry": {"type": "Polygon", "coordinates": [square]}}
        for i, name in enumerate(["Musterhaus", "Haus 1"])]}
    with gzip.open(src / "osten_box_buildings_2025.geojson.gz", "wt") as f:
        json.dump(buildings, f)
    for ot, name, x0 in (("1", "Westteil", 318000), ("2", "Ostteil", 319050)):
        ring = [_lonlat(x0 + dx, 5690500 + dy) for dx, dy in
                ((0, 0), (1050, 0), (1050, 1500), (0, 1500), (0, 0))]
        (ref / f"{name}.geojson").write_text(json.dumps({"type": "FeatureCollection",
            "features": [{"type": "Feature", "properties": {"OT": ot, "Name": name},
                          "geometry": {"type": "Polygon", "coordinates": [ring]}}]}))
    return Sources.in_dir(tmp_path)


def test_register_splits_numbers_expands_ranges_and_rates_points(sources):
    built = build(sources)
    street = built.addresses[built.addresses["street"] == "Musterstraße"].set_index(
        "housenumber")
    assert {"16", "18", "20", "17"} <= set(street.index)  # range and "HH" rows
    assert street.loc["18", "x"] == pytest.approx(319170, abs=0.2)
    assert street.loc["1", "precision_m"] == 10
    # the coarse point may stand for any house of its street: the radius holds them all
    far = np.hypot(street["x"] - street.loc["19", "x"], street["y"] - street.loc["19", "y"])
    assert street.loc["19", "precision_m"] >= np.ceil(far.max())


def test_streets_places_and_ortsteile(sources):
    built = build(sources)
    streets = built.streets.set_index("name")
    assert streets.loc["Linienweg", "line_source"] == "osm"
    assert streets.loc["Musterstraße", "line_source"] == "addresses"
    assert streets.loc["Musterstraße", "in_osten"]
    places = built.places.set_index("name")
    assert list(places.index) == ["Musterhaus", "Ostteil", "Westteil"]  # "Haus 1" is generic
    assert places.loc["Musterhaus", "kind"] == "yes"
    assert places.loc["Ostteil", "kind"] == "ortsteil"
    # the area's radius holds its 1050 x 1500 m polygon around its middle
    assert places.loc["Ostteil", "precision_m"] == np.ceil(np.hypot(525, 750))
    assert list(built.ortsteile["name"]) == ["Ostteil", "Westteil"]


def test_derived_course_runs_between_both_sides_of_the_street():
    xy = np.array([(x, 5691510.0) for x in range(0, 200, 20)]
                  + [(x + 10.0, 5691490.0) for x in range(0, 200, 20)])
    line = derived_course(xy)
    coords = np.asarray(line.coords)
    assert np.allclose(coords[:, 1], 5691500, atol=1)
    assert coords[:, 0].min() == pytest.approx(0, abs=1)
    assert coords[:, 0].max() == pytest.approx(190, abs=1)


def test_same_input_gives_byte_identical_files(sources, tmp_path):
    first = write(build(sources), tmp_path / "a")
    second = write(build(sources), tmp_path / "b")
    for a, b in zip(first, second, strict=True):
        assert a.read_bytes() == b.read_bytes(), a.name


def test_cli_builds_into_a_folder_and_names_missing_sources(sources, tmp_path, capsys):
    assert main(["build-data", str(sources.addresses.parent.parent), "--out",
                 str(tmp_path / "out")]) == 0
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == sorted(SHIPPED_FILES)
    assert main(["build-data", str(tmp_path / "nichts")]) == 2
    assert "Quelldaten fehlen" in capsys.readouterr().err


def test_shipped_files_were_built_from_the_real_sources(tmp_path):
    sources = Sources.in_dir(SHARED)
    if sources.missing():
        pytest.skip(f"the real sources in {SHARED} are absent (they live in ../shared)")
    for path in write(build(sources), tmp_path):
        assert path.read_bytes() == (DATA_DIR / path.name).read_bytes(), path.name
