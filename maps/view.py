"""The Karte page's map as one plain function: visible reports + options -> folium map and
the exact accounting of which reports are on it and which are not (and why)."""

from __future__ import annotations

from dataclasses import dataclass, field

import folium
import geopandas as gpd
import numpy as np
import pandas as pd

from config.locale import german_number
from geo.aggregate import counts_by_cell, counts_by_ortsteil, counts_on_grid
from geo.density import image_bounds, kde
from geo.grid import GridSpec, grid
from geo.hotspots import gi_star
from maps.assets import localise
from maps.base import add_boundary, base_map
from maps.layers import (
    HEAT_GRADIENT,
    MAX_MARKERS,
    cell_heat_layer,
    cell_layer,
    hotspot_layer,
    kde_layer,
    marker_layer,
    ortsteile_layer,
)
from maps.legend import LegendSection, add_legend
from maps.measures import measure_layer
from reports.analysis.analytics import group_label
from reports.coordination.measures import Measure
from reports.model import PLACED_STATUSES
from reports.privacy.access import Role, policy_for, public_total
from reports.render.palette import TOPIC_COLORS

LAYERS = {
    "heat": "Heatmap",
    "cells": "Rasterzellen",
    "ortsteile": "Ortsteile",
    "hotspots": "Hotspots (Gi*)",
    "markers": "Einzelmeldungen",
    "measures": "Maßnahmen",
}


@dataclass(frozen=True)
class MapOptions:
    layers: tuple[str, ...] = ("heat", "cells", "hotspots")
    cell_m: int = 100
    shape: str = "square"
    per_1000: bool = False
    heat: str = "kde"  # "kde": density image; "cells": weighted HeatMap of cell counts
    bandwidth_m: float = 150.0
    layer_list_open: bool = True  # False: the layer list is a button (small maps)


@dataclass
class MapContext:
    """The district's geometry, loaded once per process by the caller."""

    ortsteile: gpd.GeoDataFrame  # name, geometry (25833)
    district: object  # shapely geometry (25833)
    streets: gpd.GeoDataFrame | None = None
    population: pd.DataFrame | None = None
    tile_url: str | None = None
    attribution: str = ""


@dataclass
class MapResult:
    map: folium.Map
    total: int  # reports of the filter visible to the role
    placed: int
    unresolved: int
    outside: int
    suppressed: int = 0  # in cells/Ortsteile below the public minimum count
    markers_shown: int = 0
    markers_total: int = 0
    notes: list[str] = field(default_factory=list)
    min_count: int = 0  # k for the public: smaller counts are not printed


def placement_counts(frame: pd.DataFrame) -> tuple[pd.DataFrame, int, int]:
    """Placed reports (only the columns the aggregates need: copying a million rows' text
    columns would dominate a filter change), and the numbers of unresolved and outside ones."""
    status = frame["geocode_status"].astype("string").fillna("unresolved")
    ok = status.isin(PLACED_STATUSES).to_numpy() & frame["x"].notna().to_numpy()
    outside = int((status == "outside").sum())
    return frame[["x", "y", "occurred_at"]][ok], int((~ok).sum()) - outside, outside


def build_map(frame: pd.DataFrame, role: Role, options: MapOptions, ctx: MapContext,
              measures: list[Measure] | None = None) -> MapResult:
    """Folium map of ``frame`` (already passed through ``visible_reports`` for ``role``)."""
    policy = policy_for(role)
    pts, unresolved, outside = placement_counts(frame)
    result = MapResult(base_map(ctx.ortsteile, ctx.streets, tile_url=ctx.tile_url,
                                attribution=ctx.attribution),
                       len(frame), len(pts), unresolved, outside,
                       min_count=policy.min_count)
    m = result.map
    legend: list[LegendSection] = []
    spec = GridSpec(options.cell_m, options.shape)  # type: ignore[arg-type]
    cell_label = f"{'Sechseck' if options.shape == 'hex' else 'Quadrat'} {options.cell_m} m"
    k = policy.min_count
    counts = counts_by_cell(pts, spec)
    if k:
        small = counts["reports"] < k
        result.suppressed = int(counts.loc[small, "reports"].sum())
        shown_counts = counts[~small]
    else:
        shown_counts = counts

    if "heat" in options.layers and len(pts):
        if options.heat == "kde" and not k:
            surface = kde(pts["x"].to_numpy(), pts["y"].to_numpy(),
                          bandwidth_m=options.bandwidth_m, cell_m=25.0,
                          bounds=_padded(ctx.district.bounds, options.bandwidth_m))
            layer, section = kde_layer(surface, image_bounds(surface))
            layer.add_to(m)
            legend.append(section)
        else:
            # The public's heat comes from the suppressed cell counts only.
            cells = _cell_frame(shown_counts, spec, ctx)
            cents = cells.geometry.centroid.to_crs(4326)
            points = np.column_stack([cents.y, cents.x, cells["reports"]]).tolist()
            cell_heat_layer(points).add_to(m)
            legend.append(LegendSection("Heatmap: Meldungsdichte", [
                (HEAT_GRADIENT[0.2], "gering"), (HEAT_GRADIENT[0.6], "mittel"),
                (HEAT_GRADIENT[1.0], "hoch")]))

    if "cells" in options.layers and len(shown_counts):
        layer, section = cell_layer(_cell_frame(shown_counts, spec, ctx), cell_label)
        layer.add_to(m)
        legend.append(section)

    if "ortsteile" in options.layers:
        per = counts_by_ortsteil(frame[["ortsteil"]], ctx.population)
        joined = ctx.ortsteile.merge(per, left_on="name", right_on="ortsteil", how="left")
        joined["reports"] = joined["reports"].fillna(0).astype(int)
        if k:
            joined.loc[joined["reports"] < k, ["reports", "per_1000"]] = [0, np.nan]
        if options.per_1000 and joined["per_1000"].isna().all():
            result.notes.append("Keine Einwohnerzahlen hinterlegt: Ortsteile zeigen absolute "
                                "Zahlen statt Raten je 1.000 Einwohner.")
        layer, section = ortsteile_layer(
            joined, options.per_1000 and not joined["per_1000"].isna().all(),
            show="cells" not in options.layers)
        layer.add_to(m)
        legend.append(section)

    if "hotspots" in options.layers and len(pts):
        full = counts_on_grid(counts, spec, ctx.district)
        gi = gi_star(full, spec, distance_band_m=max(150.0, 1.5 * options.cell_m))
        if k:
            gi = gi[gi["band_reports"] >= k]
        cells = grid(spec, ctx.district).merge(gi, on="cell_id")
        if (cells["gi_class"] != 0).any():
            layer, section = hotspot_layer(cells)
            layer.add_to(m)
            legend.append(section)
        else:
            result.notes.append("Hotspot-Analyse: keine signifikanten Hot- oder Coldspots "
                                "(oder zu wenige Meldungen) im gewählten Zeitraum.")

    if "markers" in options.layers:
        if not policy.sees_points:
            result.notes.append("Einzelmeldungen sind nur für angemeldete Mitglieder sichtbar.")
        elif len(pts):
            layer, shown = marker_layer(frame, pts.index, MAX_MARKERS)
            layer.add_to(m)
            present = set(frame.loc[pts.index, "topic"].astype(str))
            legend.append(LegendSection("Einzelmeldungen nach Thema", [
                (colour, group_label("topic", topic)) for topic, colour in TOPIC_COLORS.items()
                if topic in present]))
            result.markers_shown, result.markers_total = shown, len(pts)
            if shown < len(pts):
                result.notes.append(
                    f"Einzelmeldungen: die {german_number(shown)} neuesten von "
                    f"{german_number(len(pts))} "
                    "Meldungen als Marker; Clusterzahlen beziehen sich nur auf diese. "
                    "Für alle Meldungen den Filter eingrenzen oder die Rasterzellen nutzen.")

    if "measures" in options.layers and measures:
        layer, section = measure_layer(measures)
        layer.add_to(m)
        legend.append(section)

    add_boundary(m, ctx.district)
    add_legend(m, legend)
    folium.LayerControl(collapsed=not options.layer_list_open).add_to(m)
    localise(m)
    return result


def _padded(bounds, pad: float) -> tuple[float, float, float, float]:
    xmin, ymin, xmax, ymax = bounds
    return (xmin - pad, ymin - pad, xmax + pad, ymax + pad)


def _cell_frame(counts: pd.DataFrame, spec: GridSpec, ctx: MapContext) -> gpd.GeoDataFrame:
    """Counted cells with their (clipped) polygons."""
    return grid(spec, ctx.district).merge(counts[["cell_id", "reports"]], on="cell_id")


def not_on_map_text(result: MapResult) -> str:
    """The German sentence that accounts for every report of the filter; for the public,
    counts below k are given as "weniger als k" (``reports.privacy.access.public_total``)."""
    def count(n: int) -> str:
        shown = public_total(n, result.min_count) if result.min_count else n
        return f"weniger als {result.min_count}" if shown is None else german_number(shown)

    parts = []
    if result.unresolved:
        parts.append(f"{count(result.unresolved)} ohne zuordenbaren Ort")
    if result.outside:
        parts.append(f"{count(result.outside)} außerhalb des Gebiets")
    if result.suppressed:
        parts.append(f"{count(result.suppressed)} in Zellen mit zu wenigen Meldungen "
                     "(Datenschutz)")
    on_map = result.placed - result.suppressed
    text = f"{count(on_map)} von {count(result.total)} Meldungen des Filters sind auf der Karte"
    return text + (": nicht dargestellt sind " + ", ".join(parts) + "." if parts else ".")
