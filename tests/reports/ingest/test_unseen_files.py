"""Realistic partner files nobody wrote a mapping for: each imports completely, with the
right time, the right place and the right identity, and a second import changes nothing.

Each file is shaped the way one partner's system exports it (issue 14): separate date and
time, separate street and house number, no id column, EPSG:25833 metres with decimal comma,
EPSG:25832 metres in swapped order, XLSX with a title row, Open311 JSON, GeoJSON, column
names that say nothing, comma-separated ISO times.
"""

from __future__ import annotations

import io
import json

import pytest
from openpyxl import Workbook

from reports.ingest.pipeline import import_file
from reports.storage.store import Store
from tests.helpers import shipped_geocoder


@pytest.fixture
def store(tmp_path):
    s = Store.open(f"sqlite:///{tmp_path / 'store.sqlite'}")
    yield s
    s.close()


def xlsx(rows: list[list]) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


POLIZEI = (  # Windows-1252, decimal comma, date and time in two columns
    "Vorgangsnr;Datum;Uhrzeit;Adresse;Kategorie;Beschreibung;Anzahl;Breite;Länge\n"
    "2025/118812;24.11.2025;18:30;Eisenbahnstraße 40;BtM-Handel;Übergabe beobachtet;1;"
    "51,345742;12,398667\n"
    "2025/118813;25.11.2025;07:05;Torgauer Straße 10;Ruhestörung;Musik aus Fahrzeug;1;;\n"
    "2025/118901;26.11.2025;23:40;Konradstraße 30;Körperverletzung;Streit vor Spätkauf;2;;\n"
).encode("cp1252")
QUARTIER = (  # UTF-8 with BOM, no id column, street + house number + postcode
    "Datum;Straße;Hausnummer;PLZ;Thema;Bemerkung\n"
    "03.11.2025;Eisenbahnstraße;40;04315;Müll;Sperrmüll vor dem Haus\n"
    "04.11.2025;Hermann-Liebmann-Straße;12;04315;Graffiti;Fassade neu besprüht\n"
    "05.11.2025;Wurzner Straße;50;04318;Müll;Matratzen\n"
).encode("utf-8-sig")
REINIGUNG = (  # tab separated, EPSG:25833 metres with decimal comma, quantity column
    "Auftragsnummer\tFunddatum\tArt\tMenge\tRechtswert\tHochwert\tBemerkung\n"
    "SR-7781\t12.11.2025\tSpritzen\t3\t318839,07\t5691486,12\tSpielplatz\n"
    "SR-7782\t12.11.2025\tWilde Müllablagerung\t1\t320362,63\t5691751,40\tBauschutt\n"
).encode()
FACHAMT_UTM32 = (  # zone 32 metres, northing first: must be converted, not read as zone 33
    b"Meldung;Eingangsdatum;Nordwert (EPSG:25832);Ostwert (EPSG:25832);Thema;Hinweis\n"
    b"F-1;01.10.2025;5693758,6;736675,9;Beleuchtung defekt;Laterne aus\n"
    b"F-2;02.10.2025;5693279,0;737313,0;Leerstand;Fenster offen\n"
)
SOZIAL = (  # comma separated, quoted, ISO 8601 with offset
    '"ID","Zeitpunkt","Ort","Art","Personen","Notiz"\n'
    '"S-1","2025-11-20T21:15:00+01:00","Rabet","Kontakt","3","Gespräch, Schlafsack"\n'
    '"S-2","2025-11-21T08:00:00+01:00","Ludwigstraße 20","Hilfebedarf","1","Arzt vermittelt"\n'
).encode()
NAMELESS = (  # headers say nothing: dates, streets, categories and text by their content
    "A;B;C;D\n"
    "03.11.2025;Konradstraße 30;Spritzenfund;Drei Spritzen im Gebüsch am Spielplatz\n"
    "04.11.2025;Torgauer Straße 10;Spritzenfund;Eine Spritze im Hauseingang gefunden\n"
    "05.11.2025;Eisenbahnstraße 40;Graffiti;Rollladen des Geschäfts großflächig besprüht\n"
).encode()
OPEN311 = json.dumps([
    {"service_request_id": "9001", "service_name": "Wilder Müll",
     "requested_datetime": "2025-11-18T10:12:00+01:00", "address": "Konradstraße 30",
     "description": "Sofa am Gehweg", "lat": 51.347325, "long": 12.40213},
    {"service_request_id": "9002", "service_name": "Graffiti",
     "requested_datetime": "2025-11-19T16:45:00+01:00", "address": "Ludwigstraße 20",
     "description": "Tag an Haustür", "lat": None, "long": None},
]).encode("utf-8")
GEOJSON = json.dumps({"type": "FeatureCollection", "features": [
    {"type": "Feature", "geometry": {"type": "Point", "coordinates": [12.407479, 51.341173]},
     "properties": {"eingang": "2025-10-05", "thema": "Gefahrenstelle",
                    "beschreibung": "Gehwegplatte lose", "adresse": None}},
    {"type": "Feature", "geometry": {"type": "Point", "coordinates": [12.420059, 51.340266]},
     "properties": {"eingang": "2025-10-06", "thema": "Baustelle",
                    "beschreibung": "Absperrung fehlt", "adresse": None}},
]}).encode("utf-8")
ORDNUNG = xlsx([  # a title row and an empty row above the header; real datetime cells
    ["Einsatzprotokoll Stadtordnungsdienst – November 2025"],
    [],
    ["Aktenzeichen", "Einsatzbeginn", "Einsatzort", "Feststellung", "Bemerkung"],
    ["SOD-11-001", __import__("datetime").datetime(2025, 11, 7, 22, 15), "Rabet",
     "Lärmbelästigung", "Gruppe mit Lautsprecher"],
    ["SOD-11-002", __import__("datetime").datetime(2025, 11, 8, 9, 30), "Konradstraße 30",
     "Hundekot", "Gehweg"],
])

FILES = [  # (file name, source, bytes, rows, {source_ref or position: expected local time})
    ("vorgaenge_2025-11.csv", "polizei", POLIZEI, 3, {"2025/118812": "2025-11-24 18:30",
                                                     "2025/118901": "2025-11-26 23:40"}),
    ("beobachtungen.csv", "quartiersmanagement", QUARTIER, 3, {}),
    ("auftraege.txt", "stadtreinigung", REINIGUNG, 2, {"SR-7781": "2025-11-12 00:00"}),
    ("fachamt_utm32.csv", "fachamt", FACHAMT_UTM32, 2, {"F-1": "2025-10-01 00:00"}),
    ("kontakte.csv", "strassensozialarbeit", SOZIAL, 2, {"S-1": "2025-11-20 21:15"}),
    ("funde.csv", "suchthilfe", NAMELESS, 3, {}),
    ("maengelmelder.json", "buerger", OPEN311, 2, {"9001": "2025-11-18 10:12"}),
    ("fachamt.geojson", "fachamt", GEOJSON, 2, {}),
    ("sod_november.xlsx", "stadtordnungsdienst", ORDNUNG, 2, {"SOD-11-001": "2025-11-07 22:15"}),
]


@pytest.mark.parametrize(("name", "source", "data", "rows", "times"), FILES,
                         ids=[f[0] for f in FILES])
def test_unseen_file_imports_without_a_mapping(store, name, source, data, rows, times):
    result = import_file(store, data, source, file_name=name, geocoder=shipped_geocoder())
    assert result.messages.empty, result.messages["message"].tolist()
    assert (result.imported, result.rejected) == (rows, 0)
    reports = store.load_reports().set_index("source_ref")
    for ref, local in times.items():
        assert reports.loc[ref, "occurred_at"].strftime("%Y-%m-%d %H:%M") == local
    # every report lands on a point (house number, coordinates or a named place)
    assert reports["geocode_status"].isin(["exact", "interpolated", "coordinates", "place"]).all()
    # the widest is the Rabet: its register addresses ring a park some 400 m across
    assert (reports["precision_m"] <= 250).all()
    again = import_file(store, data, source, file_name=name, geocoder=shipped_geocoder())
    assert (again.imported, again.updated, again.duplicate) == (0, 0, rows)
    assert len(store.load_reports()) == rows


def test_street_and_house_number_are_one_address(store):
    import_file(store, QUARTIER, "quartiersmanagement", file_name="b.csv",
                geocoder=shipped_geocoder())
    reports = store.load_reports().set_index("address")
    assert "Eisenbahnstraße 40, 04315" in reports.index
    # a real house or one between real neighbours, never the street as a whole
    assert reports["geocode_status"].isin(["exact", "interpolated"]).all()
    assert (reports["precision_m"] < 150).all()


def test_zone_32_metres_are_converted_not_taken_for_zone_33(store):
    result = import_file(store, FACHAMT_UTM32, "fachamt", file_name="f.csv",
                         geocoder=shipped_geocoder())
    assert any("EPSG:25832" in n for n in result.notes)
    row = store.load_reports().set_index("source_ref").loc["F-1"]
    assert row["ortsteil"] == "Neustadt-Neuschönefeld"
    assert abs(row["x"] - 318839) < 5 and abs(row["y"] - 5691486) < 5


def test_content_recognition_names_what_it_found(store):
    result = import_file(store, NAMELESS, "suchthilfe", file_name="funde.csv",
                         geocoder=shipped_geocoder())
    note = next(n for n in result.notes if n.startswith("Erkannte Spalten"))
    for part in ("„A“ → Datum/Zeitpunkt", "„B“ → Adresse/Straße", "„C“ → Kategorie",
                 "„D“ → Beschreibung"):
        assert part in note
