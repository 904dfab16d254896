"""Synthetic demo data: invented reports on the real streets of the Leipziger Osten.

The generator first draws the "truth" (one row per report: category, time, place) from the
structure configured in ``data/demo.toml`` — persistent hotspots, seasonality, weekday and
hour patterns, a slow trend and interventions with a known effect — and then writes it the
way each partner exports (``data/profiles/<source>.toml``): own file format, own column
names, own category wording, addresses as text or coordinates, with the typos and broken
rows real exports have. ``build_demo`` imports these files through the real pipeline, so
the demo exercises exactly what a real import does.

The demo ends yesterday (``config.clock``): the dates in ``data/demo.toml`` are a reference
calendar that ``config`` moves so its ``end`` is the given day, so a demo store is a store of
the present and nothing needs a frozen "today". Everything is drawn from one seeded
``numpy`` generator: the same seed and end day give byte-identical files.
"""

from __future__ import annotations

import csv
import functools
import io
import json
import math
import re
import tomllib
import zipfile
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import shapely
from shapely.geometry import Point

from config.clock import yesterday
from config.paths import DATA_DIR, VAR_DIR
from geo.crs import to_display, to_metric
from reports.ingest.profiles import PROFILE_DIR
from reports.model import TIMEZONE

if TYPE_CHECKING:
    from geo.geography import Geography as RealGeography

CONFIG_FILE = DATA_DIR / "demo.toml"
DEFAULT_WORKDIR = VAR_DIR / "demo-exports"
_FIXED_ZIP_TIME = (2026, 11, 1, 0, 0, 0)

# Relative weight of each hour of the day (0..23) for the configured hour patterns.
HOUR_PATTERNS = {
    "day": [.1, .05, .05, .05, .1, .3, 1, 2, 3, 3, 3, 3, 2.5, 3, 3, 2.5, 2, 1.5, 1, .7, .5, .3,
            .2, .1],
    "evening": [1.5, 1, .6, .3, .2, .2, .3, .5, .7, 1, 1, 1.2, 1.4, 1.5, 1.8, 2, 2.5, 3, 3.5,
                4, 4, 3.5, 3, 2.2],
    "night": [3, 2.5, 2, 1.2, .6, .3, .2, .3, .4, .5, .5, .6, .7, .7, .8, .9, 1, 1.2, 1.6, 2,
              2.6, 3.2, 3.6, 3.5],
    "flat": [1.0] * 24,
}
# Places somewhere else in Leipzig: the "outside the district" coordinate errors.
_OUTSIDE = [(12.2900, 51.3200), (12.3750, 51.3100), (12.3400, 51.3600), (12.3730, 51.3400)]
_BAD_DATES = ["31.02.2025", "2024-13-05", "gestern", "", "32.01.2024 10:00", "xx.06.2023"]
_UNKNOWN_CATEGORIES = ["Taubenplage", "Verkehrsunfall", "Sonstiges", "Laubbeseitigung"]


def config(path: Path = CONFIG_FILE, end: date | None = None) -> dict:
    """The demo's configuration with its calendar moved to end on ``end`` (default:
    yesterday): start, interventions and construction sites by the same number of days,
    the sessions by whole weeks (they stay on their weekday); yearly events keep their
    month and weekday."""
    cfg = tomllib.loads(path.read_text(encoding="utf-8"))
    end = end or yesterday()
    shift = end - cfg["end"]
    cfg["start"], cfg["end"] = cfg["start"] + shift, end
    for spec in cfg["interventions"]:
        spec["start"] += shift
    for spec in cfg["constructions"]:
        spec["start"], spec["end"] = spec["start"] + shift, spec["end"] + shift
    cfg["meetings"]["first"] += timedelta(weeks=shift.days // 7)
    return cfg


# --------------------------------------------------------------------------- geography


@dataclass(frozen=True)
class Geography:
    """Anchors (named places, squares, corners, streets: points), the real street courses and
    the register's addresses of the district, EPSG:25833."""

    places: dict[str, Point]
    street_names: np.ndarray  # object
    street_lines: np.ndarray  # shapely geometries
    address_xy: np.ndarray  # (n, 2) register points of the district
    address_text: np.ndarray  # object: (street, "12a") per point
    district: shapely.Geometry  # background reports stay inside it

    def street(self, name: str):
        hit = np.flatnonzero(self.street_names == name)
        if not len(hit):
            raise KeyError(f"Straße „{name}“ hat keinen Verlauf in den Geodaten (data/).")
        return self.street_lines[hit[0]]

    def anchor(self, name: str) -> Point:
        """A place, square or corner (where the geocoder puts its name), or a street's middle:
        the centre of hotspots and interventions."""
        if name in self.places:
            return self.places[name]
        return self.street(name).interpolate(0.5, normalized=True)


def _anchor_names(cfg: dict) -> set[str]:
    names = set(cfg.get("place_texts", {}))
    for category in cfg["categories"].values():
        names.update(h["at"] for h in category.get("hotspots", []) if "at" in h)
    names.update(iv["centre"] for iv in cfg.get("interventions", ())
                 if not iv.get("along_street"))
    return names


def geography(cfg: dict | None = None) -> Geography:
    """Real geography only: each anchor where the geocoder puts its name on the shipped register
    (never a typed coordinate), the real street courses and addresses inside the district.
    Always the shipped geography, whatever a deployment configures: the demo is one fixed
    data set."""
    from geo.gazetteer import street_lines
    from geo.register import load_register

    cfg = cfg or config()
    area = _district()
    geocoder = _shipped().geocoder
    places: dict[str, Point] = {}
    for name in sorted(_anchor_names(cfg)):
        found = geocoder.geocode(name)
        if found.status in ("unresolved", "outside", "fuzzy"):
            raise KeyError(f"Ort „{name}“ aus data/demo.toml liegt nicht im Gebiet der "
                           f"Geodaten ({found.status}: {found.reason}).")
        places[name] = Point(found.x, found.y)
    lines = street_lines()
    lines = lines[shapely.intersects(lines.geometry.values, area)]
    clipped = shapely.intersection(lines.geometry.values, area)
    keep = ~shapely.is_empty(clipped) & (shapely.length(clipped) > 0)
    addresses = load_register().addresses
    inside = shapely.contains_xy(area, addresses["x"].to_numpy(), addresses["y"].to_numpy())
    addresses = addresses[inside & addresses["source"].ne("register2013_way").to_numpy()]
    return Geography(
        places, lines["name"].to_numpy(object)[keep], clipped[keep],
        addresses[["x", "y"]].to_numpy("float64"),
        np.array(list(zip(addresses["street"], addresses["housenumber"], strict=True)),
                 dtype=object),
        area)


@functools.cache
def _shipped() -> RealGeography:
    """The shipped geography (read-only; its geocoder is built once per process)."""
    from geo.geography import load_geography

    return load_geography()


def _district() -> shapely.Geometry:
    area = _shipped().district
    shapely.prepare(area)
    return area


# --------------------------------------------------------------------------- interventions


@dataclass(frozen=True)
class Intervention:
    """A measure of the demo with the effect the generator puts into the data.

    ``effects`` maps category -> multiplier of the report rate inside ``area`` from ``start``
    on; ``displacement`` of the prevented reports reappear in the ring of ``ring_m`` metres
    around the area. ``area`` is in EPSG:25833: a circle around a place or a strip along a
    street (``radius_m`` wide on each side).
    """

    name: str
    kind: str
    start: date
    effects: dict[str, float]
    radius_m: float
    ring_m: float
    displacement: float
    description: str
    area: shapely.Geometry

    @property
    def categories(self) -> tuple[str, ...]:
        return tuple(self.effects)

    @property
    def ring(self) -> shapely.Geometry:
        return self.area.buffer(self.ring_m).difference(self.area)


def interventions(cfg: dict | None = None,
                  geo: Geography | None = None) -> tuple[Intervention, ...]:
    cfg = cfg or config()
    geo = geo or geography(cfg)
    out = []
    for spec in cfg["interventions"]:
        centre = geo.anchor(spec["centre"])
        radius = float(spec["radius_m"])
        shape = geo.street(spec["centre"]) if spec.get("along_street") else centre
        out.append(Intervention(
            name=spec["name"], kind=spec["kind"], start=spec["start"],
            effects={k: float(v) for k, v in spec["effects"].items()},
            radius_m=radius,
            ring_m=float(spec["ring_m"]), displacement=float(spec["displacement"]),
            description=spec["description"], area=shape.buffer(radius, 32),
        ))
    return tuple(out)




# --------------------------------------------------------------------------- truth


def generate_truth(rows: int = 30000, seed: int = 20231, end: date | None = None
                   ) -> pd.DataFrame:
    """One row per synthetic report: category, source, local time, x/y (EPSG:25833), count,
    anchor (the place or street it was drawn around), sorted by time; the last day is
    ``end`` (default: yesterday)."""
    cfg = config(end=end)
    geo = geography(cfg)
    rng = np.random.default_rng(seed)
    days = pd.date_range(cfg["start"], cfg["end"], freq="D")
    total_share = sum(c["share"] for c in cfg["categories"].values())
    frames = []
    for key, spec in cfg["categories"].items():
        n = round(rows * (1 - cfg["error_share"]) * spec["share"] / total_share)
        when = _draw_times(rng, days, spec, cfg["trend_per_year"], n)
        x, y, anchor = _draw_places(rng, geo, spec.get("hotspots", []), n)
        frames.append(pd.DataFrame({"category": key, "when": when, "x": x, "y": y,
                                    "anchor": anchor}))
    frames.append(_occasions(rng, cfg, geo, days, rows, total_share))
    truth = _apply_interventions(rng, pd.concat(frames, ignore_index=True),
                                 interventions(cfg, geo))
    # copies shifted by a few days must not reach past the last day (today has no data yet)
    truth = truth[truth["when"] < np.datetime64(cfg["end"] + timedelta(days=1))].reset_index(
        drop=True)
    truth["source"] = _draw_sources(rng, truth["category"].to_numpy(), cfg)
    mean = truth["category"].map({k: c["count"] for k, c in cfg["categories"].items()})
    truth["count"] = 1 + rng.poisson(np.maximum(mean.to_numpy() - 1, 0))
    texts = {k: c["texts"] for k, c in cfg["categories"].items()}
    pick = rng.random(len(truth))
    truth["description"] = [texts[c][int(p * len(texts[c]))]
                            for c, p in zip(truth["category"], pick, strict=True)]
    truth = truth.sort_values(["when", "category", "x"], kind="stable").reset_index(drop=True)
    lon, lat = to_display(truth["x"].to_numpy(), truth["y"].to_numpy())
    truth["lon"], truth["lat"] = lon, lat
    return truth


def _draw_times(rng, days: pd.DatetimeIndex, spec: dict, trend: float, n: int) -> np.ndarray:
    doy = days.dayofyear.to_numpy()
    season = 1 + spec["season"]["amplitude"] * np.cos(
        2 * np.pi * (doy - spec["season"]["peak_day"]) / 365.25)
    years = (days - days[0]).days.to_numpy() / 365.25
    weekend = np.where(days.weekday.to_numpy() >= 5, spec["weekend"], 1.0)
    weight = np.clip(season, 0.05, None) * (1 + trend) ** years * weekend
    day = rng.choice(len(days), size=n, p=weight / weight.sum())
    hours = np.asarray(HOUR_PATTERNS[spec["hours"]])
    hour = rng.choice(24, size=n, p=hours / hours.sum())
    minute = rng.integers(0, 60, size=n)
    return (days.to_numpy()[day] + hour.astype("timedelta64[h]")
            + minute.astype("timedelta64[m]"))


def _draw_places(rng, geo: Geography, hotspots: list[dict], n: int):
    """Mixture of hotspots (around places, along streets) and background on all streets."""
    weights = [h["weight"] for h in hotspots]
    probs = np.asarray([*weights, max(0.0, 1 - sum(weights))])
    component = rng.choice(len(probs), size=n, p=probs / probs.sum())
    x, y = np.empty(n), np.empty(n)
    anchor = np.empty(n, dtype=object)
    for i, spot in enumerate(hotspots):
        sel = np.flatnonzero(component == i)
        if "at" in spot:
            centre = geo.anchor(spot["at"])
            x[sel] = centre.x + rng.normal(0, spot["sigma_m"], len(sel))
            y[sel] = centre.y + rng.normal(0, spot["sigma_m"], len(sel))
            anchor[sel] = spot["at"]
        else:
            line = geo.street(spot["street"])
            for _ in range(20):  # redraw what falls outside the district (streets run on)
                x[sel], y[sel] = _along(rng, np.full(len(sel), line, dtype=object),
                                        spot["offset_m"])
                sel = sel[~shapely.contains_xy(geo.district, x[sel], y[sel])]
            anchor[component == i] = spot["street"]
    sel = np.flatnonzero(component == len(hotspots))
    length = shapely.length(geo.street_lines)
    while len(sel):  # background: anywhere on the streets, redrawn where outside the district
        street = rng.choice(len(length), size=len(sel), p=length / length.sum())
        x[sel], y[sel] = _along(rng, geo.street_lines[street], 12.0)
        anchor[sel] = geo.street_names[street]
        sel = sel[~shapely.contains_xy(geo.district, x[sel], y[sel])]
    return x, y, anchor


def _along(rng, lines: np.ndarray, offset_m: float):
    """Random points along ``lines``, scattered ``offset_m`` across them."""
    at = shapely.line_interpolate_point(lines, rng.random(len(lines)), normalized=True)
    return (shapely.get_x(at) + rng.normal(0, offset_m, len(lines)),
            shapely.get_y(at) + rng.normal(0, offset_m, len(lines)))


def _apply_interventions(rng, truth: pd.DataFrame, ivs) -> pd.DataFrame:
    """Thin (multiplier < 1) or add (> 1) reports inside each area from its start on."""
    for iv in ivs:
        start = np.datetime64(iv.start)
        for category, factor in iv.effects.items():
            inside = shapely.contains_xy(iv.area, truth["x"].to_numpy(), truth["y"].to_numpy())
            hit = ((truth["category"].to_numpy() == category) & inside
                   & (truth["when"].to_numpy() >= start))
            idx = np.flatnonzero(hit)
            if factor < 1:
                drop = idx[rng.random(len(idx)) < 1 - factor]
                moved = drop[rng.random(len(drop)) < iv.displacement]
                truth.loc[moved, "x"], truth.loc[moved, "y"] = _uniform_in(rng, iv.ring, len(moved))
                truth = truth.drop(index=np.setdiff1d(drop, moved)).reset_index(drop=True)
            elif factor > 1:
                copies = truth.loc[idx[rng.random(len(idx)) < factor - 1]].copy()
                copies["x"] += rng.normal(0, 15, len(copies))
                copies["y"] += rng.normal(0, 15, len(copies))
                shift = rng.integers(-3, 4, len(copies)).astype("timedelta64[D]")
                copies["when"] = np.maximum(copies["when"].to_numpy() + shift, start)
                truth = pd.concat([truth, copies], ignore_index=True)
    return truth


def _uniform_in(rng, area, n: int) -> tuple[np.ndarray, np.ndarray]:
    """``n`` uniform random points inside ``area`` (rejection sampling in its bounds)."""
    x0, y0, x1, y1 = area.bounds
    xs, ys = np.empty(0), np.empty(0)
    while len(xs) < n:
        x, y = rng.uniform(x0, x1, 4 * n + 16), rng.uniform(y0, y1, 4 * n + 16)
        keep = shapely.contains_xy(area, x, y)
        xs, ys = np.concatenate([xs, x[keep]]), np.concatenate([ys, y[keep]])
    return xs[:n], ys[:n]


def _occasions(rng, cfg, geo, days, rows, total_share) -> pd.DataFrame:
    """Extra reports of street festivals and construction sites near their centre."""
    spans = []
    for ev in cfg["events"]:
        for year in sorted(set(days.year)):
            first = _nth_weekday(year, ev["month"], ev["weekday"], ev["week"])
            spans.append((ev, first, first + timedelta(days=ev["days"] - 1)))
    spans += [(c, c["start"], c["end"]) for c in cfg["constructions"]]
    frames = []
    for spec, first, last in spans:
        centre = geo.anchor(spec["centre"])
        span_days = pd.date_range(first, last, freq="D")
        for category, boost in spec["boost"].items():
            per_day = rows * cfg["categories"][category]["share"] / total_share / len(days)
            n = rng.poisson((boost - 1) * per_day * len(span_days))
            hours = np.asarray(HOUR_PATTERNS[cfg["categories"][category]["hours"]])
            when = (span_days.to_numpy()[rng.integers(0, len(span_days), n)]
                    + rng.choice(24, n, p=hours / hours.sum()).astype("timedelta64[h]")
                    + rng.integers(0, 60, n).astype("timedelta64[m]"))
            r = spec["radius_m"] * np.sqrt(rng.random(n))
            angle = rng.uniform(0, 2 * np.pi, n)
            frames.append(pd.DataFrame({
                "category": category, "when": when, "x": centre.x + r * np.cos(angle),
                "y": centre.y + r * np.sin(angle), "anchor": spec["centre"]}))
    return pd.concat(frames, ignore_index=True)


def _nth_weekday(year: int, month: int, weekday: int, week: int) -> date:
    first = date(year, month, 1)
    return first + timedelta(days=(weekday - first.weekday()) % 7 + 7 * (week - 1))


def _draw_sources(rng, categories: np.ndarray, cfg: dict) -> np.ndarray:
    out = np.empty(len(categories), dtype=object)
    for key, spec in cfg["categories"].items():
        sel = np.flatnonzero(categories == key)
        names = list(spec["sources"])
        probs = np.asarray([spec["sources"][s] for s in names])
        out[sel] = np.asarray(names, dtype=object)[rng.choice(len(names), len(sel),
                                                              p=probs / probs.sum())]
    return out


# --------------------------------------------------------------------------- addresses


def _addresses(rng, truth: pd.DataFrame, geo: Geography, cfg: dict) -> np.ndarray:
    """Address text as partners write it: the real register address nearest to the report.

    Near a place the place's name (in a partner's wording) for a part of the rows; near a
    crossing sometimes the corner; else the nearest real address. Some are written messily
    (abbreviations, typos).
    """
    from scipy.spatial import cKDTree

    n = len(truth)
    xy = truth[["x", "y"]].to_numpy("float64")
    _, nearest = cKDTree(geo.address_xy).query(xy)
    street, number = np.array(geo.address_text[nearest].tolist(), dtype=object).T
    points = shapely.points(xy)
    tree = shapely.STRtree(geo.street_lines)
    texts = cfg["place_texts"]
    anchors = truth["anchor"].to_numpy()
    use_place = np.isin(anchors, list(texts)) & (rng.random(n) < 0.35)
    close = tree.query(points, predicate="dwithin", distance=30.0)
    corners: dict[int, str] = {}
    for i, j in zip(*close, strict=True):
        other = geo.street_names[j]
        if other != street[i] and i not in corners:
            corners[i] = other
    roll = rng.random((n, 4))
    out = np.empty(n, dtype=object)
    for i in range(n):
        if use_place[i]:
            variants = texts[anchors[i]]
            out[i] = variants[int(roll[i, 0] * len(variants))]
            continue
        if i in corners and roll[i, 0] < 0.08:
            out[i] = _corner(street[i], corners[i], roll[i, 1])
            continue
        out[i] = f"{_messy(street[i], roll[i, 1], roll[i, 2])} {number[i]}"
        if roll[i, 3] > 0.92:
            out[i] += ", Leipzig"
    return out


def _corner(a: str, b: str, roll: float) -> str:
    if roll < 0.5 and a.endswith("straße") and b.endswith("straße"):
        return f"Ecke {a.removesuffix('straße').rstrip('-')}-/{b}"
    return f"{a} Ecke {b}"


def _messy(name: str, roll: float, roll2: float) -> str:
    if roll < 0.20:
        return name.replace("straße", "str.").replace("Straße", "Str.")
    if roll < 0.24:
        return name.replace("ß", "ss")
    if roll < 0.27 and len(name) > 6:
        k = 2 + int(roll2 * (len(name) - 4))  # swap two letters in the middle
        return name[:k] + name[k + 1] + name[k] + name[k + 2:]
    if roll < 0.29:
        return name.lower()
    return name


# --------------------------------------------------------------------------- exports


@dataclass
class _Rows:
    """One source's rows, prepared for its writer (all aligned arrays)."""

    ids: list[str]
    local: pd.Series  # tz-aware Europe/Berlin
    category: list[str]  # the partner's wording
    address: np.ndarray
    lon: np.ndarray  # NaN where the row carries no coordinates; some swapped with lat
    lat: np.ndarray
    swapped: np.ndarray  # bool: the two coordinates are written in each other's column
    count: np.ndarray
    description: np.ndarray
    bad_date: dict[int, str]  # row -> broken date text


_COORD_SHARE = {"polizei": 0.3, "stadtreinigung": 0.6, "strassensozialarbeit": 0.4,
                "stadtordnungsdienst": 0.5, "suchthilfe": 0.0, "fachamt": 0.85, "buerger": 0.7,
                "quartiersmanagement": 0.0}
_FILES = {"polizei": "polizei_vorgaenge.csv", "stadtreinigung": "stadtreinigung_auftraege.xlsx",
          "strassensozialarbeit": "strassensozialarbeit_dokumentation.csv",
          "stadtordnungsdienst": "stadtordnungsdienst_einsaetze.csv",
          "suchthilfe": "suchthilfe_funde.csv", "fachamt": "fachamt_maengel.geojson",
          "buerger": "buerger_maengelmelder.json",
          "quartiersmanagement": "quartiersmanagement_beobachtungen.csv"}


def generate_exports(out_dir, rows: int = 30000, seed: int = 20231,
                     end: date | None = None) -> list[tuple[Path, str]]:
    """Write every partner's export of the synthetic truth into ``out_dir``.

    Returns (path, source) in a fixed order. About ``rows`` rows in all, of which about
    0.3 % are broken on purpose (bad date, unknown category) so the quarantine has content.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    cfg = config(end=end)
    geo = geography(cfg)
    truth = generate_truth(rows, seed, cfg["end"])
    rng = np.random.default_rng([seed, 1])
    truth["address"] = _addresses(rng, truth, geo, cfg)
    written = []
    for source in _FILES:
        part = truth[truth["source"] == source].reset_index(drop=True)
        prepared = _prepare(rng, part, source, cfg)
        path = out_dir / _FILES[source]
        path.write_bytes(_WRITERS[source](prepared))
        written.append((path, source))
    return written


def _prepare(rng, part: pd.DataFrame, source: str, cfg: dict) -> _Rows:
    n = len(part)
    wording: dict[str, list[str]] = {}  # category key -> the partner's words for it
    raw = tomllib.loads((PROFILE_DIR / f"{source}.toml").read_text(encoding="utf-8"))
    for label, key in raw["categories"].items():
        wording.setdefault(key, []).append(label)
    pick = rng.random(n)
    category = [wording[c][int(p * len(wording[c]))]
                for c, p in zip(part["category"], pick, strict=True)]
    local = pd.DatetimeIndex(part["when"]).tz_localize(
        TIMEZONE, ambiguous=np.zeros(n, dtype=bool), nonexistent="shift_forward"
    ).to_series(index=range(n))
    lon = part["lon"].to_numpy() + rng.normal(0, 8e-5, n)  # GPS noise of ~8 m
    lat = part["lat"].to_numpy() + rng.normal(0, 5e-5, n)
    has = rng.random(n) < _COORD_SHARE[source]
    errors = cfg["coordinate_errors"]
    roll = rng.random(n)
    swapped = has & (roll < errors["swapped"])
    outside = has & (roll >= errors["swapped"]) & (roll < errors["swapped"] + errors["outside"])
    far = np.asarray(_OUTSIDE)[rng.integers(0, len(_OUTSIDE), n)]
    lon, lat = np.where(outside, far[:, 0], lon), np.where(outside, far[:, 1], lat)
    lon, lat = np.where(has, lon, np.nan), np.where(has, lat, np.nan)
    lon, lat = np.where(swapped, lat, lon), np.where(swapped, lon, lat)
    address = part["address"].to_numpy().copy()
    # Rows with coordinates often leave the address empty (app reports, GPS devices).
    address[has & (rng.random(n) < 0.5)] = ""
    broken = np.flatnonzero(rng.random(n) < cfg["error_share"])
    bad_date = {}
    for k, i in enumerate(broken):
        if k % 2:
            category[i] = _UNKNOWN_CATEGORIES[int(rng.integers(len(_UNKNOWN_CATEGORIES)))]
        else:
            bad_date[int(i)] = _BAD_DATES[int(rng.integers(len(_BAD_DATES)))]
    year = local.dt.year.to_numpy()
    seq = pd.Series(year).groupby(year).cumcount().to_numpy() + 1
    ids = [_ID_FORMATS[source](int(y), int(s), i + 1)
           for i, (y, s) in enumerate(zip(year, seq, strict=True))]
    return _Rows(ids, local, category, address, lon, lat, swapped, part["count"].to_numpy(),
                 part["description"].to_numpy(), bad_date)


_ID_FORMATS = {
    "polizei": lambda y, s, i: f"VG-{y}-{s:06d}",
    "stadtreinigung": lambda y, s, i: f"A{y}{s:05d}",
    "strassensozialarbeit": lambda y, s, i: f"SSA-{i:05d}",
    "stadtordnungsdienst": lambda y, s, i: f"SOD-{y}-{s:05d}",
    "suchthilfe": lambda y, s, i: str(i),
    "fachamt": lambda y, s, i: f"FA-{y}-{s:05d}",
    "buerger": lambda y, s, i: str(100000 + i),
    "quartiersmanagement": lambda y, s, i: f"QM-{i:04d}",
}


def _times(r: _Rows, fmt: str) -> list[str]:
    text = r.local.dt.strftime(fmt).tolist()
    for i, bad in r.bad_date.items():
        text[i] = bad
    return text


def _num(values: np.ndarray, decimals: int, comma: bool) -> list[str]:
    out = [("" if math.isnan(v) else f"{v:.{decimals}f}") for v in values]
    return [s.replace(".", ",") for s in out] if comma else out


def _csv(columns: dict[str, list], sep: str, encoding: str, crlf: bool = False) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=sep, lineterminator="\r\n" if crlf else "\n",
                        quoting=csv.QUOTE_MINIMAL)
    writer.writerow(columns)
    writer.writerows(zip(*columns.values(), strict=True))
    return buffer.getvalue().encode(encoding, errors="replace")


def _write_polizei(r: _Rows) -> bytes:
    lon, lat = np.where(r.swapped, r.lat, r.lon), np.where(r.swapped, r.lon, r.lat)
    x, y = to_metric(lon, lat)  # a swap in this export mixes up Rechtswert and Hochwert
    x, y = np.where(r.swapped, y, x), np.where(r.swapped, x, y)
    return _csv({"Vorgangsnummer": r.ids, "Tatzeit": _times(r, "%d.%m.%Y %H:%M"),
                 "Tatort": list(r.address), "Delikt": r.category,
                 "Sachverhalt": list(r.description), "Rechtswert": _num(x, 2, True),
                 "Hochwert": _num(y, 2, True)}, ";", "cp1252", crlf=True)


def _write_strassensozialarbeit(r: _Rows) -> bytes:
    return _csv({"ID": r.ids, "Zeitpunkt": _times(r, "%Y-%m-%dT%H:%M"), "Ort": list(r.address),
                 "Kategorie": r.category, "Personen": r.count.tolist(),
                 "Notiz": list(r.description), "Breitengrad": _num(r.lat, 6, False),
                 "Längengrad": _num(r.lon, 6, False)}, ",", "utf-8-sig")


def _write_stadtordnungsdienst(r: _Rows) -> bytes:
    return _csv({"Einsatz-Nr": r.ids, "Einsatzzeit": _times(r, "%d.%m.%Y %H:%M"),
                 "Einsatzort": list(r.address), "Feststellung": r.category,
                 "Bemerkung": list(r.description), "Breite": _num(r.lat, 6, True),
                 "Länge": _num(r.lon, 6, True)}, "\t", "utf-8")


def _write_suchthilfe(r: _Rows) -> bytes:
    return _csv({"Lfd. Nr.": r.ids, "Datum": _times(r, "%d.%m.%Y %H:%M"),
                 "Fundort": list(r.address), "Art": r.category, "Anzahl": r.count.tolist(),
                 "Bemerkung": list(r.description)}, ";", "utf-8")


def _write_quartiersmanagement(r: _Rows) -> bytes:
    return _csv({"Nr": r.ids, "Datum": _times(r, "%d.%m.%Y"), "Ort": list(r.address),
                 "Thema": r.category, "Beobachtung": list(r.description)}, ";", "cp1252",
                crlf=True)


def _write_fachamt(r: _Rows) -> bytes:
    times = _times(r, "%Y-%m-%d")
    features = []
    for i in range(len(r.ids)):
        geometry = (None if math.isnan(r.lon[i]) else
                    {"type": "Point", "coordinates": [round(float(r.lon[i]), 6),
                                                      round(float(r.lat[i]), 6)]})
        features.append({"type": "Feature", "geometry": geometry, "properties": {
            "vorgang": r.ids[i], "eingang": times[i], "thema": r.category[i],
            "adresse": r.address[i] or None, "beschreibung": r.description[i]}})
    doc = {"type": "FeatureCollection", "name": "maengelmeldungen_leipziger_osten",
           "features": features}
    return json.dumps(doc, ensure_ascii=False, indent=1).encode("utf-8")


def _write_buerger(r: _Rows) -> bytes:
    stamps = [t.isoformat() for t in r.local]
    for i, bad in r.bad_date.items():
        stamps[i] = bad
    codes = {label: f"{k:03d}" for k, label in enumerate(sorted(set(r.category)), start=1)}
    requests = []
    for i in range(len(r.ids)):
        item = {"service_request_id": r.ids[i], "status": "closed",
                "service_code": codes[r.category[i]], "service_name": r.category[i],
                "description": r.description[i], "requested_datetime": stamps[i],
                "address": r.address[i] or None}
        if not math.isnan(r.lon[i]):
            item["lat"], item["long"] = round(float(r.lat[i]), 6), round(float(r.lon[i]), 6)
        requests.append(item)
    return json.dumps(requests, ensure_ascii=False, indent=1).encode("utf-8")


def _write_stadtreinigung(r: _Rows) -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "Aufträge"
    ws.append(["Auftragsnr", "Datum", "Standort", "Art", "Menge", "Bemerkung", "lat", "lon"])
    naive = r.local.dt.tz_localize(None).dt.to_pydatetime()
    for i in range(len(r.ids)):
        when = r.bad_date.get(i, naive[i])
        ws.append([r.ids[i], when, r.address[i] or None, r.category[i], int(r.count[i]),
                   r.description[i], None if math.isnan(r.lat[i]) else round(float(r.lat[i]), 6),
                   None if math.isnan(r.lon[i]) else round(float(r.lon[i]), 6)])
        if not isinstance(when, str):
            ws.cell(row=i + 2, column=2).number_format = "DD.MM.YYYY HH:MM"
    wb.properties.creator = "Stadtreinigung Leipzig"
    wb.properties.created = wb.properties.modified = datetime(2026, 11, 1)
    buffer = io.BytesIO()
    wb.save(buffer)
    return _reproducible_zip(buffer.getvalue())


def _reproducible_zip(data: bytes) -> bytes:
    """XLSX without the save time openpyxl writes into the zip and the core properties."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            content = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                content = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>2026-11-01T00:00:00Z",
                                 content)
            dst.writestr(zipfile.ZipInfo(info.filename, _FIXED_ZIP_TIME), content,
                         zipfile.ZIP_DEFLATED)
    return out.getvalue()


_WRITERS = {
    "polizei": _write_polizei, "stadtreinigung": _write_stadtreinigung,
    "strassensozialarbeit": _write_strassensozialarbeit,
    "stadtordnungsdienst": _write_stadtordnungsdienst, "suchthilfe": _write_suchthilfe,
    "fachamt": _write_fachamt, "buerger": _write_buerger,
    "quartiersmanagement": _write_quartiersmanagement,
}


# --------------------------------------------------------------------------- demo store


def meeting_dates(cfg: dict | None = None) -> list[date]:
    cfg = cfg or config()
    spec = cfg["meetings"]
    out, day = [], spec["first"]
    while day <= cfg["end"]:
        out.append(day)
        day += timedelta(days=spec["every_days"])
    return out


def calendar_notes(cfg: dict | None = None) -> list[tuple[date, date | None, str, str]]:
    """(starts_on, ends_on, kind, label) of the demo's measures, events and construction."""
    cfg = cfg or config()
    out: list[tuple[date, date | None, str, str]] = [
        (iv["start"], None, "measure", iv["name"]) for iv in cfg["interventions"]]
    for ev in cfg["events"]:
        for year in range(cfg["start"].year, cfg["end"].year + 1):
            first = _nth_weekday(year, ev["month"], ev["weekday"], ev["week"])
            out.append((first, first + timedelta(days=ev["days"] - 1), ev["kind"], ev["label"]))
    out += [(c["start"], c["end"], c["kind"], c["label"]) for c in cfg["constructions"]]
    return sorted(out, key=lambda a: (a[0], a[3]))
