"""Roles and the one function that decides what a role may see.

Every report frame that reaches a page passes through ``visible_reports``; pages never
filter by role themselves.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from reports.model import vocabulary
from reports.privacy.policy import (  # noqa: F401 (the roles' names, imported from here)
    ROLE_LABELS,
    Policy,
    Role,
    count_band,
    policy_for,
    public_period,
    rounding_base,
)
from reports.storage.query import ReportFilter

# The public sees reports only as aggregates on cells of this size (metres).
PUBLIC_SNAP_M = 50.0


def visible_reports(frame: pd.DataFrame, role: Role) -> pd.DataFrame:
    """Rows and columns of ``frame`` that ``role`` may see.

    For the public, descriptions and addresses are blanked and coordinates are snapped to
    the centre of a 50 m cell, so that no raw location of a single report can leave the
    server even if a page tried to show points.
    """
    policy = policy_for(role)
    keep = frame["sensitivity"].isin(policy.sensitivities).to_numpy()
    if not policy.sees_restricted_categories:
        keep = keep & ~frame["category"].isin(vocabulary().restricted_categories).to_numpy()
    out = frame.loc[keep]
    if policy.sees_details and policy.sees_points:
        return out
    out = out.copy()
    for column in ("description", "address", "source_ref"):
        if column in out:
            out[column] = pd.NA
    if "x" in out and "y" in out:
        from geo.crs import to_display

        out["x"] = (np.floor(out["x"] / PUBLIC_SNAP_M) + 0.5) * PUBLIC_SNAP_M
        out["y"] = (np.floor(out["y"] / PUBLIC_SNAP_M) + 0.5) * PUBLIC_SNAP_M
        if "lon" in out and "lat" in out:
            out["lon"], out["lat"] = to_display(out["x"], out["y"])
    return out


def effective_filter(f: ReportFilter, role: Role) -> ReportFilter:
    """The filter as ``role`` may apply it (whole weeks for the public)."""
    return policy_for(role).period(f)


def aggregate_for(
    role: Role,
    counts: pd.DataFrame,
    count_cols: str | Sequence[str] = "reports",
    derived: Sequence[str] = (),
) -> pd.DataFrame:
    """The aggregate table ``role`` may see (``Policy.table``): for the public ``count_cols``
    are published by the cell key method from their ``<col>_key`` record key sums, and
    ``derived`` columns are dropped; ``hidden`` marks rows with a hidden count.

    Aggregates must be computed from ``visible_reports(frame, role)`` first, so restricted
    categories never enter a public count.
    """
    return policy_for(role).table(counts, count_cols, derived)


def count_text(value, role_k: int) -> str:
    """A count as the page prints it: "unter k" for a hidden public count."""
    if value is None or pd.isna(value):
        return f"unter {role_k}" if role_k else "–"
    return f"{int(value):,}".replace(",", ".")
