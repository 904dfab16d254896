"""Address normalisation: the parser behind every geocoding decision."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from geo.normalize import (
    _SIMPLE,
    MAX_LENGTH,
    _parse_full,
    _parse_simple,
    fold,
    name_key,
    parse_address,
    split_preposition,
)


@pytest.mark.parametrize(
    "name",
    ["Eisenbahnstraße", "Eisenbahnstr.", "eisenbahnstr", "EISENBAHNSTRASSE", "Eisenbahn-Straße",
     "Eisenbahn Str.", " eisenbahnstrasse "],
)
def test_street_spellings_share_one_key(name):
    assert name_key(name) == "eisenbahnstrasse"


def test_umlauts_fold_the_same_on_both_sides():
    assert name_key("Neustädter Straße") == name_key("Neustaedter Strasse") == "neustaedterstrasse"
    assert name_key("Täubchenweg") == name_key("TAEUBCHENWEG")
    assert name_key("Otto-Runki-Pl.") == name_key("Otto Runki Platz") == "ottorunkiplatz"
    assert fold("Café") == "cafe"


@pytest.mark.parametrize(
    ("text", "key", "number", "suffix", "range_to"),
    [
        ("Eisenbahnstr. 120", "eisenbahnstrasse", 120, "", None),
        ("eisenbahnstrasse 120a", "eisenbahnstrasse", 120, "a", None),
        ("Eisenbahnstr 12 a", "eisenbahnstrasse", 12, "a", None),
        ("Eisenbahnstr.120", "eisenbahnstrasse", 120, "", None),
        ("Eisenbahnstraße 12-14, 04315 Leipzig", "eisenbahnstrasse", 12, "", 14),
        ("Eisenbahnstraße 12–14", "eisenbahnstrasse", 12, "", 14),
        ("Eisenbahnstr. 12/14", "eisenbahnstrasse", 12, "", 14),
        ("Eisenbahnstraße Nr. 33", "eisenbahnstrasse", 33, "", None),
        ("Eisenbahnstr. No. 33", "eisenbahnstrasse", 33, "", None),
        ("04315 Leipzig, Eisenbahnstraße 3", "eisenbahnstrasse", 3, "", None),
        ("120 Eisenbahnstrasse", "eisenbahnstrasse", 120, "", None),
        ("Straße des 18. Oktober 5", "strassedes18oktober", 5, "", None),
    ],
)
def test_house_numbers_suffixes_ranges_postcodes(text, key, number, suffix, range_to):
    parsed = parse_address(text)
    assert (parsed.kind, parsed.street_key, parsed.number, parsed.suffix, parsed.range_to) == (
        "address", key, number, suffix, range_to)


@pytest.mark.parametrize(
    "text",
    [
        "Ecke Hermann-Liebmann-/Eisenbahnstraße",
        "Hermann-Liebmann-Str. / Eisenbahnstr.",
        "Hermann-Liebmann-Straße Ecke Eisenbahnstraße",
        "Hermann-Liebmann-Str., Ecke Eisenbahnstr.",
        "Kreuzung Hermann-Liebmann-Straße Eisenbahnstraße",
        "Ecke Hermann-Liebmann-Straße und Eisenbahnstraße",
        "Hermann-Liebmann-Str./Ecke Eisenbahnstr.",
    ],
)
def test_corners_become_intersections(text):
    parsed = parse_address(text)
    assert parsed.kind == "intersection"
    assert (parsed.street_key, parsed.second_street) == (
        "hermannliebmannstrasse", "eisenbahnstrasse")


def test_place_with_detail():
    parsed = parse_address("Rabet, Spielplatz")
    assert (parsed.kind, parsed.street_key, parsed.detail) == ("name", "rabet", "spielplatz")
    assert parse_address("Rabet (Spielplatz)").detail == "spielplatz"


def test_coordinates_in_the_address_field():
    assert parse_address("51.3456, 12.4012").coords == (51.3456, 12.4012)
    assert parse_address("12,4012; 51,3456").coords == (12.4012, 51.3456)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "keine Adresse"),
        ("   \t", "keine Adresse"),
        (None, "keine Adresse"),
        (12345, "keine Adresse"),
        ("x" * (MAX_LENGTH + 1), "zu lang"),
        ("Eisenbahnstr. 5" + " " * 5000, "zu lang"),
        ("Eisenbahn\x00straße 5", "Steuerzeichen"),
        ("Eisenbahnstraße\x1b[31m 5", "Steuerzeichen"),
        ("<b>Eisenbahnstraße 5</b>", "HTML"),
        ("<script>alert(1)</script>", "HTML"),
        ("Eisenbahnstr. 5 😀", "unzulässige Zeichen"),
        ("04315", "nur Ziffern"),
        ("Leipzig", "nur Postleitzahl, Ort"),
        ("Nr. 5", "nur Postleitzahl, Ort"),
        (".,.,", "nur Ziffern oder Satzzeichen"),
        ("x", "keine Straße"),
    ],
)
def test_hostile_input_is_invalid_with_german_reason(text, reason):
    parsed = parse_address(text)
    assert parsed.kind == "invalid"
    assert reason in parsed.reason


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=400))
def test_any_text_parses_without_exception(text):
    parsed = parse_address(text)
    assert parsed.kind in ("address", "name", "intersection", "coordinates", "invalid")
    assert (parsed.kind == "invalid") == bool(parsed.reason)


_simple_names = st.from_regex(r"[A-Za-zÄÖÜäöüß][A-Za-zÄÖÜäöüß .\-]{1,30}", fullmatch=True)


@settings(max_examples=300, deadline=None)
@given(_simple_names, st.one_of(st.none(), st.integers(1, 9999)), st.sampled_from(["", "a", "B"]),
       st.sampled_from(["", ", 04315 Leipzig", " 04315", " leipzig", ",Leipzig ", "04315"]))
def test_fast_path_agrees_with_full_parser(name, number, suffix, tail):
    text = (name if number is None else f"{name} {number}{suffix}") + tail
    match = _SIMPLE.fullmatch(text)
    fast = _parse_simple(*match.groups()) if match else None
    if fast is not None:
        assert fast == _parse_full(text)


@pytest.mark.parametrize(
    "text", ["Eisenbahnstr. 12a, 04315 Leipzig", "torgauer strasse", "Rabet 12 Leipzig"]
)
def test_fast_path_covers_the_common_forms(text):
    match = _SIMPLE.fullmatch(text)
    assert match and _parse_simple(*match.groups()) == _parse_full(text)


@pytest.mark.parametrize(
    ("text", "word", "rest"),
    [
        ("im Rabet", "im", "Rabet"),
        ("Am Rabet 20", "Am", "Rabet 20"),
        ("an der Eisenbahnstraße 5", "an der", "Eisenbahnstraße 5"),
        ("auf dem Rabet, Spielplatz", "auf dem", "Rabet, Spielplatz"),
        ("vor dem Otto-Runki-Platz", "vor dem", "Otto-Runki-Platz"),
        ("hinter dem Rabet", "hinter dem", "Rabet"),
        ("gegenüber Eisenbahnstr. 50", "gegenüber", "Eisenbahnstr. 50"),
        ("Gegenueber vom Rabet", "Gegenueber vom", "Rabet"),
        ("Höhe Eisenbahnstraße 50", "Höhe", "Eisenbahnstraße 50"),
        ("in Höhe der Eisenbahnstraße 50", "in Höhe der", "Eisenbahnstraße 50"),
        ("nahe Mariannenpark", "nahe", "Mariannenpark"),
        ("bei Rabet", "bei", "Rabet"),
        ("beim Rabet", "beim", "Rabet"),
    ],
)
def test_leading_preposition_split(text, word, rest):
    assert split_preposition(text) == (word, rest)


@pytest.mark.parametrize("text", ["Rabet", "Imbiss Rabet", "Ambulanz 3", "Bein", "im", "am  "])
def test_no_preposition(text):
    assert split_preposition(text) is None
