"""The dashboard's colours, defined once for the web pages, the maps and the PDF handout.

Okabe–Ito for categorical colours and ColorBrewer ramps that stay distinct for the common
forms of colour blindness; hatches make the handout readable in black and white.
"""

from __future__ import annotations

OKABE_ITO = ("#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7",
             "#000000")

TOPIC_COLORS = {
    "soziales": "#CC79A7",
    "umwelt": "#009E73",
    "ordnung": "#0072B2",
    "bau": "#E69F00",
}
# Black-and-white print: one line style / hatch per topic.
TOPIC_LINESTYLES = {"soziales": ":", "umwelt": "-", "ordnung": "--", "bau": "-."}

# Sequential ramp for counts (ColorBrewer YlGnBu, 5 classes, colour-blind safe).
COUNT_RAMP = ("#ffffcc", "#a1dab4", "#41b6c4", "#2c7fb8", "#253494")

# Gi* confidence classes -3..3 (ColorBrewer RdBu); 0 is not significant and not drawn.
HOTSPOT_COLORS = {
    3: "#b2182b", 2: "#ef8a62", 1: "#fddbc7",
    -1: "#d1e5f0", -2: "#67a9cf", -3: "#2166ac",
}
HOTSPOT_LABELS = {
    3: "Hotspot, 99 % Konfidenz", 2: "Hotspot, 95 % Konfidenz", 1: "Hotspot, 90 % Konfidenz",
    -1: "Coldspot, 90 % Konfidenz", -2: "Coldspot, 95 % Konfidenz",
    -3: "Coldspot, 99 % Konfidenz",
}
HOTSPOT_HATCHES = {3: "xxxx", 2: "xx", 1: "/", -1: "\\", -2: "..", -3: "oo"}
