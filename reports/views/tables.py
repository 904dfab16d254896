"""Aggregate tables as a role may see them, and their numbers as the page prints them.

Everything a page draws from the reports goes through the role's ``Policy``
(``reports.privacy.policy``, the one place that applies the role's rules); derived figures
(changes, rates, means) are computed afterwards from the published counts.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from reports.privacy.access import Role, policy_for


def min_count(role: Role) -> int:
    """k for ``role``: 0 for roles that see exact counts (for the handout's texts)."""
    return policy_for(role).min_count


def with_change(table: pd.DataFrame, now: str = "now", before: str = "before") -> pd.DataFrame:
    """``change`` and ``change_pct`` from the (published) counts; NA where either is hidden."""
    out = table.copy()
    a = out[now].astype("Float64")
    b = out[before].astype("Float64")
    out["change"] = (a - b).astype("Float64")
    pct = (a - b) / b * 100
    out["change_pct"] = pct.where(b > 0)
    return out


def readable(table: pd.DataFrame, role: Role, counts: Sequence[str]) -> pd.DataFrame:
    """Numbers as text for a page's table: hidden counts read "unter k", other missing
    values "–"; every count column is text, so exact and rounded values look alike."""
    policy = policy_for(role)
    out = table.copy()
    for column in out.columns:
        if column in counts:
            out[column] = [policy.text(v) for v in out[column]]
        elif pd.api.types.is_numeric_dtype(out[column]) and out[column].isna().any():
            out[column] = ["–" if pd.isna(v) else f"{v:,.0f}".replace(",", ".")
                           if float(v).is_integer() else f"{v:.2f}".replace(".", ",")
                           for v in out[column]]
    return out.drop(columns=[c for c in ("hidden",) if c in out])


def rounding_note(role: Role) -> str | None:
    """The caption that explains public numbers, or None for exact ones."""
    return policy_for(role).note()
