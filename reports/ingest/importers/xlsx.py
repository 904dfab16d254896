"""XLSX exports via openpyxl in read-only (streaming) mode, first sheet. The header is the
first row that is as wide as the table below it, so a title row ("Meldungen November 2026")
or an empty line above the header is skipped and said so. An XLSX file is a ZIP archive that
a few kilobytes can unpack to gigabytes; the archive is checked (``reports.ingest.uploads``)
before openpyxl opens it."""

from __future__ import annotations

import io
from collections import Counter
from pathlib import PurePath

import numpy as np
import pandas as pd

from reports.ingest.importers.base import (
    ERROR_COLUMNS,
    FileError,
    RawTable,
    cell_text,
    check_upload,
    unique_names,
)

_LOOKAHEAD = 30  # rows read before deciding which one is the header
DAMAGED = ("Die XLSX-Datei ist beschädigt oder enthält Werte, die Excel so nicht schreibt "
           "(z. B. ein Datum nach dem Jahr 9999); bitte in Excel oder LibreOffice öffnen und "
           "neu speichern.")


def _filled(cells: list[str]) -> int:
    return sum(bool(c) for c in cells)


def _width(cells: list[str]) -> int:
    n = len(cells)
    while n and not cells[n - 1]:
        n -= 1
    return n


def _header_index(head: list[list[str]]) -> int:
    """Position (in ``head``, non-empty rows) of the header row."""
    if len(head) < 2:
        return 0
    width, _ = Counter(_width(c) for c in head[1:]).most_common(1)[0]
    for i, cells in enumerate(head):
        if _width(cells) >= width or _filled(cells) >= max(2, width - 1):
            return i
    return 0


def read(data: bytes, file_name: str) -> RawTable:
    # size, ZIP structure and decompression-bomb checks before openpyxl touches the archive
    check_upload(data, str(PurePath(file_name).with_suffix(".xlsx")))
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types (English texts) for damaged archives
        raise FileError(f"{file_name}: {DAMAGED}") from exc
    notes: list[str] = []
    try:
        sheet = book.worksheets[0]
        head: list[tuple[int, list[str]]] = []
        header: list[str] | None = None
        numbers: list[int] = []
        records: list[list[str]] = []
        errors: list[tuple[int, None, str]] = []

        def take(number: int, cells: list[str]) -> None:
            width = len(header or ())
            if any(cells[width:]):
                errors.append((number, None, f"{file_name}, Zeile {number}: Werte rechts der "
                               f"letzten Spalte mit Überschrift ({width} Spalten)."))
                return
            records.append((cells + [""] * width)[:width])
            numbers.append(number)

        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            cells = [cell_text(v).strip() for v in values]
            if not any(cells):
                continue
            if header is not None:
                take(number, cells)
                continue
            head.append((number, cells))
            if len(head) < _LOOKAHEAD:
                continue
            header = _start(head, notes)
            for n, c in head[_header_index([c for _, c in head]) + 1:]:
                take(n, c)
        if header is None and head:
            header = _start(head, notes)
            for n, c in head[_header_index([c for _, c in head]) + 1:]:
                take(n, c)
    except FileError:
        raise
    except Exception as exc:
        raise FileError(f"{file_name}: {DAMAGED}") from exc
    finally:
        book.close()
    if header is None:
        raise FileError(f"{file_name}: Das erste Tabellenblatt ist leer.")
    rows = pd.DataFrame(records, columns=pd.Index(header), dtype=str)
    table = RawTable(header, rows, np.asarray(numbers, dtype="int64"))
    table.errors = pd.DataFrame(errors, columns=ERROR_COLUMNS)
    table.notes = notes
    return _drop_empty_generic(table)


def _drop_empty_generic(table: RawTable) -> RawTable:
    """Columns without heading and without a single value (sheet width, not data) go."""
    empty = [c for i, c in enumerate(table.columns)
             if c == f"Spalte {i + 1}" and not table.rows[c].ne("").any()]
    if empty:
        table.rows = table.rows.drop(columns=empty)
        table.columns = [c for c in table.columns if c not in empty]
    return table


def _start(head: list[tuple[int, list[str]]], notes: list[str]) -> list[str]:
    """The header of the rows seen so far; title rows above it become a note."""
    index = _header_index([c for _, c in head])
    number, cells = head[index]
    if index:
        notes.append(f"Über der Tabelle stehen {index} Zeile(n) Titel o. Ä.; die "
                     f"Spaltenüberschriften stehen in Zeile {number}.")
    return unique_names([c or f"Spalte {i + 1}" for i, c in enumerate(cells)])
