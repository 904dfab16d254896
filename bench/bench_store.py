"""Store throughput: upsert (new rows, then the same rows again) and load, at 10k/100k/1M.

Run by hand: ``.venv/bin/python bench/bench_store.py [--sizes 10000 100000 1000000]
[--postgres URL]``. Each size runs in a fresh subprocess so the peak RSS is its own.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from reports.model import REPORT_COLUMNS, TIMEZONE
from reports.storage.query import ReportFilter
from reports.storage.store import Store

ORTSTEILE = ["Volkmarsdorf", "Neustadt-Neuschönefeld", "Anger-Crottendorf",
             "Sellerhausen-Stünz", "Schönefeld-Abtnaundorf", "Schönefeld-Ost",
             "Reudnitz-Thonberg"]
TOPICS = ["ordnung", "umwelt", "soziales", "bau"]


def synthetic(n: int, seed: int = 1) -> pd.DataFrame:
    """n plausible reports, built column-wise (the bench measures the store, not this)."""
    rng = np.random.default_rng(seed)
    start = pd.Timestamp("2023-01-01", tz=TIMEZONE).value
    span = pd.Timestamp("2026-10-31", tz=TIMEZONE).value - start
    occurred = pd.to_datetime(start + rng.integers(0, span // 10**9, n) * 10**9, utc=True)
    ids = pd.Series(rng.integers(0, 2**63, n)).map("{:016x}".format)  # like stable_id
    frame = pd.DataFrame({
        "id": ids,
        "source": "polizei",
        "source_ref": "V-" + pd.Series(np.arange(n)).astype(str),
        "topic": np.array(TOPICS)[rng.integers(0, 4, n)],
        "category": "drogenhandel",
        "occurred_at": occurred.tz_convert(TIMEZONE),
        "reported_at": occurred.tz_convert(TIMEZONE),
        "address": "Eisenbahnstraße " + pd.Series(rng.integers(1, 200, n)).astype(str),
        "lon": 12.40 + rng.random(n) / 20,
        "lat": 51.34 + rng.random(n) / 50,
        "x": 318000 + rng.random(n) * 3000,
        "y": 5689000 + rng.random(n) * 3000,
        "ortsteil": np.array(ORTSTEILE)[rng.integers(0, len(ORTSTEILE), n)],
        "geocode_status": "exact",
        "precision_m": 10.0,
        "count": rng.integers(1, 5, n),
        "description": "Übergabe beobachtet, Personen entfernten sich",
        "sensitivity": "members",
        "batch_id": "bench",
        "content_hash": ids.str.slice(0, 8) + "c0ffee",
    })
    return frame[list(REPORT_COLUMNS)].astype(REPORT_COLUMNS)


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def one(n: int, url: str) -> dict:
    frame = synthetic(n)
    store = Store.open(url)
    base = peak_mb()
    timings = {}
    for label in ("insert", "again"):
        t, cpu = time.perf_counter(), time.process_time()
        with store.transaction() as conn:
            result = store.upsert_reports(frame, conn)
        timings[label] = time.perf_counter() - t
        timings[f"{label}_cpu"] = time.process_time() - cpu
        assert result.imported + result.duplicate == n, result
    t, cpu = time.perf_counter(), time.process_time()
    loaded = store.load_reports()
    timings["load"] = time.perf_counter() - t
    timings["load_cpu"] = time.process_time() - cpu
    assert len(loaded) == n
    t = time.perf_counter()
    part = store.load_reports(ReportFilter(start=date(2025, 1, 1), end=date(2025, 12, 31),
                                           topics=("ordnung",), ortsteile=("Volkmarsdorf",)))
    timings["filtered"] = time.perf_counter() - t
    assert 0 < len(part) < n
    store.close()
    return {"rows": n, **timings, "input_mb": base, "peak_mb": peak_mb()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--postgres", help="also run against this (empty) PostgreSQL URL")
    parser.add_argument("--one", nargs=2, metavar=("ROWS", "URL"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(one(int(args.one[0]), args.one[1])))
        return
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores; "
          "cpu s = CPU time of this process (PostgreSQL's server work not included)")
    print(f"{'backend':8} {'rows':>9} {'insert s':>9} {'cpu s':>6} {'rows/s':>9} {'again s':>8} "
          f"{'cpu s':>6} {'load s':>7} {'cpu s':>6} {'filter ms':>9} {'input MB':>8} "
          f"{'peak MB':>8}")
    for n in args.sizes:
        with tempfile.TemporaryDirectory() as tmp:
            urls = [("sqlite", f"sqlite:///{tmp}/bench.sqlite")]
            if args.postgres:
                urls.append(("postgres", args.postgres))
            for backend, url in urls:
                if backend == "postgres":
                    store = Store.open(url)
                    store.reset()
                    store.close()
                out = subprocess.run([sys.executable, __file__, "--one", str(n), url],
                                     check=True, capture_output=True, text=True).stdout
                r = json.loads(out.strip().splitlines()[-1])
                print(f"{backend:8} {n:>9,} {r['insert']:>9.2f} {r['insert_cpu']:>6.1f} "
                      f"{n / r['insert']:>9,.0f} "
                      f"{r['again']:>8.2f} {r['again_cpu']:>6.1f} {r['load']:>7.2f} "
                      f"{r['load_cpu']:>6.1f} {r['filtered'] * 1000:>9.0f} "
                      f"{r['input_mb']:>8.0f} {r['peak_mb']:>8.0f}")


if __name__ == "__main__":
    main()
