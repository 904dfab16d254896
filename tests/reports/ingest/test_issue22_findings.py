"""Regression tests, one per import finding of issue 22 (far dates, deep JSON, UTF-16/32,
English texts, formula look-alikes coming back from the quarantine)."""

from __future__ import annotations

import datetime as dt
import io
import json

import openpyxl
import pandas as pd
import pytest

from reports.ingest.importers import FileError, read_file
from reports.ingest.pipeline import import_file, quarantine_frame
from reports.ingest.uploads import check_upload
from reports.render.export import to_csv_bytes
from reports.storage.store import Store
from tests.helpers import shipped_geocoder

HEADER = "Vorgangsnummer;Tatzeit;Delikt;Tatort"
ENGLISH = ("maximum recursion", "Expecting", "line 1 column", "codec", "decode", "File is not",
           "zip", "Traceback", "Error", "field larger", "object has no attribute")


@pytest.fixture
def store(tmp_path):
    s = Store.open(f"sqlite:///{tmp_path / 'store.sqlite'}")
    yield s
    s.close()


def assert_german(message: str) -> None:
    for english in ENGLISH:
        assert english not in message, message


def test_a_far_future_date_is_rejected_as_written_and_nothing_is_stored(store):
    """„15.06.2600 10:00“ was stored as 2015-11-25 09:25:26, counted as new."""
    text = (f"{HEADER}\nP-1;15.06.2600 10:00;BtM-Handel;Eisenbahnstraße 40\n"
            "P-2;31.12.9999;BtM-Handel;Eisenbahnstraße 40\n")
    result = import_file(store, text.encode(), "polizei", file_name="p.csv",
                         geocoder=shipped_geocoder())
    assert (result.imported, result.rejected) == (0, 2)
    assert result.messages["message"].tolist() == [
        "p.csv, Zeile 2, Feld „Tatzeit“: „15.06.2600 10:00“ liegt nicht zwischen 1900 und "
        "2100 (Tippfehler?).",
        "p.csv, Zeile 3, Feld „Tatzeit“: „31.12.9999“ liegt nicht zwischen 1900 und 2100 "
        "(Tippfehler?)."]
    assert store.count_reports() == 0


def test_far_dates_in_a_spreadsheet_are_rejected_not_wrapped(store):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Vorgangsnummer", "Tatzeit", "Delikt", "Tatort"])
    sheet.append(["X-1", dt.datetime(2600, 6, 15, 10, 0), "BtM-Handel", "Eisenbahnstraße 40"])
    sheet.append(["X-2", 99999, "BtM-Handel", "Eisenbahnstraße 40"])  # an Excel serial: 2173
    sheet.append(["X-3", dt.datetime(2026, 11, 24, 18, 30), "BtM-Handel", "Eisenbahnstraße 4"])
    data = io.BytesIO()
    book.save(data)
    result = import_file(store, data.getvalue(), "polizei", file_name="p.xlsx",
                         geocoder=shipped_geocoder())
    assert (result.imported, result.rejected) == (1, 2)
    messages = result.messages["message"].tolist()
    assert "„2600-06-15T10:00:00“ liegt nicht zwischen 1900 und 2100" in messages[0]
    assert "„99999“ liegt nicht zwischen 1900 und 2100" in messages[1]
    assert store.load_reports()["occurred_at"].dt.year.tolist() == [2026]


@pytest.mark.parametrize("name", ["tief.json", "tief.geojson"])
def test_deeply_nested_json_gets_a_german_message(name):
    data = b"[" * 100_000 + b"]" * 100_000
    with pytest.raises(FileError) as exc:
        read_file(data, name)
    assert "zu tief verschachtelt" in str(exc.value)
    assert_german(str(exc.value))


@pytest.mark.parametrize(("data", "expected"), [
    (b'{"features": [1,]}', "Fehler in Zeile 1, Spalte 17"),
    (b'{"x": "\xff"}', "passt nicht zur Zeichenkodierung UTF-8"),
    (b'[{"a": ' + b"1" * 5000 + b"}]", "ein Wert ist nicht lesbar"),
])
def test_broken_json_is_named_in_german(data, expected):
    with pytest.raises(FileError) as exc:
        read_file(data, "x.json")
    assert expected in str(exc.value)
    assert_german(str(exc.value))


UNICODE_CSV = (f"{HEADER}\nP-1;24.11.2025 18:30;BtM-Handel;Eisenbahnstraße 40 – Ecke\n")


@pytest.mark.parametrize(("codec", "bom", "label"), [
    ("utf-16-le", b"\xff\xfe", "UTF-16 (LE)"), ("utf-16-be", b"\xfe\xff", "UTF-16 (BE)"),
    ("utf-32-le", b"\xff\xfe\x00\x00", "UTF-32 (LE)"),
    ("utf-32-be", b"\x00\x00\xfe\xff", "UTF-32 (BE)"),
])
def test_utf16_and_utf32_with_a_byte_order_mark_are_read_and_named(store, codec, bom, label):
    """A UTF-16 file was refused as „keine Textdatei“."""
    data = bom + UNICODE_CSV.encode(codec)
    check_upload("p.csv", data)  # no longer refused
    table = read_file(data, "p.csv")
    assert table.encoding == codec
    assert f"Zeichenkodierung {label} (am Kennzeichen am Dateianfang erkannt)." in table.notes
    result = import_file(store, data, "polizei", file_name="p.csv",
                         geocoder=shipped_geocoder())
    assert result.imported == 1
    assert store.load_reports()["address"].tolist() == ["Eisenbahnstraße 40 – Ecke"]


def test_utf16_without_a_mark_is_recognised_by_its_nul_bytes():
    table = read_file(UNICODE_CSV.encode("utf-16-le"), "p.csv")
    assert table.encoding == "utf-16-le"
    assert "an den Null-Bytes zwischen den Zeichen erkannt" in table.notes[0]
    assert table.rows["Tatort"].tolist() == ["Eisenbahnstraße 40 – Ecke"]
    with pytest.raises(FileError, match="keine Textdatei"):  # binary stays refused
        read_file(b"a;b\x00c\x00\x00\x01\x00\x00" * 10, "p.csv")


def test_geojson_in_utf16_is_read():
    doc = {"type": "FeatureCollection", "features": [{
        "type": "Feature", "geometry": {"type": "Point", "coordinates": [12.39, 51.34]},
        "properties": {"Datum": "24.11.2025", "Art": "Müll"}}]}
    data = json.dumps(doc, ensure_ascii=False).encode("utf-16")
    for name in ("x.geojson", "x.json"):  # by its ending, and sniffed from the content
        table = read_file(data, name)
        assert table.rows[["Datum", "Art", "geometry_lon"]].values.tolist() == [
            ["24.11.2025", "Müll", "12.39"]]


def test_reader_errors_carry_no_english_library_text(tmp_path):
    broken_geometry = json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": {"type": "Polygon", "coordinates": "x"},
         "properties": {}}]}).encode()
    table = read_file(broken_geometry, "x.geojson")
    assert "ungültige Geometrie (erwartet z. B." in table.errors["message"][0]
    assert_german(table.errors["message"][0])
    with pytest.raises(FileError) as damaged:
        read_file(b"PK\x03\x04" + b"\x00" * 26 + b"[Content_Types].xml" + b"\x00" * 50, "x.xlsx")
    with pytest.raises(FileError) as missing:
        read_file(tmp_path / "gibt-es-nicht.csv")
    for exc in (damaged, missing):
        assert_german(str(exc.value))
    assert "(es gibt sie nicht)" in str(missing.value)


def test_formula_look_alikes_come_back_from_the_quarantine_unchanged(store):
    """An exported quarantine neutralises „＝…“ like „=…“; the corrected file coming back
    loses exactly that apostrophe."""
    text = f"{HEADER}\nP-1;32.13.2025;BtM-Handel;＝HYPERLINK(\"http://x\")\n"
    import_file(store, text.encode(), "polizei", file_name="p.csv", geocoder=shipped_geocoder())
    exported = quarantine_frame(store)
    cell = pd.read_csv(io.BytesIO(to_csv_bytes(exported)), sep=";", dtype=str,
                       encoding="utf-8-sig")["Tatort"][0]
    assert cell == "'＝HYPERLINK(\"http://x\")"
    fixed = to_csv_bytes(exported.assign(Tatzeit="24.11.2025"))
    result = import_file(store, fixed, "polizei", file_name="p-korrigiert.csv",
                         geocoder=shipped_geocoder())
    assert result.imported == 1
    assert store.load_reports()["address"].tolist() == ["＝HYPERLINK(\"http://x\")"]
