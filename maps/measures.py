"""Measures on the map: their areas coloured by kind, and a map to draw a new area on.

The kind's colour is the same in the map, the legend and the balance charts, so that the
share of repressive against helping measures reads the same everywhere.
"""

from __future__ import annotations

import folium
import geopandas as gpd
from folium import plugins

from geo.crs import METRIC_CRS
from maps.assets import VENDOR_URL, localise
from maps.base import add_boundary, base_map, layer_control, to_geojson
from maps.legend import LegendSection, add_legend
from reports.coordination.measures import KINDS, STATUSES, Measure
from reports.model import vocabulary

# Okabe–Ito, colour-blind safe: repression warm/red, help cool/green.
KIND_COLORS = {
    "repressive": "#D55E00",
    "preventive": "#009E73",
    "social": "#CC79A7",
    "cleaning": "#56B4E9",
    "construction": "#E69F00",
}
DRAW_JS = f"{VENDOR_URL}/leaflet-draw/leaflet.draw.js"
DRAW_CSS = f"{VENDOR_URL}/leaflet-draw/leaflet.draw.css"
_FIELDS = ["title", "kind_label", "status_label", "partners", "period", "area_label"]
_ALIASES = ["Maßnahme", "Art", "Status", "Verantwortlich", "Zeitraum", "Gebiet"]


def measures_geoframe(items: list[Measure]) -> gpd.GeoDataFrame:
    """One row per measure with German labels for tooltips, geometry in EPSG:25833."""
    vocab = vocabulary()
    return gpd.GeoDataFrame({
        "id": [m.id for m in items],
        "title": [m.title for m in items],
        "kind": [m.kind for m in items],
        "kind_label": [KINDS[m.kind] for m in items],
        "status_label": [STATUSES[m.status] for m in items],
        "partners": [", ".join(vocab.sources.get(p, p) for p in m.partners) for m in items],
        "period": [f"{m.starts_on:%d.%m.%Y} – "
                   + (f"{m.ends_on:%d.%m.%Y}" if m.ends_on else "offen") for m in items],
        "area_label": [m.area_label for m in items],
    }, geometry=[m.area for m in items], crs=METRIC_CRS)


def measure_layer(items: list[Measure], show: bool = True,
                  name: str = "Maßnahmen") -> tuple[folium.GeoJson, LegendSection]:
    """Measure areas coloured by kind; tooltip texts are HTML-escaped by ``to_geojson``."""
    frame = measures_geoframe(items)
    frame["_colour"] = frame["kind"].map(KIND_COLORS)
    layer = folium.GeoJson(
        to_geojson(frame, [*_FIELDS, "_colour"], simplify_m=1.0),
        name=name,
        show=show,
        style_function=lambda f: {"color": f["properties"]["_colour"],
                                  "fillColor": f["properties"]["_colour"], "weight": 2.5,
                                  "fillOpacity": 0.15},
        tooltip=folium.GeoJsonTooltip(_FIELDS, aliases=_ALIASES),
    )
    kinds = [k for k in KINDS if k in set(frame["kind"])]
    return layer, LegendSection("Maßnahmen nach Art",
                                [(KIND_COLORS[k], KINDS[k]) for k in kinds])


def local_draw(**options) -> plugins.Draw:
    """folium's Draw control with Leaflet.draw from /app/static/vendor, not from a CDN."""
    draw = plugins.Draw(**options)
    draw.default_js = [("leaflet_draw_js", DRAW_JS)]
    draw.default_css = [("leaflet_draw_css", DRAW_CSS)]
    return draw


def measures_map(items: list[Measure], ortsteile: gpd.GeoDataFrame, district,
                 streets: gpd.GeoDataFrame | None = None, *, draw: bool = False,
                 tile_url: str | None = None, attribution: str = "",
                 height: int = 520) -> folium.Map:
    """The Maßnahmen page's map: measure areas by kind, and with ``draw`` the tools to draw
    a new area (polygon or rectangle; the page reads it from st_folium's
    ``last_active_drawing``)."""
    m = base_map(ortsteile, streets, tile_url=tile_url, attribution=attribution, height=height)
    add_boundary(m, district)
    if items:
        layer, legend = measure_layer(items)
        layer.add_to(m)
        add_legend(m, [legend])
    if draw:
        local_draw(
            export=False, position="topleft",
            draw_options={"polyline": False, "circle": False, "marker": False,
                          "circlemarker": False, "polygon": {"allowIntersection": False},
                          "rectangle": True},
            edit_options={"edit": False},
        ).add_to(m)
    layer_control(m)
    return localise(m)
