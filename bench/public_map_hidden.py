"""How much of the public map is hidden, before (exact counts, cells under k left out,
free day ranges) and after issue 15 (published counts: rounded to 5, cells under k left
out, whole weeks), on a store (default: the demo store), for the Karte's default view
(last 90 days) at each cell size. Run by hand:
``DATABASE_URL=sqlite:///var/lagebild.sqlite .venv/bin/python bench/public_map_hidden.py``."""

from __future__ import annotations

import sys
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from geo.aggregate import counts_by_cell
from geo.grid import GridSpec
from reports.privacy.access import Role, policy_for, visible_reports
from reports.storage.query import ReportFilter, apply_filter
from reports.storage.store import Store
from reports.views.map import placement_counts, published_cells
from reports.views.source import reports_for


def main() -> None:
    store = Store.open()
    reports = store.load_reports()
    end = reports["occurred_at"].max().date()
    f = ReportFilter(end - timedelta(days=89), end)
    k = policy_for(Role.PUBLIC).min_count
    before_frame = visible_reports(apply_filter(reports, f), Role.PUBLIC)
    after_frame = reports_for(reports, f, Role.PUBLIC)
    print(f"store: {len(reports):,} reports; filter {f.start:%d.%m.%Y} – {f.end:%d.%m.%Y} "
          f"(public: whole weeks), k = {k}")
    print(f"{'cells':<12}{'':>3}{'placed':>9}{'cells':>8}{'hidden cells':>14}"
          f"{'hidden reports':>16}")
    for cell_m in (50, 100, 250):
        for shape in ("square", "hex"):
            spec = GridSpec(cell_m, shape)
            for label, frame in (("before", before_frame), ("after", after_frame)):
                pts, _, _ = placement_counts(frame)
                if label == "before":
                    counts = counts_by_cell(pts, spec)
                    hidden = counts["reports"] < k
                    exact = counts["reports"]
                else:
                    counts = published_cells(pts, spec, Role.PUBLIC)
                    hidden = counts["reports"].isna()
                    exact = counts["exact"]
                print(f"{f'{shape} {cell_m} m':<12}{label:>7}{len(pts):>9,}{len(counts):>8,}"
                      f"{hidden.mean():>13.1%} {exact[hidden].sum() / max(len(pts), 1):>15.1%}")


if __name__ == "__main__":
    main()
