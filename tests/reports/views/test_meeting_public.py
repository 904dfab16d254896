"""The public agenda finds its hot places from published figures only: two stores whose exact
cell counts differ but whose published cell counts are the same (every cell moved within its
band) give the public the same hot street sections — while the exact cells, which members'
agenda uses, do tell them apart for some of the same stores (so the test can fail). The
counts and labels beside an agenda item are the section's own published count (its exact
sum, rounded: a figure of its own under the publication rule)."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd
import pytest

from geo.boundary import load_boundary
from geo.grid import GridSpec, cell_ids
from reports.model import RECORD_KEY, RECORD_KEY_RANGE
from reports.privacy.access import Role
from reports.privacy.policy import count_band, publish_counts
from reports.storage.query import ReportFilter, apply_filter
from reports.views.hotspots import section_changes_for
from reports.views.meeting import agenda_hotspots
from tests.maps.test_maps import synthetic_reports

BOUNDARY = load_boundary()  # the shipped Ortsteile

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
    xmin, ymin, xmax, ymax = BOUNDARY.district.bounds
    centre = np.hypot(frame["x"] - (xmin + xmax) / 2, frame["y"] - (ymin + ymax) / 2) < 300
    late = centre.to_numpy() & (rng.random(len(frame)) < 0.8)
    offsets[late] = rng.integers(days * 86400, 2 * days * 86400, int(late.sum()))
    frame["occurred_at"] = start + pd.to_timedelta(offsets, unit="s")
    return frame.reset_index(drop=True)


def same_published_cells(frame: pd.DataFrame, seed: int) -> pd.DataFrame:
    """Each cell's reports per window replaced by another set whose published figure is the
    same (drawn from the figure's band, with new record keys, until the cell key method
    publishes the same value; a hidden cell may become empty): what the public sees cannot
    tell the two stores apart."""
    rng = np.random.default_rng(1000 + seed)
    window = np.where(frame["occurred_at"].dt.date < SINCE, "before", "now")
    keys = pd.Series(cell_ids(frame["x"].to_numpy(), frame["y"].to_numpy(), SPEC)).astype(
        str) + window
    parts = []
    for n, (_, rows) in enumerate(frame.groupby(keys.to_numpy(), sort=False)):
        shown = publish_counts([len(rows)], [rows[RECORD_KEY].sum()], K).iloc[0]
        low, high = count_band(shown, K)
        while True:
            target = int(rng.integers(low, high + 1))
            picked = rows.iloc[rng.integers(0, len(rows), target)].copy()
            picked[RECORD_KEY] = rng.integers(0, RECORD_KEY_RANGE, target)
            again = publish_counts([target], [picked[RECORD_KEY].sum()], K).iloc[0]
            if pd.isna(again) == pd.isna(shown) and (pd.isna(shown) or again == shown):
                break
        picked["id"] = [f"p{n}-{i}" for i in range(target)]
        parts.append(picked)
    return pd.concat(parts, ignore_index=True)


PLACES = ["section", "place", "street", "ortsteil", "hot_now", "hot_before", "cell_ids"]


def windows(frame: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    length = HELD_ON - SINCE
    now = apply_filter(frame, ReportFilter(SINCE, HELD_ON - timedelta(days=1)))
    before = apply_filter(frame, ReportFilter(SINCE - length, SINCE - timedelta(days=1)))
    return now, before


def hot_places(frame: pd.DataFrame, role: Role) -> pd.DataFrame:
    """Which street sections are hot now or before, as the agenda finds them for ``role``."""
    changes = section_changes_for(*windows(frame), role, BOUNDARY)
    return changes[PLACES].sort_values("section").reset_index(drop=True)


@pytest.mark.parametrize("seed", SEEDS)
def test_the_public_agenda_finds_its_hot_places_from_published_cells_only(seed):
    frame = meeting_reports(seed)
    twin = same_published_cells(frame, seed)
    public = hot_places(frame, Role.PUBLIC)
    assert not public.empty
    pd.testing.assert_frame_equal(public, hot_places(twin, Role.PUBLIC))
    # the agenda lists only such places, with counts and labels as published
    spots = agenda_hotspots(*windows(frame), Role.PUBLIC, BOUNDARY)
    assert set(spots["section"]) <= set(public["section"])
    shown = spots["reports_now"].dropna().astype(int)
    assert (shown % K == 0).all() and (shown >= K).all()


def test_the_exact_cells_would_tell_such_stores_apart():
    differs = 0
    for seed in SEEDS:
        frame = meeting_reports(seed)
        exact = [hot_places(f, Role.MEMBER) for f in (frame, same_published_cells(frame, seed))]
        differs += not exact[0].equals(exact[1])
    assert differs
