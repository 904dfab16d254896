"""The district's streets (lines with house-number ranges) and named places, for the offline
geocoder and as the offline basemap. Checked on load so a bad edit of data/gazetteer.geojson
fails loudly instead of misplacing reports."""

from __future__ import annotations

import functools
from pathlib import Path

import geopandas as gpd
import pandas as pd

from config.paths import DATA_DIR
from geo.crs import DISPLAY_CRS, METRIC_CRS

GAZETTEER_FILE = DATA_DIR / "gazetteer.geojson"
COLUMNS = ["name", "kind", "hn_from", "hn_to", "aliases", "precision_m", "geometry"]
KINDS = {
    "street": {"LineString", "MultiLineString"},
    "place": {"Point", "Polygon", "MultiPolygon"},
}


class GazetteerError(ValueError):
    """The gazetteer file is inconsistent; the message is German and names the entry."""


def gazetteer() -> gpd.GeoDataFrame:
    """GeoDataFrame[name, kind, hn_from, hn_to, aliases, precision_m, geometry] in EPSG:25833."""
    return load_gazetteer(GAZETTEER_FILE).copy()


@functools.cache
def load_gazetteer(path: Path) -> gpd.GeoDataFrame:
    """Read and validate one gazetteer file (EPSG:4326 GeoJSON); cached per path."""
    try:
        frame = gpd.read_file(path, engine="pyogrio")
    except Exception as exc:  # pyogrio raises several types for unreadable data
        raise GazetteerError(f"Das Straßenverzeichnis {path} ist nicht lesbar: {exc}") from exc
    if frame.crs is None:
        frame = frame.set_crs(DISPLAY_CRS)
    for column in COLUMNS:
        if column not in frame.columns:
            frame[column] = None
    frame = frame[COLUMNS].copy()
    frame["name"] = frame["name"].astype("string").str.strip()
    frame["kind"] = frame["kind"].astype("string").str.strip()
    frame["aliases"] = frame["aliases"].astype("string").fillna("")
    frame["hn_from"] = pd.to_numeric(frame["hn_from"]).astype("Int64")
    frame["hn_to"] = pd.to_numeric(frame["hn_to"]).astype("Int64")
    frame["precision_m"] = pd.to_numeric(frame["precision_m"]).astype("float64")
    _validate(frame, path)
    return frame.to_crs(METRIC_CRS).reset_index(drop=True)


def _validate(frame: gpd.GeoDataFrame, path: Path) -> None:
    problems = []
    for i, row in enumerate(frame.itertuples(index=False), start=1):
        where = f"Eintrag {i} ({row.name!s})"
        if pd.isna(row.name) or not row.name:
            problems.append(f"Eintrag {i}: Feld „name“ ist leer")
            continue
        if row.kind not in KINDS:
            problems.append(f"{where}: Feld „kind“ muss street oder place sein, nicht {row.kind!s}")
            continue
        if row.geometry is None or row.geometry.is_empty:
            problems.append(f"{where}: keine Geometrie")
        elif row.geometry.geom_type not in KINDS[row.kind]:
            kind = row.geometry.geom_type
            problems.append(f"{where}: Geometrie {kind} passt nicht zu {row.kind}")
        if row.kind == "street":
            problems.extend(_check_numbers(row.hn_from, row.hn_to, where))
        elif pd.isna(row.precision_m) or row.precision_m <= 0:
            problems.append(f"{where}: Feld „precision_m“ muss eine positive Zahl sein")
    for (kind, name), count in frame.groupby(["kind", "name"]).size().items():
        if count > 1:
            problems.append(f"{name} ({kind}) steht {count}-mal im Verzeichnis")
    if problems:
        raise GazetteerError(f"Fehler im Straßenverzeichnis {path}: " + "; ".join(problems))


def _check_numbers(hn_from, hn_to, where: str) -> list[str]:
    """House-number ranges are both given or both empty, positive, and ascending."""
    if pd.isna(hn_from) and pd.isna(hn_to):
        return []
    if pd.isna(hn_from) or pd.isna(hn_to):
        return [f"{where}: Hausnummernbereich braucht „hn_from“ und „hn_to“"]
    if not 1 <= hn_from < hn_to <= 9999:
        return [f"{where}: Hausnummernbereich {hn_from}–{hn_to} ist ungültig"]
    return []


def nearest_street(x, y) -> list[str]:
    """Name of the nearest gazetteer street to each EPSG:25833 point ('' where there is
    none): how the alliance names a grid cell in its minutes."""
    streets = gazetteer()
    streets = streets[streets["kind"] == "street"].reset_index(drop=True)
    if streets.empty or len(x) == 0:
        return [""] * len(x)
    points = gpd.GeoSeries(gpd.points_from_xy(x, y), crs=streets.crs)
    _, nearest = streets.sindex.nearest(points.values, return_all=False)
    return streets["name"].to_numpy()[nearest].tolist()
