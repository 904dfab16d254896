"""Daten: the whole import workflow for a coordinator (upload, recognised columns, unknown
categories, save as profile, import, summary), the quarantine corrected in the browser, and
exports of the filtered reports. The logic is in ``reports.ingest``; this page only draws."""

from __future__ import annotations

import hashlib

import streamlit as st

from app_pages import shared
from reports.model import vocabulary
from reports.privacy.access import policy_for
from reports.privacy.safe import escape_markdown

NONE = "— keine —"
SKIP = "— nicht zuordnen —"
MESSAGE_COLUMNS = {"row_number": "Zeile", "field": "Feld", "message": "Meldung"}

st.title("Daten")
role = shared.current_role()
policy = policy_for(role)
store = shared.get_store()


def _preview(data: bytes, name: str, source: str):
    """The recognised file, kept for this session until another file or source is chosen."""
    from reports.ingest.pipeline import preview

    key = (hashlib.sha256(data).hexdigest(), name, source)
    cached = st.session_state.get("daten_preview")
    if not cached or cached[0] != key:
        st.session_state["daten_preview"] = (key, preview(store, data, name, source))
    return st.session_state["daten_preview"][1], key[0][:12]


def _choose_columns(prev, tag: str) -> dict[str, str]:
    """One selectbox per target field, preset to what was recognised."""
    from reports.ingest.profiles import CHOICES
    from reports.ingest.recognize import LABELS

    st.markdown("**Spaltenzuordnung** – welche Spalte der Datei ist was? Vorbelegt ist, was "
                "erkannt wurde; jede Angabe lässt sich ändern.")
    options = [NONE, *prev.raw.columns]
    chosen: dict[str, str] = {}
    cols = st.columns(3)
    for i, fld in enumerate(CHOICES):
        guess = prev.recognition.choices.get(fld)
        reason = prev.recognition.reasons.get(fld)
        value = cols[i % 3].selectbox(
            LABELS[fld], options, index=options.index(guess) if guess in options else 0,
            key=f"daten_map_{fld}_{tag}",
            help=f"Erkannt über: {reason}" if reason else None)
        if value != NONE:
            chosen[fld] = value
    if "id" not in chosen:
        st.caption("Ohne Spalte für die Vorgangsnummer wird die Kennung jeder Zeile aus ihrem "
                   "Inhalt gebildet: dieselbe Zeile ergibt bei jedem Import dieselbe Meldung.")
    return chosen


def _choose_categories(prev, chosen: dict[str, str], tag: str) -> dict[str, str]:
    """Unknown category values of the file mapped to the vocabulary, here in the page."""
    from reports.ingest.pipeline import unknown_categories

    unknown = unknown_categories(prev.raw, prev.profile, chosen.get("category"))
    if not unknown:
        return {}
    vocab = vocabulary()
    st.markdown(f"**Unbekannte Kategorien** ({len(unknown)}): bitte einer Kategorie zuordnen. "
                "Nicht zugeordnete Zeilen kommen in die Quarantäne.")
    labels = {c.label: key for key, c in vocab.categories.items()}
    options = [SKIP, *labels]
    mapped: dict[str, str] = {}
    cols = st.columns(2)
    for i, value in enumerate(unknown[:60]):
        picked = cols[i % 2].selectbox(f"„{value}“", options, key=f"daten_cat_{i}_{tag}")
        if picked != SKIP:
            mapped[value] = labels[picked]
    if len(unknown) > 60:
        st.caption(f"… und {len(unknown) - 60} weitere Werte; sie kommen in die Quarantäne.")
    return mapped


def _save_profile(prev, source: str, chosen: dict[str, str], categories: dict[str, str]) -> None:
    from reports.ingest.profiles import ProfileError, profile_to_dict
    from reports.storage.profiles import save_profile

    try:
        profile = prev.profile.with_choices(chosen).with_categories(categories)
    except ProfileError as exc:
        st.error(escape_markdown(str(exc)))
        return
    version = save_profile(store, source, profile_to_dict(profile), shared.current_actor())
    st.session_state.pop("daten_preview", None)  # the next preview reads the new profile
    st.success(f"Zuordnung als Profil für „{vocabulary().sources[source]}“ gespeichert "
               f"(Version {version}). Künftige Dateien dieser Quelle werden damit gelesen.")


def _run_import(data: bytes, name: str, source: str, chosen: dict[str, str],
                categories: dict[str, str], tag: str) -> None:
    from reports.ingest.importers import FileError
    from reports.ingest.pipeline import import_file
    from reports.ingest.profiles import ProfileError

    bar = st.progress(0.0, text="Import läuft …")

    def progress(done: int, total: int) -> None:
        bar.progress(min(done / max(total, 1), 1.0),
                     text=f"{shared.fmt_int(done)} von {shared.fmt_int(total)} Zeilen gespeichert")

    try:
        result = import_file(store, data, source, geocoder=shared.geography().geocoder,
                             file_name=name, choices=chosen,
                             categories=categories, actor=shared.current_actor(),
                             progress=progress)
    except (FileError, ProfileError) as exc:
        bar.empty()
        st.error(escape_markdown(str(exc)))
        return
    bar.empty()
    st.session_state["daten_last_batch"] = result.batch_id
    st.session_state["daten_summary"] = (tag, result)


def _summary(tag: str) -> None:
    """The last import's outcome, shown until another file is chosen (it stays while the
    quarantine below is being corrected)."""
    shown = st.session_state.get("daten_summary")
    if not shown or shown[0] != tag:
        return
    result = shown[1]
    st.success(f"{escape_markdown(result.file_name)}: {result.imported} neu, {result.updated} "
               f"aktualisiert, {result.duplicate} doppelt, {result.rejected} abgelehnt "
               f"(von {result.total}).")
    for note in result.notes:
        st.caption(escape_markdown(note))
    _rough(result)
    if result.resolved:
        st.info(f"{result.resolved} Zeilen der Quarantäne sind damit erledigt.")
    if result.rejected:
        st.warning("Abgelehnte Zeilen stehen unten in der Quarantäne und lassen sich dort "
                   "korrigieren.")
        st.dataframe(result.messages.head(200).rename(columns=MESSAGE_COLUMNS),
                     hide_index=True, width="stretch")


def _rows(n: int) -> str:
    return f"{shared.fmt_int(n)} Zeile" if n == 1 else f"{shared.fmt_int(n)} Zeilen"


def _rough(result) -> None:
    """Rows stored with a rough place or without a time of day, counted and listed."""
    from reports.model import GEOCODE_STATUSES

    if len(result.imprecise):
        st.warning(f"{_rows(len(result.imprecise))} nur ungefähr verortet "
                   "(nur die Straße, ein Platz oder ein unscharfer Treffer): bitte prüfen, "
                   "ggf. auf der Karte von Hand platzieren.")
        table = result.imprecise.head(200).assign(
            geocode_status=lambda t: t["geocode_status"].map(GEOCODE_STATUSES),
            precision_m=lambda t: t["precision_m"].round(0))
        st.dataframe(table.rename(columns={
            "row_number": "Zeile", "address": "Adresse", "geocode_status": "Verortung",
            "precision_m": "Genauigkeit (m)"}), hide_index=True, width="stretch")
    if result.without_time:
        rows = ", ".join(str(r) for r in result.without_time[:30])
        more = f" … (insgesamt {shared.fmt_int(len(result.without_time))})" \
            if len(result.without_time) > 30 else ""
        st.warning(f"{_rows(len(result.without_time))} ohne Uhrzeit (nur ein "
                   "Datum): sie sind mit 0:00 Uhr gespeichert und zählen in Auswertungen nach "
                   f"Tageszeit zur Stunde 0. Zeilen: {rows}{more}.")


def _source_changed() -> None:
    """Another source was chosen: forget every uploaded file, preview and summary."""
    for key in [k for k in st.session_state if str(k).startswith("daten_upload_")]:
        upload = st.session_state.pop(key)
        if upload is not None:
            st.session_state["daten_dropped"] = getattr(upload, "name", "")
    for key in ("daten_preview", "daten_summary"):
        st.session_state.pop(key, None)


def _upload() -> None:
    from config.settings import settings
    from reports.ingest.importers import FileError

    vocab = vocabulary()
    limit = settings().max_upload_mb
    source = st.selectbox("Quelle (Partner)", list(vocab.sources),
                          format_func=vocab.sources.__getitem__, key="daten_source",
                          on_change=_source_changed)
    # One uploader per source: a file chosen for one partner is never read with another
    # partner's profile (switching the source starts with an empty uploader).
    upload = st.file_uploader(f"Export-Datei (CSV, XLSX, GeoJSON, Open311-JSON; höchstens "
                              f"{limit} MB)", key=f"daten_upload_{source}")
    if dropped := st.session_state.pop("daten_dropped", None):
        st.info(f"Die Quelle ist jetzt „{vocab.sources[source]}“: die Datei "
                f"„{escape_markdown(dropped)}“ wurde verworfen. Bitte die Datei dieser Quelle "
                "hochladen.")
    if upload is None:
        return
    if upload.size > limit * 1024 * 1024:
        st.error(escape_markdown(f"Die Datei „{upload.name}“ ist {upload.size / 2**20:.1f} MB "
                                 f"groß; erlaubt sind höchstens {limit} MB. Bitte die Datei "
                                 "teilen (z. B. nach Monaten) und nacheinander hochladen."
                                 .replace(".", ",", 1)))
        return
    data = upload.getvalue()
    try:
        prev, tag = _preview(data, upload.name, source)
    except FileError as exc:
        st.error(escape_markdown(str(exc)))
        return
    st.markdown(f"**Vorschau** ({shared.fmt_int(prev.raw.total)} Zeilen; Zuordnung: "
                f"{escape_markdown(prev.origin)})")
    for note in [*prev.raw.notes, *prev.recognition.notes]:
        st.caption(escape_markdown(note))
    st.dataframe(prev.raw.rows.head(10), width="stretch", hide_index=True)
    chosen = _choose_columns(prev, tag)
    categories = _choose_categories(prev, chosen, tag)
    left, right, _ = st.columns([2, 1, 2])
    if policy.may_edit and left.button("Zuordnung als Profil speichern", key="daten_save"):
        _save_profile(prev, source, chosen, categories)
    if right.button("Importieren", type="primary", key="daten_import"):
        _run_import(data, upload.name, source, chosen, categories, tag)
    _summary(tag)


def _scopes() -> dict[str, tuple[str, str | None]]:
    """Label -> (source, batch or None): the last import first, then per source and file."""
    entries = store.list_quarantine()
    if entries.empty:
        return {}
    names = vocabulary().sources
    scopes: dict[str, tuple[str, str | None]] = {}
    last = st.session_state.get("daten_last_batch")
    mine = entries[entries["batch_id"] == last]
    if len(mine):
        scopes[f"Letzter Import: {mine['file_name'].iloc[0]} ({len(mine)})"] = (
            str(mine["source"].iloc[0]), last)
    for source, rows in entries.groupby("source", sort=True):
        scopes[f"{names.get(source, source)} – alle ({len(rows)})"] = (str(source), None)
        for (batch, file_name), part in rows.groupby(["batch_id", "file_name"], sort=False):
            scopes[f"{names.get(source, source)} – {file_name} ({len(part)})"] = (
                str(source), str(batch))
    return scopes


def _quarantine() -> None:
    from reports.ingest.pipeline import (
        ERROR_COLUMN,
        FIELDS_COLUMN,
        QUARANTINE_ID_COLUMN,
        check_corrections,
        import_corrections,
        quarantine_frame,
    )

    if done := st.session_state.pop("daten_q_done", None):
        st.success(done)
    scopes = _scopes()
    if not scopes:
        st.caption("Keine offenen Zeilen in der Quarantäne.")
        return
    label = st.selectbox("Zeilen aus", list(scopes), key="daten_q_scope")
    source, batch = scopes[label]
    table = quarantine_frame(store, source, batch)
    st.write("Abgelehnte Zeilen mit ihren Spalten aus der Datei. Fehlerhafte Zellen direkt in "
             "der Tabelle korrigieren, dann „Prüfen“ oder gleich „Korrigierte Zeilen "
             "importieren“.")
    key = f"daten_q_editor_{source}_{batch}"
    edited = st.data_editor(table, key=key, hide_index=True, width="stretch",
                            disabled=[ERROR_COLUMN, FIELDS_COLUMN, QUARANTINE_ID_COLUMN])
    changed = sorted(st.session_state.get(key, {}).get("edited_rows", {}))
    rows = edited.iloc[changed]
    left, right, _ = st.columns([1, 2, 2])
    if left.button("Prüfen", key="daten_q_check", disabled=not changed):
        verdict = check_corrections(store, rows)
        shown = rows[[QUARANTINE_ID_COLUMN]].assign(Ergebnis=[
            verdict.get(int(q)) or "in Ordnung" for q in rows[QUARANTINE_ID_COLUMN]])
        st.dataframe(shown, hide_index=True, width="stretch")
    if right.button("Korrigierte Zeilen importieren", type="primary", key="daten_q_import",
                    disabled=not changed):
        results = import_corrections(store, rows, shared.current_actor(),
                                     shared.geography().geocoder)
        imported = sum(r.imported + r.updated + r.duplicate for r in results)
        again = sum(r.rejected for r in results)
        st.session_state.pop(key, None)
        st.session_state["daten_q_done"] = (
            f"{imported} korrigierte Zeilen übernommen, {again} weiterhin fehlerhaft.")
        st.rerun()
    _quarantine_downloads(source)


def _quarantine_downloads(source: str) -> None:
    from reports.render.export import MIME_TYPES, export_quarantine

    name = vocabulary().sources.get(source, source)
    st.caption(f"Zum Korrigieren in einer Tabellenkalkulation: alle offenen Zeilen von "
               f"„{name}“ herunterladen, korrigieren und die Datei oben wieder importieren "
               "(die Spalte „Quarantäne-Nr“ bitte stehen lassen).")
    cols = st.columns([1, 1, 3])
    for col, fmt in zip(cols, ("csv", "xlsx"), strict=False):
        def payload(fmt: str = fmt) -> bytes:
            return export_quarantine(store, fmt, shared.current_actor(), source)[0]

        col.download_button(f"Quarantäne {fmt.upper()}", payload, f"quarantaene_{source}.{fmt}",
                            MIME_TYPES[fmt], on_click="ignore", key=f"daten_q_{fmt}")


def _export() -> None:
    from reports.render.export import (
        FORMATS,
        MIME_TYPES,
        ExportDenied,
        export_file_name,
        export_reports,
        report_table,
        xlsx_cuts,
    )

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

        col.download_button(f"Export {fmt.upper()}", payload,
                            export_file_name(shared.current_filter(), fmt),
                            MIME_TYPES[fmt], on_click="ignore", key=f"daten_export_{fmt}")
    for note in xlsx_cuts(report_table(frame))[:20]:
        st.caption(escape_markdown(note))


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
