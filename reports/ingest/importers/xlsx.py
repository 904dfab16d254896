"""XLSX exports via openpyxl in read-only (streaming) mode, first sheet, first non-empty row
as header. An XLSX file is a ZIP archive that a few kilobytes can unpack to gigabytes; the
archive is checked (``reports.ingest.uploads``) before openpyxl opens it."""

from __future__ import annotations

import io
from pathlib import PurePath

import numpy as np
import pandas as pd

from reports.ingest.importers.base import (
    ERROR_COLUMNS,
    FileError,
    RawTable,
    cell_text,
    check_upload,
)


def read(data: bytes, file_name: str) -> RawTable:
    # size, ZIP structure and decompression-bomb checks before openpyxl touches the archive
    check_upload(data, str(PurePath(file_name).with_suffix(".xlsx")))
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for damaged archives
        raise FileError(f"{file_name}: Die XLSX-Datei ist beschädigt ({exc}).") from exc
    try:
        sheet = book.worksheets[0]
        header, numbers, records, errors = None, [], [], []
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            cells = [cell_text(v).strip() for v in values]
            if header is None:
                if any(cells):
                    header = [c or f"Spalte {i + 1}" for i, c in enumerate(cells)]
                continue
            if not any(cells):
                continue
            if any(cells[len(header):]):
                errors.append((number, None, f"{file_name}, Zeile {number}: Werte rechts der "
                               f"letzten Spalte mit Überschrift ({len(header)} Spalten)."))
                continue
            records.append((cells + [""] * len(header))[: len(header)])
            numbers.append(number)
    except Exception as exc:
        raise FileError(f"{file_name}: Die XLSX-Datei ist beschädigt ({exc}).") from exc
    finally:
        book.close()
    if header is None:
        raise FileError(f"{file_name}: Das erste Tabellenblatt ist leer.")
    header = _unique(header)
    rows = pd.DataFrame(records, columns=pd.Index(header), dtype=str)
    table = RawTable(header, rows, np.asarray(numbers, dtype="int64"))
    table.errors = pd.DataFrame(errors, columns=ERROR_COLUMNS)
    return table


def _unique(names: list[str]) -> list[str]:
    """Repeated header cells get a suffix, as pandas does for CSV (``Name``, ``Name.1``)."""
    seen: dict[str, int] = {}
    out = []
    for name in names:
        n = seen.get(name, 0)
        out.append(name if n == 0 else f"{name}.{n}")
        seen[name] = n + 1
    return out
