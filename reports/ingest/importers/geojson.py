"""GeoJSON FeatureCollections: feature properties become columns, the geometry ``lon``/``lat``.

Non-point geometries (a littered stretch of pavement, a park) are reduced to a point inside
them (shapely's representative point), which is what a report's location means.
"""

from __future__ import annotations

import json

import pandas as pd
from shapely.errors import ShapelyError

from reports.ingest.importers.base import (
    ERROR_COLUMNS,
    FileError,
    RawTable,
    cell_text,
    table_from_records,
)

LON, LAT = "geometry_lon", "geometry_lat"
X, Y = "geometry_x", "geometry_y"
_METRIC_CRS_NAMES = ("EPSG:25833", "EPSG::25833")
TOO_DEEP = ("Das JSON ist zu tief verschachtelt (Listen oder Objekte in hunderten Ebenen "
            "ineinander) und wird nicht gelesen.")


def load_json(data: bytes, file_name: str):
    """The document of a JSON file in UTF-8, -16 or -32 (a byte-order mark tells which);
    every failure is a German ``FileError`` (json's own messages are English)."""
    from reports.ingest.uploads import ENCODING_NAMES, unicode_bom

    codec, skip = unicode_bom(data) or ("utf-8", 0)
    try:
        text = data[skip:].decode(codec)
    except UnicodeDecodeError as exc:
        raise FileError(f"{file_name}: Kein gültiges JSON: Byte {exc.start + skip + 1} passt "
                        f"nicht zur Zeichenkodierung {ENCODING_NAMES[codec]}.") from exc
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise FileError(f"{file_name}: Kein gültiges JSON: Fehler in Zeile {exc.lineno}, "
                        f"Spalte {exc.colno}.") from exc
    except RecursionError as exc:
        raise FileError(f"{file_name}: {TOO_DEEP}") from exc
    except ValueError as exc:  # e.g. a number with more digits than Python converts
        raise FileError(f"{file_name}: Kein gültiges JSON: ein Wert ist nicht lesbar (z. B. "
                        "eine Zahl mit zu vielen Stellen).") from exc


def read(data: bytes, file_name: str) -> RawTable:
    doc = load_json(data, file_name)
    if isinstance(doc, dict) and doc.get("type") == "Feature":
        features = [doc]
    elif isinstance(doc, dict) and isinstance(doc.get("features"), list):
        features = doc["features"]
    else:
        raise FileError(f"{file_name}: Keine GeoJSON-FeatureCollection (Objekt mit „features“).")
    crs = json.dumps((doc.get("crs") or {}) if isinstance(doc, dict) else {})
    metric = any(name in crs for name in _METRIC_CRS_NAMES)
    xcol, ycol = (X, Y) if metric else (LON, LAT)
    records, errors, numbers = [], [], []
    for number, feature in enumerate(features, start=1):
        if not isinstance(feature, dict):
            errors.append((number, None, f"{file_name}, Eintrag {number}: kein GeoJSON-Feature."))
            continue
        props = feature.get("properties")
        record = {str(k): cell_text(v) for k, v in props.items()} if isinstance(props, dict) else {}
        try:
            point = _point(feature.get("geometry"))
        except (ValueError, TypeError, KeyError, IndexError, AttributeError,
                ShapelyError):  # their texts are English: the message says what is expected
            errors.append((number, "geometry",
                           f"{file_name}, Eintrag {number}, Feld „geometry“: ungültige Geometrie "
                           "(erwartet z. B. {\"type\": \"Point\", \"coordinates\": [12.41, "
                           "51.34]})."))
            continue
        record[xcol], record[ycol] = (cell_text(point[0]), cell_text(point[1])) if point else ("",
                                                                                          "")
        records.append(record)
        numbers.append(number)
    implied = {"x": X, "y": Y} if metric else {"lon": LON, "lat": LAT}
    table = table_from_records(records, file_name, implied=implied)
    table.row_numbers = pd.Series(numbers, dtype="int64").to_numpy()
    table.errors = pd.DataFrame(errors, columns=ERROR_COLUMNS)
    return table


def _point(geometry) -> tuple[float, float] | None:
    if geometry is None:
        return None
    if geometry.get("type") == "Point":
        lon, lat = geometry["coordinates"][:2]
        return float(lon), float(lat)
    from shapely.geometry import shape

    geom = shape(geometry)
    if geom.is_empty:
        return None
    point = geom.representative_point()
    return point.x, point.y
