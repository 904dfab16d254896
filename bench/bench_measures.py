"""Time of the Maßnahmen page's computations at 10k / 100k / 1M reports: one evaluation, the
balance view's effects of the demo's five measures, and a meeting's agenda (Gi* now/before).

Reports come from the demo generator's truth (no import), repeated with jitter to reach 1M.
Run by hand: `.venv/bin/python bench/bench_measures.py [--max 1000000]`.
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np
import pandas as pd

from demo.generate import generate_truth, interventions
from demo.measures import demo_measures
from geo.boundary import load_boundary
from reports.analysis.evaluation import evaluate
from reports.coordination.measures import effects, list_measures
from reports.model import TIMEZONE, vocabulary
from reports.privacy.access import Role
from reports.storage.store import Store
from reports.views.meeting import agenda_for


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def reports(n: int) -> pd.DataFrame:
    truth = generate_truth(min(n, 200_000))
    rng = np.random.default_rng(1)
    frame = truth.sample(n, replace=n > len(truth), random_state=1).reset_index(drop=True)
    frame["x"] += rng.normal(0, 5, n)
    frame["y"] += rng.normal(0, 5, n)
    frame["occurred_at"] = pd.to_datetime(frame["when"]).dt.tz_localize(
        TIMEZONE, ambiguous="NaT", nonexistent="shift_forward")
    topics = {key: c.topic for key, c in vocabulary().categories.items()}
    frame["topic"] = frame["category"].map(topics)
    frame["sensitivity"] = "public"  # the agenda takes the role's rows itself
    return frame[["occurred_at", "topic", "category", "x", "y", "count", "sensitivity"]]


def timed(fn, *args, **kwargs) -> float:
    start = time.perf_counter()
    fn(*args, **kwargs)
    return (time.perf_counter() - start) * 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--max", type=int, default=1_000_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        store = Store.open(f"sqlite:///{tmp}/bench.sqlite")
        boundary = load_boundary()
        demo_measures(store, boundary.district)
        meeting = store.add_meeting(date(2025, 10, 2), "Sitzung")
        store.add_meeting(date(2025, 8, 21), "Sitzung davor")
        items = list_measures(store)
        cleaning = interventions()[0]
        print(f"{'rows':>9} | {'evaluate ms':>11} | {'effects (5) ms':>14} | "
              f"{'agenda ms':>9} | {'rows/s (evaluate)':>17} | {'peak MB':>7}")
        for n in (10_000, 100_000, 1_000_000):
            if n > args.max:
                break
            frame = reports(n)
            one = timed(evaluate, frame, cleaning.area, cleaning.start,
                        district=boundary.district, categories=cleaning.categories)
            five = timed(effects, items, frame, boundary.district)
            agenda = timed(agenda_for, store, meeting, Role.EDITOR, date(2025, 10, 2),
                           boundary=boundary, frame=frame)
            print(f"{n:>9,} | {one:>11.0f} | {five:>14.0f} | {agenda:>9.0f} | "
                  f"{n / one * 1000:>17,.0f} | {peak_mb():>7.0f}")
        store.close()


if __name__ == "__main__":
    main()
