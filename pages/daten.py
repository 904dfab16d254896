"""Daten: import partner exports (with a column-mapping preview), the quarantine of rejected
rows, and exports of the filtered reports."""

from __future__ import annotations

import streamlit as st

from pages import shared
from reports.model import vocabulary
from reports.privacy.access import policy_for
from reports.privacy.safe import escape_markdown

shared.ensure_entrypoint()
FIELD_LABELS = {
    "id": "Vorgangsnummer (ID)", "occurred_at": "Zeitpunkt", "reported_at": "Meldezeitpunkt",
    "address": "Adresse", "lon": "Länge (lon)", "lat": "Breite (lat)", "x": "Rechtswert (x)",
    "y": "Hochwert (y)", "category": "Kategorie", "description": "Beschreibung",
    "count": "Anzahl", "sensitivity": "Schutzstufe",
}
MESSAGE_COLUMNS = {"row_number": "Zeile", "field": "Feld", "message": "Meldung",
                   "file_name": "Datei", "source": "Quelle", "batch_id": "Importlauf"}

st.title("Daten")
role = shared.current_role()
policy = policy_for(role)
store = shared.get_store()


def _upload() -> None:
    from reports.ingest.importers import FileError, read_file
    from reports.ingest.pipeline import import_file, profile_for
    from reports.ingest.profiles import FIELDS, ID_FIELD, ProfileError, suggest_mapping
    from reports.ingest.uploads import UploadRejected, check_upload

    vocab = vocabulary()
    source = st.selectbox("Quelle (Partner)", list(vocab.sources), format_func=vocab.sources.get,
                          key="daten_source")
    upload = st.file_uploader("Export-Datei (CSV, XLSX, GeoJSON, Open311-JSON)",
                              key="daten_upload")
    if upload is None:
        return
    data = upload.getvalue()
    try:
        check_upload(upload.name, data)
        raw = read_file(data, upload.name)
    except (UploadRejected, FileError) as exc:
        st.error(escape_markdown(str(exc)))
        return
    profile, notes = profile_for(source, raw.columns)
    st.markdown(f"**Vorschau** ({shared.fmt_int(raw.total)} Zeilen)")
    st.dataframe(raw.rows.head(10), width="stretch")
    for note in notes:
        st.caption(escape_markdown(note))
    suggested = suggest_mapping(raw.columns, profile)
    st.markdown("**Spaltenzuordnung** (Feld des Datenmodells ← Spalte der Datei)")
    options = ["—", *raw.columns]
    mapping: dict[str, str] = {}
    cols = st.columns(3)
    for i, field in enumerate((ID_FIELD, *FIELDS)):
        guess = suggested.get(field)
        chosen = cols[i % 3].selectbox(FIELD_LABELS.get(field, field), options,
                                       index=options.index(guess) if guess in options else 0,
                                       key=f"daten_map_{field}")
        if chosen != "—":
            mapping[field] = chosen
    if not st.button("Importieren", type="primary", key="daten_import"):
        return
    bar = st.progress(0.0, text="Import läuft …")

    def progress(done: int, total: int) -> None:
        bar.progress(min(done / max(total, 1), 1.0), text=f"{done} von {total} Zeilen")

    try:
        result = import_file(store, data, source, file_name=upload.name, mapping=mapping,
                             actor=shared.current_actor(), progress=progress)
    except (FileError, ProfileError, ValueError) as exc:
        bar.empty()
        st.error(escape_markdown(str(exc)))
        return
    bar.progress(1.0, text="Fertig")
    st.success(f"{escape_markdown(upload.name)}: {result.imported} neu, {result.updated} "
               f"aktualisiert, {result.duplicate} doppelt, {result.rejected} abgelehnt "
               f"(von {result.total}).")
    for note in result.notes:
        st.caption(escape_markdown(note))
    if result.rejected:
        st.dataframe(result.messages.head(200).rename(columns=MESSAGE_COLUMNS),
                     hide_index=True, width="stretch")


def _quarantine() -> None:
    from reports.render.export import to_csv_bytes

    rows = store.list_quarantine()
    if rows.empty:
        st.caption("Keine offenen Zeilen in der Quarantäne.")
        return
    st.write(f"{shared.fmt_int(len(rows))} abgelehnte Zeilen warten auf Korrektur.")
    shown = rows.drop(columns=["raw", "created_at", "resolved_at"], errors="ignore")
    st.dataframe(shown.head(500).rename(columns=MESSAGE_COLUMNS), hide_index=True,
                 width="stretch")
    st.download_button("Quarantäne herunterladen (CSV)", to_csv_bytes(rows), "quarantaene.csv",
                       "text/csv", on_click="ignore", key="daten_quarantine")


def _export() -> None:
    from reports.render.export import FORMATS, MIME_TYPES, ExportDenied, export_reports

    frame = shared.visible_frame()
    st.write(f"{shared.fmt_int(len(frame))} Meldungen im aktuellen Filter.")
    if frame.empty:
        return
    cols = st.columns(len(FORMATS))
    for col, fmt in zip(cols, FORMATS, strict=True):
        def payload(fmt: str = fmt) -> bytes:
            try:
                return export_reports(store, frame, role, fmt, shared.current_actor())
            except ExportDenied as exc:
                return str(exc).encode("utf-8")

        col.download_button(f"Export {fmt.upper()}", payload, f"meldungen.{fmt}",
                            MIME_TYPES[fmt], on_click="ignore", key=f"daten_export_{fmt}")


if policy.may_edit:
    st.subheader("Import")
    _upload()
    st.subheader("Quarantäne")
    _quarantine()
else:
    st.info("Import und Quarantäne sind der Redaktion vorbehalten (Anmeldung nötig).")

st.subheader("Export der gefilterten Meldungen")
if policy.sees_points:
    _export()
else:
    st.info("Einzelne Meldungen können nur angemeldete Mitglieder exportieren.")
    if shared.get_store().count_reports() == 0:
        st.caption("Noch keine Meldungen im Datenbestand.")
