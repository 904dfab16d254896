"""The district's outline and its Ortsteile, and which Ortsteil a point lies in.

The shipped geometry (data/ortsteile.geoparquet, built by ``lagebild build-data`` from the
OSM-derived Ortsteil polygons) is the default; ``load_boundary(path)`` loads the city's
official Ortsteile instead (the deployment's ``geo.geography.Geography`` does so when
LAGEBILD_ORTSTEILE_FILE points to them). Which Ortsteile form "the district" and its core is
configuration (data/district.toml).
"""

from __future__ import annotations

import functools
import tomllib
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from config.paths import DATA_DIR
from geo.crs import DISPLAY_CRS, METRIC_CRS

SHIPPED_FILE = DATA_DIR / "ortsteile.geoparquet"
DISTRICT_FILE = DATA_DIR / "district.toml"
NAME_FIELDS = ("name", "Name", "NAME", "Ortsteil", "ortsteil", "OT_NAME")
VECTOR_SUFFIXES = (".geojson", ".json", ".shp", ".gpkg", ".parquet", ".geoparquet")


class BoundaryError(ValueError):
    """The Ortsteile file cannot be used; the message is German and meant for users."""


@dataclass(frozen=True)
class DistrictConfig:
    ortsteile: tuple[str, ...]
    core: tuple[str, ...]


@dataclass(frozen=True, eq=False)
class Boundary:
    """The district's Ortsteile as one loaded geometry: ``frame`` GeoDataFrame[name, geometry]
    in EPSG:25833 in the order of data/district.toml, the district's outline, its core and
    the prepared parts ``assign_ortsteil`` tests against. Built by ``load_boundary``."""

    frame: gpd.GeoDataFrame
    district: shapely.Geometry
    core: shapely.Geometry
    parts: tuple[tuple[str, shapely.Geometry, tuple[float, float, float, float]], ...]

    def ortsteile(self) -> gpd.GeoDataFrame:
        """The Ortsteile as GeoDataFrame[name, geometry] (a copy; EPSG:25833)."""
        return self.frame.copy()

    def assign_ortsteil(self, x, y) -> np.ndarray:
        """Ortsteil name for each EPSG:25833 point (1-D object array), None outside.

        Vectorised: a bounding-box prefilter per Ortsteil, then a prepared point-in-polygon
        test on the candidates still unassigned; points on a shared border go to the first
        Ortsteil.
        """
        x = np.asarray(x, dtype="float64").ravel()
        y = np.asarray(y, dtype="float64").ravel()
        out = np.full(x.shape, None, dtype=object)
        todo = np.isfinite(x) & np.isfinite(y)
        for name, geom, (minx, miny, maxx, maxy) in self.parts:
            candidates = np.flatnonzero(todo & (x >= minx) & (x <= maxx)
                                        & (y >= miny) & (y <= maxy))
            if candidates.size == 0:
                continue
            hit = candidates[shapely.intersects_xy(geom, x[candidates], y[candidates])]
            out[hit] = name
            todo[hit] = False
        return out


@functools.cache
def district_config() -> DistrictConfig:
    """The Ortsteile that form the district and its Quartiersmanagement core."""
    with DISTRICT_FILE.open("rb") as f:
        raw = tomllib.load(f)
    return DistrictConfig(tuple(raw["ortsteile"]), tuple(raw.get("core", ())))


def load_boundary(path: Path | str | None = None, name_field: str | None = None) -> Boundary:
    """The Ortsteile of the city's file ``path`` (LAGEBILD_ORTSTEILE_FILE; a file or a folder
    of them), else the shipped ones. Loaded once per file and version on disk (cached, so
    treat the result as read-only); a BoundaryError (German) says what is wrong with a file.
    """
    path = Path(path) if path is not None else None
    stamp = path.stat().st_mtime_ns if path is not None and path.exists() else 0
    return _load(path, name_field, stamp)


@functools.cache
def _load(path: Path | None, name_field: str | None, stamp: int) -> Boundary:
    config = district_config()
    if path is None:
        frame = _read(SHIPPED_FILE)
        name_field = "name"
    else:
        frame = _read(Path(path))
    label = str(path or SHIPPED_FILE)
    field = _name_field(frame, name_field, label)
    frame = frame.to_crs(METRIC_CRS)
    wanted = {_key(name): name for name in config.ortsteile}
    keys = frame[field].astype("string").fillna("").map(_key)
    frame = gpd.GeoDataFrame(
        {"name": keys.map(wanted), "geometry": frame.geometry.values}, crs=METRIC_CRS
    )
    frame = frame[frame["name"].notna() & frame.geometry.notna()]
    missing = [name for name in config.ortsteile if name not in set(frame["name"])]
    if missing:
        raise BoundaryError(
            f"Die Ortsteil-Datei {label} enthält die Ortsteile {', '.join(missing)} nicht "
            f"(Feld „{field}“; die Namen stehen in data/district.toml)."
        )
    frame = frame.dissolve(by="name", as_index=False)
    not_areas = frame.loc[~frame.geom_type.isin(["Polygon", "MultiPolygon"]), "name"]
    if len(not_areas):
        raise BoundaryError(
            f"In der Ortsteil-Datei {label} sind {', '.join(not_areas)} keine Flächen (Polygone)."
        )
    frame["geometry"] = shapely.make_valid(shapely.force_2d(frame.geometry.values))
    order = {name: i for i, name in enumerate(config.ortsteile)}
    frame = frame.sort_values("name", key=lambda s: s.map(order)).reset_index(drop=True)
    frame = frame[["name", "geometry"]]
    parts = []
    for name, geom in zip(frame["name"], frame.geometry, strict=True):
        shapely.prepare(geom)
        parts.append((name, geom, tuple(geom.bounds)))
    core = frame[frame["name"].isin(config.core)]
    return Boundary(
        frame=frame,
        district=shapely.union_all(frame.geometry.values),
        core=shapely.union_all(core.geometry.values),
        parts=tuple(parts),
    )


def _read(path: Path) -> gpd.GeoDataFrame:
    """One vector file (GeoJSON, Shapefile, GeoPackage) or a folder of them, one per Ortsteil."""
    if not path.exists():
        raise BoundaryError(f"Die Ortsteil-Datei {path} gibt es nicht (LAGEBILD_ORTSTEILE_FILE).")
    files = [path]
    if path.is_dir():
        files = sorted(p for p in path.iterdir() if p.suffix.lower() in VECTOR_SUFFIXES)
        if not files:
            raise BoundaryError(
                f"Im Ordner {path} liegen keine GeoJSON-, Shapefile- oder GeoPackage-Dateien."
            )
    frames = []
    for file in files:
        try:
            frame = (gpd.read_parquet(file) if file.suffix.lower() in (".parquet", ".geoparquet")
                     else gpd.read_file(file, engine="pyogrio"))
        except Exception as exc:  # pyogrio raises several types for unreadable data
            raise BoundaryError(f"Die Ortsteil-Datei {file} ist nicht lesbar: {exc}") from exc
        frames.append(_with_crs(frame, file))
    crs = frames[0].crs
    frames = [f.to_crs(crs) for f in frames]
    return gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), crs=crs)


def _with_crs(frame: gpd.GeoDataFrame, file: Path) -> gpd.GeoDataFrame:
    """Files without a CRS: degrees mean WGS84, Saxon UTM metres mean EPSG:25833."""
    if frame.crs is not None:
        return frame
    minx, miny, maxx, maxy = frame.total_bounds
    if -180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90:
        return frame.set_crs(DISPLAY_CRS)
    if 200_000 <= minx <= maxx <= 900_000 and 5_000_000 <= miny <= maxy <= 6_500_000:
        return frame.set_crs(METRIC_CRS)
    raise BoundaryError(
        f"Die Ortsteil-Datei {file} hat kein Koordinatensystem, und die Koordinaten sind weder "
        "Grad (EPSG:4326) noch UTM-Meter (EPSG:25833)."
    )


def _name_field(frame: gpd.GeoDataFrame, configured: str | None, label: str) -> str:
    if configured:
        if configured not in frame.columns:
            raise BoundaryError(
                f"Die Ortsteil-Datei {label} hat kein Feld „{configured}“ "
                f"(LAGEBILD_ORTSTEILE_NAME_FIELD); vorhanden: {_columns(frame)}."
            )
        return configured
    for field in NAME_FIELDS:
        if field in frame.columns:
            return field
    raise BoundaryError(
        f"In der Ortsteil-Datei {label} fehlt ein Namensfeld ({', '.join(NAME_FIELDS)}); "
        f"vorhanden: {_columns(frame)}. Bitte LAGEBILD_ORTSTEILE_NAME_FIELD setzen."
    )


def _columns(frame: gpd.GeoDataFrame) -> str:
    return ", ".join(str(c) for c in frame.columns if c != frame.geometry.name) or "keine"


def _key(name: str) -> str:
    """Spelling-tolerant key: official files may write Schoenefeld for Schönefeld."""
    text = unicodedata.normalize("NFC", str(name)).strip().casefold()
    for plain, ascii_ in (("ä", "ae"), ("ö", "oe"), ("ü", "ue"), ("ß", "ss"), (" ", "")):
        text = text.replace(plain, ascii_)
    return text
