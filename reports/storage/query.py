"""Filters shared by all pages, as plain hashable values (cache keys and URL state)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import pandas as pd

from reports.model import TIMEZONE


@dataclass(frozen=True)
class ReportFilter:
    start: date | None = None  # inclusive
    end: date | None = None  # inclusive
    topics: tuple[str, ...] = ()  # empty: all
    sources: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    ortsteile: tuple[str, ...] = ()

    def previous_period(self) -> ReportFilter:
        """The period of equal length just before this one (for comparisons)."""
        if self.start is None or self.end is None:
            raise ValueError("previous_period needs a start and an end")
        length = self.end - self.start + timedelta(days=1)
        return ReportFilter(self.start - length, self.start - timedelta(days=1), self.topics,
                            self.sources, self.categories, self.ortsteile)


def apply_filter(frame: pd.DataFrame, f: ReportFilter) -> pd.DataFrame:
    """Rows of a report frame that match ``f``."""
    mask = pd.Series(True, index=frame.index)
    if f.start is not None:
        mask &= frame["occurred_at"] >= pd.Timestamp(f.start, tz=TIMEZONE)
    if f.end is not None:
        mask &= frame["occurred_at"] < pd.Timestamp(f.end + timedelta(days=1), tz=TIMEZONE)
    for column, values in (("topic", f.topics), ("source", f.sources),
                           ("category", f.categories), ("ortsteil", f.ortsteile)):
        if values:
            mask &= frame[column].isin(values)
    return frame.loc[mask.to_numpy()]
