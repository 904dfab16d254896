"""Attacks on the public view-model: for random stores and random pairs of public views the
UI can produce, try to recover an exact count below k by differencing, and fail if one is
recovered.

The attacker knows the publication rule (the cell key method's table, not the record keys):
a published value stands for the band of true counts ``count_band`` gives. From a relation
"whole = sum of parts" between published figures (a day more, topic vs all, Ortsteil vs its
cells, 100 m vs 50 m cells, trend series vs total) they bound each part by the whole's band
minus the other parts' bands. A part is recovered when that bound leaves exactly one value
and it lies in 1 .. k-1.
"""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd
import pytest

from geo.boundary import load_boundary
from geo.grid import GridSpec, cell_ids
from reports.model import RECORD_KEY, vocabulary
from reports.privacy.access import Role
from reports.privacy.policy import count_band, publish_counts
from reports.storage.query import ReportFilter
from reports.views.map import MapContext, MapOptions, map_view, published_cells
from reports.views.overview import key_figure_table
from reports.views.source import reports_for
from reports.views.trends import trend_counts
from tests.maps.test_maps import synthetic_reports

BOUNDARY = load_boundary()  # the shipped Ortsteile

K = 5
PUBLIC = Role.PUBLIC
TOPICS = tuple(vocabulary().topics)


def recovered(whole, parts: list, truth: list[int], k: int = K, band=count_band) -> list[int]:
    """Parts whose exact value (< k) follows from ``whole`` (published) = sum of ``parts``
    (published) — the attacker's inference, checked against the truth."""
    lo_w, hi_w = band(whole, k)
    bands = [band(p, k) for p in parts]
    found = []
    for i, (lo, hi) in enumerate(bands):
        others_lo = sum(b[0] for j, b in enumerate(bands) if j != i)
        others_hi = sum(b[1] for j, b in enumerate(bands) if j != i)
        low, high = max(lo, lo_w - others_hi), min(hi, hi_w - others_lo)
        assert low <= truth[i] <= high, "the attacker's bounds must hold"
        if low == high and 0 < low < k:
            found.append(low)
    return found


def difference(a, b, truth: int, k: int = K) -> int | None:
    """Exact value of (b - a) < k when a's set is contained in b's, if the bands pin it."""
    lo_a, hi_a = count_band(a, k)
    lo_b, hi_b = count_band(b, k)
    low, high = max(0, lo_b - hi_a), hi_b - lo_a
    assert low <= truth <= high
    return low if low == high and 0 < low < k else None


def store(seed: int) -> pd.DataFrame:
    """A small random store: few reports, so that many counts are below k."""
    return synthetic_reports(int(np.random.default_rng(seed).integers(150, 900)), seed=seed)


def random_filter(rng: np.random.Generator) -> ReportFilter:
    start = date(2025, 1, 1) + timedelta(days=int(rng.integers(0, 300)))
    end = start + timedelta(days=int(rng.integers(0, 60)))
    topics = tuple(rng.choice(TOPICS, int(rng.integers(0, 3)), replace=False))
    return ReportFilter(start, end, topics)


@pytest.fixture(scope="module")
def ctx() -> MapContext:
    return MapContext(BOUNDARY.ortsteile(), BOUNDARY.district)


@pytest.mark.parametrize("seed", range(12))
def test_one_day_more(seed):
    """Same filter, end one day later: the day's count never comes out."""
    reports, rng = store(seed), np.random.default_rng(seed)
    for _ in range(20):
        f = random_filter(rng)
        g = ReportFilter(f.start, f.end + timedelta(days=1), f.topics)
        a, b = reports_for(reports, f, PUBLIC), reports_for(reports, g, PUBLIC)
        shown_a, shown_b = publish_counts([len(a), len(b)], [a[RECORD_KEY].sum(),
                                                             b[RECORD_KEY].sum()], K)
        assert difference(shown_a, shown_b, len(b) - len(a)) is None
        # the same for every Ortsteil's count
        ka, kb = (fr.groupby("ortsteil")[RECORD_KEY].agg(["size", "sum"]) for fr in (a, b))
        for name, (nb, sb) in kb.iterrows():
            na, sa = (ka.loc[name] if name in ka.index else (0, 0))
            pa, pb = publish_counts([int(na), int(nb)], [int(sa), int(sb)], K)
            assert difference(pa, pb, int(nb) - int(na)) is None


@pytest.mark.parametrize("seed", range(12))
def test_topic_versus_all(seed):
    """All topics = sum of the topics, per key figure and per cell."""
    reports, rng = store(seed), np.random.default_rng(seed + 100)
    spec = GridSpec(100, "square")
    for _ in range(5):
        f = random_filter(rng)
        f_all = ReportFilter(f.start, f.end)
        frame = reports_for(reports, f_all, PUBLIC)
        parts = {t: reports_for(reports, ReportFilter(f.start, f.end, (t,)), PUBLIC)
                 for t in TOPICS}
        figures = key_figure_table(frame, frame.iloc[:0], PUBLIC, "topic").set_index("group")
        total = key_figure_table(frame, frame.iloc[:0], PUBLIC)["now"].iloc[0]
        present = [t for t in TOPICS if t in figures.index]
        truth = [len(parts[t]) for t in present]
        assert not recovered(total, [figures.at[t, "now"] for t in present], truth)
        cells_all = published_cells(frame, spec, PUBLIC).set_index("cell_id")
        cells = {t: published_cells(parts[t], spec, PUBLIC).set_index("cell_id")
                 for t in TOPICS}
        for cell in cells_all.index:
            shown = [cells[t]["reports"].get(cell, pd.NA) for t in TOPICS]  # absent: hidden
            truth = [int(cells[t]["exact"].get(cell, 0)) for t in TOPICS]
            assert not recovered(cells_all.at[cell, "reports"], shown, truth)


@pytest.mark.parametrize("seed", range(8))
def test_ortsteil_versus_its_cells_and_100m_versus_50m(seed, ctx):
    reports = store(seed)
    f = ReportFilter(date(2025, 1, 1), date(2025, 12, 31))
    frame = reports_for(reports, f, PUBLIC)
    fine, coarse = GridSpec(50, "square"), GridSpec(100, "square")
    for name in ctx.ortsteile["name"]:
        part = frame[frame["ortsteil"] == name]
        view = map_view(part, PUBLIC, MapOptions(("cells", "ortsteile"), 50), ctx)
        whole = view.ortsteile.set_index("name").at[name, "reports"]
        cells = published_cells(part[part["geocode_status"] == "exact"], fine, PUBLIC)
        assert not recovered(whole, list(cells["reports"]), list(cells["exact"]))
    small = published_cells(frame, fine, PUBLIC)
    big = published_cells(frame, coarse, PUBLIC).set_index("cell_id")
    parent = _parent_cells(frame, fine, coarse)
    for cell, children in parent.groupby("big"):
        rows = small.set_index("cell_id").loc[children["small"].unique()]
        assert not recovered(big.at[cell, "reports"], list(rows["reports"]),
                             list(rows["exact"]))


def _parent_cells(frame: pd.DataFrame, fine: GridSpec, coarse: GridSpec) -> pd.DataFrame:
    pts = frame[frame["x"].notna()]
    return pd.DataFrame({"small": cell_ids(pts["x"].to_numpy(), pts["y"].to_numpy(), fine),
                         "big": cell_ids(pts["x"].to_numpy(), pts["y"].to_numpy(), coarse)})


@pytest.mark.parametrize("seed", range(8))
def test_trend_series_versus_total(seed):
    """The weekly series of a topic and the key figure of the same (whole-week) period."""
    reports, rng = store(seed), np.random.default_rng(seed + 7)
    for _ in range(5):
        f = random_filter(rng)
        frame = reports_for(reports, f, PUBLIC)
        series = trend_counts(frame, PUBLIC, "W", "topic", f, 1)
        exact = trend_counts(frame, Role.MEMBER, "W", "topic", f, 1)
        truth = series[["period", "group"]].merge(exact, how="left").fillna({"reports": 0})
        total = key_figure_table(frame, frame.iloc[:0], PUBLIC)["now"].iloc[0]
        assert not recovered(total, list(series["reports"]), list(truth["reports"]))


@pytest.mark.parametrize("seed", range(8))
def test_hotspot_tooltips_and_accounting_carry_no_count(seed, ctx):
    """Hot spot cells name a class only; the map's sentence publishes each term on its own."""
    reports = store(seed)
    frame = reports_for(reports, ReportFilter(date(2025, 1, 1), date(2025, 12, 31)), PUBLIC)
    view = map_view(frame, PUBLIC, MapOptions(("cells", "hotspots"), 100), ctx)
    if view.hotspots is not None:
        assert set(view.hotspots.columns) == {"cell_id", "gi_class", "geometry"}
    numbers = [int(n.replace(".", "")) for n in
               pd.Series(view.accounting).str.findall(r"\d[\d.]*").iloc[0]]
    assert all(n % 5 == 0 for n in numbers), view.accounting


def test_the_attack_recovers_counts_from_exact_figures():
    """The attacker is real: against exact publication with primary suppression only (what
    the public saw before), total minus the shown parts gives the hidden count back."""
    def exact(value, k):
        return (0, k - 1) if value is None or pd.isna(value) else (int(value), int(value))

    assert recovered(35, [12, None, 20], [12, 3, 20], band=exact) == [3]
    assert recovered(35, [10, None, 20], [12, 3, 20]) == []  # published: no way back
