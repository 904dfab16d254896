"""Sitzung: what changed since the previous meeting, where, and for which topic, plus the
handout for the minutes."""

from __future__ import annotations

from datetime import timedelta

import pandas as pd
import streamlit as st

from pages import shared
from reports.analysis.analytics import group_label
from reports.coordination.agenda import agenda_lines, build_agenda
from reports.privacy.access import policy_for
from reports.render.handout import HandoutData, build_handout
from reports.storage.query import ReportFilter
from reports.views.meeting import (
    CHANGE_KINDS,
    agenda_hotspots,
    handout_figures,
    handout_hot_cells,
    hotspot_change_summary,
    top_places,
)
from reports.views.overview import weekly_by_topic

shared.ensure_entrypoint()
st.title("Sitzung")
calendar = shared.meetings()
if calendar.empty:
    st.info("Noch keine Sitzungen im Kalender. Die Redaktion kann Sitzungen anlegen; die "
            "Demodaten enthalten alle sechs Wochen eine.")
    st.stop()

calendar = calendar.assign(held_on=pd.to_datetime(calendar["held_on"]).dt.date)
past = calendar[calendar["held_on"] <= shared.today()]
choices = (past if len(past) else calendar).sort_values("held_on", ascending=False)
labels = {int(r.id): f"{r.held_on:%d.%m.%Y} – {r.title}" for r in choices.itertuples()}
chosen = st.selectbox("Sitzung", list(labels), format_func=labels.get, key="sitzung_id")
held = calendar.set_index("id").at[chosen, "held_on"]
earlier = calendar[calendar["held_on"] < held]["held_on"]
start = (earlier.max() + timedelta(days=1)) if len(earlier) else held - timedelta(days=41)
sidebar = shared.current_filter()
f = shared.role_filter(ReportFilter(start, held, sidebar.topics, sidebar.sources,
                                   sidebar.categories, sidebar.ortsteile))
period = f"{f.start:%d.%m.%Y} – {f.end:%d.%m.%Y} (seit der vorigen Sitzung)"
st.caption(f"Zeitraum {period}, verglichen mit den {(f.end - f.start).days + 1} Tagen davor. "
           "Themen-, Quellen- und Ortsteilfilter aus dem Seitenmenü gelten weiter.")

role = shared.current_role()
now = shared.visible_frame(f)
before = shared.visible_frame(f.previous_period())
if shared.require_reports(now):
    ctx = shared.district_geometry()
    kinds, table = hotspot_change_summary(now, before, role, ctx.district)
    cols = st.columns(3)
    for col, (key, title) in zip(cols, CHANGE_KINDS.items(), strict=True):
        col.metric(f"{title} (Zellen)", kinds[key])
    # Per Ortsteil and kind of change: a meeting discusses places, not 100 m cells.
    table = table.rename(columns={"change_label": "Veränderung", "jetzt": "Meldungen jetzt",
                                  "davor": "Meldungen davor"})
    table = shared.readable(table, ["Meldungen jetzt", "Meldungen davor"])
    if table.empty:
        st.info("Keine neuen, verstärkten oder abgeschwächten Hotspots seit der vorigen Sitzung.")
    else:
        st.dataframe(table, hide_index=True, width="stretch")
        st.caption("Gi*-Hotspots im 100-m-Raster; eine Zelle kann durch ihre Nachbarschaft "
                   "Hotspot sein, auch mit wenigen eigenen Meldungen.")
    shared.rounding_note()

    st.subheader("Top-Orte je Thema")
    for topic in sorted(now["topic"].dropna().unique()):
        top = top_places(now, before, role, topic)
        st.markdown(f"**{group_label('topic', topic)}**")
        st.dataframe(shared.readable(
            top[["Ort", "Ortsteil", "Zellen", "now", "before", "change"]].rename(
                columns={"Ort": "nächste Straße", "Zellen": "Rasterzellen (100 m)",
                         "now": "jetzt", "before": "davor", "change": "Veränderung"}),
            ["jetzt", "davor"]), hide_index=True, width="stretch")
    st.caption("Orte: Rasterzellen mit Meldungen, zusammengefasst nach der nächsten Straße "
               "des Ortsverzeichnisses; sortiert nach Meldungen im Zeitraum.")

    # The agenda looks at the same two periods; the frame is what this role may see.
    agenda = build_agenda(shared.get_store(), int(chosen), frame=pd.concat([before, now]))
    st.subheader("Tagesordnung")
    if policy_for(role).sees_details:
        agenda_text = agenda_lines(agenda)
        st.text("\n".join(agenda_text))
    else:
        # Concerns and measures are for members; the public sees the hot spot part only.
        agenda_text = None
        spots = agenda_hotspots(agenda.hotspots, role)
        if spots.empty:
            st.info("Keine neuen oder sich verstärkenden Hotspots für diese Sitzung.")
        else:
            st.dataframe(shared.readable(
                spots[["change_label", "near", "ortsteil", "cells", "reports_now",
                       "reports_before"]].rename(columns={
                           "change_label": "Veränderung", "near": "nächste Straße",
                           "ortsteil": "Ortsteil", "cells": "Rasterzellen (100 m)",
                           "reports_now": "Meldungen jetzt",
                           "reports_before": "Meldungen davor"}),
                ["Meldungen jetzt", "Meldungen davor"]), hide_index=True, width="stretch")
        st.caption("Öffentliche Ansicht: nur die Hotspots der Tagesordnung; Anliegen und "
                   "Maßnahmen sehen angemeldete Mitglieder.")

    figures = shared.readable(handout_figures(now, before, role), ["now", "before"])
    data = HandoutData(labels[chosen], period, figures,
                       weekly_by_topic(now, role, f), handout_hot_cells(now, role, ctx.district),
                       table, ctx.ortsteile, ctx.streets, agenda=agenda_text)
    st.download_button("Handout als PDF", lambda: build_handout(data),
                       f"handout_{held:%Y-%m-%d}.pdf", "application/pdf", on_click="ignore",
                       key="sitzung_pdf")
