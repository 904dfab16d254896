"""Co-occurrence: several problems and partners in one cell."""

from __future__ import annotations

import numpy as np
import pytest

from geo.cooccurrence import cooccurrence
from geo.grid import GridSpec, cell_ids
from tests.stat_sample import reports_at

SPEC = GridSpec(50, "square")
CATS = ["illegale_muellablagerung", "spritzenfund", "kontakt_strassensozialarbeit"]


def test_cells_with_several_categories_need_several_partners():
    x = [319_010, 319_020, 319_030, 319_040, 319_510, 319_520, 319_530, np.nan]
    y = [5_690_010] * 4 + [5_690_010] * 3 + [np.nan]
    category = [
        "illegale_muellablagerung", "illegale_muellablagerung", "spritzenfund", "graffiti",
        "illegale_muellablagerung", "illegale_muellablagerung", "illegale_muellablagerung",
        "spritzenfund",
    ]  # fmt: skip
    source = ["stadtreinigung", "buerger", "suchthilfe", "stadtreinigung"] + ["buerger"] * 4
    frame = reports_at(x, y, category=category, source=source)
    out = cooccurrence(frame, SPEC, CATS).set_index("cell_id")
    mixed, single = cell_ids([319_010, 319_510], [5_690_010] * 2, SPEC)
    assert list(out.columns[:3]) == CATS
    assert out.loc[mixed, CATS].tolist() == [2, 1, 0]  # graffiti is not asked for
    assert out.loc[mixed, "categories_present"] == 2
    assert out.loc[mixed, "several_partners"]
    assert out.loc[mixed, "sources"] == "buerger, stadtreinigung, suchthilfe"
    assert out.loc[single, "categories_present"] == 1
    assert not out.loc[single, "several_partners"]
    assert out.index[0] == mixed  # most categories first
    assert out.attrs["not_placed"] == 1
    strict = cooccurrence(frame, SPEC, CATS, min_each=2).set_index("cell_id")
    assert strict.loc[mixed, "categories_present"] == 1


def test_needs_two_categories_and_handles_no_matches():
    frame = reports_at([319_010], [5_690_010], category="graffiti")
    assert cooccurrence(frame, SPEC, CATS).empty
    with pytest.raises(ValueError, match="zwei Kategorien"):
        cooccurrence(frame, SPEC, ["spritzenfund"])
