from datetime import date, timedelta

import numpy as np
import pandas as pd
import pytest
from shapely.geometry import box

from reports.evaluation import Windows, evaluate
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
    rows = []
    day = START - timedelta(days=400)
    while day < START + timedelta(days=200):
        after = day >= START
        for rate, (x0, y0, x1, y1) in ((rate_area * (1 + effect * after), AREA.bounds),
                                       (rate_rest, (2500, 2500, 4000, 4000))):
            n = rng.poisson(rate * (trend if after else 1.0))
            rows.append(pd.DataFrame({
                "occurred_at": pd.Timestamp(day, tz=TIMEZONE) + pd.Timedelta(hours=12),
                "x": rng.uniform(x0, x1, n), "y": rng.uniform(y0, y1, n),
                "category": "spritzenfund", "count": 1}))
        day += timedelta(days=1)
    return pd.concat(rows, ignore_index=True)


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
    assert "Rückgang" in result.sentence and "stärker als im übrigen Gebiet" in result.sentence


def test_a_district_wide_trend_is_not_credited_to_the_measure():
    result = evaluate(synthetic(0.0, 7, trend=0.6), AREA, START, days=180, district=DISTRICT)
    assert result.area.estimate < -0.25  # the area fell ...
    assert not result.effect.clear  # ... but no more than everywhere else
    assert "kein klarer Unterschied" in result.sentence


def test_without_data_the_evaluation_says_so():
    frame = synthetic(0.0, 3).iloc[:5]
    result = evaluate(frame, AREA, START, district=DISTRICT)
    assert not result.enough_data
    assert result.sentence.startswith("Zu wenige Meldungen")


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
