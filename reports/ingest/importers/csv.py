"""CSV the way German offices export it: ``;``, ``,`` or tab separated; UTF-8 (with or without
BOM) or Windows-1252. The happy path is one vectorised pandas parse; only malformed files
(a record with more cells than the header, an unclosed quote) fall back to the slower
standard-library reader so the faulty rows can be named instead of failing the whole file.
"""

from __future__ import annotations

import csv
import io
import json

import numpy as np
import pandas as pd

from reports.ingest.importers.base import ERROR_COLUMNS, FileError, RawTable

SEPARATORS = (";", "\t", ",")  # order breaks ties: ";" is what German Excel writes
_SAMPLE_CHARS = 64 * 1024


def decode(data: bytes) -> tuple[str, str]:
    """(text, encoding): UTF-8 (BOM stripped) if the bytes are valid UTF-8, else Windows-1252.

    Windows-1252 leaves five bytes undefined; they become U+FFFD rather than failing the file.
    """
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace"), "cp1252"


def sniff_separator(text: str) -> str:
    """The candidate that splits the header into most cells, consistently over the sample."""
    sample = text[:_SAMPLE_CHARS]
    if len(text) > _SAMPLE_CHARS:
        sample = sample[: sample.rfind("\n") + 1] or sample
    best, best_score = ";", (-1.0, 0)
    for sep in SEPARATORS:
        try:
            rows = [r for r in csv.reader(io.StringIO(sample), delimiter=sep) if r][:50]
        except csv.Error:
            continue
        if not rows or len(rows[0]) < 2:
            continue
        width = len(rows[0])
        consistency = sum(len(r) == width for r in rows) / len(rows)
        score = (consistency, width)
        if score > best_score:
            best, best_score = sep, score
    return best


def read(data: bytes, file_name: str) -> RawTable:
    text, encoding = decode(data)
    if not text.strip():
        raise FileError(f"{file_name}: Die Datei ist leer.")
    sep = sniff_separator(text)
    try:  # pandas' C parser reads UTF-8 bytes fastest; Windows-1252 is transcoded once
        table = _read_fast(data.removeprefix(b"\xef\xbb\xbf") if encoding == "utf-8"
                           else text.encode("utf-8"), sep)
    except (pd.errors.ParserError, ValueError):
        table = _read_tolerant(text, sep, file_name)
    table.encoding, table.separator = encoding, sep
    return table


def _clean_header(names) -> list[str]:
    return [str(n).replace("\ufeff", "").strip() for n in names]


def _read_fast(utf8: bytes, sep: str) -> RawTable:
    rows = pd.read_csv(
        io.BytesIO(utf8), sep=sep, dtype=str, na_filter=False, keep_default_na=False,
        skip_blank_lines=False, quotechar='"', engine="c", encoding="utf-8",
    )
    rows.columns = _clean_header(rows.columns)
    numbers = np.arange(2, len(rows) + 2)
    return _drop_blank(RawTable(list(rows.columns), rows, numbers))


def _read_tolerant(text: str, sep: str, file_name: str) -> RawTable:
    """Row by row: rows with more cells than the header become per-row errors."""
    try:
        records = list(csv.reader(io.StringIO(text, newline=""), delimiter=sep))
    except csv.Error as exc:
        raise FileError(f"{file_name}: Die CSV-Datei ist nicht lesbar ({exc}).") from exc
    header = _clean_header(records[0]) if records else []
    header = [h or f"Spalte {i + 1}" for i, h in enumerate(header)]
    width = len(header)
    good, numbers, errors = [], [], []
    for number, record in enumerate(records[1:], start=2):
        if len(record) > width and any(c.strip() for c in record[width:]):
            cells = dict(zip(header, record, strict=False))
            cells["Überzählige Felder"] = sep.join(record[width:])
            errors.append((number, None, f"{file_name}, Zeile {number}: {len(record)} Felder, "
                           f"die Kopfzeile hat aber nur {width} Spalten (Trennzeichen „{sep}“ "
                           "oder Anführungszeichen im Text prüfen).",
                           json.dumps(cells, ensure_ascii=False)))
            continue
        good.append((record + [""] * width)[:width])
        numbers.append(number)
    rows = pd.DataFrame(good, columns=pd.Index(header), dtype=str)
    table = RawTable(header, rows, np.asarray(numbers, dtype="int64"))
    table.errors = pd.DataFrame(errors, columns=[*ERROR_COLUMNS, "raw"])
    return _drop_blank(table)


def _drop_blank(table: RawTable) -> RawTable:
    """Blank lines are layout, not records: they are dropped but keep the numbering."""
    if table.rows.empty or not len(table.columns):
        return table
    blank = table.rows.iloc[:, 0].str.strip().eq("").to_numpy().copy()
    for column in table.rows.columns[1:]:
        if not blank.any():
            break
        blank[blank] = table.rows.loc[blank, column].str.strip().eq("").to_numpy()
    if blank.any():
        table.rows = table.rows.loc[~blank].reset_index(drop=True)
        table.row_numbers = table.row_numbers[~blank]
    return table
