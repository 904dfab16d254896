"""Import one partner file into the store: read, recognise, validate, geocode, store, in one
transaction.

Every input row is accounted for as imported, updated, duplicate or rejected (rejects go to
the quarantine with a German message); if the counts do not add up, or anything fails or
the process is killed, the transaction leaves the store as it was. Importing the same file
again finds only duplicates and changes no report.

Which profile reads a file: the newest profile saved on the Daten page for the source (in
the database), else ``data/profiles/<source>.toml``, else none; its columns are a
preference, the recognised columns (``reports.ingest.recognize``) stand in for what the file
lacks. The profile actually used is stored with the batch.

Quarantine round trip: ``quarantine_frame`` has the rejected rows with their original
columns plus „Fehler“, „Fehlerhafte Felder“ and „Quarantäne-Nr“. Corrected rows come back
either edited on the Daten page (``import_corrections``, re-validated with the profile of
the batch they came from) or as a corrected download (``import_file``); either way every
quarantine entry whose row was read again is resolved, and a row rejected again gets a new
entry with the new message and the corrected cells.
"""

from __future__ import annotations

import hashlib
import json
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import pandas as pd

from geo.geocode import Geocoder, place_reports
from reports.ingest.importers import FileError, RawTable, load_bytes, read_file
from reports.ingest.profiles import (
    PROFILE_DIR,
    Profile,
    ProfileError,
    fold,
    generic_profile,
    load_profile,
    profile_from_dict,
    profile_to_dict,
    vocabulary_categories,
)
from reports.ingest.recognize import Recognition, describe, recognise
from reports.ingest.validate import dedupe, missing_optional, to_reports
from reports.privacy.safe import restore_cell
from reports.storage import audit
from reports.storage.profiles import latest_profile
from reports.storage.store import REPORTS_LOCK

IMPRECISE_STATUSES = ("street", "place", "fuzzy")  # the summary lists these placements
ERROR_COLUMN = "Fehler"
FIELDS_COLUMN = "Fehlerhafte Felder"
QUARANTINE_ID_COLUMN = "Quarantäne-Nr"
_FIELD_IN_MESSAGE = re.compile(r"Feld „([^“]*)“")


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
    # stored rows placed only roughly (street, place, fuzzy): row_number, address,
    # geocode_status, precision_m
    imprecise: pd.DataFrame = field(default_factory=pd.DataFrame)
    without_time: list[int] = field(default_factory=list)  # rows stored at 0:00 (date only)


@dataclass
class Preview:
    """What the Daten page shows before importing: the table, the profile, the recognition."""

    raw: RawTable
    profile: Profile
    origin: str  # German: where the profile came from
    recognition: Recognition


def base_profile(store, source: str) -> tuple[Profile, str]:
    """The source's active profile and a German word for where it came from."""
    saved = latest_profile(store, source) if store is not None else None
    if saved:
        version, raw = saved
        return profile_from_dict(raw, f"gespeichertes Profil {source}"), (
            f"gespeichertes Profil, Version {version}")
    if (PROFILE_DIR / f"{source}.toml").exists():
        return load_profile(source), "Standardprofil"
    return generic_profile(source), "kein Profil (Spalten erkannt)"


def preview(store, data: bytes, file_name: str, source: str) -> Preview:
    """Read and recognise a file without importing it (raises ``FileError``)."""
    profile, origin = base_profile(store, source)
    raw = read_file(data, file_name, _format_hint(file_name, profile))
    return Preview(raw, profile, origin, recognise(raw, profile))


def unknown_categories(raw: RawTable, profile: Profile, column: str | None) -> list[str]:
    """Distinct values of the category column that neither the profile nor the vocabulary
    knows (most frequent first): the page asks the user to map them."""
    if not column or column not in raw.rows:
        return []
    counts = raw.rows[column].astype("str").str.strip().value_counts()
    known = vocabulary_categories()
    return [v for v in counts.index if v and profile.category_of(v) is None
            and fold(v) not in known]


def place(frame: pd.DataFrame, geocoder: Geocoder) -> pd.DataFrame:
    """Geocode the rows (rows without a usable place are kept as "unresolved")."""
    placed = place_reports(frame, geocoder)
    placed.index = frame.index
    return placed


def import_file(store, path_or_bytes: str | Path | bytes, source: str, *, geocoder: Geocoder,
                file_name: str | None = None, profile: Profile | None = None,
                mapping: dict[str, str] | None = None,
                choices: dict[str, str] | None = None,
                categories: dict[str, str] | None = None, actor: str = "cli",
                progress: Callable[[int, int], None] | None = None,
                waiting: Callable[[float], None] | None = None) -> ImportResult:
    """Import one file; raises ``FileError``/``ProfileError`` (German) for unusable files.

    ``choices``: the complete column choice (field or part -> column, as on the Daten page);
    ``mapping``: changes to the recognised choice (an empty column unmaps the field);
    ``categories``: export values -> category keys on top of the profile's; ``geocoder``:
    the deployment's (``Geography.geocoder``).
    """
    data, file_name = load_bytes(path_or_bytes, file_name)
    notes: list[str] = []
    if profile is None:
        profile, _ = base_profile(store, source)
    raw = read_file(data, file_name, _format_hint(file_name, profile))
    notes += raw.notes
    reread = _quarantine_ids(raw)
    if reread:
        raw.rows = raw.rows.map(restore_cell)
        profile = _with_batch_categories(store, profile, reread)
    if choices is None:
        recognition = recognise(raw, profile)
        choices = {**recognition.choices, **(mapping or {})}
        notes += recognition.notes
        if recognition.choices != profile.choices() or mapping:
            notes.append(describe(Recognition({k: v for k, v in choices.items() if v})))
    profile = profile.with_choices({k: v for k, v in choices.items() if v})
    profile = profile.with_categories(categories)
    if not profile.id_column:
        notes.append("Keine Spalte mit einer Vorgangsnummer: die Kennung jeder Zeile wird aus "
                     "ihrem Inhalt gebildet (gleiche Zeile, gleiche Kennung).")
    return _store_import(store, raw, hashlib.sha256(data).hexdigest(), file_name, source,
                         profile, notes, actor, progress, reread, geocoder, waiting=waiting)


def _store_import(store, raw: RawTable, sha256: str, file_name: str, source: str,
                  profile: Profile, notes: list[str], actor: str,
                  progress: Callable[[int, int], None] | None,
                  reread: list[int], geocoder: Geocoder,
                  waiting: Callable[[float], None] | None = None) -> ImportResult:
    """Store one read file. Reading, checking and geocoding are done before the write lock
    is taken; two imports of overlapping files then write one after the other
    (``waiting(seconds)`` is called while this one queues) and the second finds the first's
    rows as duplicates."""
    notes += missing_optional(raw, profile)
    batch_id = uuid.uuid4().hex
    frame, rejects = to_reports(raw, profile, file_name, batch_id, notes)
    untimed = frame.attrs.get("without_time", [])
    frame, repeated = dedupe(frame)
    frame = place(frame, geocoder)
    rough = frame[frame["geocode_status"].isin(IMPRECISE_STATUSES).to_numpy(bool)]
    imprecise = rough[["address", "geocode_status", "precision_m"]].reset_index()
    untimed = sorted(set(untimed) & set(frame.index))
    rejects = rejects.assign(batch_id=batch_id, file_name=file_name, source=source,
                             raw=rejects["raw"].map(_strip_roundtrip_columns))

    with store.transaction(lock=REPORTS_LOCK, waiting=waiting) as conn:
        # Looked up under the lock: an import that ran while this one waited counts.
        if store.batch_exists_sha(sha256, source, conn):
            notes.append("Diese Datei wurde für diese Quelle schon einmal importiert.")
        queue = _new_quarantine(store, rejects, reread, conn)
        if len(queue) < len(rejects):
            notes.append(f"{len(rejects) - len(queue)} abgelehnte Zeile(n) standen schon in "
                         "der Quarantäne (offen oder bereits korrigiert) und wurden nicht "
                         "erneut aufgenommen.")
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
                        duplicate=duplicate, rejected=rejected,
                        profile=json.dumps(profile_to_dict(profile), ensure_ascii=False))
        if reread:
            store.resolve_quarantine(reread, conn)
        audit.record(store, actor, "import", {
            "batch": batch_id, "file": file_name, "source": source, "total": total,
            "imported": imported, "updated": updated, "duplicate": duplicate,
            "rejected": rejected, "resolved": len(reread)}, conn=conn)
    return ImportResult(batch_id, file_name, source, total, imported, updated, duplicate,
                        rejected, rejects[["row_number", "field", "message"]], notes,
                        len(reread), imprecise, untimed)


def _format_hint(file_name: str, profile: Profile | None) -> str | None:
    """``.json`` may be GeoJSON or Open311: the profile's format decides if it names one."""
    if Path(file_name).suffix.lower() != ".json":
        return None
    fmt = profile.format if profile else None
    return fmt if fmt in ("geojson", "open311") else None


def _quarantine_ids(raw: RawTable) -> list[int]:
    """Quarantine entries this file carries (an exported quarantine file, corrected)."""
    if QUARANTINE_ID_COLUMN not in raw.rows:
        return []
    ids = pd.to_numeric(raw.rows[QUARANTINE_ID_COLUMN], errors="coerce").dropna()
    return sorted({int(i) for i in ids})


def _batch_profiles(store, batch_ids) -> dict[str, Profile]:
    batches = store.list_batches()
    if "profile" not in batches:
        return {}
    out = {}
    for row in batches[batches["id"].isin(list(batch_ids))].itertuples():
        if isinstance(row.profile, str) and row.profile:
            try:
                out[row.id] = profile_from_dict(json.loads(row.profile), "Importprofil")
            except (ValueError, ProfileError):
                continue  # vocabulary changed since: the source's profile reads the rows
    return out


def _with_batch_categories(store, profile: Profile, ids: list[int]) -> Profile:
    """Category choices made when the rows were first imported still apply to them."""
    entries = store.list_quarantine(include_resolved=True)
    batches = entries.loc[entries["id"].isin(ids), "batch_id"].unique()
    merged = dict(profile.categories)
    for old in _batch_profiles(store, batches).values():
        merged = {**old.categories, **merged}
    return replace(profile, categories=merged)


def _new_quarantine(store, rows: pd.DataFrame, superseded: list[int], conn) -> pd.DataFrame:
    """Rows the quarantine has not seen yet: importing a file again adds nothing, neither
    for rows still waiting nor for rows already corrected (resolved) from an earlier copy."""
    if rows.empty:
        return rows
    waiting = store.list_quarantine(include_resolved=True, conn=conn)
    waiting = waiting[~waiting["id"].isin(superseded)]
    known = set(zip(waiting["source"], waiting["raw"], waiting["message"], strict=True))
    keep = [(s, r, m) not in known
            for s, r, m in zip(rows["source"], rows["raw"], rows["message"], strict=True)]
    return rows.loc[keep]


_ROUNDTRIP = (ERROR_COLUMN, FIELDS_COLUMN, QUARANTINE_ID_COLUMN)


def _strip_roundtrip_columns(raw: str) -> str:
    record = json.loads(raw)
    if any(c in record for c in _ROUNDTRIP):
        for column in _ROUNDTRIP:
            record.pop(column, None)
        return json.dumps(record, ensure_ascii=False)
    return raw


def error_fields(message: str) -> list[str]:
    """Columns a quarantine message names (``Feld „Tatzeit“: …``), in order, once each."""
    return list(dict.fromkeys(_FIELD_IN_MESSAGE.findall(message or "")))


def quarantine_frame(store, source: str | None = None,
                     batch_id: str | None = None) -> pd.DataFrame:
    """Open quarantine entries as a table: the original columns (in file order), then
    „Fehler“, „Fehlerhafte Felder“ and „Quarantäne-Nr“ (the key a re-import resolves)."""
    entries = store.list_quarantine()
    if source:
        entries = entries[entries["source"] == source]
    if batch_id:
        entries = entries[entries["batch_id"] == batch_id]
    records = [json.loads(r) if r else {} for r in entries["raw"]]
    table = pd.DataFrame.from_records(records, index=entries.index).fillna("").astype(str)
    table[ERROR_COLUMN] = entries["message"].to_numpy()
    table[FIELDS_COLUMN] = [", ".join(error_fields(m)) for m in entries["message"]]
    table[QUARANTINE_ID_COLUMN] = entries["id"].to_numpy(dtype=np.int64)
    return table.reset_index(drop=True)


def import_corrections(store, edited: pd.DataFrame, actor: str, geocoder: Geocoder,
                       progress: Callable[[int, int], None] | None = None
                       ) -> list[ImportResult]:
    """Rows of ``quarantine_frame`` corrected in place: re-validated per batch with the
    profile that batch was read with, imported if now valid, re-quarantined (with the
    corrections and the new message) if not; their old entries are resolved."""
    if edited.empty:
        return []
    entries = store.list_quarantine().set_index("id")
    ids = pd.to_numeric(edited[QUARANTINE_ID_COLUMN], errors="coerce")
    edited = edited.loc[ids.isin(entries.index).to_numpy()].copy()
    edited[QUARANTINE_ID_COLUMN] = ids[ids.isin(entries.index)].astype("int64")
    keys = entries.loc[edited[QUARANTINE_ID_COLUMN].to_numpy()]
    edited["_batch"] = keys["batch_id"].to_numpy()
    profiles = _batch_profiles(store, edited["_batch"].unique())
    results = []
    for batch, rows in edited.groupby("_batch", sort=False):
        first = keys[keys["batch_id"] == batch].iloc[0]
        source, file_name = str(first["source"]), str(first["file_name"])
        originals = [json.loads(r) for r in keys.loc[rows[QUARANTINE_ID_COLUMN], "raw"]]
        columns = list(dict.fromkeys(c for rec in originals for c in rec))
        cells = rows.reindex(columns=columns).fillna("").astype(str)
        cells = cells.apply(lambda s: s.str.strip())
        cells[QUARANTINE_ID_COLUMN] = rows[QUARANTINE_ID_COLUMN].astype(str).to_numpy()
        raw = RawTable(list(cells.columns), cells.reset_index(drop=True),
                       keys.loc[rows[QUARANTINE_ID_COLUMN], "row_number"].to_numpy("int64"))
        profile = profiles.get(batch)
        if profile is None:
            profile = base_profile(store, source)[0]
            profile = profile.with_choices(recognise(raw, profile).choices)
        reread = [int(i) for i in rows[QUARANTINE_ID_COLUMN]]
        digest = hashlib.sha256(cells.to_json().encode()).hexdigest()
        results.append(_store_import(store, raw, digest, f"{file_name} (Korrektur)", source,
                                     profile, [], actor, progress, reread, geocoder))
    return results


def check_corrections(store, edited: pd.DataFrame) -> pd.Series:
    """The message each edited row would get now ("" = valid), by Quarantäne-Nr, without
    storing anything: re-validation in place."""
    entries = store.list_quarantine().set_index("id")
    out = {}
    ids = pd.to_numeric(edited[QUARANTINE_ID_COLUMN], errors="coerce")
    valid = ids.isin(entries.index).to_numpy()
    profiles = _batch_profiles(store, entries.loc[ids[valid], "batch_id"].unique())
    for (_, row), qid in zip(edited.loc[valid].iterrows(), ids[valid].astype(int), strict=True):
        entry = entries.loc[qid]
        original = json.loads(entry["raw"])
        cells = pd.DataFrame([{c: str(row.get(c, "") or "").strip() for c in original}])
        raw = RawTable(list(cells.columns), cells, np.asarray([int(entry["row_number"])]))
        profile = profiles.get(entry["batch_id"]) or base_profile(store, entry["source"])[0]
        if entry["batch_id"] not in profiles:
            profile = profile.with_choices(recognise(raw, profile).choices)
        try:
            _, rejects = to_reports(raw, profile, str(entry["file_name"]), "check")
        except FileError as exc:
            out[qid] = str(exc)
            continue
        out[qid] = "" if rejects.empty else str(rejects["message"].iloc[0])
    return pd.Series(out, dtype="object")


__all__ = ["ERROR_COLUMN", "FIELDS_COLUMN", "QUARANTINE_ID_COLUMN", "FileError",
           "ImportResult", "Preview", "base_profile", "check_corrections", "error_fields",
           "import_corrections", "import_file", "place", "preview", "quarantine_frame",
           "unknown_categories"]
