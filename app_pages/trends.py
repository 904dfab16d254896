"""Trends: counts over time by topic, source or category, with the alliance's meetings and
events on the time axis; every chart's numbers as CSV."""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from app_pages import last_good, shared
from geo.grid import GridSpec
from maps.measures import measures_map
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
from reports.views.cell import cell_place
from reports.views.trends import (
    PLACE_KINDS,
    Place,
    drawn_place,
    hotspot_places,
    measure_place,
    place_kinds,
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

st.title("Trends")
f = shared.current_filter()
frame = shared.visible_frame(f)

# One compact row of controls (segmented buttons), so the chart starts above the fold of
# a 1280×720 projector.
c1, c2, c3, c4 = st.columns([2, 3, 3, 2])
freq = c1.segmented_control("Zeiteinheit", list(FREQS), format_func=FREQS.__getitem__,
                            key="trend_freq", default="W") or "W"
by = c2.segmented_control("Gruppiert nach", list(GROUPS), format_func=GROUPS.__getitem__,
                          key="trend_by", default="topic") or "topic"
layout = c3.segmented_control("Darstellung", ["stacked", "multiples"], key="trend_layout",
                              default="stacked",
                              format_func={"stacked": "gestapelt",
                                           "multiples": "kleine Vielfache"}.__getitem__
                              ) or "stacked"
window = c4.number_input("Gleitender Mittelwert (Perioden)", 1, 12, 4 if freq == "W" else 3,
                         key="trend_window")


def _colour(groups: list[str]) -> alt.Color:
    """Colour by the groups' German names (legends never show internal keys); topics keep
    their fixed colours."""
    labels = [group_label(by, g) for g in groups]
    if by == "topic":
        colours = [TOPIC_COLORS.get(g, "#777777") for g in groups]
    else:
        colours = [OKABE_ITO[i % len(OKABE_ITO)] for i in range(len(groups))]
    return alt.Color("Gruppe:N", title=GROUPS[by],
                     scale=alt.Scale(domain=labels, range=colours))


def _chosen_cell() -> Place | None:
    """A cell chosen on the Karte ("in Trends zeigen"), until "Alle Orte zeigen"."""
    chosen = st.session_state.get("trend_cell")
    if not chosen:
        return None
    note, reset = st.columns([4, 1])
    note.info(f"Nur die {chosen['label']} (auf der Karte gewählt).")
    if reset.button("Alle Orte zeigen", key="trend_all_places"):
        del st.session_state["trend_cell"]
        st.rerun()
    return cell_place(chosen["cell_id"], GridSpec(chosen["cell_m"], chosen["shape"]),
                      chosen["label"])


def _place(frame, before) -> Place:
    """The place selector: the whole filter, a hot spot, a street section, a measure's area
    or a drawn area (the view-model turns each into an area)."""
    if (cell := _chosen_cell()) is not None:
        return cell
    role = shared.current_role()
    kinds = place_kinds(role)
    kind = st.segmented_control("Ort", list(kinds), format_func=kinds.__getitem__,
                                default="all", key="trend_place")
    try:
        if kind == "hotspot":
            spots = hotspot_places(frame, before, role, shared.geography().boundary)
            if not spots:
                st.info("Im gewählten Zeitraum gibt es keinen Hotspot; gezeigt wird der "
                        "ganze Filter.")
                return Place("all", PLACE_KINDS["all"])
            labels = [p.label for p in spots]
            chosen = st.selectbox("Hotspot (Straßenabschnitt)", labels, key="trend_hotspot")
            return spots[labels.index(chosen)]
        if kind == "section":
            left, mid, right = st.columns([3, 1, 1])
            street = left.selectbox("Straße", street_names(shared.geography().district),
                                    key="trend_street")
            low = mid.number_input("Hausnummer von", 1, 999, None, key="trend_hn_from")
            high = right.number_input("bis", 1, 999, None, key="trend_hn_to")
            return section_place(street, low, high, role)
        if kind == "measure":
            items = last_good.read("measures",
                                   lambda: measures.list_measures(shared.get_store()))
            if not items:
                st.info("Es gibt noch keine Maßnahme; gezeigt wird der ganze Filter.")
                return Place("all", PLACE_KINDS["all"])
            index = st.selectbox("Maßnahme", range(len(items)),
                                 format_func=lambda i: items[i].title, key="trend_measure")
            return measure_place(items[index])
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
                               .get("geometry"), role)
    except (ValueError, measures.MeasureError) as exc:
        st.info(f"{escape_markdown(str(exc))} Gezeigt wird der ganze Filter.")
    return Place("all", PLACE_KINDS["all"])


if shared.require_reports(frame):
    role = shared.current_role()
    place = _place(frame, shared.visible_frame(f.previous_period()))
    counts = trend_counts(place_reports(frame, place), role, freq, by, f, window)
    counts["Gruppe"] = counts["group"].map(lambda k: group_label(by, k))
    step = pd.DateOffset(weeks=1) if freq == "W" else pd.DateOffset(months=1)
    counts["period_end"] = counts["period"] + step
    groups = sorted(counts["group"].unique())
    colour = _colour(groups)
    x = alt.X("period:T", axis=shared.time_axis(*shared.period(f), FREQS[freq]),
              scale=alt.Scale(domain=[pd.Timestamp(f.start).isoformat(),
                                      (pd.Timestamp(f.end) + pd.Timedelta(days=1)).isoformat()]))
    x2 = alt.X2("period_end:T")  # a bar fills its whole week or month
    tooltip = [alt.Tooltip("Gruppe:N", title=GROUPS[by]),
               alt.Tooltip("period:T", title=f"{FREQS[freq]} ab", format="%d.%m.%Y"),
               alt.Tooltip("reports:Q", title="Meldungen"),
               alt.Tooltip("rolling:Q", title="gleitender Mittelwert", format=".1f")]
    base = alt.Chart(counts)
    store = shared.get_store()
    marks = time_markers(last_good.read("meetings", lambda: list_meetings(store)),
                         last_good.read("measures", lambda: measures.list_measures(store)),
                         shared.event_annotations(), f.start, f.end, place)
    marker_tooltip = [alt.Tooltip("kind:N", title="Art"),
                      alt.Tooltip("label:N", title="Bezeichnung"),
                      alt.Tooltip("date:T", title="Datum", format="%d.%m.%Y")]
    # a rule per event and its text beside it, staggered over a few lines (pixel rows, so
    # the texts need no scale of their own)
    markers = [alt.Chart(marks).mark_rule(color="#555").encode(x="date:T",
                                                               tooltip=marker_tooltip)]
    # texts in the last third read leftwards, so they stay inside the chart
    marks = marks.assign(right=pd.to_datetime(marks["date"]) > pd.Timestamp(f.start)
                         + (pd.Timestamp(f.end) - pd.Timestamp(f.start)) * 2 / 3)
    markers += [alt.Chart(marks).transform_filter(
        f"datum.row == {row} && datum.right == {str(right).lower()}").mark_text(
        align="right" if right else "left", baseline="top", dx=-3 if right else 3,
        fontSize=11, color="#333").encode(
        x="date:T", y=alt.value(3 + 13 * row), text="text:N", tooltip=marker_tooltip)
        for row in sorted(marks["row"].unique()) for right in (False, True)]
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
    chart: alt.LayerChart | alt.FacetChart | alt.VConcatChart
    if layout == "stacked":
        bars = base.mark_bar(stroke="white", strokeWidth=0.5).encode(
            x=x, x2=x2, y=alt.Y("sum(reports):Q", title="Meldungen"), color=colour,
            tooltip=tooltip)
        chart = alt.layer(shade, bars, *markers).properties(height=320)
    else:
        # One full-width panel per group on the same time axis (a faceted chart cannot take
        # the container's width and drew the bars as dashes in a third of it).
        panels = []
        for group in groups:
            part = base.transform_filter(alt.datum.group == group)
            bars = part.mark_bar(opacity=0.6, stroke="white", strokeWidth=0.5).encode(
                x=x, x2=x2, y=alt.Y("reports:Q", title=None), color=colour, tooltip=tooltip)
            line = part.mark_line(color="#333").encode(x=x, y="rolling:Q")
            panels.append(alt.layer(bars, line, *markers).properties(
                height=90, title=group_label(by, group)))
        for panel in panels:
            st.altair_chart(panel.properties(width="container"), width="stretch")
        chart = alt.vconcat(*[p.properties(width=720) for p in panels], spacing=8)
    data = counts.drop(columns=["Gruppe", "period_end"])
    name = f"meldungen_{by}_{freq}"
    if layout == "stacked":
        shared.chart_with_downloads(chart, data, name)
    else:
        shared.downloads(chart, data, name)
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
    if shared.current_policy().exact:  # the public: every year, "unter 5" also for none
        frames = {n: fr for n, fr in frames.items() if n == 0 or not fr.empty}
    yoy = year_comparison(frames, role, f, freq)
    years = list(dict.fromkeys(yoy["year"]))
    yoy_chart = alt.Chart(yoy).mark_line(point=True).encode(
        x=alt.X("period:T", title=FREQS[freq], axis=alt.Axis(
            format="%d.%m." if freq == "W" else "%b", labelOverlap=True,
            tickCount={"interval": "week" if freq == "W" else "month", "step": 1})),
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
        season = seasonal(frame, role, f)
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
        if ordnung.empty and shared.current_policy().exact:
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
