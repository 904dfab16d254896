"""Hot spot changes by street section as a role may see them: the one definition of
``reports.analysis.hotspot_change`` on the numbers the role is shown.

For the public, Gi* runs on the published cell counts (as on the map), each section's count
is published on its own (the cell key method of ``reports.privacy.policy``) and the label is
decided on those published values, so a label says nothing its numbers do not and always agrees with
them.
"""

from __future__ import annotations

import pandas as pd

from geo.boundary import Boundary
from geo.grid import GridSpec
from reports.analysis.hotspot_change import (
    COLUMNS,
    MIN_CELL_REPORTS,
    SPEC,
    hot_cells,
    section_changes,
    section_counts,
    with_labels,
)
from reports.privacy.access import Role, policy_for
from reports.views.map import cell_tally


def section_changes_for(now: pd.DataFrame, before: pd.DataFrame, role: Role,
                        boundary: Boundary, spec: GridSpec = SPEC) -> pd.DataFrame:
    """DataFrame[COLUMNS + hidden] of the two periods' frames (already the role's reports):
    ``reports_now`` / ``reports_before`` as ``role`` may see them (NA: "unter k"); ``cells``
    is hidden with a hidden count (it bounds the count from below)."""
    policy = policy_for(role)
    if policy.exact:
        return section_changes(now, before, boundary, spec).assign(hidden=False)
    exact_now, exact_before = (cell_tally(frame, spec) for frame in (now, before))
    hot_now, hot_before = (
        hot_cells(p.assign(reports=policy.values(p["reports"])), boundary.district, spec,
                  max(MIN_CELL_REPORTS, policy.min_count))
        for p in (policy.table(c, "reports") for c in (exact_now, exact_before)))
    sections = section_counts(exact_now, exact_before, hot_now, hot_before, boundary, spec)
    if sections.empty:
        return pd.DataFrame(columns=[*COLUMNS, "hidden"])
    # the same sums over the cells' record keys: each section's figure is published from
    # the keys of exactly its reports
    key_now, key_before = (c.assign(reports=c["reports_key"]) for c in (exact_now, exact_before))
    keys = section_counts(key_now, key_before, hot_now, hot_before, boundary, spec)
    sections = sections.assign(reports_now_key=keys["reports_now"].to_numpy(),
                               reports_before_key=keys["reports_before"].to_numpy())
    shown = policy.table(sections, ["reports_now", "reports_before"])
    shown["cells"] = shown["cells"].astype("Int64").where(~shown["hidden"])
    labelled = with_labels(shown, policy.values(shown["reports_now"]),
                           policy.values(shown["reports_before"]), policy.min_count)
    return labelled.assign(hidden=labelled["reports_now"].isna()
                           | labelled["reports_before"].isna())
