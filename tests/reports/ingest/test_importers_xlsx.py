"""XLSX via openpyxl, and decompression bombs refused before opening."""

from __future__ import annotations

import io
import zipfile
from datetime import datetime

import pytest
from openpyxl import Workbook

from reports.ingest.importers import FileError, read_file
from reports.ingest.profiles import profile_from_dict
from reports.ingest.validate import to_reports


def workbook_bytes(rows) -> bytes:
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


def test_cells_become_text_and_rows_keep_sheet_numbers():
    data = workbook_bytes([
        ["Auftragsnr", "Datum", "Art", "Menge", "lat"],
        [1001, datetime(2026, 11, 24, 18, 30), "Spritzen", 12, 51.3421],
        [None, None, None, None, None],
        ["1003", 46350.75, "Hundekot", None, None],
    ])
    raw = read_file(data, "stadtreinigung.xlsx")
    assert raw.columns == ["Auftragsnr", "Datum", "Art", "Menge", "lat"]
    assert raw.rows.iloc[0].tolist() == ["1001", "2026-11-24T18:30:00", "Spritzen", "12",
                                         "51.3421"]
    assert raw.rows.iloc[1].tolist() == ["1003", "46350.75", "Hundekot", "", ""]
    assert list(raw.row_numbers) == [2, 4]

    profile = profile_from_dict({
        "source": "stadtreinigung", "id_column": "Auftragsnr",
        "columns": {"occurred_at": "Datum", "category": "Art", "count": "Menge"},
        "categories": {"Spritzen": "spritzenfund"}})
    frame, rejects = to_reports(raw, profile, "stadtreinigung.xlsx", "b")
    assert rejects.empty
    assert frame["count"].tolist() == [12, 1]
    assert str(frame["occurred_at"].iloc[0]) == "2026-11-24 18:30:00+01:00"
    assert str(frame["occurred_at"].iloc[1]) == "2026-11-24 18:00:00+01:00"


def test_values_without_a_header_keep_a_generic_column():
    raw = read_file(workbook_bytes([["Datum", "Art"], ["24.11.2026", "Graffiti", "übrig"],
                                    ["25.11.2026", "Graffiti"]]), "x.xlsx")
    assert raw.columns == ["Datum", "Art", "Spalte 3"]
    assert raw.rows["Spalte 3"].tolist() == ["übrig", ""]


def test_decompression_bomb_is_refused_with_a_german_message():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open("xl/worksheets/sheet1.xml", "w") as member:
            for _ in range(40):
                member.write(b"\0" * (1024 * 1024))
    with pytest.raises(FileError, match="nicht geöffnet") as err:
        read_file(buf.getvalue(), "bombe.xlsx")
    assert "bombe.xlsx" in str(err.value)


def test_not_a_zip_is_refused():
    with pytest.raises(FileError, match="keine Excel-Datei"):
        read_file(b"Datum;Art\n", "falsch.xlsx")
