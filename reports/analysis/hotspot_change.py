"""Hot spot changes between two periods: the one definition the app, the agenda and the
handout use, so a label can never contradict the numbers printed beside it.

Where: Gi* (``geo.hotspots.gi_star``) on the 100 m grid finds the hot cells of each period;
cells hot in either period are grouped into street sections (``geo.street_sections``) and a
section is hot in a period if any of its cells is.

What changed is decided on the section's *own* report counts, the numbers shown with the
label (the old per-cell labels compared Gi* classes, which depend on the neighbourhood, and so
read "neuer Hotspot" beside 15 vs 14 reports). A change is clear when the conditional
binomial test for two Poisson counts (``geo.compare.poisson_rate_test``; Benjamini-Hochberg
over the listed sections) gives p ≤ ALPHA, or when a hot section had no report before and
now at least MIN_NEW:

  * new           hot now, not before, clearly more reports
  * intensifying  hot in both periods, clearly more reports
  * rising        clearly more reports, but no longer hot (its neighbourhood cooled down)
  * diminishing   hot now, clearly fewer reports
  * ended         hot before, not now, clearly fewer reports
  * steady        hot in one of the periods, no clear change in its reports
  * none          hot in neither period (never listed)
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from shapely.geometry.base import BaseGeometry

from geo.aggregate import counts_by_cell, counts_on_grid
from geo.boundary import Boundary
from geo.compare import poisson_rate_test
from geo.grid import GridSpec, cell_centres
from geo.hotspots import fdr, gi_star
from geo.street_sections import street_sections

SPEC = GridSpec(100, "square")
ALPHA = 0.05
MIN_NEW = 5  # "new" from nothing needs at least this many reports now
UP = ("new", "intensifying", "rising")
DOWN = ("diminishing", "ended")
# The label says two things the room can check against the numbers beside it: whether the
# section is a hot spot (Gi*) now and before, and which way its own count went – "deutlich"
# only where the test says so, otherwise "im Rahmen der üblichen Schwankung".
HOT_WORDS = {(True, False): "neuer Hotspot", (True, True): "weiterhin Hotspot",
             (False, True): "kein Hotspot mehr", (False, False): "kein Hotspot"}
CLEARLY_MORE, CLEARLY_FEWER = "deutlich mehr Meldungen", "deutlich weniger Meldungen"
NOISE = "aber im Rahmen der üblichen Schwankung"
RULE = ("„Deutlich mehr“ oder „deutlich weniger“ heißt: ein Test auf 5 %-Niveau schließt aus, "
        "dass der Unterschied der eigenen Meldungen des Abschnitts zwischen den beiden "
        f"Zeiträumen Zufall ist (oder: vorher keine, jetzt mindestens {MIN_NEW}); sonst liegt "
        "er im Rahmen der üblichen Schwankung. „Hotspot“: eine auffällige Häufung im "
        "100-m-Raster (Gi*). Neue oder verstärkte Hotspots (▲) haben deutlich mehr Meldungen "
        "und sind jetzt ein Hotspot.")
MIN_CELL_REPORTS = 3  # Gi* classes only cells with at least this many (the map's default)
LABEL_COLUMNS = ("p_fdr", "change", "change_label", "change_text")
COLUMNS = ["section", "place", "street", "ortsteil", "cells", "reports_now", "reports_before",
           "hot_now", "hot_before", "p_fdr", "change", "change_label", "change_text",
           "cell_ids"]
RISING = ("new", "intensifying")  # marked (▲) on the agenda, the handout and the projector


def classify(now, before, hot_now, hot_before, alpha: float = ALPHA
             ) -> tuple[np.ndarray, np.ndarray]:
    """(change keys, adjusted p) per place from its counts and hot flags (see module
    docstring); vectorised, the single rule behind every label."""
    now = np.asarray(now, dtype=np.int64)
    before = np.asarray(before, dtype=np.int64)
    hot_now = np.asarray(hot_now, dtype=bool)
    hot_before = np.asarray(hot_before, dtype=bool)
    p_fdr = fdr(poisson_rate_test(now, before)) if now.size else np.array([], "float64")
    clear = np.nan_to_num(p_fdr, nan=1.0) <= alpha
    from_nothing = hot_now & (before == 0) & (now >= MIN_NEW)
    up = (clear & (now > before)) | from_nothing
    down = clear & (now < before)
    change = np.select(
        [~hot_now & ~hot_before, up & hot_now & ~hot_before, up & hot_now & hot_before,
         up & ~hot_now, down & hot_now, down & ~hot_now],
        ["none", "new", "intensifying", "rising", "diminishing", "ended"], default="steady")
    return change.astype(object), p_fdr


def change_label(change: str, now: float, before: float, hot_now: bool,
                 hot_before: bool) -> str:
    """The words for one section: "weiterhin Hotspot – mehr Meldungen, aber im Rahmen der
    üblichen Schwankung"; ``change`` from ``classify`` on the same ``now`` / ``before``."""
    if change in UP:
        direction = CLEARLY_MORE
    elif change in DOWN:
        direction = CLEARLY_FEWER
    elif now > before:
        direction = f"mehr Meldungen, {NOISE}"
    elif now < before:
        direction = f"weniger Meldungen, {NOISE}"
    else:
        direction = "gleich viele Meldungen"
    return f"{HOT_WORDS[(bool(hot_now), bool(hot_before))]} – {direction}"


def change_text(now, before, k: int = 0) -> str:
    """The change itself as the room reads it: "+82 % (31 statt 17)"; counts as the role sees
    them (``count_text``: "unter 5" for a hidden public count, then no percentage)."""
    from reports.privacy.access import count_text

    numbers = f"{count_text(now, k)} statt {count_text(before, k)}"
    if pd.isna(now) or pd.isna(before):
        return numbers
    if before == 0:
        return f"neu ({numbers})" if now else f"± 0 % ({numbers})"
    percent = round((now / before - 1) * 100)
    sign = "+" if percent > 0 else ("−" if percent < 0 else "± ")
    return f"{sign}{abs(percent)} % ({numbers})"


def hot_cells(counts: pd.DataFrame, area: BaseGeometry, spec: GridSpec = SPEC,
              min_reports: int = MIN_CELL_REPORTS) -> pd.DataFrame:
    """Gi* per cell of one period from its cell counts (DataFrame[cell_id, reports]; for the
    public the published ones) on the grid of ``area`` (the district): DataFrame[cell_id, hot]."""
    gi = gi_star(counts_on_grid(counts, spec, area), spec, min_reports=min_reports)
    return pd.DataFrame({"cell_id": gi["cell_id"].to_numpy(np.int64),
                         "hot": gi["gi_class"].to_numpy() > 0})


def section_counts(counts_now: pd.DataFrame, counts_before: pd.DataFrame,
                   hot_now: pd.DataFrame, hot_before: pd.DataFrame, boundary: Boundary,
                   spec: GridSpec = SPEC) -> pd.DataFrame:
    """Per street section of the cells hot in either period (``hot_cells``) its own report
    counts (summed from ``counts_*``, DataFrame[cell_id, reports]): DataFrame[section, place,
    street, ortsteil, cells, reports_now, reports_before, hot_now, hot_before, cell_ids];
    the Ortsteil is ``boundary``'s."""
    hot = hot_now.rename(columns={"hot": "hot_now"}).merge(
        hot_before.rename(columns={"hot": "hot_before"}), on="cell_id", how="outer")
    hot = hot.fillna({"hot_now": False, "hot_before": False}).astype(
        {"hot_now": bool, "hot_before": bool})
    cells = hot[hot["hot_now"] | hot["hot_before"]]
    if cells.empty:
        return pd.DataFrame(columns=[c for c in COLUMNS if c not in LABEL_COLUMNS])
    for key, counts in (("now", counts_now), ("before", counts_before)):
        cells = cells.merge(counts[["cell_id", "reports"]].rename(
            columns={"reports": f"reports_{key}"}), on="cell_id", how="left")
    cells = cells.fillna({"reports_now": 0, "reports_before": 0})
    cells = cells.merge(street_sections(cells["cell_id"].to_numpy(), spec), on="cell_id")
    x, y = cell_centres(cells["cell_id"].to_numpy(), spec)
    cells["ortsteil"] = pd.Series(boundary.assign_ortsteil(x, y), index=cells.index).fillna("")
    out = cells.groupby("section", as_index=False).agg(
        place=("label", "first"), street=("street", "first"),
        ortsteil=("ortsteil", lambda s: s.mode().iloc[0] if len(s) else ""),
        cells=("cell_id", "size"), reports_now=("reports_now", "sum"),
        reports_before=("reports_before", "sum"), hot_now=("hot_now", "any"),
        hot_before=("hot_before", "any"), cell_ids=("cell_id", lambda s: tuple(sorted(s))))
    out["place"] = _unique(out["place"])
    return out.astype({"reports_now": np.int64, "reports_before": np.int64})


def with_labels(sections: pd.DataFrame, now=None, before=None, k: int = 0) -> pd.DataFrame:
    """``sections`` with change, p_fdr, change_label and change_text decided by ``classify``
    on ``now`` / ``before`` (default: the section's own counts; for the public the values of
    its published counts, shown with ``k``), most reports now first."""
    out = sections.copy()
    now = out["reports_now"] if now is None else now
    before = out["reports_before"] if before is None else before
    out["change"], out["p_fdr"] = classify(now, before, out["hot_now"], out["hot_before"])
    out["change_label"] = [change_label(*row) for row in zip(
        out["change"], np.asarray(now, "float64"), np.asarray(before, "float64"),
        out["hot_now"], out["hot_before"], strict=True)]
    out["change_text"] = [change_text(n, b, k) for n, b in zip(
        out["reports_now"], out["reports_before"], strict=True)]
    return out.sort_values(["reports_now", "place"], ascending=[False, True],
                           na_position="last")[COLUMNS].reset_index(drop=True)


def section_changes(now: pd.DataFrame, before: pd.DataFrame, boundary: Boundary,
                    spec: GridSpec = SPEC) -> pd.DataFrame:
    """Per street section hot in either period: DataFrame[COLUMNS], most reports now first.

    ``now`` / ``before``: the report frames of the two periods (counts are their rows; exact
    counts, for roles that see them – the public's go through ``reports.views.hotspots``);
    ``boundary``: the district, whose grid Gi* runs on and whose Ortsteile name the sections.
    """
    counts_now, counts_before = (counts_by_cell(frame, spec) for frame in (now, before))
    area = boundary.district
    sections = section_counts(counts_now, counts_before, hot_cells(counts_now, area, spec),
                              hot_cells(counts_before, area, spec), boundary, spec)
    return with_labels(sections) if len(sections) else pd.DataFrame(columns=COLUMNS)


def _unique(places: pd.Series) -> pd.Series:
    """Two separate sections of one street can round to the same name; number them."""
    seen: dict[str, int] = {}
    out = []
    for place in places:
        seen[place] = seen.get(place, 0) + 1
        out.append(place if seen[place] == 1 else f"{place} ({seen[place]}. Abschnitt)")
    return pd.Series(out, index=places.index)
