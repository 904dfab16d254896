"""Aggregate suppression: small counts never reach the public, directly or by subtraction."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest

from reports.privacy.access import Role, aggregate_for, public_total, suppress_counts


def _hidden(out: pd.DataFrame, key: str) -> set:
    return set(out.loc[out["suppressed"], key])


def _recoverable(out: pd.DataFrame, orig: pd.DataFrame, col: str, group_cols: list[str]):
    """Values an attacker gets exactly from a published group total minus the shown rows."""
    found = []
    groups = orig.groupby(group_cols) if group_cols else [((), orig)]
    for _, rows in groups:
        hidden = out.loc[rows.index][out.loc[rows.index, "suppressed"]]
        if len(hidden) == 1:
            found.append(int(orig.loc[hidden.index[0], col]))
    return found


def test_small_cells_and_their_complement_are_hidden():
    counts = pd.DataFrame({"cell_id": [1, 2, 3, 4, 5], "reports": [3, 10, 12, 0, 40],
                           "z": [0.1, 1.0, 1.2, 0.0, 3.0]})
    out = suppress_counts(counts, "reports", k=5, derived=["z"])
    assert _hidden(out, "cell_id") == {1, 2}  # 3 < k, and 10 as the smallest complement
    assert out["reports"].isna().tolist() == [True, True, False, False, False]
    assert out["z"].isna().tolist() == [True, True, False, False, False]
    assert out.loc[out["cell_id"] == 4, "reports"].item() == 0  # zero names no one
    # the published total 65 minus the shown 52 gives only the sum 13 of two cells
    assert _recoverable(out, counts, "reports", []) == []


def test_index_and_dtypes_of_the_caller_are_kept():
    counts = pd.DataFrame({"reports": [3, 10, 12]}, index=[7, 8, 9])
    out = suppress_counts(counts, "reports", k=5)
    assert list(out.index) == [7, 8, 9] and str(out["reports"].dtype) == "Int64"


def test_hidden_rows_must_sum_to_k():
    counts = pd.DataFrame({"cell_id": [1, 2, 3, 4], "reports": [1, 2, 6, 9]})
    out = suppress_counts(counts, "reports", k=5)
    assert _hidden(out, "cell_id") == {1, 2, 3}  # 1 + 2 < 5: also hide the 6


def test_without_published_total_only_primary_suppression():
    counts = pd.DataFrame({"cell_id": [1, 2, 3], "reports": [3, 10, 12]})
    out = suppress_counts(counts, "reports", k=5, margins=[])
    assert _hidden(out, "cell_id") == {1}


def test_two_way_table_with_row_and_column_totals():
    """Trend per week and category with weekly and per-category totals shown."""
    counts = pd.DataFrame({"week": ["a", "a", "a", "b", "b", "b"],
                           "category": list("xyzxyz"),
                           "reports": [3, 10, 12, 7, 8, 9]})
    out = suppress_counts(counts, "reports", k=5,
                          margins=[("week",), ("category",), ()])
    hidden = set(zip(out.loc[out.suppressed, "week"], out.loc[out.suppressed, "category"],
                     strict=True))
    assert hidden == {("a", "x"), ("a", "y"), ("b", "x"), ("b", "y")}
    for group_cols in (["week"], ["category"], []):
        assert _recoverable(out, counts, "reports", group_cols) == []


def test_difference_of_two_periods_does_not_reveal_hidden_counts():
    comparison = pd.DataFrame({"cell_id": [1, 2, 3, 4], "now": [20, 4, 30, 9],
                               "before": [2, 15, 25, 11],
                               "change": [18, -11, 5, -2], "verdict": ["mehr"] * 4})
    out = suppress_counts(comparison, ["now", "before"], k=5, derived=["change", "verdict"])
    # 2 (before) and 4 (now) are small: both rows hidden in both periods, and the totals
    # of each period still do not give them back
    assert _hidden(out, "cell_id") >= {1, 2}
    shown = out.loc[~out.suppressed]
    assert out.loc[out.suppressed, ["now", "before", "change", "verdict"]].isna().all().all()
    for col in ("now", "before"):
        hidden_sum = comparison[col].sum() - shown[col].sum()
        assert hidden_sum >= 5 and out.suppressed.sum() >= 2


def test_fine_trend_series_suppresses_small_periods():
    days = pd.DataFrame({"day": pd.date_range("2026-09-01", periods=7),
                         "reports": [0, 1, 6, 7, 2, 9, 0]})
    out = suppress_counts(days, "reports", k=5)
    assert out["reports"].isna().tolist() == [False, True, True, False, True, False, False]


@pytest.mark.parametrize("seed", range(30))
def test_random_tables_never_leak(seed):
    """Property: no shown count is below k, and no published margin reveals a hidden row."""
    rng = np.random.default_rng(seed)
    rows = list(itertools.product(range(rng.integers(1, 6)), range(rng.integers(1, 6))))
    counts = pd.DataFrame(rows, columns=["period", "cat"])
    counts["reports"] = rng.choice([0, 1, 2, 3, 4, 5, 8, 20], size=len(counts))
    k = int(rng.integers(2, 8))
    out = suppress_counts(counts, "reports", k=k, margins=[("period",), ("cat",), ()])
    shown = out.loc[~out.suppressed, "reports"].astype(int)
    assert not ((shown > 0) & (shown < k)).any()
    for group_cols in (["period"], ["cat"], []):
        for _, rows_ in (counts.groupby(group_cols) if group_cols else [((), counts)]):
            hidden = out.loc[rows_.index, "suppressed"]
            total_hidden = counts.loc[hidden[hidden].index, "reports"].sum()
            if hidden.sum() == 1:  # only allowed when nothing else could be hidden
                assert hidden.all()
            elif hidden.any() and not hidden.all():
                assert total_hidden >= k


def test_roles_and_totals():
    counts = pd.DataFrame({"ortsteil": ["A", "B"], "reports": [2, 30]})
    for role in (Role.MEMBER, Role.EDITOR, Role.ADMIN):
        out = aggregate_for(role, counts)
        assert out["reports"].tolist() == [2, 30] and not out["suppressed"].any()
    public = aggregate_for(Role.PUBLIC, counts)
    assert public["suppressed"].tolist() == [True, True]  # 30 would give back the 2
    assert public_total(3, k=5) is None and public_total(0, k=5) == 0
    assert public_total(5, k=5) == 5


def test_k_is_configurable(monkeypatch):
    counts = pd.DataFrame({"ortsteil": ["A", "B", "C"], "reports": [7, 8, 30]})
    monkeypatch.setenv("LAGEBILD_MIN_COUNT", "10")
    assert aggregate_for(Role.PUBLIC, counts)["suppressed"].tolist() == [True, True, False]
    monkeypatch.setenv("LAGEBILD_MIN_COUNT", "5")
    assert not aggregate_for(Role.PUBLIC, counts)["suppressed"].any()
