"""Hot spot changes by street section as a role may see them: the one definition of
``reports.analysis.hotspot_change`` on the numbers the role is shown.

For the public, Gi* runs on the published cell counts (as on the map), each section's count
is published on its own (``publish_counts`` via ``access.aggregate_for``) and the label is
decided on those published values, so a label says nothing its numbers do not and always agrees with
them.
"""

from __future__ import annotations

import pandas as pd

from geo.aggregate import counts_by_cell
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
from reports.privacy.access import Role, aggregate_for
from reports.views.tables import analysis_values, min_count


def section_changes_for(now: pd.DataFrame, before: pd.DataFrame, role: Role,
                        boundary: Boundary, spec: GridSpec = SPEC) -> pd.DataFrame:
    """DataFrame[COLUMNS + hidden] of the two periods' frames (already the role's reports):
    ``reports_now`` / ``reports_before`` as ``role`` may see them (NA: "unter k"); ``cells``
    is hidden with a hidden count (it bounds the count from below)."""
    k = min_count(role)
    if not k:
        return section_changes(now, before, boundary, spec).assign(hidden=False)
    exact_now, exact_before = (counts_by_cell(frame, spec) for frame in (now, before))
    hot_now, hot_before = (
        hot_cells(p.assign(reports=analysis_values(p["reports"], role)), boundary.district,
                  spec, max(MIN_CELL_REPORTS, k))
        for p in (aggregate_for(role, c, "reports") for c in (exact_now, exact_before)))
    sections = section_counts(exact_now, exact_before, hot_now, hot_before, boundary, spec)
    if sections.empty:
        return pd.DataFrame(columns=[*COLUMNS, "hidden"])
    shown = aggregate_for(role, sections, ["reports_now", "reports_before"])
    shown["cells"] = shown["cells"].astype("Int64").where(~shown["hidden"])
    labelled = with_labels(shown, analysis_values(shown["reports_now"], role),
                           analysis_values(shown["reports_before"], role), k)
    return labelled.assign(hidden=labelled["reports_now"].isna()
                           | labelled["reports_before"].isna())
