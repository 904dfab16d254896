"""Local copies of every JavaScript/CSS file a map needs, instead of folium's CDN defaults.

German data protection rules and city intranets forbid third-party requests. folium elements
declare their assets in ``default_js``/``default_css`` and streamlit-folium loads exactly those
lists in the component's iframe, so rewriting them on every element of the tree is enough.
"""

from __future__ import annotations

from urllib.parse import urlparse

import branca
import folium
from branca.element import MacroElement
from folium.elements import JSCSSMixin

VENDOR_URL = "/app/static/vendor"

# Asset name as folium declares it -> path under static/vendor/.
LOCAL_ASSETS: dict[str, str] = {
    "leaflet": "leaflet/leaflet.js",
    "leaflet_css": "leaflet/leaflet.css",
    "leaflet-heat.js": "leaflet.heat/leaflet-heat.js",
    "markerclusterjs": "leaflet.markercluster/leaflet.markercluster.js",
    "markerclustercss": "leaflet.markercluster/MarkerCluster.css",
    "markerclusterdefaultcss": "leaflet.markercluster/MarkerCluster.Default.css",
    "Control.Fullscreen.js": "leaflet.fullscreen/Control.FullScreen.js",
    "Control.FullScreen.css": "leaflet.fullscreen/Control.FullScreen.css",
    "leaflet_draw_js": "leaflet-draw/leaflet.draw.js",
    "leaflet_draw_css": "leaflet-draw/leaflet.draw.css",
}

# folium's Map defaults we do not use (no awesome markers, no Bootstrap widgets): dropped.
UNUSED_ASSETS = frozenset({
    "jquery", "bootstrap", "awesome_markers", "bootstrap_css", "glyphicons_css",
    "awesome_markers_font_css", "awesome_markers_css", "awesome_rotate_css",
})


def is_external(url: str) -> bool:
    """True for a URL that would make the browser contact another host."""
    parsed = urlparse(url)
    return bool(parsed.scheme in ("http", "https") or parsed.netloc or url.startswith("//"))


def _localised(assets: list[tuple[str, str]], element: object) -> list[tuple[str, str]]:
    out = []
    for name, url in assets:
        if name in LOCAL_ASSETS:
            out.append((name, f"{VENDOR_URL}/{LOCAL_ASSETS[name]}"))
        elif name in UNUSED_ASSETS:
            continue
        elif is_external(url):
            raise ValueError(f"{type(element).__name__} needs {name} ({url}); vendor it first")
        else:
            out.append((name, url))
    return out


def _walk(element):
    yield element
    for child in getattr(element, "_children", {}).values():
        yield from _walk(child)


class GermanControls(JSCSSMixin, MacroElement):
    """Loads ``lagebild/leaflet-de.js``: German zoom titles and Leaflet.draw texts, metric
    scale. Added last, so the browser runs it after Leaflet (and Leaflet.draw) and before
    the map script builds the controls."""

    def __init__(self):
        super().__init__()
        self._name = "GermanControls"
        self.default_js = [("leaflet_de", f"{VENDOR_URL}/lagebild/leaflet-de.js")]


def localise(m: folium.Map) -> folium.Map:
    """Point every asset of ``m``'s element tree at ``/app/static/vendor`` and add the German
    control texts (``GermanControls``).

    Raises ``ValueError`` for an element with an unknown external asset and for branca
    colormaps (streamlit-folium adds d3 from a CDN for those), so nothing slips through.
    """
    for element in _walk(m):
        if isinstance(element, branca.colormap.ColorMap):
            raise ValueError("branca colormaps load d3 from a CDN; use maps.legend instead")
        if isinstance(element, JSCSSMixin):
            element.default_js = _localised(element.default_js, element)
            element.default_css = _localised(element.default_css, element)
    if not any(isinstance(e, GermanControls) for e in m._children.values()):
        GermanControls().add_to(m)
    return m
