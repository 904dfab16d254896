"""Ortsteil assignment throughput (target: 1M points < 1 s), shipped drawing and, where given,
an official Ortsteile file with many more vertices.

Run by hand: ``.venv/bin/python bench/bench_boundary.py [--official PATH]``.
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from geo.boundary import Boundary, load_boundary

SIZES = (10_000, 100_000, 1_000_000)


def run(label: str, boundary: Boundary) -> None:
    minx, miny, maxx, maxy = boundary.district.bounds
    rng = np.random.default_rng(1)
    for n in SIZES:
        x = rng.uniform(minx - 500, maxx + 500, n)
        y = rng.uniform(miny - 500, maxy + 500, n)
        start = time.perf_counter()
        names = boundary.assign_ortsteil(x, y)
        ms = (time.perf_counter() - start) * 1000
        inside = np.count_nonzero(names != None)  # noqa: E711 (object array of str/None)
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"| {label} | {n:>9,} | {ms:8.1f} | {n / ms * 1000:>12,.0f} | {inside / n:6.1%} "
              f"| {peak:7.0f} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--official", help="official Ortsteile file or folder to compare")
    args = parser.parse_args()
    print("| geometry | points | ms | points/s | inside | peak MB |")
    print("|---|---:|---:|---:|---:|---:|")
    run("shipped", load_boundary())  # loaded and prepared outside the timing
    if args.official:
        run("official", load_boundary(args.official))


if __name__ == "__main__":
    main()
