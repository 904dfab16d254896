"""Offline forward geocoding of partner address text onto the Leipziger Osten.

Order of trust: official address list ("exact") > house number interpolated along the gazetteer
street line ("interpolated") > street or place only > intersection > fuzzy match for typos.
Optionally Nominatim (online, off by default) for what the gazetteer cannot resolve. Every
result says how it was found (status), how far off it may be (precision_m) and why (reason).
Points outside the district are kept with status "outside", never dropped or snapped.

Speed: ``geocode_many`` factorises the input, so each distinct string is handled once. Distinct
strings in the common clean form ("Name 12a[, 04315 Leipzig]") whose name matches the gazetteer
exactly are resolved together on arrays (``_fast``: house-number ranges, official addresses,
interpolation, Ortsteil in a few numpy/shapely calls, no Python object per address); the rest
(typos, corners, details, coordinates, hostile text) goes one by one through ``_resolve``,
cached by text and by normalised key.
"""

from __future__ import annotations

import csv
import gc
import re
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import shapely
from rapidfuzz import fuzz, process
from shapely.ops import linemerge, nearest_points

from geo.coords import FLAG_NOTES, VALID_FLAGS, validate_coordinates
from geo.crs import require_metric, to_display, to_metric
from geo.normalize import (
    SUFFIXES,
    ParsedAddress,
    name_key,
    parse_address,
    simple_key,
    simple_parts,
    split_preposition,
)

if TYPE_CHECKING:
    from geo.nominatim import NominatimGeocoder

EXACT_PRECISION_M = 5.0  # surveyed building point of the official address list
# A house-number interpolation assumes evenly spaced numbers along the whole line; real plots
# differ in width and corner buildings break the pattern, so ~25 m (a few plots) is honest.
INTERPOLATED_PRECISION_M = 25.0
INTERSECTION_PRECISION_M = 15.0  # the corner area, not one building
INTERSECTION_MAX_GAP_M = 30.0  # two lines further apart than this do not meet
COORDINATE_PRECISION_M = 10.0  # typical phone GPS fix of a given coordinate
PLACE_POINT_PRECISION_M = 50.0  # a named place drawn as a point without its own precision
FUZZY_CUTOFF = 88.0  # rapidfuzz ratio on normalised keys; below this typos become guesses
FUZZY_MIN_KEY = 5  # short keys ("rabe") match too much by chance
TEXT_CACHE_LIMIT = 1_000_000
FAST_CHUNK = 100_000  # addresses per vectorised step: bounds the temporary arrays and geometries

RESULT_COLUMNS = ["status", "lon", "lat", "x", "y", "precision_m", "ortsteil", "matched", "reason"]
_FLOAT_COLUMNS = ("lon", "lat", "x", "y", "precision_m")
# one text in the fast path: position in the batch, canonical key index, house number, suffix
_PARTS = np.dtype([("position", "int64"), ("code", "int64"), ("number", "int64"),
                   ("suffix", "int64")])
BoundaryFn = Callable[[np.ndarray, np.ndarray], np.ndarray]


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


@dataclass(frozen=True)
class _Street:
    name: str
    ranges: tuple[tuple[int, float, float], ...]  # (segment row, hn_from, hn_to), where known
    geometry: shapely.Geometry  # all rows of this name, for intersections
    x: float  # representative point: middle of the line
    y: float
    precision_m: float  # half the street length


@dataclass(frozen=True)
class _Place:
    name: str
    x: float
    y: float
    precision_m: float


@dataclass
class _Pending:
    """A resolution before the vectorised steps (interpolation, Ortsteil, lon/lat)."""

    status: str
    x: float = np.nan
    y: float = np.nan
    precision_m: float = np.nan
    matched: str | None = None
    reason: str = ""
    segment: int = -1  # >= 0: interpolate along this segment at ``fraction``
    fraction: float = np.nan


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


def _floats(column: pd.Series) -> np.ndarray:
    return pd.to_numeric(column, errors="coerce").astype("float64").to_numpy()


def _hn_fraction(number: int, hn_from: float, hn_to: float) -> float:
    """Position of ``number`` along a line numbered hn_from..hn_to (0 start, 1 end)."""
    return 0.5 if hn_to == hn_from else (number - hn_from) / (hn_to - hn_from)


def _address_code(code, number, suffix):
    """(canonical key index, house number < 10,000, suffix code) -> one int64, also on arrays."""
    return (code * 10_000 + number) * len(SUFFIXES) + suffix


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


class Geocoder:
    """Geocoder over a gazetteer (EPSG:25833) and an Ortsteil assignment function.

    ``boundary_fn(x, y)`` returns the Ortsteil name per point, None outside the district (as
    ``geo.boundary.assign_ortsteil``). ``address_list``: DataFrame[street, housenumber, x, y]
    in EPSG:25833 (see ``load_address_list``). ``online``: optional Nominatim fallback.
    """

    def __init__(
        self,
        gazetteer: pd.DataFrame,
        boundary_fn: BoundaryFn,
        address_list: pd.DataFrame | None = None,
        online: NominatimGeocoder | None = None,
    ) -> None:
        require_metric(gazetteer)
        self.boundary_fn = boundary_fn
        self.online = online
        self._streets: dict[str, _Street] = {}
        self._places: dict[str, _Place] = {}
        self._aliases: dict[str, str] = {}  # alias key -> canonical key
        self._build_index(gazetteer)
        self._choices = sorted({*self._streets, *self._places, *self._aliases})
        self._addresses = self._build_addresses(address_list)
        self._build_fast_index()
        self._key_cache: dict[ParsedAddress, tuple] = {}
        self._text_cache: dict[str, tuple] = {}
        self._find_cache: dict[str, tuple[str | None, float | None]] = {}

    # -- index -------------------------------------------------------------------------------

    def _build_index(self, frame: pd.DataFrame) -> None:
        geoms = [linemerge(g) if g.geom_type == "MultiLineString" else g for g in frame.geometry]
        kinds = frame["kind"].astype(str).to_numpy()
        names = frame["name"].astype(str).to_numpy()
        self._seg_lines = np.array(geoms, dtype=object)
        self._seg_from = _floats(frame["hn_from"])
        self._seg_to = _floats(frame["hn_to"])
        precision = (
            _floats(frame["precision_m"]) if "precision_m" in frame else np.full(len(frame), np.nan)
        )
        by_key: dict[str, list[int]] = {}
        for i, name in enumerate(names):
            by_key.setdefault(name_key(name), []).append(i)
        for key, rows in by_key.items():
            street_rows = tuple(i for i in rows if kinds[i] == "street")
            if street_rows:
                self._streets[key] = self._street(names[rows[0]], street_rows)
            place_rows = [i for i in rows if kinds[i] != "street"]
            if place_rows:
                i = place_rows[0]
                self._places[key] = self._place(names[i], geoms[i], precision[i])
        aliases = frame["aliases"] if "aliases" in frame else pd.Series([""] * len(frame))
        for name, alias_text in zip(names, aliases.fillna("").astype(str), strict=True):
            for alias in filter(None, (a.strip() for a in alias_text.split("|"))):
                self._aliases.setdefault(name_key(alias), name_key(name))

    def _street(self, name: str, rows: tuple[int, ...]) -> _Street:
        geometry = shapely.union_all(self._seg_lines[list(rows)])
        merged = linemerge(geometry) if geometry.geom_type == "MultiLineString" else geometry
        longest = (
            max(merged.geoms, key=lambda g: g.length) if hasattr(merged, "geoms") else merged
        )
        middle = longest.interpolate(0.5, normalized=True)
        ranges = tuple(
            (i, float(self._seg_from[i]), float(self._seg_to[i]))
            for i in rows
            if not (np.isnan(self._seg_from[i]) or np.isnan(self._seg_to[i]))
        )
        return _Street(name, ranges, geometry, middle.x, middle.y,
                       max(geometry.length / 2, 5.0))

    @staticmethod
    def _place(name: str, geometry: shapely.Geometry, precision: float) -> _Place:
        point = geometry if geometry.geom_type == "Point" else geometry.representative_point()
        if np.isnan(precision):
            # radius of a circle of the polygon's area; a point gets a generic radius
            area = geometry.area
            precision = float(np.sqrt(area / np.pi)) if area > 0 else PLACE_POINT_PRECISION_M
        return _Place(name, point.x, point.y, float(precision))

    def _build_addresses(self, frame: pd.DataFrame | None) -> dict[tuple, tuple[float, float]]:
        if frame is None or frame.empty:
            return {}
        table = {}
        for street, hn, x, y in frame[["street", "housenumber", "x", "y"]].itertuples(
            index=False
        ):
            match = re.fullmatch(r"\s*(\d{1,4})\s*([a-zA-Z]?)\s*", str(hn))
            if match and np.isfinite(x) and np.isfinite(y):
                key = (name_key(str(street)), int(match.group(1)), match.group(2).lower())
                table[key] = (float(x), float(y))
        return table

    def _build_fast_index(self) -> None:
        """Arrays over the canonical keys for ``_fast``: the resolution of ``_located`` for
        many exact "street number" matches at once, without a Python object per address."""
        keys = sorted({*self._streets, *self._places})
        self._code_of = {key: code for code, key in enumerate(keys)}
        streets = [self._streets.get(k) for k in keys]
        places = [self._places.get(k) for k in keys]
        self._c_street = np.array([s is not None for s in streets], bool)
        self._c_place = np.array([p is not None for p in places], bool)
        self._c_street_name = np.array([s.name if s else None for s in streets], object)
        self._c_place_name = np.array([p.name if p else None for p in places], object)
        self._c_street_xyp = np.array(
            [(s.x, s.y, s.precision_m) if s else (np.nan,) * 3 for s in streets], "float64"
        ).reshape(-1, 3)
        self._c_place_xyp = np.array(
            [(p.x, p.y, p.precision_m) if p else (np.nan,) * 3 for p in places], "float64"
        ).reshape(-1, 3)
        self._c_span = [
            f"{min(r[1] for r in s.ranges):g}–{max(r[2] for r in s.ranges):g}"
            if s and s.ranges else "unbekannt"
            for s in streets
        ]
        width = max((len(s.ranges) for s in streets if s), default=0)
        # ranges in the order _located tries them; padding never contains a number
        self._c_ranges = np.full((len(keys), width, 3), [-1, np.inf, -np.inf])
        for code, street in enumerate(streets):
            for j, (row, hn_from, hn_to) in enumerate(street.ranges if street else ()):
                self._c_ranges[code, j] = (row, hn_from, hn_to)
        # official addresses of canonical keys as sorted int64 codes (key, number, suffix)
        found = [(self._code_of[k], n, SUFFIXES.index(suf), xy)
                 for (k, n, suf), xy in self._addresses.items() if k in self._code_of]
        codes = np.array([_address_code(c, n, s) for c, n, s, _ in found], "int64")
        order = np.argsort(codes)
        self._a_codes = codes[order]
        self._a_xy = np.array([xy for *_, xy in found], "float64").reshape(-1, 2)[order]
        self._name_codes = _NameCodes(self._fast_code)

    def _fast_code(self, name: str) -> int:
        """Canonical key index of a fast-path name where it matches exactly, else -1."""
        key = simple_key(name)
        found = key and (self._find_exact(key) or self._find_exact(key + "strasse"))
        return self._code_of[found] if found else -1

    # -- lookup ------------------------------------------------------------------------------

    def _find(self, key: str) -> tuple[str | None, float | None]:
        """Canonical gazetteer key for ``key`` and the fuzzy score (None: exact match)."""
        if key in self._find_cache:
            return self._find_cache[key]
        found: tuple[str | None, float | None] = (None, None)
        exact = self._find_exact(key) or self._find_exact(key + "strasse")
        if exact:
            found = (exact, None)
        elif len(key) >= FUZZY_MIN_KEY:
            best = process.extractOne(
                key, self._choices, scorer=fuzz.ratio, score_cutoff=FUZZY_CUTOFF
            )
            if best:
                found = (self._aliases.get(best[0], best[0]), round(float(best[1]), 1))
        self._find_cache[key] = found
        return found

    def _find_exact(self, key: str) -> str | None:
        if key in self._streets or key in self._places:
            return key
        return self._aliases.get(key)

    def _name_of(self, key: str) -> str:
        entry = self._streets.get(key) or self._places[key]
        return entry.name

    # -- resolution of one normalised address -------------------------------------------------

    def _resolve(self, parsed: ParsedAddress, text: str) -> _Pending:
        if parsed.kind == "invalid":
            return _unresolved(parsed.reason)
        if parsed.kind == "coordinates":
            return self._coordinates(*parsed.coords)
        if parsed.kind == "intersection":
            return self._intersection(parsed)
        key, score = self._find(parsed.street_key)
        how = relative = ""
        if key is None or score is not None:
            stripped = self._without_preposition(text)
            if stripped and (key is None or stripped[2] is None or stripped[2] >= score):
                parsed, key, score, word = stripped
                relative = f"Lageangabe „{word}“ ignoriert"
        if parsed.detail and (key is None or parsed.number is None):
            # "Rabet, Spielplatz" names the place "Spielplatz Rabet" more precisely than "Rabet"
            detail_key = name_key(parsed.detail)
            for combined in (detail_key + parsed.street_key, parsed.street_key + detail_key):
                found = self._find_exact(combined)
                if found:
                    key, score, how = found, None, f"mit Zusatz „{parsed.detail}“"
                    break
        if key is None:
            for part in filter(None, parsed.detail.split(", ")):
                key, score = self._find(name_key(part))
                if key:
                    how = f"gefunden über Zusatz „{part}“"
                    break
        trimmed = None if key is not None else self._trimmed(text)
        if trimmed:
            parsed, key, score, part = trimmed
            how = f"nur „{part}“ erkannt, Rest ignoriert"
        if key is None:
            return self._online(parsed, text)
        pending = self._located(parsed, key)
        notes = [n for n in (relative, how) if n]
        if score is not None or trimmed:
            pending.status = "fuzzy"
        if score is not None:
            notes.append(f"unscharfer Treffer „{self._name_of(key)}“ (Score {score:g})")
        if parsed.range_to is not None:
            notes.append(
                f"Hausnummernbereich {parsed.number}–{parsed.range_to}: erste Nummer verwendet"
            )
        if parsed.detail and not how:
            notes.append(f"Zusatz: {parsed.detail}")
        pending.reason = "; ".join(filter(None, [pending.reason, *notes]))
        return pending

    def _without_preposition(
        self, text: str
    ) -> tuple[ParsedAddress, str, float | None, str] | None:
        """A known street or place after a leading preposition: "im Rabet", "Höhe
        Eisenbahnstraße 50" (parsed rest, key, fuzzy score, the preposition)."""
        split = split_preposition(text)
        if split is None:
            return None
        parsed = parse_address(split[1])
        if parsed.kind not in ("address", "name"):
            return None
        key, score = self._find(parsed.street_key)
        return (parsed, key, score, split[0]) if key else None

    def _trimmed(self, text: str) -> tuple[ParsedAddress, str, float | None, str] | None:
        """A known street or place after dropping up to 3 leading or trailing words:
        "Höhe Eisenbahnstraße 50", "Spielplatz am Rabet", "Eisenbahnstraße 5 Hinterhof".
        A guess, so the caller marks it "fuzzy"."""
        words = text.split()
        for drop in range(1, min(len(words), 4)):
            for part in (" ".join(words[drop:]), " ".join(words[:-drop])):
                parsed = parse_address(part)
                if parsed.kind in ("address", "name"):
                    key, score = self._find(parsed.street_key)
                    if key:
                        return parsed, key, score, part
        return None

    def _located(self, parsed: ParsedAddress, key: str) -> _Pending:
        street = self._streets.get(key)
        if street is None or (parsed.number is None and key in self._places):
            place = self._places[key]
            reason = "Hausnummer bei einem Ort ignoriert" if parsed.number is not None else ""
            return _Pending("place", place.x, place.y, place.precision_m, place.name, reason)
        if parsed.number is None:
            return _Pending("street", street.x, street.y, street.precision_m, street.name,
                            "nur Straße, Punkt in der Straßenmitte")
        number, suffix = parsed.number, parsed.suffix
        matched = f"{street.name} {number}{suffix}"
        if self._addresses:
            point = self._addresses.get((key, number, suffix))
            if point:
                return _Pending("exact", *point, EXACT_PRECISION_M, matched)
            point = self._addresses.get((key, number, ""))
            if point:
                return _Pending("exact", *point, EXACT_PRECISION_M, matched,
                                f"amtliche Adresse {number} ohne Zusatz „{suffix}“")
        for row, hn_from, hn_to in street.ranges:
            if hn_from <= number <= hn_to:
                return _Pending("interpolated", precision_m=INTERPOLATED_PRECISION_M,
                                matched=matched, segment=row,
                                fraction=_hn_fraction(number, hn_from, hn_to))
        span = (
            f"{min(r[1] for r in street.ranges):g}–{max(r[2] for r in street.ranges):g}"
            if street.ranges else "unbekannt"
        )
        return _Pending("street", street.x, street.y, street.precision_m, street.name,
                        f"Hausnummer {number} außerhalb des Bereichs {span}; Straßenmitte")

    def _intersection(self, parsed: ParsedAddress) -> _Pending:
        found = [self._find(k) for k in (parsed.street_key, parsed.second_street)]
        streets = []
        for (key, _), wanted in zip(found, (parsed.street_key, parsed.second_street), strict=True):
            if key is None or key not in self._streets:
                return _unresolved(f"Straße „{wanted}“ der Kreuzung nicht im Verzeichnis")
            streets.append(self._streets[key])
        first, second = streets
        p1, p2 = nearest_points(first.geometry, second.geometry)
        gap = p1.distance(p2)
        if gap > INTERSECTION_MAX_GAP_M:
            return _unresolved(
                f"{first.name} und {second.name} kreuzen sich nicht (Abstand {gap:.0f} m)"
            )
        scores = [s for _, s in found if s is not None]
        return _Pending(
            "fuzzy" if scores else "intersection",
            (p1.x + p2.x) / 2,
            (p1.y + p2.y) / 2,
            INTERSECTION_PRECISION_M,
            f"{first.name} / {second.name}",
            f"Kreuzung, unscharfer Treffer (Score {min(scores):g})" if scores else "",
        )

    @staticmethod
    def _coordinates(a: float, b: float) -> _Pending:
        checked = validate_coordinates([a], [b]).iloc[0]
        if checked.flag not in VALID_FLAGS:
            return _unresolved(FLAG_NOTES[checked.flag])
        reason = "" if checked.flag in ("wgs84", "utm") else FLAG_NOTES[checked.flag]
        return _Pending("coordinates", checked.x, checked.y, COORDINATE_PRECISION_M, None, reason)

    def _online(self, parsed: ParsedAddress, text: str) -> _Pending:
        reason = f"„{parsed.street_key}“ nicht im Straßen- und Ortsverzeichnis"
        if self.online is None:
            return _unresolved(reason)
        hit = self.online.lookup(text, key=repr(tuple(parsed)))
        if hit is None:
            return _unresolved(reason + "; auch online (Nominatim) nicht gefunden")
        x, y = to_metric(hit.lon, hit.lat)
        return _Pending(hit.status, float(x), float(y), hit.precision_m, hit.label,
                        "online (Nominatim) gefunden")

    # -- batch ---------------------------------------------------------------------------------

    def _finish(self, pending: list[_Pending]) -> list[tuple]:
        """Result tuples of per-text resolutions, through the vectorised ``_tail``."""
        n = len(pending)
        columns = self._tail(
            np.array([p.status for p in pending], object),
            np.fromiter((p.x for p in pending), "float64", n),
            np.fromiter((p.y for p in pending), "float64", n),
            np.fromiter((p.precision_m for p in pending), "float64", n),
            np.array([p.matched for p in pending], object),
            np.array([p.reason for p in pending], object),
            np.fromiter((p.segment for p in pending), "int64", n),
            np.fromiter((p.fraction for p in pending), "float64", n),
        )
        return list(zip(*(columns[name].tolist() for name in RESULT_COLUMNS), strict=True))

    def _tail(self, status: np.ndarray, x: np.ndarray, y: np.ndarray, precision: np.ndarray,
              matched: np.ndarray, reason: np.ndarray, segment: np.ndarray,
              fraction: np.ndarray) -> dict[str, np.ndarray]:
        """Interpolation, lon/lat, Ortsteil and "outside" for a batch of resolutions (arrays are
        modified in place); returns the RESULT_COLUMNS."""
        todo = segment >= 0
        if todo.any():
            points = shapely.line_interpolate_point(
                self._seg_lines[segment[todo]], fraction[todo], normalized=True
            )
            xy = shapely.get_coordinates(points)
            x[todo], y[todo] = xy[:, 0], xy[:, 1]
        n = len(x)
        placed = ~np.isnan(x)
        lon = np.full(n, np.nan)
        lat = np.full(n, np.nan)
        ortsteil = np.full(n, None, dtype=object)
        if placed.any():
            lon[placed], lat[placed] = to_display(x[placed], y[placed])
            ortsteil[placed] = self.boundary_fn(x[placed], y[placed])
        outside = placed & np.equal(ortsteil, None)
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
        """``_located`` + ``_tail`` for many exact matches of the fast path at once.

        ``code``: canonical key index (``_fast_code``), ``number``: house number or -1,
        ``suffix``: index into ``SUFFIXES``. Same results as ``_resolve`` of each text
        (tests/test_geocode.py compares both on generated addresses).
        """
        n = len(code)
        has_number = number >= 0
        place = ~self._c_street[code] | (~has_number & self._c_place[code])
        numbered = ~place & has_number
        status = np.full(n, "street", dtype=object)
        status[place] = "place"
        xyp = self._c_street_xyp[code]
        xyp[place] = self._c_place_xyp[code[place]]
        matched = self._c_street_name[code]
        matched[place] = self._c_place_name[code[place]]
        reason = np.full(n, "nur Straße, Punkt in der Straßenmitte", dtype=object)
        reason[place] = ""
        reason[place & has_number] = "Hausnummer bei einem Ort ignoriert"
        segment = np.full(n, -1, "int64")
        fraction = np.full(n, np.nan)
        done = ~numbered
        if self._a_codes.size:
            for wanted_suffix in (suffix, np.zeros_like(suffix)):
                wanted = _address_code(code, number, wanted_suffix)
                at = np.searchsorted(self._a_codes, wanted).clip(max=self._a_codes.size - 1)
                hit = ~done & (self._a_codes[at] == wanted)
                xyp[hit, :2] = self._a_xy[at[hit]]
                xyp[hit, 2] = EXACT_PRECISION_M
                status[hit] = "exact"
                reason[hit] = "" if wanted_suffix is suffix else [
                    f"amtliche Adresse {num} ohne Zusatz „{SUFFIXES[suf]}“"
                    for num, suf in zip(number[hit].tolist(), suffix[hit].tolist(), strict=True)
                ]
                done |= hit
        with np.errstate(divide="ignore", invalid="ignore"):
            for j in range(self._c_ranges.shape[1]):
                row, hn_from, hn_to = self._c_ranges[code, j].T
                hit = ~done & (hn_from <= number) & (number <= hn_to)
                segment[hit] = row[hit]
                fraction[hit] = np.where(
                    hn_to == hn_from, 0.5, (number - hn_from) / (hn_to - hn_from)
                )[hit]
                status[hit] = "interpolated"
                xyp[hit] = (np.nan, np.nan, INTERPOLATED_PRECISION_M)
                reason[hit] = ""
                done |= hit
        with_number = np.flatnonzero(numbered & done)
        matched[with_number] = [
            f"{name} {num}{SUFFIXES[suf]}" for name, num, suf in zip(
                matched[with_number].tolist(), number[with_number].tolist(),
                suffix[with_number].tolist(), strict=True)
        ]
        beyond = np.flatnonzero(~done)
        reason[beyond] = [
            f"Hausnummer {num} außerhalb des Bereichs {self._c_span[c]}; Straßenmitte"
            for c, num in zip(code[beyond].tolist(), number[beyond].tolist(), strict=True)
        ]
        return self._tail(status, xyp[:, 0].copy(), xyp[:, 1].copy(), xyp[:, 2].copy(),
                          matched, reason, segment, fraction)

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
            found = zip(*self._rows_unpaused(texts[slow].tolist()), strict=True)
            for name, values in zip(RESULT_COLUMNS, found, strict=True):
                columns[name][slow] = np.asarray(values, dtype=columns[name].dtype)
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
        for text, row in zip(texts, results, strict=True):
            if isinstance(text, str):
                self._text_cache[text] = row
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


def load_address_list(path: Path) -> pd.DataFrame:
    """Official address list CSV (street, housenumber, x, y; ``;`` or ``,`` separated).

    German column names (Strasse/Straße, Hausnummer, Rechtswert/Hochwert) are understood;
    coordinates may be EPSG:25833 or WGS84 and go through ``validate_coordinates``.
    """
    text = Path(path).read_text(encoding="utf-8-sig")
    dialect = csv.Sniffer().sniff(text[:4096], delimiters=";,\t")
    raw = pd.read_csv(path, sep=dialect.delimiter, dtype=str, encoding="utf-8-sig")
    aliases = {
        "street": ("street", "strasse", "straße", "str"),
        "housenumber": ("housenumber", "hausnummer", "hnr", "hausnr"),
        "a": ("x", "rechtswert", "lon", "easting"),
        "b": ("y", "hochwert", "lat", "northing"),
    }
    lower = {c.strip().lower(): c for c in raw.columns}
    picked = {}
    for field, names in aliases.items():
        column = next((lower[n] for n in names if n in lower), None)
        if column is None:
            raise ValueError(
                f"{Path(path).name}: Spalte für „{field}“ fehlt (erwartet: {', '.join(names)})"
            )
        picked[field] = raw[column]
    coords = validate_coordinates(
        picked["a"].str.replace(",", ".", regex=False),
        picked["b"].str.replace(",", ".", regex=False),
    )
    return pd.DataFrame(
        {"street": picked["street"], "housenumber": picked["housenumber"],
         "x": coords["x"], "y": coords["y"]}
    )


_extras: tuple[Path | None, NominatimGeocoder | None] = (None, None)


def use_extras(address_list: Path | None, online: NominatimGeocoder | None) -> None:
    """Add an official address list and/or an online fallback to the default geocoder.

    Applied from the deployment's settings by ``reports.geography.apply_settings``.
    """
    global _extras
    if _extras != (address_list, online):
        _extras = (address_list, online)
        _default_geocoder.cache_clear()


def default_geocoder() -> Geocoder:
    """The shipped gazetteer and boundary, plus the address list / Nominatim in use."""
    return _default_geocoder(*_extras)


@cache
def _default_geocoder(address_list: Path | None, online: NominatimGeocoder | None) -> Geocoder:
    from geo.boundary import assign_ortsteil
    from geo.gazetteer import gazetteer

    addresses = load_address_list(address_list) if address_list else None
    return Geocoder(gazetteer(), assign_ortsteil, addresses, online)


def manual_placement(lon: float, lat: float, boundary_fn: BoundaryFn | None = None) -> dict:
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
    if boundary_fn is None:
        from geo.boundary import assign_ortsteil as boundary_fn
    x, y = to_metric([lon], [lat])
    ortsteil = boundary_fn(x, y)[0]
    return {"lon": lon, "lat": lat, "x": float(x[0]), "y": float(y[0]),
            "ortsteil": ortsteil, "status": "manual", "precision_m": 5.0}


def place_reports(frame: pd.DataFrame, geocoder: Geocoder | None = None) -> pd.DataFrame:
    """Fill lon/lat/x/y/ortsteil/geocode_status/precision_m of a REPORT_COLUMNS frame.

    Given coordinates (lon/lat, else x/y) take precedence and are validated (swaps and
    EPSG:25833 recognised); invalid or missing ones fall back to the address; neither ->
    "unresolved" with empty coordinates. Rows already placed by hand ("manual") are kept.
    """
    geocoder = geocoder or default_geocoder()
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
