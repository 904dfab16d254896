"""Where two streets meet, from the courses the data has: the nearest approach of the two.

The sources draw few streets completely: an OSM line may stop short of the crossing, and a
course derived from address points ends at the last house, tens of metres before the corner.
Measured on the 383 crossings of OSM lines in Leipzig with houses within 150 m of the crossing
(one street's line replaced by the course derived from its addresses, as the build does for
streets without a line): the gap between the two courses is median 36 m, p75 62 m, p90 103 m,
p95 129 m. So two courses closer than CORNER_TOLERANCE_M are taken to meet, unless they run
side by side (parallel streets one block apart are as close): then the directions at the
nearest points differ by less than MIN_CROSSING_ANGLE_DEG. The corner is where the two courses,
carried on straight, cross — near the nearest points, or else the middle between them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely
from shapely.ops import nearest_points

CORNER_TOLERANCE_M = 110.0  # p90 (103 m) of the measured gaps, rounded up
MIN_CROSSING_ANGLE_DEG = 25.0  # courses more parallel than this near each other do not meet
TOUCH_M = 30.0  # lines this close meet whatever their directions (a bend, a fork)
# The corner area, not one building: a corner house's centre lies 23-57 m from the crossing of
# the lines where its footprint touches both streets (tuning sample of bench/people_write.py;
# nearest address to a line crossing: median 44 m, see above).
CORNER_PRECISION_M = 60.0
DIRECTION_STEP_M = 15.0  # how far along a course its local direction is taken
AXIS_REACH_M = 60.0  # address points around a corner house that show its street's direction


@dataclass(frozen=True)
class Corner:
    x: float
    y: float
    precision_m: float
    gap_m: float


def _direction(shape: shapely.Geometry, point: shapely.Geometry) -> np.ndarray | None:
    """Unit direction of a street course at ``point``: along the nearest line, or the main axis
    of the address points within AXIS_REACH_M (None where fewer than two are there)."""
    if shape.geom_type == "MultiPoint":
        xy = shapely.get_coordinates(shape)
        near = xy[np.hypot(xy[:, 0] - point.x, xy[:, 1] - point.y) <= AXIS_REACH_M]
        if len(near) < 2:
            return None
        axis = np.linalg.svd(near - near.mean(axis=0), full_matrices=False)[2][0]
        return axis
    parts = getattr(shape, "geoms", [shape])
    part = min(parts, key=lambda g: g.distance(point))
    at = part.project(point)
    a = part.interpolate(max(at - DIRECTION_STEP_M, 0.0))
    b = part.interpolate(min(at + DIRECTION_STEP_M, part.length))
    vector = np.array([b.x - a.x, b.y - a.y])
    norm = np.hypot(*vector)
    return vector / norm if norm > 0 else None


def _courses(line: shapely.Geometry | None, points: np.ndarray | None) -> list:
    shapes = [line] if line is not None and not line.is_empty else []
    if points is not None and len(points):
        shapes.append(shapely.multipoints(points))
    return shapes


def meet(first: shapely.Geometry | None, second: shapely.Geometry | None,
         first_points: np.ndarray | None = None, second_points: np.ndarray | None = None
         ) -> Corner | None:
    """The corner of two streets (EPSG:25833) from their courses (line: OSM or derived) and
    their building-exact address points (an OSM line may cover only part of a street), None
    where they do not meet."""
    best = None
    for a in _courses(first, first_points):
        for b in _courses(second, second_points):
            corner = _meet(a, b)
            if corner is not None and (best is None or corner.gap_m < best.gap_m):
                best = corner
    return best


def _meet(first: shapely.Geometry, second: shapely.Geometry) -> Corner | None:
    p1, p2 = nearest_points(first, second)
    gap = float(p1.distance(p2))
    if gap > CORNER_TOLERANCE_M:
        return None
    middle = np.array([(p1.x + p2.x) / 2, (p1.y + p2.y) / 2])
    if gap <= 1.0:
        return Corner(float(middle[0]), float(middle[1]), CORNER_PRECISION_M, gap)
    d1, d2 = _direction(first, p1), _direction(second, p2)
    if d1 is None or d2 is None:
        if gap > TOUCH_M:
            return None
        return Corner(float(middle[0]), float(middle[1]),
                      float(np.ceil(CORNER_PRECISION_M + gap)), gap)
    sine = abs(d1[0] * d2[1] - d1[1] * d2[0])
    if gap > TOUCH_M and sine < np.sin(np.radians(MIN_CROSSING_ANGLE_DEG)):
        return None
    point = middle
    if sine > 1e-6:  # carried on straight, the two courses cross at p1 + s * d1
        delta = np.array([p2.x - p1.x, p2.y - p1.y])
        s = (delta[0] * d2[1] - delta[1] * d2[0]) / (d1[0] * d2[1] - d1[1] * d2[0])
        crossing = np.array([p1.x, p1.y]) + s * d1
        if np.hypot(*(crossing - middle)) <= CORNER_TOLERANCE_M:
            point = crossing
    return Corner(float(point[0]), float(point[1]),
                  float(np.ceil(CORNER_PRECISION_M + gap)), gap)
