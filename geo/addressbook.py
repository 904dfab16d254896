"""House numbers on the real register: exact points, interpolation between real neighbours, and
a street's own extent — vectorised over many (street, number, suffix) at once.

Order of trust for one house number on one street:

1. the register point of that number (with or without the asked suffix) where it is
   building-exact (OSM 2025 building, 2013 address node, or an official list);
2. else interpolation between the nearest real numbers below and above *on the same side*
   (same parity) — or the nearest real number of that side a few numbers away;
3. a coarse 2013 way point of that number, where it holds less than the interpolation;
4. else the street's own extent: the point nearest the middle of its addresses with the
   radius that holds them (or of its line, where it has no addresses).

Every precision is a radius that holds the true point for the large majority of real
addresses; bench/bench_geocode_real.py measures that on held-back register addresses.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import shapely

from geo.normalize import SUFFIXES
from geo.street_sides import onto_side

# Interpolation between two real neighbours: plots differ in width, so the error grows with
# the distance between the neighbours; calibrated on held-back addresses (bench/).
INTERPOLATION_BASE_M = 20.0
INTERPOLATION_GAP_SHARE = 0.6
INTERPOLATION_MAX_GAP_M = 400.0  # neighbours further apart are not on one stretch of street
NEAREST_MAX_STEPS = 2  # same-side numbers away (4 house numbers) for the one-sided case
NEAREST_STEP_M = 30.0  # a plot or two: how far each same-side number may move the point
SUFFIX_MISSING_M = 30.0  # "12a" answered by "12": the rear or side building of the plot
STREET_MARGIN_M = 30.0  # an unknown number may lie a plot beyond the known ones
MIN_STREET_RADIUS_M = 25.0
COARSE_SOURCE = "register2013_way"
NUMBER_LIMIT = 10_000
SUFFIX_COUNT = len(SUFFIXES)

# how a number was placed (reason codes; the geocoder turns them into German text)
(EXACT, EXACT_NO_SUFFIX, EXACT_OTHER_SUFFIX, BETWEEN, NEAREST, COARSE, STREET, NO_POSITION,
 BETWEEN_SIDES) = range(9)
CROSS_STREET_M = 20.0  # neighbours taken from both sides: the point may be across the street


def address_code(street, number, suffix):
    """(street id, house number < 10,000, suffix index) -> one int64, also on arrays."""
    return (np.asarray(street, "int64") * NUMBER_LIMIT + number) * SUFFIX_COUNT + suffix


@dataclass(frozen=True)
class Placed:
    """Arrays, one entry per asked number: point, radius, how (reason code), and for BETWEEN /
    NEAREST the real numbers used."""

    x: np.ndarray
    y: np.ndarray
    precision_m: np.ndarray
    how: np.ndarray
    low: np.ndarray
    high: np.ndarray


class AddressBook:
    """Register addresses indexed by street id (``street_ids``: one id per address row)."""

    def __init__(self, addresses: pd.DataFrame, street_ids: np.ndarray, n_streets: int,
                 lines: np.ndarray) -> None:
        number = addresses["number"].to_numpy("int64")
        suffix = np.array([SUFFIXES.index(s) if s in SUFFIXES else 0
                           for s in addresses["suffix"].fillna("").astype(str)], "int64")
        xy = addresses[["x", "y"]].to_numpy("float64")
        precision = addresses["precision_m"].to_numpy("float64")
        coarse = addresses["source"].eq(COARSE_SOURCE).to_numpy()
        ok = (street_ids >= 0) & (number > 0) & (number < NUMBER_LIMIT) & np.isfinite(xy).all(1)
        street_ids, number, suffix = street_ids[ok], number[ok], suffix[ok]
        xy, precision, coarse = xy[ok], precision[ok], coarse[ok]
        codes = address_code(street_ids, number, suffix)
        order = np.argsort(codes, kind="stable")
        self._codes, self._xy = codes[order], xy[order]
        self._precision, self._coarse = precision[order], coarse[order]
        self._number = number[order]
        # building-exact points by (street, side, number) for interpolation
        good = ~coarse
        side_key = (street_ids * 2 + number % 2) * NUMBER_LIMIT + number
        order = np.argsort(side_key[good], kind="stable")
        self._side_keys = side_key[good][order]
        self._side_xy = xy[good][order]
        self._side_number = number[good][order]
        any_key = street_ids * NUMBER_LIMIT + number
        order = np.argsort(any_key[good], kind="stable")
        self._any_keys, self._any_xy = any_key[good][order], xy[good][order]
        self._any_number = number[good][order]
        self._extent = self._extents(street_ids, xy, n_streets, lines)
        self._lines = lines

    @staticmethod
    def _extents(street_ids: np.ndarray, xy: np.ndarray, n_streets: int,
                 lines: np.ndarray) -> np.ndarray:
        """(x, y, radius) per street: the address nearest the mean of its addresses and the
        radius that holds them all; a line's middle and half length where there are none."""
        extent = np.full((n_streets, 3), np.nan)
        for sid, rows in pd.Series(np.arange(len(xy))).groupby(street_ids).indices.items():
            pts = xy[rows]
            centre = pts[np.argmin(np.hypot(*(pts - pts.mean(axis=0)).T))]
            radius = np.hypot(*(pts - centre).T).max()
            extent[sid] = (*centre, max(MIN_STREET_RADIUS_M,
                                        float(np.ceil(radius)) + STREET_MARGIN_M))
        for sid in np.flatnonzero(np.isnan(extent[:, 0])):
            line = lines[sid]
            if line is None or line.is_empty:
                continue
            main = max(getattr(line, "geoms", [line]), key=lambda g: g.length)
            middle = main.interpolate(0.5, normalized=True)
            far = np.hypot(*(shapely.get_coordinates(line) - (middle.x, middle.y)).T).max()
            extent[sid] = (middle.x, middle.y, max(MIN_STREET_RADIUS_M, float(np.ceil(far))))
        return extent

    def has_position(self, street: np.ndarray) -> np.ndarray:
        return ~np.isnan(self._extent[street, 0])

    def extent(self, street: np.ndarray) -> np.ndarray:
        return self._extent[street]

    def _lookup(self, street, number, suffix) -> np.ndarray:
        """Row of the exact (street, number, suffix), -1 where absent."""
        if not self._codes.size:
            return np.full(len(street), -1)
        wanted = address_code(street, number, suffix)
        at = np.searchsorted(self._codes, wanted).clip(max=self._codes.size - 1)
        return np.where(self._codes[at] == wanted, at, -1)

    def _first_suffix(self, street, number) -> np.ndarray:
        """Row of the first lettered variant (12a, 12b, ...) of a number, -1 where none."""
        if not self._codes.size:
            return np.full(len(street), -1)
        at = np.searchsorted(self._codes, address_code(street, number, 1))
        at = at.clip(max=self._codes.size - 1)
        same = self._codes[at] // SUFFIX_COUNT == address_code(street, number, 0) // SUFFIX_COUNT
        return np.where(same, at, -1)

    def place(self, street: np.ndarray, number: np.ndarray, suffix: np.ndarray) -> Placed:
        """Place house ``number`` (-1: none) with ``suffix`` index on street ids ``street``."""
        n = len(street)
        x, y = np.full(n, np.nan), np.full(n, np.nan)
        precision = np.full(n, np.nan)
        how = np.full(n, STREET, "int64")
        low, high = np.full(n, -1, "int64"), np.full(n, -1, "int64")
        numbered = (number > 0) & (number < NUMBER_LIMIT)
        todo = numbered.copy()
        coarse_row = np.full(n, -1)

        def take(hit, rows, code, extra=0.0):
            x[hit], y[hit] = self._xy[rows[hit]].T
            precision[hit] = self._precision[rows[hit]] + extra
            how[hit] = code
            todo[hit] = False

        for rows, code, extra in (
            (self._lookup(street, number, suffix), EXACT, 0.0),
            (np.where(suffix > 0, self._lookup(street, number, np.zeros_like(suffix)), -1),
             EXACT_NO_SUFFIX, SUFFIX_MISSING_M),
            (np.where(suffix == 0, self._first_suffix(street, number), -1),
             EXACT_OTHER_SUFFIX, SUFFIX_MISSING_M),
        ):
            found = todo & (rows >= 0)
            coarse = found & self._coarse[rows.clip(0)]
            coarse_row[coarse & (coarse_row < 0)] = rows[coarse & (coarse_row < 0)]
            take(found & ~coarse, rows, code, extra)
        self._interpolate(street, number, todo, x, y, precision, how, low, high)
        # a coarse way point wins where it holds less than the interpolation (or there is none)
        coarse = (coarse_row >= 0) & ~(precision <= self._precision[coarse_row.clip(0)])
        coarse &= numbered & np.isin(how, (STREET, BETWEEN, NEAREST, BETWEEN_SIDES))
        if coarse.any():
            x[coarse], y[coarse] = self._xy[coarse_row[coarse]].T
            precision[coarse] = self._precision[coarse_row[coarse]]
            how[coarse] = COARSE
        street_only = np.isnan(x)
        ext = self._extent[street[street_only]]
        x[street_only], y[street_only], precision[street_only] = ext.T
        how[street_only & np.isnan(x)] = NO_POSITION
        return Placed(x, y, precision, how, low, high)

    def _interpolate(self, street, number, todo, x, y, precision, how, low, high) -> None:
        """Between the nearest real numbers of the same side, else next to the nearest one."""
        idx = np.flatnonzero(todo)
        if idx.size == 0 or self._side_keys.size == 0:
            return
        group = street[idx] * 2 + number[idx] % 2
        key = group * NUMBER_LIMIT + number[idx]
        size = self._side_keys.size
        below = np.searchsorted(self._side_keys, key, side="left") - 1
        above = np.searchsorted(self._side_keys, key, side="right")
        has_below = (below >= 0) & (self._side_keys[below.clip(0)] // NUMBER_LIMIT == group)
        has_above = (above < size) & (
            self._side_keys[above.clip(max=size - 1)] // NUMBER_LIMIT == group)
        b, a = below.clip(0), above.clip(max=size - 1)
        nb, na = self._side_number[b], self._side_number[a]
        pb, pa = self._side_xy[b], self._side_xy[a]
        gap = np.hypot(*(pa - pb).T)
        both = has_below & has_above & (gap <= INTERPOLATION_MAX_GAP_M)
        with np.errstate(divide="ignore", invalid="ignore"):
            share = np.where(na > nb, (number[idx] - nb) / (na - nb), 0.5)
        point = pb + share[:, None] * (pa - pb)
        i = idx[both]
        x[i], y[i] = point[both].T
        precision[i] = np.ceil(INTERPOLATION_BASE_M + INTERPOLATION_GAP_SHARE * gap[both])
        how[i], low[i], high[i] = BETWEEN, nb[both], na[both]
        # one side only (or neighbours too far apart): the nearest real number of this side
        steps_b = np.where(has_below, (number[idx] - nb) // 2, NUMBER_LIMIT)
        steps_a = np.where(has_above, (na - number[idx]) // 2, NUMBER_LIMIT)
        use_below = steps_b <= steps_a
        steps = np.minimum(steps_b, steps_a)
        near = ~both & (steps <= NEAREST_MAX_STEPS)
        i = idx[near]
        chosen = np.where(use_below[:, None], pb, pa)[near]
        x[i], y[i] = chosen.T
        precision[i] = INTERPOLATION_BASE_M + NEAREST_STEP_M * steps[near]
        how[i] = NEAREST
        low[i] = np.where(use_below, nb, na)[near]
        # neither: the nearest real numbers below and above on either side of the street
        rest = ~both & ~near
        if rest.any():
            self._between_sides(street, number, idx[rest], x, y, precision, how, low, high)

    def _between_sides(self, street, number, idx, x, y, precision, how, low, high) -> None:
        key = street[idx] * NUMBER_LIMIT + number[idx]
        size = self._any_keys.size
        below = np.searchsorted(self._any_keys, key, side="left") - 1
        above = np.searchsorted(self._any_keys, key, side="right")
        b, a = below.clip(0), above.clip(max=size - 1)
        ok = ((below >= 0) & (above < size) & (self._any_keys[b] // NUMBER_LIMIT == street[idx])
              & (self._any_keys[a] // NUMBER_LIMIT == street[idx]))
        nb, na = self._any_number[b], self._any_number[a]
        pb, pa = self._any_xy[b], self._any_xy[a]
        gap = np.hypot(*(pa - pb).T)
        ok &= gap <= INTERPOLATION_MAX_GAP_M
        with np.errstate(divide="ignore", invalid="ignore"):
            share = np.where(na > nb, (number[idx] - nb) / (na - nb), 0.5)
        point = pb + share[:, None] * (pa - pb)
        i = idx[ok]
        px, py = point[ok].T.copy()
        onto_side(self._lines[street[i]], number[i], px, py,  # onto its own side
                  [(pb[ok], nb[ok]), (pa[ok], na[ok])])
        x[i], y[i] = px, py
        precision[i] = np.ceil(INTERPOLATION_BASE_M + CROSS_STREET_M
                               + INTERPOLATION_GAP_SHARE * gap[ok])
        how[i], low[i], high[i] = BETWEEN_SIDES, nb[ok], na[ok]
