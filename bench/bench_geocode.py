"""Geocoding throughput (targets: >= 100,000 addresses/s for exact and normalised matches,
>= 5,000/s where fuzzy matching is needed) on the shipped register and boundary.

Cases, each on a cold geocoder (empty caches) in its own process so peak memory is its own:
- exact/repeated: 2,000 distinct addresses on the district's streets (numbers up to each
  street's highest), repeated as in real exports; - normalised/repeated: the same addresses
  in messy spellings (Str./strasse, case, spaces, postcode); - unique: every string distinct
  (spelling x number x suffix x postcode); - fuzzy: a typo in every street name (distinct
  typos, repeated numbers).
The "keys" column counts distinct normalised keys: the work that cannot be cached away.
"seconds" is wall time; "cpu s" is this process's CPU time, which a busy shared machine
inflates less (the wall time of a starved process is mostly waiting).

Run by hand: ``.venv/bin/python bench/bench_geocode.py [--sizes 10000 100000 1000000]``.
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from geo.boundary import load_boundary
from geo.geocode import Geocoder
from geo.normalize import parse_address
from geo.register import load_register

assign_ortsteil = load_boundary().assign_ortsteil  # the shipped Ortsteile

SIZES = (10_000, 100_000, 1_000_000)
CASES = ("exact/repeated", "normalised/repeated", "unique", "fuzzy")


def _streets() -> pd.DataFrame:
    """The district's streets of the register with their highest house number."""
    addresses = load_register().addresses
    inside = assign_ortsteil(addresses["x"].to_numpy(), addresses["y"].to_numpy()) != None  # noqa: E711
    top = addresses[inside].groupby("street")["number"].max()
    return pd.DataFrame({"name": top.index, "hn_to": top.to_numpy()})


def _spellings(name: str) -> list[str]:
    short = name.replace("straße", "str.").replace("Straße", "Str.")
    return [name, short, name.lower().replace("ß", "ss"), short.upper(), f"  {name.lower()} "]


def _typo(name: str, rng: np.random.Generator) -> str:
    i = int(rng.integers(1, max(len(name) - 7, 2)))  # inside the name, not in "straße"
    return name[:i] + name[i + 1:] if rng.random() < 0.5 else name[:i] + "x" + name[i + 1:]


def _texts(case: str, n: int, streets: pd.DataFrame, rng: np.random.Generator) -> list[str]:
    names = streets["name"].to_numpy()
    top = streets["hn_to"].to_numpy(int)
    if case == "exact/repeated" or case == "normalised/repeated":
        pick = rng.integers(0, len(names), 2_000)
        pool = [f"{names[s]} {rng.integers(1, top[s] + 1)}" for s in pick]
        if case == "normalised/repeated":
            pool = [
                f"{rng.choice(_spellings(a.rsplit(' ', 1)[0]))} {a.rsplit(' ', 1)[1]}"
                + rng.choice(["", ", 04315 Leipzig", " Leipzig"])
                for a in pool
            ]
        return [pool[i] for i in rng.integers(0, len(pool), n)]
    if case == "unique":
        texts: set[str] = set()
        while len(texts) < n:
            s = int(rng.integers(0, len(names)))
            texts.add(
                f"{rng.choice(_spellings(names[s]))} {rng.integers(1, top[s] + 1)}"
                f"{rng.choice(list(' abcdefghijklmnopqrstuvwxyz'))}".strip()
                + rng.choice(["", ", 04315 Leipzig", ", 04317", ", 04318 Leipzig", " Leipzig"])
            )
        return list(texts)
    streets_idx = rng.integers(0, len(names), n)
    return [f"{_typo(names[s], rng)} {rng.integers(1, top[s] + 1)}" for s in streets_idx]


def one(case: str, n: int) -> None:
    """Measure one case in this process; print one table row."""
    rng = np.random.default_rng(7)
    streets = _streets()
    texts = _texts(case, n, streets, rng)
    geocoder = Geocoder(load_register(), assign_ortsteil)
    assign_ortsteil(np.array([0.0]), np.array([0.0]))  # load the boundary outside the timing
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    start, cpu = time.perf_counter(), time.process_time()
    frame = geocoder.geocode_many(texts)
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    keys = len({parse_address(t) for t in set(texts)})
    top = frame["status"].value_counts(normalize=True).head(2)
    statuses = ", ".join(f"{k} {v:.0%}" for k, v in top.items())
    print(f"| {case} | {n:>9,} | {len(set(texts)):>9,} | {keys:>7,} | {seconds:7.3f} "
          f"| {n / seconds:>11,.0f} | {cpu:7.3f} | {n / cpu:>11,.0f} | {peak - before:6.0f} "
          f"| {statuses} |", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", nargs="*", type=int, default=list(SIZES))
    parser.add_argument("--one", nargs=2, metavar=("CASE", "N"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        one(args.one[0], int(args.one[1]))
        return
    print("| case | n | distinct strings | keys | seconds | addresses/s | cpu s | per cpu s "
          "| peak MB | statuses |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---|")
    for case in CASES:
        for n in args.sizes:
            subprocess.run([sys.executable, __file__, "--one", case, str(n)], check=True)


if __name__ == "__main__":
    main()
