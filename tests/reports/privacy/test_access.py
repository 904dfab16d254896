"""Publishing public counts: 0 .. k-1 hidden, the rest rounded, each value
standing for a band of true counts; the public's periods are whole weeks."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from reports.privacy.access import (
    Role,
    aggregate_for,
    count_band,
    effective_filter,
    publish_counts,
    rounding_base,
)
from reports.storage.query import ReportFilter


def test_small_counts_hidden_others_rounded():
    out = publish_counts(pd.Series([0, 1, 4, 5, 7, 8, 12, 13, 1234]), 5)
    assert out.isna().tolist() == [True, True, True] + [False] * 6
    assert out.dropna().tolist() == [5, 5, 10, 10, 15, 1235]


@given(st.integers(2, 12), st.lists(st.integers(0, 500), min_size=1, max_size=50))
def test_every_published_value_stands_for_a_band_holding_the_truth(k, values):
    shown = publish_counts(pd.Series(values), k)
    for true, value in zip(values, shown, strict=True):
        low, high = count_band(value, k)
        assert low <= true <= high
        assert pd.isna(value) == (true < k)
        if true >= k:  # no published count pins its value down
            assert high - low >= 2 and value % rounding_base(k) == 0


def test_derived_columns_are_dropped_for_the_public_only():
    counts = pd.DataFrame({"group": ["A", "B"], "now": [2, 31], "before": [0, 29],
                           "change": [2, 2]})
    public = aggregate_for(Role.PUBLIC, counts, ["now", "before"], derived=["change"])
    assert "change" not in public
    assert public["hidden"].tolist() == [True, False]
    assert public["now"].tolist()[1] == 30 and public["before"].tolist()[1] == 30
    for role in (Role.MEMBER, Role.EDITOR, Role.ADMIN):
        out = aggregate_for(role, counts, ["now", "before"], derived=["change"])
        assert out["now"].tolist() == [2, 31] and not out["hidden"].any()
        assert out["change"].tolist() == [2, 2]


def test_k_is_configurable(monkeypatch):
    counts = pd.DataFrame({"ortsteil": ["A", "B", "C"], "reports": [7, 8, 30]})
    monkeypatch.setenv("LAGEBILD_MIN_COUNT", "10")
    assert aggregate_for(Role.PUBLIC, counts)["hidden"].tolist() == [True, True, False]
    monkeypatch.setenv("LAGEBILD_MIN_COUNT", "5")
    assert not aggregate_for(Role.PUBLIC, counts)["hidden"].any()


@pytest.mark.parametrize("day", range(1, 15))
def test_public_periods_are_whole_weeks(day):
    f = ReportFilter(date(2026, 10, day), date(2026, 10, day + 10), topics=("ordnung",))
    public = effective_filter(f, Role.PUBLIC)
    assert public.start.weekday() == 0 and public.end.weekday() == 6
    assert public.start <= f.start and public.end >= f.end
    assert (public.end - public.start).days < (f.end - f.start).days + 14
    assert public.topics == f.topics
    assert effective_filter(f, Role.MEMBER) == f
