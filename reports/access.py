"""Roles and the one function that decides what a role may see.

Every report frame that reaches a page passes through ``visible_reports``; pages never
filter by role themselves.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import numpy as np
import pandas as pd

from reports.model import vocabulary
from reports.settings import settings


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
        keep &= ~frame["category"].isin(vocabulary().restricted_categories).to_numpy()
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
