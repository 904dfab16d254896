"""Forms of addresses as people write them that name more than a street: an Ortsteil or former
village beside the street ("Schönefeld, Volbedingstraße 5", "Kirchweg 3, Engelsdorf"), and
words that name a kind of place rather than a place ("Rathaus", "Park", "Schule").

An Ortsteil beside a street is a filter on the street, never a place of its own elsewhere: the
street is looked for among the register's addresses inside the area. A single generic word is
never matched on its own ("Technisches Rathaus" is not "Rathausstraße"). Plain functions on
arrays and keys; the geocoder passes its index in.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import shapely

# Name keys (``geo.normalize.name_key``) of words that name a kind of place. Alone they name
# nothing in particular; at the end of a name they say it is no street ("Reudnitzer Park" is
# not "Reudnitzer Straße").
PLACE_WORDS = (
    "park", "garten", "platz", "markt", "anlage", "hain", "wiese", "teich", "friedhof",
    "kirche", "kapelle", "schule", "grundschule", "oberschule", "gymnasium", "kita",
    "kindergarten", "hort", "bahnhof", "sbahnhof", "haltestelle", "haltepunkt", "station",
    "rathaus", "turnhalle", "sporthalle", "halle", "spielplatz", "sportplatz", "stadion",
    "bad", "schwimmhalle", "bibliothek", "museum", "krankenhaus", "klinik", "muehle", "brunnen",
    "bruecke", "denkmal", "center", "zentrum", "haus", "hof", "siedlung", "kleingarten",
    "kleingartenanlage", "gaststaette", "kaufhalle", "supermarkt",
)
_LONGEST_FIRST = tuple(sorted(PLACE_WORDS, key=len, reverse=True))
_AREA_PREFIX = re.compile(r"^(?:leipzig|ortsteil|ot|stadtteil)+")  # "Leipzig-Stünz"
IN_AREA_STEP_M = 30.0  # a same-side neighbour one number step away inside the area
IN_AREA_BASE_M = 20.0
IN_AREA_MARGIN_M = 30.0  # an unknown number may lie a plot beyond the known ones
NEAREST_STEPS = 2
AREA_EDGE_M = 30.0  # houses on a border street may stand just across the line
IN_AREA_MIN_STREET_M = 100.0  # a number not in the register: a block either way at least


def is_generic(key: str) -> bool:
    """A name key that is only a kind of place: "rathaus", "park", "sbahnhof"."""
    return key in PLACE_WORDS


def place_word(key: str) -> str:
    """The kind-of-place word a name ends in ("reudnitzerpark" -> "park"), else ""."""
    if not key.endswith(_LONGEST_FIRST):  # one C call: most keys end in no such word
        return ""
    return next(word for word in _LONGEST_FIRST if key.endswith(word))


def area_key(key: str) -> str:
    """The key of a written area without "Leipzig-" / "Ortsteil" in front."""
    return _AREA_PREFIX.sub("", key)


@dataclass(frozen=True)
class InArea:
    """A house number (or the street) placed among a street's addresses inside an area."""

    how: str  # "exact", "nearest" or "street"
    x: float
    y: float
    precision_m: float
    number: int


def within(xy: np.ndarray, centre: tuple[float, float], radius: float,
           outline: shapely.Geometry | None = None) -> np.ndarray:
    """Which points lie in an area: inside its outline widened by AREA_EDGE_M (houses on a
    border street), or within ``radius`` of its ``centre`` where no outline is known."""
    if outline is None or outline.is_empty:
        return np.hypot(xy[:, 0] - centre[0], xy[:, 1] - centre[1]) <= radius
    return shapely.contains_xy(outline, xy[:, 0], xy[:, 1]) | (
        shapely.distance(outline, shapely.points(xy)) <= AREA_EDGE_M)


def place_in_area(xy: np.ndarray, numbers: np.ndarray, precision: np.ndarray, number: int,
                  here: np.ndarray) -> InArea | None:
    """House ``number`` (-1: none) among one street's register addresses (``xy``, ``numbers``,
    ``precision``) that lie in the area (``here``, see ``within``); None where none does.

    The exact number, else the nearest number of the same side within NEAREST_STEPS steps,
    else the street's stretch inside the area (its address nearest their middle, with the
    radius that holds them)."""
    if not here.any():
        return None
    xy, numbers, precision = xy[here], numbers[here], precision[here]
    if number > 0:
        exact = np.flatnonzero(numbers == number)
        if exact.size:
            i = exact[np.argmin(precision[exact])]
            return InArea("exact", float(xy[i, 0]), float(xy[i, 1]), float(precision[i]), number)
        side = np.flatnonzero(numbers % 2 == number % 2)
        if side.size:
            steps = np.abs(numbers[side] - number) // 2
            i = side[np.argmin(steps)]
            if steps.min() <= NEAREST_STEPS:
                return InArea("nearest", float(xy[i, 0]), float(xy[i, 1]),
                              IN_AREA_BASE_M + IN_AREA_STEP_M * float(steps.min()),
                              int(numbers[i]))
    middle = xy[np.argmin(np.hypot(*(xy - xy.mean(axis=0)).T))]
    reach = max(IN_AREA_MIN_STREET_M,
                float(np.ceil(np.hypot(*(xy - middle).T).max())) + IN_AREA_MARGIN_M)
    return InArea("street", float(middle[0]), float(middle[1]), reach, -1)
