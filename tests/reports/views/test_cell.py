"""The numbers of one clicked cell: exact for members, published for the public, and the
rows of a cell for the Trends page."""

from __future__ import annotations

import numpy as np
import pandas as pd

from geo.boundary import load_boundary
from geo.crs import to_display
from geo.grid import GridSpec, cell_ids
from reports.privacy.access import Role, visible_reports
from reports.views.cell import cell_details, clicked_cell, reports_in_cell
from tests.maps.test_maps import synthetic_reports

BOUNDARY = load_boundary()  # the shipped Ortsteile

SPEC = GridSpec(100, "square")


def _densest_cell(frame: pd.DataFrame) -> int:
    placed = frame.dropna(subset=["x"])
    ids = cell_ids(placed["x"].to_numpy(), placed["y"].to_numpy(), SPEC)
    return int(pd.Series(ids).value_counts().index[0])


def test_member_sees_the_cells_exact_counts_by_topic():
    frame = synthetic_reports(4000, seed=11)
    now, before = frame.iloc[:2500], frame.iloc[2500:]
    cell = _densest_cell(now)
    details = cell_details(now, before, Role.MEMBER, SPEC, cell, BOUNDARY.district, 150.0)
    inside = reports_in_cell(now, SPEC, cell)
    assert len(inside) and details.total_now == f"{len(inside):,}".replace(",", ".")
    expected = inside["topic"].value_counts()
    shown = details.table.set_index("Thema")["jetzt"]
    from reports.analysis.analytics import group_label

    for topic, n in expected.items():
        assert shown[group_label("topic", topic)] == str(n)
    assert details.gi_class == 3  # the synthetic cluster is a strong hot spot


def test_public_sees_published_counts_only():
    frame = visible_reports(synthetic_reports(4000, seed=12), Role.PUBLIC)
    cell = _densest_cell(frame)
    details = cell_details(frame, frame.iloc[:0], Role.PUBLIC, SPEC, cell,
                           BOUNDARY.district, 150.0)
    for text in [details.total_now, *details.table["jetzt"], *details.table["davor"]]:
        assert text.startswith("unter") or int(text.replace(".", "")) % 5 == 0


def test_click_outside_the_district_is_no_cell():
    xmin, ymin, _, _ = BOUNDARY.district.bounds
    lon, lat = to_display(np.array([xmin - 5000.0]), np.array([ymin - 5000.0]))
    assert clicked_cell(float(lon[0]), float(lat[0]), SPEC, BOUNDARY.district) is None
    cx, cy = BOUNDARY.district.representative_point().coords[0]
    lon, lat = to_display(np.array([cx]), np.array([cy]))
    hit = clicked_cell(float(lon[0]), float(lat[0]), SPEC, BOUNDARY.district)
    assert hit is not None and hit[0] == int(cell_ids(np.array([cx]), np.array([cy]), SPEC)[0])
