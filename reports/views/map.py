"""What the Karte (and the Überblick's small map) may draw for a role: cell counts, Ortsteil
counts, hot spot classes, heat, markers and the sentence that accounts for every report.

``maps.view.build_map`` only renders a ``MapView``; every number on the map is decided here,
after ``reports.privacy``: for the public, cells and Ortsteile carry published counts (cell
key method, see ``reports.privacy.policy``), cells under k are not drawn (as empty ones),
heat and Gi* hot spots are computed from the published cell counts only (hidden cells and
empty cells alike), and hot spot tooltips carry no count.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo.aggregate import counts_by_ortsteil, counts_on_grid
from geo.density import Surface, kde
from geo.grid import GridSpec, cell_ids, grid
from geo.hotspots import gi_star
from reports.model import PLACED_STATUSES, RECORD_KEY
from reports.privacy.access import Role, policy_for

LAYERS = {
    "heat": "Heatmap",
    "cells": "Rasterzellen",
    "ortsteile": "Ortsteile",
    "hotspots": "Hotspots (Gi*)",
    "markers": "Einzelmeldungen",
    "measures": "Maßnahmen",
}
MAX_MARKERS = 2000  # single reports as markers; beyond this the page asks to narrow the filter


@dataclass(frozen=True)
class MapOptions:
    layers: tuple[str, ...] = ("heat", "cells", "hotspots")
    cell_m: int = 100
    shape: str = "square"
    per_1000: bool = False
    heat: str = "kde"  # "kde": density image; "cells": weighted heat of cell counts
    bandwidth_m: float = 150.0


@dataclass
class MapContext:
    """The district's geometry, loaded once per process by the caller."""

    ortsteile: gpd.GeoDataFrame  # name, geometry (25833)
    district: shapely.Geometry  # EPSG:25833
    streets: gpd.GeoDataFrame | None = None
    population: pd.DataFrame | None = None
    tile_url: str | None = None
    attribution: str = ""


@dataclass
class MapView:
    """Exactly what a map may show; ``maps.view.build_map`` draws it and decides nothing."""

    cell_label: str
    exact: bool  # False: counts are published (rounded, small ones hidden)
    kde: Surface | None = None
    heat_points: list[list[float]] | None = None  # [lat, lon, weight] of cells
    cells: gpd.GeoDataFrame | None = None  # cell_id, geometry, reports (NA: hidden), text
    ortsteile: gpd.GeoDataFrame | None = None  # name, geometry, value, reports, rate (text)
    ortsteile_rates: bool = False
    hotspots: gpd.GeoDataFrame | None = None  # gi_class, geometry (+ reports, z)
    markers: pd.DataFrame | None = None  # newest visible placed reports (members only)
    markers_total: int = 0
    notes: list[str] = field(default_factory=list)
    accounting: str = ""


def _fmt(n: int) -> str:
    return f"{n:,}".replace(",", ".")


def _keys(frame: pd.DataFrame) -> np.ndarray:
    return frame[RECORD_KEY].to_numpy(np.int64) if RECORD_KEY in frame else np.zeros(
        len(frame), dtype=np.int64)


def placement_counts(frame: pd.DataFrame) -> tuple[pd.DataFrame, int, int]:
    """Placed reports (only the columns the aggregates need: copying a million rows' text
    columns would dominate a filter change), and the numbers of unresolved and outside ones."""
    pts, unresolved, outside = _placement(frame)
    return pts, len(unresolved), len(outside)


def _placement(frame: pd.DataFrame) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """Placed reports (x, y, occurred_at and the record key) and the record keys of the
    unresolved and of the outside ones."""
    status = frame["geocode_status"].astype("string").fillna("unresolved")
    ok = status.isin(PLACED_STATUSES).to_numpy() & frame["x"].notna().to_numpy()
    outside = (status == "outside").to_numpy()
    keys = _keys(frame)
    pts = frame[["x", "y", "occurred_at"]][ok].assign(**{RECORD_KEY: keys[ok]})
    return pts, keys[~ok & ~outside], keys[outside]


def cell_tally(pts: pd.DataFrame, spec: GridSpec) -> pd.DataFrame:
    """DataFrame[cell_id, reports, reports_key] of the cells with reports (``reports_key``:
    the sum of their record keys, from which the public's figures are published)."""
    placed = pts[pts["x"].notna() & pts["y"].notna()]
    ids = cell_ids(placed["x"].to_numpy(), placed["y"].to_numpy(), spec)
    inverse, uniq = pd.factorize(ids, sort=True)
    counts = np.bincount(inverse, minlength=len(uniq)).astype(np.int64)
    # float sums of integer keys are exact far beyond a million reports (< 2**53)
    keys = np.bincount(inverse, weights=_keys(placed), minlength=len(uniq)).astype(np.int64)
    return pd.DataFrame({"cell_id": uniq, "reports": counts, "reports_key": keys})


def published_cells(pts: pd.DataFrame, spec: GridSpec, role: Role) -> pd.DataFrame:
    """DataFrame[cell_id, reports, exact]: counts per cell as ``role`` may see them
    (``reports`` NA: hidden); ``exact`` keeps the true count for sums the role may see."""
    counts = cell_tally(pts, spec)
    shown = policy_for(role).publish(counts["reports"], counts["reports_key"])
    return counts.assign(exact=counts["reports"], reports=shown)


def hotspot_cells(cells: pd.DataFrame, spec: GridSpec, area, role: Role,
                  distance_band_m: float) -> pd.DataFrame:
    """Gi* on the role's cell counts (for the public the published ones, a hidden cell
    like an empty one: ``Policy.values``): DataFrame[cell_id, reports, z, gi_class, ...]."""
    policy = policy_for(role)
    values = cells[["cell_id"]].assign(reports=policy.values(cells["reports"]))
    full = counts_on_grid(values, spec, area)
    return gi_star(full, spec, distance_band_m=distance_band_m,
                   min_reports=max(3, policy.min_count), min_total=30)


def map_view(frame: pd.DataFrame, role: Role, options: MapOptions, ctx: MapContext) -> MapView:
    """The map of ``frame`` (from ``source.reports_for``) for ``role``."""
    policy = policy_for(role)
    pts, unresolved, outside = _placement(frame)
    spec = GridSpec(options.cell_m, options.shape)  # type: ignore[arg-type]
    view = MapView(f"{'Sechseck' if options.shape == 'hex' else 'Quadrat'} {options.cell_m} m",
                   exact=policy.exact)
    cells = published_cells(pts, spec, role)
    hidden_cells = cells["reports"].isna().to_numpy()

    if "heat" in options.layers and len(pts):
        if options.heat == "kde" and policy.exact:
            pad = options.bandwidth_m
            xmin, ymin, xmax, ymax = ctx.district.bounds
            view.kde = kde(pts["x"].to_numpy(), pts["y"].to_numpy(),
                           bandwidth_m=options.bandwidth_m, cell_m=25.0,
                           bounds=(xmin - pad, ymin - pad, xmax + pad, ymax + pad))
        else:
            shown = _cell_frame(cells[~hidden_cells], spec, ctx)
            cents = shown.geometry.centroid.to_crs(4326)
            view.heat_points = np.column_stack(
                [cents.y, cents.x, shown["reports"].to_numpy(dtype="float64")]).tolist()

    if "cells" in options.layers and (~hidden_cells).any():
        # a drawn "hidden" cell would say "at least one": under k looks like empty
        drawn = _cell_frame(cells[~hidden_cells], spec, ctx)
        view.cells = drawn.assign(text=[policy.text(v) for v in drawn["reports"]])

    if "ortsteile" in options.layers:
        view.ortsteile, view.ortsteile_rates = _ortsteile(frame, role, options, ctx)
        if options.per_1000 and not view.ortsteile_rates:
            view.notes.append("Keine Einwohnerzahlen hinterlegt: Ortsteile zeigen absolute "
                              "Zahlen statt Raten je 1.000 Einwohner.")

    if "hotspots" in options.layers and len(pts):
        gi = hotspot_cells(cells, spec, ctx.district, role, max(150.0, 1.5 * options.cell_m))
        hot = grid(spec, ctx.district).merge(gi[gi["gi_class"] != 0], on="cell_id")
        if len(hot):
            hot["gi_class"] = hot["gi_class"].astype(int)
            keep = ["cell_id", "gi_class", "geometry"]
            if policy.exact:  # members see the cell's own count and z; the public the class
                hot["z"] = hot["z"].astype(float).round(2)
                keep += ["reports", "z"]
            view.hotspots = hot[keep]
        else:
            view.notes.append("Hotspot-Analyse: keine signifikanten Hot- oder Coldspots "
                              "(oder zu wenige Meldungen) im gewählten Zeitraum.")

    if "markers" in options.layers:
        if not policy.sees_points:
            view.notes.append("Einzelmeldungen sind nur für angemeldete Mitglieder sichtbar.")
        elif len(pts):
            times = frame.loc[pts.index, "occurred_at"]
            view.markers = frame.loc[times.sort_values(ascending=False).index[:MAX_MARKERS]]
            view.markers_total = len(pts)
            if len(view.markers) < len(pts):
                view.notes.append(
                    f"Einzelmeldungen: die {_fmt(len(view.markers))} neuesten von "
                    f"{_fmt(len(pts))} Meldungen als Marker; Clusterzahlen beziehen sich nur "
                    "auf diese. Für alle Meldungen den Filter eingrenzen oder die "
                    "Rasterzellen nutzen.")

    # the record keys of the reports in hidden cells: those whose cell reads "unter k"
    in_cells = cell_ids(pts["x"].to_numpy(), pts["y"].to_numpy(), spec)
    in_hidden = np.isin(in_cells, cells["cell_id"].to_numpy()[hidden_cells])
    keys = pts[RECORD_KEY].to_numpy(np.int64)
    view.accounting = accounting_text(role, _keys(frame), keys[~in_hidden], unresolved,
                                      outside, keys[in_hidden])
    return view


def _cell_frame(cells: pd.DataFrame, spec: GridSpec, ctx: MapContext) -> gpd.GeoDataFrame:
    """Counted cells with their (clipped) polygons."""
    return grid(spec, ctx.district).merge(cells[["cell_id", "reports"]], on="cell_id")


def _ortsteile(frame: pd.DataFrame, role: Role, options: MapOptions, ctx: MapContext
               ) -> tuple[gpd.GeoDataFrame, bool]:
    """Ortsteile with their (published) counts and rates computed from those counts."""
    policy = policy_for(role)
    per = counts_by_ortsteil(frame[["ortsteil"]], ctx.population)
    key_sums = pd.Series(_keys(frame)).groupby(frame["ortsteil"].to_numpy()).sum()
    joined = ctx.ortsteile.merge(per, left_on="name", right_on="ortsteil", how="left")
    exact = joined["reports"].fillna(0).astype("int64")
    reports = policy.publish(exact, key_sums.reindex(joined["name"], fill_value=0).to_numpy())
    rate = (reports.astype("Float64") / joined["einwohner"].astype("Float64") * 1000
            if "einwohner" in joined else pd.Series(pd.NA, index=joined.index, dtype="Float64"))
    rates = bool(options.per_1000 and rate.notna().any())
    out = joined[["name", "geometry"]].assign(
        reports=reports, per_1000=rate.round(1),
        value=(rate if rates else reports.astype("Float64")).astype("float64"),
        text=[policy.text(v) for v in reports],
        rate=["–" if pd.isna(v) else f"{v:.1f}".replace(".", ",") for v in rate])
    return gpd.GeoDataFrame(out, geometry="geometry", crs=ctx.ortsteile.crs), rates


def accounting_text(role: Role, total: np.ndarray, on_map: np.ndarray, unresolved: np.ndarray,
                    outside: np.ndarray, hidden: np.ndarray) -> str:
    """The German sentence that accounts for every report of the filter (each term given by
    the record keys of its reports). For the public each number is published on its own,
    and every part is named also when it is empty ("unter k" for 0 .. k-1), so neither a
    difference nor a missing part tells anything."""
    policy = policy_for(role)

    def count(keys: np.ndarray) -> str:
        if policy.exact:
            return _fmt(len(keys))
        shown = policy.publish([len(keys)], [int(keys.sum())]).iloc[0]
        return policy.text(shown) if pd.isna(shown) else f"rund {_fmt(shown)}"

    named = [(unresolved, "ohne zuordenbaren Ort"), (outside, "außerhalb des Gebiets"),
             (hidden, f"in Zellen mit weniger als {policy.min_count} Meldungen (Datenschutz)")]
    parts = [f"{count(keys)} {what}" for keys, what in named if len(keys) or not policy.exact]
    text = f"{count(on_map)} von {count(total)} Meldungen des Filters sind auf der Karte"
    return text + (": nicht dargestellt sind " + ", ".join(parts) + "." if parts else ".")
