"""The view a link restores: every part of what a page shows that a colleague needs — the
sidebar filter, the map's layers, cell size and shape, Ortsteil rates and heat map kind, the
map's centre and zoom, the clicked point (its cell) and the chosen hot spot section — as one
frozen ``ViewState`` parsed from the URL's query parameters, and written back.

Pure and forgiving: a value that is unknown, malformed or out of range never raises; it
yields a German message naming the parameter, and that parameter keeps its default (e.g.
``?von=0001-01-01`` would otherwise overflow the whole-week widening of the public view).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from datetime import date, timedelta

PRESETS = {
    "sitzung": "seit letzter Sitzung",
    "30": "letzte 30 Tage",
    "90": "letzte 90 Tage",
    "6m": "letzte 6 Monate",
    "365": "letzte 365 Tage",
    "jahr": "ein Jahr",
    "frei": "freier Zeitraum",
}
DEFAULT_PRESET = "90"
FIRST_DAY, LAST_DAY = date(2000, 1, 1), date(2100, 12, 31)
CELL_SIZES = (50, 100, 250)
SHAPES = ("square", "hex")
HEATS = ("kde", "cells")
DEFAULT_LAYERS = ("heat", "cells", "hotspots")
ZOOMS = (10, 19)  # Leaflet zoom levels at which the district is worth showing
MAX_SECTION = 120

# URL parameter of each field (lists repeat the parameter: ?thema=a&thema=b)
PARAMS = {"preset": "zeit", "year": "jahr", "start": "von", "end": "bis", "topics": "thema",
          "sources": "quelle", "categories": "kategorie", "ortsteile": "ortsteil",
          "layers": "ebenen", "cell_m": "zelle", "shape": "form", "per_1000": "je1000",
          "heat": "dichte", "centre": "mitte", "zoom": "zoom", "point": "punkt",
          "section": "abschnitt"}
LISTS = ("topics", "sources", "categories", "ortsteile", "layers")


@dataclass(frozen=True)
class ViewRules:
    """What URL values are checked against: the vocabulary's keys, the district's
    Ortsteile, the map's layers, the district's surroundings in lon/lat (west, south, east,
    north) and the day the presets count back from."""

    topics: tuple[str, ...]
    sources: tuple[str, ...]
    categories: tuple[str, ...]
    ortsteile: tuple[str, ...]
    layers: tuple[str, ...]
    bounds: tuple[float, float, float, float]
    today: date

    def default_range(self) -> tuple[date, date]:
        return self.today - timedelta(days=89), self.today


@dataclass(frozen=True)
class ViewState:
    """Everything a shared link restores (None: not chosen, the page decides)."""

    preset: str = DEFAULT_PRESET
    year: int | None = None
    start: date | None = None
    end: date | None = None
    topics: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    ortsteile: tuple[str, ...] = ()
    layers: tuple[str, ...] = DEFAULT_LAYERS
    cell_m: int = 100
    shape: str = "square"
    per_1000: bool = False
    heat: str = "kde"
    centre: tuple[float, float] | None = None  # (lat, lon)
    zoom: int | None = None
    point: tuple[float, float] | None = None  # (lat, lon) of the clicked cell
    section: str | None = None


def _values(params: Mapping[str, str | Sequence[str]], name: str) -> list[str] | None:
    raw = params.get(name)
    if raw is None:
        return None
    return [raw] if isinstance(raw, str) else [str(v) for v in raw]


def _day(text: str, name: str, problems: list[str]) -> date | None:
    try:
        day = date.fromisoformat(text.strip())
    except ValueError:
        problems.append(f"„{name}“: „{text}“ ist kein Datum (JJJJ-MM-TT); es gilt der "
                        "voreingestellte Zeitraum.")
        return None
    if not FIRST_DAY <= day <= LAST_DAY:
        problems.append(f"„{name}“: {day:%d.%m.%Y} liegt außerhalb von "
                        f"{FIRST_DAY:%d.%m.%Y} bis {LAST_DAY:%d.%m.%Y}; es gilt der "
                        "voreingestellte Zeitraum.")
        return None
    return day


def _point(text: str, name: str, rules: ViewRules, problems: list[str]
           ) -> tuple[float, float] | None:
    parts = text.split(",")
    try:
        lat, lon = (float(p) for p in parts) if len(parts) == 2 else (math.nan, math.nan)
    except ValueError:
        lat = lon = math.nan
    if not (math.isfinite(lat) and math.isfinite(lon)):
        problems.append(f"„{name}“: „{text}“ ist keine Koordinate (Breite,Länge); der "
                        "Wert wird nicht verwendet.")
        return None
    west, south, east, north = rules.bounds
    if not (west <= lon <= east and south <= lat <= north):
        problems.append(f"„{name}“: {lat:.5f}, {lon:.5f} liegt nicht im Leipziger Osten "
                        "oder seiner Umgebung; der Wert wird nicht verwendet.")
        return None
    return round(lat, 5), round(lon, 5)


def parse_view(params: Mapping[str, str | Sequence[str]], rules: ViewRules
               ) -> tuple[ViewState, tuple[str, ...]]:
    """The view of ``params`` (a query string's values, a list where a name repeats) and the
    German message for every value that was not used."""
    problems: list[str] = []
    out: dict = {}
    allowed = {"topics": rules.topics, "sources": rules.sources,
               "categories": rules.categories, "ortsteile": rules.ortsteile,
               "layers": rules.layers}
    labels = {"topics": "Thema", "sources": "Quelle", "categories": "Kategorie",
              "ortsteile": "Ortsteil", "layers": "Kartenebene"}
    for key in LISTS:
        name = PARAMS[key]
        values = _values(params, name)
        if values is None:
            continue
        items = [v.strip() for value in values for v in value.split(",") if v.strip()]
        unknown = [v for v in items if v not in allowed[key]]
        if unknown:
            problems.append(f"„{name}“: unbekannte {labels[key]} "
                            f"{', '.join(f'„{v}“' for v in unknown)} – nicht berücksichtigt.")
        out[key] = tuple(dict.fromkeys(v for v in items if v in allowed[key]))
    if (preset := _first(params, "preset")) is not None:
        if preset in PRESETS:
            out["preset"] = preset
        else:
            problems.append(f"„zeit“: „{preset}“ ist kein bekannter Zeitraum; es gilt "
                            f"„{PRESETS[DEFAULT_PRESET]}“.")
    if (year := _first(params, "year")) is not None:
        if year.strip().isdigit() and FIRST_DAY.year <= int(year) <= rules.today.year:
            out["year"] = int(year)
        else:
            problems.append(f"„jahr“: „{year}“ ist kein Jahr von {FIRST_DAY.year} bis "
                            f"{rules.today.year}; es gilt {rules.today.year}.")
    for key in ("start", "end"):
        if (text := _first(params, key)) is not None and \
                (day := _day(text, PARAMS[key], problems)) is not None:
            out[key] = day
    choices = {"cell_m": (CELL_SIZES, "Zellgröße"), "shape": (SHAPES, "Zellform"),
               "heat": (HEATS, "Heatmap")}
    for key, (options, label) in choices.items():
        if (text := _first(params, key)) is None:
            continue
        value = int(text) if key == "cell_m" and text.strip().isdigit() else text
        if value in options:
            out[key] = value
        else:
            problems.append(f"„{PARAMS[key]}“: „{text}“ ist keine {label} "
                            f"({', '.join(str(o) for o in options)}); es gilt die "
                            "Voreinstellung.")
    if (text := _first(params, "per_1000")) is not None:
        if text in ("0", "1"):
            out["per_1000"] = text == "1"
        else:
            problems.append(f"„je1000“: „{text}“ ist weder 0 noch 1.")
    if (text := _first(params, "zoom")) is not None:
        if text.strip().isdigit() and ZOOMS[0] <= int(text) <= ZOOMS[1]:
            out["zoom"] = int(text)
        else:
            problems.append(f"„zoom“: „{text}“ ist keine Zoomstufe von {ZOOMS[0]} bis "
                            f"{ZOOMS[1]}; die Karte zeigt das ganze Gebiet.")
    for key in ("centre", "point"):
        if (text := _first(params, key)) is not None and \
                (where := _point(text, PARAMS[key], rules, problems)) is not None:
            out[key] = where
    if (text := _first(params, "section")) is not None:
        cleaned = "".join(ch for ch in text if ch.isprintable()).strip()
        if cleaned and len(cleaned) <= MAX_SECTION:
            out["section"] = cleaned
        else:
            problems.append(f"„abschnitt“: kein gültiger Straßenabschnitt (höchstens "
                            f"{MAX_SECTION} Zeichen).")
    return ViewState(**out), tuple(problems)


def _first(params: Mapping[str, str | Sequence[str]], key: str) -> str | None:
    values = _values(params, PARAMS[key])
    return values[-1] if values else None


def view_params(view: ViewState) -> dict[str, str | list[str]]:
    """The query parameters of ``view``: only what differs from the defaults."""
    out: dict[str, str | list[str]] = {}
    default = ViewState()
    for f in fields(ViewState):
        key = f.name
        value = getattr(view, key)
        if value == getattr(default, key):
            continue
        name = PARAMS[key]
        if key in LISTS:
            out[name] = list(value) if value else ""  # "ebenen=": no layers at all
        elif key in ("centre", "point"):
            out[name] = f"{value[0]:.5f},{value[1]:.5f}"
        elif isinstance(value, bool):
            out[name] = "1" if value else "0"
        elif isinstance(value, date):
            out[name] = value.isoformat()
        else:
            out[name] = str(value)
    return out
