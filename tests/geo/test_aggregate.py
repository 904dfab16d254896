"""Counts per cell and per Ortsteil, and the population table."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import shapely

from geo.aggregate import counts_by_cell, counts_by_ortsteil, counts_on_grid, population
from geo.grid import GridSpec, cell_ids
from tests.stat_sample import reports_at

SPEC = GridSpec(100, "square")
AREA = shapely.box(320_000, 5_691_000, 320_500, 5_691_300)


def test_counts_by_cell_counts_rows_or_count_field_and_reports_unplaced():
    frame = reports_at(
        [320_010, 320_020, 320_150, np.nan],
        [5_691_010, 5_691_090, 5_691_010, np.nan],
        count=[1, 4, 2, 9],
    )
    rows = counts_by_cell(frame, SPEC)
    assert rows["reports"].tolist() == [2, 1]
    assert rows["cell_id"].tolist() == sorted(cell_ids([320_010, 320_150], [5_691_010] * 2, SPEC))
    assert rows.attrs["not_placed"] == 1
    assert counts_by_cell(frame, SPEC, weight="count")["reports"].tolist() == [5, 2]
    with pytest.raises(ValueError):
        counts_by_cell(frame, SPEC, weight="einwohner")


def test_counts_on_grid_fills_zeros_and_counts_reports_outside():
    frame = reports_at([320_010, 320_020, 330_000], [5_691_010, 5_691_020, 5_691_010])
    full = counts_on_grid(counts_by_cell(frame, SPEC), SPEC, AREA)
    assert len(full) == 15  # 5 x 3 cells
    assert full["reports"].sum() == 2
    assert (full["reports"] == 0).sum() == 14
    assert full.attrs["outside_grid"] == 1


def test_population_file_missing_header_only_valid_and_broken(tmp_path):
    assert population(tmp_path / "nope.csv").empty
    header = tmp_path / "header.csv"
    header.write_text("ortsteil,einwohner,jahr,quelle\n", encoding="utf-8")
    assert population(header).empty
    good = tmp_path / "good.csv"
    good.write_text(
        "ortsteil,einwohner,jahr,quelle\nVolkmarsdorf,12000,2023,Stadt Leipzig\n", encoding="utf-8"
    )
    table = population(good)
    assert table.loc[0, "einwohner"] == 12000 and table.loc[0, "jahr"] == 2023
    bad = tmp_path / "bad.csv"
    bad.write_text("ortsteil,einwohner,jahr,quelle\nA,12000,2023,x\nB,viele,2023,x\n")
    with pytest.raises(ValueError, match=r"bad.csv, Zeile 3, Feld einwohner"):
        population(bad)


def test_counts_by_ortsteil_with_and_without_population():
    frame = reports_at([1, 2, 3, 4], [1, 2, 3, 4], count=[1, 1, 1, 5])
    frame["ortsteil"] = pd.array(
        ["Volkmarsdorf", "Volkmarsdorf", "Schönefeld-Ost", None], dtype="string"
    )
    plain = counts_by_ortsteil(frame).set_index("ortsteil")
    assert plain.index[:2].tolist() == ["Neustadt-Neuschönefeld", "Volkmarsdorf"]  # district order
    assert len(plain) == 7  # every Ortsteil of data/district.toml, also without reports
    assert plain.loc["Volkmarsdorf", "reports"] == 2
    assert plain.loc["Schönefeld-Ost", "reports"] == 1
    assert plain.loc["Anger-Crottendorf", "reports"] == 0
    assert plain["per_1000"].isna().all()
    assert plain.attrs["not_placed"] == 1
    assert counts_by_ortsteil(frame, weight="count", ortsteile=[])["reports"].tolist() == [1, 2]
    pop = pd.DataFrame(
        {"ortsteil": ["Volkmarsdorf", "Anger-Crottendorf"], "einwohner": [4000, 10000]}
    )
    rated = counts_by_ortsteil(frame, pop, ortsteile=["Volkmarsdorf"]).set_index("ortsteil")
    assert rated.index.tolist() == ["Volkmarsdorf", "Anger-Crottendorf", "Schönefeld-Ost"]
    assert rated.loc["Volkmarsdorf", "per_1000"] == pytest.approx(0.5)
    assert rated.loc["Anger-Crottendorf", "reports"] == 0
    assert rated.loc["Anger-Crottendorf", "per_1000"] == 0
    assert np.isnan(rated.loc["Schönefeld-Ost", "per_1000"])
