"""Überblick: the selected period against the one before, at a glance; a click on a hot spot
row zooms the map to it."""

from __future__ import annotations

from dataclasses import dataclass, replace

import altair as alt
import folium
import pandas as pd
import streamlit as st

from app_pages import shared
from maps.view import build_map, cell_outline
from reports.analysis.analytics import group_label
from reports.analysis.hotspot_change import RULE, SPEC
from reports.model import vocabulary
from reports.privacy.access import Role
from reports.render.palette import TOPIC_COLORS
from reports.storage.query import ReportFilter
from reports.views.map import MapOptions, map_view
from reports.views.overview import key_figure_table, top_hotspots, weekly_by_topic

MAP_HEIGHT = 400
HOTSPOT_ZOOM = 17


@dataclass
class Overview:
    """Everything the page shows for one (data version, role, filter), computed once and
    shared by every session (read-only)."""

    empty: bool
    figures: dict
    map: folium.Map | None
    weekly: pd.DataFrame
    top: pd.DataFrame


@st.cache_resource(max_entries=16, show_spinner=False)
def _overview(version: str, role: Role, f: ReportFilter) -> Overview:
    now = shared.frame_for(version, role, f)
    before = shared.frame_for(version, role, f.previous_period())
    if now.empty:
        return Overview(True, {}, None, pd.DataFrame(), pd.DataFrame())
    ctx = shared.district_geometry()
    figures = {by: key_figure_table(now, before, role, by) for by in (None, "topic", "source")}
    view = map_view(now, role, MapOptions(layers=("heat", "hotspots")), ctx)
    weekly = weekly_by_topic(now, role, f)
    weekly["Thema"] = weekly["group"].map(lambda k: group_label("topic", k))
    top = top_hotspots(now, before, role, shared.geography().boundary)
    return Overview(False, figures, build_map(view, ctx), weekly, top)


def _metrics(table: pd.DataFrame, by: str | None, columns) -> None:
    for i, row in enumerate(table.itertuples()):
        label = "Meldungen gesamt" if by is None else group_label(by, row.group)
        columns[i % len(columns)].metric(label, row.value, row.delta, delta_color="off",
                                         help="Kleine Zahlen werden öffentlich nicht gezeigt "
                                         "(Datenschutz)." if row.hidden else None)


def _weekly_chart(weekly: pd.DataFrame, f: ReportFilter) -> alt.Chart:
    labels = [group_label("topic", k) for k in TOPIC_COLORS]
    return alt.Chart(weekly).mark_line(point=False).encode(
        x=alt.X("period:T", axis=shared.time_axis(*shared.period(f))),
        y=alt.Y("reports:Q", title="Meldungen je Woche"),
        color=alt.Color("Thema:N", title=None, scale=alt.Scale(
            domain=labels, range=list(TOPIC_COLORS.values())),
            legend=alt.Legend(orient="top", direction="horizontal")),
        tooltip=[alt.Tooltip("Thema:N"),
                 alt.Tooltip("period:T", title="Woche ab", format="%d.%m.%Y"),
                 alt.Tooltip("reports:Q", title="Meldungen")],
    ).properties(height=330, title="Verlauf je Thema")


st.title("Überblick")
f = shared.current_filter()
role = shared.current_role()
data = _overview(shared.data_version(), role, f)
start, end = shared.period(f)
st.caption(f"{start:%d.%m.%Y} – {end:%d.%m.%Y} im Vergleich zu den "
           f"{(end - start).days + 1} Tagen davor")

if shared.require_reports(shared.frame_for(shared.data_version(), role, f)):
    # Key figures in one row (total, then each topic): on a 720-pixel projector the map and
    # the chart start right below them.
    row = st.columns(1 + len(vocabulary().topics))
    _metrics(data.figures[None], None, row[:1])
    _metrics(data.figures["topic"], "topic", row[1:])

    left, right = st.columns([3, 2])
    with right:
        shared.chart_with_downloads(_weekly_chart(data.weekly, f),
                                    data.weekly.drop(columns="Thema"), "verlauf_thema")

    st.subheader("Top-Hotspots nach Straßenabschnitt und ihre Veränderung")
    chosen = None
    if data.top.empty:
        st.info("Im gewählten Zeitraum gibt es keine statistisch auffälligen Hotspots "
                "(100-m-Raster, Gi*).")
    else:
        shown = data.top.drop(columns=["hidden", "cell_ids"]).rename(columns={
            "place": "Straßenabschnitt", "ortsteil": "Ortsteil", "change_label": "Veränderung",
            "reports_now": "Meldungen", "reports_before": "davor"})
        st.caption("Eine Zeile anklicken: die Karte zeigt den Abschnitt.")
        picked = st.dataframe(shared.readable(shown, ["Meldungen", "davor"]), hide_index=True,
                              width="stretch", on_select="rerun", selection_mode="single-row",
                              key="ueberblick_hotspots")
        rows = picked.selection.rows if picked else []
        view = shared.current_view()  # a shared link's section, until a row is clicked
        if rows:
            chosen = data.top.iloc[rows[0]]
            if view.section != chosen["place"]:
                shared.write_view(replace(view, section=str(chosen["place"])))
        elif view.section in set(data.top["place"]):
            chosen = data.top[data.top["place"] == view.section].iloc[0]
    st.caption(RULE)

    with left:
        # The map is the cached one (unchanged, not redrawn); a chosen hot spot is added as
        # a highlight layer and the view moves to it without reloading the map.
        highlight, centre, zoom = None, None, None
        if chosen is not None:
            highlight, centre = cell_outline(chosen["cell_ids"], SPEC,
                                             f"{chosen['place']} ({chosen['ortsteil']})")
            zoom = HOTSPOT_ZOOM
        shared.draw_map(data.map, height=MAP_HEIGHT, use_container_width=True,
                        returned_objects=[], key="ueberblick_karte",
                        center=centre, zoom=zoom, feature_group_to_add=highlight)

    st.subheader("Nach Quelle")
    _metrics(data.figures["source"], "source", st.columns(4))
    shared.rounding_note()
