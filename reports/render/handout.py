"""The meeting handout as PDF: static district map with hot spots and the main charts.

Drawn with matplotlib (no browser, no tiles). It must stay readable when printed in black and
white, so hot spot classes are hatched as well as coloured, and topics differ in line style.
"""

from __future__ import annotations

import io
import textwrap
from dataclasses import dataclass

import geopandas as gpd
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.backends.backend_pdf import PdfPages
from matplotlib.patches import Patch

from reports.analysis.analytics import group_label
from reports.privacy.safe import escape_mathtext
from reports.render.palette import (
    HOTSPOT_COLORS,
    HOTSPOT_HATCHES,
    HOTSPOT_LABELS,
    TOPIC_COLORS,
    TOPIC_LINESTYLES,
)

A4 = (8.27, 11.69)


@dataclass
class HandoutData:
    title: str
    period: str  # e.g. "15.09.2026 – 27.10.2026 (seit der letzten Sitzung)"
    figures: pd.DataFrame  # group (topic key or "Gesamt"), now, before (NA: suppressed)
    weekly: pd.DataFrame  # period, group (topic), reports
    hotspots: gpd.GeoDataFrame  # gi_class, geometry (EPSG:25833): current Gi* cells
    changes: pd.DataFrame  # Ortsteil, Veränderung, Meldungen jetzt, Meldungen davor
    ortsteile: gpd.GeoDataFrame  # name, geometry (EPSG:25833)
    streets: gpd.GeoDataFrame | None = None
    agenda: list[str] | None = None  # agenda.agenda_lines; None: no agenda page


def _text(value) -> str:
    return escape_mathtext("–" if value is None or pd.isna(value) else value)


def _cover(pdf: PdfPages, data: HandoutData) -> None:
    fig = plt.figure(figsize=A4)
    fig.text(0.08, 0.94, _text(data.title), fontsize=18, weight="bold")
    fig.text(0.08, 0.91, _text(data.period), fontsize=11)
    ax = fig.add_axes((0.08, 0.50, 0.84, 0.36))
    ax.axis("off")
    rows = [[_text(group_label("topic", g) if g != "Gesamt" else g), _text(n), _text(b)]
            for g, n, b in zip(data.figures["group"], data.figures["now"],
                               data.figures["before"], strict=True)]
    table = ax.table(cellText=rows, colLabels=["", "jetzt", "Zeitraum davor"], loc="upper left",
                     colWidths=[0.5, 0.25, 0.25])
    table.scale(1, 1.6)
    ax.set_title("Meldungen", loc="left")
    ax2 = fig.add_axes((0.08, 0.08, 0.84, 0.36))
    ax2.axis("off")
    if data.changes.empty:
        ax2.text(0, 0.9, "Keine neuen oder veränderten Hotspots.", fontsize=11)
    else:
        shown = data.changes.head(15).map(_text)
        t2 = ax2.table(cellText=shown.values.tolist(), colLabels=list(shown.columns),
                       loc="upper left")
        t2.scale(1, 1.4)
    ax2.set_title("Veränderte Hotspots (Gi*, 100-m-Raster)", loc="left")
    pdf.savefig(fig)
    plt.close(fig)


def _map(pdf: PdfPages, data: HandoutData) -> None:
    fig, ax = plt.subplots(figsize=A4)
    if data.streets is not None and len(data.streets):
        data.streets.plot(ax=ax, color="#bbbbbb", linewidth=0.5)
    handles = []
    for cls in sorted(HOTSPOT_COLORS, reverse=True):
        cells = data.hotspots[data.hotspots["gi_class"] == cls]
        if len(cells):
            cells.plot(ax=ax, facecolor=HOTSPOT_COLORS[cls], edgecolor="black", linewidth=0.3,
                       hatch=HOTSPOT_HATCHES[cls])
            handles.append(Patch(facecolor=HOTSPOT_COLORS[cls], edgecolor="black",
                                 hatch=HOTSPOT_HATCHES[cls], label=HOTSPOT_LABELS[cls]))
    data.ortsteile.boundary.plot(ax=ax, color="black", linewidth=1.0, linestyle="--")
    for name, geom in zip(data.ortsteile["name"], data.ortsteile.geometry, strict=True):
        point = geom.representative_point()
        ax.annotate(_text(name), (point.x, point.y), ha="center", fontsize=7,
                    bbox={"boxstyle": "round", "fc": "white", "ec": "none", "alpha": 0.7})
    ax.set_axis_off()
    ax.set_aspect("equal")
    ax.set_title(f"Hotspots im Leipziger Osten\n{_text(data.period)}", fontsize=12)
    if handles:
        ax.legend(handles=handles, loc="lower left", fontsize=8, framealpha=0.9)
    else:
        ax.text(0.5, 0.02, "Keine signifikanten Hotspots im Zeitraum.", transform=ax.transAxes,
                ha="center")
    pdf.savefig(fig)
    plt.close(fig)


def _charts(pdf: PdfPages, data: HandoutData) -> None:
    fig, ax = plt.subplots(figsize=(A4[0], A4[1] / 2))
    for topic, part in data.weekly.groupby("group"):
        ax.plot(part["period"], part["reports"].astype("float64"),
                color=TOPIC_COLORS.get(topic, "black"),
                linestyle=TOPIC_LINESTYLES.get(topic, "-"), marker="o", markersize=3,
                label=_text(group_label("topic", topic)))
    ax.set_title("Meldungen je Woche und Thema")
    ax.set_ylabel("Meldungen")
    ax.grid(alpha=0.3)
    if len(data.weekly):
        ax.legend(fontsize=8)
    fig.autofmt_xdate()
    fig.tight_layout()
    pdf.savefig(fig)
    plt.close(fig)


AGENDA_WIDTH = 95  # characters per printed line at 9 pt
AGENDA_LINES = 62  # printed lines per A4 page


def _agenda(pdf: PdfPages, lines: list[str]) -> None:
    """The agenda as plain black text, wrapped, on as many pages as it needs; the first
    line (the heading) in bold."""
    printed: list[tuple[str, bool]] = []
    for n, line in enumerate(lines):
        indent = "" if n == 0 else " " * (len(line) - len(line.lstrip()) + 2)
        width = AGENDA_WIDTH * 3 // 4 if n == 0 else AGENDA_WIDTH  # 12 pt instead of 9 pt
        wrapped = textwrap.wrap(line, width, subsequent_indent=indent) or [""]
        printed += [(text, n == 0) for text in wrapped]
    for first in range(0, len(printed), AGENDA_LINES):
        fig = plt.figure(figsize=A4)
        top = 0.94
        for text, bold in printed[first:first + AGENDA_LINES]:
            fig.text(0.08, top, _text(text), fontsize=12 if bold else 9,
                     weight="bold" if bold else "normal")
            top -= 0.02 if bold else 0.0138
        pdf.savefig(fig)
        plt.close(fig)


def build_handout(data: HandoutData) -> bytes:
    """The handout as PDF bytes (cover with key figures and changes, agenda if given, map,
    charts)."""
    buffer = io.BytesIO()
    with PdfPages(buffer, metadata={"Title": data.title, "Creator": "Lagebild Leipziger Osten"}
                  ) as pdf:
        _cover(pdf, data)
        if data.agenda:
            _agenda(pdf, data.agenda)
        _map(pdf, data)
        _charts(pdf, data)
    return buffer.getvalue()
