"""The base map: Leaflet without CDN assets, with a tile server only where one is configured.

Without a tile server (the default, and offline) the basemap is the project's own tile pyramid
in static/tiles/ (buildings, streets, Ortsteile; ``lagebild build-tiles``, maps.tiles), served
by Streamlit from the same host, with its names (streets, Ortsteile, parks) in a pane above
every data layer. Where no pyramid was built, the real street lines of the shipped register
are drawn as vectors instead. Every map carries the data attribution (OpenStreetMap, ODbL;
Leipzig Open Data Project, CC0) in one short line, the address search of the register
(maps.search) and, where it has layers, a collapsed layer list naming the shown layers.
"""

from __future__ import annotations

import json

import folium
import geopandas as gpd
import numpy as np
import shapely
from branca.element import MacroElement
from folium import plugins
from folium.elements import JSCSSMixin
from jinja2 import Template

from geo.crs import DISPLAY_CRS
from maps import tiles
from maps.assets import VENDOR_URL
from maps.search import INDEX_URL
from reports.privacy.safe import escape_html

COORD_DECIMALS = 5  # about 1 m: enough for a district map, and keeps the HTML small
# Without a tile layer Leaflet knows no maximum zoom, and the marker cluster plugin refuses
# to draw ("Map has no maxZoom specified"); set one that suits house-level detail.
MIN_ZOOM, MAX_ZOOM = 11, 18
LOCAL_TILE_URL = "/app/static/tiles/{z}/{x}/{y}.png"  # static/tiles/ served by Streamlit
LOCAL_LABELS_URL = f"/app/static/tiles/{tiles.LABELS_DIR}/{{z}}/{{x}}/{{y}}.png"
LABELS_PANE = "namen"  # above the data layers (overlayPane 400), below markers (600)
# Layers that are the map's ground, not data: not named in the layer list's summary line.
BACKGROUND_LAYERS = ["Grundkarte (offline)", "Hintergrundkarte",
                     "Straßen (Offline-Grundkarte)", "Ortsteile (Grenzen)", "Gebietsgrenze"]


def to_geojson(frame: gpd.GeoDataFrame, properties: list[str], simplify_m: float = 0.0) -> dict:
    """FeatureCollection in EPSG:4326 with rounded coordinates and only ``properties``.

    String properties are HTML-escaped: tooltips insert them as HTML.
    """
    geoms = frame.geometry.values
    if simplify_m:
        geoms = shapely.simplify(geoms, simplify_m, preserve_topology=True)
    display = gpd.GeoSeries(geoms, crs=frame.crs).to_crs(DISPLAY_CRS).values
    rounded = shapely.transform(display, lambda c: np.round(c, COORD_DECIMALS))
    features = []
    columns = {p: frame[p].tolist() for p in properties}
    for i, geom in enumerate(rounded):
        if geom is None or geom.is_empty:
            continue
        props = {}
        for p in properties:
            value = columns[p][i]
            if isinstance(value, str):
                value = escape_html(value)
            elif isinstance(value, float | np.floating):
                value = None if np.isnan(value) else round(float(value), 2)
            elif isinstance(value, np.integer):
                value = int(value)
            props[p] = value
        features.append({"type": "Feature", "properties": props,
                         "geometry": json.loads(shapely.to_geojson(geom))})
    return {"type": "FeatureCollection", "features": features}


DATA_ATTRIBUTION = ("Geodaten © OpenStreetMap-Mitwirkende (ODbL); "
                    "Adressregister 2013: Leipzig Open Data Project (CC0)")
# What the map's corner shows in one line; the full text is its tooltip.
SHORT_ATTRIBUTION = "© OpenStreetMap-Mitwirkende (ODbL) · LODP (CC0)"


class _Attribution(MacroElement):
    """The data attribution in Leaflet's attribution corner, also without a tile layer: one
    short line (no "Leaflet" prefix), the full text as its title."""

    _template = Template("""{% macro script(this, kwargs) %}
        {{ this._parent.get_name() }}.attributionControl.setPrefix(false);
        {{ this._parent.get_name() }}.attributionControl.addAttribution({{ this.html|tojson }});
    {% endmacro %}""")

    def __init__(self, short: str, full: str) -> None:
        super().__init__()
        self._name = "Attribution"
        self.html = (f'<span title="{escape_html(full)} · Karte: Leaflet">'
                     f"{escape_html(short)}</span>")


class MapControls(JSCSSMixin, MacroElement):
    """The address search (``map-controls.js``: ``L.Control.LagebildSearch`` over the
    register's index, maps.search) and the styles of the own controls."""

    _template = Template("""{% macro script(this, kwargs) %}
        new L.Control.LagebildSearch({url: {{ this.url|tojson }}}).addTo(
            {{ this._parent.get_name() }});
    {% endmacro %}""")
    def __init__(self, url: str = INDEX_URL) -> None:
        super().__init__()
        self._name = "MapControls"
        self.url = url
        self.default_js = [("lagebild_controls", f"{VENDOR_URL}/lagebild/map-controls.js")]
        self.default_css = [("lagebild_controls_css",
                             f"{VENDOR_URL}/lagebild/map-controls.css")]


def layer_control(m: folium.Map) -> None:
    """The layer list, collapsed (a button and the shown data layers in one line)."""
    folium.LayerControl(collapsed=True, background=BACKGROUND_LAYERS).add_to(m)


def base_map(
    ortsteile: gpd.GeoDataFrame,
    streets: gpd.GeoDataFrame | None = None,
    *,
    tile_url: str | None = None,
    attribution: str = "",
    height: int = 600,
) -> folium.Map:
    """Map fitted to the Ortsteile (EPSG:25833 input) with scale bar and fullscreen button."""
    xmin, ymin, xmax, ymax = ortsteile.to_crs(DISPLAY_CRS).total_bounds
    m = folium.Map(
        location=[(ymin + ymax) / 2, (xmin + xmax) / 2],
        zoom_start=14,
        tiles=None,
        control_scale=True,
        height=height,
        prefer_canvas=True,
    )
    m.options.update(minZoom=MIN_ZOOM, maxZoom=MAX_ZOOM)  # folium only sets these on tiles
    m.fit_bounds([[ymin, xmin], [ymax, xmax]])
    if tile_url:
        folium.TileLayer(tile_url, attr=attribution or " ", name="Hintergrundkarte",
                         max_zoom=MAX_ZOOM).add_to(m)
    elif (pyramid := tiles.read_metadata(tiles.TILES_DIR)) is not None:
        _add_local_tiles(m, pyramid)
    elif streets is not None and len(streets):
        lines = streets[streets.geom_type.isin(["LineString", "MultiLineString"])]
        folium.GeoJson(
            to_geojson(lines, ["name"], simplify_m=2.0),
            name="Straßen (Offline-Grundkarte)",
            style_function=lambda _: {"color": "#9a9a9a", "weight": 1.5, "opacity": 0.9},
            tooltip=folium.GeoJsonTooltip(["name"], labels=False, sticky=True),
            smooth_factor=1.5,
        ).add_to(m)
    _Attribution(SHORT_ATTRIBUTION, DATA_ATTRIBUTION).add_to(m)
    folium.GeoJson(
        to_geojson(ortsteile, ["name"], simplify_m=2.0),
        name="Ortsteile (Grenzen)",
        style_function=lambda _: {"color": "#333333", "weight": 1.2, "fill": False,
                                  "dashArray": "4 3"},
        tooltip=folium.GeoJsonTooltip(["name"], aliases=["Ortsteil"]),
    ).add_to(m)
    plugins.Fullscreen(position="topleft", title="Vollbild", title_cancel="Vollbild beenden",
                       force_separate_button=True).add_to(m)
    MapControls().add_to(m)
    return m


def _add_local_tiles(m: folium.Map, pyramid: dict) -> None:
    """The pyramid of static/tiles, one tile layer per level (overview, detail), and its
    names in their own pane above the data layers (always shown, not in the layer list).

    Beyond the drawn zooms Leaflet scales the nearest one (z18 from z17, z11 from z12);
    outside a level's bounds it requests nothing. The data attribution is added once for
    the whole map, so the layers carry none.
    """
    folium.map.CustomPane(LABELS_PANE, z_index=450, pointer_events=False).add_to(m)
    ground = folium.FeatureGroup(name="Grundkarte (offline)")
    names = folium.FeatureGroup(name="Namen", control=False)
    levels = pyramid["levels"]
    for i, level in enumerate(levels):
        for url, group, pane in ((LOCAL_TILE_URL, ground, "tilePane"),
                                 (LOCAL_LABELS_URL, names, LABELS_PANE)):
            layer = folium.TileLayer(
                url, attr=" ", min_zoom=MIN_ZOOM if i == 0 else level["min_zoom"],
                max_zoom=MAX_ZOOM if i == len(levels) - 1 else level["max_zoom"],
                min_native_zoom=level["min_zoom"], max_native_zoom=level["max_zoom"],
                bounds=level["bounds"], pane=pane)
            layer.options.pop("attribution")
            layer.add_to(group)
    ground.add_to(m)
    names.add_to(m)


def add_boundary(m: folium.Map, district) -> None:
    """The district's outline on top of every other layer (``district``: shapely, 25833)."""
    frame = gpd.GeoDataFrame({"name": ["Leipziger Osten"]}, geometry=[district],
                             crs="EPSG:25833")
    folium.GeoJson(
        to_geojson(frame, ["name"], simplify_m=2.0),
        name="Gebietsgrenze",
        style_function=lambda _: {"color": "#000000", "weight": 3, "fill": False},
        interactive=False,
    ).add_to(m)
