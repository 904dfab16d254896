"""Addresses as people write them (issue 21): Ortsteil + street, Ortsteil and village names,
corners whose lines stop short, lists of numbers, single generic words, and honest statuses.
Realistic strings on the shipped register; expected points come from the register itself."""

from __future__ import annotations

import numpy as np
import pytest
import shapely
from shapely.geometry import LineString

from geo import corners
from geo.address_forms import place_in_area, within
from geo.build_data import COARSE_SOURCE
from geo.register import load_register, shipped_ortsteile
from geo.street_sides import onto_side
from tests.helpers import shipped_geography


@pytest.fixture(scope="module")
def geocoder():
    return shipped_geography().geocoder


def _point(street: str, number: int) -> np.ndarray:
    addresses = load_register().addresses
    row = addresses[(addresses["street"] == street) & (addresses["number"] == number)
                    & addresses["suffix"].eq("")]
    return row[["x", "y"]].to_numpy()[0]


def _polygon(name: str) -> shapely.Geometry:
    return shipped_ortsteile().set_index("name").geometry[name]


def test_ortsteil_in_front_or_behind_filters_the_street(geocoder):
    truth = _point("Löbauer Straße", 27)
    for text in ("Schönefeld, Löbauer Straße 27", "Löbauer Str. 27, Leipzig-Schönefeld",
                 "Schönefeld-Abtnaundorf, Löbauer Straße 27", "Löbauer Straße 27, Abtnaundorf"):
        result = geocoder.geocode(text)
        assert (result.status, result.matched) == ("exact", "Löbauer Straße 27"), text
        assert np.hypot(result.x - truth[0], result.y - truth[1]) < 1
        assert result.ortsteil == "Schönefeld-Abtnaundorf"
        assert "in Schönefeld" in result.reason or "in Abtnaundorf" in result.reason


def test_an_ortsteil_name_is_never_a_place_elsewhere(geocoder):
    """"Engelsdorf, Kirchweg" is the Kirchweg in Engelsdorf, not a building called
    "Engelsdorf B1" in the district; a street unknown there gives the area itself."""
    kirchweg = geocoder.geocode("Engelsdorf, Kirchweg")
    assert kirchweg.matched == "Kirchweg" and kirchweg.status == "outside"
    here = shapely.Point(kirchweg.x, kirchweg.y)
    assert _polygon("Engelsdorf").buffer(30).contains(here)
    assert not _polygon("Engelsdorf").buffer(30).contains(  # the Kirchweg asked alone
        shapely.Point(*(lambda r: (r.x, r.y))(geocoder.geocode("Kirchweg"))))
    mill = geocoder.geocode("Seehausen, Alte Mühle")
    assert mill.matched == "Seehausen" and "nicht gefunden" in mill.reason
    seehausen = _polygon("Seehausen")
    far = np.hypot(*(shapely.get_coordinates(seehausen) - (mill.x, mill.y)).T).max()
    assert far <= mill.precision_m  # the radius holds the whole area


@pytest.mark.parametrize("name, ortsteil", [
    ("Stünz", "Sellerhausen-Stünz"), ("Sellerhausen", "Sellerhausen-Stünz"),
    ("Abtnaundorf", "Schönefeld-Abtnaundorf"), ("Volkmarsdorf", "Volkmarsdorf"),
    ("Leipzig-Anger-Crottendorf", "Anger-Crottendorf")])
def test_ortsteil_and_village_names_resolve_to_their_area(geocoder, name, ortsteil):
    result = geocoder.geocode(name)
    assert result.status == "place"
    polygon = _polygon(ortsteil)
    assert polygon.contains(shapely.Point(result.x, result.y))
    corners_far = np.hypot(*(shapely.get_coordinates(polygon) - (result.x, result.y)).T)
    assert corners_far.max() <= result.precision_m < corners_far.max() + 1


@pytest.mark.parametrize("text, not_matched", [
    ("Technisches Rathaus", "Rathausstraße"), ("Reudnitzer Park", "Reudnitzer Straße"),
    ("Volksgarten", "Volksgartenstraße"), ("Siedlung Florian Geyer", "Geyerstraße"),
    ("Rathaus", None), ("Park", None), ("Schule", None), ("Mühle", None)])
def test_one_generic_word_is_never_matched_on_its_own(geocoder, text, not_matched):
    result = geocoder.geocode(text)
    if not_matched is None:
        assert result.status == "unresolved", result
    else:
        assert result.matched != not_matched


@pytest.mark.parametrize("text, names", [
    ("Permoser-/Torgauer Straße", ("Permoserstraße", "Torgauer Straße")),
    ("Täubchenweg/Gerichtsweg", ("Täubchenweg", "Gerichtsweg")),
    ("Bästlein-/Schwantesstraße", ("Bästleinstraße", "Schwantesstraße")),
    ("Hermann-Liebmann-/Eisenbahnstraße", ("Hermann-Liebmann-Straße", "Eisenbahnstraße"))])
def test_corners_whose_lines_stop_short_of_each_other(geocoder, text, names):
    result = geocoder.geocode(text)
    assert result.status == "intersection", result.reason
    register = load_register()
    lines = register.streets.set_index("name").geometry
    points = register.addresses[register.addresses["source"].ne(COARSE_SOURCE)]
    here = shapely.Point(result.x, result.y)
    for name in names:  # the corner lies at both streets (line or houses) within the radius
        houses = shapely.multipoints(points[points["street"] == name][["x", "y"]].to_numpy())
        assert min(lines[name].distance(here), houses.distance(here)) <= result.precision_m


def test_corner_where_courses_stop_short_and_parallel_streets_do_not_meet():
    across = corners.meet(LineString([(0, 0), (0, 940)]), LineString([(60, 1000), (500, 1000)]))
    assert across is not None
    assert (across.x, across.y) == pytest.approx((0, 1000))  # carried on straight
    assert across.gap_m == pytest.approx(np.hypot(60, 60))
    assert across.precision_m == np.ceil(corners.CORNER_PRECISION_M + across.gap_m)
    parallel = corners.meet(LineString([(0, 0), (500, 0)]), LineString([(0, 80), (500, 80)]))
    assert parallel is None
    far = corners.meet(LineString([(0, 0), (0, 500)]), LineString([(300, 700), (900, 700)]))
    assert far is None  # more than CORNER_TOLERANCE_M apart


def test_lists_of_house_numbers_are_placed_at_their_middle(geocoder):
    first, last = _point("Eisenbahnstraße", 13), _point("Eisenbahnstraße", 17)
    result = geocoder.geocode("Eisenbahnstraße 13/15/17")
    assert result.matched == "Eisenbahnstraße 13–17"
    assert (result.x, result.y) == pytest.approx(tuple((first + last) / 2))
    assert result.precision_m >= np.hypot(*(last - first)) / 2


def test_in_area_placement_takes_the_number_of_the_stretch_inside():
    xy = np.array([(0.0, 0.0), (20.0, 0.0), (5000.0, 0.0), (5020.0, 0.0)])
    numbers = np.array([1, 3, 1, 3])
    precision = np.full(4, 10.0)
    inside = place_in_area(xy, numbers, precision, 3, within(xy, (5000.0, 0.0), 500.0))
    assert (inside.how, inside.x, inside.precision_m) == ("exact", 5020.0, 10.0)
    near = place_in_area(xy, numbers, precision, 5, within(xy, (5000.0, 0.0), 500.0))
    assert (near.how, near.x, near.number) == ("nearest", 5020.0, 3)
    assert place_in_area(xy, numbers, precision, 3, within(xy, (2500.0, 0.0), 100.0)) is None


def test_street_level_register_points_never_say_exact(geocoder):
    """Property over every coarse 2013 way point of the register: asked by its own street and
    number, the answer is never "exact" (such a point stands for a whole street)."""
    addresses = load_register().addresses
    own = {(s, n) for s, n in addresses.loc[addresses["source"].ne(COARSE_SOURCE),
                                            ["street", "number"]].itertuples(index=False)}
    coarse = addresses[addresses["source"].eq(COARSE_SOURCE)]
    coarse = coarse[[(s, n) not in own for s, n in
                     coarse[["street", "number"]].itertuples(index=False)]]
    assert len(coarse) > 1000
    texts = (coarse["street"] + " " + coarse["housenumber"]).tolist()
    result = geocoder.geocode_many(texts)
    at_coarse = (np.hypot(result["x"].to_numpy() - coarse["x"].to_numpy(),
                          result["y"].to_numpy() - coarse["y"].to_numpy()) < 0.5)
    assert at_coarse.mean() > 0.3  # many answers are that point ...
    assert not result["status"].eq("exact").to_numpy()[at_coarse].any()  # ... never "exact"
    assert (result["precision_m"].to_numpy()[at_coarse] >= 50).all()


def test_a_number_without_neighbours_of_its_parity_is_put_on_its_own_side():
    """Even numbers south of an east-west course: an odd number interpolated between two even
    neighbours is moved across the course to the north, at their setback; one between an
    odd and an even neighbour (they disagree on its side) stays."""
    lines = np.array([LineString([(0, 0), (400, 0)])] * 3, dtype=object)
    x, y = np.array([50.0, 150.0, 250.0]), np.array([-15.0, -15.0, -2.0])
    below = (np.array([(0.0, -15.0), (100.0, -15.0), (200.0, -15.0)]), np.array([2, 4, 1]))
    above = (np.array([(100.0, -15.0), (200.0, -15.0), (300.0, -15.0)]), np.array([4, 6, 4]))
    moved = onto_side(lines, np.array([3, 5, 3]), x, y, [below, above])
    assert moved.tolist() == [True, True, False]
    assert (x[0], y[0]) == pytest.approx((50.0, 15.0))
    assert (x[2], y[2]) == (250.0, -2.0)
    far = np.array([50.0]), np.array([-300.0])  # the course does not run past this point
    assert not onto_side(lines[:1], np.array([3]), *far,
                         [(below[0][:1], below[1][:1]), (above[0][:1], above[1][:1])]).any()
