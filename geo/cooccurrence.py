"""Cross-topic co-occurrence per grid cell: where several problems, and so several partners,
meet in one place (e.g. illegal dumping x syringe finds x street social work contacts)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from geo.aggregate import placed
from geo.grid import GridSpec, cell_ids


def cooccurrence(
    frame: pd.DataFrame,
    spec: GridSpec,
    categories: Sequence[str],
    min_each: int = 1,
    min_categories: int = 2,
) -> pd.DataFrame:
    """Per cell with any of ``categories``: one count column per category, ``categories_present``
    (categories with at least ``min_each`` reports), ``several_partners`` (True where
    ``categories_present >= min_categories``; shown as "mehrere Partner nötig") and
    ``sources`` (the reporting partners' source keys, comma-separated, sorted).

    Sorted with the most categories, then the most reports first.
    """
    categories = list(dict.fromkeys(categories))
    if len(categories) < 2:
        raise ValueError("Für Überschneidungen braucht es mindestens zwei Kategorien.")
    pts, not_placed = placed(frame)
    pts = pts[pts["category"].isin(categories).to_numpy()]
    table = pd.DataFrame(
        {
            "cell_id": cell_ids(pts["x"].to_numpy(), pts["y"].to_numpy(), spec),
            "category": pts["category"].astype(str).to_numpy(),
            "source": pts["source"].astype(str).to_numpy(),
        }
    )
    counts = (
        pd.crosstab(table["cell_id"], table["category"])
        .reindex(columns=categories, fill_value=0)
        .astype(np.int64)
    )
    counts.columns.name = None
    present = (counts >= min_each).sum(axis=1)
    sources = table.groupby("cell_id")["source"].agg(lambda s: ", ".join(sorted(set(s))))
    out = counts.reset_index()
    out["categories_present"] = present.to_numpy()
    out["several_partners"] = out["categories_present"] >= min_categories
    out["reports"] = counts.sum(axis=1).to_numpy()
    out["sources"] = sources.reindex(counts.index).to_numpy()
    out.attrs["not_placed"] = not_placed
    return out.sort_values(
        ["categories_present", "reports", "cell_id"], ascending=[False, False, True]
    ).reset_index(drop=True)
