"""CSV as German offices export it: separators, encodings, BOM, numbering, broken rows."""

from __future__ import annotations

import json

import pytest

from reports.ingest.importers import FileError, read_file
from reports.ingest.importers.csv import decode, sniff_separator

TEXT = ("Nr;Tatzeit;Tatort;Breite\n1;24.11.2026 18:30;Eisenbahnstraße 12;51,3421\n"
        "2;25.11.2026;Rabet;\n")


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252"])
@pytest.mark.parametrize("sep", [";", ",", "\t"])
def test_encodings_and_separators(encoding, sep):
    text = TEXT.replace(";", sep)
    if sep == ",":  # a comma-separated export quotes decimal commas
        text = text.replace("51,3421", '"51,3421"')
    raw = read_file(text.encode(encoding), "export.csv")
    assert raw.columns == ["Nr", "Tatzeit", "Tatort", "Breite"]
    assert raw.separator == sep
    assert raw.rows["Tatort"].tolist() == ["Eisenbahnstraße 12", "Rabet"]
    assert raw.rows["Breite"].tolist() == ["51,3421", ""]
    assert list(raw.row_numbers) == [2, 3]


def test_bom_is_not_part_of_the_first_header():
    raw = read_file("\ufeffDatum;Art\n24.11.2026;Graffiti\n".encode(), "x.csv")
    assert raw.columns == ["Datum", "Art"]
    assert raw.encoding == "utf-8"


def test_windows_1252_detected_when_not_utf8():
    text, encoding = decode("Straße;Größe\n".encode("cp1252"))
    assert (text, encoding) == ("Straße;Größe\n", "cp1252")


def test_semicolon_wins_over_decimal_commas():
    assert sniff_separator("a;b;c\n1,5;2,5;3\n4,1;5;6\n") == ";"


def test_blank_lines_dropped_but_numbering_kept():
    raw = read_file(b"a;b\n1;x\n\n;\n2;y\n", "x.csv")
    assert raw.rows["a"].tolist() == ["1", "2"]
    assert list(raw.row_numbers) == [2, 5]


def test_quoted_line_break_is_one_row_like_in_a_spreadsheet():
    raw = read_file(b'a;b\n"zwei\nZeilen";1\n3;4\n', "x.csv")
    assert raw.rows["a"].tolist() == ["zwei\nZeilen", "3"]
    assert list(raw.row_numbers) == [2, 3]


def test_row_with_too_many_cells_is_a_row_error_not_a_file_error():
    raw = read_file(b"a;b\n1;2\n3;4;5\n6;7\n", "x.csv")
    assert raw.rows["a"].tolist() == ["1", "6"]
    assert list(raw.row_numbers) == [2, 4]
    assert raw.errors["row_number"].tolist() == [3]
    assert "x.csv, Zeile 3" in raw.errors["message"][0]
    assert json.loads(raw.errors["raw"][0]) == {"a": "3", "b": "4", "Überzählige Felder": "5"}
    assert raw.total == 3


def test_short_rows_are_padded():
    raw = read_file(b"a;b;c\n1;2\n", "x.csv")
    assert raw.rows.iloc[0].tolist() == ["1", "2", ""]


def test_empty_file_is_a_german_file_error():
    with pytest.raises(FileError, match="leer"):
        read_file(b"", "leer.csv")
