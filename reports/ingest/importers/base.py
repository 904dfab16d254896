"""What every reader shares: the ``RawTable`` it returns, the ``FileError`` it raises, and the
conversions of JSON/XLSX cells to the text a CSV export would hold."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

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
