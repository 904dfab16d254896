"""Server time of a filter change on the Karte page, and the map's HTML size, at 10k / 100k /
1M reports; folium's naive HeatMap of raw points for comparison.

A filter change re-runs: filter the per-data-version frame in pandas, apply the role (both
cached per filter in st.cache_resource, no copy), build the map, render its HTML (what
streamlit-folium sends). Run by hand: `.venv/bin/python bench/bench_dashboard.py [--max 1000000]`.
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import folium
from folium import plugins

from geo.boundary import load_boundary
from maps.view import build_map
from reports.privacy.access import Role
from reports.storage.query import ReportFilter
from reports.views.map import MapContext, MapOptions, map_view
from reports.views.source import reports_for
from tests.maps.test_maps import synthetic_reports

FILTER = ReportFilter(date(2025, 4, 1), date(2025, 12, 31), topics=("ordnung", "umwelt"))


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def filter_change(frame, ctx: MapContext, role: Role, options: MapOptions) -> tuple[float, int]:
    start = time.perf_counter()
    visible = reports_for(frame, FILTER, role)
    html = build_map(map_view(visible, role, options, ctx), ctx).get_root().render()
    return time.perf_counter() - start, len(html.encode())


def naive_heatmap(frame) -> tuple[float, int]:
    start = time.perf_counter()
    m = folium.Map(location=[51.345, 12.42], zoom_start=14)
    plugins.HeatMap(frame[["lat", "lon"]].dropna().to_numpy().tolist()).add_to(m)
    html = m.get_root().render()
    return time.perf_counter() - start, len(html.encode())


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--max", type=int, default=1_000_000)
    args = parser.parse_args()
    ctx = MapContext(load_boundary().ortsteile(), load_boundary().district)
    cases = [
        ("Mitglied, Heat+Zellen+Gi*", Role.MEMBER, MapOptions()),
        ("Mitglied, alle Ebenen", Role.MEMBER,
         MapOptions(layers=("heat", "cells", "ortsteile", "hotspots", "markers"))),
        ("Öffentlich, Standard", Role.PUBLIC, MapOptions()),
    ]
    print(f"{'reports':>9} | {'case':<28} | {'ms':>7} | {'HTML bytes':>11} | {'rows/s':>11} "
          f"| {'peak MB':>7}")
    print("-" * 90)
    for n in (10_000, 100_000, 1_000_000):
        if n > args.max:
            break
        frame = synthetic_reports(n, seed=1)
        filter_change(frame, ctx, Role.MEMBER, MapOptions())  # warm caches (grid, kernels)
        for label, role, options in cases:
            seconds, size = min((filter_change(frame, ctx, role, options) for _ in range(3)),
                                key=lambda r: r[0])
            print(f"{n:>9,} | {label:<28} | {seconds * 1000:>7.0f} | {size:>11,} | "
                  f"{n / seconds:>11,.0f} | {peak_mb():>7.0f}")
        seconds, size = naive_heatmap(frame)
        print(f"{n:>9,} | {'folium HeatMap, rohe Punkte':<28} | {seconds * 1000:>7.0f} | "
              f"{size:>11,} | {n / seconds:>11,.0f} | {peak_mb():>7.0f}")


if __name__ == "__main__":
    main()
