"""Sitzung and its handout: hot spot changes per Ortsteil, top places per topic, the agenda's
hot spots, key figures, the weekly course and the hot cells of the handout's map, as a role
may see them."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd

from geo.boundary import assign_ortsteil
from geo.compare import two_period
from geo.gazetteer import nearest_street
from geo.grid import GridSpec, cell_centres, grid
from reports.analysis.analytics import key_figures
from reports.privacy.access import Role
from reports.views.hotspots import hotspot_changes_for, role_cell_counts
from reports.views.map import hotspot_cells
from reports.views.tables import table_for, with_change

SPEC = GridSpec(100, "square")
CHANGE_KINDS = {"new": "Neue Hotspots", "intensifying": "Verstärkte Hotspots",
                "diminishing": "Abgeschwächte Hotspots"}


def hotspot_change_summary(now: pd.DataFrame, before: pd.DataFrame, role: Role, area,
                           spec: GridSpec = SPEC) -> tuple[dict[str, int], pd.DataFrame]:
    """Number of cells per kind of change, and DataFrame[Ortsteil, change_label, Zellen,
    jetzt, davor, hidden]: changed cells per Ortsteil (counts summed from the published
    cell counts, so a sum shows nothing its cells hide)."""
    changes = hotspot_changes_for(now, before, role, spec, area)
    cx, cy = cell_centres(changes["cell_id"].to_numpy(), spec)
    changes["Ortsteil"] = assign_ortsteil(cx, cy)
    kinds = {key: int((changes["change"] == key).sum()) for key in CHANGE_KINDS}
    changed = changes[changes["change"].isin(list(CHANGE_KINDS))]
    table = (changed.groupby(["Ortsteil", "change_label"], dropna=False)
             .agg(Zellen=("cell_id", "size"),
                  jetzt=("reports_now", lambda s: s.sum(min_count=len(s))),
                  davor=("reports_before", lambda s: s.sum(min_count=len(s))))
             .reset_index().sort_values(["Zellen", "jetzt"], ascending=False))
    table["Ortsteil"] = table["Ortsteil"].fillna("außerhalb")
    table["hidden"] = table["jetzt"].isna() | table["davor"].isna()
    return kinds, table


def top_places(now: pd.DataFrame, before: pd.DataFrame, role: Role, topic: str,
               spec: GridSpec = SPEC, n: int = 5) -> pd.DataFrame:
    """DataFrame[Ort, Ortsteil, Zellen, now, before, change, hidden]: the ``n`` places (cells
    grouped by nearest street) with most reports of ``topic``, hidden rows last by name."""
    cells = two_period(now[now["topic"] == topic], before[before["topic"] == topic], spec)
    x, y = cell_centres(cells["cell_id"].to_numpy(), spec)
    cells = cells.assign(Ort=nearest_street(x, y),
                         Ortsteil=pd.Series(assign_ortsteil(x, y), index=cells.index)
                         .fillna("außerhalb"))
    places = (cells.groupby(["Ort", "Ortsteil"], as_index=False)
              .agg(Zellen=("cell_id", "size"), now=("now", "sum"), before=("before", "sum")))
    # the number of cells bounds a hidden count from below, so it is dropped with it
    shown = with_change(table_for(role, places, ["now", "before"]))
    shown["Zellen"] = places["Zellen"].astype("Int64").where(~shown["hidden"])
    return shown.sort_values(["now", "before", "Ort"], ascending=[False, False, True],
                             na_position="last").head(n)


def agenda_hotspots(hotspots: pd.DataFrame, role: Role) -> pd.DataFrame:
    """The agenda's hot spot table (``coordination.agenda.Agenda.hotspots``) as ``role``
    may see it; the cell count is hidden with the counts."""
    shown = table_for(role, hotspots, ["reports_now", "reports_before"])
    shown["cells"] = hotspots["cells"].astype("Int64").where(~shown["hidden"])
    return shown


def handout_figures(now: pd.DataFrame, before: pd.DataFrame, role: Role) -> pd.DataFrame:
    """Key figures (total and per topic) for the handout's cover."""
    raw = pd.concat([key_figures(now, before), key_figures(now, before, "topic")])
    return with_change(table_for(role, raw[["group", "now", "before"]], ["now", "before"]))


def handout_hot_cells(now: pd.DataFrame, role: Role, area, spec: GridSpec = SPEC
                      ) -> gpd.GeoDataFrame:
    """Significant Gi* cells (gi_class, geometry) for the handout's map, from the role's cell
    counts with the same minimum as the map."""
    gi = hotspot_cells(role_cell_counts(now, spec, role), spec, area, role, 150.0)
    return grid(spec, area).merge(gi.loc[gi["gi_class"] != 0, ["cell_id", "gi_class"]],
                                  on="cell_id")
