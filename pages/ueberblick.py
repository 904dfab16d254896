"""Überblick: the selected period against the one before, at a glance."""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from geo.compare import hotspot_changes
from geo.grid import GridSpec, cell_centres
from maps.view import MapOptions, build_map
from pages import shared
from reports.analysis.analytics import counts_over_time, format_change, group_label, key_figures
from reports.model import vocabulary
from reports.privacy.access import policy_for
from reports.render.palette import TOPIC_COLORS

shared.ensure_entrypoint()
st.title("Überblick")
f = shared.current_filter()
now = shared.visible_frame(f)
before = shared.visible_frame(f.previous_period())
st.caption(f"{f.start:%d.%m.%Y} – {f.end:%d.%m.%Y} im Vergleich zu den "
           f"{(f.end - f.start).days + 1} Tagen davor")


def _metrics(by: str | None, columns) -> None:
    """One st.metric per group (public: hidden below k) into ``columns``, in turn."""
    table = shared.shown_aggregate(key_figures(now, before, by), ["now", "before"],
                                   derived=["change", "change_pct"])
    for i, row in enumerate(table.itertuples()):
        label = "Meldungen gesamt" if by is None else group_label(by, row.group)
        target = columns[i % len(columns)]
        if pd.isna(row.now) or pd.isna(row.before):
            k = policy_for(shared.current_role()).min_count
            target.metric(label, f"< {k}", help="Kleine Zahlen werden öffentlich nicht "
                          "gezeigt (Datenschutz).")
        else:
            target.metric(label, shared.fmt_int(int(row.now)),
                          format_change(int(row.now), int(row.before)), delta_color="off")


if shared.require_reports(now):
    # Key figures in one row (total, then each topic): on a 720-pixel projector the map and
    # the chart start right below them.
    row = st.columns(1 + len(vocabulary().topics))
    _metrics(None, row[:1])
    _metrics("topic", row[1:])

    left, right = st.columns([3, 2])
    with left:
        result = build_map(now, shared.current_role(), MapOptions(layers=("heat", "hotspots"),
                                                                  layer_list_open=False),
                           shared.district_geometry())
        st_folium(result.map, height=400, use_container_width=True, returned_objects=[],
                  key="ueberblick_karte")
    with right:
        weekly = counts_over_time(now, "W", "topic", f)
        weekly = shared.shown_aggregate(weekly, "reports", margins=(("period",),))
        weekly["Thema"] = weekly["group"].map(lambda k: group_label("topic", k))
        labels = [group_label("topic", k) for k in TOPIC_COLORS]
        chart = alt.Chart(weekly).mark_line(point=False).encode(
            x=alt.X("period:T", title=None, axis=alt.Axis(format="%d.%m.", labelOverlap=True)),
            y=alt.Y("reports:Q", title="Meldungen je Woche"),
            color=alt.Color("Thema:N", title=None, scale=alt.Scale(
                domain=labels, range=list(TOPIC_COLORS.values())),
                legend=alt.Legend(orient="bottom", columns=4)),
            tooltip=[alt.Tooltip("Thema:N"),
                     alt.Tooltip("period:T", title="Woche ab", format="%d.%m.%Y"),
                     alt.Tooltip("reports:Q", title="Meldungen")],
        ).properties(height=300, title="Verlauf je Thema")
        shared.chart_with_downloads(chart, weekly.drop(columns="Thema"), "verlauf_thema")

    st.subheader("Nach Quelle")
    _metrics("source", st.columns(4))

    st.subheader("Top-Hotspots und ihre Veränderung")
    spec = GridSpec(100, "square")
    ctx = shared.district_geometry()
    changes = hotspot_changes(now, before, spec, area=ctx.district)
    top = changes[changes["class_now"] > 0].sort_values(
        ["class_now", "reports_now"], ascending=False).head(10)
    if top.empty:
        st.info("Im gewählten Zeitraum gibt es keine statistisch auffälligen Hotspots "
                "(100-m-Raster, Gi*).")
    else:
        from geo.boundary import assign_ortsteil
        from geo.gazetteer import nearest_street

        cx, cy = cell_centres(top["cell_id"].to_numpy(), spec)
        top = top.assign(ort=nearest_street(cx, cy), ortsteil=assign_ortsteil(cx, cy))
        top = shared.shown_aggregate(top, ["reports_now", "reports_before"])
        shown = top[["ort", "ortsteil", "change_label", "reports_now", "reports_before"]].rename(
            columns={"ort": "Nächste Straße", "ortsteil": "Ortsteil", "change_label": "Veränderung",
                     "reports_now": "Meldungen in der Zelle", "reports_before": "davor"})
        st.dataframe(shared.readable_counts(shown, ["Meldungen in der Zelle", "davor"]),
                     hide_index=True, width="stretch")
