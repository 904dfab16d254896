"""Trend figures behind the Trends, Überblick and Sitzung pages.

Everything counts reports (rows), like the map, so a number on a chart and on the map agree.
Periods are calendar weeks (Monday) or months in Europe/Berlin; empty periods are explicit
zeros, otherwise a chart would draw a line straight across a quiet month.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import numpy as np
import pandas as pd

from reports.model import TIMEZONE, vocabulary
from reports.storage.query import ReportFilter

FREQS = {"W": "Woche", "M": "Monat"}
GROUPS = {"topic": "Thema", "source": "Quelle", "category": "Kategorie"}
WEEKDAYS = ("Mo", "Di", "Mi", "Do", "Fr", "Sa", "So")
MONTHS = ("Jan", "Feb", "Mär", "Apr", "Mai", "Jun", "Jul", "Aug", "Sep", "Okt", "Nov", "Dez")


def group_label(by: str, key: str) -> str:
    vocab = vocabulary()
    table = {"topic": vocab.topics, "source": vocab.sources,
             "category": {k: c.label for k, c in vocab.categories.items()}}[by]
    return table.get(key, key)


def period_start(times: pd.Series, freq: str) -> pd.Series:
    """Start day (naive local date) of each timestamp's week (Monday) or month."""
    local = times.dt.tz_convert(TIMEZONE).dt.tz_localize(None).dt.normalize()
    if freq == "W":
        return local - pd.to_timedelta(local.dt.weekday, unit="D")
    if freq == "M":
        return local - pd.to_timedelta(local.dt.day - 1, unit="D")
    raise ValueError(f"unknown freq {freq!r}; use 'W' or 'M'")


def _period_range(start: pd.Timestamp, end: pd.Timestamp, freq: str) -> pd.DatetimeIndex:
    return pd.date_range(start, end, freq="W-MON" if freq == "W" else "MS")


def counts_over_time(frame: pd.DataFrame, freq: str = "W", by: str = "topic",
                     f: ReportFilter | None = None) -> pd.DataFrame:
    """DataFrame[period, group, reports]: every period x every group present, zeros filled.

    With a filter that has start/end the period axis spans the whole filter range.
    """
    if by not in GROUPS:
        raise ValueError(f"unknown grouping {by!r}")
    if frame.empty:
        return pd.DataFrame({"period": pd.Series(dtype="datetime64[ns]"),
                             "group": pd.Series(dtype="string"),
                             "reports": pd.Series(dtype="int64")})
    periods = period_start(frame["occurred_at"], freq)
    first, last = periods.min(), periods.max()
    if f is not None and f.start is not None:
        first = min(first, period_start(pd.Series([pd.Timestamp(f.start, tz=TIMEZONE)]),
                                        freq).iloc[0])
    if f is not None and f.end is not None:
        last = max(last, period_start(pd.Series([pd.Timestamp(f.end, tz=TIMEZONE)]),
                                      freq).iloc[0])
    keys = pd.DataFrame({"period": periods.to_numpy(),
                         "group": frame[by].astype(str).to_numpy()})
    counts = keys.value_counts().rename("reports")
    groups = sorted(frame[by].dropna().astype(str).unique())
    index = pd.MultiIndex.from_product([_period_range(first, last, freq), groups],
                                       names=["period", "group"])
    out = counts.reindex(index, fill_value=0).reset_index()
    out["reports"] = out["reports"].astype("int64")
    out["group"] = out["group"].astype("string")
    return out


def rolling_mean(counts: pd.DataFrame, window: int) -> pd.DataFrame:
    """Adds ``rolling`` (trailing mean over ``window`` periods, per group) to counts_over_time."""
    out = counts.sort_values(["group", "period"]).copy()
    out["rolling"] = (out.groupby("group")["reports"]
                      .transform(lambda s: s.rolling(window, min_periods=1).mean()))
    return out.sort_values(["period", "group"]).reset_index(drop=True)


def monthly_by_year(frame: pd.DataFrame) -> pd.DataFrame:
    """DataFrame[year, month, reports] for the year-over-year chart (months without reports 0)."""
    if frame.empty:
        return pd.DataFrame(columns=["year", "month", "reports"]).astype("int64")
    local = frame["occurred_at"].dt.tz_convert(TIMEZONE)
    counts = pd.DataFrame({"year": local.dt.year, "month": local.dt.month}).value_counts()
    years = sorted(local.dt.year.unique())
    index = pd.MultiIndex.from_product([years, range(1, 13)], names=["year", "month"])
    out = counts.reindex(index, fill_value=0).rename("reports").reset_index()
    # Months after the data's last month are unknown, not zero.
    last = local.max()
    out = out[(out["year"] < last.year) | (out["month"] <= last.month)]
    first = local.min()
    out = out[(out["year"] > first.year) | (out["month"] >= first.month)]
    return out.astype("int64").reset_index(drop=True)


def shifted_filter(f: ReportFilter, years: int) -> ReportFilter:
    """The same calendar period ``years`` years earlier (29 Feb becomes 28 Feb)."""
    if f.start is None or f.end is None:
        raise ValueError("shifted_filter needs a start and an end")

    def back(day: date) -> date:
        return (pd.Timestamp(day) - pd.DateOffset(years=years)).date()

    return replace(f, start=back(f.start), end=back(f.end))


def year_label(f: ReportFilter) -> str:
    """"2025", or "2025/26" for a period across New Year."""
    if f.start is None or f.end is None:
        raise ValueError("year_label needs a start and an end")
    if f.start.year == f.end.year:
        return str(f.start.year)
    return f"{f.start.year}/{f.end.year % 100:02d}"


def period_comparison(frames: dict[int, pd.DataFrame], f: ReportFilter,
                      freq: str = "M") -> pd.DataFrame:
    """DataFrame[year, years_back, period, reports]: the filter's period (``years_back`` 0) and
    the same calendar period years earlier, each counted per week or month on the axis of the
    current period, so the lines lie on top of each other.

    ``frames`` maps years back to the reports of ``shifted_filter(f, years_back)``. Earlier
    reports are moved forward by whole years before bucketing, so "week" means the week of the
    same calendar dates (weekdays may differ by one or two).
    """
    if f.start is None or f.end is None:
        raise ValueError("period_comparison needs a start and an end")
    bounds = period_start(pd.Series([pd.Timestamp(f.start, tz=TIMEZONE),
                                     pd.Timestamp(f.end, tz=TIMEZONE)]), freq)
    axis = _period_range(bounds.iloc[0], bounds.iloc[1], freq)
    parts = []
    for back, frame in sorted(frames.items()):
        # whole local days first: midnight is never ambiguous, a DST hour may be
        days = frame["occurred_at"].dt.tz_convert(TIMEZONE).dt.tz_localize(None).dt.normalize()
        moved = (days + pd.DateOffset(years=back)).dt.tz_localize(TIMEZONE)
        counts = period_start(moved, freq).value_counts().reindex(axis, fill_value=0)
        parts.append(pd.DataFrame({"year": year_label(shifted_filter(f, back)),
                                   "years_back": back, "period": axis,
                                   "reports": counts.to_numpy().astype("int64")}))
    if not parts:
        return pd.DataFrame({"year": pd.Series(dtype="object"),
                             "years_back": pd.Series(dtype="int64"),
                             "period": pd.Series(dtype="datetime64[ns]"),
                             "reports": pd.Series(dtype="int64")})
    return pd.concat(parts, ignore_index=True)


def seasonal_profile(frame: pd.DataFrame) -> pd.DataFrame:
    """DataFrame[month, mean, years]: mean reports per calendar month over the years that
    cover that month (partial years count only for the months they contain)."""
    monthly = monthly_by_year(frame)
    if monthly.empty:
        return pd.DataFrame(columns=["month", "mean", "years"])
    out = monthly.groupby("month")["reports"].agg(mean="mean", years="count").reset_index()
    out["label"] = out["month"].map(lambda m: MONTHS[m - 1])
    return out


def weekday_hour(frame: pd.DataFrame) -> pd.DataFrame:
    """7 x 24 table (rows Mo..So, columns 0..23) of report counts by local time."""
    local = frame["occurred_at"].dt.tz_convert(TIMEZONE)
    table = pd.crosstab(local.dt.weekday, local.dt.hour)
    table = table.reindex(index=range(7), columns=range(24), fill_value=0)
    table.index = list(WEEKDAYS)
    table.columns = list(range(24))
    return table.astype("int64")


def key_figures(now: pd.DataFrame, before: pd.DataFrame, by: str | None = None) -> pd.DataFrame:
    """DataFrame[group, now, before, change, change_pct] for two equally long periods.

    ``by=None`` gives one row "Gesamt". change_pct is NaN where ``before`` is 0.
    """
    if by is None:
        out = pd.DataFrame({"group": ["Gesamt"], "now": [len(now)], "before": [len(before)]})
    else:
        a = now[by].astype(str).value_counts()
        b = before[by].astype(str).value_counts()
        keys = sorted(set(a.index) | set(b.index))
        out = pd.DataFrame({"group": keys, "now": a.reindex(keys, fill_value=0).to_numpy(),
                            "before": b.reindex(keys, fill_value=0).to_numpy()})
    out["now"] = out["now"].astype("int64")
    out["before"] = out["before"].astype("int64")
    out["change"] = out["now"] - out["before"]
    with np.errstate(divide="ignore", invalid="ignore"):
        out["change_pct"] = np.where(out["before"] > 0, out["change"] / out["before"] * 100,
                                     np.nan)
    return out


def format_change(now: int, before: int) -> str:
    """German delta text for st.metric: "+12 (+8 %)", "−3", "neu"."""
    change = now - before
    sign = "+" if change > 0 else ("-" if change < 0 else "±")  # ASCII: st.metric reads it
    text = f"{sign}{abs(change)}"
    if before > 0:
        text += f" ({sign}{abs(change) / before * 100:.0f} %)"
    elif now > 0:
        text += " (neu)"
    return text
