"""The one hot spot change definition: its label agrees with the numbers shown beside it."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st

from geo.boundary import load_boundary
from geo.gazetteer import nearest_street, street_lines
from reports.analysis.hotspot_change import (
    DOWN,
    MIN_NEW,
    UP,
    change_label,
    change_text,
    classify,
    section_changes,
)
from reports.model import TIMEZONE
from reports.storage.query import ReportFilter
from tests.helpers import reports_at

BOUNDARY = load_boundary()  # the shipped Ortsteile

START = date(2026, 3, 1)
DAYS = 42


def _agrees(frame: pd.DataFrame) -> None:
    """Every row's label and change text against its own numbers: "deutlich" exactly where
    the test says so, the direction always the numbers' direction, never a word for "no
    change" beside different numbers, and the percentage's sign the counts' sign."""
    for row in frame.itertuples():
        label, now, before = row.change_label, row.reports_now, row.reports_before
        assert ("deutlich mehr" in label) == (row.change in UP), row
        assert ("deutlich weniger" in label) == (row.change in DOWN), row
        if now > before:
            assert "mehr Meldungen" in label and "weniger" not in label, row
        elif now < before:
            assert "weniger Meldungen" in label and "mehr Meldungen" not in label, row
        else:
            assert label.endswith("gleich viele Meldungen"), row
        assert "ohne klare Veränderung" not in label and "keine Veränderung" not in label
        assert label.startswith("neuer Hotspot" if row.hot_now and not row.hot_before else
                                "weiterhin Hotspot" if row.hot_now else
                                "kein Hotspot mehr" if row.hot_before else "kein Hotspot")
        text = row.change_text
        assert text.endswith(f"({now} statt {before})"), row
        assert text.startswith("neu" if before == 0 and now else "+" if now > before else
                               "−" if now < before else "± 0 %"), row
        if row.change in UP:
            assert row.reports_now > row.reports_before, row
        if row.change in DOWN:
            assert row.reports_now < row.reports_before, row
        if row.change in ("new", "intensifying", "diminishing"):
            assert row.hot_now
        if row.change == "new":
            assert not row.hot_before
        if row.change == "intensifying":
            assert row.hot_before
        if row.change == "ended":
            assert row.hot_before and not row.hot_now
        assert (row.change == "none") == (not row.hot_now and not row.hot_before)
        if row.reports_now == row.reports_before:
            assert row.change in ("steady", "none")


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 60), st.integers(0, 60), st.booleans(),
                          st.booleans()), min_size=1, max_size=40))
def test_labels_agree_with_counts_for_any_numbers(rows):
    now, before, hot_now, hot_before = (np.array(c) for c in zip(*rows, strict=True))
    change, _ = classify(now, before, hot_now, hot_before)
    _agrees(pd.DataFrame({"change": change, "change_label": [
        change_label(*r) for r in zip(change, now, before, hot_now, hot_before, strict=True)],
                          "change_text": [change_text(n, b) for n, b in zip(now, before,
                                                                            strict=True)],
                          "reports_now": now, "reports_before": before,
                          "hot_now": hot_now, "hot_before": hot_before}))
    # a clear jump is never called steady: 0 -> 40 on a hot place is new or intensifying
    big, _ = classify([40], [0], [True], [False])
    assert big[0] == "new"
    small, _ = classify([15], [14], [True], [False])  # the "neuer Hotspot 15 vs 14"
    assert small[0] == "steady"
    assert classify([MIN_NEW], [0], [True], [False])[0][0] == "new"
    # the Rabet row: 31 vs 17 on a standing hot spot reads as more, with its figure
    rabet, _ = classify([31], [17], [True], [True])
    assert change_text(31, 17) == "+82 % (31 statt 17)"
    assert change_label(rabet[0], 31, 17, True, True).startswith("weiterhin Hotspot – ")
    assert "mehr Meldungen" in change_label(rabet[0], 31, 17, True, True)


def _street_point(name: str, share: float) -> tuple[float, float]:
    streets = street_lines()
    line = streets[streets["name"] == name].geometry.iloc[0]
    point = line.interpolate(share, normalized=True)
    return point.x, point.y


def _named_by(name: str, x: float, y: float) -> bool:
    """Most cells around (x, y) are nearest to street ``name`` (few side streets between)."""
    dx, dy = np.meshgrid([-100.0, 0.0, 100.0], [-100.0, 0.0, 100.0])
    return nearest_street(x + dx.ravel(), y + dy.ravel()).count(name) >= 4


def _periods(seed: int, clusters: list[tuple[float, float, int, int]]) -> pd.DataFrame:
    """Uniform background over the district in both periods plus clusters with (x, y, n now,
    n before)."""
    rng = np.random.default_rng(seed)
    area = BOUNDARY.district
    x0, y0, x1, y1 = area.bounds
    x, y = rng.uniform(x0, x1, 4000), rng.uniform(y0, y1, 4000)
    keep = shapely.contains_xy(area, x, y)
    xs, ys = [x[keep][:800]], [y[keep][:800]]
    start = pd.Timestamp(START - timedelta(days=DAYS), tz=TIMEZONE)
    ts = [start + pd.to_timedelta(rng.uniform(0, 2 * DAYS, len(xs[0])), unit="D")]
    for cx, cy, n_now, n_before in clusters:
        for n, offset in ((n_now, DAYS), (n_before, 0)):
            xs.append(cx + rng.normal(0, 25, n))
            ys.append(cy + rng.normal(0, 25, n))
            ts.append(start + pd.to_timedelta(offset + rng.uniform(0, DAYS - 1, n), unit="D"))
    times = pd.DatetimeIndex(np.concatenate([t.tz_convert("UTC").tz_localize(None).to_numpy()
                                             for t in ts])).tz_localize("UTC")
    return reports_at(np.concatenate(xs), np.concatenate(ys), times.tz_convert(TIMEZONE))


def _split(frame: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    cut = pd.Timestamp(START, tz=TIMEZONE)
    return frame[frame["occurred_at"] >= cut], frame[frame["occurred_at"] < cut]


def test_sections_from_the_store_are_named_by_street_and_agree(store):
    """On SQLite and PostgreSQL: reports stored and reloaded, changes per street section."""
    # real courses: the new cluster on Eisenbahnstraße away from the crossing with the street
    # whose hot spot ends, so that no section of the one is named by the other
    other = street_lines().set_index("name").geometry["Hermann-Liebmann-Straße"]
    share = next(f for f in np.linspace(0.1, 0.9, 33)
                 if shapely.Point(_street_point("Eisenbahnstraße", f)).distance(other) > 300
                 and _named_by("Eisenbahnstraße", *_street_point("Eisenbahnstraße", f)))
    hot = _street_point("Eisenbahnstraße", share)
    gone = _street_point("Hermann-Liebmann-Straße", 0.5)
    frame = _periods(1, [(*hot, 70, 3), (*gone, 2, 60)])
    with store.transaction() as conn:
        store.upsert_reports(frame, conn)
    loaded = store.load_reports(ReportFilter(START - timedelta(days=DAYS),
                                             START + timedelta(days=DAYS)))
    now, before = _split(loaded)
    out = section_changes(now, before, BOUNDARY)
    _agrees(out)
    new = out[out["change"] == "new"]
    assert new["place"].str.startswith("Eisenbahnstraße ").any(), out
    row = new[new["place"].str.startswith("Eisenbahnstraße ")].iloc[0]
    assert row["place"].split()[-1].count("–") == 1  # "Eisenbahnstraße 60–90"
    assert row["reports_now"] > row["reports_before"]
    # the cluster's 70 reports (an intersection: split among the streets meeting there)
    assert out[out["change"].isin(["new", "intensifying"])]["reports_now"].sum() >= 60
    ended = out[out["place"].str.startswith("Hermann-Liebmann-Straße")]
    assert set(ended["change"]) <= {"ended", "diminishing"} and len(ended)
    # one row per section, not per 100 m cell
    assert out["cells"].sum() == sum(len(c) for c in out["cell_ids"])
    assert (out["cells"] > 1).any()


@settings(max_examples=8, deadline=None)
@given(st.integers(0, 10_000), st.lists(st.tuples(st.floats(0.05, 0.95), st.integers(0, 80),
                                                  st.integers(0, 80)), min_size=1, max_size=4))
def test_labels_agree_with_numbers_on_random_reports(seed, clusters):
    names = ["Eisenbahnstraße", "Hermann-Liebmann-Straße", "Rosa-Luxemburg-Straße",
             "Eisenbahnstraße"]
    spots = [(*_street_point(names[i], share), n, b)
             for i, (share, n, b) in enumerate(clusters)]
    now, before = _split(_periods(seed, spots))
    _agrees(section_changes(now, before, BOUNDARY))
