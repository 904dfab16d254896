"""Build the shipped geography in data/ from the real Leipzig sources (../shared/data).

``python -m geo build-data SHARED_DATA_DIR`` reads the address register of all Leipzig, the
city's street directory, the OSM street lines, the Ortsteil polygons and the building
footprints, and writes compact files the app loads without the sources:

* ``addresses.parquet`` — every Leipzig address: street, house number split into number and
  suffix, EPSG:25833 point, its source and an honest ``precision_m`` (coarse 2013 way points get
  the radius that holds their street's addresses around them).
* ``streets.geoparquet`` — every real street name (directory + register + lines) with its course:
  the OSM line where there is one, else a line derived from the street's address points.
* ``places.geoparquet`` — named buildings and named areas (Ortsteile and the parts of their
  names) as points with the radius that holds them; areas also with their ``outline``.
* ``ortsteile.geoparquet`` — the 62 Ortsteil polygons.

Deterministic: the same sources give byte-identical files (sorted rows, rounded coordinates,
no timestamps). The basemap tiles are built by ``geo.tiles`` from the same frames.
"""

from __future__ import annotations

import gzip
import json
import re
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.ops import linemerge

from geo.address_forms import is_generic
from geo.crs import DISPLAY_CRS, METRIC_CRS, to_metric
from geo.normalize import name_key

ADDRESSES = "addresses.parquet"
STREETS = "streets.geoparquet"
PLACES = "places.geoparquet"
ORTSTEILE = "ortsteile.geoparquet"
SHIPPED_FILES = (ADDRESSES, STREETS, PLACES, ORTSTEILE)

# Precision of a register point of each source (see SOURCES.md): an OSM 2025 building centroid
# lies within ~10 m of the entrance/centre an official list would give for ordinary houses;
# 2013 OSM address nodes are a median 6.6 m from the 2025 building, 20 m holds the tail.
SOURCE_PRECISION_M = {"osm2025": 10.0, "register2013_node": 20.0}
COARSE_SOURCE = "register2013_way"  # one point per OSM way, shared by up to 190 addresses
COARSE_MIN_PRECISION_M = 50.0
CLUSTER_GAP_M = 250.0  # address points of one name further apart belong to separate streets
COURSE_BIN_M = 30.0  # one vertex of a derived street course per this much street length
MAX_RANGE_SPAN = 10  # "2-10" in the register stands for each number; wider spans are lots
PLACE_MIN_PRECISION_M = 15.0
ROUND_M = 0.1  # coordinates are stored to 10 cm: far below any precision, and compress well

_HOUSENUMBER = re.compile(r"(\d{1,4})\s*([a-z]?)")
_RANGE = re.compile(r"(\d{1,4})\s*[a-z]?\s*[-/]\s*(\d{1,4})")
_GENERIC_PLACE = re.compile(r"^(?:haus|gebaeude|block|garage)|^\d+$")  # on name keys


@dataclass(frozen=True)
class Sources:
    """Paths of the source files inside SHARED_DATA_DIR (as laid out in ../shared/data)."""

    addresses: Path
    directory: Path
    streets: Path
    buildings: Path
    ortsteile: Path

    @classmethod
    def in_dir(cls, root: Path) -> Sources:
        root = Path(root)
        src = root / "sources"
        return cls(src / "leipzig_addresses.csv", src / "leipzig_strassen_ortsteile_2018.csv",
                   src / "leipzig_streets.geojson", src / "osten_box_buildings_2025.geojson.gz",
                   root / "reference" / "leipzig_ortsteile")

    def missing(self) -> list[Path]:
        return [p for p in (self.addresses, self.directory, self.streets, self.buildings,
                            self.ortsteile) if not p.exists()]


def _rounded(values: np.ndarray) -> np.ndarray:
    return np.round(np.asarray(values, dtype="float64") / ROUND_M) * ROUND_M


def _round_geoms(geoms: np.ndarray) -> np.ndarray:
    return shapely.transform(geoms, lambda c: np.round(c / ROUND_M) * ROUND_M)


# -- addresses ----------------------------------------------------------------------------------


def read_addresses(path: Path) -> pd.DataFrame:
    """The register with number/suffix split, ranges expanded, EPSG:25833 points and precision.

    "18-20" stands for 18, 19 and 20 (same parity: 18, 20) unless one of them has its own row;
    "33HH" (Hinterhaus) is house 33 unless 33 has its own row.
    """
    raw = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    raw = raw[raw["street"].str.strip().ne("")]
    x, y = to_metric(pd.to_numeric(raw["lon"]).to_numpy(), pd.to_numeric(raw["lat"]).to_numpy())
    base = pd.DataFrame({"street": raw["street"].str.strip().to_numpy(),
                         "text": raw["housenumber"].str.strip().str.lower().to_numpy(),
                         "postcode": raw["postcode"].to_numpy(), "x": _rounded(x),
                         "y": _rounded(y), "source": raw["source"].to_numpy()})
    rows = []
    for street, text, postcode, px, py, source in base.itertuples(index=False):
        exact = _HOUSENUMBER.fullmatch(text)
        if exact:
            rows.append((street, int(exact.group(1)), exact.group(2), postcode, px, py, source, 0))
            continue
        span = _RANGE.match(text)
        if span and 0 < int(span.group(2)) - int(span.group(1)) <= MAX_RANGE_SPAN:
            low, high = int(span.group(1)), int(span.group(2))
            step = 2 if (high - low) % 2 == 0 else 1
            rows.extend((street, n, "", postcode, px, py, source, 1)
                        for n in range(low, high + 1, step))
            continue
        lead = _HOUSENUMBER.match(text)
        if lead:
            rows.append((street, int(lead.group(1)), "", postcode, px, py, source, 2))
    frame = pd.DataFrame(rows, columns=["street", "number", "suffix", "postcode", "x", "y",
                                        "source", "derived"])
    frame = frame[frame["number"] > 0]
    # a row of its own beats a range or "HH" row for the same number
    frame = (frame.sort_values(["street", "number", "suffix", "derived", "source", "x", "y"])
             .drop_duplicates(["street", "number", "suffix"]).drop(columns="derived"))
    frame["number"] = frame["number"].astype("int16")
    frame["precision_m"] = _precision(frame)
    frame["housenumber"] = frame["number"].astype(str) + frame["suffix"]
    columns = ["street", "housenumber", "number", "suffix", "postcode", "x", "y", "source",
               "precision_m"]
    return frame[columns].reset_index(drop=True)


def _precision(frame: pd.DataFrame) -> np.ndarray:
    """Honest radius per register point: fixed for building-exact sources; a coarse way point
    may stand for any house of its street nearby, so it gets the radius that holds the street's
    addresses within CLUSTER_GAP_M-linked reach of it (at least COARSE_MIN_PRECISION_M)."""
    precision = frame["source"].map(SOURCE_PRECISION_M).to_numpy(dtype="float64", na_value=np.nan,
                                                                  copy=True)
    coarse = np.flatnonzero(frame["source"].eq(COARSE_SOURCE).to_numpy())
    if coarse.size == 0:
        return precision
    xy = frame[["x", "y"]].to_numpy()
    is_coarse = np.zeros(len(frame), bool)
    is_coarse[coarse] = True
    by_street = pd.Series(np.arange(len(frame))).groupby(frame["street"].to_numpy()).indices
    for members in by_street.values():
        if not is_coarse[members].any():
            continue
        for group in clusters(xy[members]):
            rows = members[group]
            for i in rows[is_coarse[rows]]:
                far = np.hypot(*(xy[rows] - xy[i]).T).max()
                precision[i] = max(COARSE_MIN_PRECISION_M, float(np.ceil(far)))
    return precision


def _cluster_of(xy: np.ndarray, start: int) -> np.ndarray:
    """Indices of the points linked to ``xy[start]`` by hops of at most CLUSTER_GAP_M."""
    inside = np.zeros(len(xy), bool)
    inside[start] = True
    frontier = np.array([start])
    while frontier.size:
        near = (np.hypot(xy[:, None, 0] - xy[None, frontier, 0],
                         xy[:, None, 1] - xy[None, frontier, 1]) <= CLUSTER_GAP_M).any(axis=1)
        frontier = np.flatnonzero(near & ~inside)
        inside |= near
    return np.flatnonzero(inside)


def clusters(xy: np.ndarray) -> list[np.ndarray]:
    """Groups of points linked by hops of at most CLUSTER_GAP_M (a name used twice in the city
    is two streets)."""
    left = np.ones(len(xy), bool)
    groups = []
    while left.any():
        todo = np.flatnonzero(left)
        members = todo[_cluster_of(xy[todo], 0)]
        groups.append(members)
        left[members] = False
    return groups


# -- streets ------------------------------------------------------------------------------------


def derived_course(xy: np.ndarray) -> shapely.Geometry | None:
    """A street's course from its address points: houses stand on both sides, so the mean of
    the points in each COURSE_BIN_M slice along the main axis runs down the middle."""
    if len(xy) < 2:
        return None
    centre = xy.mean(axis=0)
    _, _, axes = np.linalg.svd(xy - centre, full_matrices=False)
    axis = axes[0] * (1 if axes[0][0] > 0 or (axes[0][0] == 0 and axes[0][1] > 0) else -1)
    t = (xy - centre) @ axis
    if t.max() - t.min() < 1.0:
        return None
    bins = np.floor((t - t.min()) / COURSE_BIN_M).astype(int)
    vertices = np.array([xy[bins == b].mean(axis=0) for b in np.unique(bins)])
    if len(vertices) < 2:  # the slice means coincide: span the points along the axis
        vertices = np.array([centre + t.min() * axis, centre + t.max() * axis])
    # extend the ends to the outermost houses, projected on the axis
    vertices[0] = vertices[0] + (t.min() - (vertices[0] - centre) @ axis) * axis
    vertices[-1] = vertices[-1] + (t.max() - (vertices[-1] - centre) @ axis) * axis
    return shapely.simplify(shapely.LineString(vertices), 2.0)


def read_street_lines(path: Path) -> gpd.GeoDataFrame:
    lines = gpd.read_file(path, engine="pyogrio")
    lines = lines[lines["name"].notna() & lines.geometry.notna()]
    if lines.crs is None:
        lines = lines.set_crs(DISPLAY_CRS)
    return lines[["name", "geometry"]].to_crs(METRIC_CRS)


def build_streets(addresses: pd.DataFrame, directory: pd.DataFrame,
                  lines: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """One row per real street name: directory Ortsteile, course and where it comes from."""
    names = sorted({*directory["street"], *addresses["street"], *lines["name"]})
    dir_ot = dict(zip(directory["street"], directory["ortsteile"].fillna(""), strict=True))
    dir_osten = dict(zip(directory["street"], directory["in_leipziger_osten"].astype(int),
                         strict=True))
    osm = lines.groupby("name").geometry.apply(lambda g: shapely.union_all(g.values))
    good = addresses[addresses["source"].ne(COARSE_SOURCE)]
    points = {name: g[["x", "y"]].to_numpy() for name, g in good.groupby("street")}
    all_points = {name: g[["x", "y"]].to_numpy() for name, g in addresses.groupby("street")}
    geoms, kinds = [], []
    for name in names:
        if name in osm.index:
            merged = linemerge(osm[name]) if osm[name].geom_type == "MultiLineString" else osm[name]
            geoms.append(shapely.simplify(merged, 1.0))
            kinds.append("osm")
            continue
        xy = points.get(name)
        if xy is None or len(xy) < 2:
            xy = all_points.get(name)
        parts = [] if xy is None else [derived_course(xy[c]) for c in clusters(xy)]
        parts = [p for p in parts if p is not None]
        geoms.append(shapely.MultiLineString(parts) if len(parts) > 1
                     else parts[0] if parts else None)
        kinds.append("addresses" if parts else "")
    geometry = np.array(geoms, dtype=object)
    present = np.array([g is not None for g in geoms])
    geometry[present] = _round_geoms(geometry[present])
    return gpd.GeoDataFrame(
        {"name": names, "key": [name_key(n) for n in names],
         "ortsteile": [dir_ot.get(n, "") for n in names],
         "in_osten": [bool(dir_osten.get(n, 0)) for n in names],
         "line_source": kinds},
        geometry=gpd.GeoSeries(geometry, crs=METRIC_CRS), crs=METRIC_CRS)


# -- places and Ortsteile -----------------------------------------------------------------------


def read_buildings(path: Path) -> gpd.GeoDataFrame:
    """Building footprints (EPSG:25833) with ``name`` and ``building``, sorted by OSM id."""
    opener = gzip.open if str(path).endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8") as f:
        data = json.load(f)
    features = data["features"]
    frame = gpd.GeoDataFrame.from_features(features, crs=DISPLAY_CRS)
    for column in ("id", "name", "building"):
        if column not in frame:
            frame[column] = None
    frame = frame[["id", "name", "building", "geometry"]].to_crs(METRIC_CRS)
    frame["id"] = frame["id"].astype(str)
    return frame.sort_values("id", kind="stable").reset_index(drop=True)


def build_places(buildings: gpd.GeoDataFrame, street_keys: set[str],
                 ortsteile: gpd.GeoDataFrame | None = None) -> gpd.GeoDataFrame:
    """Named buildings and named areas as points with the radius that holds their extent.

    Buildings: a name that is not a street's and not generic ("Haus 1", "8-10", "Mühle"); the
    buildings of one name (a school's two wings) are one place where they lie within
    CLUSTER_GAP_M of each other, none where the name stands in two places. Areas: every
    Ortsteil and every part of an Ortsteil's name ("Stünz" of Sellerhausen-Stünz, "Schönefeld"
    of Schönefeld-Abtnaundorf and Schönefeld-Ost), see ``area_places``."""
    named = buildings[buildings["name"].fillna("").str.strip().ne("")].copy()
    named["name"] = named["name"].str.strip()
    named["key"] = named["name"].map(name_key)
    named = named[~named["key"].isin(street_keys) & named["key"].str.len().ge(4)
                  & ~named["key"].str.contains(_GENERIC_PLACE) & ~named["key"].map(is_generic)]
    rows = []
    for key, group in named.groupby("key", sort=True):
        centres = shapely.get_coordinates(shapely.centroid(group.geometry.values))
        if len(clusters(centres)) > 1:
            continue  # one name in two places: ambiguous
        shape = shapely.union_all(group.geometry.values)
        first = group.iloc[0]
        rows.append((first["name"], key, str(first["building"] or "yes"), shape))
    frame = pd.DataFrame(rows, columns=["name", "key", "kind", "shape"])
    if ortsteile is not None:
        frame = pd.concat([frame, area_places(ortsteile)], ignore_index=True)
    frame = frame.drop_duplicates("key", keep="first")
    points, radius = zip(*(_point_and_radius(g) for g in frame["shape"]), strict=True) \
        if len(frame) else ((), ())
    is_area = frame["kind"].isin(AREA_KINDS).to_numpy()
    areas = np.full(len(frame), None, dtype=object)
    if is_area.any():
        areas[is_area] = _round_geoms(shapely.simplify(
            frame["shape"].to_numpy(object)[is_area], AREA_SIMPLIFY_M))
    out = gpd.GeoDataFrame(
        {"name": frame["name"].to_numpy(object), "key": frame["key"].to_numpy(object),
         "kind": frame["kind"].to_numpy(object),
         "precision_m": np.asarray(radius, dtype="float64"),
         "outline": gpd.GeoSeries(areas, crs=METRIC_CRS)},
        geometry=gpd.GeoSeries(_round_geoms(np.array(points, dtype=object)), crs=METRIC_CRS),
        crs=METRIC_CRS)
    return out.sort_values("key", kind="stable").reset_index(drop=True)


# name parts that say where in a compound Ortsteil, not which place ("Gohlis-Nord")
_AREA_GENERIC = {"nord", "sued", "ost", "west", "mitte", "nordost", "nordwest", "suedost",
                 "suedwest", "zentrum", "siedlung", "alt", "neu"}
AREA_KINDS = ("ortsteil", "ortsteil_teil")
AREA_SIMPLIFY_M = 10.0  # an area's outline only filters streets: 10 m will do


def area_places(ortsteile: gpd.GeoDataFrame) -> pd.DataFrame:
    """Ortsteile and the parts of their names as areas: (name, key, kind, shape). A part is
    the union of the Ortsteile whose name holds it ("Schönefeld": Schönefeld-Abtnaundorf and
    Schönefeld-Ost); parts that only say a direction ("Ost", "Mitte") are left out."""
    rows = [(name, name_key(name), AREA_KINDS[0], shape)
            for name, shape in zip(ortsteile["name"], ortsteile.geometry.values, strict=True)]
    full = {key for _, key, _, _ in rows}
    parts: dict[str, tuple[str, list]] = {}
    for name, shape in zip(ortsteile["name"], ortsteile.geometry.values, strict=True):
        if "-" not in name:
            continue
        for part in name.split("-"):
            key = name_key(part)
            if len(key) >= 4 and key not in _AREA_GENERIC and key not in full:
                parts.setdefault(key, (part, []))[1].append(shape)
    rows += [(part, key, AREA_KINDS[1], shapely.union_all(shapes))
             for key, (part, shapes) in sorted(parts.items())]
    return pd.DataFrame(rows, columns=["name", "key", "kind", "shape"])


def _point_and_radius(shape: shapely.Geometry) -> tuple[shapely.Geometry, float]:
    """A point of ``shape`` near its middle (its centroid where that lies inside) and the
    radius around it that holds the whole shape (at least PLACE_MIN_PRECISION_M)."""
    point = shapely.centroid(shape)
    if not shapely.contains(shape, point):
        point = shapely.point_on_surface(shape)
    far = np.hypot(*(shapely.get_coordinates(shape) - shapely.get_coordinates(point)[0]).T)
    return point, max(PLACE_MIN_PRECISION_M, float(np.ceil(far.max())))


def read_ortsteile(folder: Path) -> gpd.GeoDataFrame:
    """The Ortsteil polygons (one GeoJSON per Ortsteil, fields OT and Name) in EPSG:25833."""
    frames = []
    for file in sorted(Path(folder).glob("*.geojson")):
        frame = gpd.read_file(file, engine="pyogrio")
        frames.append(frame if frame.crs else frame.set_crs(DISPLAY_CRS))
    frame = pd.concat([f.to_crs(METRIC_CRS) for f in frames], ignore_index=True)
    out = gpd.GeoDataFrame(
        {"ot": frame["OT"].astype(str).to_numpy(), "name": frame["Name"].astype(str).to_numpy()},
        geometry=gpd.GeoSeries(_round_geoms(shapely.force_2d(frame.geometry.values)),
                               crs=METRIC_CRS), crs=METRIC_CRS)
    out = out.dissolve(by=["ot", "name"], as_index=False)
    return out.sort_values(["name"], kind="stable").reset_index(drop=True)


# -- build --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Built:
    addresses: pd.DataFrame
    streets: gpd.GeoDataFrame
    places: gpd.GeoDataFrame
    ortsteile: gpd.GeoDataFrame
    buildings: gpd.GeoDataFrame


def build(sources: Sources) -> Built:
    addresses = read_addresses(sources.addresses)
    directory = pd.read_csv(sources.directory, dtype={"street": str, "ortsteile": str},
                            keep_default_na=False)
    streets = build_streets(addresses, directory, read_street_lines(sources.streets))
    buildings = read_buildings(sources.buildings)
    ortsteile = read_ortsteile(sources.ortsteile)
    places = build_places(buildings, set(streets["key"]), ortsteile)
    return Built(addresses, streets, places, ortsteile, buildings)


def write(built: Built, out_dir: Path) -> list[Path]:
    """Write the shipped files; parquet without timestamps, so equal input gives equal bytes."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    written = [out_dir / ADDRESSES, out_dir / STREETS, out_dir / PLACES, out_dir / ORTSTEILE]
    built.addresses.to_parquet(written[0], index=False, compression="zstd")
    for frame, path in zip((built.streets, built.places, built.ortsteile), written[1:],
                           strict=True):
        frame.to_parquet(path, index=False, compression="zstd", write_covering_bbox=False)
    return written
