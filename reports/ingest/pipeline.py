"""Import one partner file into the store: read, validate, geocode, store, in one transaction.

Every input row is accounted for as imported, updated, duplicate or rejected (rejects go to
the quarantine with a German message); if the counts do not add up, or anything fails or
the process is killed, the transaction leaves the store as it was. Importing the same file
again finds only duplicates and changes no report.

Quarantine round trip: ``export_quarantine`` writes the rejected rows with their original
columns plus „Fehler“ and „Quarantäne-Nr“; after correcting them, importing that file resolves
every quarantine entry whose row was read again (a row rejected again gets a new entry with
the new message).
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from geo.geocode import place_reports
from reports.ingest.importers import FileError, RawTable, load_bytes, read_file
from reports.ingest.profiles import (
    PROFILE_DIR,
    Profile,
    generic_profile,
    load_profile,
    suggest_mapping,
)
from reports.ingest.validate import dedupe, missing_optional, to_reports
from reports.storage import audit

ERROR_COLUMN = "Fehler"
QUARANTINE_ID_COLUMN = "Quarantäne-Nr"


@dataclass
class ImportResult:
    batch_id: str
    file_name: str
    source: str
    total: int
    imported: int
    updated: int
    duplicate: int
    rejected: int
    messages: pd.DataFrame  # rejected rows: row_number, field, message
    notes: list[str] = field(default_factory=list)  # file-level hints (German)
    resolved: int = 0  # quarantine entries resolved by this import


def profile_for(source: str, columns: list[str] | None = None) -> tuple[Profile, list[str]]:
    """The source's profile; without a profile file, a mapping guessed from the headers."""
    if (PROFILE_DIR / f"{source}.toml").exists():
        return load_profile(source), []
    profile = generic_profile(source)
    if not columns:
        return profile, []
    guess = suggest_mapping(columns, None)
    note = "Kein Profil für diese Quelle; Spaltenzuordnung geraten: " + ", ".join(
        f"{c} → {f}" for f, c in guess.items()) + "."
    return profile.with_mapping(guess), [note]


def place(frame: pd.DataFrame) -> pd.DataFrame:
    """Geocode the rows (rows without a usable place are kept as "unresolved")."""
    placed = place_reports(frame)
    placed.index = frame.index
    return placed


def import_file(store, path_or_bytes: str | Path | bytes, source: str, *,
                file_name: str | None = None, profile: Profile | None = None,
                mapping: dict[str, str] | None = None, actor: str = "cli",
                progress: Callable[[int, int], None] | None = None) -> ImportResult:
    """Import one file; raises ``FileError``/``ProfileError`` (German) for unusable files."""
    data, file_name = load_bytes(path_or_bytes, file_name)
    raw = read_file(data, file_name, _format_hint(file_name, profile, source))
    notes: list[str] = []
    if profile is None:
        profile, notes = profile_for(source, raw.columns if not mapping else None)
    profile = profile.with_mapping(mapping)
    notes += missing_optional(raw, profile)

    batch_id = uuid.uuid4().hex
    frame, rejects = to_reports(raw, profile, file_name, batch_id)
    frame, repeated = dedupe(frame)
    reread = _quarantine_ids(raw)
    frame = place(frame)
    sha256 = hashlib.sha256(data).hexdigest()
    if store.batch_exists_sha(sha256, source):
        notes.append("Diese Datei wurde für diese Quelle schon einmal importiert.")
    queue = _new_quarantine(store, rejects.assign(
        batch_id=batch_id, file_name=file_name, source=source,
        raw=rejects["raw"].map(_strip_roundtrip_columns)), reread)

    with store.transaction() as conn:
        if progress:
            progress(0, len(frame))
        # One call for the whole file: the store looks ids up and (SQLite) rebuilds its
        # indexes once; it reports progress per chunk written.
        result = store.upsert_reports(frame, conn, progress)
        imported, updated = result.imported, result.updated
        duplicate = result.duplicate + repeated
        store.add_quarantine(conn, queue)
        total, rejected = raw.total, len(rejects)
        if imported + updated + duplicate + rejected != total:
            raise RuntimeError(  # rolls the transaction back: nothing half-imported
                f"{file_name}: {total} Zeilen gelesen, aber {imported} neu + {updated} "
                f"aktualisiert + {duplicate} doppelt + {rejected} abgelehnt; Import verworfen."
            )
        store.add_batch(conn, id=batch_id, file_name=file_name, source=source, sha256=sha256,
                        actor=actor, rows_total=total, imported=imported, updated=updated,
                        duplicate=duplicate, rejected=rejected)
        if reread:
            store.resolve_quarantine(reread, conn)
        audit.record(store, actor, "import", {
            "batch": batch_id, "file": file_name, "source": source, "total": total,
            "imported": imported, "updated": updated, "duplicate": duplicate,
            "rejected": rejected}, conn=conn)
    return ImportResult(batch_id, file_name, source, total, imported, updated, duplicate,
                        rejected, rejects[["row_number", "field", "message"]], notes,
                        len(reread))


def _format_hint(file_name: str, profile: Profile | None, source: str) -> str | None:
    """``.json`` may be GeoJSON or Open311: the profile's format decides if it names one."""
    if Path(file_name).suffix.lower() != ".json":
        return None
    if profile is None and (PROFILE_DIR / f"{source}.toml").exists():
        profile = load_profile(source)
    fmt = profile.format if profile else None
    return fmt if fmt in ("geojson", "open311") else None


def _quarantine_ids(raw: RawTable) -> list[int]:
    """Quarantine entries this file carries (an exported quarantine file, corrected)."""
    if QUARANTINE_ID_COLUMN not in raw.rows:
        return []
    ids = pd.to_numeric(raw.rows[QUARANTINE_ID_COLUMN], errors="coerce").dropna()
    return sorted({int(i) for i in ids})


def _new_quarantine(store, rows: pd.DataFrame, superseded: list[int]) -> pd.DataFrame:
    """Rows not already waiting in the quarantine (importing a file again adds nothing)."""
    if rows.empty:
        return rows
    waiting = store.list_quarantine()
    waiting = waiting[~waiting["id"].isin(superseded)]
    known = set(zip(waiting["source"], waiting["raw"], waiting["message"], strict=True))
    keep = [(s, r, m) not in known
            for s, r, m in zip(rows["source"], rows["raw"], rows["message"], strict=True)]
    return rows.loc[keep]


def _strip_roundtrip_columns(raw: str) -> str:
    record = json.loads(raw)
    if ERROR_COLUMN in record or QUARANTINE_ID_COLUMN in record:
        record.pop(ERROR_COLUMN, None)
        record.pop(QUARANTINE_ID_COLUMN, None)
        return json.dumps(record, ensure_ascii=False)
    return raw


def quarantine_frame(store, source: str | None = None) -> pd.DataFrame:
    """Open quarantine entries as a table: original columns, „Fehler“, „Quarantäne-Nr“."""
    entries = store.list_quarantine()
    if source:
        entries = entries[entries["source"] == source]
    records = [json.loads(r) if r else {} for r in entries["raw"]]
    table = pd.DataFrame.from_records(records, index=entries.index).fillna("")
    table[ERROR_COLUMN] = entries["message"].to_numpy()
    table[QUARANTINE_ID_COLUMN] = entries["id"].to_numpy(dtype=np.int64)
    return table.reset_index(drop=True)


def export_quarantine(store, path: str | Path, source: str | None = None) -> int:
    """Write open quarantine rows as CSV (``;``, UTF-8 with BOM: opens cleanly in Excel)."""
    table = quarantine_frame(store, source)
    Path(path).write_text(table.to_csv(sep=";", index=False), encoding="utf-8-sig")
    return len(table)


__all__ = ["ERROR_COLUMN", "QUARANTINE_ID_COLUMN", "FileError", "ImportResult",
           "export_quarantine", "import_file", "place", "profile_for", "quarantine_frame"]
