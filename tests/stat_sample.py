"""Report frames at given coordinates for the statistics tests (grid, hotspots, trends)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from reports.model import RECORD_KEY, RECORD_KEY_RANGE, REPORT_COLUMNS, TIMEZONE, empty_reports


def reports_at(
    x,
    y,
    *,
    category="illegale_muellablagerung",
    source="stadtreinigung",
    occurred_at="2026-01-15",
    count=1,
) -> pd.DataFrame:
    """REPORT_COLUMNS frame with one report per (x, y) in EPSG:25833; NaN = not placed.

    Scalars are repeated for every row; sequences give one value per row.
    """
    x = np.asarray(x, dtype="float64")
    n = len(x)
    frame = empty_reports().reindex(range(n))
    frame["id"] = [f"r{i}" for i in range(n)]
    frame["x"] = x
    frame["y"] = np.asarray(y, dtype="float64")
    frame["category"] = np.broadcast_to(np.asarray(category, dtype=object), n)
    frame["source"] = np.broadcast_to(np.asarray(source, dtype=object), n)
    frame["count"] = np.broadcast_to(count, n)
    times = pd.DatetimeIndex(pd.to_datetime(np.broadcast_to(np.asarray(occurred_at), n)))
    frame["occurred_at"] = times.tz_localize(TIMEZONE) if times.tz is None else times
    frame["reported_at"] = frame["occurred_at"]
    keys = np.random.default_rng(n).integers(0, RECORD_KEY_RANGE, n, dtype=np.int64)
    return frame.astype(REPORT_COLUMNS).assign(**{RECORD_KEY: keys})
