from datetime import date, timedelta

import numpy as np
import pandas as pd
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st
from shapely.geometry import box

from reports.analysis.evaluation import Windows, evaluate, evaluation_of_counts, signed
from reports.model import TIMEZONE

DISTRICT = box(0, 0, 4000, 4000)
AREA = box(1000, 1000, 1500, 1500)
START = date(2025, 4, 1)


def synthetic(effect: float, seed: int, rate_area: float = 2.0, rate_rest: float = 6.0,
              trend: float = 1.0) -> pd.DataFrame:
    """Daily Poisson reports inside AREA and in the rest of the district for two years.

    After START, the area's rate is multiplied by ``1 + effect``; ``trend`` multiplies
    both rates after START (a district-wide change the evaluation must not credit).
    """
    rng = np.random.default_rng(seed)
    days = pd.date_range(START - timedelta(days=400), START + timedelta(days=199), freq="D",
                         tz=TIMEZONE) + pd.Timedelta(hours=12)
    after = np.asarray(days >= pd.Timestamp(START, tz=TIMEZONE))
    parts = []
    for rate, (x0, y0, x1, y1) in ((rate_area * (1 + effect * after), AREA.bounds),
                                   (np.full(len(days), rate_rest), (2500, 2500, 4000, 4000))):
        n = rng.poisson(rate * np.where(after, trend, 1.0))
        parts.append(pd.DataFrame({"occurred_at": days.repeat(n),
                                   "x": rng.uniform(x0, x1, n.sum()),
                                   "y": rng.uniform(y0, y1, n.sum())}))
    return pd.concat(parts, ignore_index=True).assign(category="spritzenfund", count=1)


def test_seasonal_windows_compare_the_same_calendar_window_a_year_earlier():
    w = Windows.around(START, 90)
    assert w.after == (START, START + timedelta(days=90))
    assert w.before == (date(2024, 4, 1), date(2024, 6, 30))
    plain = Windows.around(START, 90, seasonal=False)
    assert plain.before == (START - timedelta(days=90), START)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_a_known_reduction_is_recovered_within_its_interval(seed):
    result = evaluate(synthetic(-0.4, seed), AREA, START, days=180, district=DISTRICT)
    assert result.enough_data
    assert result.effect.low < -0.4 < result.effect.high
    assert result.effect.clear and result.effect.estimate < 0
    assert "Vergleichsgebiet: deutlich weniger (−" in result.sentence
    assert "Schwankung" not in result.sentence


def test_a_district_wide_trend_is_not_credited_to_the_measure():
    result = evaluate(synthetic(0.0, 7, trend=0.6), AREA, START, days=180, district=DISTRICT)
    assert result.area.estimate < -0.25  # the area fell ...
    assert not result.effect.clear  # ... but no more than everywhere else
    # the area's own fall is printed, the adjusted effect is called usual variation
    assert f"({signed(result.area.estimate)})" in result.sentence
    assert "im Rahmen der üblichen Schwankung" in result.sentence
    assert "deutlich" not in result.sentence


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 400), st.integers(0, 400), st.integers(1, 4000), st.integers(1, 4000))
def test_the_words_agree_with_the_numbers(a_before, a_after, c_before, c_after):
    """One wording: "deutlich" exactly where the interval excludes no change, the sign of
    every printed percentage the sign of its change, and never "no change" beside a
    different estimate."""
    result = evaluation_of_counts(Windows.around(START, 90), (a_before, a_after),
                                  (c_before, c_after), (0, 0))
    text = result.sentence
    if not result.enough_data:
        assert text.startswith("Zu wenige Meldungen")
        return
    effect = result.effect
    assert f"vorher {a_before}, nachher {a_after} Meldungen" in text
    assert f"({signed(result.area.estimate)})" in text
    assert ("deutlich weniger" in text) == (effect.clear and effect.estimate < 0)
    assert ("deutlich mehr" in text) == (effect.clear and effect.estimate > 0)
    assert ("Schwankung" in text) == (not effect.clear)
    assert signed(effect.estimate) in text.split("Bereinigt")[1]
    assert "keine Veränderung" not in text


def test_without_data_the_evaluation_says_so():
    frame = synthetic(0.0, 3).iloc[::200]  # the whole time span, but few reports
    result = evaluate(frame, AREA, START, district=DISTRICT)
    assert not result.enough_data
    assert result.sentence.startswith("Zu wenige Meldungen")


def test_windows_stop_where_the_data_stop():
    frame = synthetic(0.0, 8)
    frame = frame[frame["occurred_at"] < pd.Timestamp(START + timedelta(days=60), tz=TIMEZONE)]
    result = evaluate(frame, AREA, START, days=180, district=DISTRICT)
    assert result.windows.after == (START, START + timedelta(days=60))
    assert "60 Tage" in result.note
    assert not result.effect.clear  # missing days are not counted as a decline


def test_a_measure_that_has_just_started_gets_no_verdict():
    frame = synthetic(0.0, 4)
    frame = frame[frame["occurred_at"] < pd.Timestamp(START + timedelta(days=10), tz=TIMEZONE)]
    result = evaluate(frame, AREA, START, district=DISTRICT)
    assert not result.enough_data and "mindestens 28 Tage" in result.sentence


def test_seasonal_window_falls_back_without_last_years_data():
    frame = synthetic(0.0, 4)
    frame = frame[frame["occurred_at"] >= pd.Timestamp(START - timedelta(days=200), tz=TIMEZONE)]
    result = evaluate(frame, AREA, START, days=180, district=DISTRICT)
    assert result.windows.before == (START - timedelta(days=180), START)
    assert "Vorjahr" in result.note and result.enough_data


def test_reports_not_items_are_counted():
    frame = synthetic(0.0, 6)
    heavy = frame.assign(count=50)
    assert evaluate(heavy, AREA, START, district=DISTRICT).area == evaluate(
        frame, AREA, START, district=DISTRICT).area


def test_category_filter_restricts_the_counted_reports():
    frame = synthetic(-0.4, 5)
    frame.loc[frame.index[::2], "category"] = "graffiti"
    all_reports = evaluate(frame, AREA, START, district=DISTRICT)
    syringes = evaluate(frame, AREA, START, district=DISTRICT, categories=("spritzenfund",))
    total = all_reports.area.before + all_reports.area.after
    assert syringes.area.before + syringes.area.after < total


def test_a_measure_without_area_is_refused_in_german():
    with pytest.raises(ValueError, match="kein Gebiet"):
        evaluate(synthetic(0.0, 1), box(0, 0, 0, 0), START, district=DISTRICT)


def test_displacement_into_the_ring_is_reported():
    rng = np.random.default_rng(11)
    frame = synthetic(-0.5, 9)
    ring = AREA.buffer(300).difference(AREA)
    x0, y0, x1, y1 = ring.bounds
    x, y = rng.uniform(x0, x1, 20_000), rng.uniform(y0, y1, 20_000)
    inside = shapely.contains_xy(ring, x, y)
    x, y = x[inside], y[inside]
    days = pd.date_range(START - timedelta(days=400), START + timedelta(days=199), freq="D",
                         tz=TIMEZONE)
    after = np.asarray(days >= pd.Timestamp(START, tz=TIMEZONE))
    n = rng.poisson(np.where(after, 3.0, 1.5))  # the ring doubles after the start
    moved = pd.DataFrame({"occurred_at": days.repeat(n), "x": x[:n.sum()], "y": y[:n.sum()],
                          "category": "spritzenfund", "count": 1})
    result = evaluate(pd.concat([frame, moved], ignore_index=True), AREA, START,
                      district=DISTRICT)
    assert result.displacement is not None and result.displacement.clear
    assert result.displacement.estimate > 0.5
    assert "Hinweis auf Verdrängung ins Umfeld" in result.displacement_sentence
    quiet = evaluate(frame, AREA, START, district=DISTRICT)
    assert quiet.displacement is None  # nothing in the ring: no statement
    assert "zu wenige Meldungen" in quiet.displacement_sentence
