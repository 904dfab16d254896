"""Honest radii where the data cannot show an extent.

A square, market or park of the register is located by its addresses around it; where only a
few addresses stand there ("Mariannenpark": one), their spread says nothing about its size.
Such a place gets at least the radius that holds the places of its kind (park, platz, markt,
…) where enough addresses show the extent — the 90th percentile, measured on the register
when the geocoder's index is built, so it follows the data.
"""

from __future__ import annotations

import numpy as np

MIN_ADDRESSES = 5  # addresses around a square that show its extent
MIN_SAMPLE = 3  # places of a kind needed for a kind of its own, else all kinds pooled
SHARE = 90.0


def square_radius(kinds: np.ndarray, radius: np.ndarray, count: np.ndarray) -> np.ndarray:
    """Radius per square/park (``kinds``: its kind word, "" for other names; ``radius``: the
    extent of its addresses; ``count``: how many there are)."""
    out = radius.astype("float64", copy=True)
    shown = (count >= MIN_ADDRESSES) & np.isfinite(radius) & (kinds != "")
    if not shown.any():
        return out
    pooled = float(np.percentile(radius[shown], SHARE))
    for kind in np.unique(kinds[kinds != ""]):
        sample = radius[shown & (kinds == kind)]
        floor = float(np.percentile(sample, SHARE)) if sample.size >= MIN_SAMPLE else pooled
        few = (kinds == kind) & (count < MIN_ADDRESSES)
        out[few] = np.fmax(out[few], np.ceil(floor))
    return out


# A house number answered at street level (not in the register, or only a coarse 2013 way
# point): the house may stand anywhere along the stretch. On the tuning sample of
# bench/people_write.py (seed 7, 25 such answers) the street's own extent held 64 % of the
# truths; at least 100 m holds 92 % (80 m: 80 %, 150 m: 96 %).
NUMBER_AT_STREET_FLOOR_M = 100.0
