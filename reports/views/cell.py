"""One grid cell's numbers, for the panel that opens when a member or the public clicks the
map: reports by topic now and in the period before, the change, and the cell's Gi* class,
as the role may see them (published counts for the public, like the map's cells; every
topic is listed, "unter k" also for none, so a click does not tell an empty cell)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import shapely

from geo.crs import to_metric
from geo.grid import GridSpec, cell_ids, cell_polygons
from reports.analysis.analytics import format_change, group_label, key_figures
from reports.privacy.access import Role, policy_for
from reports.views.map import hotspot_cells, placement_counts, published_cells
from reports.views.tables import with_change
from reports.views.trends import Place


@dataclass
class CellDetails:
    cell_id: int
    table: pd.DataFrame  # Thema, jetzt, davor, Veränderung (texts as the role may see them)
    total_now: str
    total_before: str
    change: str
    gi_class: int  # -3..3 as in geo.hotspots; 0: not significant


def cell_details(now: pd.DataFrame, before: pd.DataFrame, role: Role, spec: GridSpec,
                 cell_id: int, area, distance_band_m: float) -> CellDetails:
    """The numbers of cell ``cell_id`` (frames from ``source.reports_for`` for ``role``)."""
    policy = policy_for(role)
    a, b = reports_in_cell(now, spec, cell_id), reports_in_cell(before, spec, cell_id)
    raw = pd.concat([key_figures(a, b), key_figures(a, b, "topic", policy.groups("topic"))],
                    ignore_index=True)
    table = with_change(policy.table(raw, ["now", "before"], ["change", "change_pct"]))
    changes = [None if pd.isna(x) or pd.isna(y) else format_change(int(x), int(y))
               for x, y in zip(table["now"], table["before"], strict=True)]
    shown = pd.DataFrame({
        "Thema": [group_label("topic", g) if g != "Gesamt" else g for g in table["group"]],
        "jetzt": [policy.text(v) for v in table["now"]],
        "davor": [policy.text(v) for v in table["before"]],
        "Veränderung": [c or "–" for c in changes]})
    pts, _, _ = placement_counts(now)
    gi = hotspot_cells(published_cells(pts, spec, role), spec, area, role, distance_band_m)
    match = gi.loc[gi["cell_id"] == cell_id, "gi_class"]
    cls = int(match.iloc[0]) if len(match) and not pd.isna(match.iloc[0]) else 0
    return CellDetails(int(cell_id), shown.iloc[1:].reset_index(drop=True), shown["jetzt"][0],
                       shown["davor"][0], changes[0] or "–", cls)


def clicked_cell(lon: float, lat: float, spec: GridSpec, area) -> tuple[int, float, float] | None:
    """(cell id, x, y) of a click on the map (WGS84), or None outside the district (``area``,
    EPSG:25833) and its one-cell margin."""
    x, y = (float(v[0]) for v in to_metric(np.array([lon]), np.array([lat])))
    if not shapely.contains_xy(shapely.buffer(area, spec.cell_m), x, y):
        return None
    return int(cell_ids(np.array([x]), np.array([y]), spec)[0]), x, y


def reports_in_cell(frame: pd.DataFrame, spec: GridSpec, cell_id: int) -> pd.DataFrame:
    """The rows of ``frame`` (already the role's) placed in cell ``cell_id``: the Trends
    page's view of one place chosen on the map."""
    pts, _, _ = placement_counts(frame)
    inside = cell_ids(pts["x"].to_numpy(), pts["y"].to_numpy(), spec) == cell_id
    return frame.loc[pts.index[inside]]


def cell_place(cell_id: int, spec: GridSpec, label: str) -> Place:
    """A cell chosen on the map as the Trends page's place."""
    return Place("cell", label, cell_polygons([cell_id], spec).geometry.iloc[0])
