"""Trend figures behind the Trends, Überblick and Sitzung pages.

Everything counts reports (rows), like the map, so a number on a chart and on the map agree.
Periods are calendar weeks (Monday) or months in Europe/Berlin; empty periods are explicit
zeros, otherwise a chart would draw a line straight across a quiet month.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date

import numpy as np
import pandas as pd

from reports.model import RECORD_KEY, TIMEZONE, vocabulary
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


def tally(keys: pd.DataFrame, frame: pd.DataFrame) -> pd.DataFrame:
    """Per distinct row of ``keys`` (one row per report of ``frame``): ``reports`` (rows)
    and, where the frame carries record keys, ``reports_key`` (their sum, which the public's
    cell key method publishes from; ``reports.privacy.policy``)."""
    cols = list(keys.columns)
    if RECORD_KEY not in frame:
        return keys.value_counts().rename("reports").to_frame()
    grouped = keys.assign(_key=frame[RECORD_KEY].to_numpy(np.int64)).groupby(cols)["_key"]
    return pd.DataFrame({"reports": grouped.size(), "reports_key": grouped.sum()})


def _period_range(start: pd.Timestamp, end: pd.Timestamp, freq: str) -> pd.DatetimeIndex:
    return pd.date_range(start, end, freq="W-MON" if freq == "W" else "MS")


def _groups(values: pd.Series, fixed: Sequence[str] | None) -> list[str]:
    """``fixed`` groups (then any other present), or the groups present."""
    present = sorted(values.dropna().astype(str).unique())
    if fixed is None:
        return present
    return [*fixed, *(g for g in present if g not in set(fixed))]


def counts_over_time(frame: pd.DataFrame, freq: str = "W", by: str = "topic",
                     f: ReportFilter | None = None, groups: Sequence[str] | None = None
                     ) -> pd.DataFrame:
    """DataFrame[period, group, reports (, reports_key)]: every period x every group present
    (or every one of ``groups``), zeros filled.

    With a filter that has start/end the period axis spans the whole filter range (with
    ``groups`` also when the frame is empty).
    """
    if by not in GROUPS:
        raise ValueError(f"unknown grouping {by!r}")
    bounded = f is not None and f.start is not None and f.end is not None
    if frame.empty and not (bounded and groups is not None):
        out = pd.DataFrame({"period": pd.Series(dtype="datetime64[ns]"),
                            "group": pd.Series(dtype="string"),
                            "reports": pd.Series(dtype="int64")})
        return out.assign(reports_key=pd.Series(dtype="int64")) if RECORD_KEY in frame else out
    periods = period_start(frame["occurred_at"], freq)
    ends = [periods.min(), periods.max()] if len(frame) else []
    if f is not None and f.start is not None:
        ends.append(period_start(pd.Series([pd.Timestamp(f.start, tz=TIMEZONE)]),
                                 freq).iloc[0])
    if f is not None and f.end is not None:
        ends.append(period_start(pd.Series([pd.Timestamp(f.end, tz=TIMEZONE)]),
                                 freq).iloc[0])
    keys = pd.DataFrame({"period": periods.to_numpy(dtype="datetime64[ns]"),
                         "group": frame[by].astype(str).to_numpy()})
    counts = tally(keys, frame)
    index = pd.MultiIndex.from_product(
        [_period_range(min(ends), max(ends), freq), _groups(frame[by], groups)],
        names=["period", "group"])
    out = counts.reindex(index, fill_value=0).reset_index()
    for column in counts.columns:
        out[column] = out[column].astype("int64")
    out["group"] = out["group"].astype("string")
    return out


def rolling_mean(counts: pd.DataFrame, window: int) -> pd.DataFrame:
    """Adds ``rolling`` (trailing mean over ``window`` periods, per group) to counts_over_time."""
    out = counts.sort_values(["group", "period"]).copy()
    out["rolling"] = (out.groupby("group")["reports"]
                      .transform(lambda s: s.rolling(window, min_periods=1).mean()))
    return out.sort_values(["period", "group"]).reset_index(drop=True)


def monthly_by_year(frame: pd.DataFrame, f: ReportFilter | None = None) -> pd.DataFrame:
    """DataFrame[year, month, reports (, reports_key)] for the year-over-year chart (months
    without reports 0). The months run from the data's first to its last month, or with a
    filter ``f`` with start and end from its first to its last (then which months hold
    reports does not show in which rows there are)."""
    local = frame["occurred_at"].dt.tz_convert(TIMEZONE)
    if f is not None and f.start is not None and f.end is not None:
        first, last = pd.Timestamp(f.start), pd.Timestamp(f.end)
    elif frame.empty:
        columns = ["year", "month", "reports"] + (["reports_key"] if RECORD_KEY in frame else [])
        return pd.DataFrame(columns=columns).astype("int64")
    else:
        first, last = local.min(), local.max()
    counts = tally(pd.DataFrame({"year": local.dt.year.to_numpy(),
                                 "month": local.dt.month.to_numpy()}), frame)
    years = list(range(first.year, last.year + 1))
    index = pd.MultiIndex.from_product([years, range(1, 13)], names=["year", "month"])
    out = counts.reindex(index, fill_value=0).reset_index()
    # Months after the last month are unknown, not zero.
    out = out[(out["year"] < last.year) | (out["month"] <= last.month)]
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
        starts = pd.DataFrame({"period": period_start(moved, freq).to_numpy(
            dtype="datetime64[ns]")})
        counts = tally(starts, frame).reset_index().set_index("period").reindex(
            axis, fill_value=0)
        parts.append(pd.DataFrame({"year": year_label(shifted_filter(f, back)),
                                   "years_back": back, "period": axis}).assign(
            **{c: counts[c].to_numpy().astype("int64") for c in counts.columns}))
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


def weekday_hour(frame: pd.DataFrame, weight: str | None = None) -> pd.DataFrame:
    """7 x 24 table (rows Mo..So, columns 0..23) of report counts by local time (with
    ``weight``: the sums of that column instead, e.g. the record keys)."""
    local = frame["occurred_at"].dt.tz_convert(TIMEZONE)
    table = (pd.crosstab(local.dt.weekday, local.dt.hour) if weight is None else
             pd.crosstab(local.dt.weekday, local.dt.hour, values=frame[weight], aggfunc="sum"))
    table = table.fillna(0).reindex(index=range(7), columns=range(24), fill_value=0)
    table.index = list(WEEKDAYS)
    table.columns = list(range(24))
    return table.astype("int64")


def key_figures(now: pd.DataFrame, before: pd.DataFrame, by: str | None = None,
                groups: Sequence[str] | None = None) -> pd.DataFrame:
    """DataFrame[group, now, before, change, change_pct (, now_key, before_key)] for two
    equally long periods; the groups present, or every one of ``groups``.

    ``by=None`` gives one row "Gesamt". change_pct is NaN where ``before`` is 0.
    """
    parts = {}
    for name, frame in (("now", now), ("before", before)):
        labels = (pd.Series("Gesamt", index=frame.index) if by is None
                  else frame[by].astype(str))
        parts[name] = tally(pd.DataFrame({"group": labels.to_numpy(dtype=object)}), frame)
    if by is None:
        keys = ["Gesamt"]
    else:
        keys = _groups(pd.concat([now[by], before[by]]).astype("string"), groups)
    out = pd.DataFrame({"group": keys})
    for name, counts in parts.items():
        counts = counts.reset_index().set_index("group").reindex(keys, fill_value=0)
        out[name] = counts["reports"].to_numpy().astype("int64")
        if "reports_key" in counts:
            out[f"{name}_key"] = counts["reports_key"].to_numpy().astype("int64")
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
