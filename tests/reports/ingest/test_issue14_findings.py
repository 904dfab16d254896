"""Regression tests, one per finding of issue 14 (hostile and real-world files)."""

from __future__ import annotations

import io
import json
import tomllib
import warnings

import pandas as pd
import pytest

from config.paths import PROJECT_DIR
from config.settings import SETTINGS
from reports.ingest.importers import read_file
from reports.ingest.pipeline import (
    ERROR_COLUMN,
    FIELDS_COLUMN,
    QUARANTINE_ID_COLUMN,
    check_corrections,
    import_corrections,
    import_file,
    preview,
    quarantine_frame,
)
from reports.ingest.uploads import UploadRejected, check_upload
from reports.render.export import (
    XLSX_CELL_LIMIT,
    chart_svg,
    export_quarantine,
    to_csv_bytes,
    to_xlsx_bytes,
    xlsx_cuts,
)
from reports.storage.audit import list_audit
from reports.storage.profiles import latest_profile, list_profiles, save_profile
from reports.storage.store import Store
from tests.helpers import shipped_geocoder

POLICE = ("Vorgangsnr;Datum;Uhrzeit;Adresse;Kategorie;Beschreibung;Anzahl;Breite;Länge\n"
          "P-1;24.11.2025;18:30;Eisenbahnstraße 40;BtM-Handel;Übergabe;1;51,345742;12,398667\n"
          "P-2;25.11.2025;07:05;Torgauer Straße 10;Fahrradleichen;drei Räder;1;;\n"
          "P-3;26.11.2025;25:99;Konradstraße 30;Raub;Handy;1;;\n"
          "P-4;27.11.2025;12:00;Konradstraße 30;Raub;=HYPERLINK(\"http://x\");1;1e308;12,4\n")


@pytest.fixture
def store(tmp_path):
    s = Store.open(f"sqlite:///{tmp_path / 'store.sqlite'}")
    yield s
    s.close()


def test_police_export_with_other_column_names_is_not_refused(store):
    result = import_file(store, POLICE.encode("cp1252"), "polizei", file_name="p.csv",
                         geocoder=shipped_geocoder())
    assert result.imported == 1 and result.rejected == 3
    assert any("Die Datei hat nicht alle Spalten des Profils" in n
               or "„Tatzeit“" in n for n in result.notes)
    stored = store.load_reports().iloc[0]
    assert stored["occurred_at"].isoformat() == "2025-11-24T18:30:00+01:00"  # not 00:00


def test_bad_time_names_the_time_column_and_unknown_category_no_server_file(store):
    result = import_file(store, POLICE.encode("cp1252"), "polizei", file_name="p.csv",
                         geocoder=shipped_geocoder())
    messages = result.messages.set_index("row_number")["message"]
    assert "Feld „Uhrzeit“: „25:99“ ist keine gültige Uhrzeit." in messages[4]
    assert "„Fahrradleichen“ ist keine bekannte Kategorie" in messages[3]
    assert not any(".toml" in m or "--" in m for m in messages)


def test_impossible_coordinates_get_a_message_and_no_warning(store):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # numpy overflow warnings would fail here
        result = import_file(store, POLICE.encode("cp1252"), "polizei", file_name="p.csv",
                             geocoder=shipped_geocoder())
    message = result.messages.set_index("row_number")["message"][5]
    assert "„1e308“" in message and "keine mögliche Koordinate" in message


def test_mixed_encodings_are_decoded_per_line_and_named():
    text = ("Datum;Ort;Art\n24.11.2025;Eisenbahnstraße 10;Graffiti\n".encode()
            + "25.11.2025;Torgauer Straße 3;Müll\n".encode("cp1252")
            + "26.11.2025;Straße des 18. Oktober;Graffiti\n".encode())
    raw = read_file(text, "gemischt.csv")
    assert raw.encoding == "gemischt"
    assert raw.rows["Ort"].tolist() == ["Eisenbahnstraße 10", "Torgauer Straße 3",
                                        "Straße des 18. Oktober"]
    assert raw.rows["Art"][1] == "Müll"
    note = raw.notes[0]
    assert "Gemischte Zeichenkodierung: Zeile 3 ist Windows-1252" in note and "2, 4" in note


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252"])
def test_encoding_is_always_stated_with_its_evidence(encoding):
    raw = read_file("Datum;Ort\n24.11.2025;Straße\n".encode(encoding), "x.csv")
    assert raw.notes[0].startswith("Zeichenkodierung")
    assert ("Windows-1252" in raw.notes[0]) == (encoding == "cp1252")


def test_trailing_separators_do_not_shift_columns():
    raw = read_file(b"Datum;Ort;Art\n24.11.2025;Eisenbahnstra\xc3\x9fe 10;Graffiti;\n"
                    b"25.11.2025;Rabet;Graffiti;\n", "x.csv")
    assert raw.columns == ["Datum", "Ort", "Art"]
    assert raw.rows["Datum"].tolist() == ["24.11.2025", "25.11.2025"]
    assert raw.rows["Ort"][0] == "Eisenbahnstraße 10" and raw.errors.empty
    both = read_file(b"Datum;Ort;Art;\n24.11.2025;Rabet;Graffiti;\n", "y.csv")
    assert both.columns == ["Datum", "Ort", "Art"]


def test_ragged_rows_are_padded_or_named_never_shifted():
    raw = read_file(b"Datum;Ort;Art\n24.11.2025;Rabet\n25.11.2025;Rabet;Graffiti;zu viel\n"
                    b"26.11.2025;Rabet;Graffiti\n", "x.csv")
    assert raw.rows["Datum"].tolist() == ["24.11.2025", "26.11.2025"]
    assert raw.rows["Art"].tolist() == ["", "Graffiti"]
    assert "Zeile 3: 4 Felder, die Kopfzeile hat aber nur 3 Spalten" in raw.errors["message"][0]


def test_title_lines_above_a_csv_header_are_skipped():
    raw = read_file(b"Meldungen November 2025;;\n\nDatum;Ort;Art\n24.11.2025;Rabet;Graffiti\n"
, "x.csv")
    assert raw.columns == ["Datum", "Ort", "Art"] and list(raw.row_numbers) == [4]


def test_cli_and_page_quarantine_exports_neutralise_formulas(store):
    import_file(store, POLICE.encode("cp1252"), "polizei", file_name="p.csv",
                geocoder=shipped_geocoder())
    csv_bytes, _ = export_quarantine(store, "csv", "test", "polizei")
    table = pd.read_csv(io.BytesIO(csv_bytes), sep=";", dtype=str, encoding="utf-8-sig")
    assert table["Beschreibung"].str.startswith("'=HYPERLINK").any()
    assert not table.map(lambda v: isinstance(v, str) and v[:1] in "=+@").any().any()
    from openpyxl import load_workbook

    xlsx_bytes, _ = export_quarantine(store, "xlsx", "test", "polizei")
    sheet = load_workbook(io.BytesIO(xlsx_bytes)).active
    values = [c.value for row in sheet.iter_rows() for c in row if isinstance(c.value, str)]
    assert not any(v.startswith(("=", "+", "@")) for v in values)
    assert [c.value for c in next(sheet.iter_rows())][-3:] == [ERROR_COLUMN, FIELDS_COLUMN,
                                                                QUARANTINE_ID_COLUMN]
    assert len(list_audit(store, action="export")) == 2


def test_xlsx_export_says_where_it_cut():
    frame = pd.DataFrame({"id": ["a", "b"], "description": ["kurz", "x" * 5_000_000]})
    data = to_xlsx_bytes(frame)
    from openpyxl import load_workbook

    cell = load_workbook(io.BytesIO(data)).active["B3"].value
    assert len(cell) == XLSX_CELL_LIMIT and cell.endswith("[gekürzt: 5.000.000 Zeichen]")
    assert xlsx_cuts(frame) == ["Zeile 3, Spalte „description“: 5.000.000 Zeichen, in der "
                                "XLSX-Datei auf 32.767 gekürzt (CSV enthält den ganzen Text)."]
    assert len(to_csv_bytes(frame)) > 5_000_000


def test_chart_svg_with_dates():
    import datetime as dt

    import altair as alt

    data = pd.DataFrame({"tag": [dt.date(2025, 1, 1), dt.date(2025, 2, 1)], "n": [1, 2]})
    svg = chart_svg(alt.Chart(data).mark_bar().encode(x="tag:T", y="n:Q").to_dict())
    assert svg.startswith(b"<svg")


def test_upload_limit_is_german_and_streamlit_lets_it_through(monkeypatch):
    with pytest.raises(UploadRejected, match="ist 56,0 MB groß; erlaubt sind höchstens 50 MB"):
        check_upload("gross.csv", b"x" * (56 * 1024 * 1024))
    config = tomllib.loads((PROJECT_DIR / ".streamlit" / "config.toml").read_text())
    default = next(s for s in SETTINGS if s.variable == "LAGEBILD_MAX_UPLOAD_MB").default
    assert config["server"]["maxUploadSize"] > int(default)


def test_quarantine_rows_corrected_in_place_are_imported_and_leave(store):
    import_file(store, POLICE.encode("cp1252"), "polizei", file_name="p.csv",
                geocoder=shipped_geocoder())
    table = quarantine_frame(store, "polizei")
    assert list(table.columns[:9]) == POLICE.splitlines()[0].split(";")
    assert table.set_index("Vorgangsnr").loc["P-3", FIELDS_COLUMN] == "Uhrzeit"
    fixed = table.set_index("Vorgangsnr")
    fixed.loc["P-3", "Uhrzeit"] = "15:30"
    fixed.loc["P-4", ["Breite", "Länge"]] = ""
    fixed.loc["P-4", "Beschreibung"] = "Handy"
    edited = fixed.loc[["P-3", "P-4"]].reset_index()
    verdict = check_corrections(store, edited)
    assert (verdict == "").all()
    results = import_corrections(store, edited, "test", shipped_geocoder())
    assert sum(r.imported for r in results) == 2 and sum(r.resolved for r in results) == 2
    left = quarantine_frame(store, "polizei")
    assert left["Vorgangsnr"].tolist() == ["P-2"]
    row = store.load_reports().set_index("source_ref").loc["P-3"]
    assert row["occurred_at"].isoformat() == "2025-11-26T15:30:00+01:00"


def test_row_still_wrong_after_correction_keeps_the_correction(store):
    import_file(store, POLICE.encode("cp1252"), "polizei", file_name="p.csv",
                geocoder=shipped_geocoder())
    edited = quarantine_frame(store, "polizei").set_index("Vorgangsnr").loc[["P-3"]]
    edited["Uhrzeit"] = "26:00"
    assert "„26:00“ ist keine gültige Uhrzeit" in check_corrections(
        store, edited.reset_index()).iloc[0]
    import_corrections(store, edited.reset_index(), "test", shipped_geocoder())
    again = quarantine_frame(store, "polizei").set_index("Vorgangsnr")
    assert again.loc["P-3", "Uhrzeit"] == "26:00" and len(again) == 3


def test_downloaded_quarantine_reimported_resolves(store):
    import_file(store, POLICE.encode("cp1252"), "polizei", file_name="p.csv",
                geocoder=shipped_geocoder())
    data, _ = export_quarantine(store, "xlsx", "test", "polizei")
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(data))
    sheet = book.active
    header = [c.value for c in sheet[1]]
    for row in sheet.iter_rows(min_row=2):
        cells = dict(zip(header, row, strict=True))
        cells["Kategorie"].value = "Drogenhandel" if cells["Vorgangsnr"].value == "P-2" else (
            cells["Kategorie"].value)
        if cells["Vorgangsnr"].value == "P-3":
            cells["Uhrzeit"].value = "15:30"
    buffer = io.BytesIO()
    book.save(buffer)
    result = import_file(store, buffer.getvalue(), "polizei", file_name="korrigiert.xlsx",
                         geocoder=shipped_geocoder())
    assert result.resolved == 3 and result.imported == 2
    assert quarantine_frame(store, "polizei")["Vorgangsnr"].tolist() == ["P-4"]


def test_profile_saved_in_the_database_is_versioned_audited_and_used(store):
    raw = POLICE.encode("cp1252")
    first = preview(store, raw, "p.csv", "polizei")
    assert first.origin == "Standardprofil"
    profile = first.profile.with_choices(first.recognition.choices).with_categories(
        {"Fahrradleichen": "illegale_muellablagerung"})
    from reports.ingest.profiles import profile_to_dict

    assert save_profile(store, "polizei", profile_to_dict(profile), "redaktion1") == 1
    assert save_profile(store, "polizei", profile_to_dict(profile), "redaktion1") == 2
    assert list_profiles(store)["version"].tolist() == [2, 1]
    assert latest_profile(store, "polizei")[0] == 2
    audit = list_audit(store, action="profile_save")
    assert len(audit) == 2 and json.loads(audit["detail"][0])["version"] == 2
    second = preview(store, raw, "p.csv", "polizei")
    assert second.origin == "gespeichertes Profil, Version 2"
    assert second.recognition.notes == []  # the saved profile fits the file
    result = import_file(store, raw, "polizei", file_name="p.csv", geocoder=shipped_geocoder())
    assert result.imported == 2  # Fahrradleichen now maps


def test_no_id_column_is_a_documented_content_identity(store):
    data = b"Datum;Ort;Art\n24.11.2025;Rabet;Graffiti\n25.11.2025;Rabet;Graffiti\n"
    first = import_file(store, data, "quartiersmanagement", file_name="q.csv",
                        geocoder=shipped_geocoder())
    assert first.imported == 2
    assert any("aus ihrem Inhalt gebildet" in n for n in first.notes)
    assert import_file(store, data, "quartiersmanagement", file_name="q.csv",
                       geocoder=shipped_geocoder()).duplicate == 2
