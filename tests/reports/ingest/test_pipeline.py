"""import_file on both back ends: accounting, idempotence, updates, quarantine round trip,
atomicity when killed, and storing without a geocoder."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pandas as pd

from config.paths import PROJECT_DIR
from reports.ingest import pipeline
from reports.ingest.pipeline import (
    ERROR_COLUMN,
    FIELDS_COLUMN,
    QUARANTINE_ID_COLUMN,
    import_file,
)
from reports.model import GEOCODE_STATUSES
from reports.render.export import export_quarantine
from tests.helpers import shipped_geocoder

PROJECT = PROJECT_DIR
HEADER = "Vorgangsnummer;Tatzeit;Delikt;Tatort;Sachverhalt;Rechtswert;Hochwert"
GOOD = [
    "P-1;24.11.2025 18:30;BtM-Handel;Eisenbahnstraße 40;Notruf;;",
    "P-2;24.11.2025 19:00;Raub;Torgauer Straße 10;;;",
    "P-3;01.07.2025 02:10;Ruhestörung;Rabet;;;",
    "P-4;02.07.2025;Sachbeschädigung;;;319500,5;5690500,25",
    "P-5;03.07.2025 12:00;Körperverletzung;;;;",
]
FILE_ROWS = [
    *GOOD,
    GOOD[0],                                                   # identical repeat: duplicate
    "P-2;25.11.2025 19:00;Raub;Torgauer Straße 10;;;",         # same id, other content
    "P-6;32.13.2025;BtM-Handel;Rabet;;;",                      # bad date
    "P-7;24.11.2025;Quatsch;Rabet;;;",                         # unknown category
]


def write(path: Path, rows: list[str]) -> Path:
    path.write_bytes(("\n".join([HEADER, *rows]) + "\n").encode("cp1252"))
    return path


def stored(store) -> pd.DataFrame:
    return store.load_reports().sort_values("id").reset_index(drop=True)


def test_every_row_accounted_and_second_import_changes_nothing(store, tmp_path):
    path = write(tmp_path / "polizei_2025-11.csv", FILE_ROWS)
    first = import_file(store, path, "polizei", geocoder=shipped_geocoder())
    assert (first.total, first.imported, first.updated, first.duplicate, first.rejected) == \
        (9, 5, 0, 1, 3)
    assert first.messages["row_number"].tolist() == [8, 9, 10]
    assert first.messages["message"][1] == ("polizei_2025-11.csv, Zeile 9, Feld „Tatzeit“: "
                                            "„32.13.2025“ ist kein gültiges Datum.")
    before = stored(store)
    assert len(before) == 5
    assert set(before["geocode_status"]) <= set(GEOCODE_STATUSES)
    assert len(store.list_quarantine()) == 3

    again = import_file(store, path, "polizei", geocoder=shipped_geocoder())
    assert (again.imported, again.updated, again.duplicate, again.rejected) == (0, 0, 6, 3)
    pd.testing.assert_frame_equal(stored(store), before)
    assert len(store.list_quarantine()) == 3  # the same rejects are not queued twice
    batches = store.list_batches()
    assert len(batches) == 2
    assert batches["rows_total"].tolist() == [9, 9]


def test_changed_row_is_updated(store, tmp_path):
    import_file(store, write(tmp_path / "a.csv", GOOD), "polizei", geocoder=shipped_geocoder())
    changed = [*GOOD[:4], "P-5;03.07.2025 12:00;Körperverletzung;Rabet;neu;;"]
    result = import_file(store, write(tmp_path / "b.csv", changed), "polizei",
                         geocoder=shipped_geocoder())
    assert (result.imported, result.updated, result.duplicate) == (0, 1, 4)
    row = store.load_reports().set_index("source_ref").loc["P-5"]
    assert (row["address"], row["description"]) == ("Rabet", "neu")
    assert row["batch_id"] == result.batch_id


def test_quarantine_export_correct_reimport(store, tmp_path):
    import_file(store, write(tmp_path / "polizei.csv", FILE_ROWS), "polizei",
                geocoder=shipped_geocoder())
    out = tmp_path / "quarantaene.csv"
    out.write_bytes(export_quarantine(store, "csv", "test", "polizei")[0])
    table = pd.read_csv(out, sep=";", dtype=str, keep_default_na=False, encoding="utf-8-sig")
    assert len(table) == 3
    assert list(table.columns) == [*HEADER.split(";"), ERROR_COLUMN, FIELDS_COLUMN,
                                   QUARANTINE_ID_COLUMN]
    assert table[ERROR_COLUMN].str.startswith("polizei.csv, Zeile ").all()

    table.loc[table["Vorgangsnummer"] == "P-6", "Tatzeit"] = "13.12.2025"
    table.loc[table["Vorgangsnummer"] == "P-7", "Delikt"] = "Drogenhandel"  # vocabulary label
    table.to_csv(out, sep=";", index=False, encoding="utf-8-sig")
    result = import_file(store, out, "polizei", geocoder=shipped_geocoder())
    # P-2's other version alone in a file replaces the stored one: the user chose it
    assert (result.imported, result.updated, result.rejected, result.resolved) == (2, 1, 0, 3)
    assert store.list_quarantine().empty
    assert store.count_reports() == 7
    assert str(store.load_reports().set_index("source_ref").loc["P-2", "occurred_at"]) == \
        "2025-11-25 19:00:00+01:00"


def test_row_rejected_again_replaces_its_quarantine_entry(store, tmp_path):
    import_file(store, write(tmp_path / "polizei.csv", FILE_ROWS), "polizei",
                geocoder=shipped_geocoder())
    out = tmp_path / "q.csv"
    out.write_bytes(export_quarantine(store, "csv", "test")[0])
    table = pd.read_csv(out, sep=";", dtype=str, keep_default_na=False, encoding="utf-8-sig")
    table = table[table["Vorgangsnummer"] == "P-6"]
    table["Tatzeit"] = "31.02.2025"  # still wrong
    table.to_csv(out, sep=";", index=False, encoding="utf-8-sig")
    result = import_file(store, out, "polizei", geocoder=shipped_geocoder())
    assert (result.rejected, result.resolved) == (1, 1)
    left = store.list_quarantine()
    assert len(left) == 3
    entry = left[left["file_name"] == "q.csv"].iloc[0]
    assert "„31.02.2025“ ist kein gültiges Datum" in entry["message"]
    assert ERROR_COLUMN not in json.loads(entry["raw"])


def test_killed_import_leaves_the_store_as_it_was(store, tmp_path):
    import_file(store, write(tmp_path / "first.csv", GOOD), "polizei", geocoder=shipped_geocoder())
    before = stored(store)
    rows = [f"K-{i};24.11.2025 18:30;Raub;Rabet;;;" for i in range(1000)]
    path = write(tmp_path / "big.csv", rows)
    script = textwrap.dedent(f"""
        import os, signal
        from geo.geography import load_geography
        from reports.ingest import pipeline
        from reports.storage import store
        from reports.storage.store import Store
        store.CHUNK = 100  # several chunks are written inside the transaction before the kill
        def progress(done, total):
            if done >= 300:  # three chunks written inside the transaction
                os.kill(os.getpid(), signal.SIGKILL)
        pipeline.import_file(Store.open({store.url!r}), {str(path)!r}, "polizei",
                             geocoder=load_geography().geocoder,
                             progress=progress)
    """)
    proc = subprocess.run([sys.executable, "-c", script], cwd=PROJECT, capture_output=True)
    assert proc.returncode == -9, proc.stderr.decode()
    pd.testing.assert_frame_equal(stored(store), before)
    assert len(store.list_batches()) == 1


def test_open311_json_with_the_buerger_profile(store, tmp_path):
    requests = [{"service_request_id": "9", "service_name": "Graffiti",
                 "requested_datetime": "2025-11-24T18:30:00+01:00", "address": "Rabet",
                 "lat": 51.3443, "long": 12.4022},
                {"service_request_id": "10", "service_name": "Unbekannt",
                 "requested_datetime": "2025-11-24T18:30:00+01:00"}]
    path = tmp_path / "maengelmelder.json"
    path.write_text(json.dumps(requests), encoding="utf-8")
    result = import_file(store, path, "buerger", geocoder=shipped_geocoder())
    assert (result.imported, result.rejected) == (1, 1)
    assert "maengelmelder.json, Eintrag 2, Feld „service_name“" in result.messages["message"][0]
    row = store.load_reports().iloc[0]
    assert (row["category"], row["sensitivity"], row["source_ref"]) == ("graffiti", "public", "9")


def test_source_without_profile_guesses_the_mapping(store, tmp_path, monkeypatch):
    monkeypatch.setattr(pipeline, "PROFILE_DIR", tmp_path / "keine-profile")
    path = tmp_path / "liste.csv"
    path.write_text("Datum;Kategorie;Adresse\n24.11.2025;Graffiti;Rabet\n", encoding="utf-8")
    result = import_file(store, path, "quartiersmanagement", geocoder=shipped_geocoder())
    assert result.imported == 1
    assert any("„Datum“ → Datum/Zeitpunkt" in n for n in result.notes)
    explicit = import_file(store, path.read_bytes(), "quartiersmanagement", file_name="x.csv",
                           mapping={"address": ""}, geocoder=shipped_geocoder())
    assert explicit.imported == 1  # address unmapped: other content, other identity


def test_every_import_is_in_the_audit_log(store, tmp_path):
    from reports.storage.audit import list_audit

    result = import_file(store, write(tmp_path / "a.csv", GOOD), "polizei", actor="anna",
                         geocoder=shipped_geocoder())
    entry = list_audit(store, action="import").iloc[0]
    assert entry["actor"] == "anna"
    assert result.batch_id in str(entry["detail"])


def test_rows_without_a_usable_place_are_stored_unresolved(store, tmp_path):
    rows = [*GOOD, "P-6;03.07.2025 13:00;Raub;<b>irgendwo</b> hinten;;;"]
    result = import_file(store, write(tmp_path / "p.csv", rows), "polizei",
                         geocoder=shipped_geocoder())
    assert result.imported == 6 and result.rejected == 0
    frame = stored(store).set_index("source_ref")
    assert frame.loc[["P-5", "P-6"], "geocode_status"].tolist() == ["unresolved", "unresolved"]
    assert frame.loc[["P-5", "P-6"], "x"].isna().all()
    assert frame.loc["P-4", "geocode_status"] == "coordinates"


def test_the_summary_lists_rough_placements_and_rows_without_a_time(store, tmp_path):
    """Issue 20: "Ludwigstraße 999" lands at street level (hundreds of metres), a date
    without a time is stored at 0:00; the result says both, with row numbers."""
    rows = ["P-1;24.11.2025 18:30;BtM-Handel;Eisenbahnstraße 40;;;",
            "P-2;24.11.2025;Raub;Ludwigstraße 999;;;",
            "P-3;2025-11-25;Ruhestörung;Eisenbahnstraße 40;;;",
            "P-4;25.11.2025 00:15;Raub;Rabet;;;",
            "P-5;25.11.2025 20:00;Raub;Eisenbahnstrase 40;;;"]
    result = import_file(store, write(tmp_path / "p.csv", rows), "polizei",
                         geocoder=shipped_geocoder())
    assert result.imported == 5
    assert result.without_time == [3, 4]  # spreadsheet rows: the header is row 1
    rough = result.imprecise.set_index("row_number")
    assert rough.loc[3, "geocode_status"] == "street" and rough.loc[3, "precision_m"] > 100
    assert rough.loc[3, "address"] == "Ludwigstraße 999"
    assert set(rough["geocode_status"]) <= set(pipeline.IMPRECISE_STATUSES)
    assert 2 not in rough.index  # an exact address is not listed
    placed = stored(store).set_index("source_ref")["geocode_status"]
    assert set(rough.index) == {i + 2 for i, ref in enumerate(["P-1", "P-2", "P-3", "P-4",
                                                               "P-5"])
                                if placed[ref] in pipeline.IMPRECISE_STATUSES}
