"""Benchmark of the statistics core: counts per cell, KDE, Gi* on the 50 m grid, emerging
hot spots, at 10k / 100k / 1M synthetic reports in the district.

Run by hand: ``.venv/bin/python bench/bench_hotspots.py``. Peak MB is the tracemalloc peak
(numpy allocations included) over the steps of one row.
"""

from __future__ import annotations

import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from geo.aggregate import counts_by_cell, counts_on_grid
from geo.boundary import load_boundary
from geo.density import kde
from geo.emerging import emerging_hotspots
from geo.grid import GridSpec, grid
from geo.hotspots import gi_star

SIZES = (10_000, 100_000, 1_000_000)
SPEC = GridSpec(50, "square")
BAND_M = 150.0


def synthetic(n: int, seed: int = 1) -> pd.DataFrame:
    """Half uniform over the district's bounding box, half in 20 Gaussian clusters."""
    rng = np.random.default_rng(seed)
    xmin, ymin, xmax, ymax = load_boundary().district.bounds
    half = n // 2
    centres = np.column_stack([rng.uniform(xmin, xmax, 20), rng.uniform(ymin, ymax, 20)])
    pick = rng.integers(0, 20, n - half)
    x = np.concatenate([rng.uniform(xmin, xmax, half), rng.normal(centres[pick, 0], 60)])
    y = np.concatenate([rng.uniform(ymin, ymax, half), rng.normal(centres[pick, 1], 60)])
    start = pd.Timestamp("2025-01-01", tz="Europe/Berlin")
    when = start + pd.to_timedelta(rng.integers(0, 365 * 86_400, n), unit="s")
    return pd.DataFrame({"x": x, "y": y, "count": np.ones(n, "int32"), "occurred_at": when})


def timed(fn):
    t = time.perf_counter()
    result = fn()
    return result, (time.perf_counter() - t) * 1000.0


def main() -> None:
    district = load_boundary().district
    _, grid_ms = timed(lambda: grid(SPEC, district))
    cells = len(grid(SPEC, district))
    print(f"50 m grid of the district: {cells} cells, first build {grid_ms:.0f} ms (then cached)")
    bounds = district.buffer(BAND_M).bounds
    print(
        f"{'reports':>9} | {'counts_by_cell ms':>17} | {'kde ms':>7} | {'gi_star 50 m ms':>15}"
        f" | {'emerging 12 mo ms':>17} | {'peak MB':>7}"
    )
    print("-" * 90)
    for n in SIZES:
        frame = synthetic(n)
        tracemalloc.start()
        counts, count_ms = timed(lambda frame=frame: counts_by_cell(frame, SPEC))
        _, kde_ms = timed(
            lambda frame=frame: kde(frame["x"], frame["y"], None, BAND_M, 10.0, bounds=bounds)
        )
        full = counts_on_grid(counts, SPEC, district)
        gi_ms = min(timed(lambda full=full: gi_star(full, SPEC, BAND_M))[1] for _ in range(3))
        _, em_ms = timed(
            lambda frame=frame: emerging_hotspots(frame, SPEC, "M", distance_band_m=BAND_M,
                                                  area=district)
        )
        peak = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
        print(
            f"{n:>9,} | {count_ms:>17.1f} | {kde_ms:>7.1f} | {gi_ms:>15.1f}"
            f" | {em_ms:>17.1f} | {peak:>7.0f}"
        )


if __name__ == "__main__":
    main()
