"""Checks on an uploaded file before any importer reads it.

An upload is untrusted: it is limited in size, its type must match both its name and its
first bytes, and XLSX files (zip archives) are checked against decompression bombs using
the sizes in the zip directory, which Python's zipfile also enforces while reading, so a
member cannot inflate beyond what was checked here. Nothing in an upload is executed.
"""

from __future__ import annotations

import codecs
import io
import zipfile
from pathlib import PurePath

from config.settings import settings

TEXT_TYPES = {".csv", ".txt"}
JSON_TYPES = {".json", ".geojson"}
ZIP_TYPES = {".xlsx"}
ALLOWED_TYPES = TEXT_TYPES | JSON_TYPES | ZIP_TYPES

MAX_ZIP_MEMBERS = 1000
MAX_ZIP_RATIO = 100  # uncompressed / compressed, whole archive (real XLSX: about 5-20)
UNCOMPRESSED_FACTOR = 10  # an archive may unpack to at most this many times the upload limit
_SNIFF = 64 * 1024
# First bytes of binary formats that must never pass as text or JSON.
_BINARY_MAGIC = (b"PK\x03\x04", b"%PDF", b"\xd0\xcf\x11\xe0", b"\x7fELF", b"MZ", b"\x1f\x8b",
                 b"Rar!", b"7z\xbc\xaf")


# Byte-order marks of the Unicode encodings a text export may use (UTF-32 before UTF-16:
# the UTF-32 LE mark begins with the UTF-16 LE one). Their text has NUL bytes by design.
_BOMS = ((codecs.BOM_UTF32_LE, "utf-32-le"), (codecs.BOM_UTF32_BE, "utf-32-be"),
         (codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"),
         (codecs.BOM_UTF16_BE, "utf-16-be"))
ENCODING_NAMES = {"utf-8": "UTF-8", "utf-16-le": "UTF-16 (LE)", "utf-16-be": "UTF-16 (BE)",
                  "utf-32-le": "UTF-32 (LE)", "utf-32-be": "UTF-32 (BE)"}


class UploadRejected(ValueError):
    """The upload was refused; ``str(exc)`` is the German message for the user."""


def _mb(size: int) -> str:
    return f"{size / 1024 / 1024:.1f}".replace(".", ",") + " MB"


def check_upload(name: str, data: bytes) -> None:
    """Raise ``UploadRejected`` with a German message naming the file if ``data`` is not an
    acceptable upload called ``name``."""
    label = PurePath(name).name or "(ohne Namen)"
    limit = settings().max_upload_mb * 1024 * 1024
    if len(data) > limit:
        raise UploadRejected(f"Die Datei „{label}“ ist {_mb(len(data))} groß; erlaubt sind "
                             f"höchstens {settings().max_upload_mb} MB.")
    if not data:
        raise UploadRejected(f"Die Datei „{label}“ ist leer.")
    suffix = PurePath(label).suffix.lower()
    if suffix not in ALLOWED_TYPES:
        allowed = ", ".join(sorted(ALLOWED_TYPES))
        raise UploadRejected(f"Die Datei „{label}“ hat einen nicht erlaubten Dateityp "
                             f"(„{suffix or 'ohne Endung'}“). Erlaubt: {allowed}.")
    if suffix in ZIP_TYPES:
        _check_xlsx(label, data, limit * UNCOMPRESSED_FACTOR)
    else:
        _check_text(label, data, suffix)


def unicode_bom(data: bytes) -> tuple[str, int] | None:
    """(Python codec, length of the mark) of a text starting with a Unicode byte-order
    mark; without one, UTF-16 of Latin script is recognised by its NUL high byte in (almost)
    every other position and none between; None for anything else."""
    for bom, codec in _BOMS:
        if data.startswith(bom):
            return codec, len(bom)
    head = data[:_SNIFF - _SNIFF % 2]
    if len(head) >= 8 and b"\x00" in head:
        for codec, high, low in (("utf-16-le", head[1::2], head[0::2]),
                                 ("utf-16-be", head[0::2], head[1::2])):
            if b"\x00" not in low and high.count(0) >= 0.9 * len(high):
                return codec, 0
    return None


def text_head(data: bytes) -> bytes:
    """The first bytes of ``data`` as UTF-8, whatever Unicode encoding a mark announces (for
    checks that look at the first characters)."""
    found = unicode_bom(data)
    if found is None or found[0] == "utf-8":
        return data[:_SNIFF].removeprefix(codecs.BOM_UTF8)
    codec, skip = found
    return data[skip:_SNIFF].decode(codec, errors="replace").encode()


def _check_text(label: str, data: bytes, suffix: str) -> None:
    head = text_head(data)
    if data.startswith(_BINARY_MAGIC) or b"\x00" in head:
        raise UploadRejected(f"Die Datei „{label}“ ist keine Textdatei, obwohl sie auf "
                             f"„{suffix}“ endet. Bitte die Originaldatei hochladen.")
    if suffix in JSON_TYPES:
        start = head.lstrip(b" \t\r\n")[:1]
        if start not in (b"{", b"["):
            raise UploadRejected(f"Die Datei „{label}“ ist kein JSON/GeoJSON: sie beginnt "
                                 "nicht mit „{“ oder „[“.")


def _check_xlsx(label: str, data: bytes, max_uncompressed: int) -> None:
    if not data.startswith(b"PK\x03\x04"):
        raise UploadRejected(f"Die Datei „{label}“ ist keine Excel-Datei (XLSX), obwohl sie "
                             "auf „.xlsx“ endet. Alte .xls-Dateien bitte als .xlsx speichern.")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError) as exc:
        raise UploadRejected(f"Die Datei „{label}“ ist beschädigt und kann nicht als "
                             "Excel-Datei gelesen werden.") from exc
    if len(members) > MAX_ZIP_MEMBERS:
        raise UploadRejected(f"Die Datei „{label}“ enthält {len(members)} Teile; das ist für "
                             "eine Excel-Datei unplausibel viel. Sie wird nicht geöffnet.")
    if "[Content_Types].xml" not in {m.filename for m in members}:
        raise UploadRejected(f"Die Datei „{label}“ ist ein ZIP-Archiv, aber keine "
                             "Excel-Datei (XLSX).")
    unpacked = sum(m.file_size for m in members)
    packed = sum(m.compress_size for m in members)
    if unpacked > max_uncompressed or unpacked > MAX_ZIP_RATIO * max(packed, 1):
        raise UploadRejected(
            f"Die Datei „{label}“ würde entpackt {_mb(unpacked)} belegen (gepackt "
            f"{_mb(len(data))}). Das sieht nach einer Archivbombe aus; die Datei wird aus "
            "Sicherheitsgründen nicht geöffnet.")
