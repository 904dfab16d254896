"""Report counts per grid cell and per Ortsteil (absolute and per 1,000 inhabitants).

Rows without coordinates (NaN x/y) are not dropped silently: every result carries the number
of such rows in ``result.attrs["not_placed"]`` so a page can say how many reports are missing
from the map.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd
import shapely

from config.paths import DATA_DIR
from geo.grid import GridSpec, cell_ids, grid

POPULATION_FILE = DATA_DIR / "population.csv"
POPULATION_COLUMNS = {
    "ortsteil": "string",
    "einwohner": "Int64",
    "jahr": "Int64",
    "quelle": "string",
}


def placed(frame: pd.DataFrame) -> tuple[pd.DataFrame, int]:
    """Rows with coordinates, and how many rows had none."""
    ok = frame["x"].notna().to_numpy() & frame["y"].notna().to_numpy()
    return frame[ok], int((~ok).sum())


def _weights(frame: pd.DataFrame, weight: str | None) -> np.ndarray:
    if weight is None:
        return np.ones(len(frame), dtype=np.int64)
    if weight != "count":
        raise ValueError(f"unknown weight {weight!r}; use None (rows) or 'count'")
    return frame["count"].fillna(1).to_numpy(dtype=np.int64)


def counts_by_cell(frame: pd.DataFrame, spec: GridSpec, weight: str | None = None) -> pd.DataFrame:
    """DataFrame[cell_id, reports] for cells with at least one report.

    ``reports`` is the number of rows; ``weight="count"`` sums the report's ``count`` field
    instead (one record of "5 syringes" counts 5).
    """
    pts, not_placed = placed(frame)
    ids = cell_ids(pts["x"].to_numpy(), pts["y"].to_numpy(), spec)
    inverse, uniq = pd.factorize(ids, sort=True)  # hash-based: ~5x faster than np.unique
    reports = np.bincount(inverse, weights=_weights(pts, weight), minlength=len(uniq))
    out = pd.DataFrame({"cell_id": uniq, "reports": reports.astype(np.int64)})
    out.attrs["not_placed"] = not_placed
    return out


def counts_on_grid(counts: pd.DataFrame, spec: GridSpec, area: shapely.Geometry
                   ) -> pd.DataFrame:
    """Counts onto every cell of the clipped grid, zero-filled (what Gi* needs).

    Reports in cells outside the grid (outside ``area``) are left out and counted in
    ``attrs["outside_grid"]``.
    """
    cells = grid(spec, area)["cell_id"].to_numpy()
    full = pd.DataFrame({"cell_id": cells})
    full = full.merge(counts[["cell_id", "reports"]], on="cell_id", how="left")
    full["reports"] = full["reports"].fillna(0).astype(np.int64)
    inside = np.isin(counts["cell_id"].to_numpy(), cells)
    full.attrs["not_placed"] = counts.attrs.get("not_placed", 0)
    full.attrs["outside_grid"] = int(counts["reports"].to_numpy()[~inside].sum())
    return full


def population(path: Path | None = None) -> pd.DataFrame:
    """Inhabitants per Ortsteil from data/population.csv (ortsteil, einwohner, jahr, quelle).

    Missing file or header-only file -> empty frame: rates are then shown as unavailable.
    """
    path = path or POPULATION_FILE
    if not path.exists():
        return pd.DataFrame({c: pd.Series(dtype=t) for c, t in POPULATION_COLUMNS.items()})
    table = pd.read_csv(path, dtype=str, encoding="utf-8")
    missing = set(POPULATION_COLUMNS) - set(table.columns)
    if missing:
        raise ValueError(f"{path.name}: Spalten fehlen: {', '.join(sorted(missing))}")
    for column in ("einwohner", "jahr"):
        values = pd.to_numeric(table[column], errors="coerce")
        bad = values.isna() & table[column].notna()
        if bad.any():
            row = int(np.flatnonzero(bad.to_numpy())[0]) + 2  # header is line 1
            raise ValueError(
                f"{path.name}, Zeile {row}, Feld {column}: keine ganze Zahl "
                f"({table[column].iloc[row - 2]!r})"
            )
        table[column] = values.astype("Int64")
    return table[list(POPULATION_COLUMNS)].astype(POPULATION_COLUMNS)


def counts_by_ortsteil(
    frame: pd.DataFrame,
    population: pd.DataFrame | None = None,
    weight: str | None = None,
    ortsteile: Sequence[str] | None = None,
) -> pd.DataFrame:
    """DataFrame[ortsteil, reports, einwohner, per_1000].

    Uses the ``ortsteil`` the geocoder assigned; rows without one are counted in
    ``attrs["not_placed"]``. Every Ortsteil of the district (``ortsteile``, default
    data/district.toml) appears in that order, also with 0 reports, followed by any other
    names found in the frame or population table. ``per_1000`` is NaN where no population
    figure is known.
    """
    if ortsteile is None:
        from geo.boundary import district_config

        ortsteile = district_config().ortsteile
    # Group the one column, never a filtered copy of the whole frame (1M rows with their
    # descriptions): codes of the distinct names, then a bincount.
    has = frame["ortsteil"].notna().to_numpy()
    codes, uniques = pd.factorize(frame["ortsteil"])
    sums = pd.Series(np.bincount(codes[has], weights=_weights(frame, weight)[has],
                                 minlength=len(uniques)).astype(np.int64),
                     index=uniques.astype(str))
    pop = population if population is not None else pd.DataFrame(columns=["ortsteil", "einwohner"])
    names = list(dict.fromkeys(ortsteile))
    names += sorted((set(sums.index) | set(pop["ortsteil"].dropna().astype(str))) - set(names))
    out = pd.DataFrame({"ortsteil": pd.Series(names, dtype="string")})
    out["reports"] = sums.reindex(names, fill_value=0).to_numpy(dtype=np.int64)
    known = pop.dropna(subset=["ortsteil"])
    inhabitants = (
        pd.Series(
            pd.to_numeric(known["einwohner"], errors="coerce").astype("float64").to_numpy(),
            index=known["ortsteil"].astype(str).to_numpy(),
        )
        .groupby(level=0)
        .last()
    )
    out["einwohner"] = inhabitants.reindex(names).to_numpy("float64")
    with np.errstate(divide="ignore", invalid="ignore"):
        rate = out["reports"].to_numpy("float64") / out["einwohner"].to_numpy() * 1000.0
    out["per_1000"] = np.where(out["einwohner"].to_numpy() > 0, rate, np.nan)
    out.attrs["not_placed"] = int((~has).sum())
    return out
