"""Roles and the one function that decides what a role may see.

Every report frame that reaches a page passes through ``visible_reports``; pages never
filter by role themselves.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import timedelta
from enum import StrEnum

import numpy as np
import pandas as pd

from config.settings import settings
from reports.model import vocabulary
from reports.storage.query import ReportFilter


class Role(StrEnum):
    PUBLIC = "oeffentlich"
    MEMBER = "mitglied"
    EDITOR = "redaktion"
    ADMIN = "admin"


ROLE_LABELS = {
    Role.PUBLIC: "Öffentlich",
    Role.MEMBER: "Mitglied",
    Role.EDITOR: "Redaktion",
    Role.ADMIN: "Admin",
}

# The public sees reports only as aggregates on cells of this size (metres).
PUBLIC_SNAP_M = 50.0


@dataclass(frozen=True)
class Policy:
    role: Role
    sees_points: bool
    sees_details: bool  # descriptions and addresses
    sensitivities: frozenset[str]
    sees_restricted_categories: bool
    min_count: int  # aggregates with fewer reports are suppressed; 0: no suppression
    may_edit: bool  # import, correct, place by hand, manage meetings
    may_admin: bool  # users, retention, audit


def policy_for(role: Role) -> Policy:
    if role is Role.PUBLIC:
        return Policy(role, False, False, frozenset({"public", "members"}), False,
                      settings().min_count, False, False)
    if role is Role.MEMBER:
        return Policy(role, True, True, frozenset({"public", "members"}), False, 0, False, False)
    return Policy(role, True, True, frozenset({"public", "members", "restricted"}), True, 0,
                  True, role is Role.ADMIN)


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


# Public counts are multiples of this (or of k, if larger): with a base below 5 a band could
# hold a single value (k = 2 would publish 2 exactly, and 2 minus a hidden 1 is 1).
ROUNDING_BASE = 5


def rounding_base(k: int) -> int:
    return max(k, ROUNDING_BASE)


def publish_counts(values, k: int) -> pd.Series:
    """Public counts: 0 .. k-1 become NA ("unter k"), everything else is
    rounded to the nearest multiple of ``rounding_base(k)``, never below it (ties round up).

    Why rounding and not cell suppression: the public can combine any period, topic, source,
    category, Ortsteil, grid size and shape, and no per-table complementary suppression can
    be consistent across all of those tables. With rounding, every published figure only
    says that its true count lies in a band of at least three values (``count_band``); the
    difference of two published figures lies in a band of at least five values and never
    pins down a count below k (tests/reports/views/test_differencing.py tries).
    """
    raw = pd.Series(values)
    v = raw.fillna(0).to_numpy(dtype="float64")
    base = rounding_base(k)
    rounded = np.maximum(base, np.floor(v / base + 0.5) * base)
    out = pd.array(rounded.astype("int64"), dtype="Int64")
    out[v < k] = pd.NA
    return pd.Series(out, index=raw.index, name=raw.name)


def count_band(shown, k: int) -> tuple[int, int]:
    """The true counts (lowest, highest) a published value ``shown`` stands for: what an
    attacker learns from it. NA ("unter k") stands for 0 .. k-1: a zero is not told apart
    from a small count, otherwise many hidden parts of a small whole would each be pinned
    to 1."""
    if shown is None or pd.isna(shown):
        return 0, k - 1
    shown, base = int(shown), rounding_base(k)
    low = k if shown == base else math.ceil(shown - base / 2)
    return low, math.ceil(shown + base / 2) - 1


def public_period(f: ReportFilter) -> ReportFilter:
    """The filter's period widened to whole calendar weeks (Monday to Sunday).

    Free day ranges would let an attacker add one day at a time and watch where a rounded
    figure flips; the public therefore only ever sees sums over whole weeks.
    """
    start = f.start - timedelta(days=f.start.weekday()) if f.start else None
    end = f.end + timedelta(days=6 - f.end.weekday()) if f.end else None
    return replace(f, start=start, end=end)


def effective_filter(f: ReportFilter, role: Role) -> ReportFilter:
    """The filter as ``role`` may apply it (whole weeks for roles with a minimum count)."""
    return public_period(f) if policy_for(role).min_count else f


def aggregate_for(
    role: Role,
    counts: pd.DataFrame,
    count_cols: str | Sequence[str] = "reports",
    derived: Sequence[str] = (),
) -> pd.DataFrame:
    """The aggregate table ``role`` may see. For the public (a role with a minimum count
    k), ``count_cols`` are published with ``publish_counts`` and ``derived`` columns (rates,
    changes, z-values) are dropped: the caller computes them again from the published
    counts, so that they carry nothing the counts do not. ``hidden`` marks rows with an
    hidden count. Other roles get the table unchanged (``hidden`` all False).

    Aggregates must be computed from ``visible_reports(frame, role)`` first, so restricted
    categories never enter a public count.
    """
    cols = [count_cols] if isinstance(count_cols, str) else list(count_cols)
    k = policy_for(role).min_count
    out = counts.copy()
    if not k:
        out["hidden"] = False
        return out
    out = out.drop(columns=[c for c in derived if c in out])
    hidden = np.zeros(len(out), dtype=bool)
    for column in cols:
        out[column] = publish_counts(out[column], k)
        hidden |= out[column].isna().to_numpy()
    out["hidden"] = hidden
    return out


def count_text(value, role_k: int) -> str:
    """A count as the page prints it: "unter k" for a hidden public count."""
    if value is None or pd.isna(value):
        return f"unter {role_k}" if role_k else "–"
    return f"{int(value):,}".replace(",", ".")
