"""Karte: switchable layers of the filtered reports, exact accounting of what is not shown,
and hand placement of reports the geocoder could not place."""

from __future__ import annotations

import streamlit as st
from streamlit_folium import st_folium

from maps.view import build_map
from pages import shared
from reports.model import GEOCODE_STATUSES, vocabulary
from reports.privacy.access import policy_for
from reports.views.map import LAYERS, MapOptions, map_view

shared.ensure_entrypoint()
st.title("Karte")
role = shared.current_role()
policy = policy_for(role)
frame = shared.visible_frame()

with st.expander("Kartenebenen und Raster", expanded=True):
    left, middle, right = st.columns(3)
    offered = [k for k in LAYERS if k != "markers" or policy.sees_points]
    layers = left.multiselect("Ebenen", offered, default=["heat", "cells", "hotspots"],
                              format_func=LAYERS.get, key="karte_layers")
    cell_m = middle.radio("Zellgröße", [50, 100, 250], index=1, horizontal=True,
                          format_func=lambda v: f"{v} m", key="karte_cell")
    shape = middle.radio("Zellform", ["square", "hex"], horizontal=True, key="karte_shape",
                         format_func={"square": "Quadrat", "hex": "Sechseck"}.get)
    per_1000 = right.radio("Ortsteile", [False, True], horizontal=True, key="karte_rate",
                           format_func=lambda v: "je 1.000 Einw." if v else "Anzahl")
    heat = right.radio("Heatmap", ["kde", "cells"], horizontal=True, key="karte_heat",
                       format_func={"kde": "Kerndichte", "cells": "Zellen"}.get)


def _measures() -> list | None:
    if "measures" not in layers:
        return None
    from reports.coordination.measures import list_measures

    items = list_measures(shared.get_store())
    if not items:
        st.caption("Noch keine Maßnahmen erfasst.")
    return items


def _place(report_id: str, point: dict) -> None:
    """Store a hand placement and log it; German message on bad input."""
    from geo.geocode import manual_placement
    from reports.storage import audit

    try:
        location = manual_placement(point["lng"], point["lat"])
        shared.get_store().set_location(report_id, **{
            k: location[k] for k in ("lon", "lat", "x", "y", "ortsteil", "precision_m")},
            status=location["status"])
    except (ValueError, KeyError) as exc:
        st.error(f"Platzieren nicht möglich: {exc}")
        return
    audit.record(shared.get_store(), shared.current_actor(), "manual_placement",
                 {"report_id": report_id, "lon": location["lon"], "lat": location["lat"]})
    # Rerun so map and list show the new data version; the message survives in the session.
    st.session_state["karte_placed"] = (f"Meldung {report_id} von Hand platziert "
                                        f"({location['ortsteil'] or 'außerhalb des Gebiets'}).")
    st.rerun()


if message := st.session_state.pop("karte_placed", None):
    st.success(message)

if shared.require_reports(frame):
    options = MapOptions(tuple(layers), cell_m, shape, per_1000, heat)
    view = map_view(frame, role, options, shared.district_geometry())
    st.info(view.accounting)
    for note in view.notes:
        st.caption(note)
    shared.rounding_note()
    if not policy.sees_restricted_categories:
        st.caption("Vertrauliche Kategorien (z. B. Konsumorte) sind für diese Rolle nicht "
                   "enthalten.")
    drawn = build_map(view, shared.district_geometry(), _measures())
    clicked = st_folium(drawn, height=620, use_container_width=True, key="karte_map",
                        returned_objects=["last_clicked"] if policy.may_edit else [])

    unplaced = frame[frame["geocode_status"].isin(["unresolved", "outside"])]
    if len(unplaced) and policy.sees_details:
        st.subheader(f"Nicht platzierte Meldungen ({shared.fmt_int(len(unplaced))})")
        vocab = vocabulary()
        table = unplaced.assign(
            Status=unplaced["geocode_status"].map(GEOCODE_STATUSES),
            Kategorie=unplaced["category"].map(lambda k: vocab.categories[k].label
                                               if k in vocab.categories else k),
            Quelle=unplaced["source"].map(lambda k: vocab.sources.get(k, k)),
            address=unplaced["address"].fillna("–"),
        )[["id", "occurred_at", "Quelle", "Kategorie", "address", "Status"]].rename(
            columns={"occurred_at": "Zeitpunkt", "address": "Adresse"})
        st.dataframe(table, hide_index=True, width="stretch",
                     column_config={"Zeitpunkt": st.column_config.DatetimeColumn(
                         format="DD.MM.YYYY HH:mm")})
        if policy.may_edit:
            st.markdown("**Von Hand platzieren:** Meldung wählen, dann auf die Karte klicken.")
            addresses = table.set_index("id")["Adresse"].to_dict()
            chosen = st.selectbox("Meldung", list(addresses), key="karte_place_id",
                                  format_func=lambda i: f"{i} – {addresses[i]}")
            point = (clicked or {}).get("last_clicked")
            if point:
                st.write(f"Gewählter Punkt: {point['lat']:.5f} N, {point['lng']:.5f} O")
            if st.button("Hier platzieren", disabled=not point, key="karte_place"):
                _place(chosen, point)
