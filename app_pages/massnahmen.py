"""Maßnahmen: what the alliance agreed on, where, and whether it worked.

Each measure is evaluated against the rest of the district (difference in differences,
``reports.analysis.evaluation``); the balance view shows how help and repression are weighted.
"""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from app_pages import shared
from geo.crs import to_metric
from geo.grid import GridSpec, cell_ids
from maps.measures import KIND_COLORS, measures_map
from reports.analysis.evaluation import counts_frame
from reports.coordination import measures
from reports.model import vocabulary
from reports.privacy.access import policy_for
from reports.privacy.safe import escape_markdown
from reports.storage.query import ReportFilter
from reports.views.measures import published_evaluation

CELL_SPEC = GridSpec(100, "square")
AREA_MODES = {"draw": "auf der Karte zeichnen", "ortsteil": "Ortsteil",
              "cells": "Rasterzellen (100 m) anklicken"}
KIND_SCALE = alt.Scale(domain=[measures.KINDS[k] for k in KIND_COLORS],
                       range=list(KIND_COLORS.values()))

st.title("Maßnahmen")
vocab = vocabulary()
store = shared.get_store()
policy = policy_for(shared.current_role())
ctx = shared.district_geometry()
items = measures.list_measures(store)


def create_form(drawing: dict | None) -> None:
    st.subheader("Neue Maßnahme")
    mode = st.radio("Gebiet", list(AREA_MODES), format_func=AREA_MODES.__getitem__, horizontal=True,
                    key="m_area_mode")
    if mode == "ortsteil":
        st.selectbox("Ortsteil", list(ctx.ortsteile["name"]), key="m_ortsteil")
    elif mode == "cells":
        chosen = st.session_state.get("m_cells", [])
        st.caption(f"{len(chosen)} Zellen gewählt (Klick auf die Karte fügt die Zelle hinzu).")
        if chosen:
            st.button("Zellen zurücksetzen", key="m_cells_reset",
                      on_click=lambda: st.session_state.update(m_cells=[]))
    else:
        st.caption("Mit dem Vieleck- oder Rechteck-Werkzeug oben links auf der Karte "
                   "zeichnen." + (" Eine Fläche ist gezeichnet." if drawing else ""))
    with st.form("m_create"):
        st.text_input("Titel", max_chars=200, key="m_title")
        st.multiselect("Verantwortlich", list(vocab.sources), format_func=vocab.sources.__getitem__,
                       key="m_partners", placeholder="auswählen", select_all=False)
        st.selectbox("Art", list(measures.KINDS), format_func=measures.KINDS.__getitem__,
                     key="m_kind")
        left, right = st.columns(2)
        left.date_input("Beginn", shared.today(), format="DD.MM.YYYY", key="m_start")
        right.date_input("Ende (optional)", None, format="DD.MM.YYYY", key="m_end")
        st.multiselect("Kategorien, auf die sie zielt", list(vocab.categories),
                       format_func=lambda k: vocab.categories[k].label, key="m_categories",
                       placeholder="auswählen", select_all=False)
        st.selectbox("Status", list(measures.STATUSES), format_func=measures.STATUSES.__getitem__,
                     key="m_status")
        st.text_area("Notizen", max_chars=2000, key="m_notes")
        st.form_submit_button("Maßnahme speichern", on_click=_create)
    message = st.session_state.pop("m_msg", None)
    if message:
        (st.error if message[0] == "error" else st.success)(message[1])


def _drawn_geometry() -> dict | None:
    drawing = (st.session_state.get("m_map") or {}).get("last_active_drawing") or {}
    return drawing.get("geometry")


@shared.guarded
def _create() -> None:
    """Form callback: build the area from the chosen mode, validate, save (all or nothing)."""
    state = st.session_state
    mode = state.get("m_area_mode", "draw")
    try:
        if mode == "draw":
            area, label = measures.area_from_drawing(_drawn_geometry()), "gezeichnet"
        elif mode == "ortsteil":
            area = measures.area_from_ortsteil(state["m_ortsteil"], ctx.ortsteile)
            label = str(state["m_ortsteil"])
        else:
            cells = state.get("m_cells", [])
            area, label = measures.area_from_cells(cells, CELL_SPEC), f"{len(cells)} Zellen"
        new_id = measures.add_measure(store, measures.Measure(
            state["m_title"], tuple(state["m_partners"]), state["m_kind"], area, label,
            state["m_start"], tuple(state["m_categories"]), state["m_end"], state["m_status"],
            state["m_notes"]), shared.current_actor(), ctx.district)
    except measures.MeasureError as exc:
        state["m_msg"] = ("error", escape_markdown(str(exc)))
        return
    state["m_cells"] = []
    state["m_msg"] = ("success", f"Maßnahme {new_id} gespeichert.")


def _on_map_click(result: dict | None) -> dict | None:
    """Collect grid cells in cell mode; return the last drawn shape (GeoJSON geometry)."""
    if not result:
        return None
    clicked = result.get("last_clicked")
    if st.session_state.get("m_area_mode") == "cells" and clicked:
        x, y = to_metric([clicked["lng"]], [clicked["lat"]])
        cell = int(cell_ids(x, y, CELL_SPEC)[0])
        chosen = st.session_state.setdefault("m_cells", [])
        if cell not in chosen:
            chosen.append(cell)
            st.rerun()
    return (result.get("last_active_drawing") or {}).get("geometry")


def status_form() -> None:
    """Redaktion: a measure's status (geplant / läuft / beendet), with its end day."""
    st.subheader("Status ändern")
    labels = {m.id: f"{m.title} ({measures.STATUSES[m.status]})" for m in items}
    with st.form("m_status_form"):
        left, mid, right = st.columns(3)
        left.selectbox("Maßnahme", list(labels), format_func=labels.__getitem__, key="m_status_id")
        mid.selectbox("Neuer Status", list(measures.EDITABLE_STATUSES),
                      format_func=measures.STATUSES.__getitem__, key="m_status_new")
        right.date_input("Ende (bei „beendet“)", None, format="DD.MM.YYYY", key="m_status_end")
        st.form_submit_button("Status speichern", on_click=_set_status)


def _set_status() -> None:
    state = st.session_state
    end = state["m_status_end"] if state["m_status_new"] == "done" else None
    if state["m_status_new"] == "done" and end is None:
        end = shared.today()
    try:
        measures.set_status(store, int(state["m_status_id"]), state["m_status_new"],
                            shared.current_actor(), ends_on=end)
    except measures.MeasureError as exc:
        state["m_msg"] = ("error", escape_markdown(str(exc)))
        return
    state["m_msg"] = ("success", "Status gespeichert.")


def evaluation_view(frame: pd.DataFrame) -> None:
    st.subheader("Wirkung einer Maßnahme")
    labels = {m.id: m.title for m in items}
    chosen = st.selectbox("Maßnahme", list(labels), format_func=labels.__getitem__, key="m_eval_id")
    measure = next(m for m in items if m.id == chosen)
    left, right = st.columns(2)
    days = left.select_slider("Zeitfenster vor/nach Beginn", [90, 180, 365],
                              measures.EVALUATION_DAYS,
                              format_func=lambda d: f"{d} Tage", key="m_eval_days")
    seasonal = right.toggle("Saisonal abgestimmt (Vorjahreszeitraum)", True, key="m_eval_season")
    try:
        result = published_evaluation(measures.evaluate_measure(
            measure, frame, district=ctx.district, days=days, seasonal=seasonal),
            shared.current_role())
    except ValueError as exc:
        st.error(escape_markdown(str(exc)))
        return
    if result.note:  # a shortened window is said where the slider is
        left.caption(escape_markdown(result.note))
    cats = ", ".join(vocab.categories[c].label for c in measure.categories
                     if c in vocab.categories)
    st.caption(f"Gezählte Kategorien: {escape_markdown(cats)}. Vergleichsgebiet: übriger "
               "Leipziger Osten ohne das Gebiet und seinen 300-m-Umkreis.")
    (st.success if result.enough_data and result.effect.clear else st.info)(
        escape_markdown(result.sentence))
    difference = measures.public_difference_note(measure, policy.sees_restricted_categories)
    if difference:
        st.caption(difference)
    if not result.enough_data:
        return
    with st.expander("Statistik: Zählungen mit Intervall, Verdrängung"):
        data = counts_frame(result)
        data["Zeitraum"] = pd.Categorical(data["Zeitraum"], ["davor", "danach"])
        base = alt.Chart(data).encode(x=alt.X("Zeitraum:N", sort=["davor", "danach"], title=None,
                                              axis=alt.Axis(labelAngle=0)))
        bars = base.mark_bar().encode(
            y=alt.Y("Meldungen:Q", title="Meldungen (mit 95 %-Intervall)"),
            color=alt.Color("Zeitraum:N", legend=None, scale=alt.Scale(
                domain=["davor", "danach"], range=["#999999", "#0072B2"])),
            tooltip=["Gebiet", "Zeitraum", "Meldungen", alt.Tooltip("von:T", format="%d.%m.%Y"),
                     alt.Tooltip("bis:T", format="%d.%m.%Y")])
        rule = base.mark_rule(color="#333333").encode(y="untere Grenze:Q", y2="obere Grenze:Q")
        chart = alt.layer(bars, rule).properties(width=180, height=220).facet(
            column=alt.Column("Gebiet:N", title=None)).resolve_scale(y="independent")
        shared.chart_with_downloads(chart, data, f"massnahme_{measure.id}")
        st.markdown(result.displacement_sentence)


def balance_view(frame: pd.DataFrame) -> None:
    st.subheader("Bilanz: Hilfe und Repression")
    counts = measures.balance(items)
    if counts.empty:
        return
    chart = alt.Chart(counts).mark_bar().encode(
        x=alt.X("Zeitraum:T", title="Quartal des Beginns", timeUnit="yearquarter"),
        y=alt.Y("Maßnahmen:Q", title="begonnene Maßnahmen",
                axis=alt.Axis(format="d", tickMinStep=1)),
        color=alt.Color("Art:N", scale=KIND_SCALE), tooltip=["Zeitraum:T", "Art", "Maßnahmen"])
    shared.chart_with_downloads(chart, counts, "massnahmen_bilanz")
    effects = measures.effects(items, frame, ctx.district)
    shown = effects.dropna(subset=["Wirkung %"])
    if shown.empty:
        st.caption("Für keine Maßnahme reichen die Daten schon für eine Wirkungsaussage.")
        return
    base = alt.Chart(shown).encode(
        x=alt.X("Beginn:T", title="Beginn"),
        color=alt.Color("Art:N", scale=KIND_SCALE),
        tooltip=["Titel", "Art", alt.Tooltip("Wirkung %:Q", format=".0f"),
                 alt.Tooltip("KI unten %:Q", format=".0f"),
                 alt.Tooltip("KI oben %:Q", format=".0f")])
    chart = alt.layer(
        base.mark_rule().encode(y=alt.Y("KI unten %:Q", title="Wirkung in % (95 %-KI)"),
                                y2="KI oben %:Q"),
        base.mark_point(filled=True, size=80).encode(y="Wirkung %:Q"),
        alt.Chart(pd.DataFrame({"y": [0]})).mark_rule(strokeDash=[4, 3]).encode(y="y:Q"),
    ).properties(height=260)
    shared.chart_with_downloads(chart, shown.drop(columns=["Aussage"]), "massnahmen_wirkung")
    st.caption("Wirkung: Veränderung der Zielkategorien im Gebiet gegenüber dem übrigen "
               f"Leipziger Osten ({measures.EVALUATION_DAYS} Tage vor/nach Beginn, saisonal "
               "abgestimmt). Ein "
               "Intervall, das die Nulllinie schneidet, ist kein klarer Effekt.")


map_result = st_folium(
    measures_map(items, ctx.ortsteile, ctx.district, ctx.streets, draw=policy.may_edit,
                 tile_url=ctx.tile_url, attribution=ctx.attribution),
    height=520, use_container_width=True, key="m_map",
    returned_objects=["last_clicked", "last_active_drawing"] if policy.may_edit else [])
drawing = _on_map_click(map_result) if policy.may_edit else None

if items:
    table = measures.measures_frame(items)
    table["Ende"] = table["Ende"].dt.strftime("%d.%m.%Y").fillna("offen")
    st.dataframe(table, hide_index=True, column_config={
        "Beginn": st.column_config.DateColumn(format="DD.MM.YYYY")})
else:
    st.info("Noch keine Maßnahmen erfasst."
            + (" Unten lässt sich die erste anlegen." if policy.may_edit else ""))
if policy.may_edit:
    if items:
        status_form()
    create_form(drawing)
if items:
    reports_frame = shared.visible_frame(ReportFilter())  # all time: windows need a year back
    if not shared.require_reports(reports_frame):
        st.stop()
    evaluation_view(reports_frame)
    balance_view(reports_frame)
