"""Offline forward geocoding of partner address text on the real register of Leipzig.

Every real street name of Leipzig is known (street directory, address register, street lines),
so a real street elsewhere in the city is placed where it is — and flagged "outside" — instead
of being fuzzy-matched onto a district street. House numbers are placed by
``geo.addressbook`` (exact register point > interpolation between real neighbours on the same
side > the street's own extent); fuzzy matching is only for names that match no real street,
and only with a clear margin to the second-best name. Optionally Nominatim (online, off by
default) for what the register cannot resolve. Every result says how it was found (status), how
far off it may be (precision_m) and why (reason). Points outside the district are kept with
status "outside", never dropped or snapped.

Speed: ``geocode_many`` factorises the input, so each distinct string is handled once. Distinct
strings in the common clean form ("Name 12a[, 04315 Leipzig]") whose name matches a street
exactly are placed together on arrays; the rest (typos, corners, details, coordinates, hostile
text) goes one by one through ``_resolve`` (cached by text and by normalised key) and is then
placed on arrays the same way.
"""

from __future__ import annotations

import csv
import gc
import re
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import shapely
from pyproj import Transformer
from rapidfuzz import fuzz, process
from rapidfuzz.distance import Levenshtein
from scipy.spatial import cKDTree
from shapely.ops import nearest_points

from geo import addressbook as book
from geo import corners
from geo.address_forms import (
    area_key,
    is_generic,
    place_in_area,
    place_word,
    within,
)
from geo.addressbook import AddressBook
from geo.build_data import AREA_KINDS
from geo.coords import FLAG_NOTES, VALID_FLAGS, validate_coordinates
from geo.crs import DISPLAY_CRS, to_display, to_metric
from geo.normalize import (
    SUFFIXES,
    ParsedAddress,
    name_key,
    parse_address,
    simple_key,
    simple_parts,
    split_preposition,
)
from geo.precision import NUMBER_AT_STREET_FLOOR_M, square_radius
from geo.register import Register

if TYPE_CHECKING:
    from geo.nominatim import NominatimGeocoder

OFFICIAL_PRECISION_M = 5.0  # surveyed building point of an official address list
INTERSECTION_PRECISION_M = corners.CORNER_PRECISION_M
# Without lines, the closest pair of the two streets' addresses stands at the corner: corner
# houses are ~10-30 m from the crossing; further apart than this, the streets do not meet.
CORNER_MAX_PAIR_M = 90.0
COORDINATE_PRECISION_M = 10.0  # typical phone GPS fix of a given coordinate
FUZZY_CUTOFF = 88.0  # rapidfuzz ratio on normalised keys; below this typos become guesses
FUZZY_MARGIN = 4.0  # the best name must beat the second-best by this much, else ambiguous
FUZZY_MIN_KEY = 5  # short keys ("rabe") match too much by chance
TEXT_CACHE_LIMIT = 1_000_000
FAST_CHUNK = 100_000  # addresses per vectorised step: bounds the temporary arrays

RESULT_COLUMNS = ["status", "lon", "lat", "x", "y", "precision_m", "ortsteil", "matched", "reason"]
_FLOAT_COLUMNS = ("lon", "lat", "x", "y", "precision_m")
# one text in the fast path: position in the batch, street id, house number, suffix
_PARTS = np.dtype([("position", "int64"), ("code", "int64"), ("number", "int64"),
                   ("suffix", "int64")])
BoundaryFn = Callable[[np.ndarray, np.ndarray], np.ndarray]
_STREET, _PLACE = 0, 1  # kinds of a name in the index
NUMBERED_HOW = (book.EXACT, book.EXACT_NO_SUFFIX, book.EXACT_OTHER_SUFFIX, book.BETWEEN,
                book.NEAREST, book.BETWEEN_SIDES)
_FROM_ZONE32 = Transformer.from_crs(25832, DISPLAY_CRS, always_xy=True)


@dataclass(frozen=True)
class GeocodeResult:
    status: str
    lon: float
    lat: float
    x: float
    y: float
    precision_m: float
    ortsteil: str | None
    matched: str | None
    reason: str


@dataclass
class _Pending:
    """A resolution before the vectorised steps (house number, Ortsteil, lon/lat).

    ``street`` >= 0: place house ``number`` (-1: none) with ``suffix`` on that street id."""

    status: str
    x: float = np.nan
    y: float = np.nan
    precision_m: float = np.nan
    matched: str | None = None
    reason: str = ""
    street: int = -1
    number: int = -1
    suffix: int = 0


@contextmanager
def _gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector: a million-string batch allocates millions of small
    acyclic tuples, and the collector's repeated full scans would nearly double the time."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _unresolved(reason: str) -> _Pending:
    return _Pending("unresolved", reason=reason)


class _NameCodes(dict):
    """name -> ``Geocoder._fast_code(name)``, computed on first use; lookups stay in C."""

    def __init__(self, compute: Callable[[str], int]) -> None:
        super().__init__()
        self._compute = compute

    def __missing__(self, name: str) -> int:
        if len(self) > 100_000:
            self.clear()
        code = self[name] = self._compute(name)
        return code


# A register "street" that is a square, market or park ("Neustädter Markt", "Rabet"): asked
# without a house number it is a place, located by its addresses around it.
_SQUARE = re.compile(r"(?:platz|markt|park|garten|anlage)$")
_STREET_TYPE = re.compile(
    r"(?:strasse|str|weg|allee|gasse|ring|damm|ufer|steig|pfad|chaussee|promenade|zeile"
    r"|bogen|winkel|graben|siedlung|steg|wall|gaesschen|hof|berg|grund|aue|anger|tal)$")
_POSTCODE = re.compile(r"\b0\d{4}\b")  # Leipzig's postcodes start with 04


def _postcode(text: str) -> str:
    found = _POSTCODE.search(text)
    return found.group(0) if found else ""


def _short_key(key: str) -> str:
    """Name key with its trailing "strasse" — or a slip of it or of its abbreviation
    ("trasse", "strrasse", "srt", "tr") — as "str": the name body decides a fuzzy match."""
    if key.endswith("strasse"):
        return key[:-7] + "str"
    best = None
    for size in range(2, min(9, len(key) - 4) + 1):
        tail = key[-size:]
        if size <= 4:
            distance = Levenshtein.distance(tail, "str") if "r" in tail else 9
            allowed = 1
        else:
            distance = Levenshtein.distance(tail, "strasse")
            allowed = 1 if size <= 6 else 2
        if distance <= allowed and (best is None or distance < best[0]):
            best = (distance, size)
    if best is not None:
        return key[:-best[1]] + "str"
    return key


def _with_official(register: Register, official: pd.DataFrame | None) -> pd.DataFrame:
    """Register addresses with an official list's rows in front (they win per address)."""
    addresses = register.addresses
    if official is None or official.empty:
        return addresses
    parsed = official["housenumber"].astype(str).str.extract(r"^\s*(\d{1,4})\s*([a-zA-Z]?)\s*$")
    extra = pd.DataFrame({
        "street": official["street"].astype(str).str.strip(),
        "number": pd.to_numeric(parsed[0], errors="coerce"),
        "suffix": parsed[1].fillna("").str.lower(),
        "x": pd.to_numeric(official["x"], errors="coerce"),
        "y": pd.to_numeric(official["y"], errors="coerce"),
        "postcode": (official["postcode"].astype(str) if "postcode" in official
                     else pd.Series("", index=official.index)),
        "source": "official", "precision_m": OFFICIAL_PRECISION_M,
    }).dropna(subset=["number", "x", "y"])
    extra["number"] = extra["number"].astype("int64")
    both = pd.concat([extra, addresses[extra.columns]], ignore_index=True)
    keys = both["street"].map(name_key)
    return both[~pd.DataFrame({"k": keys, "n": both["number"], "s": both["suffix"]})
                .duplicated()].reset_index(drop=True)


class Geocoder:
    """Geocoder over the real register (``geo.register.Register``, EPSG:25833) and an Ortsteil
    assignment function.

    ``boundary_fn(x, y)`` returns the Ortsteil name per point, None outside the district (as
    ``geo.boundary.Boundary.assign_ortsteil``). ``address_list``: an official list,
    DataFrame[street, housenumber, x, y] in EPSG:25833 (see ``load_address_list``); its points
    take precedence. ``online``: optional Nominatim fallback.
    """

    def __init__(
        self,
        register: Register,
        boundary_fn: BoundaryFn,
        address_list: pd.DataFrame | None = None,
        online: NominatimGeocoder | None = None,
    ) -> None:
        self.boundary_fn = boundary_fn
        self.online = online
        addresses = _with_official(register, address_list)
        self._build_names(register, addresses)
        sid = addresses["street"].map(name_key).map(self._street_of_key).fillna(-1)
        self._book = AddressBook(addresses, sid.to_numpy("int64"), len(self._street_names),
                                 self._lines)
        self._corner_points = self._address_points(addresses, sid.to_numpy("int64"))
        self._street_rows = pd.Series(np.arange(len(addresses))).groupby(
            sid.to_numpy("int64")).indices
        self._address_xy = addresses[["x", "y"]].to_numpy("float64")
        self._address_number = addresses["number"].to_numpy("int64")
        self._address_precision = addresses["precision_m"].to_numpy("float64")
        kinds = np.array([place_word(name_key(n)) if square else ""
                          for n, square in zip(self._street_names, self._square, strict=True)],
                         dtype=object)
        count = np.zeros(len(self._street_names), "int64")
        for street, rows in self._street_rows.items():
            if street >= 0:
                count[street] = len(rows)
        self._place_radius = square_radius(
            kinds, self._book.extent(np.arange(len(self._street_names)))[:, 2], count)
        self._choices = sorted(self._names)
        self._name_codes = _NameCodes(self._fast_code)
        self._key_cache: dict[ParsedAddress, tuple] = {}
        self._text_cache: dict[str, tuple] = {}
        self._short_choices = [_short_key(k) for k in self._choices]
        self._postcodes = {
            sid: frozenset(codes) for sid, codes in
            addresses.assign(sid=sid.to_numpy("int64")).groupby("sid")["postcode"]
            .agg(lambda c: set(c.dropna().astype(str))).items() if sid >= 0}
        self._find_cache: dict[str, tuple[tuple[int, int] | None, list]] = {}

    # -- index -------------------------------------------------------------------------------

    def _build_names(self, register: Register, addresses: pd.DataFrame) -> None:
        """One id per real street key (first official spelling wins), places, aliases."""
        streets = register.streets
        names = list(streets["name"]) + sorted(set(addresses["street"]) - set(streets["name"]))
        lines = list(streets.geometry.values) + [None] * (len(names) - len(streets))
        self._street_of_key: dict[str, int] = {}
        street_names: list[str] = []
        street_lines: list[shapely.Geometry | None] = []
        for name, line in zip(names, lines, strict=True):
            key = name_key(name)
            if key and key not in self._street_of_key:
                self._street_of_key[key] = len(street_names)
                street_names.append(name)
                street_lines.append(line)
        self._street_names = np.array(street_names, dtype=object)
        self._square = np.array([bool(_SQUARE.search(name_key(n)) or not _STREET_TYPE.search(
            name_key(n))) for n in street_names], dtype=bool)
        self._lines = np.array(street_lines, dtype=object)
        self._names: dict[str, tuple[int, int]] = {
            key: (_STREET, sid) for key, sid in self._street_of_key.items()}
        places = register.places
        self._place_names = places["name"].to_numpy(object)
        self._place_xyp = np.column_stack([shapely.get_x(places.geometry.values),
                                           shapely.get_y(places.geometry.values),
                                           places["precision_m"].to_numpy("float64")])
        is_area = places["kind"].isin(AREA_KINDS).to_numpy() if "kind" in places else []
        self._areas = {name_key(self._place_names[i]): int(i) for i in np.flatnonzero(is_area)}
        outlines = places.get("outline")
        self._outlines = {i: outlines.iloc[i] for i in self._areas.values()
                          if outlines is not None and outlines.iloc[i] is not None}
        shapely.prepare(list(self._outlines.values()))
        for pid, name in enumerate(self._place_names):
            self._names.setdefault(name_key(name), (_PLACE, pid))
        for alias, official in register.aliases.items():
            target = self._names.get(name_key(official))
            if target is not None:
                self._names.setdefault(name_key(alias), target)

    @staticmethod
    def _address_points(addresses: pd.DataFrame, sid: np.ndarray) -> dict[int, np.ndarray]:
        """Building-exact address points per street id, for corners of streets without lines."""
        good = (sid >= 0) & addresses["source"].ne(book.COARSE_SOURCE).to_numpy()
        xy = addresses[["x", "y"]].to_numpy("float64")[good]
        return {s: xy[rows] for s, rows in pd.Series(sid[good]).groupby(sid[good]).indices.items()}

    def _fast_code(self, name: str) -> int:
        """Street id of a fast-path name that is exactly a street with a position, else -1."""
        key = simple_key(name)
        found = self._names.get(key) if key else None
        if found is None or found[0] != _STREET:
            return -1
        return found[1] if self._book.has_position(np.array([found[1]]))[0] else -1

    # -- lookup ------------------------------------------------------------------------------

    def _find(self, key: str, number: int | None = None, postcode: str = ""
              ) -> tuple[tuple[int, int] | None, float | None, str]:
        """(kind, id) for ``key``, the fuzzy score (None: exact) and a note (ambiguity).

        Fuzzy only where ``key`` is no real name; candidates within FUZZY_MARGIN of the best are
        told apart by the postcode and the house number where exactly one fits them."""
        exact, candidates = self._candidates(key)
        if exact is not None:
            return exact, None, ""
        if not candidates:
            return None, None, ""
        best, score = candidates[0]
        close = [t for t, s in candidates if score - s < FUZZY_MARGIN]
        if len(close) > 1:
            fitting = [t for t in close if self._fits(t, number, postcode)]
            if len(fitting) != 1:
                names = " oder ".join(sorted({self._label(t) for t in close}))
                return None, None, f"mehrdeutig: {names}"
            best = fitting[0]
            score = next(s for t, s in candidates if t == best)
        return best, round(float(score), 1), ""

    def _fits(self, target: tuple[int, int], number: int | None, postcode: str) -> bool:
        """A street has this postcode / this house number in the register."""
        if target[0] != _STREET:
            return False
        sid = target[1]
        if postcode and postcode not in self._postcodes.get(sid, ()):
            return False
        if number is not None:
            placed = self._book.place(np.array([sid]), np.array([number]), np.array([0]))
            return bool(placed.how[0] in (book.EXACT, book.EXACT_OTHER_SUFFIX, book.COARSE))
        return bool(postcode)

    def _candidates(self, key: str) -> tuple[tuple[int, int] | None, list]:
        """Exact target of ``key``, else the fuzzy candidates [(target, score)], best first.
        Compared on short keys ("…strasse" -> "…str"), so that a slip in the abbreviation
        ("Eisenbahntr.", "Ostsr.") weighs no more than one in the name."""
        if key in self._find_cache:
            return self._find_cache[key]
        kind_word = place_word(key)
        exact = self._names.get(key) or (
            None if kind_word or is_generic(key) else self._names.get(key + "strasse"))
        candidates: list = []
        if exact is None and len(key) >= FUZZY_MIN_KEY and not is_generic(key):
            short = _short_key(key)
            best = process.extract(short, self._short_choices, scorer=fuzz.ratio, limit=6,
                                   score_cutoff=FUZZY_CUTOFF - FUZZY_MARGIN)
            seen = set()
            for _, score, i in best:
                target = self._names[self._choices[i]]
                if kind_word and place_word(self._choices[i]) != kind_word:
                    continue  # "Volksgarten" is no typo of "Volksgartenstraße"
                if target not in seen:
                    seen.add(target)
                    candidates.append((target, score))
            if candidates and candidates[0][1] < FUZZY_CUTOFF:
                candidates = []
        found = (exact, candidates)
        self._find_cache[key] = found
        return found

    def _label(self, target: tuple[int, int]) -> str:
        kind, i = target
        return self._street_names[i] if kind == _STREET else self._place_names[i]

    # -- resolution of one normalised address -------------------------------------------------

    def _resolve(self, parsed: ParsedAddress, text: str) -> _Pending:
        if parsed.kind == "invalid":
            return _unresolved(parsed.reason)
        if parsed.kind == "coordinates" and parsed.coords is not None:
            return self._coordinates(*parsed.coords)
        if parsed.kind == "intersection":
            return self._intersection(parsed)
        in_area = self._area_form(parsed, text)
        if in_area is not None:
            return in_area
        postcode = _postcode(text)
        target, score, note = self._find(parsed.street_key, parsed.number, postcode)
        how = relative = ""
        if target is None or score is not None:
            stripped = self._without_preposition(text)
            if stripped and (target is None or stripped[2] is None or stripped[2] >= score):
                parsed, target, score, word = stripped
                relative = f"Lageangabe „{word}“ ignoriert"
        if parsed.detail and (target is None or parsed.number is None):
            # "Rabet, Spielplatz" names "Spielplatz Rabet" more precisely than "Rabet"
            detail_key = name_key(parsed.detail)
            for combined in (detail_key + parsed.street_key, parsed.street_key + detail_key):
                found = self._names.get(combined)
                if found:
                    target, score, how = found, None, f"mit Zusatz „{parsed.detail}“"
                    break
        if target is None:
            # a name in front: "Pöge-Haus, Hedwigstraße 20" — the part that is a real street
            for part in filter(None, parsed.detail.split(", ")):
                candidate = parse_address(part)
                if candidate.kind not in ("address", "name"):
                    continue
                found, part_score, _ = self._find(candidate.street_key, candidate.number,
                                                  postcode)
                if found:
                    name = parsed.street_key
                    parsed, target, score = candidate, found, part_score
                    how = f"Zusatz „{name}“ ignoriert"
                    break
        trimmed = None if target is not None else self._trimmed(text)
        if trimmed:
            parsed, target, score, part, exact_rest = trimmed
            how = f"nur „{part}“ erkannt, Rest ignoriert"
        if target is None:
            return self._online(parsed, text, note)
        pending = self._located(parsed, target)
        notes = [n for n in (relative, how) if n]
        if score is not None or (trimmed and not exact_rest):
            pending.status = "fuzzy"
        if score is not None:
            notes.append(f"unscharfer Treffer „{self._label(target)}“ (Score {score:g})")
        if parsed.range_to is not None and pending.street >= 0:
            notes.append(f"Hausnummern {parsed.number}–{parsed.range_to}: " + (
                "Mitte des Bereichs" if self._span(pending, parsed) else "erste Nummer verwendet"))
        if parsed.detail and not how:
            notes.append(f"Zusatz: {parsed.detail}")
        pending.reason = "; ".join(filter(None, [pending.reason, *notes]))
        return pending

    def _area_form(self, parsed: ParsedAddress, text: str) -> _Pending | None:
        """"Schönefeld, Volbedingstraße 5" / "Kirchweg 3, Engelsdorf": an Ortsteil (or a part
        of one's name) beside the street filters the street to that area; never a place of its
        own elsewhere. Where the street is not found there, the area itself is the answer,
        with the radius that holds it. None where the text names no area beside a street."""
        if parsed.kind not in ("address", "name") or not parsed.detail:
            return None
        details = parsed.detail.split(", ")
        area = -1
        own = self._names.get(parsed.street_key)
        numbered_detail = any(re.search(r"[a-z].*\d", d) for d in details)
        if parsed.number is None and (own is None or own[0] != _STREET or numbered_detail):
            area = self._areas.get(area_key(parsed.street_key), -1)
        if area >= 0:
            rest = [d for d in details if re.search(r"[a-z]", d)]
            if not rest:
                return None
            street_text = rest[0]
            street = parse_address(street_text)
        else:
            for detail in details:
                area = self._areas.get(area_key(name_key(detail)), -1)
                if area >= 0:
                    street_text = text
                    street = parsed._replace(
                        detail=", ".join(d for d in details if d != detail))
                    break
            else:
                return None
        if street.kind not in ("address", "name"):
            return None
        name = self._place_names[area]
        ax, ay, radius = self._place_xyp[area]
        found = self._resolve(street, street_text)
        number = street.number if street.number is not None else -1
        outline = self._outlines.get(area)

        def here(xy: np.ndarray) -> np.ndarray:
            return within(xy, (ax, ay), radius, outline)

        if found.street >= 0:
            usual = self._book.place(np.array([found.street]), np.array([number]),
                                     np.array([found.suffix]))
            if np.isfinite(usual.x[0]) and here(np.array([[usual.x[0], usual.y[0]]]))[0]:
                found.reason = "; ".join(filter(None, [f"in {name}", found.reason]))
                return found
            rows = self._street_rows.get(found.street)
            placed = (None if rows is None else place_in_area(
                self._address_xy[rows], self._address_number[rows],
                self._address_precision[rows], number, here(self._address_xy[rows])))
            if placed is not None:
                label = self._street_names[found.street]
                status = {"exact": "exact", "nearest": "interpolated"}.get(placed.how, "street")
                if status == "exact" and placed.precision_m > book.INTERPOLATION_BASE_M:
                    status = "street"  # a coarse register point
                if found.status == "fuzzy":
                    status = "fuzzy"
                matched = f"{label} {number}" if placed.how != "street" and number > 0 else label
                why = (f"neben Nr. {placed.number} (gleiche Straßenseite)"
                       if placed.how == "nearest" else "")
                return _Pending(status, placed.x, placed.y, placed.precision_m, matched,
                                "; ".join(filter(None, [f"in {name}", why, found.reason])))
        elif found.status != "unresolved" and here(np.array([[found.x, found.y]]))[0]:
            found.reason = "; ".join(filter(None, [f"in {name}", found.reason]))
            return found
        return _Pending("place", ax, ay, radius, name,
                        f"„{street_text}“ in {name} nicht gefunden: Bereich von {name}")

    def _span(self, pending: _Pending, parsed: ParsedAddress) -> bool:
        """"13/15/17", "16-20": one building or a row of them; placed at the middle of the first
        and the last number with a radius that holds both (in place of the street id)."""
        ends = self._book.place(np.array([pending.street] * 2),
                                np.array([parsed.number, parsed.range_to]), np.zeros(2, "int64"))
        if np.isnan(ends.x).any() or not np.isin(ends.how, NUMBERED_HOW).all():
            return False
        status, *_ = self._numbers(np.array([pending.street]), np.array([parsed.number]),
                                   np.array([pending.suffix]))
        half = float(np.hypot(ends.x[1] - ends.x[0], ends.y[1] - ends.y[0])) / 2
        pending.x, pending.y = float(ends.x.mean()), float(ends.y.mean())
        pending.precision_m = float(np.ceil(ends.precision_m.max() + half))
        pending.matched = f"{self._street_names[pending.street]} {parsed.number}–{parsed.range_to}"
        if pending.status != "fuzzy":
            pending.status = str(status[0])
        pending.street = -1
        return True

    def _without_preposition(self, text: str):
        """A known street or place after a leading preposition: "im Rabet", "Höhe
        Eisenbahnstraße 50" (parsed rest, target, fuzzy score, the preposition)."""
        split = split_preposition(text)
        if split is None:
            return None
        parsed = parse_address(split[1])
        if parsed.kind not in ("address", "name"):
            return None
        target, score, _ = self._find(parsed.street_key, parsed.number, _postcode(text))
        return (parsed, target, score, split[0]) if target else None

    def _trimmed(self, text: str):
        """A known street or place after dropping up to 3 leading or trailing words:
        "Pöge-Haus Hedwigstraße 20", "Spielplatz am Rabet", "Eisenbahnstraße 5 Hinterhof".
        Exact where leading words were dropped before an exact street with a house number
        (a name in front), else a guess the caller marks "fuzzy"."""
        words = text.split()
        for drop in range(1, min(len(words), 4)):
            for part, leading in ((" ".join(words[:-drop]), False),
                                  (" ".join(words[drop:]), True)):
                parsed = parse_address(part)
                if parsed.kind in ("address", "name"):
                    target, score, _ = self._find(parsed.street_key, parsed.number,
                                                  _postcode(text))
                    if target and len(part.split()) == 1 and (
                            score is not None or is_generic(parsed.street_key)
                            or parsed.street_key not in self._names):
                        continue  # one word left: "Rathaus", "Geyer", "Reudnitzer"
                    if target:
                        exact = (leading and score is None and parsed.kind == "address"
                                 and target[0] == _STREET)
                        return parsed, target, score, part, exact
        return None

    def _located(self, parsed: ParsedAddress, target: tuple[int, int]) -> _Pending:
        kind, i = target
        if kind == _PLACE:
            reason = "Hausnummer bei einem Ort ignoriert" if parsed.number is not None else ""
            x, y, precision = self._place_xyp[i]
            return _Pending("place", x, y, precision, self._place_names[i], reason)
        number = parsed.number if parsed.number is not None else -1
        suffix = SUFFIXES.index(parsed.suffix) if parsed.suffix in SUFFIXES else 0
        return _Pending("street", street=i, number=number, suffix=suffix)

    def _intersection(self, parsed: ParsedAddress) -> _Pending:
        found = [self._find(k) for k in (parsed.street_key, parsed.second_street)]
        ids = []
        for (target, _, _), wanted in zip(found, (parsed.street_key, parsed.second_street),
                                          strict=True):
            if target is None or target[0] != _STREET:
                return _unresolved(f"Straße „{wanted}“ der Kreuzung nicht im Verzeichnis")
            ids.append(target[1])
        names = f"{self._street_names[ids[0]]} / {self._street_names[ids[1]]}"
        scores = [s for _, s, _ in found if s is not None]
        status = "fuzzy" if scores else "intersection"
        reason = f"Kreuzung, unscharfer Treffer (Score {min(scores):g})" if scores else ""
        first, second = self._lines[ids[0]], self._lines[ids[1]]
        gap = np.inf
        corner = corners.meet(first, second, *(self._corner_points.get(i) for i in ids))
        if corner is not None:
            note = (f"Straßenverläufe enden {corner.gap_m:.0f} m voneinander"
                    if corner.gap_m > corners.TOUCH_M else "")
            return _Pending(status, corner.x, corner.y, corner.precision_m, names,
                            "; ".join(filter(None, [note, reason])))
        if first is not None and second is not None:
            p1, p2 = nearest_points(first, second)
            gap = p1.distance(p2)
        a, b = (self._corner_points.get(i) for i in ids)
        if a is not None and b is not None:
            distance, nearest = cKDTree(b).query(a)
            j = int(np.argmin(distance))
            if distance[j] <= CORNER_MAX_PAIR_M:
                x, y = (a[j] + b[nearest[j]]) / 2
                note = "Ecke aus den nächsten Hausnummern beider Straßen"
                return _Pending(status, x, y, float(np.ceil(INTERSECTION_PRECISION_M
                                                            + distance[j] / 2)),
                                names, "; ".join(filter(None, [note, reason])))
            gap = min(gap, float(distance[j]))
        shown = f" (Abstand {gap:.0f} m)" if np.isfinite(gap) else ""
        return _unresolved(f"{self._street_names[ids[0]]} und {self._street_names[ids[1]]} "
                           f"kreuzen sich nicht{shown}")

    @staticmethod
    def _coordinates(a: float, b: float) -> _Pending:
        checked = validate_coordinates([a], [b]).iloc[0]
        if checked.flag not in VALID_FLAGS:
            return _unresolved(FLAG_NOTES[checked.flag])
        reason = "" if checked.flag in ("wgs84", "utm") else FLAG_NOTES[checked.flag]
        return _Pending("coordinates", checked.x, checked.y, COORDINATE_PRECISION_M, None, reason)

    def _online(self, parsed: ParsedAddress, text: str, note: str = "") -> _Pending:
        reason = note or f"„{parsed.street_key}“ ist keine Straße und kein Ort in Leipzig"
        if self.online is None:
            return _unresolved(reason)
        hit = self.online.lookup(text, key=repr(tuple(parsed)))
        if hit is None:
            return _unresolved(reason + "; auch online (Nominatim) nicht gefunden")
        x, y = to_metric(hit.lon, hit.lat)
        return _Pending(hit.status, float(x), float(y), hit.precision_m, hit.label,
                        "online (Nominatim) gefunden")

    # -- batch ---------------------------------------------------------------------------------

    def _numbers(self, street: np.ndarray, number: np.ndarray, suffix: np.ndarray
                 ) -> tuple[np.ndarray, ...]:
        """Status, x, y, precision, matched and reason of house numbers on street ids."""
        placed = self._book.place(street, number, suffix)
        how = placed.how
        n = len(street)
        status = np.full(n, "exact", dtype=object)
        status[np.isin(how, (book.BETWEEN, book.NEAREST, book.BETWEEN_SIDES))] = "interpolated"
        status[(how == book.STREET) | (how == book.COARSE)] = "street"
        as_place = (how == book.STREET) & (number <= 0) & self._square[street]
        status[as_place] = "place"
        precision = placed.precision_m
        precision[as_place] = self._place_radius[street[as_place]]
        at_street = (status == "street") & (number > 0)
        precision[at_street] = np.fmax(precision[at_street], NUMBER_AT_STREET_FLOOR_M)
        status[how == book.NO_POSITION] = "unresolved"
        names = self._street_names[street]
        numbered = np.isin(status, ("exact", "interpolated")) | (how == book.COARSE)
        matched = names.copy()
        reason = np.full(n, "", dtype=object)
        for i in np.flatnonzero(numbered | (how != book.EXACT)):
            num, suf, code = int(number[i]), SUFFIXES[int(suffix[i])], int(how[i])
            if numbered[i]:
                matched[i] = f"{names[i]} {num}{suf}"
            reason[i] = self._why(code, num, suf, int(placed.low[i]), int(placed.high[i]))
        return status, placed.x, placed.y, precision, matched, reason

    @staticmethod
    def _why(how: int, number: int, suffix: str, low: int, high: int) -> str:
        if how == book.EXACT_NO_SUFFIX:
            return f"Adresse {number} ohne Zusatz „{suffix}“"
        if how == book.EXACT_OTHER_SUFFIX:
            return f"Hausnummer {number} nur mit Zusatz im Verzeichnis"
        if how == book.BETWEEN:
            return f"zwischen Nr. {low} und {high} interpoliert"
        if how == book.BETWEEN_SIDES:
            return f"zwischen Nr. {low} und {high} interpoliert (beide Straßenseiten)"
        if how == book.NEAREST:
            return f"neben Nr. {low} (gleiche Straßenseite)"
        if how == book.COARSE:
            return "Registerpunkt nur straßengenau (2013)"
        if how == book.STREET:
            return (f"Hausnummer {number}{suffix} nicht im Verzeichnis; Bereich der Straße"
                    if number > 0 else "Bereich der Adressen dieses Namens")
        if how == book.NO_POSITION:
            return "Straße bekannt, aber ohne Lage in den Daten"
        return ""

    def _finish(self, pending: list[_Pending]) -> list[tuple]:
        """Result tuples of per-text resolutions, house numbers placed in one vectorised step."""
        n = len(pending)
        status = np.array([p.status for p in pending], object)
        x = np.fromiter((p.x for p in pending), "float64", n)
        y = np.fromiter((p.y for p in pending), "float64", n)
        precision = np.fromiter((p.precision_m for p in pending), "float64", n)
        matched = np.array([p.matched for p in pending], object)
        reason = np.array([p.reason for p in pending], object)
        street = np.fromiter((p.street for p in pending), "int64", n)
        todo = np.flatnonzero(street >= 0)
        if todo.size:
            number = np.fromiter((pending[i].number for i in todo), "int64", todo.size)
            suffix = np.fromiter((pending[i].suffix for i in todo), "int64", todo.size)
            got = self._numbers(street[todo], number, suffix)
            keep_status = status[todo] == "fuzzy"
            status[todo] = np.where(keep_status & (got[0] != "unresolved"), "fuzzy", got[0])
            x[todo], y[todo], precision[todo], matched[todo] = got[1], got[2], got[3], got[4]
            reason[todo] = ["; ".join(filter(None, [a, b]))
                            for a, b in zip(got[5].tolist(), reason[todo].tolist(), strict=True)]
        columns = self._tail(status, x, y, precision, matched, reason)
        return list(zip(*(columns[name].tolist() for name in RESULT_COLUMNS), strict=True))

    def _tail(self, status: np.ndarray, x: np.ndarray, y: np.ndarray, precision: np.ndarray,
              matched: np.ndarray, reason: np.ndarray) -> dict[str, np.ndarray]:
        """lon/lat, Ortsteil and "outside" for a batch of resolutions (arrays are modified in
        place); returns the RESULT_COLUMNS."""
        n = len(x)
        placed = ~np.isnan(x)
        precision[~placed] = np.nan
        lon = np.full(n, np.nan)
        lat = np.full(n, np.nan)
        ortsteil = np.full(n, None, dtype=object)
        if placed.any():
            lon[placed], lat[placed] = to_display(x[placed], y[placed])
            ortsteil[placed] = self.boundary_fn(x[placed], y[placed])
        outside = placed & pd.isna(ortsteil)
        if outside.any():
            status[outside] = "outside"
            reason[outside] = [
                "; ".join(filter(None, ["außerhalb des Gebiets", r])) for r in reason[outside]
            ]
        return {"status": status, "lon": lon, "lat": lat, "x": x, "y": y,
                "precision_m": precision, "ortsteil": ortsteil, "matched": matched,
                "reason": reason}

    def _fast(self, code: np.ndarray, number: np.ndarray, suffix: np.ndarray
              ) -> dict[str, np.ndarray]:
        """Clean "street number" texts whose street matched exactly, all at once: the same
        as ``_resolve`` + ``_finish`` text by text (tests/test_geocode.py compares both)."""
        status, x, y, precision, matched, reason = self._numbers(code, number, suffix)
        return self._tail(status, x, y, precision, matched, reason)

    def _columns(self, texts: np.ndarray) -> dict[str, np.ndarray]:
        """RESULT_COLUMNS for distinct texts: the common clean form with an exact name match
        vectorised (``_fast``), everything else one by one (``_rows_unpaused``)."""
        n = len(texts)
        columns = {name: np.full(n, np.nan) if name in _FLOAT_COLUMNS
                   else np.full(n, None, dtype=object) for name in RESULT_COLUMNS}
        parts = np.fromiter(simple_parts(texts, self._name_codes.__getitem__), dtype=_PARTS)
        parts = parts[parts["code"] >= 0]
        fast = np.zeros(n, bool)
        fast[parts["position"]] = True
        for start in range(0, parts.size, FAST_CHUNK):
            chunk = parts[start:start + FAST_CHUNK]
            found = self._fast(chunk["code"], chunk["number"], chunk["suffix"])
            for name, values in found.items():
                columns[name][chunk["position"]] = values
        slow = np.flatnonzero(~fast)
        if slow.size:
            by_column = zip(*self._rows_unpaused(texts[slow].tolist()), strict=True)
            for name, slow_values in zip(RESULT_COLUMNS, by_column, strict=True):
                columns[name][slow] = np.asarray(slow_values, dtype=columns[name].dtype)
        return columns

    def _rows(self, texts: list) -> list[tuple]:
        """One result tuple per distinct text, resolving each normalised key once."""
        with _gc_paused():
            return self._rows_unpaused(texts)

    def _rows_unpaused(self, texts: list) -> list[tuple]:
        results: list[tuple | None] = [None] * len(texts)
        todo: dict[ParsedAddress, list[int]] = {}
        first_text: dict[ParsedAddress, str] = {}
        for i, text in enumerate(texts):
            hit = self._text_cache.get(text) if isinstance(text, str) else None
            if hit is not None:
                results[i] = hit
                continue
            parsed = parse_address(text)
            hit = self._key_cache.get(parsed)
            if hit is not None:
                results[i] = hit
            else:
                todo.setdefault(parsed, []).append(i)
                first_text.setdefault(parsed, text)
        if todo:
            keys = list(todo)
            finished = self._finish([self._resolve(k, first_text[k]) for k in keys])
            for key, row in zip(keys, finished, strict=True):
                self._key_cache[key] = row
                for i in todo[key]:
                    results[i] = row
        if len(self._text_cache) > TEXT_CACHE_LIMIT:
            self._text_cache.clear()
        for text, result in zip(texts, results, strict=True):
            if isinstance(text, str) and result is not None:
                self._text_cache[text] = result
        return results  # type: ignore[return-value]

    def geocode(self, text: object) -> GeocodeResult:
        return GeocodeResult(*self._rows([text])[0])

    def geocode_many(self, texts: Iterable) -> pd.DataFrame:
        """DataFrame[RESULT_COLUMNS], one row per input, in input order."""
        values = pd.Series(list(texts) if not isinstance(texts, pd.Series) else texts,
                           dtype=object)
        codes, uniques = pd.factorize(values, use_na_sentinel=False)
        with _gc_paused():
            columns = self._columns(np.asarray(uniques, dtype=object))
        if len(uniques) < len(values):  # else codes are 0..n-1: no copy needed
            columns = {name: column[codes] for name, column in columns.items()}
        return pd.DataFrame({name: columns[name] for name in RESULT_COLUMNS},
                            index=values.index)


ADDRESS_COLUMNS = {
    "street": ("street", "strasse", "straße", "str", "stn", "strassenname", "straßenname"),
    "housenumber": ("housenumber", "hausnummer", "hnr", "hausnr"),
    "a": ("x", "rechtswert", "ostwert", "east", "lon", "easting"),
    "b": ("y", "hochwert", "nordwert", "north", "lat", "northing"),
}
OPTIONAL_COLUMNS = {
    "suffix": ("adz", "zusatz", "hausnummernzusatz", "suffix", "hnrzusatz"),
    "postcode": ("plz", "postleitzahl", "postcode"),
}
# UTM zone 32 eastings of Saxony (HK-DE is delivered in EPSG:25832 as well as 25833)
_ZONE32_EASTING = (600_000.0, 900_000.0)


def load_address_list(path: Path) -> pd.DataFrame:
    """An official address list: the house coordinates of the survey administrations (HK-DE:
    ``;``-separated with STN, HNR, ADZ, PLZ and EAST/NORTH in EPSG:25832 or 25833) or a plain
    CSV (street, housenumber, x, y or lon, lat; ``;``, ``,`` or tab).

    German column names (Straße, Hausnummer, Zusatz, Rechtswert/Hochwert, Ostwert/Nordwert)
    are understood; EPSG:25832 eastings are recognised and converted; all coordinates go
    through ``validate_coordinates``. Returns DataFrame[street, housenumber, postcode, x, y]
    in EPSG:25833; a missing column is a ValueError with a German message naming the file.
    """
    text = Path(path).read_text(encoding="utf-8-sig")
    dialect = csv.Sniffer().sniff(text[:4096], delimiters=";,\t")
    raw = pd.read_csv(path, sep=dialect.delimiter, dtype=str, encoding="utf-8-sig",
                      keep_default_na=False)
    lower = {c.strip().lower(): c for c in raw.columns}
    picked = {}
    for field, names in ADDRESS_COLUMNS.items():
        column = next((lower[n] for n in names if n in lower), None)
        if column is None:
            raise ValueError(
                f"{Path(path).name}: Spalte für „{field}“ fehlt (erwartet: {', '.join(names)})"
            )
        picked[field] = raw[column].str.strip()
    for field, names in OPTIONAL_COLUMNS.items():
        column = next((lower[n] for n in names if n in lower), None)
        picked[field] = raw[column].str.strip() if column else pd.Series("", index=raw.index)
    a = pd.to_numeric(picked["a"].str.replace(",", ".", regex=False), errors="coerce")
    b = pd.to_numeric(picked["b"].str.replace(",", ".", regex=False), errors="coerce")
    zone32 = a.between(*_ZONE32_EASTING).to_numpy()
    if zone32.any():
        lon, lat = _FROM_ZONE32.transform(a[zone32].to_numpy(), b[zone32].to_numpy())
        a, b = a.astype("float64"), b.astype("float64")
        a[zone32], b[zone32] = lon, lat
    coords = validate_coordinates(a, b)
    return pd.DataFrame(
        {"street": picked["street"],
         "housenumber": picked["housenumber"] + picked["suffix"].str.lower(),
         "postcode": picked["postcode"], "x": coords["x"], "y": coords["y"]}
    )


def manual_placement(lon: float, lat: float, boundary_fn: BoundaryFn) -> dict:
    """Location fields for a point an editor placed by hand on the map.

    Status is always "manual": the editor chose the spot deliberately, so even a point outside
    the district keeps that status; its ``ortsteil`` is then None. Raises ValueError (German
    message) for anything that is not a finite WGS84 coordinate.
    """
    try:
        lon, lat = float(lon), float(lat)
    except (TypeError, ValueError):
        raise ValueError("Koordinate ist keine Zahl") from None
    if not (np.isfinite(lon) and np.isfinite(lat) and -180 <= lon <= 180 and -90 <= lat <= 90):
        raise ValueError(f"ungültige Koordinate: Länge {lon}, Breite {lat}")
    x, y = to_metric([lon], [lat])
    ortsteil = boundary_fn(x, y)[0]
    return {"lon": lon, "lat": lat, "x": float(x[0]), "y": float(y[0]),
            "ortsteil": ortsteil, "status": "manual", "precision_m": 5.0}


def place_reports(frame: pd.DataFrame, geocoder: Geocoder) -> pd.DataFrame:
    """Fill lon/lat/x/y/ortsteil/geocode_status/precision_m of a REPORT_COLUMNS frame.

    Given coordinates (lon/lat, else x/y) take precedence and are validated (swaps and
    EPSG:25833 recognised); invalid or missing ones fall back to the address; neither ->
    "unresolved" with empty coordinates. Rows already placed by hand ("manual") are kept.
    """
    out = frame.copy()
    manual = out["geocode_status"].eq("manual").fillna(False).to_numpy(bool)
    has_lonlat = (out["lon"].notna() & out["lat"].notna()).to_numpy()
    a = np.where(has_lonlat, out["lon"].to_numpy("float64", na_value=np.nan),
                 out["x"].to_numpy("float64", na_value=np.nan))
    b = np.where(has_lonlat, out["lat"].to_numpy("float64", na_value=np.nan),
                 out["y"].to_numpy("float64", na_value=np.nan))
    checked = validate_coordinates(a, b)
    by_coords = checked["flag"].isin(VALID_FLAGS).to_numpy() & ~manual
    address = out["address"].astype("string").str.strip()
    by_address = ~manual & ~by_coords & address.fillna("").ne("").to_numpy()

    n = len(out)
    lon, lat = np.full(n, np.nan), np.full(n, np.nan)
    x, y, precision = np.full(n, np.nan), np.full(n, np.nan), np.full(n, np.nan)
    status = np.full(n, "unresolved", dtype=object)
    ortsteil = np.full(n, None, dtype=object)
    if by_coords.any():
        for name, target in (("lon", lon), ("lat", lat), ("x", x), ("y", y)):
            target[by_coords] = checked[name].to_numpy()[by_coords]
        given = out["precision_m"].to_numpy("float64", na_value=np.nan)[by_coords]
        precision[by_coords] = np.where(np.isnan(given), COORDINATE_PRECISION_M, given)
        found = geocoder.boundary_fn(x[by_coords], y[by_coords])
        ortsteil[by_coords] = found
        status[by_coords] = np.where(pd.isna(found), "outside", "coordinates")
    if by_address.any():
        result = geocoder.geocode_many(address[by_address].to_numpy(object))
        for name, target in (("lon", lon), ("lat", lat), ("x", x), ("y", y),
                             ("precision_m", precision)):
            target[by_address] = result[name].to_numpy()
        ortsteil[by_address] = result["ortsteil"].to_numpy()
        status[by_address] = result["status"].to_numpy()
    for name, values in (("lon", lon), ("lat", lat), ("x", x), ("y", y),
                         ("precision_m", precision)):
        out[name] = np.where(manual, out[name].to_numpy("float64", na_value=np.nan), values)
    out["ortsteil"] = pd.array(np.where(manual, out["ortsteil"].to_numpy(object), ortsteil),
                               dtype="string")
    out["geocode_status"] = pd.array(np.where(manual, "manual", status), dtype="string")
    return out
