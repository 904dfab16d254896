"""The Karte page's map as one plain function: a ``reports.views.map.MapView`` (what the role
may see, decided there) -> folium map. Nothing here counts, filters or hides."""

from __future__ import annotations

import folium
import geopandas as gpd
from folium.map import Layer

from geo.crs import DISPLAY_CRS
from geo.density import image_bounds
from geo.grid import GridSpec, cell_polygons
from maps.assets import localise
from maps.base import add_boundary, base_map, layer_control, to_geojson
from maps.layers import (
    HEAT_GRADIENT,
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
from reports.render.palette import TOPIC_COLORS
from reports.views.map import MapContext, MapView


def build_map(view: MapView, ctx: MapContext, measures: list[Measure] | None = None
              ) -> folium.Map:
    """Folium map drawing exactly the layers and numbers of ``view``."""
    m = base_map(ctx.ortsteile, ctx.streets, tile_url=ctx.tile_url, attribution=ctx.attribution)
    legend: list[LegendSection] = []
    layer: Layer
    if view.kde is not None:
        layer, section = kde_layer(view.kde, image_bounds(view.kde))
        layer.add_to(m)
        legend.append(section)
    if view.heat_points is not None:
        cell_heat_layer(view.heat_points).add_to(m)
        legend.append(LegendSection("Heatmap: Meldungsdichte", [
            (HEAT_GRADIENT[0.2], "gering"), (HEAT_GRADIENT[0.6], "mittel"),
            (HEAT_GRADIENT[1.0], "hoch")]))
    if view.cells is not None and len(view.cells):
        layer, section = cell_layer(view.cells, view.cell_label)
        layer.add_to(m)
        legend.append(section)
    if view.ortsteile is not None:
        layer, section = ortsteile_layer(view.ortsteile, view.ortsteile_rates,
                                         show=view.cells is None)
        layer.add_to(m)
        legend.append(section)
    if view.hotspots is not None:
        layer, section = hotspot_layer(view.hotspots)
        layer.add_to(m)
        legend.append(section)
    if view.markers is not None and len(view.markers):
        marker_layer(view.markers).add_to(m)
        present = set(view.markers["topic"].astype(str))
        legend.append(LegendSection("Einzelmeldungen nach Thema", [
            (colour, group_label("topic", topic)) for topic, colour in TOPIC_COLORS.items()
            if topic in present]))
    if measures:
        layer, section = measure_layer(measures)
        layer.add_to(m)
        legend.append(section)
    add_boundary(m, ctx.district)
    add_legend(m, legend)
    layer_control(m)
    localise(m)
    return m


HIGHLIGHT = {"color": "#00e5ff", "weight": 4, "fill": False}


def cell_outline(cell_ids, spec: GridSpec, label: str
                 ) -> tuple[folium.FeatureGroup, tuple[float, float]]:
    """A highlight layer outlining grid cells (one cell, or a hot street section's cells),
    and their centre (lat, lon), so a page can show a choice on an existing map without
    rebuilding it."""
    cells = cell_polygons(list(cell_ids), spec)
    group = folium.FeatureGroup(name="Auswahl")
    folium.GeoJson(to_geojson(cells.assign(name=label), ["name"]), name="Auswahl",
                   style_function=lambda _: HIGHLIGHT,
                   tooltip=folium.GeoJsonTooltip(["name"], labels=False)).add_to(group)
    centre = gpd.GeoSeries([cells.union_all().centroid], crs=cells.crs).to_crs(DISPLAY_CRS)[0]
    return group, (centre.y, centre.x)
