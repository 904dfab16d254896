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

from pathlib import Path

from config.settings import settings
from reports.ingest.importers.base import (
    ERROR_COLUMNS,
    FileError,
    RawTable,
    cell_text,
    check_upload,
    table_from_records,
)

__all__ = ["ERROR_COLUMNS", "FORMATS", "FileError", "RawTable", "cell_text", "check_upload",
           "load_bytes", "read_file", "sniff_format", "table_from_records"]

FORMATS = ("csv", "xlsx", "geojson", "open311")
_EXTENSIONS = {
    ".csv": "csv",
    ".txt": "csv",
    ".xlsx": "xlsx",
    ".geojson": "geojson",
}


def sniff_format(data: bytes, file_name: str) -> str:
    """Format from the extension; for .json (and unknown ones) from the content."""
    suffix = Path(file_name).suffix.lower()
    if suffix in _EXTENSIONS:
        return _EXTENSIONS[suffix]
    if data[:4] == b"PK\x03\x04":
        return "xlsx"
    from reports.ingest.uploads import text_head

    text = text_head(data)  # UTF-8, whatever Unicode encoding the file uses
    head = text[:4096].lstrip(b" \t\r\n")
    if head[:1] in (b"{", b"["):
        return "geojson" if b'"FeatureCollection"' in text or b'"Feature"' in head else (
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
        why = ("es gibt sie nicht" if isinstance(exc, FileNotFoundError) else
               "keine Leserechte" if isinstance(exc, PermissionError) else
               "sie ist ein Ordner" if isinstance(exc, IsADirectoryError) else
               f"Fehler des Betriebssystems Nr. {exc.errno}")
        raise FileError(f"{file_name}: Die Datei kann nicht gelesen werden ({why}).") from exc


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
    try:
        return reader.read(data, file_name)
    except RecursionError as exc:  # a value nested just below json's limit, written back out
        raise FileError(f"{file_name}: {geojson.TOO_DEEP}") from exc


