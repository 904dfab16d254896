"""Access layer cost: visible_reports on report frames, publishing (cell key noise,
rounding, hiding) the counts of aggregate tables (cells; cell x week), and the public's
50 m cells of a report frame (counts and record key sums, published), at 10k / 100k / 1M rows.
Run by hand: ``.venv/bin/python bench/bench_access.py``."""

from __future__ import annotations

import resource
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from geo.grid import GridSpec
from reports.model import REPORT_COLUMNS, vocabulary
from reports.privacy.access import Role, aggregate_for, visible_reports
from reports.views.map import published_cells

SIZES = (10_000, 100_000, 1_000_000)


def reports(n: int, rng: np.random.Generator) -> pd.DataFrame:
    cats = list(vocabulary().categories)
    frame = pd.DataFrame({c: pd.Series(index=range(n), dtype=t)
                          for c, t in REPORT_COLUMNS.items() if c != "count"})
    frame["count"] = np.ones(n, dtype="int32")
    frame["category"] = pd.array(rng.choice(cats, n), dtype="string")
    frame["sensitivity"] = pd.array(rng.choice(["public", "members", "restricted"], n),
                                    dtype="string")
    frame["x"] = rng.uniform(318_000, 322_000, n)
    frame["y"] = rng.uniform(5_689_000, 5_693_000, n)
    frame["lon"], frame["lat"] = 12.4, 51.34
    frame["description"] = pd.array(["Text"] * n, dtype="string")
    frame["record_key"] = rng.integers(0, 2**31, n)
    return frame


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return (time.perf_counter() - start) * 1000


def main() -> None:
    rng = np.random.default_rng(1)
    print(f"{'operation':<46}{'rows':>10}{'ms':>10}{'rows/s':>14}{'peak MB':>10}")
    for n in SIZES:
        frame = reports(n, rng)
        for role in (Role.PUBLIC, Role.MEMBER):
            ms = timed(lambda f=frame, r=role: visible_reports(f, r))
            print(f"{'visible_reports ' + role.value:<46}{n:>10}{ms:>10.0f}"
                  f"{n / ms * 1000:>14,.0f}{peak_mb():>10.0f}")
        cells = pd.DataFrame({"cell_id": np.arange(n),
                              "reports": rng.geometric(0.15, n),  # many small cells
                              "reports_key": rng.integers(0, 2**40, n)})
        ms = timed(lambda c=cells: aggregate_for(Role.PUBLIC, c, "reports"))
        print(f"{'aggregate_for oeffentlich, cells':<46}{n:>10}{ms:>10.0f}"
              f"{n / ms * 1000:>14,.0f}{peak_mb():>10.0f}")
        weeks = 52
        table = pd.DataFrame({"cell_id": np.repeat(np.arange(n // weeks), weeks),
                              "week": np.tile(np.arange(weeks), n // weeks),
                              "reports": rng.geometric(0.15, (n // weeks) * weeks),
                              "reports_key": rng.integers(0, 2**40, (n // weeks) * weeks)})
        ms = timed(lambda t=table: aggregate_for(Role.PUBLIC, t, "reports"))
        print(f"{'aggregate_for oeffentlich, cell x week':<46}{len(table):>10}{ms:>10.0f}"
              f"{len(table) / ms * 1000:>14,.0f}{peak_mb():>10.0f}")
        pts = frame[["x", "y", "record_key"]]
        ms = timed(lambda p=pts: published_cells(p, GridSpec(50, "square"), Role.PUBLIC))
        print(f"{'published_cells oeffentlich, 50 m':<46}{n:>10}{ms:>10.0f}"
              f"{n / ms * 1000:>14,.0f}{peak_mb():>10.0f}")


if __name__ == "__main__":
    main()
