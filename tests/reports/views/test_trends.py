"""Trends at a place: the place's reports only, published for the public, and labelled
markers for sessions and measures."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd
import pytest
import shapely

from geo.boundary import load_boundary
from geo.crs import to_display
from geo.gazetteer import street_lines, street_points
from reports.analysis.analytics import period_start
from reports.coordination.measures import Measure, MeasureError
from reports.coordination.meetings import Meeting
from reports.model import RECORD_KEY, TIMEZONE, vocabulary
from reports.privacy.access import Role
from reports.privacy.policy import publish_counts
from reports.storage.query import ReportFilter
from reports.views.trends import (
    Place,
    drawn_place,
    hotspot_places,
    measure_place,
    place_kinds,
    place_reports,
    section_place,
    time_markers,
    trend_counts,
)
from tests.helpers import reports_at

START = date(2026, 3, 2)  # a Monday
F = ReportFilter(START, START + timedelta(days=55))


def _street(name: str):
    streets = street_lines()
    return streets[streets["name"] == name].iloc[0]


def _point(name: str, share: float) -> tuple[float, float]:
    p = _street(name).geometry.interpolate(share, normalized=True)
    return p.x, p.y


def _frame(seed: int = 1) -> pd.DataFrame:
    """A cluster on Eisenbahnstraße (40 % of its course) in the last four weeks, a few
    reports at 90 % of it, background elsewhere."""
    rng = np.random.default_rng(seed)
    hx, hy = _point("Eisenbahnstraße", 0.4)
    fx, fy = _point("Eisenbahnstraße", 0.9)
    bx, by = _point("Hermann-Liebmann-Straße", 0.5)
    x = np.concatenate([hx + rng.normal(0, 15, 80), np.full(3, fx), bx + rng.normal(0, 500, 600)])
    y = np.concatenate([hy + rng.normal(0, 15, 80), np.full(3, fy), by + rng.normal(0, 500, 600)])
    start = pd.Timestamp(START, tz=TIMEZONE)
    days = np.concatenate([rng.uniform(28, 55, 80), [30, 37, 44], rng.uniform(0, 55, 600)])
    return reports_at(x, y, pd.DatetimeIndex(start + pd.to_timedelta(days, unit="D")))


def test_a_street_section_counts_only_its_stretch():
    frame = _frame()
    houses = street_points("Eisenbahnstraße")  # the real house number at the cluster
    hx, hy = _point("Eisenbahnstraße", 0.4)
    at_40 = houses["number"].iloc[np.argmin(np.hypot(houses["x"] - hx, houses["y"] - hy))]
    place = section_place("Eisenbahnstraße", int(at_40 - 10), int(at_40 + 10), Role.MEMBER)
    assert place.label == f"Eisenbahnstraße {int(at_40 - 10)}–{int(at_40 + 10)}"
    inside = set(place_reports(frame, place)["id"])
    cluster, far_end = set(frame["id"].iloc[:80]), set(frame["id"].iloc[80:83])
    assert len(cluster & inside) >= 75 and not far_end & inside
    assert len(inside) < 120  # not the background around it
    whole = set(place_reports(frame, section_place("Eisenbahnstraße", None, None,
                                                   Role.MEMBER))["id"])
    assert far_end <= whole and inside <= whole
    with pytest.raises(ValueError, match="nicht im Straßenverzeichnis"):
        section_place("Gibtesnichtstraße", 1, 10, Role.MEMBER)


def test_the_public_series_of_a_place_is_published():
    frame = _frame()
    x, y = _point("Eisenbahnstraße", 0.9)
    place = Place("drawn", "klein", shapely.Point(x, y).buffer(3))
    exact = trend_counts(place_reports(frame, place), Role.MEMBER, "W", "topic", F, 1)
    public = trend_counts(place_reports(frame, place), Role.PUBLIC, "W", "topic", F, 1)
    assert exact["reports"].sum() == 3 and exact["reports"].max() == 1
    assert public["reports"].isna().all() and public["hidden"].all()  # one a week: "unter 5"
    cluster = measure_place(Measure("Reinigung", ("stadtreinigung",), "cleaning",
                                    shapely.Point(*_point("Eisenbahnstraße", 0.4)).buffer(80),
                                    "", START, ("illegale_muellablagerung",)))
    exact = trend_counts(place_reports(frame, cluster), Role.MEMBER, "W", "topic", F, 1)
    public = trend_counts(place_reports(frame, cluster), Role.PUBLIC, "W", "topic", F, 1)
    assert exact["reports"].max() >= 10
    inside = place_reports(frame, cluster)
    weeks = period_start(inside["occurred_at"], "W")
    keys = inside.groupby([weeks.to_numpy(), inside["topic"].to_numpy()])[RECORD_KEY].sum()
    truth = public[["period", "group"]].merge(exact, how="left").fillna({"reports": 0})
    key_sums = [keys.get((p, g), 0) for p, g in zip(truth["period"], truth["group"],
                                                      strict=True)]
    pd.testing.assert_series_equal(public["reports"],
                                   publish_counts(truth["reports"], key_sums, 5),
                                   check_names=False)
    assert set(public["group"]) == set(vocabulary().topics)  # every topic, also empty ones


def test_a_hotspot_place_covers_its_cluster_for_both_roles():
    frame = _frame()
    now = frame[frame["occurred_at"] >= pd.Timestamp(START + timedelta(days=28), tz=TIMEZONE)]
    before = frame[frame["occurred_at"] < pd.Timestamp(START + timedelta(days=28),
                                                        tz=TIMEZONE)]
    hx, hy = _point("Eisenbahnstraße", 0.4)
    for role in (Role.MEMBER, Role.PUBLIC):
        spots = hotspot_places(now, before, role, load_boundary())
        assert spots and all(p.kind == "hotspot" for p in spots)
        here = [p for p in spots if p.area.contains(shapely.Point(hx, hy))]
        assert here and here[0].label.startswith(("Eisenbahnstraße", "Hermann")), spots


def test_a_drawn_area_from_geojson_and_a_line_is_refused():
    x, y = _point("Eisenbahnstraße", 0.4)
    lon, lat = to_display(np.array([x - 50, x + 50, x + 50, x - 50, x - 50]),
                          np.array([y - 50, y - 50, y + 50, y + 50, y - 50]))
    ring = [[float(a), float(b)] for a, b in zip(lon, lat, strict=True)]
    place = drawn_place({"type": "Polygon", "coordinates": [ring]}, Role.MEMBER)
    assert place.area.area == pytest.approx(100 * 100, rel=0.02)
    assert place.area.contains(shapely.Point(x, y))
    with pytest.raises(MeasureError, match="Fläche"):
        drawn_place({"type": "LineString", "coordinates": ring[:2]}, Role.MEMBER)


def test_the_public_counts_only_at_published_places():
    """Free places (drawn areas, house-number stretches) are refused for the public in the
    library, not only hidden in the page: two of them could differ by a single cell."""
    x, y = _point("Eisenbahnstraße", 0.4)
    lon, lat = to_display(np.array([x - 20, x + 20, x + 20, x - 20, x - 20]),
                          np.array([y - 20, y - 20, y + 20, y + 20, y - 20]))
    ring = [[float(a), float(b)] for a, b in zip(lon, lat, strict=True)]
    with pytest.raises(ValueError, match="angemeldete Mitglieder"):
        drawn_place({"type": "Polygon", "coordinates": [ring]}, Role.PUBLIC)
    with pytest.raises(ValueError, match="angemeldete Mitglieder"):
        section_place("Eisenbahnstraße", 1, 9, Role.PUBLIC)
    assert "drawn" not in place_kinds(Role.PUBLIC) and "section" not in place_kinds(Role.PUBLIC)
    assert {"drawn", "section"} <= set(place_kinds(Role.MEMBER))


def test_markers_carry_texts_for_sessions_and_measures_at_the_place():
    near = shapely.Point(*_point("Eisenbahnstraße", 0.4))
    far = shapely.Point(*_point("Eisenbahnstraße", 0.95))
    here = Measure("Streetwork Rabet mit einem sehr langen Titel der gekürzt wird",
                   ("streetwork",), "social", near.buffer(100), "", START + timedelta(days=7),
                   ("ruhestoerung",), START + timedelta(days=40), "ended")
    elsewhere = Measure("Reinigung Ost", ("stadtreinigung",), "cleaning", far.buffer(50), "",
                        START + timedelta(days=14), ("illegale_muellablagerung",))
    sessions = [Meeting(START + timedelta(days=21), "Plenum März"),
                Meeting(START + timedelta(days=200), "Plenum Herbst")]
    notes = pd.DataFrame({"starts_on": [START + timedelta(days=3)], "kind": ["event"],
                          "label": ["Stadtteilfest"]})
    everywhere = time_markers(sessions, [here, elsewhere], notes, F.start, F.end,
                              Place("all", "ganzer Filter"))
    assert list(everywhere["text"]) == [
        "Ereignis: Stadtteilfest", "Beginn: Streetwork Rabet mit einem sehr…",
        "Beginn: Reinigung Ost", "Sitzung: Plenum März", "Ende: Streetwork Rabet mit einem "
        "sehr…"]
    assert everywhere["row"].nunique() > 1  # neighbouring texts on different lines
    at_place = time_markers(sessions, [here, elsewhere], notes, F.start, F.end,
                            Place("section", "Eisenbahnstraße", near.buffer(40)))
    assert "Beginn: Reinigung Ost" not in set(at_place["text"])
    assert {"Sitzung", "Maßnahme beginnt", "Maßnahme endet"} <= set(at_place["kind"])
