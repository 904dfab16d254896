"""Command line: ``python -m geo geocode`` and ``python -m geo build-data SHARED_DATA_DIR``.

``geocode`` reads one address per line on standard input, or one column of a CSV file, and
writes CSV with input, status, lon, lat, x, y, ortsteil, precision_m and reason to standard
output. ``build-data`` rebuilds the shipped geography in data/ (and the basemap tiles) from the
real Leipzig sources (see data/README.md).
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
    address_list = Path(args.address_list) if args.address_list else None
    result = default_geocoder(address_list).geocode_many(texts.to_numpy(object))
    result.insert(0, "input", texts.to_numpy(object))
    result[["x", "y", "precision_m"]] = result[["x", "y", "precision_m"]].round(2)
    result[OUTPUT_COLUMNS].to_csv(sys.stdout, index=False, float_format="%.7f")
    return 0


def _build_data(args: argparse.Namespace) -> int:
    from geo.build_data import Sources, build, write
    from geo.register import DATA_DIR

    sources = Sources.in_dir(Path(args.shared_data_dir))
    missing = sources.missing()
    if missing:
        print("Fehler: Quelldaten fehlen: " + ", ".join(map(str, missing)), file=sys.stderr)
        return 2
    built = build(sources)
    out = Path(args.out) if args.out else DATA_DIR
    for path in write(built, out):
        print(f"{path}: {path.stat().st_size:,} Bytes")
    if not args.no_tiles:
        from geo.tiles import TILES_DIR, render_tiles

        tiles = Path(args.tiles) if args.tiles else TILES_DIR
        count, size = render_tiles(built, tiles)
        print(f"{tiles}: {count:,} Kacheln, {size:,} Bytes")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m geo", description="Geodaten Leipziger Osten")
    commands = parser.add_subparsers(dest="command", required=True)
    geocode = commands.add_parser(
        "geocode", help="Adressen geokodieren (eine pro Zeile auf stdin, oder --csv)"
    )
    geocode.add_argument("--csv", help="CSV-Datei statt Standardeingabe")
    geocode.add_argument("--column", default="Adresse", help="Adressspalte der CSV-Datei")
    geocode.add_argument("--address-list", help="amtliche Adressliste (CSV, HK-DE)")
    geocode.set_defaults(run=_geocode)
    build = commands.add_parser(
        "build-data", help="Geodaten in data/ aus den Leipziger Quelldaten neu bauen"
    )
    build.add_argument("shared_data_dir", help="Ordner mit sources/ und reference/")
    build.add_argument("--out", default=None, help="Zielordner (Standard: data/)")
    build.add_argument("--tiles", default=None, help="Kachelordner (Standard: static/tiles)")
    build.add_argument("--no-tiles", action="store_true", help="keine Kacheln bauen")
    build.set_defaults(run=_build_data)
    args = parser.parse_args(argv)
    return args.run(args)


if __name__ == "__main__":
    raise SystemExit(main())
