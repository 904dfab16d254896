"""Which side of its street a house number lies on: odd and even numbers face each other.

Where a number has no real neighbour of its own parity, it is interpolated between numbers of
the other side — a point on the wrong side of the street, which on a border street is the
wrong Ortsteil ("Gerichtsweg 3"). The register shows the side of each parity: the side of the
street's course (OSM line or derived) on which its building-exact points of that parity stand;
where a parity has no point, it is the side opposite the other parity. Such a point is moved
square to the course onto its own side, at the street's typical setback.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import shapely

STEP_M = 2.0  # along the course, for its local direction
CLEAR_SHARE = 0.7  # this share of a parity's points on one side makes that its side
NEAR_M = 20.0  # beyond twice the setback and this, the course does not run past the point


def _frame(lines: np.ndarray, x: np.ndarray, y: np.ndarray):
    """Foot point on each line, the unit normal (left of the course) and the signed offset."""
    points = shapely.points(x, y)
    at = shapely.line_locate_point(lines, points)
    length = shapely.length(lines)
    ahead = shapely.line_interpolate_point(lines, np.minimum(at + STEP_M, length))
    behind = shapely.line_interpolate_point(lines, np.maximum(at - STEP_M, 0.0))
    foot = shapely.line_interpolate_point(lines, at)
    tx = shapely.get_x(ahead) - shapely.get_x(behind)
    ty = shapely.get_y(ahead) - shapely.get_y(behind)
    norm = np.hypot(tx, ty)
    with np.errstate(divide="ignore", invalid="ignore"):
        nx, ny = -ty / norm, tx / norm
    fx, fy = shapely.get_x(foot), shapely.get_y(foot)
    offset = (x - fx) * nx + (y - fy) * ny
    return fx, fy, nx, ny, offset


class Sides:
    """Side (+1 left of the course, -1 right, 0 unknown) per street id and parity, and the
    street's median setback of houses from its course."""

    def __init__(self, street_ids: np.ndarray, xy: np.ndarray, number: np.ndarray,
                 lines: np.ndarray) -> None:
        n = len(lines)
        self.side = np.zeros((n, 2), "int64")
        self.setback = np.full(n, np.nan)
        self.lines = lines
        has_line = np.array([g is not None and not g.is_empty for g in lines], bool)
        use = has_line[street_ids]
        if not use.any():
            return
        sid, pts, num = street_ids[use], xy[use], number[use]
        *_, offset = _frame(lines[sid], pts[:, 0], pts[:, 1])
        frame = pd.DataFrame({"sid": sid, "parity": num % 2, "sign": np.sign(offset),
                              "far": np.abs(offset)}).dropna()
        self.setback[frame.groupby("sid")["far"].median().index] = (
            frame.groupby("sid")["far"].median().to_numpy())
        share = frame.groupby(["sid", "parity"])["sign"].mean()
        clear = share[share.abs() >= CLEAR_SHARE]
        index = clear.index.to_frame().to_numpy()
        self.side[index[:, 0], index[:, 1]] = np.sign(clear.to_numpy()).astype("int64")
        # a parity without points of its own faces the other one
        other = self.side[:, ::-1]
        self.side = np.where(self.side == 0, -other, self.side)

    def onto_side(self, street: np.ndarray, number: np.ndarray, x: np.ndarray,
                  y: np.ndarray) -> np.ndarray:
        """Move points (in place) square to their street's course onto their number's side;
        returns which were moved."""
        sign = self.side[street, number % 2]
        setback = self.setback[street]
        ok = (sign != 0) & np.isfinite(setback) & np.isfinite(x)
        if not ok.any():
            return ok
        fx, fy, nx, ny, offset = _frame(self.lines[street[ok]], x[ok], y[ok])
        # only where the course runs past the point (lines may cover part of a street only)
        near = np.hypot(x[ok] - fx, y[ok] - fy) <= 2 * setback[ok] + NEAR_M
        wrong = np.isfinite(nx) & near & (np.sign(offset) != sign[ok])
        target = sign[ok] * setback[ok]
        moved = np.zeros(len(x), bool)
        moved[np.flatnonzero(ok)[wrong]] = True
        x[moved] = (fx + target * nx)[wrong]
        y[moved] = (fy + target * ny)[wrong]
        return moved
