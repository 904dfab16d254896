"""Roles and the one function that decides what a role may see.

Every report frame that reaches a page passes through ``visible_reports``; pages never
filter by role themselves.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

import numpy as np
import pandas as pd

from config.settings import settings
from reports.model import vocabulary


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


def suppress_counts(
    counts: pd.DataFrame,
    count_cols: str | Sequence[str] = "reports",
    k: int | None = None,
    margins: Sequence[Sequence[str]] = ((),),
    derived: Sequence[str] = (),
) -> pd.DataFrame:
    """Copy of an aggregate table with small counts suppressed, safe to publish.

    Primary suppression: a row is hidden if any of ``count_cols`` is between 1 and k-1
    (zero discloses no one). Complementary suppression: ``margins`` names the groupings whose
    totals are published alongside the table (``()`` = grand total; ``("period",)`` = one
    total per period); in each such group the hidden rows must together hold at least k
    reports and be at least two rows, otherwise "total minus the shown rows" would reveal
    them, so the next smallest rows are hidden as well. Several count columns (e.g. ``now``
    and ``before`` of a comparison) share one mask, so a difference never reveals a hidden count.

    Hidden counts and the ``derived`` columns (rates, z-scores, changes, labels) become
    NA; the boolean column ``suppressed`` marks the hidden rows.
    """
    cols = [count_cols] if isinstance(count_cols, str) else list(count_cols)
    k = settings().min_count if k is None else k
    out = counts.copy()
    values = [out[c].fillna(0).to_numpy(dtype="float64") for c in cols]
    mask = np.zeros(len(out), dtype=bool)
    for v in values:
        mask |= (v > 0) & (v < k)
    groupings = [
        out.groupby(list(m), sort=False, dropna=False).ngroup().to_numpy() if m
        else np.zeros(len(out), dtype=np.int64)
        for m in margins
    ]
    changed = k > 1 and mask.any()
    while changed:
        changed = False
        for group in groupings:
            for v in values:
                hidden_n = np.bincount(group, weights=mask)
                hidden_sum = np.bincount(group, weights=np.where(mask, v, 0.0))
                needs = (hidden_n == 1) | ((hidden_n > 0) & (hidden_sum < k))
                candidates = np.flatnonzero(needs[group] & ~mask)
                if not len(candidates):
                    continue
                # per group, the smallest non-zero row first (zeros add nothing to the sum)
                cv = v[candidates]
                order = np.lexsort((cv, cv == 0, group[candidates]))
                ordered = candidates[order]
                _, first = np.unique(group[ordered], return_index=True)
                mask[ordered[first]] = True
                changed = True
    for column in [*cols, *derived]:
        if pd.api.types.is_integer_dtype(out[column]):
            out[column] = out[column].astype("Int64")
        elif pd.api.types.is_bool_dtype(out[column]):
            out[column] = out[column].astype("boolean")
        out.loc[mask, column] = pd.NA
    out["suppressed"] = mask
    return out


def public_total(total: int, k: int | None = None) -> int | None:
    """A single published total (headline figure, KPI): hidden (None) below k."""
    k = settings().min_count if k is None else k
    return None if 0 < total < k else int(total)


def aggregate_for(
    role: Role,
    counts: pd.DataFrame,
    count_cols: str | Sequence[str] = "reports",
    margins: Sequence[Sequence[str]] = ((),),
    derived: Sequence[str] = (),
) -> pd.DataFrame:
    """The aggregate table ``role`` may see: suppressed for roles with a minimum count
    (the public), unchanged (plus ``suppressed`` = False) for everyone else.

    Aggregates must be computed from ``visible_reports(frame, role)`` first, so restricted
    categories never enter a public count.
    """
    k = policy_for(role).min_count
    if k > 0:
        return suppress_counts(counts, count_cols, k, margins, derived)
    out = counts.copy()
    out["suppressed"] = False
    return out

