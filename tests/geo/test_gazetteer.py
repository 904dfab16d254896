"""The shipped real geography (data/, built by ``python -m geo build-data``): register, street
courses, places; every expectation is read from the shipped data or computed, none typed in."""

from __future__ import annotations

import numpy as np
import pandas as pd
import shapely

from geo.boundary import district_config, load_boundary
from geo.build_data import AREA_KINDS
from geo.crs import METRIC_CRS
from geo.gazetteer import nearest_street, street_lines
from geo.register import load_register, shipped_ortsteile


def test_register_loads_in_metric_crs_with_contract_columns():
    register = load_register()
    assert list(register.addresses.columns) == [
        "street", "housenumber", "number", "suffix", "postcode", "x", "y", "source",
        "precision_m"]
    assert len(register.addresses) > 70_000  # all of Leipzig, so elsewhere is recognised
    assert register.streets.crs == register.places.crs == METRIC_CRS
    assert not register.addresses.duplicated(["street", "number", "suffix"]).any()
    assert (register.addresses["precision_m"] > 0).all()


def test_coarse_2013_way_points_carry_a_coarse_precision():
    addresses = load_register().addresses
    coarse = addresses["source"].eq("register2013_way")
    assert addresses.loc[coarse, "precision_m"].min() >= 50
    assert addresses.loc[~coarse, "precision_m"].max() <= 20


def test_every_directory_street_of_the_district_is_known():
    streets = load_register().streets
    osten = streets[streets["in_osten"]]
    assert len(osten) > 300
    with_course = osten.geometry.notna().mean()
    assert with_course > 0.8  # the rest are names without addresses or lines in the sources


def test_most_district_addresses_lie_in_the_district():
    addresses = load_register().addresses
    inside = load_boundary().assign_ortsteil(addresses["x"].to_numpy(), addresses["y"].to_numpy())
    counts = pd.Series(inside).value_counts()
    assert set(counts.index) == set(district_config().ortsteile)
    assert counts.sum() > 6_000


def test_derived_street_courses_run_through_their_addresses():
    streets = street_lines()
    derived = streets[streets["line_source"] == "addresses"].set_index("name")
    addresses = load_register().addresses
    good = addresses[addresses["source"] == "osm2025"]
    medians = []
    for name, group in good.groupby("street"):
        if name not in derived.index or len(group) < 6:
            continue
        points = shapely.points(group[["x", "y"]].to_numpy())
        medians.append(np.median(shapely.distance(derived.geometry[name], points)))
    assert len(medians) > 500
    assert np.median(medians) < 20  # houses stand beside the street
    assert np.percentile(medians, 90) < 40  # curved streets are followed less closely


def test_places_are_unique_named_buildings_and_areas():
    places = load_register().places
    assert places["key"].is_unique
    assert (places["precision_m"] >= 15).all()
    buildings = places[~places["kind"].isin(AREA_KINDS)]
    assert not buildings["key"].isin(load_register().streets["key"]).any()
    areas = places[places["kind"].isin(AREA_KINDS)].set_index("name")
    assert len(areas) > 62  # every Ortsteil and the parts of the compound names
    # "Schönefeld" is both Schönefeld-Abtnaundorf and Schönefeld-Ost: its radius holds both
    both = shipped_ortsteile().set_index("name").geometry[
        ["Schönefeld-Abtnaundorf", "Schönefeld-Ost"]]
    centre = areas.geometry["Schönefeld"]
    assert shapely.get_coordinates(both.values).tolist()  # real polygons
    far = np.hypot(*(shapely.get_coordinates(both.values) - (centre.x, centre.y)).T).max()
    assert far <= areas.loc["Schönefeld", "precision_m"] < far + 1
    assert "Ost" not in areas.index and "Mitte" not in areas.index


def test_nearest_street_names_a_point_by_the_street_it_lies_on():
    addresses = load_register().addresses
    one = addresses[addresses["street"] == "Eisenbahnstraße"].iloc[[0]]
    streets = street_lines().set_index("name")
    point = streets.geometry["Eisenbahnstraße"].interpolate(0.5, normalized=True)
    assert nearest_street([point.x], [point.y]) == ["Eisenbahnstraße"]
    assert nearest_street(one["x"].to_numpy()[:0], one["y"].to_numpy()[:0]) == []


def test_shipped_ortsteile_cover_leipzig_and_the_district():
    frame = shipped_ortsteile()
    assert len(frame) == 62
    assert set(district_config().ortsteile) <= set(frame["name"])
    assert load_boundary().district.area > 14e6
