"""Sitzung: what changed since the previous meeting, where, and for which topic, plus the
handout for the minutes."""

from __future__ import annotations

from datetime import timedelta

import pandas as pd
import streamlit as st

from geo.boundary import assign_ortsteil
from geo.compare import hotspot_changes, two_period
from geo.gazetteer import nearest_street
from geo.grid import GridSpec, cell_centres, grid
from pages import shared
from reports.analysis.analytics import counts_over_time, group_label, key_figures
from reports.coordination.agenda import agenda_lines, build_agenda
from reports.privacy.access import policy_for
from reports.render.handout import HandoutData, build_handout
from reports.storage.query import ReportFilter

SPEC = GridSpec(100, "square")

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
f = ReportFilter(start, held, sidebar.topics, sidebar.sources, sidebar.categories,
                 sidebar.ortsteile)
period = f"{f.start:%d.%m.%Y} – {f.end:%d.%m.%Y} (seit der vorigen Sitzung)"
st.caption(f"Zeitraum {period}, verglichen mit den {(f.end - f.start).days + 1} Tagen davor. "
           "Themen-, Quellen- und Ortsteilfilter aus dem Seitenmenü gelten weiter.")

now = shared.visible_frame(f)
before = shared.visible_frame(f.previous_period())
if shared.require_reports(now):
    ctx = shared.district_geometry()
    changes = hotspot_changes(now, before, SPEC, area=ctx.district)
    cx, cy = cell_centres(changes["cell_id"].to_numpy(), SPEC)
    changes["Ortsteil"] = assign_ortsteil(cx, cy)
    cols = st.columns(3)
    kinds = {"new": "Neue Hotspots", "intensifying": "Verstärkte Hotspots",
             "diminishing": "Abgeschwächte Hotspots"}
    for col, (key, title) in zip(cols, kinds.items(), strict=True):
        col.metric(f"{title} (Zellen)", int((changes["change"] == key).sum()))
    # Per Ortsteil and kind of change: a meeting discusses places, not 100 m cells.
    changed = changes[changes["change"].isin(list(kinds))]
    table = (changed.groupby(["Ortsteil", "change_label"], dropna=False)
             .agg(Zellen=("cell_id", "size"), jetzt=("reports_now", "sum"),
                  davor=("reports_before", "sum"))
             .reset_index().sort_values(["Zellen", "jetzt"], ascending=False))
    table = shared.shown_aggregate(table, ["jetzt", "davor"])
    table = table.assign(Ortsteil=table["Ortsteil"].fillna("außerhalb")).rename(columns={
        "change_label": "Veränderung", "jetzt": "Meldungen jetzt", "davor": "Meldungen davor"})
    table = table.drop(columns="suppressed")
    if table.empty:
        st.info("Keine neuen, verstärkten oder abgeschwächten Hotspots seit der vorigen Sitzung.")
    else:
        st.dataframe(shared.readable_counts(table, ["Meldungen jetzt", "Meldungen davor"]),
                     hide_index=True, width="stretch")
        st.caption("Gi*-Hotspots im 100-m-Raster; eine Zelle kann durch ihre Nachbarschaft "
                   "Hotspot sein, auch mit wenigen eigenen Meldungen.")

    st.subheader("Top-Orte je Thema")
    for topic in sorted(now["topic"].dropna().unique()):
        cells = two_period(now[now["topic"] == topic], before[before["topic"] == topic], SPEC)
        x, y = cell_centres(cells["cell_id"].to_numpy(), SPEC)
        # A place the alliance knows: nearest street (as on the agenda) and Ortsteil.
        cells = cells.assign(Ort=nearest_street(x, y),
                             Ortsteil=pd.Series(assign_ortsteil(x, y), index=cells.index)
                             .fillna("außerhalb"))
        top = (cells.groupby(["Ort", "Ortsteil"], as_index=False)
               .agg(Zellen=("cell_id", "size"), now=("now", "sum"), before=("before", "sum"))
               .sort_values(["now", "before"], ascending=False).head(5))
        top["change"] = top["now"] - top["before"]
        # the number of cells bounds a hidden count from below, so it hides with it
        top = shared.shown_aggregate(top, ["now", "before"], derived=["change", "Zellen"])
        # hidden rows last and by name: their rank would hint at their size
        top = top.sort_values(["now", "before", "Ort"], ascending=[False, False, True],
                              na_position="last")
        st.markdown(f"**{group_label('topic', topic)}**")
        st.dataframe(shared.readable_counts(
            top[["Ort", "Ortsteil", "Zellen", "now", "before", "change"]].rename(
                columns={"Ort": "nächste Straße", "Zellen": "Rasterzellen (100 m)",
                         "now": "jetzt", "before": "davor", "change": "Veränderung"}),
            ["jetzt", "davor"]), hide_index=True, width="stretch")
    st.caption("Orte: Rasterzellen mit Meldungen, zusammengefasst nach der nächsten Straße "
               "des Ortsverzeichnisses; sortiert nach Meldungen im Zeitraum.")

    # The agenda looks at the same two periods; the frame is what this role may see.
    agenda = build_agenda(shared.get_store(), int(chosen), frame=pd.concat([before, now]))
    st.subheader("Tagesordnung")
    if policy_for(shared.current_role()).sees_details:
        agenda_text = agenda_lines(agenda)
        st.text("\n".join(agenda_text))
    else:
        # Concerns and measures are for members; the public sees the hot spot part only.
        agenda_text = None
        spots = shared.shown_aggregate(agenda.hotspots, ["reports_now", "reports_before"],
                                       derived=["cells"])
        if spots.empty:
            st.info("Keine neuen oder sich verstärkenden Hotspots für diese Sitzung.")
        else:
            st.dataframe(shared.readable_counts(
                spots[["change_label", "near", "ortsteil", "cells", "reports_now",
                       "reports_before"]].rename(columns={
                           "change_label": "Veränderung", "near": "nächste Straße",
                           "ortsteil": "Ortsteil", "cells": "Rasterzellen (100 m)",
                           "reports_now": "Meldungen jetzt",
                           "reports_before": "Meldungen davor"}),
                ["Meldungen jetzt", "Meldungen davor"]), hide_index=True, width="stretch")
        st.caption("Öffentliche Ansicht: nur die Hotspots der Tagesordnung; Anliegen und "
                   "Maßnahmen sehen angemeldete Mitglieder.")

    figures = pd.concat([key_figures(now, before), key_figures(now, before, "topic")])
    figures = shared.shown_aggregate(figures, ["now", "before"], derived=["change", "change_pct"])
    weekly = shared.shown_aggregate(counts_over_time(now, "W", "topic", f), "reports",
                                    margins=(("period",),))
    from geo.aggregate import counts_by_cell, counts_on_grid
    from geo.hotspots import gi_star

    gi = gi_star(counts_on_grid(counts_by_cell(now, SPEC), SPEC, ctx.district), SPEC)
    hot = grid(SPEC, ctx.district).merge(gi[gi["gi_class"] != 0], on="cell_id")
    data = HandoutData(labels[chosen], period, figures, weekly, hot,
                       table, ctx.ortsteile, ctx.streets, agenda=agenda_text)
    st.download_button("Handout als PDF", lambda: build_handout(data),
                       f"handout_{held:%Y-%m-%d}.pdf", "application/pdf", on_click="ignore",
                       key="sitzung_pdf")
