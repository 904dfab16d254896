"""Building a meeting's agenda from concerns, hot spot changes and measures."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd
import pytest
import shapely

from geo.boundary import district
from geo.crs import to_display
from reports.coordination import concerns
from reports.coordination.agenda import agenda_lines, build_agenda, due_for_review, next_meeting
from reports.coordination.concerns import Challenge, ConcernForm
from reports.coordination.measures import Measure, add_measure
from reports.model import TIMEZONE

PREVIOUS, MEETING, LATER = date(2026, 3, 5), date(2026, 4, 16), date(2026, 5, 28)
CHALLENGE = Challenge("?", 5)


def _epoch(day: date) -> float:
    return pd.Timestamp(day, tz=TIMEZONE).timestamp() + 12 * 3600


def _concern(store, day: date, session: str) -> int:
    centre = district().representative_point()
    lon, lat = to_display(centre.x, centre.y)
    return concerns.submit(store, ConcernForm("umwelt", f"Müll an der Ecke, gemeldet {day}",
                                              lon=float(lon), lat=float(lat)),
                           session, CHALLENGE, "5", now=_epoch(day))


def _reports(hot_x: float, hot_y: float) -> pd.DataFrame:
    """Background everywhere in both periods, plus a cluster in the current period only."""
    rng = np.random.default_rng(3)
    area = district()
    x0, y0, x1, y1 = area.bounds
    x, y = rng.uniform(x0, x1, 6000), rng.uniform(y0, y1, 6000)
    keep = shapely.contains_xy(area, x, y)
    x, y = x[keep][:1200], y[keep][:1200]
    start = pd.Timestamp(PREVIOUS - timedelta(days=41), tz=TIMEZONE)
    times = start + pd.to_timedelta(rng.uniform(0, 83, len(x)), unit="D")
    hx, hy = hot_x + rng.normal(0, 20, 60), hot_y + rng.normal(0, 20, 60)
    hot_times = pd.Timestamp(PREVIOUS + timedelta(days=3), tz=TIMEZONE) + pd.to_timedelta(
        rng.uniform(0, 35, 60), unit="D")
    return pd.DataFrame({"occurred_at": np.concatenate([times, hot_times]),
                         "x": np.concatenate([x, hx]), "y": np.concatenate([y, hy]),
                         "category": "illegale_muellablagerung", "count": 1}).assign(
        occurred_at=lambda f: pd.to_datetime(f["occurred_at"]).dt.tz_convert(TIMEZONE))


def _measure(title: str, starts_on: date, ends_on: date | None = None,
             status: str = "active") -> Measure:
    return Measure(title, ("stadtreinigung",), "cleaning", district().representative_point()
                   .buffer(150), "Test", starts_on, ("illegale_muellablagerung",), ends_on,
                   status)


@pytest.fixture
def calendar(store):
    ids = [store.add_meeting(day, f"Sitzung {i}") for i, day in
           enumerate((PREVIOUS, MEETING, LATER), start=1)]
    return store, ids


def test_next_meeting_is_the_first_on_or_after_today(calendar):
    store, ids = calendar
    assert next_meeting(store, MEETING)["id"] == ids[1]
    assert next_meeting(store, MEETING + timedelta(days=1))["id"] == ids[2]
    assert next_meeting(store, LATER + timedelta(days=1)) is None


def test_agenda_lists_accepted_and_chosen_concerns_only(calendar):
    store, (_, meeting, later) = calendar
    accepted_between = _concern(store, PREVIOUS + timedelta(days=10), "a")
    concerns.accept(store, accepted_between, "illegale_muellablagerung", "red")
    accepted_earlier = _concern(store, PREVIOUS - timedelta(days=10), "b")
    concerns.accept(store, accepted_earlier, "illegale_muellablagerung", "red")
    new_between = _concern(store, PREVIOUS + timedelta(days=12), "c")  # not yet moderated
    chosen_new = _concern(store, PREVIOUS + timedelta(days=13), "d")
    concerns.put_on_agenda(store, chosen_new, meeting, "red")
    for_later = _concern(store, PREVIOUS + timedelta(days=14), "e")
    concerns.accept(store, for_later, "illegale_muellablagerung", "red")
    concerns.put_on_agenda(store, for_later, later, "red")
    rejected = _concern(store, PREVIOUS + timedelta(days=15), "f")
    concerns.reject(store, rejected, "Spam", "red")

    agenda = build_agenda(store, meeting, frame=_reports(*_hot_point()))
    assert set(agenda.concerns["id"]) == {accepted_between, chosen_new}
    assert new_between not in set(agenda.concerns["id"])
    assert agenda.since == PREVIOUS + timedelta(days=1) and agenda.previous_on == PREVIOUS
    assert set(build_agenda(store, later, frame=_reports(*_hot_point())).concerns["id"]) == {
        for_later}


def _hot_point() -> tuple[float, float]:
    p = district().representative_point()
    return p.x, p.y


def test_agenda_finds_a_new_hotspot_and_names_its_street(calendar):
    store, (_, meeting, _) = calendar
    agenda = build_agenda(store, meeting, frame=_reports(*_hot_point()))
    assert len(agenda.hotspots) >= 1
    top = agenda.hotspots.iloc[0]
    assert top["change"] in ("new", "intensifying") and top["reports_now"] >= 40
    assert top["near"] and top["ortsteil"]
    quiet = build_agenda(store, meeting, frame=_reports(*_hot_point()).iloc[:1200])
    assert quiet.hotspots.empty or quiet.hotspots["reports_now"].max() < 40


def test_measures_due_for_review():
    interval = MEETING - (PREVIOUS + timedelta(days=1))
    since = PREVIOUS + timedelta(days=1)
    items = [
        _measure("lange aktiv", date(2025, 10, 1)),
        _measure("gerade begonnen", MEETING - timedelta(days=7)),
        _measure("seit der letzten Sitzung beendet", date(2025, 6, 1), PREVIOUS + timedelta(
            days=20), status="done"),
        _measure("lange beendet", date(2024, 6, 1), date(2025, 1, 1), status="done"),
        _measure("abgebrochen", date(2025, 6, 1), status="stopped"),
    ]
    due = due_for_review(items, MEETING, since, interval)
    assert list(due["title"]) == ["lange aktiv", "seit der letzten Sitzung beendet"]
    assert due["reason"].str.contains("Wirkung prüfen|Bilanz ziehen").all()


def test_agenda_lines_for_the_handout(calendar):
    store, (_, meeting, _) = calendar
    add_measure(store, _measure("Reinigung Rabet", date(2025, 10, 1)), "red")
    accepted = _concern(store, PREVIOUS + timedelta(days=10), "a")
    concerns.accept(store, accepted, "illegale_muellablagerung", "red")
    lines = agenda_lines(build_agenda(store, meeting, frame=_reports(*_hot_point())))
    text = "\n".join(lines)
    assert lines[0] == "Tagesordnung: Sitzung 2 am 16.04.2026"
    assert "1. Anliegen (1)" in text and f"Nr. {accepted}, illegale Müllablagerung" in text
    assert "2. Neue oder sich verstärkende Hotspots" in text and "Hotspot bei" in text
    assert "3. Maßnahmen zur Überprüfung (1)" in text and "Reinigung Rabet (Reinigung" in text


def test_first_meeting_looks_six_weeks_back_and_unknown_meeting_is_refused(calendar):
    store, (first, _, _) = calendar
    agenda = build_agenda(store, first, frame=_reports(*_hot_point()))
    assert agenda.previous_on is None and agenda.since == PREVIOUS - timedelta(days=42)
    assert agenda_lines(agenda)[3:5] == ["1. Anliegen (0)", "   – keine"]
    with pytest.raises(ValueError, match="Sitzung 999"):
        build_agenda(store, 999)
