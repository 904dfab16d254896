"""Street sections: how the alliance names a place in its minutes ("Eisenbahnstraße 60–90").

A hot spot is found on a 100 m grid, but nobody remembers cell 4711. Neighbouring cells
(sharing an edge or a corner) whose nearest street is the same form one section; the section
is named by that street and the house numbers nearest its cells, rounded out to tens so the
range reads like a stretch of street, not like a measurement.

House numbers come from the address register behind the geocoder: the number of the nearest
real address of the nearest street (``geo.gazetteer.house_numbers_at``).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import shapely
from scipy.sparse import coo_array
from scipy.sparse.csgraph import connected_components
from scipy.spatial import cKDTree
from shapely import union_all
from shapely.ops import substring

from geo.gazetteer import house_numbers_at, street_lines, street_points
from geo.grid import GridSpec, cell_centres

NUMBER_STEP = 10  # section ranges are rounded out to tens


def section_label(street: str, numbers) -> str:
    """"Eisenbahnstraße 60–90"; just the street where no number is known."""
    numbers = np.asarray(numbers, "float64")
    numbers = numbers[np.isfinite(numbers)]
    if not street:
        return "ohne Straßenbezug"
    if numbers.size == 0:
        return street
    low = max(1, int(math.floor(numbers.min() / NUMBER_STEP) * NUMBER_STEP))
    high = int(math.ceil(numbers.max() / NUMBER_STEP) * NUMBER_STEP)
    high = max(high, low + NUMBER_STEP - (1 if low == 1 else 0))
    return f"{street} {low}–{high}"


def street_sections(cell_ids, spec: GridSpec) -> pd.DataFrame:
    """DataFrame[cell_id, section, street, label]: one section id per group of touching cells
    along the same street; sections of the same street elsewhere stay apart."""
    ids = np.asarray(cell_ids, dtype=np.int64)
    if ids.size == 0:
        return pd.DataFrame({"cell_id": ids, "section": np.array([], np.int64),
                             "street": pd.Series([], dtype=object),
                             "label": pd.Series([], dtype=object)})
    x, y = cell_centres(ids, spec)
    names, numbers = house_numbers_at(x, y)
    street = np.asarray(names, dtype=object)
    # touching cells: centres at most one diagonal apart (squares) / one row apart (hexagons)
    reach = spec.cell_m * (math.sqrt(2.0) if spec.shape == "square" else 1.2) + 1e-6
    pairs = cKDTree(np.column_stack([x, y])).query_pairs(reach, output_type="ndarray")
    if len(pairs):
        pairs = pairs[street[pairs[:, 0]] == street[pairs[:, 1]]]
    graph = coo_array((np.ones(len(pairs)), (pairs[:, 0], pairs[:, 1])) if len(pairs) else
                      (np.array([]), (np.array([], int), np.array([], int))),
                      shape=(ids.size, ids.size))
    _, section = connected_components(graph, directed=False)
    out = pd.DataFrame({"cell_id": ids, "section": section.astype(np.int64), "street": street,
                        "number": numbers})
    labels = {s: section_label(part["street"].iloc[0], part["number"])
              for s, part in out.groupby("section")}
    out["label"] = out["section"].map(labels)
    return out.drop(columns="number")


SECTION_WIDTH_M = 40.0  # a street section as an area: this far either side of its course
SECTION_REACH_M = 60.0  # houses this close to a part of the course belong to it


def section_area(street: str, number_from: float | None = None,
                 number_to: float | None = None, width_m: float = SECTION_WIDTH_M):
    """The area of "Eisenbahnstraße 60–90" (EPSG:25833): the street's course between the real
    addresses numbered from ``number_from`` to ``number_to`` (the whole street without
    numbers), ``width_m`` either side. ValueError (German) for an unknown street or a range
    without any address."""
    streets = street_lines()
    rows = streets[streets["name"] == street]
    if rows.empty:
        raise ValueError(f"Die Straße „{street}“ ist nicht im Straßenverzeichnis.")
    course = rows.geometry.iloc[0]
    if number_from is None or number_to is None:
        return course.buffer(width_m)
    low, high = sorted((number_from, number_to))
    points = street_points(street)
    points = points[(points["number"] >= low) & (points["number"] <= high)]
    if points.empty:
        raise ValueError(f"Zwischen {street} {low:g} und {high:g} liegt keine bekannte Adresse.")
    parts = []
    houses = shapely.points(points[["x", "y"]].to_numpy("float64"))
    for line in getattr(course, "geoms", [course]):
        near = houses[shapely.distance(line, houses) <= SECTION_REACH_M]
        if len(near):
            at = line.project(near)
            parts.append(substring(line, float(at.min()), float(at.max())).buffer(width_m))
    parts.append(union_all(shapely.buffer(houses, width_m / 2)))  # the houses themselves
    return union_all(parts)
