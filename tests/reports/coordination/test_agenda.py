"""Building a meeting's agenda from concerns, hot spot changes and measures."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd
import pytest
import shapely

from geo.boundary import load_boundary
from geo.crs import to_display
from reports.coordination import concerns
from reports.coordination.agenda import (
    add_free_item,
    agenda_lines,
    due_for_review,
    move_item,
    remove_free_item,
)
from reports.coordination.concerns import ConcernForm
from reports.coordination.measures import Measure, add_measure
from reports.coordination.meetings import next_meeting
from reports.model import TIMEZONE
from reports.privacy.access import Role
from reports.views.meeting import agenda_for
from tests.helpers import reports_at, submit_concern

BOUNDARY = load_boundary()  # the shipped Ortsteile

PREVIOUS, MEETING, LATER = date(2026, 3, 5), date(2026, 4, 16), date(2026, 5, 28)


def _epoch(day: date) -> float:
    return pd.Timestamp(day, tz=TIMEZONE).timestamp() + 12 * 3600


def _concern(store, day: date, session: str) -> int:
    centre = BOUNDARY.district.representative_point()
    lon, lat = to_display(centre.x, centre.y)
    return submit_concern(store, ConcernForm("umwelt", f"Müll an der Ecke, gemeldet {day}",
                                             lon=float(lon), lat=float(lat)),
                          session, now=_epoch(day))


def _reports(hot_x: float, hot_y: float) -> pd.DataFrame:
    """Background everywhere in both periods, plus a cluster in the current period only."""
    rng = np.random.default_rng(3)
    area = BOUNDARY.district
    x0, y0, x1, y1 = area.bounds
    x, y = rng.uniform(x0, x1, 6000), rng.uniform(y0, y1, 6000)
    keep = shapely.contains_xy(area, x, y)
    x, y = x[keep][:1200], y[keep][:1200]
    start = pd.Timestamp(PREVIOUS - timedelta(days=41), tz=TIMEZONE)
    times = start + pd.to_timedelta(rng.uniform(0, 83, len(x)), unit="D")
    hx, hy = hot_x + rng.normal(0, 20, 60), hot_y + rng.normal(0, 20, 60)
    hot_times = pd.Timestamp(PREVIOUS + timedelta(days=3), tz=TIMEZONE) + pd.to_timedelta(
        rng.uniform(0, 35, 60), unit="D")
    return reports_at(np.concatenate([x, hx]), np.concatenate([y, hy]),
                      pd.DatetimeIndex(times).append(pd.DatetimeIndex(hot_times)))


def _measure(title: str, starts_on: date, ends_on: date | None = None,
             status: str = "active") -> Measure:
    return Measure(title, ("stadtreinigung",), "cleaning",
                   BOUNDARY.district.representative_point().buffer(150), "Test", starts_on,
                   ("illegale_muellablagerung",), ends_on, status)


@pytest.fixture
def calendar(store):
    ids = [store.add_meeting(day, f"Sitzung {i}") for i, day in
           enumerate((PREVIOUS, MEETING, LATER), start=1)]
    return store, ids


def test_next_meeting_is_the_first_on_or_after_today(calendar):
    store, ids = calendar
    assert next_meeting(store, MEETING).id == ids[1]
    assert next_meeting(store, MEETING + timedelta(days=1)).id == ids[2]
    assert next_meeting(store, LATER + timedelta(days=1)) is None


def _agenda(store, meeting, frame=None, role=Role.EDITOR, today=LATER + timedelta(days=30)):
    return agenda_for(store, meeting, role, today, boundary=BOUNDARY,
                      frame=_reports(*_hot_point()) if frame is None else frame)


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

    agenda = _agenda(store, meeting)
    assert set(agenda.concerns["id"]) == {accepted_between, chosen_new}
    assert new_between not in set(agenda.concerns["id"])
    assert agenda.since == PREVIOUS + timedelta(days=1) and agenda.previous.held_on == PREVIOUS
    assert agenda.until == MEETING - timedelta(days=1)
    assert set(_agenda(store, later).concerns["id"]) == {
        for_later}


def _hot_point() -> tuple[float, float]:
    p = BOUNDARY.district.representative_point()
    return p.x, p.y


def test_agenda_finds_a_new_hotspot_and_names_its_street(calendar):
    store, (_, meeting, _) = calendar
    agenda = _agenda(store, meeting)
    assert len(agenda.hotspots) >= 1
    top = agenda.hotspots.iloc[0]
    assert top["change"] in ("new", "intensifying")
    assert agenda.hotspots["reports_now"].sum() >= 40
    assert top["place"] and top["ortsteil"]
    assert any(item.key == f"hotspot:{top['place']}" for item in agenda.items)
    quiet = _agenda(store, meeting, frame=_reports(*_hot_point()).iloc[:1200])
    assert quiet.hotspots.empty or quiet.hotspots["reports_now"].sum() < 40


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
        _measure("geplant, Beginn vorbei", date(2025, 8, 1), status="planned"),
        _measure("geplant, Beginn später", MEETING + timedelta(days=30), status="planned"),
    ]
    due = due_for_review(items, MEETING, since, interval).set_index("title")["reason"]
    assert list(due.index) == ["lange aktiv", "seit der letzten Sitzung beendet",
                               "geplant, Beginn vorbei"]
    assert due["lange aktiv"] == "läuft seit 28 Wochen: Wirkung prüfen"
    assert due["seit der letzten Sitzung beendet"] == "beendet am 25.03.2026: Bilanz ziehen"
    # a planned measure never "läuft seit … Wochen"
    assert due["geplant, Beginn vorbei"].startswith("geplant ab 01.08.2025, noch nicht begonnen")


def test_agenda_lines_items_free_points_and_order(calendar):
    store, (_, meeting, _) = calendar
    add_measure(store, _measure("Reinigung Rabet", date(2025, 10, 1)), "red", BOUNDARY.district)
    accepted = _concern(store, PREVIOUS + timedelta(days=10), "a")
    concerns.accept(store, accepted, "illegale_muellablagerung", "red")
    free = add_free_item(store, meeting, "Bericht Quartiersmanagement", "10 Minuten", "red")
    agenda = _agenda(store, meeting)
    kinds = [i.kind for i in agenda.items]
    assert kinds[:2] == ["situation", "concern"] and kinds[-1] == "free"
    assert "hotspot" in kinds
    assert kinds.index("measure") > kinds.index("hotspot")
    lines = agenda_lines(agenda)
    text = "\n".join(lines)
    assert lines[0] == "Tagesordnung: Do., 16.04.2026 – Sitzung 2"
    assert "Betrachteter Zeitraum: 06.03.2026 – 15.04.2026 (verglichen mit 24.01.2026 – " \
           "05.03.2026)" in text
    assert f"Anliegen Nr. {accepted}: illegale Müllablagerung" in text
    assert "Reinigung Rabet (Reinigung, läuft, seit 01.10.2025)" in text
    assert "Wirkung bisher: " in text and "Bericht Quartiersmanagement" in text

    move_item(store, agenda, free, -len(agenda.items), "red")  # to the top
    moved = _agenda(store, meeting)
    assert moved.items[0].key == free
    assert [i.key for i in moved.items[1:]] == [i.key for i in agenda.items[:-1]]
    remove_free_item(store, meeting, free, "red")
    assert free not in [i.key for i in _agenda(store, meeting).items]


def test_public_agenda_is_the_members_in_their_order_with_titles_only(calendar):
    """The public sees the same concern and free items in the same order as members (the
    order Redaktion set), but no concern's text or place and no free item's note; hot spot
    counts under k are hidden."""
    store, (_, meeting, _) = calendar
    accepted = _concern(store, PREVIOUS + timedelta(days=10), "a")
    concerns.accept(store, accepted, "illegale_muellablagerung", "red")
    free = add_free_item(store, meeting, "Bericht", "intern: nur für uns", "red")
    member = _agenda(store, meeting)
    move_item(store, member, free, -len(member.items), "red")  # Redaktion puts it first
    member = _agenda(store, meeting)
    agenda = _agenda(store, meeting, role=Role.PUBLIC)
    same = ("situation", "concern", "free", "measure")
    assert [i.key for i in agenda.items if i.kind in same] == [
        i.key for i in member.items if i.kind in same]
    assert agenda.items[0].key == free and agenda.items[0].text == ""
    concern = next(i for i in agenda.items if i.kind == "concern")
    mine = next(i for i in member.items if i.kind == "concern")
    assert concern.title == mine.title and concern.area is None
    assert concern.text != mine.text and "Mitglieder" in concern.text
    assert not agenda.concerns["description"].astype(bool).any()
    assert "intern" not in "\n".join(agenda_lines(agenda))
    shown = agenda.hotspots.dropna(subset=["reports_now"])
    assert (shown["reports_now"] >= 5).all()


def test_a_session_ahead_looks_up_to_yesterday(calendar):
    store, (_, meeting, _) = calendar
    agenda = _agenda(store, meeting, today=MEETING - timedelta(days=10))
    assert agenda.until == MEETING - timedelta(days=11)


def test_first_meeting_looks_six_weeks_back_and_unknown_meeting_is_refused(calendar):
    store, (first, _, _) = calendar
    agenda = _agenda(store, first)
    assert agenda.previous is None and agenda.since == PREVIOUS - timedelta(days=42)
    assert not [i for i in agenda.items if i.kind == "concern"]
    with pytest.raises(ValueError, match="Sitzung 999"):
        agenda_for(store, 999, Role.EDITOR, MEETING, boundary=BOUNDARY)
