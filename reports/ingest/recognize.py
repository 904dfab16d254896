"""Which column of an unseen export is which field: by its name, then by its content.

Names are compared folded (``Straße`` = ``STRASSE``, punctuation dropped) against German
and English synonyms (``Vorgangsnr``, ``Tatzeit``, ``Fundort``, ``Rechtswert`` …): exact
names first, then names that start or end with a synonym. Where names say nothing, a sample
of the values decides: dates, times of day, coordinates (WGS84 or UTM metres), street names,
house numbers, postcodes, category-like short texts (preferring the column whose values the
vocabulary or profile knows) and long free text.

A profile is a preference, not a wall: its columns are used where the file has them; where
it names columns the file lacks, the recognised columns stand in and a note says so.
Split fields are recognised as parts: a date-only column plus a time column make the time
(``occurred_at`` + ``occurred_time``); a street column plus house number (plus postcode)
make the address.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from reports.ingest.importers import RawTable
from reports.ingest.profiles import (
    CHOICES,
    ID_FIELD,
    REQUIRED,
    SYNONYMS,
    Profile,
    fold,
    vocabulary_categories,
)

SAMPLE = 500  # distinct non-empty values looked at per column
MOSTLY = 0.9  # share of sampled values that must fit a kind
ROUNDTRIP_COLUMNS = ("Fehler", "Quarantäne-Nr", "Fehlerhafte Felder")  # our own export
LABELS = {
    ID_FIELD: "Kennung", "occurred_at": "Datum/Zeitpunkt", "occurred_time": "Uhrzeit",
    "reported_at": "Meldezeitpunkt", "address": "Adresse/Straße", "house_number": "Hausnummer",
    "postcode": "Postleitzahl", "lon": "Länge (Grad)", "lat": "Breite (Grad)",
    "x": "Rechtswert (Meter)", "y": "Hochwert (Meter)", "category": "Kategorie",
    "description": "Beschreibung", "count": "Anzahl", "sensitivity": "Schutzstufe",
}
_STREET = re.compile(
    r"(?:stra(?:ss|ß)e|str\.|weg|platz|allee|ring|gasse|damm|ufer|markt|brücke|bruecke|park"
    r"|chaussee|steig|hof|anger)\b", re.IGNORECASE)
_HOUSE_NUMBER = re.compile(r"^\d{1,4}\s?[a-zA-Z]?(\s?[-/–]\s?\d{1,4}\s?[a-zA-Z]?)?$")
_POSTCODE = re.compile(r"^0\d{4}$")
_TIME = re.compile(r"^(?:.*[T ])?([01]?\d|2[0-3])[:.h]([0-5]\d)(?:[:.]([0-5]\d))?\s*(?:uhr|h)?$"
                   r"|^([01]?\d|2[0-3])\s*uhr$", re.IGNORECASE)
_DATE_SHAPE = re.compile(r"\d{1,4}[./-]\d{1,2}[./-]\d{1,4}")


@dataclass
class Recognition:
    """Flat choices (field or part -> column), why each was chosen, and notes (German)."""

    choices: dict[str, str]
    reasons: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    @property
    def missing(self) -> list[str]:
        return [f for f in REQUIRED if f not in self.choices]


def header_key(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", fold(text))


def _by_name(columns: list[str], taken: set[str]) -> dict[str, str]:
    """Field -> column from names: exact synonyms first, then prefixes, then suffixes."""
    keys = {c: header_key(c) for c in columns}
    found: dict[str, str] = {}
    for how in ("exact", "prefix", "suffix"):
        for fld, synonyms in SYNONYMS.items():
            if fld in found:
                continue
            for synonym in synonyms:
                hit = next((c for c in columns if c not in taken and keys[c] and (
                    keys[c] == synonym if how == "exact" else len(synonym) >= 4 and (
                        keys[c].startswith(synonym) if how == "prefix"
                        else keys[c].endswith(synonym)))), None)
                if hit:
                    found[fld] = hit
                    taken.add(hit)
                    break
    return found


@dataclass
class _Kind:
    """What the sampled values of one column look like (shares of the non-empty sample)."""

    filled: float = 0.0
    date: float = 0.0
    time_of_day: float = 0.0  # a date with a time other than midnight
    time: float = 0.0
    number: float = 0.0
    lat: float = 0.0
    lon: float = 0.0
    easting: float = 0.0
    northing: float = 0.0
    code: float = 0.0  # short value without spaces that contains a digit ("SR-7781")
    unique: bool = False
    house_number: float = 0.0
    postcode: float = 0.0
    street: float = 0.0
    length: float = 0.0
    distinct: int = 0
    known_categories: float = 0.0


def _kind(values: pd.Series, categories) -> _Kind:
    from reports.ingest.validate import parse_datetimes, parse_numbers

    text = values.astype("str").str.strip()
    filled = text.ne("")
    kind = _Kind(filled=float(filled.mean()) if len(text) else 0.0)
    sample = pd.Series(text[filled].unique()[:SAMPLE], dtype="str")
    if sample.empty:
        return kind
    kind.distinct = int(text[filled].nunique())
    kind.length = float(sample.str.len().mean())
    kind.unique = kind.distinct == int(filled.sum())
    kind.code = float(sample.str.fullmatch(r"[^\s]{1,30}").mean()
                      * sample.str.contains(r"\d").mean())
    dated = sample[sample.str.contains(_DATE_SHAPE)]
    if len(dated):
        parsed, bad, outside = parse_datetimes(dated)
        ok = parsed[~(bad | outside)].dropna()
        kind.date = len(ok) / len(sample)
        if len(ok):
            kind.time_of_day = float((ok.dt.hour.ne(0) | ok.dt.minute.ne(0)).mean())
    kind.time = float(sample.str.match(_TIME).mean()) if kind.date < MOSTLY else 0.0
    numbers, bad = parse_numbers(sample)
    ok = numbers[~bad & ~np.isnan(numbers)]
    kind.number = len(ok) / len(sample)
    if len(ok):
        kind.lat = float(((ok >= 47) & (ok <= 56)).mean()) * kind.number
        kind.lon = float(((ok >= 5) & (ok <= 16)).mean()) * kind.number
        metric = np.where(ok >= 3e7, ok % 1e6, ok)  # UTM zone prefix 32/33
        kind.easting = float(((metric >= 2e5) & (metric <= 9e5)).mean()) * kind.number
        kind.northing = float(((ok >= 5.2e6) & (ok <= 6.2e6)).mean()) * kind.number
    kind.house_number = float(sample.str.match(_HOUSE_NUMBER).mean())
    kind.postcode = float(sample.str.match(_POSTCODE).mean())
    kind.street = float(sample.str.contains(_STREET).mean())
    kind.known_categories = float(sample.map(lambda v: fold(v) in categories).mean())
    return kind


def recognise(raw: RawTable, profile: Profile | None = None) -> Recognition:
    """Choices for ``raw``: the profile's columns where present, then names, then content."""
    columns = [c for c in raw.columns if c not in ROUNDTRIP_COLUMNS]
    choices: dict[str, str] = {}
    reasons: dict[str, str] = {}
    notes: list[str] = []
    taken: set[str] = set()
    for fld, col in (profile.choices() if profile else {}).items():
        hit = next((c for c in columns if header_key(c) == header_key(col)), None)
        if hit and hit not in taken:
            choices[fld], reasons[fld] = hit, "Profil"
            taken.add(hit)
    for fld, col in _implied(raw).items():
        if fld not in choices and col in columns and col not in taken:
            choices[fld], reasons[fld] = col, "Dateiformat"
            taken.add(col)
    for fld, col in _by_name(columns, set(taken)).items():
        if fld not in choices:
            choices[fld], reasons[fld] = col, "Spaltenname"
            taken.add(col)
    known = set(vocabulary_categories()) | set(profile.categories if profile else ())
    kinds = {c: _kind(raw.rows[c], known) for c in columns}
    _by_content(columns, kinds, choices, reasons, taken)
    if profile:
        notes += _profile_notes(profile, choices, columns)
    return Recognition(choices, reasons, notes)


def _implied(raw: RawTable) -> dict[str, str]:
    """Columns the format itself defines (GeoJSON geometry, Open311 attributes)."""
    return {f: c for f, c in raw.implied.items() if isinstance(c, str)}


def _by_content(columns: list[str], kinds: dict[str, _Kind], choices: dict[str, str],
                reasons: dict[str, str], taken: set[str]) -> None:
    """Fix what names got wrong, then fill the fields names left open, from the values."""
    def free(test) -> str | None:
        return next((c for c in columns if c not in taken and kinds[c].filled and test(kinds[c])),
                    None)

    def put(fld: str, col: str | None, why: str = "Inhalt") -> None:
        if col is not None and fld not in choices:
            choices[fld], reasons[fld] = col, why
            taken.add(col)

    def move(src: str, dst: str) -> None:
        if dst not in choices:
            choices[dst] = choices.pop(src)
            reasons[dst] = reasons.pop(src) + ", Inhalt"

    # "Zeit" may hold times of day or whole dates; "Nr" next to a street is a house number
    when = choices.get("occurred_at")
    if when and kinds[when].time >= MOSTLY and kinds[when].date < MOSTLY:
        move("occurred_at", "occurred_time")
    clock = choices.get("occurred_time")
    if clock and kinds[clock].date >= MOSTLY and "occurred_at" not in choices:
        move("occurred_time", "occurred_at")
    number = choices.get(ID_FIELD)
    street = choices.get("address")
    if (number and street and "house_number" not in choices and header_key(number) == "nr"
            and columns.index(number) == columns.index(street) + 1
            and kinds[number].house_number >= MOSTLY):
        move(ID_FIELD, "house_number")

    put("occurred_at", free(lambda k: k.date >= MOSTLY and k.time_of_day > 0))
    put("occurred_at", free(lambda k: k.date >= MOSTLY))
    if "occurred_at" not in choices and "reported_at" in choices:
        # only a date of receipt: the best estimate of when it happened
        choices["occurred_at"] = choices["reported_at"]
        reasons["occurred_at"] = "Eingangsdatum (kein Tatdatum in der Datei)"
    when = choices.get("occurred_at")
    if when and kinds[when].time_of_day == 0:
        put("occurred_time", free(lambda k: k.time >= MOSTLY))
    elif "occurred_time" in choices and when and kinds[when].time_of_day > 0.5:
        # the date column already has times: a second time column would overwrite them
        taken.discard(choices.pop("occurred_time"))
        reasons.pop("occurred_time", None)
    _coordinates(columns, kinds, choices, reasons, taken, free, put)
    put("address", free(lambda k: k.street >= 0.5 and k.number < 0.5))
    street = choices.get("address")
    if street:
        after = columns.index(street) + 1
        nxt = columns[after] if after < len(columns) else None
        if (nxt and nxt not in taken and "house_number" not in choices
                and kinds[nxt].house_number >= MOSTLY and kinds[street].house_number == 0):
            put("house_number", nxt)
        if "house_number" in choices:
            put("postcode", free(lambda k: k.postcode >= MOSTLY))
    first = columns[0] if columns else None
    if (first and first not in taken and ID_FIELD not in choices and kinds[first].unique
            and kinds[first].filled == 1 and kinds[first].code >= MOSTLY
            and kinds[first].date == 0 and kinds[first].number < 1):
        put(ID_FIELD, first)  # a first column of distinct codes is the record number
    put("category", _category_column(columns, kinds, taken))
    put("description", free(lambda k: k.number < 0.5 and k.date < 0.5 and k.length >= 25))


def _coordinates(columns, kinds, choices, reasons, taken, free, put) -> None:
    """lat/lon or metric x/y pairs; a pair is only taken as a pair."""
    if not {"lat", "lon"} & choices.keys() and not {"x", "y"} & choices.keys():
        lat = free(lambda k: k.lat >= MOSTLY)
        lon = free(lambda k: k.lon >= MOSTLY and k.lat < MOSTLY)
        if lat and lon:
            put("lat", lat)
            put("lon", lon)
        east = free(lambda k: k.easting >= MOSTLY)
        north = free(lambda k: k.northing >= MOSTLY)
        if east and north and "lat" not in choices:
            put("x", east)
            put("y", north)


def _category_column(columns: list[str], kinds: dict[str, _Kind], taken: set[str]) -> str | None:
    """The free short-text column with few distinct values, preferring known categories."""
    candidates = [c for c in columns if c not in taken and kinds[c].filled >= 0.5
                  and kinds[c].number < 0.5 and kinds[c].date < 0.5 and kinds[c].street < 0.5
                  and kinds[c].length < 40]
    if not candidates:
        return None
    best = max(candidates, key=lambda c: (kinds[c].known_categories, -kinds[c].distinct))
    few = kinds[best].distinct <= 60
    return best if kinds[best].known_categories > 0 or few else None


def _profile_notes(profile: Profile, choices: dict[str, str], columns: list[str]) -> list[str]:
    wanted = profile.choices()
    missing = [(f, c) for f, c in wanted.items() if choices.get(f) != c and
               not any(header_key(x) == header_key(c) for x in columns)]
    if not missing:
        return []
    stand_in = [f"„{c}“ ({LABELS[f]}) → stattdessen „{choices[f]}“" if f in choices
                else f"„{c}“ ({LABELS[f]}) → nicht vorhanden" for f, c in missing]
    return ["Die Datei hat nicht alle Spalten des Profils; erkannt wurde: "
            + "; ".join(stand_in) + "."]


def describe(recognition: Recognition) -> str:
    """One German sentence listing the recognised columns."""
    order = [f for f in CHOICES if f in recognition.choices]
    return "Erkannte Spalten: " + ", ".join(
        f"„{recognition.choices[f]}“ → {LABELS[f]}" for f in order) + "."
