"""Pre-rendered raster tiles of the district: the offline basemap a resident recognises.

Building footprints, street lines and the Ortsteil borders are drawn with matplotlib (Agg) into
Web-Mercator XYZ tiles (256 px) under static/tiles/{z}/{x}/{y}.png, which Streamlit serves as
static files — no tile server, no third-party request. The names (streets, Ortsteile, parks)
are a second, transparent pyramid under static/tiles/labels/, which the maps lay above their
data layers, so heat and hot spot fills never hide a street name. Each zoom is
drawn in blocks of tiles aligned to the tile grid with one tile of margin on every side, so a
label crossing a block edge is drawn identically in both blocks and never cut at a tile edge.
The output is deterministic: same input, same bytes.
"""

from __future__ import annotations

import io
import json
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import matplotlib
import numpy as np
import shapely
import shapely.affinity
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import LineCollection, PolyCollection
from matplotlib.figure import Figure
from matplotlib.patheffects import withStroke
from PIL import Image

from config.paths import DATA_DIR, STATIC_DIR
from geo.boundary import district_config

matplotlib.use("Agg")

TILE_PX = 256
MERCATOR_CRS = "EPSG:3857"
HALF_WORLD = 20037508.342789244  # Web-Mercator x at longitude 180°
DPI = 72  # one point = one pixel: widths and font sizes below are in pixels
BLOCK_TILES = 12  # tiles per block side; with the margin a block is 3584 px square
MARGIN_TILES = 1
MIN_ZOOM, MAX_ZOOM = 12, 17
# The overview zooms (no buildings) reach further around the district, so the map's first
# view never ends in blank ground; the detail zooms stay near it (size and build time).
OVERVIEW_MAX_ZOOM, OVERVIEW_MARGIN_M, DETAIL_MARGIN_M = 13, 4000.0, 600.0
STREET_LABEL_MIN_ZOOM = 15
ORTSTEIL_LABEL_MAX_ZOOM = 14
METADATA_FILE = "tiles.json"
TILES_DIR = STATIC_DIR / "tiles"
BUILDINGS_SOURCE = "sources/osten_box_buildings_2025.geojson.gz"

BACKGROUND = "#f4f2ee"
BUILDING_FILL, BUILDING_EDGE = "#d9d6d1", "#c2beb8"
STREET_FILL, STREET_CASING = "#ffffff", "#a9a9a9"
ORTSTEIL_BORDER, DISTRICT_BORDER = "#8c8c8c", "#5a5a5a"
LABEL_COLOUR, ORTSTEIL_LABEL_COLOUR, HALO = "#3c3c3c", "#505050", "#ffffff"

# Per zoom: street width (px, without casing), building edge width, label font size (px).
STREET_PX = {12: 0.7, 13: 1.0, 14: 1.6, 15: 2.6, 16: 4.5, 17: 7.5}
CASING_PX = {12: 0.0, 13: 0.0, 14: 0.6, 15: 0.8, 16: 1.0, 17: 1.2}
BUILDING_MIN_ZOOM = 14
STREET_FONT_PX = {15: 10, 16: 11, 17: 12}
ORTSTEIL_FONT_PX = {12: 10, 13: 12, 14: 14}
LABEL_REPEAT_PX = 700  # one more label of the same street every this many pixels of line
LABELS_DIR = "labels"  # the names' pyramid, below the basemap's folder
# The sources hold no park or water polygons (SOURCES.md): parks are named where the register
# places them (the middle of the addresses ringing them), in green, from this zoom on.
PARK_LABEL_MIN_ZOOM, PARK_COLOUR = 14, "#2e7d32"
PARK_FONT_PX = {14: 11, 15: 12, 16: 13, 17: 14}


@dataclass(frozen=True)
class BasemapData:
    """What the basemap shows, all in EPSG:25833 or any CRS (reprojected here).

    ``ortsteile``: GeoDataFrame[name, geometry] of every Ortsteil that may appear;
    ``district``: names of the Ortsteile forming the district (outline and bounding box);
    ``streets``: GeoDataFrame[name, geometry] of lines; ``buildings``: polygons;
    ``parks``: GeoDataFrame[name, geometry] of points where a park's name is written.
    """

    ortsteile: gpd.GeoDataFrame
    district: tuple[str, ...]
    streets: gpd.GeoDataFrame
    buildings: gpd.GeoDataFrame
    parks: gpd.GeoDataFrame | None = None


def shipped_data(shared_data_dir: Path) -> BasemapData:
    """The shipped Ortsteile, street lines and parks (data/) plus the OSM building
    footprints."""
    buildings = gpd.read_file(f"/vsigzip/{shared_data_dir / BUILDINGS_SOURCE}",
                              columns=["geometry"])
    return BasemapData(
        ortsteile=gpd.read_parquet(DATA_DIR / "ortsteile.geoparquet"),
        district=district_config().ortsteile,
        streets=gpd.read_parquet(DATA_DIR / "streets.geoparquet", columns=["name", "geometry"]),
        buildings=buildings,
        parks=register_parks(),
    )


_PARK_NAME = re.compile(r"park$|^park\b", re.IGNORECASE)
_NOT_A_PARK = re.compile(r"^(zum|zur|am|an|im|in|auf)\b", re.IGNORECASE)  # a way to a park


def register_parks() -> gpd.GeoDataFrame:
    """Parks of the address register (a register "street" whose name or alias is a park's,
    e.g. Mariannenpark, Rabet = „Park am Rabet“), placed at the mean of their addresses:
    the addresses ring the park, so their middle lies in it."""
    import tomllib

    import pandas as pd

    aliases = tomllib.loads((DATA_DIR / "aliases.toml").read_text("utf-8"))["aliases"]

    def is_park(name: str) -> bool:
        names = [name, *aliases.get(name, [])]
        return not _NOT_A_PARK.search(name) and any(_PARK_NAME.search(n) for n in names)

    addresses = pd.read_parquet(DATA_DIR / "addresses.parquet", columns=["street", "x", "y"])
    parks = addresses[addresses["street"].map(is_park)].groupby("street", sort=True)[
        ["x", "y"]].mean()
    return gpd.GeoDataFrame({"name": parks.index.astype(str)},
                            geometry=gpd.points_from_xy(parks["x"], parks["y"]), crs=25833)


def metres_per_pixel(z: int) -> float:
    return 2 * HALF_WORLD / (TILE_PX * 2**z)


def tile_range(bounds: tuple[float, float, float, float], z: int) -> tuple[int, int, int, int]:
    """Inclusive tile columns/rows (x0, y0, x1, y1) that intersect Mercator ``bounds``."""
    xmin, ymin, xmax, ymax = bounds
    size = metres_per_pixel(z) * TILE_PX
    x0 = math.floor((xmin + HALF_WORLD) / size)
    x1 = math.floor((xmax + HALF_WORLD) / size)
    y0 = math.floor((HALF_WORLD - ymax) / size)
    y1 = math.floor((HALF_WORLD - ymin) / size)
    return x0, y0, x1, y1


def tile_bounds(z: int, x: int, y: int) -> tuple[float, float, float, float]:
    """Mercator bounds (xmin, ymin, xmax, ymax) of tile z/x/y."""
    size = metres_per_pixel(z) * TILE_PX
    xmin = -HALF_WORLD + x * size
    ymax = HALF_WORLD - y * size
    return xmin, ymax - size, xmin + size, ymax


def area_bounds(data: BasemapData,
                margin_m: float = DETAIL_MARGIN_M) -> tuple[float, float, float, float]:
    """Mercator bounding box of the district's Ortsteile plus ``margin_m`` on the ground."""
    district = data.ortsteile[data.ortsteile["name"].isin(data.district)]
    if district.empty:
        raise ValueError("none of the district's Ortsteile is in the Ortsteile frame")
    xmin, ymin, xmax, ymax = district.to_crs(MERCATOR_CRS).total_bounds
    # Mercator stretches ground distances by 1/cos(latitude).
    lat = float(district.to_crs("EPSG:4326").union_all().centroid.y)
    pad = margin_m / math.cos(math.radians(lat))
    return xmin - pad, ymin - pad, xmax + pad, ymax + pad


@dataclass(frozen=True)
class _Prepared:
    """The data in Mercator with spatial indexes, ready to be cut into blocks."""

    buildings: gpd.GeoSeries
    streets: gpd.GeoDataFrame
    borders: gpd.GeoSeries
    district_outline: shapely.Geometry
    ortsteil_labels: list[tuple[str, float, float, bool]]
    parks: list[tuple[str, float, float]]


def _prepare(data: BasemapData, bounds: tuple[float, float, float, float]) -> _Prepared:
    pad = (bounds[2] - bounds[0]) * 0.2
    box = shapely.box(bounds[0] - pad, bounds[1] - pad, bounds[2] + pad, bounds[3] + pad)

    def clipped(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
        frame = frame.to_crs(MERCATOR_CRS)
        return frame[frame.intersects(box)].reset_index(drop=True)

    ortsteile = clipped(data.ortsteile[["name", "geometry"]])
    in_district = ortsteile["name"].isin(data.district)
    streets = clipped(data.streets[["name", "geometry"]])
    streets = streets[streets.geom_type.isin(["LineString", "MultiLineString"])]
    buildings = clipped(data.buildings[["geometry"]])
    buildings = buildings[buildings.geom_type.isin(["Polygon", "MultiPolygon"])]
    labels = []
    for name, geom, inside in zip(ortsteile["name"], ortsteile.geometry, in_district,
                                  strict=True):
        point = geom.representative_point() if inside else geom.intersection(box).centroid
        labels.append((str(name), point.x, point.y, bool(inside)))
    parks = [] if data.parks is None else [
        (str(row.name), row.geometry.x, row.geometry.y)
        for row in clipped(data.parks[["name", "geometry"]]).itertuples()]
    return _Prepared(
        buildings=buildings.geometry,
        streets=streets.sort_values("name", kind="stable").reset_index(drop=True),
        borders=ortsteile.geometry.boundary,
        district_outline=ortsteile[in_district].union_all().boundary,
        ortsteil_labels=sorted(labels),
        parks=sorted(parks),
    )


def _lines(geoms) -> list[np.ndarray]:
    out: list[np.ndarray] = []
    for geom in geoms:
        if geom is None or geom.is_empty:
            continue
        parts = geom.geoms if hasattr(geom, "geoms") else [geom]
        out.extend(np.asarray(p.coords)[:, :2] for p in parts if not p.is_empty)
    return out


def _rings(geoms) -> list[np.ndarray]:
    out: list[np.ndarray] = []
    for geom in geoms:
        parts = geom.geoms if hasattr(geom, "geoms") else [geom]
        out.extend(np.asarray(p.exterior.coords)[:, :2] for p in parts)
    return out


def _label_spots(line: np.ndarray, text_px: float, mpp: float) -> Iterator[tuple]:
    """(x, y, angle) at which a label of ``text_px`` fits along ``line`` (Mercator)."""
    seg = np.diff(line, axis=0)
    seg_len = np.hypot(seg[:, 0], seg[:, 1]) / mpp
    total = float(seg_len.sum())
    if total < text_px * 1.15:
        return
    cum = np.concatenate([[0.0], np.cumsum(seg_len)])
    count = max(1, int(total // LABEL_REPEAT_PX))
    for k in range(count):
        at = total * (k + 0.5) / count
        # Direction over the label's length, not the one segment under its centre.
        a = np.array([np.interp(at - text_px / 2, cum, line[:, i]) for i in (0, 1)])
        b = np.array([np.interp(at + text_px / 2, cum, line[:, i]) for i in (0, 1)])
        mid = np.array([np.interp(at, cum, line[:, i]) for i in (0, 1)])
        angle = math.degrees(math.atan2(b[1] - a[1], b[0] - a[0]))
        if angle > 90:
            angle -= 180
        elif angle < -90:
            angle += 180
        if abs(np.hypot(*(b - a)) / mpp - text_px) > text_px * 0.25:
            continue  # too curved here: the text would leave its street
        yield float(mid[0]), float(mid[1]), angle


def _street_labels(streets: gpd.GeoDataFrame, z: int) -> list[tuple[str, float, float, float]]:
    """Non-overlapping street labels for zoom ``z``, the same for every block of that zoom."""
    mpp = metres_per_pixel(z)
    font = STREET_FONT_PX[z]
    placed: list[tuple[str, float, float, float]] = []
    grid: dict[tuple[int, int], list[shapely.Geometry]] = {}  # taken label boxes by cell
    cell = 256 * mpp
    candidates = []
    for name, geom in zip(streets["name"], streets.geometry, strict=True):
        if not isinstance(name, str) or not name.strip():
            continue
        text_px = 0.58 * font * len(name)
        for line in _lines([geom]):
            length = float(np.hypot(*np.diff(line, axis=0).T).sum())
            candidates.append((-length, name, line, text_px))
    candidates.sort(key=lambda c: (c[0], c[1]))  # long lines first: main streets win
    for _, name, line, text_px in candidates:
        for x, y, angle in _label_spots(line, text_px, mpp):
            half_w, half_h = text_px / 2 * mpp + 4 * mpp, font * 0.75 * mpp
            rect = shapely.Polygon([(-half_w, -half_h), (half_w, -half_h), (half_w, half_h),
                                    (-half_w, half_h)])
            rect = shapely.affinity.translate(shapely.affinity.rotate(rect, angle), x, y)
            xmin, ymin, xmax, ymax = rect.bounds
            cells = [(i, j) for i in range(int(xmin // cell), int(xmax // cell) + 1)
                     for j in range(int(ymin // cell), int(ymax // cell) + 1)]
            if any(rect.intersects(other) for c in cells for other in grid.get(c, ())):
                continue
            for c in cells:
                grid.setdefault(c, []).append(rect)
            placed.append((name, x, y, angle))
    return placed


def _ortsteil_labels(labels: list[tuple[str, float, float, bool]], z: int) -> list:
    """Ortsteil names that do not overlap, the district's own first."""
    mpp = metres_per_pixel(z)
    kept: list[tuple[str, float, float, bool]] = []
    boxes: list[tuple[float, float, float, float]] = []
    for name, x, y, inside in sorted(labels, key=lambda label: (not label[3], label[0])):
        font = ORTSTEIL_FONT_PX[z] * (1 if inside else 0.85)
        half_w, half_h = (0.62 * font * len(name) / 2 + 6) * mpp, font * mpp
        box = (x - half_w, y - half_h, x + half_w, y + half_h)
        if any(box[0] < b[2] and b[0] < box[2] and box[1] < b[3] and b[1] < box[3]
               for b in boxes):
            continue
        boxes.append(box)
        kept.append((name, x, y, inside))
    return kept


def _figure(extent: tuple[float, float, float, float], size_px: tuple[int, int],
            facecolor: str) -> tuple[Figure, Axes]:
    fig = Figure(figsize=(size_px[0] / DPI, size_px[1] / DPI), dpi=DPI, facecolor=facecolor)
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_axis_off()
    ax.set_xlim(extent[0], extent[2])
    ax.set_ylim(extent[1], extent[3])
    return fig, ax


def _image(fig: Figure) -> Image.Image:
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    return Image.frombuffer("RGBA", canvas.get_width_height(), canvas.buffer_rgba())


def _draw_ground(prep: _Prepared, z: int, extent: tuple[float, float, float, float],
                 size_px: tuple[int, int]) -> Image.Image:
    """Buildings, streets and borders of one block (no names: those are ``_draw_labels``)."""
    fig, ax = _figure(extent, size_px, BACKGROUND)
    box = shapely.box(*extent)
    if z >= BUILDING_MIN_ZOOM:
        hits = prep.buildings.iloc[prep.buildings.sindex.query(box, "intersects")]
        ax.add_collection(PolyCollection(
            _rings(hits.sort_index()), facecolors=BUILDING_FILL,
            edgecolors=BUILDING_EDGE if z >= 16 else "none", linewidths=0.6))
    street_hits = prep.streets.iloc[np.sort(prep.streets.sindex.query(box, "intersects"))]
    lines = _lines(street_hits.geometry)
    if CASING_PX[z]:
        ax.add_collection(LineCollection(lines, colors=STREET_CASING,
                                         linewidths=STREET_PX[z] + 2 * CASING_PX[z],
                                         capstyle="round", joinstyle="round"))
    ax.add_collection(LineCollection(lines, colors=STREET_FILL if CASING_PX[z] else STREET_CASING,
                                     linewidths=STREET_PX[z], capstyle="round",
                                     joinstyle="round"))
    # Solid, not dashed: a dash pattern restarts where Agg clips a line at the block's edge.
    ax.add_collection(LineCollection(_lines(prep.borders), colors=ORTSTEIL_BORDER,
                                     linewidths=1.0 if z < 15 else 1.4))
    ax.add_collection(LineCollection(_lines([prep.district_outline]), colors=DISTRICT_BORDER,
                                     linewidths=2.0 if z < 15 else 3.0, alpha=0.6))
    return _image(fig).convert("RGB")


def _draw_labels(prep: _Prepared, labels: list, z: int,
                 extent: tuple[float, float, float, float], size_px: tuple[int, int]
                 ) -> Image.Image:
    """The names of one block (Ortsteile, parks, streets) on a transparent ground."""
    fig, ax = _figure(extent, size_px, "none")
    halo = [withStroke(linewidth=3, foreground=HALO)]
    pad = 300 * metres_per_pixel(z)  # labels whose centre lies this far outside may reach in

    def near(x: float, y: float) -> bool:
        return extent[0] - pad < x < extent[2] + pad and extent[1] - pad < y < extent[3] + pad

    if z <= ORTSTEIL_LABEL_MAX_ZOOM:
        for name, x, y, inside in _ortsteil_labels(prep.ortsteil_labels, z):
            if near(x, y):
                ax.text(x, y, name, fontsize=ORTSTEIL_FONT_PX[z] * (1 if inside else 0.85),
                        color=ORTSTEIL_LABEL_COLOUR if inside else ORTSTEIL_BORDER,
                        fontweight="bold" if inside else "normal", ha="center", va="center",
                        path_effects=halo)
    if z >= PARK_LABEL_MIN_ZOOM:
        for name, x, y in prep.parks:
            if near(x, y):
                ax.text(x, y, name, fontsize=PARK_FONT_PX[z], color=PARK_COLOUR,
                        fontstyle="italic", fontweight="bold", ha="center", va="center",
                        path_effects=halo)
    for name, x, y, angle in labels:
        if near(x, y):
            ax.text(x, y, name, fontsize=STREET_FONT_PX[z], color=LABEL_COLOUR, rotation=angle,
                    rotation_mode="anchor", ha="center", va="center", path_effects=halo)
    return _image(fig)


def _png(tile: Image.Image) -> bytes:
    """Palette PNG (64 colours): calm colours lose nothing visible, size drops ~4x. Labels
    keep their transparency (octree quantisation, the one Pillow method for RGBA)."""
    out = io.BytesIO()
    method = Image.Quantize.FASTOCTREE if tile.mode == "RGBA" else Image.Quantize.MEDIANCUT
    tile.quantize(colors=64, method=method, dither=Image.Dither.NONE).save(
        out, format="PNG", optimize=True)
    return out.getvalue()


def render_zoom(prep: _Prepared, bounds: tuple[float, float, float, float], z: int,
                block_tiles: int = BLOCK_TILES) -> Iterator[tuple[int, int, bytes, bytes]]:
    """(x, y, ground png, labels png) of every tile at zoom ``z`` that intersects Mercator
    ``bounds``."""
    x0, y0, x1, y1 = tile_range(bounds, z)
    labels = _street_labels(prep.streets, z) if z >= STREET_LABEL_MIN_ZOOM else []
    for bx in range(x0, x1 + 1, block_tiles):
        for by in range(y0, y1 + 1, block_tiles):
            nx, ny = min(block_tiles, x1 + 1 - bx), min(block_tiles, y1 + 1 - by)
            left = tile_bounds(z, bx - MARGIN_TILES, by - MARGIN_TILES)
            right = tile_bounds(z, bx + nx - 1 + MARGIN_TILES, by + ny - 1 + MARGIN_TILES)
            extent = (left[0], right[1], right[2], left[3])
            size = ((nx + 2 * MARGIN_TILES) * TILE_PX, (ny + 2 * MARGIN_TILES) * TILE_PX)
            ground = _draw_ground(prep, z, extent, size)
            names = _draw_labels(prep, labels, z, extent, size)
            for i in range(nx):
                for j in range(ny):
                    px, py = (i + MARGIN_TILES) * TILE_PX, (j + MARGIN_TILES) * TILE_PX
                    crop = (px, py, px + TILE_PX, py + TILE_PX)
                    yield bx + i, by + j, _png(ground.crop(crop)), _png(names.crop(crop))


def _levels(zooms: range) -> list[tuple[range, float]]:
    """The zooms split into the overview and detail levels, each with its margin."""
    levels = [(range(zooms.start, min(zooms.stop, OVERVIEW_MAX_ZOOM + 1)), OVERVIEW_MARGIN_M),
              (range(max(zooms.start, OVERVIEW_MAX_ZOOM + 1), zooms.stop), DETAIL_MARGIN_M)]
    return [(level, margin) for level, margin in levels if len(level)]


def build_tiles(data: BasemapData, out_dir: Path, zooms: range = range(MIN_ZOOM, MAX_ZOOM + 1),
                block_tiles: int = BLOCK_TILES) -> dict:
    """Render the pyramid into ``out_dir``/{z}/{x}/{y}.png, the names into
    ``out_dir``/labels/{z}/{x}/{y}.png, and write ``tiles.json``.

    Tiles of an earlier build that the new one does not cover are removed.
    """
    levels = _levels(zooms)
    prep = _prepare(data, area_bounds(data, max(margin for _, margin in levels)))
    written: set[Path] = set()
    sizes = {"ground": 0, "labels": 0}
    meta_levels = []

    def write(path: Path, png: bytes) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.is_file() or path.read_bytes() != png:
            path.write_bytes(png)
        written.add(path)

    for level, margin in levels:
        bounds = area_bounds(data, margin)
        for z in level:
            for x, y, ground, names in render_zoom(prep, bounds, z, block_tiles):
                write(out_dir / str(z) / str(x) / f"{y}.png", ground)
                write(out_dir / LABELS_DIR / str(z) / str(x) / f"{y}.png", names)
                sizes["ground"] += len(ground)
                sizes["labels"] += len(names)
        lonlat = gpd.GeoSeries([shapely.box(*bounds)], crs=MERCATOR_CRS).to_crs("EPSG:4326")
        west, south, east, north = (round(float(v), 6) for v in lonlat.total_bounds)
        meta_levels.append({"min_zoom": level.start, "max_zoom": level.stop - 1,
                            "bounds": [[south, west], [north, east]]})
    for stale in [*out_dir.glob("*/*/*.png"), *(out_dir / LABELS_DIR).glob("*/*/*.png")]:
        if stale not in written:
            stale.unlink()
    meta = {"min_zoom": zooms.start, "max_zoom": zooms.stop - 1, "levels": meta_levels,
            "tiles": len(written) // 2, "bytes": sizes["ground"],
            "label_bytes": sizes["labels"]}
    (out_dir / METADATA_FILE).write_text(json.dumps(meta, indent=1) + "\n", encoding="utf-8")
    return meta


def read_metadata(tiles_dir: Path) -> dict | None:
    """The pyramid's ``tiles.json`` (zooms, bounds of each level); None where none was built."""
    path = tiles_dir / METADATA_FILE
    if not path.is_file():
        return None
    return json.loads(path.read_text(encoding="utf-8"))
