"""Sitzung, Präsentation and handout: the agenda of a session as a role may see it.

One builder, ``agenda_for``, gives the page, the projector and the handout the same object,
so paper and screen show the same numbers for each role. For the public the period covers
whole weeks (up to the last complete one), key figures and hot street sections carry
published counts (the role's ``Policy``: cell key method), hot spot labels are
decided on those published counts, and a measure's effect is computed from its published
window counts – the same rules as every other page.
"""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
from shapely.geometry.base import BaseGeometry

from geo.boundary import Boundary
from reports.analysis.analytics import group_label
from reports.analysis.hotspot_change import RISING
from reports.coordination.agenda import Agenda, agenda_period, assemble_agenda, due_for_review
from reports.coordination.measures import (
    Measure,
    effect_text,
    evaluate_measure,
    list_measures,
    public_difference_note,
)
from reports.coordination.meetings import get_meeting, previous_meeting
from reports.privacy.access import Role, effective_filter, policy_for
from reports.storage.query import ReportFilter, apply_filter
from reports.views.hotspots import section_changes_for
from reports.views.measures import published_evaluation
from reports.views.overview import key_figure_table
from reports.views.source import reports_for

MIN_HOTSPOT_REPORTS = 5  # a section with fewer reports of its own is no topic yet
MAX_HOTSPOTS = 8  # the handout's map and table: the sections with the most reports


def agenda_for(store, meeting_id: int, role: Role, today: date, *,
               boundary: Boundary, frame: pd.DataFrame | None = None) -> Agenda:
    """The agenda of session ``meeting_id`` as ``role`` may see it.

    ``frame``: all reports to look in (default: the store's); the role's rows are taken
    here, so callers cannot forget them. ``today``: the real date (``config.clock.today``;
    tests pass their own), the period ends the day before. ``boundary``: the district,
    whose grid the hot spots are found on and whose rest measures are compared with.
    """
    meeting = get_meeting(store, meeting_id)
    previous = previous_meeting(store, meeting)
    since, until = agenda_period(meeting, previous, today, whole_weeks=not policy_for(role).exact)
    period = effective_filter(ReportFilter(since, until), role)
    assert period.start is not None and period.end is not None
    since, until = period.start, period.end
    length = until - since + timedelta(days=1)
    if frame is None:
        frame = store.load_reports(ReportFilter())
    shown = reports_for(frame, ReportFilter(since - length, until), role)
    now = apply_filter(shown, period)
    before = apply_filter(shown, ReportFilter(since - length, since - timedelta(days=1)))
    interval = max(meeting.held_on - since, timedelta(days=1))
    items = list_measures(store)
    due = due_for_review(items, meeting.held_on, since, interval)
    visible = reports_for(frame, ReportFilter(), role)
    return assemble_agenda(store, meeting, previous, role, (since, until),
                           agenda_hotspots(now, before, role, boundary),
                           measure_effects(due, items, visible, role, boundary.district),
                           agenda_figures(now, before, role))


def agenda_figures(now: pd.DataFrame, before: pd.DataFrame, role: Role) -> pd.DataFrame:
    """DataFrame[Bereich, jetzt, davor] (NA: "unter k"), "Gesamt" first then per topic: the
    Überblick's key figures (``overview.key_figure_table``) of the agenda's periods."""
    table = pd.concat([key_figure_table(now, before, role),
                       key_figure_table(now, before, role, "topic")], ignore_index=True)
    table["Bereich"] = [g if g == "Gesamt" else group_label("topic", g) for g in table["group"]]
    return table.rename(columns={"now": "jetzt", "before": "davor"})[
        ["Bereich", "jetzt", "davor"]].reset_index(drop=True)


def agenda_hotspots(now: pd.DataFrame, before: pd.DataFrame, role: Role, boundary: Boundary
                    ) -> pd.DataFrame:
    """The MAX_HOTSPOTS street sections that are hot now with the most (shown) reports, at
    least MIN_HOTSPOT_REPORTS, most first, and after them any new or intensifying section
    beyond those (``hotspots.section_changes_for``; ``change`` in RISING marks them)."""
    changes = section_changes_for(now, before, role, boundary)
    enough = changes["reports_now"].astype("Float64").fillna(0) >= MIN_HOTSPOT_REPORTS
    listed = changes[enough & (changes["hot_now"].astype(bool)
                               | changes["change"].isin(RISING))]
    top = listed.head(MAX_HOTSPOTS)
    rising = listed.iloc[MAX_HOTSPOTS:]
    return pd.concat([top, rising[rising["change"].isin(RISING)]]).reset_index(drop=True)


def measure_effects(due: pd.DataFrame, items: list[Measure], frame: pd.DataFrame, role: Role,
                    district: BaseGeometry) -> pd.DataFrame:
    """``due`` (``coordination.agenda.due_for_review``) with the effect so far in plain
    German and why the public's figures differ; ``frame``: the role's reports."""
    by_id = {m.id: m for m in items}
    effects, notes = [], []
    sees_restricted = policy_for(role).sees_restricted_categories
    for row in due.itertuples():
        m = by_id[row.id]
        if m.status == "planned":
            effects.append("noch keine Wirkung messbar (nicht begonnen).")
        else:
            result = evaluate_measure(m, frame, district=district)
            effects.append(effect_text(published_evaluation(result, role)))
        notes.append(public_difference_note(m, sees_restricted))
    return due.assign(effect=effects, note=notes)
