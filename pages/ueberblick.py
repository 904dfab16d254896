"""Überblick: the selected period against the one before, at a glance."""

from __future__ import annotations

import altair as alt
import streamlit as st
from streamlit_folium import st_folium

from maps.view import build_map
from pages import shared
from reports.analysis.analytics import group_label
from reports.analysis.hotspot_change import RULE
from reports.render.palette import TOPIC_COLORS
from reports.views.map import MapOptions, map_view
from reports.views.overview import key_figure_table, top_hotspots, weekly_by_topic

shared.ensure_entrypoint()
st.title("Überblick")
f = shared.current_filter()
now = shared.visible_frame(f)
before = shared.visible_frame(f.previous_period())
st.caption(f"{f.start:%d.%m.%Y} – {f.end:%d.%m.%Y} im Vergleich zu den "
           f"{(f.end - f.start).days + 1} Tagen davor")

if shared.require_reports(now):
    role = shared.current_role()
    for by, title in ((None, "Gesamt"), ("topic", "Nach Thema"), ("source", "Nach Quelle")):
        table = key_figure_table(now, before, role, by)
        if by is not None:
            st.subheader(title)
        cols = st.columns(min(len(table), 4) or 1)
        for i, row in enumerate(table.itertuples()):
            label = "Meldungen gesamt" if by is None else group_label(by, row.group)
            cols[i % len(cols)].metric(label, row.value, row.delta, delta_color="off",
                                       help="Kleine Zahlen werden öffentlich nicht gezeigt "
                                       "(Datenschutz)." if row.hidden else None)
    shared.rounding_note()

    left, right = st.columns([3, 2])
    with left:
        st.subheader("Karte")
        ctx = shared.district_geometry()
        view = map_view(now, role, MapOptions(layers=("heat", "hotspots")), ctx)
        st_folium(build_map(view, ctx), height=380, use_container_width=True,
                  returned_objects=[], key="ueberblick_karte")
    with right:
        st.subheader("Verlauf je Thema")
        weekly = weekly_by_topic(now, role, f)
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

    st.subheader("Top-Hotspots nach Straßenabschnitt und ihre Veränderung")
    top = top_hotspots(now, before, role, shared.district_geometry().district)
    if top.empty:
        st.info("Im gewählten Zeitraum gibt es keine statistisch auffälligen Hotspots "
                "(100-m-Raster, Gi*).")
    else:
        shown = top.drop(columns="hidden").rename(columns={
            "place": "Straßenabschnitt", "ortsteil": "Ortsteil", "change_label": "Veränderung",
            "reports_now": "Meldungen", "reports_before": "davor"})
        st.dataframe(shared.readable(shown, ["Meldungen", "davor"]), hide_index=True,
                     width="stretch")
    st.caption(RULE)
