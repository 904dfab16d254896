"""Geo verbs: ``lagebild geocode``, ``build-data`` and ``build-tiles`` (also ``python -m geo``).

``geocode`` reads one address per line on standard input, or one column of a CSV file, and
writes CSV with input, status, lon, lat, x, y, ortsteil, precision_m and reason to standard
output. ``build-data SHARED_DATA_DIR`` rebuilds the shipped geography in data/ from the real
Leipzig sources (see data/README.md); ``build-tiles SHARED_DATA_DIR`` renders the offline
basemap into static/tiles/ (maps.tiles) and the maps' address search index into
static/search/ (maps.search).
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
    from reports.geography import geography_from

    if args.csv:
        try:
            texts = _read_column(Path(args.csv), args.column)
        except (OSError, ValueError, pd.errors.ParserError) as error:
            print(f"Fehler: {error}", file=sys.stderr)
            return 2
    else:
        texts = pd.Series([line.rstrip("\r\n") for line in sys.stdin], dtype=object)
    result = geography_from().geocoder.geocode_many(texts.to_numpy(object))
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
    build = commands.add_parser(
        "build-data", help="Geodaten in data/ aus den Leipziger Quelldaten neu bauen"
    )
    build.add_argument("shared_data_dir", help="Ordner mit sources/ und reference/")
    build.add_argument("--out", default=None, help="Zielordner (Standard: data/)")
    build.set_defaults(func=_build_data)
    tiles = commands.add_parser(
        "build-tiles", help="Offline-Grundkarte (Kacheln in static/tiles/) neu zeichnen"
    )
    tiles.add_argument("shared_data_dir", help="Ordner mit sources/ (Gebäudeumrisse)")
    tiles.add_argument("--out", default=None, help="Zielordner (Standard: static/tiles/)")
    tiles.add_argument("--max-zoom", type=int, default=None, help="höchste gezeichnete Zoomstufe")
    tiles.set_defaults(func=_build_tiles)


def _build_data(args: argparse.Namespace) -> int:
    """Rebuild the shipped geography (see data/README.md) from the real Leipzig sources."""
    from config.paths import DATA_DIR
    from geo.build_data import Sources, build, write

    sources = Sources.in_dir(Path(args.shared_data_dir))
    missing = sources.missing()
    if missing:
        print("Fehler: Quelldaten fehlen: " + ", ".join(map(str, missing)), file=sys.stderr)
        return 2
    out = Path(args.out) if args.out else DATA_DIR
    for path in write(build(sources), out):
        print(f"{path}: {path.stat().st_size:,} Bytes")
    return 0


def _build_tiles(args: argparse.Namespace) -> int:
    """Render the offline basemap's tile pyramid (see data/README.md) and report its size."""
    import time

    from maps import search, tiles

    source = Path(args.shared_data_dir) / tiles.BUILDINGS_SOURCE
    if not source.is_file():
        print(f"Fehler: Quelldaten fehlen: {source}", file=sys.stderr)
        return 2
    started = time.perf_counter()
    max_zoom = args.max_zoom or tiles.MAX_ZOOM
    meta = tiles.build_tiles(tiles.shipped_data(Path(args.shared_data_dir)),
                             Path(args.out) if args.out else tiles.TILES_DIR,
                             range(tiles.MIN_ZOOM, max_zoom + 1))
    print(f"{meta['tiles']:,} Kacheln, {meta['bytes']:,} Bytes, Namen "
          f"{meta['label_bytes']:,} Bytes, {time.perf_counter() - started:.0f} s")
    print(f"Suchindex {search.INDEX_PATH}: {search.write_index():,} Bytes")
    return 0
