"""Überblick: the selected period against the one before, at a glance."""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from maps.view import MapOptions, build_map
from pages import shared
from reports.analysis.analytics import counts_over_time, format_change, group_label, key_figures
from reports.analysis.hotspot_change import RULE, section_changes
from reports.privacy.access import policy_for
from reports.render.palette import TOPIC_COLORS

shared.ensure_entrypoint()
st.title("Überblick")
f = shared.current_filter()
now = shared.visible_frame(f)
before = shared.visible_frame(f.previous_period())
st.caption(f"{f.start:%d.%m.%Y} – {f.end:%d.%m.%Y} im Vergleich zu den "
           f"{(f.end - f.start).days + 1} Tagen davor")

if shared.require_reports(now):
    for by, title in ((None, "Gesamt"), ("topic", "Nach Thema"), ("source", "Nach Quelle")):
        table = shared.shown_aggregate(key_figures(now, before, by), ["now", "before"],
                                       derived=["change", "change_pct"])
        if by is not None:
            st.subheader(title)
        cols = st.columns(min(len(table), 4) or 1)
        for i, row in enumerate(table.itertuples()):
            label = "Meldungen gesamt" if by is None else group_label(by, row.group)
            if pd.isna(row.now) or pd.isna(row.before):
                k = policy_for(shared.current_role()).min_count
                cols[i % len(cols)].metric(label, f"< {k}", help="Kleine Zahlen werden "
                                           "öffentlich nicht gezeigt (Datenschutz).")
            else:
                cols[i % len(cols)].metric(label, shared.fmt_int(int(row.now)),
                                           format_change(int(row.now), int(row.before)),
                                           delta_color="off")

    left, right = st.columns([3, 2])
    with left:
        st.subheader("Karte")
        result = build_map(now, shared.current_role(), MapOptions(layers=("heat", "hotspots")),
                           shared.district_geometry())
        st_folium(result.map, height=380, use_container_width=True, returned_objects=[],
                  key="ueberblick_karte")
    with right:
        st.subheader("Verlauf je Thema")
        weekly = counts_over_time(now, "W", "topic", f)
        weekly = shared.shown_aggregate(weekly, "reports", margins=(("period",),))
        weekly["Thema"] = weekly["group"].map(lambda k: group_label("topic", k))
        chart = alt.Chart(weekly).mark_line(point=False).encode(
            x=alt.X("period:T", title=None, axis=alt.Axis(format="%d.%m.")),
            y=alt.Y("reports:Q", title=None),
            color=alt.Color("group:N", legend=None, scale=alt.Scale(
                domain=list(TOPIC_COLORS), range=list(TOPIC_COLORS.values()))),
            tooltip=[alt.Tooltip("period:T", title="Woche ab", format="%d.%m.%Y"),
                     alt.Tooltip("reports:Q", title="Meldungen")],
        ).properties(height=60).facet(row=alt.Row("Thema:N", title=None))
        shared.chart_with_downloads(chart, weekly.drop(columns="Thema"), "verlauf_thema")

    st.subheader("Top-Hotspots und ihre Veränderung")
    ctx = shared.district_geometry()
    changes = section_changes(now, before, area=ctx.district)
    top = changes[changes["hot_now"]].head(10)
    if top.empty:
        st.info("Im gewählten Zeitraum gibt es keine statistisch auffälligen Hotspots "
                "(100-m-Raster, Gi*).")
    else:
        top = shared.shown_aggregate(top, ["reports_now", "reports_before"], derived=["cells"])
        shown = top[["place", "ortsteil", "change_label", "reports_now", "reports_before"]].rename(
            columns={"place": "Straßenabschnitt", "ortsteil": "Ortsteil",
                     "change_label": "Veränderung", "reports_now": "Meldungen",
                     "reports_before": "davor"})
        st.dataframe(shared.readable_counts(shown, ["Meldungen", "davor"]),
                     hide_index=True, width="stretch")
        st.caption(RULE)
