"""Hot spots and their change between two periods as a role may see them: for the public,
Gi* runs on the published cell counts, so a class carries nothing the counts do not."""

from __future__ import annotations

import pandas as pd

from geo.aggregate import counts_by_cell
from geo.compare import hotspot_changes_of_counts
from geo.grid import GridSpec
from reports.privacy.access import Role
from reports.views.tables import analysis_values, min_count, table_for


def role_cell_counts(frame: pd.DataFrame, spec: GridSpec, role: Role) -> pd.DataFrame:
    """DataFrame[cell_id, reports, hidden] with the counts ``role`` may see."""
    return table_for(role, counts_by_cell(frame, spec), "reports")


def hotspot_changes_for(now: pd.DataFrame, before: pd.DataFrame, role: Role,
                        spec: GridSpec, area=None, distance_band_m: float = 150.0
                        ) -> pd.DataFrame:
    """``geo.compare.hotspot_changes`` on the role's cell counts, with ``reports_now`` and
    ``reports_before`` as the role may see them, ``hidden`` and ``rank_now`` (the value the
    order may use: published, a hidden count in the middle of its band)."""
    k = min_count(role)
    counts = {key: role_cell_counts(frame, spec, role) for key, frame in
              (("now", now), ("before", before))}
    values = {key: c.assign(reports=analysis_values(c["reports"], role))
              for key, c in counts.items()}
    changes = hotspot_changes_of_counts(values["now"], values["before"], spec,
                                        distance_band_m, area, min_reports=max(3, k))
    for key in ("now", "before"):
        shown = changes[["cell_id"]].merge(counts[key], on="cell_id", how="left")
        changes[f"reports_{key}"] = shown["reports"].fillna(0).astype("Int64").where(
            ~shown["hidden"].fillna(False).astype(bool))
    changes["rank_now"] = analysis_values(changes["reports_now"], role)
    changes["hidden"] = changes["reports_now"].isna() | changes["reports_before"].isna()
    return changes
