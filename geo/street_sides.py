"""Which side of its street a house number lies on: odd and even numbers face each other.

Where a number has no real neighbour of its own parity, it is interpolated between numbers of
the other side — a point on the wrong side of the street, which on a border street is the
wrong Ortsteil ("Gerichtsweg 3"). The neighbours show the sides: relative to the street's
course (OSM line or derived) a neighbour of the other parity stands opposite. Such a point is
moved square to the course onto its own side, at the neighbours' setback.
"""

from __future__ import annotations

import numpy as np
import shapely

STEP_M = 2.0  # along the course, for its local direction
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


def onto_side(lines: np.ndarray, number: np.ndarray, x: np.ndarray, y: np.ndarray,
              neighbours: list[tuple[np.ndarray, np.ndarray]]) -> np.ndarray:
    """Move interpolated points (in place) square to their street's course (``lines``, one
    per point) onto the side of their house ``number``; returns which were moved.

    The side comes from the real neighbours the point was interpolated from (``neighbours``:
    (xy, number) arrays): a neighbour of the same parity stands on that side, one of the other
    parity opposite. Where they disagree, or the course does not run past the point (a line
    may cover only part of a street), the point stays."""
    moved = np.zeros(len(x), bool)
    has_line = np.array([g is not None and not g.is_empty for g in lines], bool)
    if not has_line.any():
        return moved
    idx = np.flatnonzero(has_line)
    fx, fy, nx, ny, offset = _frame(lines[idx], x[idx], y[idx])
    votes, setbacks = [], []
    for xy, their in neighbours:  # their side, square to the course at the point
        across = (xy[idx, 0] - fx) * nx + (xy[idx, 1] - fy) * ny
        same = their[idx] % 2 == number[idx] % 2
        votes.append(np.sign(across) * np.where(same, 1, -1))
        setbacks.append(np.abs(across))
    vote = np.array(votes)
    sign = np.where((vote == vote[0]).all(axis=0), vote[0], 0)
    setback = np.mean(setbacks, axis=0)
    near = np.hypot(x[idx] - fx, y[idx] - fy) <= 2 * setback + NEAR_M
    wrong = (sign != 0) & np.isfinite(nx) & near & (np.sign(offset) != sign)
    moved[idx[wrong]] = True
    x[idx[wrong]] = (fx + sign * setback * nx)[wrong]
    y[idx[wrong]] = (fy + sign * setback * ny)[wrong]
    return moved
