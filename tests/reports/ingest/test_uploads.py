"""Upload checks: size, type by name and content, XLSX decompression bombs."""

from __future__ import annotations

import io
import time
import zipfile

import pandas as pd
import pytest

from reports.ingest.uploads import MAX_ZIP_MEMBERS, UploadRejected, check_upload


def _xlsx(frame: pd.DataFrame) -> bytes:
    buffer = io.BytesIO()
    frame.to_excel(buffer, index=False)
    return buffer.getvalue()


def test_real_files_pass():
    check_upload("polizei.csv", b"Vorgangsnummer;Tatzeit\nA1;01.09.2026\n")
    check_upload("liste.txt", "a,b\n1,2\n".encode("cp1252"))
    check_upload("stadtreinigung.xlsx", _xlsx(pd.DataFrame({"a": range(1000)})))
    check_upload("punkte.geojson", b'\xef\xbb\xbf {"type": "FeatureCollection"}')
    check_upload("open311.json", b"[]")


def test_size_limit(monkeypatch):
    monkeypatch.setenv("LAGEBILD_MAX_UPLOAD_MB", "1")
    with pytest.raises(UploadRejected, match=r"„gross.csv“ ist 1,5 MB groß; erlaubt sind "
                                             r"höchstens 1 MB"):
        check_upload("gross.csv", b"a;b\n" * (1024 * 1024 * 3 // 8))


@pytest.mark.parametrize(("name", "data", "message"), [
    ("skript.py", b"print(1)", "nicht erlaubten Dateityp"),
    ("makro.xlsm", b"PK\x03\x04", "nicht erlaubten Dateityp"),
    ("ohne", b"abc", "ohne Endung"),
    ("leer.csv", b"", "ist leer"),
    ("tarnung.csv", b"PK\x03\x04" + b"\x00" * 100, "keine Textdatei"),
    ("programm.csv", b"MZ\x90\x00", "keine Textdatei"),
    ("binär.txt", b"a;b\x00c", "keine Textdatei"),
    ("alt.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "keine Excel-Datei"),
    ("kaputt.xlsx", b"PK\x03\x04kaputt", "beschädigt"),
    ("daten.json", b"<xml/>", "kein JSON"),
])
def test_wrong_type_or_content_rejected_in_german(name, data, message):
    with pytest.raises(UploadRejected, match=message) as exc:
        check_upload(name, data)
    assert name.rsplit("/")[-1] in str(exc.value) or name == "ohne"


def test_zip_that_is_not_xlsx_rejected():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("a.txt", "x")
    with pytest.raises(UploadRejected, match="keine Excel-Datei"):
        check_upload("archiv.xlsx", buffer.getvalue())


def test_too_many_members_rejected():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        for i in range(MAX_ZIP_MEMBERS + 1):
            archive.writestr(f"xl/x{i}.xml", "")
    with pytest.raises(UploadRejected, match="unplausibel viel"):
        check_upload("viele.xlsx", buffer.getvalue())


def test_decompression_bomb_xlsx_rejected_quickly():
    """A 1 GiB sheet of zeros compressed to about 1 MB: refused from the zip directory,
    without inflating it."""
    buffer = io.BytesIO()
    chunk = b"0" * (16 * 1024 * 1024)
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED,
                         compresslevel=1) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as member:
            for _ in range(64):
                member.write(chunk)
    data = buffer.getvalue()
    assert len(data) < 10 * 1024 * 1024
    started = time.perf_counter()
    with pytest.raises(UploadRejected, match="Archivbombe") as exc:
        check_upload("bombe.xlsx", data)
    assert time.perf_counter() - started < 1.0
    assert "„bombe.xlsx“" in str(exc.value) and "1024,0 MB" in str(exc.value)
