"""Batch geocoding: ``lagebild geocode`` (also ``python -m geo geocode``).

Reads one address per line on standard input, or one column of a CSV file, and writes CSV with
input, status, lon, lat, x, y, ortsteil, precision_m and reason to standard output.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pandas as pd

OUTPUT_COLUMNS = ["input", "status", "lon", "lat", "x", "y", "ortsteil", "precision_m", "reason"]


def _read_column(path: Path, column: str) -> pd.Series:
    for encoding in ("utf-8-sig", "cp1252", "latin-1"):  # latin-1 decodes any byte
        try:
            frame = pd.read_csv(path, sep=None, engine="python", dtype=str, encoding=encoding,
                                keep_default_na=False)
            break
        except UnicodeDecodeError:
            continue
    if column not in frame.columns:
        raise ValueError(
            f"{path.name}: Spalte „{column}“ fehlt (vorhanden: {', '.join(frame.columns)})"
        )
    return frame[column]


def _geocode(args: argparse.Namespace) -> int:
    from geo.geocode import default_geocoder

    if args.csv:
        try:
            texts = _read_column(Path(args.csv), args.column)
        except (OSError, ValueError, pd.errors.ParserError) as error:
            print(f"Fehler: {error}", file=sys.stderr)
            return 2
    else:
        texts = pd.Series([line.rstrip("\r\n") for line in sys.stdin], dtype=object)
    result = default_geocoder().geocode_many(texts.to_numpy(object))
    result.insert(0, "input", texts.to_numpy(object))
    result[["x", "y", "precision_m"]] = result[["x", "y", "precision_m"]].round(2)
    result[OUTPUT_COLUMNS].to_csv(sys.stdout, index=False, float_format="%.7f")
    return 0


def register_cli(commands) -> None:
    geocode = commands.add_parser(
        "geocode", help="Adressen geokodieren (eine pro Zeile auf stdin, oder --csv)"
    )
    geocode.add_argument("--csv", help="CSV-Datei statt Standardeingabe")
    geocode.add_argument("--column", default="Adresse", help="Adressspalte der CSV-Datei")
    geocode.set_defaults(func=_geocode)
