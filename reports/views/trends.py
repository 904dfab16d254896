"""Trends: counts over time, the same period in earlier years, the seasonal profile and the
weekday x hour table, as a role may see them. Means are computed from published counts."""

from __future__ import annotations

import pandas as pd

from reports.analysis.analytics import (
    MONTHS,
    counts_over_time,
    monthly_by_year,
    period_comparison,
    weekday_hour,
)
from reports.privacy.access import Role
from reports.storage.query import ReportFilter
from reports.views.tables import table_for


def trend_counts(frame: pd.DataFrame, role: Role, freq: str, by: str, f: ReportFilter,
                 window: int) -> pd.DataFrame:
    """DataFrame[period, group, reports, hidden, rolling]: counts per period and group,
    ``rolling`` the trailing mean over ``window`` periods of the shown counts."""
    table = table_for(role, counts_over_time(frame, freq, by, f), "reports")
    values = table["reports"].astype("Float64").astype("float64")
    table["rolling"] = (values.groupby(table["group"])
                        .transform(lambda s: s.rolling(window, min_periods=1).mean()))
    return table


def year_comparison(frames: dict[int, pd.DataFrame], role: Role, f: ReportFilter,
                    freq: str) -> pd.DataFrame:
    """DataFrame[year, years_back, period, reports, hidden] (see
    ``analytics.period_comparison``)."""
    return table_for(role, period_comparison(frames, f, freq), "reports")


def seasonal(frame: pd.DataFrame, role: Role) -> pd.DataFrame:
    """DataFrame[month, label, mean, years]: mean of the shown monthly counts per calendar
    month over the years that cover it (hidden months left out of the mean)."""
    monthly = table_for(role, monthly_by_year(frame), "reports")
    if monthly.empty:
        return pd.DataFrame(columns=["month", "label", "mean", "years"])
    monthly["reports"] = monthly["reports"].astype("Float64")
    out = (monthly.groupby("month")["reports"].agg(mean="mean", years="size")
           .reset_index())
    out["mean"] = out["mean"].astype("float64")
    out["label"] = out["month"].map(lambda m: MONTHS[m - 1])
    return out[["month", "label", "mean", "years"]]


def weekday_hour_counts(frame: pd.DataFrame, role: Role) -> tuple[pd.DataFrame, list[str]]:
    """Long DataFrame[Wochentag, Stunde, reports, hidden] and the weekday order."""
    table = weekday_hour(frame)
    long = table.reset_index(names="Wochentag").melt(
        id_vars="Wochentag", var_name="Stunde", value_name="reports")
    return table_for(role, long, "reports"), list(table.index)
