"""Trends: counts over time, the same period in earlier years, the seasonal profile and the
weekday x hour table, as a role may see them. Means are computed from published counts.

A trend can be counted at one place (a hot street section, a map cell, a measure's area,
and for members also a stretch of street by house numbers or an area drawn on the map); its
series goes through the role's ``Policy`` like every other count. The public counts only at
places the dashboard publishes itself: two free places can differ by one cell, and whether
their figures differ would tell whether that cell holds a report (``Policy.chooses_free_places``).
For the public every grouping lists every group and every period, "unter k" also for
none. Sessions and the start and end of measures are markers with a text on the time axis."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import shapely
from shapely.geometry.base import BaseGeometry

from geo.boundary import Boundary
from geo.gazetteer import street_lines
from geo.grid import cell_polygons
from geo.street_sections import section_area
from reports.analysis.analytics import (
    MONTHS,
    counts_over_time,
    monthly_by_year,
    period_comparison,
    weekday_hour,
)
from reports.analysis.hotspot_change import SPEC
from reports.coordination.measures import Measure, area_from_drawing
from reports.coordination.meetings import Meeting
from reports.model import RECORD_KEY
from reports.privacy.access import Role, policy_for
from reports.storage.query import ReportFilter
from reports.views.hotspots import section_changes_for


def trend_counts(frame: pd.DataFrame, role: Role, freq: str, by: str, f: ReportFilter,
                 window: int) -> pd.DataFrame:
    """DataFrame[period, group, reports, hidden, rolling]: counts per period and group,
    ``rolling`` the trailing mean over ``window`` periods of the shown counts."""
    policy = policy_for(role)
    table = policy.table(counts_over_time(frame, freq, by, policy.period(f),
                                          policy.groups(by)))
    values = table["reports"].astype("Float64").astype("float64")
    table["rolling"] = (values.groupby(table["group"])
                        .transform(lambda s: s.rolling(window, min_periods=1).mean()))
    return table


def year_comparison(frames: dict[int, pd.DataFrame], role: Role, f: ReportFilter,
                    freq: str) -> pd.DataFrame:
    """DataFrame[year, years_back, period, reports, hidden] (see
    ``analytics.period_comparison``)."""
    return policy_for(role).table(period_comparison(frames, f, freq))


def seasonal(frame: pd.DataFrame, role: Role, f: ReportFilter) -> pd.DataFrame:
    """DataFrame[month, label, mean, years]: mean of the shown monthly counts per calendar
    month over the years that cover it (hidden months left out of the mean)."""
    policy = policy_for(role)
    monthly = policy.table(monthly_by_year(frame, None if policy.exact else policy.period(f)))
    if monthly.empty:
        return pd.DataFrame(columns=["month", "label", "mean", "years"])
    monthly["reports"] = monthly["reports"].astype("Float64")
    out = (monthly.groupby("month")["reports"].agg(mean="mean", years="size")
           .reset_index())
    out["mean"] = out["mean"].astype("float64")
    out["label"] = out["month"].map(lambda m: MONTHS[m - 1])
    return out[["month", "label", "mean", "years"]]


def weekday_hour_counts(frame: pd.DataFrame, role: Role) -> tuple[pd.DataFrame, list[str]]:
    """Long DataFrame[Wochentag, Stunde, reports, hidden] and the weekday order."""
    table = weekday_hour(frame)
    long = table.reset_index(names="Wochentag").melt(
        id_vars="Wochentag", var_name="Stunde", value_name="reports")
    if RECORD_KEY in frame:
        keys = weekday_hour(frame, RECORD_KEY)
        long["reports_key"] = keys.reset_index(names="Wochentag").melt(
            id_vars="Wochentag", var_name="Stunde", value_name="k")["k"].to_numpy()
    return policy_for(role).table(long), list(table.index)


PLACE_KINDS = {"all": "ganzer Filter", "hotspot": "Hotspot", "section": "Straßenabschnitt",
               "measure": "Maßnahmengebiet", "drawn": "gezeichnete Fläche"}
MARKER_LABEL_CHARS = 32  # a marker's text on the chart; the tooltip has the whole title
MARKER_ROWS = 3  # marker texts are staggered over this many lines
ANNOTATION_KINDS = {"meeting": "Sitzung", "measure": "Maßnahme", "event": "Ereignis",
                    "construction": "Baustelle"}
KIND_SHORT = {"Sitzung": "Sitzung", "Maßnahme beginnt": "Beginn", "Maßnahme endet": "Ende"}


@dataclass(frozen=True)
class Place:
    """Where a trend is counted: ``area`` in EPSG:25833, None for the whole filter."""

    kind: str
    label: str
    area: BaseGeometry | None = None


def hotspot_places(now: pd.DataFrame, before: pd.DataFrame, role: Role, boundary: Boundary
                   ) -> list[Place]:
    """The street sections hot in the filter's period (``hotspots.section_changes_for``, for
    the public found on published counts), most reports first."""
    changes = section_changes_for(now, before, role, boundary)
    hot = changes[changes["hot_now"].astype(bool)]
    return [Place("hotspot", row.place, cell_polygons(list(row.cell_ids), SPEC).union_all())
            for row in hot.itertuples()]


def _free_place_allowed(role: Role) -> None:
    if not policy_for(role).chooses_free_places:
        raise ValueError("Eigene Orte (gezeichnete Flächen, Abschnitte nach Hausnummern) "
                         "zählen nur für angemeldete Mitglieder: aus dem Unterschied zweier "
                         "fast gleicher Flächen ließe sich sonst ablesen, ob in einer "
                         "einzelnen Rasterzelle Meldungen liegen.")


def place_kinds(role: Role) -> dict[str, str]:
    """The kinds of place ``role`` may count a trend at (``PLACE_KINDS``)."""
    free = policy_for(role).chooses_free_places
    return {k: v for k, v in PLACE_KINDS.items() if free or k not in ("section", "drawn")}


def section_place(street: str, number_from: int | None, number_to: int | None,
                  role: Role) -> Place:
    """A stretch of street by house numbers ("Eisenbahnstraße 60–90"); ValueError (German)
    for an unknown street or a role that may not choose its own places."""
    _free_place_allowed(role)
    label = street if number_from is None or number_to is None else \
        f"{street} {min(number_from, number_to)}–{max(number_from, number_to)}"
    return Place("section", label, section_area(street, number_from, number_to))


def street_names(district: BaseGeometry) -> list[str]:
    """The district's streets a section can lie on (those with a course), by name."""
    streets = street_lines()
    return sorted(streets.loc[streets.intersects(district), "name"].unique())


def measure_place(measure: Measure) -> Place:
    return Place("measure", measure.title, measure.area)


def drawn_place(geometry: dict | None, role: Role) -> Place:
    """An area drawn on the map (GeoJSON in lon/lat); MeasureError (German) if it is none,
    ValueError (German) for a role that may not choose its own places."""
    _free_place_allowed(role)
    return Place("drawn", "gezeichnete Fläche", area_from_drawing(geometry))


def place_reports(frame: pd.DataFrame, place: Place) -> pd.DataFrame:
    """The reports of ``frame`` (the role's, see ``source.reports_for``) inside the place;
    for the public their points are already snapped to 50 m cells, so a drawn area counts
    what the public map's cells count."""
    if place.area is None:
        return frame
    x, y = frame["x"].to_numpy("float64"), frame["y"].to_numpy("float64")
    inside = shapely.contains_xy(place.area, np.nan_to_num(x, nan=0.0), np.nan_to_num(y, nan=0.0))
    return frame[inside & np.isfinite(x) & np.isfinite(y)]


def time_markers(meetings: list[Meeting], measures: list[Measure], annotations: pd.DataFrame,
                 start, end, place: Place) -> pd.DataFrame:
    """DataFrame[date, kind, label, text] of the events on the time axis inside start..end:
    sessions, the start and end of measures (at a place: only those whose area touches it)
    and annotations; ``text`` is the short label drawn on the chart."""
    rows = [{"date": m.held_on, "kind": "Sitzung", "label": m.title} for m in meetings]
    for m in measures:
        if place.area is not None and not m.area.intersects(place.area):
            continue
        rows.append({"date": m.starts_on, "kind": "Maßnahme beginnt", "label": m.title})
        if m.ends_on is not None:
            rows.append({"date": m.ends_on, "kind": "Maßnahme endet", "label": m.title})
    rows += [{"date": d, "kind": ANNOTATION_KINDS.get(k, k), "label": label}
             for d, k, label in zip(annotations.get("starts_on", []),
                                    annotations.get("kind", []),
                                    annotations.get("label", []), strict=True)]
    out = pd.DataFrame(rows, columns=["date", "kind", "label"])
    out["date"] = pd.to_datetime(out["date"])
    out = out[(out["date"] >= pd.Timestamp(start)) & (out["date"] <= pd.Timestamp(end))]
    out = out.sort_values("date").reset_index(drop=True)
    short = [t if len(t) <= MARKER_LABEL_CHARS else t[:MARKER_LABEL_CHARS - 1] + "…"
             for t in out["label"].astype(str)]
    out["text"] = [f"{KIND_SHORT.get(k, k)}: {t}" for k, t in zip(out["kind"], short,
                                                                   strict=True)]
    out["row"] = np.arange(len(out)) % MARKER_ROWS  # staggered, so close labels do not overlap
    return out
