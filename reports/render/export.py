"""Exports of reports and aggregates as CSV, XLSX and GeoJSON.

Single reports go out only to roles that see them (through ``visible_reports``), aggregates
only as the role may see them (through ``aggregate_for``); spreadsheet formulas are
neutralised; every export, and every refused one, is in the audit log.
"""

from __future__ import annotations

import io
import json
import math
from collections.abc import Sequence

import pandas as pd

from reports.privacy.access import Role, aggregate_for, policy_for, visible_reports
from reports.privacy.safe import neutralise_formulas, xlsx_text
from reports.storage import audit

FORMATS = ("csv", "xlsx", "geojson")
MIME_TYPES = {
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "geojson": "application/geo+json",
}
# Internal bookkeeping, not for partners' spreadsheets.
_INTERNAL = ("content_hash", "batch_id")


class ExportDenied(PermissionError):
    """The role may not export this; German message."""


def _plain(frame: pd.DataFrame) -> pd.DataFrame:
    """Tz-aware datetimes as local ISO text (spreadsheets and JSON have no time zones)."""
    out = frame.copy()
    for column in out.columns:
        if isinstance(out[column].dtype, pd.DatetimeTZDtype):
            out[column] = out[column].dt.strftime("%Y-%m-%d %H:%M:%S").astype("string")
    return out


def to_csv_bytes(frame: pd.DataFrame) -> bytes:
    """Semicolon CSV with BOM, as German Excel opens it; formulas neutralised."""
    return neutralise_formulas(_plain(frame)).to_csv(
        index=False, sep=";", encoding="utf-8-sig").encode("utf-8-sig")


def to_xlsx_bytes(frame: pd.DataFrame, sheet: str = "Meldungen") -> bytes:
    safe = neutralise_formulas(_plain(frame))
    safe = safe.apply(lambda s: s.map(xlsx_text) if s.dtype == object or
                      pd.api.types.is_string_dtype(s) else s)
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        safe.to_excel(writer, sheet_name=sheet, index=False)
    return buffer.getvalue()


def _json_value(value: object) -> object:
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return None
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    return value


def to_geojson_bytes(frame: pd.DataFrame) -> bytes:
    """Points from ``lon``/``lat`` (EPSG:4326); rows without them get a null geometry."""
    plain = _plain(frame)
    props = [c for c in plain.columns if c not in ("lon", "lat", "x", "y")]
    features = []
    for rec in plain.to_dict("records"):
        lon, lat = _json_value(rec.get("lon")), _json_value(rec.get("lat"))
        geometry = None if lon is None or lat is None else {
            "type": "Point", "coordinates": [round(lon, 6), round(lat, 6)]}
        features.append({"type": "Feature", "geometry": geometry,
                         "properties": {c: _json_value(rec[c]) for c in props}})
    return json.dumps({"type": "FeatureCollection", "features": features},
                      ensure_ascii=False).encode("utf-8")


_ENCODERS = {"csv": to_csv_bytes, "xlsx": to_xlsx_bytes, "geojson": to_geojson_bytes}


def export_reports(store, frame: pd.DataFrame, role: Role, fmt: str, actor: str) -> bytes:
    """Single reports ``role`` may see, as ``fmt``. The public exports no single reports."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r}")
    if not policy_for(role).sees_points:
        audit.record(store, actor, "export_denied", {"format": fmt, "role": role.value})
        raise ExportDenied("Einzelne Meldungen können nur angemeldete Mitglieder exportieren. "
                           "Öffentlich sind nur die zusammengefassten Zahlen verfügbar.")
    visible = visible_reports(frame, role)
    visible = visible.drop(columns=[c for c in _INTERNAL if c in visible])
    data = _ENCODERS[fmt](visible)
    audit.record(store, actor, "export", {"format": fmt, "role": role.value,
                                          "rows": len(visible), "kind": "reports"})
    return data


def export_aggregate(store, counts: pd.DataFrame, role: Role, fmt: str, actor: str,
                     count_cols: str | Sequence[str] = "reports",
                     derived: Sequence[str] = ()) -> bytes:
    """An aggregate table as ``role`` may see it (published counts for the public)."""
    if fmt not in ("csv", "xlsx"):
        raise ValueError(f"aggregates export as csv or xlsx, not {fmt!r}")
    shown = aggregate_for(role, counts, count_cols, derived)
    data = _ENCODERS[fmt](shown)
    audit.record(store, actor, "export", {"format": fmt, "role": role.value,
                                          "rows": len(shown), "kind": "aggregate"})
    return data
