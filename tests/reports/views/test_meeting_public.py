"""The public agenda chooses, orders and labels its hot spots from published figures only:
two stores whose exact cell counts differ but whose published cell counts are the same
(every cell moved within its band) give the public the same agenda hot spots — while the
exact choice, which members get, does tell them apart for some of the same stores (so the
test can fail)."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd
import pytest

from geo import boundary
from geo.grid import GridSpec, cell_ids
from reports.coordination.agenda import _agenda_hotspots
from reports.privacy.access import Role, count_band, publish_counts
from tests.maps.test_maps import synthetic_reports

K = 5
SPEC = GridSpec(100, "square")
SINCE, HELD_ON = date(2025, 6, 1), date(2025, 7, 1)
SEEDS = range(4)


def meeting_reports(seed: int) -> pd.DataFrame:
    """Reports in the meeting window and the window before; the dense cluster of
    ``synthetic_reports`` falls mostly into the meeting window, so it becomes a new or
    intensifying hot spot with cells of every size around it."""
    frame = synthetic_reports(1500, seed=seed)
    frame = frame[frame["x"].notna()].copy()
    rng = np.random.default_rng(seed)
    days = (HELD_ON - SINCE).days
    start = pd.Timestamp(SINCE - (HELD_ON - SINCE), tz=frame["occurred_at"].dt.tz)
    offsets = rng.integers(0, 2 * days * 86400, len(frame))
    xmin, ymin, xmax, ymax = boundary.district().bounds
    centre = np.hypot(frame["x"] - (xmin + xmax) / 2, frame["y"] - (ymin + ymax) / 2) < 300
    late = centre.to_numpy() & (rng.random(len(frame)) < 0.8)
    offsets[late] = rng.integers(days * 86400, 2 * days * 86400, int(late.sum()))
    frame["occurred_at"] = start + pd.to_timedelta(offsets, unit="s")
    return frame.reset_index(drop=True)


def same_published_cells(frame: pd.DataFrame, seed: int) -> pd.DataFrame:
    """Each cell's count per window moved to another value of its published band (a hidden
    cell stays hidden, "10" stays 8..12): what the public sees cannot tell the two apart."""
    rng = np.random.default_rng(1000 + seed)
    window = np.where(frame["occurred_at"].dt.date < SINCE, "before", "now")
    keys = pd.Series(cell_ids(frame["x"].to_numpy(), frame["y"].to_numpy(), SPEC)).astype(
        str) + window
    parts = []
    for n, (_, rows) in enumerate(frame.groupby(keys.to_numpy(), sort=False)):
        low, high = count_band(publish_counts(pd.Series([len(rows)]), K).iloc[0], K)
        target = int(rng.integers(max(low, 1), high + 1))
        picked = rows.iloc[rng.integers(0, len(rows), target)].copy()
        picked["id"] = [f"p{n}-{i}" for i in range(target)]
        parts.append(picked)
    return pd.concat(parts, ignore_index=True)


def chosen(frame: pd.DataFrame, role: Role) -> pd.DataFrame:
    """The agenda's hot spots as ``role`` gets them: which sections, their order, labels,
    cells and places (the counts beside them are compared for the public only)."""
    spots = _agenda_hotspots(frame, SINCE, HELD_ON - timedelta(days=1), role,
                             boundary.district())
    if role is not Role.PUBLIC:
        spots = spots.drop(columns=["reports_now", "reports_before", "p_fdr"])
    return spots.reset_index(drop=True)


@pytest.mark.parametrize("seed", SEEDS)
def test_the_public_agenda_depends_only_on_published_cells(seed):
    frame = meeting_reports(seed)
    twin = same_published_cells(frame, seed)
    assert not np.array_equal(np.sort(frame.groupby(frame["x"] // 100).size().to_numpy()),
                              np.sort(twin.groupby(twin["x"] // 100).size().to_numpy()))
    public = chosen(frame, Role.PUBLIC)
    assert not public.empty  # the agenda has hot spots to choose
    pd.testing.assert_frame_equal(public, chosen(twin, Role.PUBLIC))


def test_the_exact_choice_would_tell_such_stores_apart():
    differs = 0
    for seed in SEEDS:
        frame = meeting_reports(seed)
        exact = [chosen(f, Role.MEMBER) for f in (frame, same_published_cells(frame, seed))]
        differs += not exact[0].equals(exact[1])  # which places, their order and grouping
    assert differs
