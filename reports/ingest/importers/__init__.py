"""Readers for the partners' export formats.

Every reader turns bytes into a ``RawTable``: all cells as strings, in the file's own column
names, with the number a user sees for each row. Interpreting the cells (dates, numbers,
categories) is ``reports.ingest.validate``'s job, so all formats share one set of rules and
messages.

Row numbers ("Zeile N") are the row numbers a spreadsheet program shows: the header is
Zeile 1, the first data row Zeile 2 (for CSV a record spanning several physical lines because
of a quoted line break still counts as one row, like in Excel/LibreOffice). JSON formats have
no lines; their records are counted as "Eintrag N" (1-based).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from config.settings import settings

FORMATS = ("csv", "xlsx", "geojson", "open311")
_EXTENSIONS = {
    ".csv": "csv",
    ".txt": "csv",
    ".xlsx": "xlsx",
    ".geojson": "geojson",
}
ERROR_COLUMNS = ["row_number", "field", "message"]


class FileError(ValueError):
    """A whole file cannot be read; the message is German and names the file."""


@dataclass
class RawTable:
    """Cells of one export as strings; ``row_numbers[i]`` is the user-visible number of row i.

    ``errors`` holds rows the reader could not split into cells (row_number, field, message
    and optionally raw: the cells as JSON); they are not in ``rows`` and are rejected by
    validation. ``implied`` maps model fields to
    columns the format itself defines (GeoJSON geometry, Open311 attributes).
    """

    columns: list[str]
    rows: pd.DataFrame
    row_numbers: np.ndarray
    row_label: str = "Zeile"
    errors: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=ERROR_COLUMNS))
    implied: dict[str, str] = field(default_factory=dict)
    encoding: str | None = None
    separator: str | None = None
    notes: list[str] = field(default_factory=list)  # German: how the file was read, and why

    @property
    def total(self) -> int:
        """Input rows to account for: readable rows plus rows the reader rejected."""
        return len(self.rows) + len(self.errors)


def check_upload(data: bytes, file_name: str) -> None:
    """Size, type and (for XLSX) decompression-bomb checks of ``reports.ingest.uploads``."""
    from reports.ingest.uploads import UploadRejected
    from reports.ingest.uploads import check_upload as check

    try:
        check(file_name, data)
    except UploadRejected as exc:
        raise FileError(str(exc)) from exc


def sniff_format(data: bytes, file_name: str) -> str:
    """Format from the extension; for .json (and unknown ones) from the content."""
    suffix = Path(file_name).suffix.lower()
    if suffix in _EXTENSIONS:
        return _EXTENSIONS[suffix]
    if data[:4] == b"PK\x03\x04":
        return "xlsx"
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head[:1] in (b"{", b"["):
        return "geojson" if b'"FeatureCollection"' in data[:65536] or b'"Feature"' in head else (
            "open311"
        )
    return "csv"


def load_bytes(path_or_bytes: str | Path | bytes,
               file_name: str | None = None) -> tuple[bytes, str]:
    """(content, file name) of a path or bytes; too large files are refused before reading."""
    if isinstance(path_or_bytes, bytes):
        return path_or_bytes, file_name or "upload"
    path = Path(path_or_bytes)
    file_name = file_name or path.name
    try:
        limit = settings().max_upload_mb
        if path.stat().st_size > limit * 1024 * 1024:
            raise FileError(f"Die Datei „{file_name}“ ist größer als {limit} MB.")
        return path.read_bytes(), file_name
    except OSError as exc:
        raise FileError(f"{file_name}: Die Datei kann nicht gelesen werden ({exc}).") from exc


def read_file(path_or_bytes: str | Path | bytes, file_name: str | None = None,
              fmt: str | None = None) -> RawTable:
    """Read an export from a path or bytes; the format is sniffed unless given."""
    data, file_name = load_bytes(path_or_bytes, file_name)
    check_upload(data, file_name)
    fmt = fmt or sniff_format(data, file_name)
    if fmt not in FORMATS:
        raise FileError(f"{file_name}: Unbekanntes Format „{fmt}“ (möglich: {', '.join(FORMATS)}).")
    from reports.ingest.importers import csv, geojson, open311, xlsx

    reader = {"csv": csv, "xlsx": xlsx, "geojson": geojson, "open311": open311}[fmt]
    return reader.read(data, file_name)


def table_from_records(records: list[dict], file_name: str, row_label: str = "Eintrag",
                       implied: dict[str, str] | None = None) -> RawTable:
    """RawTable from a list of dicts of already-stringified values (JSON formats)."""
    columns: dict[str, None] = {}
    for record in records:
        columns.update(dict.fromkeys(record))
    names = list(columns)
    rows = pd.DataFrame.from_records(records, columns=names).fillna("").astype(str)
    return RawTable(names, rows, np.arange(1, len(rows) + 1), row_label, implied=implied or {})


def unique_names(names: list[str]) -> list[str]:
    """Repeated header cells get a suffix, as pandas does for CSV (``Name``, ``Name.1``)."""
    seen: dict[str, int] = {}
    out = []
    for name in names:
        n = seen.get(name, 0)
        out.append(name if n == 0 else f"{name}.{n}")
        seen[name] = n + 1
    return out


def cell_text(value) -> str:
    """One JSON/XLSX value as the text a CSV export would contain."""
    import datetime as dt
    import json

    if value is None:
        return ""
    if isinstance(value, bool):
        return "ja" if value else "nein"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return str(value)
