"""Printed and projected maps of the district: one matplotlib renderer for the handout and the
projector deck.

Drawn in EPSG:25833 from the shipped geography only (Ortsteile, district outline, the real
street lines). The frame is the district (or, for one agenda item, its place with some
surroundings); street names are placed by a greedy collision pass on the renderer's own text
boxes (streets that carry a listed section first, then the longest), so no two labels
overlap; listed street sections are outlined and numbered as in the table; a scale bar, a
north arrow and the attribution complete the map. ``DrawnMap`` keeps the boxes (pixels of
the PNG) so tests can check what was drawn, not only that a picture exists.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field

import matplotlib

matplotlib.use("Agg")
import matplotlib.patheffects as path_effects
import numpy as np
import shapely
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure
from shapely.geometry.base import BaseGeometry

from geo.boundary import Boundary
from reports.privacy.safe import escape_mathtext

SECTION_COLOUR = "#D55E00"
AREA_COLOUR = "#0072B2"
DISTRICT_COLOUR = "#5B2C83"  # the outline's own colour: tests find the drawn district by it
ATTRIBUTION = "© OpenStreetMap-Mitwirkende (ODbL)"
MARGIN = 0.03  # of the district's size around it
ZOOM_M = 450.0  # an item's map shows this much around its place
STREET_CANDIDATES = 80  # longest streets in the frame tried for a label
LABEL_PAD_PX = 2.0
Box = tuple[float, float, float, float]  # x0, y0, x1, y1 in PNG pixels (origin top left)


@dataclass(frozen=True)
class Section:
    """A street section to outline: its number in the table, its 100 m cells, and whether it
    is new or intensifying (marked)."""

    number: int
    cell_ids: tuple[int, ...]
    marked: bool = False
    street: str = ""


@dataclass(frozen=True)
class DrawnMap:
    png: bytes
    size_px: tuple[int, int]
    extent: tuple[float, float, float, float]  # the frame in EPSG:25833
    labels: list[tuple[str, Box]] = field(default_factory=list)  # street names as drawn
    numbers: list[tuple[int, Box]] = field(default_factory=list)  # section badges


def _aspect_frame(bounds, width_in: float, height_in: float
                  ) -> tuple[float, float, float, float]:
    """``bounds`` widened on its short side to the figure's aspect (metres stay square)."""
    x0, y0, x1, y1 = bounds
    w, h = x1 - x0, y1 - y0
    want = width_in / height_in
    if w / h < want:
        grow = (h * want - w) / 2
        return x0 - grow, y0, x1 + grow, y1
    grow = (w / want - h) / 2
    return x0, y0 - grow, x1, y1 + grow


def _box(extent, renderer, height_px: float) -> Box:
    return (extent.x0, height_px - extent.y1, extent.x1, height_px - extent.y0)


def _overlaps(a: Box, boxes: list[Box], pad: float = LABEL_PAD_PX) -> bool:
    return any(a[0] < b[2] + pad and b[0] < a[2] + pad and a[1] < b[3] + pad
               and b[1] < a[3] + pad for b in boxes)


def _inside(a: Box, size: tuple[int, int], pad: float = 4.0) -> bool:
    return a[0] >= pad and a[1] >= pad and a[2] <= size[0] - pad and a[3] <= size[1] - pad


def _longest_part(geom: BaseGeometry):
    parts = getattr(geom, "geoms", [geom])
    return max(parts, key=lambda g: g.length)


def _angle(line, at: float) -> float:
    """Text angle (degrees, kept readable: -90..90) of ``line`` around ``at`` (0..1)."""
    a = line.interpolate(max(at - 0.04, 0), normalized=True)
    b = line.interpolate(min(at + 0.04, 1), normalized=True)
    angle = float(np.degrees(np.arctan2(b.y - a.y, b.x - a.x)))
    if angle > 90:
        angle -= 180
    elif angle < -90:
        angle += 180
    return angle


def _scale_bar(ax, frame, renderer) -> None:
    x0, y0, x1, y1 = frame
    target = (x1 - x0) / 5
    length = max(m for m in (100, 200, 250, 500, 1000, 2000) if m <= max(target, 100))
    left, bottom = x0 + (x1 - x0) * 0.04, y0 + (y1 - y0) * 0.035
    thick = (y1 - y0) * 0.006
    for k in range(2):
        ax.add_patch(matplotlib.patches.Rectangle(
            (left + k * length / 2, bottom), length / 2, thick, facecolor="black" if k == 0
            else "white", edgecolor="black", linewidth=0.8, zorder=8))
    label = f"{length / 1000:g} km".replace(".", ",") if length >= 1000 else f"{length} m"
    ax.text(left + length / 2, bottom + thick * 1.8, label, ha="center", va="bottom",
            fontsize=7, zorder=8, path_effects=[path_effects.withStroke(linewidth=2.5,
                                                                        foreground="white")])


def _north_arrow(ax, frame) -> None:
    x0, y0, x1, y1 = frame
    x, y = x1 - (x1 - x0) * 0.05, y1 - (y1 - y0) * 0.1
    ax.annotate("N", xy=(x, y1 - (y1 - y0) * 0.03), xytext=(x, y), ha="center", va="top",
                fontsize=10, weight="bold", zorder=8,
                arrowprops={"arrowstyle": "-|>", "color": "black", "linewidth": 1.4},
                path_effects=[path_effects.withStroke(linewidth=3, foreground="white")])


def draw_map(boundary: Boundary, sections: tuple[Section, ...] = (),
             focus: BaseGeometry | None = None, shapes: tuple[BaseGeometry, ...] = (),
             size: tuple[float, float] = (7.0, 6.6), dpi: int = 150) -> DrawnMap:
    """The district of ``boundary`` (``focus`` None) or ``focus`` with ZOOM_M around it,
    with ``sections`` outlined and numbered and ``shapes`` (a measure's area, a concern's
    place) drawn in blue. Returns the PNG and the boxes of what was drawn."""
    from geo.gazetteer import street_lines
    from geo.grid import cell_polygons
    from reports.analysis.hotspot_change import SPEC

    area = boundary.district
    if focus is None:
        x0, y0, x1, y1 = area.bounds
        mx, my = (x1 - x0) * MARGIN, (y1 - y0) * MARGIN
        bounds = (x0 - mx, y0 - my, x1 + mx, y1 + my)
    else:
        bounds = focus.buffer(ZOOM_M).bounds
    frame = _aspect_frame(bounds, *size)
    box = shapely.box(*frame)
    fig = Figure(figsize=size, dpi=dpi)
    canvas = FigureCanvasAgg(fig)  # a figure of its own, outside pyplot's global state
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(frame[0], frame[2])
    ax.set_ylim(frame[1], frame[3])
    ax.set_aspect("equal")
    ax.set_axis_off()
    ax.add_patch(matplotlib.patches.Rectangle((frame[0], frame[1]), frame[2] - frame[0],
                                              frame[3] - frame[1], color="#f2f2f2", zorder=0))

    parts = boundary.ortsteile()
    for geom in parts.geometry:
        _fill(ax, geom, "#fbfaf6", zorder=1)
    streets = street_lines()
    streets = streets[streets.intersects(box)]
    clipped = shapely.intersection(streets.geometry.values, box)
    inside = shapely.intersection(clipped, area)
    widths = np.where(shapely.length(inside) > 900, 1.3, 0.6)
    _line(ax, clipped, "#c4c4c4", widths * 0.8, 2)
    _line(ax, inside, "#7a7a7a", widths, 3)
    _line(ax, parts.geometry.values, "#8a8a8a", 0.8, 4, dashed=True)
    _line(ax, area, DISTRICT_COLOUR, 2.0, 5)

    for shape in shapes:
        if shape.geom_type == "Point":
            ax.plot([shape.x], [shape.y], marker="o", markersize=11, color=AREA_COLOUR,
                    markeredgecolor="white", markeredgewidth=1.5, zorder=7)
        else:
            _fill(ax, shape, AREA_COLOUR, zorder=6, alpha=0.18)
            _line(ax, shape, AREA_COLOUR, 2.2, 6)
    renderer = canvas.get_renderer()
    width_px, height_px = round(size[0] * dpi), round(size[1] * dpi)
    taken: list[Box] = []
    numbers: list[tuple[int, Box]] = []
    for section in sections:
        shape = shapely.union_all(cell_polygons(list(section.cell_ids), SPEC).geometry.values)
        _fill(ax, shape, SECTION_COLOUR, zorder=6, alpha=0.35)
        _line(ax, shape, SECTION_COLOUR, 2.0, 6)
        numbers.append((section.number, _place_number(ax, renderer, section, shape, taken,
                                                      height_px, (width_px, height_px))))
    _scale_bar(ax, frame, renderer)
    _north_arrow(ax, frame)
    credit = fig.text(0.995, 0.005, ATTRIBUTION, ha="right", va="bottom", fontsize=6.5,
                      color="#333333", zorder=9,
                      bbox={"boxstyle": "square,pad=0.25", "fc": "white", "ec": "none",
                            "alpha": 0.85})
    for artist in (credit, *ax.texts):
        taken.append(_box(artist.get_window_extent(renderer), renderer, height_px))
    # on the district map only streets inside it are named (the frame's edges are context)
    named = inside if focus is None else clipped
    size_px = (width_px, height_px)
    wanted = {s.street for s in sections if s.street}
    labels = _street_labels(ax, renderer, streets, named, wanted, taken, size_px, True)
    if focus is None:
        for name, geom in zip(parts["name"], parts.geometry, strict=True):
            point = geom.representative_point()
            text = ax.text(point.x, point.y, name, fontsize=8.5, style="italic",
                           color=DISTRICT_COLOUR, alpha=0.85, ha="center", va="center",
                           zorder=7, path_effects=[path_effects.withStroke(
                               linewidth=2.5, foreground="white")])
            box = _box(text.get_window_extent(renderer), renderer, height_px)
            if _overlaps(box, taken):
                text.remove()
            else:
                taken.append(box)
    labels += _street_labels(ax, renderer, streets, named, wanted, taken, size_px, False,
                             {name for name, _ in labels})
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi)
    return DrawnMap(buffer.getvalue(), (width_px, height_px), frame, labels, numbers)


def _place_number(ax, renderer, section: Section, shape, taken: list[Box], height_px: float,
                  size: tuple[int, int]) -> Box:
    """The section's number in a badge on the section, moved aside where another badge sits
    (filled: a new or intensifying section)."""
    centre = shape.representative_point()
    x0, x1 = ax.get_xlim()
    step = 24 * (x1 - x0) / size[0]  # a badge and a half, in metres
    offsets = [(0, 0), (0, step), (0, -step), (step, 0), (-step, 0), (step, step),
               (-step, -step), (step, -step), (-step, step), (0, 2 * step), (0, -2 * step)]
    best = None
    for dx, dy in offsets:
        text = ax.text(centre.x + dx, centre.y + dy, str(section.number), ha="center",
                       va="center", fontsize=9, weight="bold", zorder=9,
                       color="white" if section.marked else "black",
                       bbox={"boxstyle": "circle,pad=0.25",
                             "fc": SECTION_COLOUR if section.marked else "white",
                             "ec": SECTION_COLOUR, "lw": 1.5})
        text.draw(renderer)  # lays out the badge, so its circle has a size
        box = _box(text.get_bbox_patch().get_window_extent(renderer), renderer, height_px)
        if (not _overlaps(box, taken) and _inside(box, size)) or (dx, dy) == offsets[-1]:
            best = box
            break
        text.remove()
    assert best is not None
    taken.append(best)
    return best


def _street_labels(ax, renderer, streets, lines, wanted: set[str], taken: list[Box],
                   size: tuple[int, int], listed: bool, seen: set[str] | None = None
                   ) -> list[tuple[str, Box]]:
    """Greedy labels: with ``listed`` the streets that carry a listed section (tried at many
    places along the street), else the longest of the rest; a label is kept only where its
    box (from the renderer) overlaps nothing placed before."""
    names = streets["name"].astype(str).to_numpy()
    lengths = shapely.length(lines)
    order = [i for i in np.argsort(-lengths) if (names[i] in wanted) == listed]
    spots = tuple(np.linspace(0.1, 0.9, 17)) if listed else (0.5, 0.35, 0.65, 0.2, 0.8)
    placed: list[tuple[str, Box]] = []
    seen = set(seen or ())
    for i in order[:STREET_CANDIDATES]:
        name = names[i]
        if name in seen or lengths[i] < 150:
            continue
        line = _longest_part(lines[i])
        for at in spots:
            point = line.interpolate(at, normalized=True)
            text = ax.text(point.x, point.y, escape_mathtext(name), fontsize=6.5,
                           color="#222222", ha="center", va="center",
                           rotation=_angle(line, at), rotation_mode="anchor", zorder=8,
                           path_effects=[path_effects.withStroke(linewidth=2.2,
                                                                 foreground="white")])
            box = _box(text.get_window_extent(renderer), renderer, size[1])
            if _inside(box, size) and not _overlaps(box, taken):
                taken.append(box)
                placed.append((name, box))
                seen.add(name)
                break
            text.remove()
    return placed


def _line(ax, geoms, colour: str, width, zorder: int, dashed: bool = False) -> None:
    """Lines of one style as one LineCollection (a plot call per street costs seconds);
    ``geoms``: a geometry or an array of them, polygons drawn by their rings; ``width``: one
    width or one per geometry."""
    geoms = np.atleast_1d(np.asarray(geoms, dtype=object))
    widths = np.broadcast_to(np.asarray(width, dtype=float), geoms.shape)
    paths, line_widths = [], []
    for geom, w in zip(geoms, widths, strict=True):
        if geom is None or shapely.is_empty(geom):
            continue
        if geom.geom_type in ("Polygon", "MultiPolygon"):
            geom = geom.boundary
        for part in shapely.get_parts(geom):
            paths.append(shapely.get_coordinates(part))
            line_widths.append(w)
    if paths:
        ax.add_collection(LineCollection(paths, colors=colour, linewidths=line_widths,
                                         zorder=zorder, capstyle="round",
                                         linestyles=(0, (4, 2)) if dashed else "solid"))


def _fill(ax, geom, colour: str, zorder: int, alpha: float = 1.0) -> None:
    for part in getattr(geom, "geoms", [geom]):
        if part.geom_type != "Polygon":
            continue
        xs, ys = part.exterior.xy
        ax.fill(xs, ys, color=colour, alpha=alpha, zorder=zorder, linewidth=0)
