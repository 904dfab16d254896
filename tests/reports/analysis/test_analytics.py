"""Trend computations on small hand-made frames with known answers, and the PDF handout."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from reports.analysis.analytics import (
    counts_over_time,
    format_change,
    key_figures,
    monthly_by_year,
    period_comparison,
    rolling_mean,
    seasonal_profile,
    shifted_filter,
    weekday_hour,
)
from reports.storage.query import ReportFilter


def reports(rows: list[tuple[str, str, str]]) -> pd.DataFrame:
    """(local time, topic, source) -> minimal report frame."""
    return pd.DataFrame({
        "occurred_at": pd.to_datetime([r[0] for r in rows]).tz_localize("Europe/Berlin"),
        "topic": pd.Series([r[1] for r in rows], dtype="string"),
        "source": pd.Series([r[2] for r in rows], dtype="string"),
        "category": pd.Series(["x"] * len(rows), dtype="string"),
    })


def test_weekly_counts_fill_empty_weeks_and_span_the_filter():
    frame = reports([("2026-03-02 10:00", "umwelt", "a"), ("2026-03-08 23:30", "umwelt", "a"),
                     ("2026-03-23 01:00", "ordnung", "b")])
    f = ReportFilter(date(2026, 2, 23), date(2026, 3, 31))
    out = counts_over_time(frame, "W", "topic", f)
    weeks = sorted(out["period"].unique())
    assert pd.Timestamp(weeks[0]) == pd.Timestamp("2026-02-23")
    assert pd.Timestamp(weeks[-1]) == pd.Timestamp("2026-03-30")
    umwelt = out[out["group"] == "umwelt"].set_index("period")["reports"]
    assert umwelt[pd.Timestamp("2026-03-02")] == 2  # Sunday 23:30 local is still that week
    assert umwelt[pd.Timestamp("2026-03-09")] == 0
    assert out["reports"].sum() == 3
    assert len(out) == len(weeks) * 2


def test_monthly_counts_use_local_time():
    # 2026-03-31 23:30 local is 21:30 UTC: March, not April.
    frame = reports([("2026-03-31 23:30", "bau", "a"), ("2026-04-01 00:30", "bau", "a")])
    out = counts_over_time(frame, "M", "source")
    assert out.set_index("period")["reports"].to_dict() == {
        pd.Timestamp("2026-03-01"): 1, pd.Timestamp("2026-04-01"): 1}


def test_rolling_mean_is_trailing_per_group():
    counts = pd.DataFrame({"period": pd.date_range("2026-01-05", periods=4, freq="W-MON"),
                           "group": "a", "reports": [2, 4, 6, 8]})
    out = rolling_mean(counts, 2)
    assert out["rolling"].tolist() == [2, 3, 5, 7]


def test_period_comparison_puts_earlier_years_on_the_current_axis():
    f = ReportFilter(date(2025, 12, 1), date(2026, 2, 28), ("bau",))
    assert shifted_filter(f, 1) == ReportFilter(date(2024, 12, 1), date(2025, 2, 28), ("bau",))
    assert shifted_filter(ReportFilter(date(2024, 2, 29), date(2024, 3, 1)), 1).start == date(
        2023, 2, 28)
    now = reports([("2026-01-10", "bau", "a")] * 3)
    last = reports([("2025-01-31 23:30", "bau", "a")] * 2 + [("2024-12-05 12:00", "bau", "a")])
    out = period_comparison({0: now, 1: last}, f, "M")
    assert list(dict.fromkeys(out["year"])) == ["2025/26", "2024/25"]
    by = out.set_index(["years_back", "period"])["reports"]
    assert len(out) == 6  # Dec, Jan, Feb for each of the two years
    assert by[(0, pd.Timestamp("2026-01-01"))] == 3 and by[(0, pd.Timestamp("2025-12-01"))] == 0
    assert by[(1, pd.Timestamp("2026-01-01"))] == 2  # 31 Jan 23:30 local is still January
    assert by[(1, pd.Timestamp("2025-12-01"))] == 1
    weekly = period_comparison({0: now, 1: last}, f, "W")
    assert weekly["period"].min() == pd.Timestamp("2025-12-01")  # a Monday
    assert weekly.groupby("years_back")["reports"].sum().tolist() == [3, 3]


def test_period_comparison_survives_the_autumn_dst_hour():
    # 02:06 on 25 Oct 2025 moved by a year is 02:06 on 25 Oct 2026, which happens twice
    last = reports([("2025-10-25 12:00", "bau", "a")])
    last["occurred_at"] = pd.Series([pd.Timestamp("2025-10-25 00:06", tz="UTC")]).dt.tz_convert(
        "Europe/Berlin")
    out = period_comparison({1: last}, ReportFilter(date(2026, 10, 1), date(2026, 10, 31)), "W")
    assert out.set_index("period")["reports"][pd.Timestamp("2026-10-19")] == 1


def test_monthly_by_year_and_seasonal_profile():
    rows = [("2024-01-10", "bau", "a")] * 2 + [("2025-01-10", "bau", "a")] * 3 + [
        ("2025-02-10", "bau", "a")]
    frame = reports(rows)
    monthly = monthly_by_year(frame)
    assert len(monthly) == 14  # Jan 2024 .. Feb 2025, no invented months after the data
    season = seasonal_profile(frame).set_index("month")
    assert season.loc[1, "mean"] == pytest.approx(2.5) and season.loc[1, "years"] == 2
    assert season.loc[2, "mean"] == pytest.approx(0.5)  # Feb 2024 (0) and Feb 2025 (1)


def test_weekday_hour_table():
    frame = reports([("2026-03-02 22:15", "ordnung", "a"), ("2026-03-08 03:00", "ordnung", "a"),
                     ("2026-03-09 22:59", "ordnung", "a")])
    table = weekday_hour(frame)
    assert table.shape == (7, 24)
    assert table.loc["Mo", 22] == 2 and table.loc["So", 3] == 1 and table.to_numpy().sum() == 3


def test_key_figures_against_previous_period():
    now = reports([("2026-03-02", "umwelt", "a")] * 3 + [("2026-03-02", "bau", "a")])
    before = reports([("2026-02-02", "umwelt", "a")] * 2)
    total = key_figures(now, before).iloc[0]
    assert (total["now"], total["before"], total["change"]) == (4, 2, 2)
    by_topic = key_figures(now, before, "topic").set_index("group")
    assert by_topic.loc["umwelt", "change_pct"] == pytest.approx(50.0)
    assert pd.isna(by_topic.loc["bau", "change_pct"])
    assert format_change(4, 2) == "+2 (+100 %)"
    assert format_change(1, 3) == "-2 (-67 %)"
    assert format_change(2, 0) == "+2 (neu)"
