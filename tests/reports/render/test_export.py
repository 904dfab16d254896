"""Report exports as partners read them (issue 20.7): German column names and values, a
file name with source, period and day, coordinates to 1 cm, and an export that imports
again."""

from __future__ import annotations

import io
import json
from datetime import date

import openpyxl
import pandas as pd

from reports.ingest.pipeline import import_file
from reports.privacy.access import Role
from reports.render.export import export_file_name, export_reports, report_table
from reports.storage.query import ReportFilter
from tests.helpers import shipped_geocoder
from tests.reports.ingest.test_pipeline import GOOD, write


def _stored(store, tmp_path) -> pd.DataFrame:
    import_file(store, write(tmp_path / "polizei.csv", GOOD), "polizei",
                geocoder=shipped_geocoder())
    return store.load_reports().sort_values("source_ref").reset_index(drop=True)


def test_the_table_is_german_with_labels_and_rounded_coordinates(store, tmp_path):
    reports = _stored(store, tmp_path)
    table = report_table(reports)
    assert list(table.columns[:6]) == ["Meldungs-ID", "Quelle", "Vorgangsnummer", "Thema",
                                       "Kategorie", "Zeitpunkt"]
    assert {"Adresse", "Ortsteil", "Genauigkeit (m)", "Verortung", "Schutzstufe"} <= set(
        table.columns)
    assert not {"batch_id", "content_hash", "category", "lon"} & set(table.columns)
    first = table.iloc[0]  # P-1: BtM-Handel at Eisenbahnstraße 40
    assert (first["Quelle"], first["Thema"], first["Kategorie"]) == (
        "Polizei", "Ordnung", "Drogenhandel")
    assert first["Zeitpunkt"] == "24.11.2025 18:30" and first["Schutzstufe"] == "Mitglieder"
    assert first["Verortung"] in ("exakte Adresse", "Hausnummer interpoliert")
    placed = table.dropna(subset=["Länge"])
    for column, digits in (("Länge", 7), ("Breite", 7), ("Rechtswert", 2), ("Hochwert", 2)):
        values = placed[column].to_numpy()
        assert (abs(values - values.round(digits)) < 1e-9).all(), column
        assert (abs(values - reports.loc[placed.index, {"Länge": "lon", "Breite": "lat",
                "Rechtswert": "x", "Hochwert": "y"}[column]].to_numpy()) <= 0.5 * 10.0
                ** -digits + 1e-12).all()
    assert placed["Länge"].map(lambda v: len(repr(v).split(".")[1])).max() <= 7


def test_every_format_carries_the_german_table(store, tmp_path):
    reports = _stored(store, tmp_path)
    csv = export_reports(store, reports, Role.MEMBER, "csv", "t").decode("utf-8-sig")
    assert csv.splitlines()[0].startswith("Meldungs-ID;Quelle;Vorgangsnummer;Thema;Kategorie")
    assert "Drogenhandel" in csv and "drogenhandel" not in csv
    sheet = openpyxl.load_workbook(io.BytesIO(export_reports(store, reports, Role.MEMBER,
                                                             "xlsx", "t"))).active
    assert next(sheet.iter_rows(values_only=True))[:3] == ("Meldungs-ID", "Quelle",
                                                           "Vorgangsnummer")
    features = json.loads(export_reports(store, reports, Role.MEMBER, "geojson", "t"))[
        "features"]
    located = [f for f in features if f["geometry"]]
    assert located and all(len(str(c).split(".")[1]) <= 7
                           for f in located for c in f["geometry"]["coordinates"])
    assert "Kategorie" in features[0]["properties"] and "Länge" not in features[0][
        "properties"]


def test_the_file_name_says_source_period_and_day():
    f = ReportFilter(date(2026, 9, 1), date(2026, 11, 30), sources=("polizei",))
    assert export_file_name(f, "csv", date(2026, 12, 4)) == \
        "meldungen_polizei_2026-09-01_bis_2026-11-30_erstellt_2026-12-04.csv"
    both = ReportFilter(date(2026, 9, 1), date(2026, 11, 30), topics=("umwelt",))
    assert export_file_name(both, "xlsx", date(2026, 12, 4)) == \
        "meldungen_alle-quellen_umwelt_2026-09-01_bis_2026-11-30_erstellt_2026-12-04.xlsx"
    assert export_file_name(f, "csv").endswith(f"{pd.Timestamp.now():%Y-%m-%d}.csv")


def test_an_exported_file_imports_again(store, tmp_path):
    reports = _stored(store, tmp_path)
    export = tmp_path / "export.csv"
    export.write_bytes(export_reports(store, reports, Role.EDITOR, "csv", "t"))
    again = import_file(store, export, "polizei",  # the German headers are recognised
                        geocoder=shipped_geocoder())
    assert again.rejected == 0 and again.total == len(reports)
    assert again.imported == 0  # the Vorgangsnummer gives every row its old id
    back = store.load_reports().set_index("source_ref")
    assert len(back) == len(reports)
    for row in reports.itertuples():
        assert back.loc[row.source_ref, "category"] == row.category
        assert back.loc[row.source_ref, "occurred_at"] == row.occurred_at
