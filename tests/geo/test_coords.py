"""Coordinate validation: swapped lat/lon, EPSG:25833, the zone prefix, garbage."""

from __future__ import annotations

import numpy as np
import pytest

from geo.coords import validate_coordinates
from geo.crs import to_metric

LON, LAT = 12.4012, 51.3456  # Eisenbahnstraße at the Rabet
X, Y = (float(v[0]) for v in to_metric([LON], [LAT]))


def test_each_input_form_is_recognised_and_lands_on_the_same_point():
    a = [LON, LAT, X, 33_000_000 + X, Y, np.nan, 5.0, "12.4012", "abc"]
    b = [LAT, LON, Y, Y, X, LAT, 5.0, "51.3456", "51"]
    result = validate_coordinates(a, b)
    assert result["flag"].tolist() == [
        "wgs84", "swapped", "utm", "utm_prefix", "utm_swapped", "missing", "invalid", "wgs84",
        "missing"]
    placed = result.iloc[[0, 1, 2, 3, 4, 7]]
    np.testing.assert_allclose(placed["lon"], LON, atol=1e-7)
    np.testing.assert_allclose(placed["lat"], LAT, atol=1e-7)
    np.testing.assert_allclose(placed["x"], X, atol=0.01)
    np.testing.assert_allclose(placed["y"], Y, atol=0.01)
    assert result.iloc[[5, 6, 8]][["x", "y", "lon", "lat"]].isna().all().all()


def test_far_but_valid_coordinates_are_kept_for_the_outside_flag():
    result = validate_coordinates([13.405], [52.52])  # Berlin
    assert result["flag"].tolist() == ["wgs84"]
    assert result["x"].iloc[0] == pytest.approx(391_000, abs=2_000)


def test_vectorised_over_a_million_rows_quickly():
    import time

    n = 1_000_000
    a = np.where(np.arange(n) % 2 == 0, LON, LAT)
    b = np.where(np.arange(n) % 2 == 0, LAT, LON)
    start = time.perf_counter()
    result = validate_coordinates(a, b)
    assert time.perf_counter() - start < 10  # a per-row loop would take minutes
    assert set(result["flag"]) == {"wgs84", "swapped"}
