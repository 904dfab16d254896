"""As the public, try to recover a hidden (1..k-1) count by subtracting published views.

Run by hand on a store, e.g. the demo:
``DATABASE_URL=sqlite:///var/lagebild.sqlite .venv/bin/python bench/public_differencing.py``.
Pairs tried for random periods, categories and Ortsteile: the same filter one day shorter,
one topic vs all, an Ortsteil vs its 100 m cells. What an attacker knows of a published
value is its ``count_band``; a hidden term is recovered when the bands of the views leave
exactly one value for it. Prints how many hidden terms were tried and how many recovered.
"""

from __future__ import annotations

import random
import sys
from datetime import date, timedelta
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from geo.grid import GridSpec
from reports.model import RECORD_KEY
from reports.privacy.access import Role
from reports.privacy.policy import count_band, publish_counts
from reports.storage.query import ReportFilter
from reports.storage.store import Store
from reports.views.map import cell_tally
from reports.views.source import reports_for

K = 5
PUBLIC = Role.PUBLIC


def band(frame: pd.DataFrame) -> tuple[int, int]:
    """The band an attacker infers from the published total of ``frame``."""
    shown = publish_counts([len(frame)], [int(frame[RECORD_KEY].sum())], K).iloc[0]
    return count_band(shown, K)


def pinned_difference(a: pd.DataFrame, b: pd.DataFrame) -> tuple[int, bool]:
    """(true difference, whether the two published totals pin it to one value)."""
    (big, n_big), (small, n_small) = sorted(((band(a), len(a)), (band(b), len(b))),
                                            key=lambda pair: -pair[1])
    low, high = max(0, big[0] - small[1]), big[1] - small[0]
    return n_big - n_small, low == high


def pinned_cells(reports: pd.DataFrame) -> tuple[int, int]:
    """(hidden non-empty cells, of those pinned by the total and the other cells' bands)."""
    cells = cell_tally(reports.dropna(subset=["x", "y"]), GridSpec(100, "square"))
    bands = [count_band(v, K) for v in publish_counts(cells["reports"], cells["reports_key"], K)]
    total = band(reports.dropna(subset=["x", "y"]))
    low_sum, high_sum = sum(b[0] for b in bands), sum(b[1] for b in bands)
    hidden = pinned = 0
    for (low, high), true in zip(bands, cells["reports"], strict=True):
        if high < K and true > 0:
            hidden += 1
            lowest = max(low, total[0] - (high_sum - high))
            highest = min(high, total[1] - (low_sum - low))
            pinned += lowest == highest
    return hidden, pinned


def main() -> None:
    reports = Store.open(read_only=True).load_reports()
    rng = random.Random(1)
    topics = sorted(reports["topic"].dropna().unique())
    categories = sorted(reports["category"].dropna().unique())
    ortsteile = sorted(reports["ortsteil"].dropna().unique())
    counts = {name: [0, 0] for name in ("±1 Tag", "Thema vs alle", "Ortsteil vs Zellen")}
    for _ in range(400):
        end = date(2026, 10, 31) - timedelta(days=rng.randrange(0, 600))
        start = end - timedelta(days=rng.choice([7, 14, 30, 90]))
        category, ortsteil = rng.choice([None, *categories]), rng.choice([None, *ortsteile])
        narrow = {"categories": (category,) if category else (),
                  "ortsteile": (ortsteil,) if ortsteil else ()}
        topic = rng.choice(topics)
        whole = ReportFilter(start, end, **narrow)
        pairs = {"±1 Tag": ReportFilter(start, end - timedelta(days=1), **narrow),
                 "Thema vs alle": ReportFilter(start, end, topics=tuple(
                     t for t in topics if t != topic), **narrow)}
        seen = reports_for(reports, whole, PUBLIC)
        for name, other in pairs.items():
            difference, pinned = pinned_difference(seen, reports_for(reports, other, PUBLIC))
            if 0 < difference < K:
                counts[name][0] += 1
                counts[name][1] += pinned
        if ortsteil:
            hidden, pinned = pinned_cells(seen)
            counts["Ortsteil vs Zellen"][0] += hidden
            counts["Ortsteil vs Zellen"][1] += pinned
    print(f"{'attack':<20} {'hidden terms':>12} {'recovered':>10}")
    for name, (hidden, pinned) in counts.items():
        print(f"{name:<20} {hidden:>12,} {pinned:>10,}")


if __name__ == "__main__":
    main()
