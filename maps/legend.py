"""An HTML legend drawn by the map itself (no branca colormap: those pull d3 from a CDN)."""

from __future__ import annotations

from dataclasses import dataclass, field

import folium
from branca.element import MacroElement, Template

from reports.privacy.safe import escape_html


@dataclass
class LegendSection:
    title: str
    entries: list[tuple[str, str]] = field(default_factory=list)  # (colour, label)


# A Leaflet control (not loose page HTML): it stays visible in fullscreen mode. It folds to
# its title "Legende" (a details element, keyboard usable) and starts open only on maps large
# enough that it does not cover the data.
OPEN_FROM_PX = (900, 500)
_TEMPLATE = Template("""
{% macro script(this, kwargs) %}
var {{ this.get_name() }} = L.control({position: "bottomright"});
{{ this.get_name() }}.onAdd = function (map) {
    var div = L.DomUtil.create("div", "lagebild-legend");
    div.style.cssText = "background:rgba(255,255,255,.92);padding:4px 9px;border:1px solid #888;"
        + "border-radius:4px;font:12px/1.35 sans-serif;max-width:240px;"
        + "max-height:calc(100vh - 120px);overflow:auto;";
    var size = map.getSize();
    div.innerHTML = "<details" + (size.x >= {{ this.open_from[0] }}
        && size.y >= {{ this.open_from[1] }} ? " open" : "") + "><summary>Legende</summary>"
        + {{ this.body|tojson }} + "</details>";
    L.DomEvent.disableClickPropagation(div);
    L.DomEvent.disableScrollPropagation(div);
    return div;
};
{{ this.get_name() }}.addTo({{ this._parent.get_name() }});
{% endmacro %}
""")


class Legend(MacroElement):
    """Legend box in the map's corner; labels are HTML-escaped."""

    _template = _TEMPLATE

    def __init__(self, sections: list[LegendSection]):
        super().__init__()
        self._name = "Legend"
        self.sections = sections
        self.open_from = OPEN_FROM_PX
        parts = []
        for section in sections:
            parts.append(f"<b>{escape_html(section.title)}</b><br>")
            for colour, label in section.entries:
                parts.append(
                    f'<span style="display:inline-block;width:12px;height:12px;'
                    f'background:{escape_html(colour)};border:1px solid #555;'
                    f'margin-right:4px;vertical-align:-2px"></span>{escape_html(label)}<br>'
                )
        self.body = "".join(parts)


def add_legend(m: folium.Map, sections: list[LegendSection]) -> None:
    sections = [s for s in sections if s.entries]
    if sections:
        Legend(sections).add_to(m)
