"""Publishing public counts by the cell key method: 0 .. k-1 hidden whatever the key, the
rest perturbed by the fixed table and rounded, each value standing for a band of true
counts; the same set of reports always gets the same figure; the public's periods are
whole weeks."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from reports.model import RECORD_KEY_RANGE
from reports.privacy.access import Role, aggregate_for, effective_filter
from reports.privacy.policy import (
    NOISE,
    NOISE_P,
    count_band,
    noise,
    publish_counts,
    rounding_base,
)
from reports.storage.query import ReportFilter

RNG = np.random.default_rng(3)


def keys(n: int) -> np.ndarray:
    return RNG.integers(0, RECORD_KEY_RANGE * 50, n)


def test_small_counts_hidden_whatever_the_key_others_perturbed_and_rounded():
    counts = np.repeat([0, 1, 4, 5, 7, 8, 12, 13, 1234], 200)
    out = publish_counts(counts, keys(len(counts)), 5)
    assert out[counts < 5].isna().all()
    shown = out[counts >= 8]
    assert shown.notna().all() and (shown % 5 == 0).all()
    assert (shown - counts[counts >= 8]).abs().max() <= 4  # noise 2 + rounding 2
    big = out[counts == 1234]  # 1232 .. 1236 -> 1230 or 1235 as the key falls
    assert set(big) == {1230, 1235}


def test_the_same_set_gets_the_same_figure_and_the_noise_follows_the_table():
    sums = keys(20_000)
    assert publish_counts([9] * 3, [sums[0]] * 3, 5).nunique() == 1
    drawn = noise(np.full(len(sums), 50), sums, 5)
    freq = np.array([(drawn == v).mean() for v in NOISE])
    assert np.abs(freq - NOISE_P).max() < 0.015  # cell keys are uniform
    assert abs(drawn.mean()) < 0.05


@given(st.integers(2, 12), st.lists(st.integers(0, 500), min_size=1, max_size=50),
       st.integers(0, 2**40))
def test_every_published_value_stands_for_a_band_holding_the_truth(k, values, seed):
    key_sums = np.random.default_rng(seed).integers(0, RECORD_KEY_RANGE * 100, len(values))
    shown = publish_counts(pd.Series(values), key_sums, k)
    for true, value in zip(values, shown, strict=True):
        low, high = count_band(value, k)
        assert low <= true <= high
        if true < k:
            assert pd.isna(value)
        if not pd.isna(value):  # no published count pins its value down: at least five
            assert high - low + 1 >= 5 and value % rounding_base(k) == 0  # possible truths


def test_derived_and_key_columns_are_dropped():
    counts = pd.DataFrame({"group": ["A", "B"], "now": [2, 31], "before": [0, 29],
                           "now_key": [5, 7], "before_key": [0, 9], "change": [2, 2]})
    public = aggregate_for(Role.PUBLIC, counts, ["now", "before"], derived=["change"])
    assert set(public.columns) == {"group", "now", "before", "hidden"}
    assert public["hidden"].tolist() == [True, False]
    assert 25 <= public["now"].tolist()[1] <= 35
    for role in (Role.MEMBER, Role.EDITOR, Role.ADMIN):
        out = aggregate_for(role, counts, ["now", "before"], derived=["change"])
        assert out["now"].tolist() == [2, 31] and not out["hidden"].any()
        assert out["change"].tolist() == [2, 2] and "now_key" not in out


def test_public_counts_without_record_keys_are_refused():
    with pytest.raises(ValueError, match="record key"):
        aggregate_for(Role.PUBLIC, pd.DataFrame({"reports": [7]}))


def test_k_is_configurable(monkeypatch):
    counts = pd.DataFrame({"ortsteil": ["A", "B", "C"], "reports": [7, 8, 30],
                           "reports_key": [1, 2, 3]})
    monkeypatch.setenv("LAGEBILD_MIN_COUNT", "10")
    assert aggregate_for(Role.PUBLIC, counts)["hidden"].tolist()[:2] == [True, True]
    monkeypatch.setenv("LAGEBILD_MIN_COUNT", "5")
    assert not aggregate_for(Role.PUBLIC, counts.assign(reports=[10, 11, 30]))["hidden"].any()


@pytest.mark.parametrize("day", range(1, 15))
def test_public_periods_are_whole_weeks(day):
    f = ReportFilter(date(2026, 10, day), date(2026, 10, day + 10), topics=("ordnung",))
    public = effective_filter(f, Role.PUBLIC)
    assert public.start.weekday() == 0 and public.end.weekday() == 6
    assert public.start <= f.start and public.end >= f.end
    assert (public.end - public.start).days < (f.end - f.start).days + 14
    assert public.topics == f.topics
    assert effective_filter(f, Role.MEMBER) == f
