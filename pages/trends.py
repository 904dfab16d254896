"""Trends: counts over time by topic, source or category, with the alliance's meetings and
events on the time axis; every chart's numbers as CSV."""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from maps.measures import measures_map
from pages import shared
from reports.analysis.analytics import (
    FREQS,
    GROUPS,
    MONTHS,
    group_label,
    shifted_filter,
    year_label,
)
from reports.coordination import measures
from reports.coordination.meetings import list_meetings
from reports.privacy.safe import escape_markdown
from reports.render.palette import OKABE_ITO, TOPIC_COLORS
from reports.views.trends import (
    PLACE_KINDS,
    Place,
    drawn_place,
    hotspot_places,
    measure_place,
    place_reports,
    seasonal,
    section_place,
    street_names,
    time_markers,
    trend_counts,
    weekday_hour_counts,
    year_comparison,
)

YEARS_BACK = (1, 2)  # the year-over-year chart compares with the two previous years

shared.ensure_entrypoint()
st.title("Trends")
f = shared.current_filter()
frame = shared.visible_frame(f)

c1, c2, c3, c4 = st.columns(4)
freq = c1.radio("Zeiteinheit", list(FREQS), format_func=FREQS.get, horizontal=True,
                key="trend_freq")
by = c2.radio("Gruppiert nach", list(GROUPS), format_func=GROUPS.get, horizontal=True,
              key="trend_by")
layout = c3.radio("Darstellung", ["stacked", "multiples"], horizontal=True, key="trend_layout",
                  format_func={"stacked": "gestapelt", "multiples": "kleine Vielfache"}.get)
window = c4.slider("Gleitender Mittelwert (Perioden)", 1, 12, 4 if freq == "W" else 3,
                   key="trend_window")


def _colour_scale(groups: list[str]) -> alt.Scale:
    if by == "topic":
        return alt.Scale(domain=list(TOPIC_COLORS), range=list(TOPIC_COLORS.values()))
    return alt.Scale(domain=groups, range=[OKABE_ITO[i % len(OKABE_ITO)]
                                           for i in range(len(groups))])


def _place(frame, before) -> Place:
    """The place selector: the whole filter, a hot spot, a street section, a measure's area
    or a drawn area (the view-model turns each into an area)."""
    role = shared.current_role()
    kind = st.segmented_control("Ort", list(PLACE_KINDS), format_func=PLACE_KINDS.get,
                                default="all", key="trend_place")
    try:
        if kind == "hotspot":
            spots = hotspot_places(frame, before, role, shared.district_geometry().district)
            if not spots:
                st.info("Im gewählten Zeitraum gibt es keinen Hotspot; gezeigt wird der "
                        "ganze Filter.")
                return Place("all", PLACE_KINDS["all"])
            labels = [p.label for p in spots]
            chosen = st.selectbox("Hotspot (Straßenabschnitt)", labels, key="trend_hotspot")
            return spots[labels.index(chosen)]
        if kind == "section":
            left, mid, right = st.columns([3, 1, 1])
            street = left.selectbox("Straße", street_names(), key="trend_street")
            low = mid.number_input("Hausnummer von", 1, 999, None, key="trend_hn_from")
            high = right.number_input("bis", 1, 999, None, key="trend_hn_to")
            return section_place(street, low, high)
        if kind == "measure":
            items = measures.list_measures(shared.get_store())
            if not items:
                st.info("Es gibt noch keine Maßnahme; gezeigt wird der ganze Filter.")
                return Place("all", PLACE_KINDS["all"])
            chosen = st.selectbox("Maßnahme", range(len(items)),
                                  format_func=lambda i: items[i].title, key="trend_measure")
            return measure_place(items[chosen])
        if kind == "drawn":
            ctx = shared.district_geometry()
            st.caption("Eine Fläche (Vieleck oder Rechteck) mit den Werkzeugen links oben "
                       "zeichnen.")
            drawn = st_folium(measures_map([], ctx.ortsteile, ctx.district, ctx.streets,
                                           draw=True, tile_url=ctx.tile_url,
                                           attribution=ctx.attribution, height=360),
                              height=360, use_container_width=True, key="trend_map",
                              returned_objects=["last_active_drawing"])
            return drawn_place(((drawn or {}).get("last_active_drawing") or {})
                               .get("geometry"))
    except (ValueError, measures.MeasureError) as exc:
        st.info(f"{escape_markdown(str(exc))} Gezeigt wird der ganze Filter.")
    return Place("all", PLACE_KINDS["all"])


def _label_expr(by: str, groups: list[str]) -> str:
    """Vega expression mapping group keys to their German labels in the legend."""
    import json

    labels = {g: group_label(by, g) for g in groups}
    return f"{json.dumps(labels)}[datum.label] || datum.label"


if shared.require_reports(frame):
    role = shared.current_role()
    place = _place(frame, shared.visible_frame(f.previous_period()))
    counts = trend_counts(place_reports(frame, place), role, freq, by, f, window)
    counts["Gruppe"] = counts["group"].map(lambda k: group_label(by, k))
    step = pd.DateOffset(weeks=1) if freq == "W" else pd.DateOffset(months=1)
    counts["period_end"] = counts["period"] + step
    groups = sorted(counts["group"].unique())
    colour = alt.Color("group:N", scale=_colour_scale(groups), title=GROUPS[by],
                       legend=alt.Legend(labelExpr=_label_expr(by, groups)))
    x = alt.X("period:T", title=FREQS[freq], axis=alt.Axis(format="%d.%m.%y"))
    x2 = alt.X2("period_end:T")  # a bar fills its whole week or month
    tooltip = [alt.Tooltip("Gruppe:N", title=GROUPS[by]),
               alt.Tooltip("period:T", title=f"{FREQS[freq]} ab", format="%d.%m.%Y"),
               alt.Tooltip("reports:Q", title="Meldungen"),
               alt.Tooltip("rolling:Q", title="gleitender Mittelwert", format=".1f")]
    base = alt.Chart(counts)
    store = shared.get_store()
    marks = time_markers(list_meetings(store), measures.list_measures(store),
                         shared.annotations(), f.start, f.end, place)
    marker_tooltip = [alt.Tooltip("kind:N", title="Art"),
                      alt.Tooltip("label:N", title="Bezeichnung"),
                      alt.Tooltip("date:T", title="Datum", format="%d.%m.%Y")]
    # a rule per event and its text beside it, staggered over a few lines (pixel rows, so
    # the texts need no scale of their own)
    markers = [alt.Chart(marks).mark_rule(color="#555").encode(x="date:T",
                                                               tooltip=marker_tooltip)]
    markers += [alt.Chart(marks).transform_filter(f"datum.row == {row}").mark_text(
        align="left", baseline="top", dx=3, fontSize=11, color="#333").encode(
        x="date:T", y=alt.value(3 + 13 * row), text="text:N", tooltip=marker_tooltip)
        for row in sorted(marks["row"].unique())]
    # Periods with hidden values get a full-height grey band, so a gap reads as "hidden",
    # not as "nothing happened"; the band carries no number.
    hidden = (counts[counts["hidden"]].drop_duplicates("period")
              [["period", "period_end"]].assign(note="Werte ausgeblendet (Datenschutz)"))
    shade = alt.Chart(hidden).mark_rect(color="#dddddd", opacity=0.6).encode(
        x="period:T", x2="period_end:T",
        tooltip=[alt.Tooltip("period:T", title=f"{FREQS[freq]} ab", format="%d.%m.%Y"),
                 alt.Tooltip("note:N", title="Hinweis")])
    st.subheader(f"Meldungen je {FREQS[freq]}"
                 + ("" if place.area is None else f" – {place.label}"))
    if layout == "stacked":
        bars = base.mark_bar(stroke="white", strokeWidth=0.5).encode(
            x=x, x2=x2, y=alt.Y("sum(reports):Q", title="Meldungen"), color=colour,
            tooltip=tooltip)
        chart = alt.layer(shade, bars, *markers).properties(height=320)
    else:
        line = base.mark_line(color="#333").encode(x=x, y=alt.Y("rolling:Q", title="Meldungen"))
        bars = base.mark_bar(opacity=0.6, stroke="white", strokeWidth=0.5).encode(
            x=x, x2=x2, y="reports:Q", color=colour, tooltip=tooltip)
        chart = alt.layer(bars, line, *markers, data=counts).properties(height=110).facet(
            row=alt.Row("Gruppe:N", title=None)).resolve_scale(y="independent")
    shared.chart_with_downloads(chart, counts.drop(columns=["Gruppe", "period_end"]),
                                f"meldungen_{by}_{freq}")
    if not marks.empty:
        st.caption("Senkrechte Linien mit Beschriftung: Sitzungen, Beginn und Ende von "
                   "Maßnahmen" + (" in diesem Gebiet" if place.area is not None else "")
                   + " und Ereignisse.")
    shared.rounding_note()
    if counts["hidden"].any():
        fmt = "KW %V/%G" if freq == "W" else "%m/%Y"
        names = ", ".join(p.strftime(fmt) for p in sorted(hidden["period"]))
        st.caption(f"Mit ausgeblendeten Werten (grau hinterlegt): {names}.")

    st.subheader("Vorjahresvergleich")
    # Earlier years through visible_frame, so the role's rules apply to them as well.
    frames = {0: frame} | {n: shared.visible_frame(shifted_filter(f, n)) for n in YEARS_BACK}
    frames = {n: fr for n, fr in frames.items() if n == 0 or not fr.empty}
    yoy = year_comparison(frames, role, f, freq)
    years = list(dict.fromkeys(yoy["year"]))
    yoy_chart = alt.Chart(yoy).mark_line(point=True).encode(
        x=alt.X("period:T", title=FREQS[freq],
                axis=alt.Axis(format="%d.%m." if freq == "W" else "%b")),
        y=alt.Y("reports:Q", title="Meldungen"),
        color=alt.Color("year:N", title="Jahr", sort=years,
                        scale=alt.Scale(domain=years, range=list(OKABE_ITO[:len(years)]))),
        strokeDash=alt.StrokeDash("year:N", title="Jahr", sort=years),
        tooltip=[alt.Tooltip("year:N", title="Jahr"),
                 alt.Tooltip("period:T", title=f"{FREQS[freq]} ab (aktuelles Jahr)",
                             format="%d.%m."),
                 alt.Tooltip("reports:Q", title="Meldungen")],
    ).properties(height=260)
    shared.chart_with_downloads(yoy_chart, yoy, f"vorjahr_{freq}")
    missing = [year_label(shifted_filter(f, n)) for n in YEARS_BACK if n not in frames]
    note = (f" Für {' und '.join(missing)} gibt es im Filter keine Meldungen."
            if missing else "")
    st.caption("Gewählter Zeitraum und derselbe Kalenderzeitraum der Vorjahre, je "
               f"{FREQS[freq]} auf der Achse des aktuellen Jahres.{note}")

    left, right = st.columns(2)
    with left:
        st.subheader("Saisonales Profil")
        season = seasonal(frame, role)
        season_chart = alt.Chart(season).mark_bar(color="#0072B2").encode(
            x=alt.X("label:N", sort=list(MONTHS), title=None),
            y=alt.Y("mean:Q", title="Meldungen je Monat (Mittel)"),
            tooltip=[alt.Tooltip("label:N", title="Monat"),
                     alt.Tooltip("mean:Q", title="Mittel", format=".1f"),
                     alt.Tooltip("years:Q", title="Jahre")],
        ).properties(height=240)
        shared.chart_with_downloads(season_chart, season, "saisonprofil")
    with right:
        st.subheader("Ordnung: Wochentag × Uhrzeit")
        ordnung = frame[frame["topic"] == "ordnung"]
        if ordnung.empty:
            st.info("Im Filter gibt es keine Meldungen zum Thema Ordnung.")
        else:
            long, weekdays = weekday_hour_counts(ordnung, role)
            heat = alt.Chart(long).mark_rect().encode(
                x=alt.X("Stunde:O", title="Uhrzeit"),
                y=alt.Y("Wochentag:N", sort=weekdays, title=None),
                color=alt.Color("reports:Q", title="Meldungen",
                                scale=alt.Scale(scheme="yellowgreenblue")),
                tooltip=["Wochentag:N", "Stunde:O", alt.Tooltip("reports:Q", title="Meldungen")],
            ).properties(height=240)
            shared.chart_with_downloads(heat, long, "ordnung_wochentag_uhrzeit")
