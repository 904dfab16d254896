"""The ``lagebild`` command (also ``python -m reports`` and ``python -m geo``): import partner
files, manage the quarantine, rebuild the demo, geocode, manage users, apply retention.

Account, retention, meeting and geocoding commands live with their modules
(``register_cli(subparsers)`` in ``reports.privacy.auth``, ``reports.privacy.retention``,
``reports.coordination.meetings`` and ``lagebild.geocode_cli``) and
are registered here explicitly. Every
subcommand sets ``func(args) -> int`` (exit code). Errors reach the user as German messages,
never as a traceback.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

SHOWN_MESSAGES = 20
console = Console()
errors = Console(stderr=True)


def _store():
    from reports.storage.store import Store

    return Store.open()


def _geography():
    """The deployment's geography (built once per command)."""
    from reports.geography import geography_from

    return geography_from()


def parse_mapping(pairs: list[str] | None) -> dict[str, str] | None:
    """``["Spalte=occurred_at", ...]`` -> ``{"occurred_at": "Spalte"}``; ``=FELD`` unmaps."""
    if not pairs:
        return None
    mapping = {}
    for pair in pairs:
        column, sep, fld = pair.rpartition("=")
        if not sep or not fld:
            raise ValueError(
                f"--mapping „{pair}“: erwartet SPALTE=FELD, z. B. Tatzeit=occurred_at.")
        mapping[fld.strip()] = column.strip()
    return mapping


def _import(path: Path, source: str, mapping: dict[str, str] | None, geography):
    from reports.ingest.pipeline import import_file

    columns = (TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
               TimeElapsedColumn())
    with Progress(*columns, console=console, transient=False) as bar:
        task = bar.add_task(f"{path.name}: lesen, prüfen, verorten", total=None)

        def progress(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total, description=f"{path.name}: speichern")

        def waiting(seconds: float) -> None:
            bar.update(task, description=f"{path.name}: wartet auf einen anderen Import … "
                                         f"({seconds:.0f} s)")

        return import_file(_store(), path, source, geocoder=geography.geocoder, mapping=mapping,
                           progress=progress, waiting=waiting)


def _summary(results) -> None:
    table = Table(title="Import")
    for label in ("Datei", "Quelle", "Zeilen", "neu", "aktualisiert", "doppelt", "abgelehnt"):
        table.add_column(label, justify="left" if label in ("Datei", "Quelle") else "right")
    for r in results:
        table.add_row(Text(r.file_name), r.source, str(r.total), str(r.imported), str(r.updated),
                      str(r.duplicate), str(r.rejected))
    console.print(table)
    for r in results:
        for note in r.notes:
            console.print(Text.assemble(("Hinweis: ", "yellow"), note))
        if r.resolved:
            console.print(f"{r.resolved} Quarantäne-Einträge erledigt.")
        if len(r.imprecise):
            rows = ", ".join(str(n) for n in r.imprecise["row_number"].head(SHOWN_MESSAGES))
            console.print(Text.assemble(("Hinweis: ", "yellow"), f"{len(r.imprecise)} Zeilen "
                                        f"nur ungefähr verortet (Straße, Platz, unscharf): "
                                        f"Zeilen {rows}"))
        if r.without_time:
            rows = ", ".join(str(n) for n in r.without_time[:SHOWN_MESSAGES])
            console.print(Text.assemble(("Hinweis: ", "yellow"), f"{len(r.without_time)} "
                                        f"Zeilen ohne Uhrzeit, mit 0:00 Uhr gespeichert: "
                                        f"Zeilen {rows}"))
        for message in r.messages["message"].head(SHOWN_MESSAGES):
            console.print(Text.assemble(("• ", "red"), message))
        if r.rejected > SHOWN_MESSAGES:
            console.print(f"… und {r.rejected - SHOWN_MESSAGES} weitere abgelehnte Zeilen "
                          "(python -m reports quarantine).")


def cmd_import(args) -> int:
    """Each file is its own transaction: one unreadable file does not stop the others."""
    from reports.ingest.importers import FileError
    from reports.ingest.profiles import ProfileError

    mapping = parse_mapping(args.mapping)
    geography = _geography()
    results, failed = [], 0
    for name in args.files:
        try:
            results.append(_import(Path(name), args.source, mapping, geography))
        except (FileError, ProfileError) as exc:
            errors.print(Text.assemble(("Fehler: ", "bold red"), str(exc)))
            failed += 1
    if results:
        _summary(results)
    return 2 if failed else 0


def cmd_quarantine(args) -> int:
    """List, export (CSV or XLSX by the file's ending, formulas neutralised) or re-import."""
    from reports.render.export import export_quarantine

    if args.reimport:
        if not args.source:
            raise ValueError("--reimport braucht --source (die Quelle der Zeilen).")
        _summary([_import(Path(args.reimport), args.source, parse_mapping(args.mapping),
                          _geography())])
        return 0
    store = _store()
    if args.export:
        target = Path(args.export)
        fmt = "xlsx" if target.suffix.lower() == ".xlsx" else "csv"
        data, cuts = export_quarantine(store, fmt, "cli", args.source)
        target.write_bytes(data)
        for note in cuts:
            console.print(Text.assemble(("Hinweis: ", "yellow"), note))
        console.print(f"Quarantäne nach {target} geschrieben. Korrigieren und mit --reimport "
                      "wieder einlesen; die Spalte „Quarantäne-Nr“ bitte stehen lassen.")
        return 0
    entries = store.list_quarantine()
    if args.source:
        entries = entries[entries["source"] == args.source]
    table = Table(title=f"Quarantäne ({len(entries)} offen)")
    for label in ("Nr", "Quelle", "Fehler (Datei, Zeile, Feld)"):
        table.add_column(label, overflow="fold")
    for row in entries.itertuples():
        table.add_row(*(Text(str(v)) for v in (row.id, row.source, row.message)))
    console.print(table)
    return 0


DEMO_LABELS = {
    "kept": "behalten", "files": "Exportdateien", "total": "Zeilen gelesen",
    "imported": "neu", "updated": "aktualisiert", "duplicate": "doppelt",
    "rejected": "abgelehnt (Quarantäne)", "meetings": "Sitzungen", "annotations": "Ereignisse",
    "measures": "Maßnahmen", "reports": "Meldungen im Bestand",
}


def cmd_demo(args) -> int:
    from demo import build_demo

    with console.status("Demo-Daten werden erzeugt und importiert …"):
        result = build_demo(_store(), _geography(), rows=args.rows, keep=args.keep)
    table = Table(title="Demo (synthetische Daten)")
    table.add_column("Angabe")
    table.add_column("Wert", justify="right")
    for key, value in (result or {}).items():
        if key == "kept":
            value = "ja, vorhandene Demo-Datenbank behalten" if value else "nein, neu aufgebaut"
        table.add_row(DEMO_LABELS.get(key, key), str(value))
    console.print(table)
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="lagebild",
        description="Lagebild Leipziger Osten: Meldungen importieren und verwalten. "
                    "Datenbank: Umgebungsvariable DATABASE_URL (Standard: var/lagebild.sqlite).")
    sub = parser.add_subparsers(dest="command", required=True)

    imp = sub.add_parser("import", help="Exportdateien der Partner importieren")
    imp.add_argument("files", nargs="+", metavar="DATEI")
    imp.add_argument("--source", required=True, help="Quelle, z. B. polizei")
    imp.add_argument("--mapping", action="append", metavar="SPALTE=FELD",
                     help="erkannte Zuordnung ändern (mehrfach), z. B. Datum=occurred_at, "
                          "Uhrzeit=occurred_time, Hausnr=house_number; =id: keine Kennung")
    imp.set_defaults(func=cmd_import)

    qua = sub.add_parser("quarantine", help="abgelehnte Zeilen anzeigen, exportieren, "
                                            "korrigiert wieder einlesen")
    qua.add_argument("--export", metavar="DATEI.csv|DATEI.xlsx")
    qua.add_argument("--reimport", metavar="DATEI")
    qua.add_argument("--source")
    qua.add_argument("--mapping", action="append", metavar="SPALTE=FELD")
    qua.set_defaults(func=cmd_quarantine)

    demo = sub.add_parser("demo", help="Demo-Datenbank aus synthetischen Exporten aufbauen")
    demo.add_argument("--keep", action="store_true",
                      help="nichts tun, wenn die Demo-Daten schon vorhanden sind")
    demo.add_argument("--rows", type=int, default=30000, help="Anzahl Meldungen")
    demo.set_defaults(func=cmd_demo)

    from lagebild import geocode_cli
    from reports.coordination import meetings
    from reports.privacy import auth, retention
    from reports.render import handout

    auth.register_cli(sub)
    retention.register_cli(sub)
    meetings.register_cli(sub)
    handout.register_cli(sub)
    geocode_cli.register_cli(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    from config.settings import settings
    from reports.ingest.importers import FileError
    from reports.ingest.profiles import ProfileError
    from reports.storage.faults import StoreBusy, StoreError

    try:
        settings()  # a wrong setting stops every command with its German sentence
        return int(args.func(args) or 0)
    except (FileError, ProfileError, ValueError) as exc:
        errors.print(Text.assemble(("Fehler: ", "bold red"), str(exc)))
        return 2
    except StoreError as exc:  # the store's fault, not the input's: German, no driver text
        errors.print(Text.assemble(("Datenbestand: ", "bold red"), str(exc)))
        return 75 if isinstance(exc, StoreBusy) else 3
    except KeyboardInterrupt:
        errors.print("Abgebrochen; der laufende Import wurde nicht gespeichert.")
        return 130
    except Exception as exc:  # no traceback for users; the message still says what failed
        errors.print(Text.assemble(("Unerwarteter Fehler: ", "bold red"),
                                   f"{type(exc).__name__}: {exc}"))
        return 1


if __name__ == "__main__":
    sys.exit(main())
