"""Exports of reports, aggregates and the quarantine as CSV, XLSX and GeoJSON, and charts
as SVG.

Single reports go out only to roles that see them (through ``visible_reports``), as a
German table (``report_table``: German column names, labels instead of codes, coordinates
rounded to 1 cm) under a file name that says source, period and day (``export_file_name``);
aggregates only as the role may see them (through ``aggregate_for``); spreadsheet formulas are
neutralised in every CSV and XLSX; an XLSX cell holds at most 32,767 characters, so longer
texts are cut with a visible marker in the cell and ``xlsx_cuts`` says where; every export,
and every refused one, is in the audit log.
"""

from __future__ import annotations

import io
import json
import math
from collections.abc import Sequence
from datetime import date

import pandas as pd

from reports.ingest.pipeline import quarantine_frame
from reports.model import GEOCODE_STATUSES, TIMEZONE, vocabulary
from reports.privacy.access import Role, aggregate_for, policy_for, visible_reports
from reports.privacy.safe import neutralise_formulas, xlsx_text
from reports.storage import audit
from reports.storage.query import ReportFilter

FORMATS = ("csv", "xlsx", "geojson")
MIME_TYPES = {
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "geojson": "application/geo+json",
}
# Report column -> German export column, in export order; the names are the import's
# synonyms, so an exported file can be imported again (``reports.ingest.profiles``).
REPORT_EXPORT_COLUMNS = {
    "id": "Meldungs-ID", "source": "Quelle", "source_ref": "Vorgangsnummer",
    "topic": "Thema", "category": "Kategorie", "occurred_at": "Zeitpunkt",
    "reported_at": "Gemeldet am", "address": "Adresse", "ortsteil": "Ortsteil",
    "lon": "Länge", "lat": "Breite", "x": "Rechtswert", "y": "Hochwert",
    "geocode_status": "Verortung", "precision_m": "Genauigkeit (m)", "count": "Anzahl",
    "description": "Beschreibung", "sensitivity": "Schutzstufe",
}  # batch_id and content_hash are internal bookkeeping, not for partners' spreadsheets;
# the record key (the public figures' noise) leaves the server for no role.
SENSITIVITY_LABELS = {"public": "öffentlich", "members": "Mitglieder",
                      "restricted": "vertraulich"}
DEGREE_DIGITS = 7  # 1 cm in latitude is about 1e-7 degrees
METRE_DIGITS = 2


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


XLSX_CELL_LIMIT = 32_767  # characters in one cell (Excel's and the file format's limit)
_CUT_MARKER = " … [gekürzt: {} Zeichen]"


def _text_columns(frame: pd.DataFrame) -> list:
    return [c for c in frame.columns if frame[c].dtype == object
            or pd.api.types.is_string_dtype(frame[c])]


def _cut(value: object) -> object:
    if isinstance(value, str) and len(value) > XLSX_CELL_LIMIT:
        marker = _CUT_MARKER.format(f"{len(value):,}".replace(",", "."))
        return value[: XLSX_CELL_LIMIT - len(marker)] + marker
    return value


def xlsx_cuts(frame: pd.DataFrame) -> list[str]:
    """German notes naming every cell an XLSX export of ``frame`` has to cut (row as the
    spreadsheet shows it: header = row 1)."""
    notes = []
    for column in _text_columns(frame):
        lengths = frame[column].astype("string").str.len().fillna(0).to_numpy()
        for pos in (lengths > XLSX_CELL_LIMIT).nonzero()[0]:
            size = f"{int(lengths[pos]):,}".replace(",", ".")
            notes.append(f"Zeile {pos + 2}, Spalte „{column}“: {size} Zeichen, in der "
                         "XLSX-Datei auf 32.767 gekürzt (CSV enthält den ganzen Text).")
    return notes


def to_xlsx_bytes(frame: pd.DataFrame, sheet: str = "Meldungen") -> bytes:
    """XLSX with formulas neutralised; texts over 32,767 characters cut with a marker."""
    safe = neutralise_formulas(_plain(frame))
    for column in _text_columns(safe):
        safe[column] = safe[column].map(lambda v: _cut(xlsx_text(v)), na_action="ignore")
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


def to_geojson_bytes(frame: pd.DataFrame, lon: str = "lon", lat: str = "lat",
                     metric: tuple[str, str] = ("x", "y")) -> bytes:
    """Points from the ``lon``/``lat`` columns (EPSG:4326, 7 decimals: 1 cm); rows without
    them get a null geometry; the metric columns are left out (GeoJSON is WGS84)."""
    plain = _plain(frame)
    props = [c for c in plain.columns if c not in (lon, lat, *metric)]
    features = []
    for rec in plain.to_dict("records"):
        x, y = _json_value(rec.get(lon)), _json_value(rec.get(lat))
        geometry = None if not (isinstance(x, float) and isinstance(y, float)) else {
            "type": "Point", "coordinates": [round(x, DEGREE_DIGITS), round(y, DEGREE_DIGITS)]}
        features.append({"type": "Feature", "geometry": geometry,
                         "properties": {c: _json_value(rec[c]) for c in props}})
    return json.dumps({"type": "FeatureCollection", "features": features},
                      ensure_ascii=False).encode("utf-8")


def _german_geojson(table: pd.DataFrame) -> bytes:
    return to_geojson_bytes(table, REPORT_EXPORT_COLUMNS["lon"], REPORT_EXPORT_COLUMNS["lat"],
                            (REPORT_EXPORT_COLUMNS["x"], REPORT_EXPORT_COLUMNS["y"]))


_ENCODERS = {"csv": to_csv_bytes, "xlsx": to_xlsx_bytes, "geojson": to_geojson_bytes}


def report_table(frame: pd.DataFrame) -> pd.DataFrame:
    """Reports as a partner reads them: German column names, labels instead of codes,
    local times as ``24.11.2026 18:30``, degrees to 7 decimals and metres to 1 cm."""
    vocab = vocabulary()
    labels = {"source": vocab.sources, "topic": vocab.topics,
              "category": {k: c.label for k, c in vocab.categories.items()},
              "geocode_status": GEOCODE_STATUSES, "sensitivity": SENSITIVITY_LABELS}
    out = frame[[c for c in REPORT_EXPORT_COLUMNS if c in frame]].copy()
    for column, names in labels.items():
        if column in out:
            out[column] = out[column].map(lambda v, n=names: n.get(v, v), na_action="ignore")
    for column in ("occurred_at", "reported_at"):
        if column in out:
            out[column] = out[column].dt.strftime("%d.%m.%Y %H:%M").astype("string")
    for column, digits in (("lon", DEGREE_DIGITS), ("lat", DEGREE_DIGITS),
                           ("x", METRE_DIGITS), ("y", METRE_DIGITS), ("precision_m", 0)):
        if column in out:
            out[column] = out[column].round(digits)
    return out.rename(columns=REPORT_EXPORT_COLUMNS)


def export_file_name(f: ReportFilter, fmt: str, created: date | None = None,
                     kind: str = "meldungen") -> str:
    """``meldungen_polizei_2026-09-01_bis_2026-11-30_erstellt_2026-12-04.csv``: what, from
    which sources (and topics), which period, made on which day (default: today)."""
    created = created or pd.Timestamp.now(tz=TIMEZONE).date()
    parts = [kind, "-".join(f.sources) or "alle-quellen"]
    if f.topics:
        parts.append("-".join(f.topics))
    if f.start and f.end:
        parts.append(f"{f.start:%Y-%m-%d}_bis_{f.end:%Y-%m-%d}")
    return "_".join([*parts, f"erstellt_{created:%Y-%m-%d}"]) + f".{fmt}"


def export_reports(store, frame: pd.DataFrame, role: Role, fmt: str, actor: str) -> bytes:
    """Single reports ``role`` may see, as ``fmt``. The public exports no single reports."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r}")
    if not policy_for(role).sees_points:
        audit.record(store, actor, "export_denied", {"format": fmt, "role": role.value})
        raise ExportDenied("Einzelne Meldungen können nur angemeldete Mitglieder exportieren. "
                           "Öffentlich sind nur die zusammengefassten Zahlen verfügbar.")
    visible = visible_reports(frame, role)
    table = report_table(visible)
    data = _german_geojson(table) if fmt == "geojson" else _ENCODERS[fmt](table)
    audit.record(store, actor, "export", {"format": fmt, "role": role.value,
                                          "rows": len(visible), "kind": "reports"})
    return data


def export_quarantine(store, fmt: str, actor: str, source: str | None = None
                      ) -> tuple[bytes, list[str]]:
    """Open quarantine rows (of one source) with their original columns, the error, the
    erroneous fields and the Quarantäne-Nr, as CSV or XLSX; and notes on cut cells."""
    if fmt not in ("csv", "xlsx"):
        raise ValueError(f"the quarantine exports as csv or xlsx, not {fmt!r}")
    table = quarantine_frame(store, source)
    data = _ENCODERS[fmt](table)
    audit.record(store, actor, "export", {"format": fmt, "rows": len(table),
                                          "kind": "quarantine", "source": source})
    return data, xlsx_cuts(table) if fmt == "xlsx" else []


def chart_svg(spec: dict) -> bytes:
    """A Vega-Lite chart as SVG, rendered offline, with German numbers and dates (de-DE
    locale). Dates and times in the inline data are written as ISO text first: vl-convert
    cannot serialise Python date objects."""
    import vl_convert

    from config.locale import VEGA_NUMBER_LOCALE, VEGA_TIME_LOCALE

    plain = json.loads(json.dumps(spec, default=_iso))
    return vl_convert.vegalite_to_svg(plain, format_locale=VEGA_NUMBER_LOCALE,
                                      time_format_locale=VEGA_TIME_LOCALE).encode("utf-8")


def _iso(value: object) -> object:
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if hasattr(value, "item"):
        return value.item()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


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
