"""CSV the way German offices export it: ``;``, ``,`` or tab separated; UTF-8 (with or without
BOM), UTF-16/32 (with BOM, or UTF-16 recognised by its NUL bytes) or Windows-1252, decided
per file with evidence and never silently; title lines above
the header; rows ending in an extra separator; rows with too few or too many cells.

The happy path is one vectorised pandas parse; only irregular files (a record with more
cells than the header, trailing separators, an unclosed quote) fall back to the slower
standard-library reader, which keeps every cell under its own column and names the faulty
rows instead of failing the whole file or shifting columns.
"""

from __future__ import annotations

import csv
import io
import json
from collections import Counter

import numpy as np
import pandas as pd

from reports.ingest.importers.base import ERROR_COLUMNS, FileError, RawTable, unique_names
from reports.ingest.uploads import ENCODING_NAMES, unicode_bom

SEPARATORS = (";", "\t", ",")  # order breaks ties: ";" is what German Excel writes
_SAMPLE_CHARS = 64 * 1024
_SAMPLE_ROWS = 50
_CP1252_UNDEFINED = b"\x81\x8d\x8f\x90\x9d"
_SHOWN_LINES = 10


def _lines(numbers: list[int]) -> str:
    shown = ", ".join(str(n) for n in numbers[:_SHOWN_LINES])
    more = len(numbers) - _SHOWN_LINES
    return shown + (f" und {more} weitere" if more > 0 else "")


def decode_with_evidence(data: bytes) -> tuple[str, str, str]:
    """(text, encoding, German note saying why): BOM (UTF-8/16/32) or UTF-16's NUL bytes,
    then strict UTF-8, then Windows-1252.

    A file that is valid UTF-8 in some lines and not in others (two exports pasted together)
    is decoded line by line, each line in its own encoding, and the note names the lines
    read as Windows-1252: the user has to check exactly those.
    """
    found = unicode_bom(data)
    if found is not None:
        codec, skip = found
        why = ("am Kennzeichen am Dateianfang erkannt" if skip
               else "an den Null-Bytes zwischen den Zeichen erkannt")
        try:
            return data[skip:].decode(codec), codec, (
                f"Zeichenkodierung {ENCODING_NAMES[codec]} ({why}).")
        except UnicodeDecodeError:
            if codec != "utf-8":
                text = data[skip:].decode(codec, errors="replace")
                return text, codec, (
                    f"Zeichenkodierung {ENCODING_NAMES[codec]} ({why}); einige Bytes passen "
                    "nicht dazu und erscheinen als „�“.")
            # a UTF-8 BOM followed by invalid UTF-8: fall through to the line-wise decision
    try:
        text = data.decode("utf-8")
        why = ("nur einfache Zeichen ohne Umlaute" if data.isascii()
               else "alle Zeilen sind gültiges UTF-8")
        return text, "utf-8", f"Zeichenkodierung UTF-8 ({why})."
    except UnicodeDecodeError:
        pass
    lines = data.removeprefix(b"\xef\xbb\xbf").split(b"\n")
    utf8_lines, cp1252_lines, undefined = [], [], []
    decoded = []
    for number, line in enumerate(lines, start=1):
        if line.isascii():
            decoded.append(line.decode("ascii"))
            continue
        try:
            decoded.append(line.decode("utf-8"))
            utf8_lines.append(number)
        except UnicodeDecodeError:
            decoded.append(line.decode("cp1252", errors="replace"))
            cp1252_lines.append(number)
            if any(b in line for b in _CP1252_UNDEFINED):
                undefined.append(number)
    tail = ""
    if undefined:
        tail = (f" In Zeile {_lines(undefined)} stehen Bytes, die es in Windows-1252 nicht "
                "gibt; sie erscheinen als „�“.")
    if utf8_lines:
        return "\n".join(decoded), "gemischt", (
            f"Gemischte Zeichenkodierung: Zeile {_lines(cp1252_lines)} ist Windows-1252, "
            f"Zeile {_lines(utf8_lines)} UTF-8. Jede Zeile wurde in ihrer eigenen Kodierung "
            "gelesen; bitte Umlaute in diesen Zeilen prüfen." + tail)
    return "\n".join(decoded), "cp1252", (
        f"Zeichenkodierung Windows-1252 (die Datei ist kein gültiges UTF-8, z. B. Zeile "
        f"{cp1252_lines[0]})." + tail)


def decode(data: bytes) -> tuple[str, str]:
    """(text, encoding) of ``decode_with_evidence``."""
    text, encoding, _ = decode_with_evidence(data)
    return text, encoding


def _sample_rows(text: str, sep: str) -> list[list[str]]:
    sample = text[:_SAMPLE_CHARS]
    if len(text) > _SAMPLE_CHARS:
        sample = sample[: sample.rfind("\n") + 1] or sample
    return [r for r in csv.reader(io.StringIO(sample), delimiter=sep) if any(c.strip() for c in r)
            ][:_SAMPLE_ROWS]


def _width(row: list[str]) -> int:
    """Cells up to the last non-empty one (a trailing separator adds no column)."""
    n = len(row)
    while n and not row[n - 1].strip():
        n -= 1
    return n


def sniff_separator(text: str) -> str:
    """The candidate that splits most sample rows into the same number of cells (> 1)."""
    best, best_score = ";", (-1.0, 0)
    for sep in SEPARATORS:
        try:
            rows = _sample_rows(text, sep)
        except csv.Error:
            continue
        widths = [_width(r) for r in rows]
        if not widths:
            continue
        width, _ = Counter(widths).most_common(1)[0]
        if width < 2:
            continue
        score = (sum(w == width for w in widths) / len(widths), width)
        if score > best_score:
            best, best_score = sep, score
    return best


def _header_line(text: str, sep: str) -> int:
    """Physical lines before the header: title lines ("Meldungen November 2026") that have
    fewer cells than the table below them."""
    try:
        rows = _sample_rows(text, sep)
    except csv.Error:
        return 0
    if len(rows) < 2:
        return 0
    width, _ = Counter(_width(r) for r in rows[1:]).most_common(1)[0]
    for i, row in enumerate(rows):
        if _width(row) >= width or sum(bool(c.strip()) for c in row) >= max(2, width - 1):
            if i == 0:
                return 0
            skip, seen = 0, 0
            for line in text.splitlines():
                if line.strip().strip(sep).strip():
                    if seen == i:
                        break
                    seen += 1
                skip += 1
            return skip
    return 0


def read(data: bytes, file_name: str) -> RawTable:
    text, encoding, note = decode_with_evidence(data)
    if not text.strip():
        raise FileError(f"{file_name}: Die Datei ist leer.")
    sep = sniff_separator(text)
    skip = _header_line(text, sep)
    notes = [note]
    if skip:
        notes.append(f"Die ersten {skip} Zeilen stehen über der Tabelle (Titel o. Ä.); "
                     f"die Spaltenüberschriften stehen in Zeile {skip + 1}.")
    try:  # pandas' C parser reads UTF-8 bytes fastest; other encodings are transcoded once
        utf8 = data.removeprefix(b"\xef\xbb\xbf") if encoding == "utf-8" else text.encode()
        table = _read_fast(utf8, sep, skip)
    except (pd.errors.ParserError, ValueError):
        table = _read_tolerant(text, sep, file_name, skip)
    table.encoding, table.separator = encoding, sep
    table.notes = notes + table.notes
    return table


def _clean_header(names) -> list[str]:
    cleaned = [str(n).replace("\ufeff", "").strip() for n in names]
    return unique_names([c or f"Spalte {i + 1}" for i, c in enumerate(cleaned)])


def _read_fast(utf8: bytes, sep: str, skip: int) -> RawTable:
    """Header read as a data row (``header=None``): a data row wider than the header then
    fails the parse instead of silently becoming a pandas index and shifting columns."""
    rows = pd.read_csv(
        io.BytesIO(utf8), sep=sep, dtype=str, na_filter=False, keep_default_na=False,
        skip_blank_lines=False, quotechar='"', engine="c", encoding="utf-8", header=None,
        skiprows=skip,
    )
    if rows.empty:
        return RawTable([], pd.DataFrame(), np.arange(0))
    header = _clean_header(rows.iloc[0].tolist())
    rows = rows.iloc[1:].reset_index(drop=True)
    rows.columns = pd.Index(header)
    numbers = np.arange(skip + 2, len(rows) + skip + 2)
    return _drop_empty_columns(_drop_blank(RawTable(header, rows, numbers)), header)


def _read_tolerant(text: str, sep: str, file_name: str, skip: int) -> RawTable:
    """Row by row: empty cells past the header (trailing separators) are dropped; rows with
    more filled cells than the header become per-row errors; short rows are padded."""
    try:
        records = list(csv.reader(io.StringIO(text, newline=""), delimiter=sep))
    except csv.Error as exc:
        why = (f"ein Feld ist länger als {csv.field_size_limit():,} Zeichen".replace(",", ".")
               if "field larger" in str(exc) else "ein Zeichen, das in CSV nicht vorkommen darf")
        raise FileError(f"{file_name}: Die CSV-Datei ist nicht lesbar ({why}; fehlt ein "
                        "Anführungszeichen?).") from exc
    records = records[skip:]
    raw_header = records[0] if records else []
    header = _clean_header(raw_header[:_width(raw_header)] or raw_header)
    width = len(header)
    good, numbers, errors = [], [], []
    for number, record in enumerate(records[1:], start=skip + 2):
        if len(record) > width and any(c.strip() for c in record[width:]):
            cells = dict(zip(header, record, strict=False))
            cells["Überzählige Felder"] = sep.join(record[width:])
            errors.append((number, None, f"{file_name}, Zeile {number}: {_width(record)} "
                           f"Felder, die Kopfzeile hat aber nur {width} Spalten (ein "
                           f"Trennzeichen „{sep}“ zu viel im Text oder ein fehlendes "
                           "Anführungszeichen?).", json.dumps(cells, ensure_ascii=False)))
            continue
        good.append((record + [""] * width)[:width])
        numbers.append(number)
    rows = pd.DataFrame(good, columns=pd.Index(header), dtype=str)
    table = RawTable(header, rows, np.asarray(numbers, dtype="int64"))
    table.errors = pd.DataFrame(errors, columns=[*ERROR_COLUMNS, "raw"])
    return _drop_blank(table)


def _drop_empty_columns(table: RawTable, header: list[str]) -> RawTable:
    """Unnamed columns without a single value (a trailing separator in every line) go."""
    generated = [c for i, c in enumerate(header) if c == f"Spalte {i + 1}"]
    empty = [c for c in generated if not table.rows[c].str.strip().ne("").any()]
    if empty:
        table.rows = table.rows.drop(columns=empty)
        table.columns = [c for c in table.columns if c not in empty]
    return table


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
