"""Map layers built from server-side aggregates: whatever the number of reports, a layer
carries at most a few thousand features (cells, Ortsteile, a raster image, capped markers).

Layers draw the values and texts they are given (``reports.views.map.MapView``); which
numbers a role may see is decided there, never here."""

from __future__ import annotations

import base64
import io

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
from folium import plugins

from config.locale import german_number
from maps.base import to_geojson
from maps.legend import LegendSection
from reports.model import vocabulary
from reports.privacy.safe import escape_html
from reports.render.palette import COUNT_RAMP, HOTSPOT_COLORS, HOTSPOT_LABELS, TOPIC_COLORS

# ColorBrewer YlOrRd instead of leaflet.heat's rainbow (not colour-blind safe).
HEAT_GRADIENT = {0.2: "#ffffb2", 0.4: "#fecc5c", 0.6: "#fd8d3c", 0.8: "#f03b20", 1.0: "#bd0026"}
HIDDEN_FILL = "#bdbdbd"  # a value the role may not see: grey, so it reads "hidden", not "none"


def class_breaks(values: np.ndarray, k: int = len(COUNT_RAMP)) -> list[float]:
    """Upper class limits (quantiles of the positive values, deduplicated)."""
    positive = np.asarray(values, dtype="float64")
    positive = positive[positive > 0]
    if not len(positive):
        return []
    edges = np.unique(np.quantile(positive, np.linspace(0, 1, k + 1)[1:]))
    return [float(e) for e in edges]


def _class_of(value: float, breaks: list[float]) -> int:
    return min(int(np.searchsorted(breaks, value, side="left")), len(breaks) - 1)


def _legend_entries(breaks: list[float], decimals: int, smallest: float
                    ) -> list[tuple[str, str]]:
    """Classes as the map can show them: the first starts at the smallest value drawn (for
    the public at k or above, never at 1 when cells under k are not drawn)."""
    entries: list[tuple[str, str]] = []
    low = 0.0
    ramp = COUNT_RAMP[-len(breaks):] if breaks else ()
    for colour, high in zip(ramp, breaks, strict=True):
        if decimals == 0:
            lo = int(np.floor(low)) + 1 if entries else int(np.ceil(smallest))
            label = f"{lo}–{int(high)}" if lo < int(high) else f"{int(high)}"
        else:
            label = f"bis {german_number(high, decimals)}"
        entries.append((colour, label))
        low = high
    return entries


def _choropleth(
    frame: gpd.GeoDataFrame, value: str, name: str, fields: list[str], aliases: list[str],
    decimals: int, show: bool,
) -> tuple[folium.GeoJson, list[tuple[str, str]]]:
    values = frame[value].astype("Float64").to_numpy(dtype="float64", na_value=np.nan)
    breaks = class_breaks(np.nan_to_num(values))
    ramp = COUNT_RAMP[-len(breaks):] if breaks else ()
    colours = [HIDDEN_FILL if np.isnan(v) else ramp[_class_of(v, breaks)] if breaks and v > 0
               else "#ffffff" for v in values]
    frame = frame.assign(_fill=colours)
    layer = folium.GeoJson(
        to_geojson(frame, [*fields, "_fill"]),
        name=name,
        show=show,
        style_function=lambda f: {"fillColor": f["properties"]["_fill"], "fillOpacity": 0.5,
                                  "color": "#555555", "weight": 0.4},
        tooltip=folium.GeoJsonTooltip(fields, aliases=aliases),
    )
    positive = values[values > 0]
    entries = _legend_entries(breaks, decimals, positive.min() if len(positive) else 1)
    if np.isnan(values).any():
        entries.append((HIDDEN_FILL, "zu wenige Meldungen (Datenschutz)"))
    return layer, entries


def cell_layer(cells: gpd.GeoDataFrame, cell_label: str, show: bool = True
               ) -> tuple[folium.GeoJson, LegendSection]:
    """Grid cells (EPSG:25833, columns reports (NA: hidden) and text) coloured by count."""
    layer, entries = _choropleth(cells, "reports", f"Rasterzellen ({cell_label})", ["text"],
                                 ["Meldungen"], 0, show)
    return layer, LegendSection(f"Meldungen je Zelle ({cell_label})", entries)


def ortsteile_layer(ortsteile: gpd.GeoDataFrame, per_1000: bool, show: bool = True
                    ) -> tuple[folium.GeoJson, LegendSection]:
    """Ortsteile (name, value, text, rate) as a choropleth of ``value`` (NaN: hidden):
    counts, or rates per 1,000 inhabitants if ``per_1000``."""
    title = "Meldungen je 1.000 Einw." if per_1000 else "Meldungen je Ortsteil"
    layer, entries = _choropleth(ortsteile, "value", f"Ortsteile: {title}",
                                 ["name", "text", "rate"],
                                 ["Ortsteil", "Meldungen", "je 1.000 Einw."], 1 if per_1000 else 0,
                                 show)
    return layer, LegendSection(title, entries)


def hotspot_layer(cells: gpd.GeoDataFrame, show: bool = True
                  ) -> tuple[folium.GeoJson, LegendSection]:
    """Significant Gi* cells (gi_class; reports and z where given) in their
    confidence class colours; the tooltip shows exactly the given fields."""
    sig = cells.assign(klasse=cells["gi_class"].map(HOTSPOT_LABELS),
                       _fill=cells["gi_class"].map(HOTSPOT_COLORS))
    if "z" in sig:  # German decimal comma: the browser would print "6.92"
        sig["z"] = [german_number(z, 2) for z in sig["z"].astype(float)]
    fields = [c for c in ("klasse", "reports", "z") if c in sig]
    aliases = {"klasse": "Klasse", "reports": "Meldungen", "z": "z-Wert"}
    layer = folium.GeoJson(
        to_geojson(sig, [*fields, "_fill"]),
        name="Hotspots (Gi*)",
        show=show,
        style_function=lambda f: {"fillColor": f["properties"]["_fill"], "fillOpacity": 0.5,
                                  "color": "#333333", "weight": 0.5},
        tooltip=folium.GeoJsonTooltip(fields, aliases=[aliases[f] for f in fields]),
    )
    present = sorted(set(sig["gi_class"]), reverse=True)
    entries = [(HOTSPOT_COLORS[c], HOTSPOT_LABELS[c]) for c in present]
    return layer, LegendSection("Hotspot-Analyse (Gi*)", entries)


def _png_data_url(values: np.ndarray) -> str:
    """Density raster as a transparent PNG (south row first in ``values``)."""
    from matplotlib import colormaps
    from matplotlib.image import imsave

    top = float(values.max()) if values.size else 0.0
    norm = values / top if top > 0 else values
    rgba = colormaps["YlOrRd"](norm)
    rgba[..., 3] = np.clip(norm * 1.6, 0, 0.65)  # fade out low density; streets show through
    buf = io.BytesIO()
    imsave(buf, np.flipud(rgba), format="png")
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def kde_layer(surface, bounds: list[list[float]], show: bool = True
              ) -> tuple[folium.raster_layers.ImageOverlay, LegendSection]:
    """Kernel density as one image: its size depends on the raster, not on the reports."""
    layer = folium.raster_layers.ImageOverlay(
        _png_data_url(surface.values), bounds=bounds, name="Heatmap (Kerndichte)", show=show,
        interactive=False, zindex=2,
    )
    top = float(surface.values.max()) if surface.values.size else 0.0
    from matplotlib import colormaps
    from matplotlib.colors import to_hex

    cmap = colormaps["YlOrRd"]
    entries = [(to_hex(cmap(0.25)), "gering"), (to_hex(cmap(0.6)), "mittel"),
               (to_hex(cmap(1.0)), f"hoch (max. {german_number(top, 0)} je km²)")]
    return layer, LegendSection("Heatmap: Meldungsdichte", entries)


def cell_heat_layer(points: list[list[float]], show: bool = True) -> plugins.HeatMap:
    """Weighted heat of aggregated cells ([lat, lon, weight]), never raw report points."""
    return plugins.HeatMap(points, name="Heatmap (Zellen)", show=show, radius=18, blur=14,
                           min_opacity=0.25, gradient=HEAT_GRADIENT)


_MARKER_CALLBACK = """function (row) {
    var marker = L.circleMarker(new L.LatLng(row[0], row[1]),
        {radius: 6, color: "#222", weight: 1, fillColor: row[2], fillOpacity: 0.9});
    marker.bindPopup(row[3], {maxWidth: 320});
    return marker;
}"""


def popup_html(rows: pd.DataFrame) -> list[str]:
    """Popup HTML per report; every value from outside is escaped."""
    vocab = vocabulary()
    labels = {k: c.label for k, c in vocab.categories.items()}
    when = rows["occurred_at"].dt.strftime("%d.%m.%Y %H:%M").fillna("")
    out = []
    for category, time, source, address, description in zip(
            rows["category"].astype(object), when, rows["source"].astype(object),
            rows["address"].astype(object), rows["description"].astype(object), strict=True):
        parts = [f"<b>{escape_html(labels.get(category, category))}</b>", escape_html(time),
                 escape_html(vocab.sources.get(source, source))]
        if not pd.isna(address):
            parts.append(escape_html(address))
        if not pd.isna(description):
            parts.append(f"<i>{escape_html(description)}</i>")
        out.append("<br>".join(parts))
    return out


def marker_layer(newest: pd.DataFrame, show: bool = False) -> plugins.FastMarkerCluster:
    """Reports as clustered markers (one marker per report, so a cluster's number is exactly
    the number of reports behind it)."""
    colours = [TOPIC_COLORS.get(str(t), "#777777") for t in newest["topic"].astype(object)]
    data = [[round(float(lat), 6), round(float(lon), 6), colour, popup]
            for lat, lon, colour, popup in zip(newest["lat"], newest["lon"], colours,
                                               popup_html(newest), strict=True)]
    return plugins.FastMarkerCluster(
        data, callback=_MARKER_CALLBACK, name="Einzelmeldungen", show=show,
        options={"showCoverageOnHover": False, "maxClusterRadius": 45},
    )
