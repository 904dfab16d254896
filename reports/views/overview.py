"""Überblick: key figures now vs the period before, the weekly course per topic and the top
hot spots with their change, as a role may see them."""

from __future__ import annotations

import pandas as pd

from geo.boundary import Boundary
from reports.analysis.analytics import counts_over_time, format_change, key_figures
from reports.privacy.access import Role, policy_for
from reports.storage.query import ReportFilter
from reports.views.hotspots import section_changes_for
from reports.views.tables import with_change


def key_figure_table(now: pd.DataFrame, before: pd.DataFrame, role: Role,
                     by: str | None = None) -> pd.DataFrame:
    """DataFrame[group, now, before, change, change_pct, hidden, value, delta]: the counts
    as ``role`` may see them, changes computed from those, and the texts of a metric tile
    (``delta`` None where a count is hidden). For the public every topic, source or
    category is a row, "unter k" also where there is none."""
    policy = policy_for(role)
    raw = key_figures(now, before, by, None if by is None else policy.groups(by))
    table = with_change(policy.table(raw, ["now", "before"], ["change", "change_pct"]))
    table["value"] = [policy.text(v) for v in table["now"]]
    table["delta"] = [None if pd.isna(a) or pd.isna(b) else format_change(int(a), int(b))
                      for a, b in zip(table["now"], table["before"], strict=True)]
    return table


def weekly_by_topic(now: pd.DataFrame, role: Role, f: ReportFilter) -> pd.DataFrame:
    """DataFrame[period, group, reports, hidden]: reports per week and topic (for the public
    every topic)."""
    policy = policy_for(role)
    return policy.table(counts_over_time(now, "W", "topic", policy.period(f),
                                         policy.groups("topic")))


def top_hotspots(now: pd.DataFrame, before: pd.DataFrame, role: Role, boundary: Boundary,
                 n: int = 10) -> pd.DataFrame:
    """The ``n`` current hot street sections with most reports: DataFrame[place, ortsteil,
    change_label, reports_now, reports_before, hidden, cell_ids] (``hotspot_change``, counts
    as the role may see them; ``cell_ids``: the section's 100 m cells, to show it on a map)."""
    changes = section_changes_for(now, before, role, boundary)
    top = changes[changes["hot_now"].astype(bool)].head(n)
    return top[["place", "ortsteil", "change_label", "reports_now", "reports_before",
                "hidden", "cell_ids"]].reset_index(drop=True)
