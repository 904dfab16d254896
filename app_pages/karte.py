"""Karte: switchable layers of the filtered reports, exact accounting of what is not shown,
a click on the map opens the cell's numbers, and hand placement of reports the geocoder
could not place."""

from __future__ import annotations

import folium
import streamlit as st

from app_pages import last_good, shared
from geo.grid import GridSpec
from maps.view import build_map, cell_outline
from reports.model import GEOCODE_STATUSES, vocabulary
from reports.privacy.access import Role, policy_for
from reports.render.palette import HOTSPOT_LABELS
from reports.storage.query import ReportFilter
from reports.views.cell import cell_details, clicked_cell
from reports.views.map import LAYERS, MapOptions, MapView, map_view

MAP_HEIGHT = 560

st.title("Karte")
role = shared.current_role()
policy = policy_for(role)
f = shared.current_filter()
frame = shared.visible_frame(f)

with st.expander("Kartenebenen und Raster", expanded=False):
    left, middle, right = st.columns(3)
    offered = [k for k in LAYERS if k != "markers" or policy.sees_points]
    layers = left.multiselect("Ebenen", offered, default=["heat", "cells", "hotspots"],
                              format_func=LAYERS.get, key="karte_layers", select_all=False)
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

    items = last_good.read("measures", lambda: list_measures(shared.get_store()))
    if not items:
        st.caption("Noch keine Maßnahmen erfasst.")
    return items


def _place(report_id: str, point: dict) -> None:
    """Store a hand placement and log it; German message on bad input."""
    from geo.geocode import manual_placement
    from reports.storage import audit

    try:
        location = manual_placement(point["lng"], point["lat"],
                                    shared.geography().assign_ortsteil)
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

@st.cache_resource(max_entries=16, show_spinner=False)
def _map(version: str, role: Role, f: ReportFilter, options: MapOptions
         ) -> tuple[MapView, folium.Map]:
    """View and drawn map per (data version, role, filter, options), shared by sessions."""
    ctx = shared.district_geometry()
    view = map_view(shared.frame_for(version, role, f), role, options, ctx)
    return view, build_map(view, ctx)


@st.cache_resource(max_entries=64, show_spinner=False)
def _cell(version: str, role: Role, f: ReportFilter, spec: GridSpec, cell_id: int):
    return cell_details(shared.frame_for(version, role, f),
                        shared.frame_for(version, role, f.previous_period()), role, spec,
                        cell_id, shared.district_geometry().district,
                        max(150.0, 1.5 * spec.cell_m))


def _show_in_trends(cell_id: int, spec: GridSpec, label: str) -> None:
    st.session_state["trend_cell"] = {"cell_id": cell_id, "cell_m": spec.cell_m,
                                      "shape": spec.shape, "label": label}


def _cell_panel(point: dict, spec: GridSpec) -> folium.FeatureGroup | None:
    """The clicked cell's numbers beside the map; returns its highlight layer."""
    hit = clicked_cell(point["lng"], point["lat"], spec, shared.district_geometry().district)
    if hit is None:
        st.caption("Dieser Punkt liegt außerhalb des Gebiets.")
        return None
    cell_id, x, y = hit
    details = _cell(shared.data_version(), role, f, spec, cell_id)
    from geo.gazetteer import nearest_street

    street = nearest_street([x], [y])[0]
    label = f"{spec.cell_m}-m-Zelle bei {street}" if street else f"{spec.cell_m}-m-Zelle"
    st.markdown(f"**{label}**")
    st.metric("Meldungen im Zeitraum", details.total_now, None if details.change == "–"
              else details.change, delta_color="off")
    st.caption(f"Zeitraum davor: {details.total_before}")
    words = HOTSPOT_LABELS.get(details.gi_class, "nicht auffällig (weder Hot- noch Coldspot)")
    st.markdown(f"Hotspot-Analyse (Gi*): **{words}**")
    if len(details.table):
        st.dataframe(details.table, hide_index=True, width="stretch")
    if st.button("in Trends zeigen", key="karte_trends", icon=":material/monitoring:"):
        _show_in_trends(cell_id, spec, label)
        st.switch_page("app_pages/trends.py")
    return cell_outline([cell_id], spec, label)[0]


@st.fragment
def _map_and_cell(options: MapOptions) -> None:
    """Map and cell panel rerun alone on a click: the sidebar, the accounting and the
    tables below stay as they are, and the cached map is not redrawn."""
    if "measures" in layers:  # measures come from the store as they are now: not cached
        ctx = shared.district_geometry()
        drawn = build_map(map_view(frame, role, options, ctx), ctx, _measures())
    else:
        drawn = _map(shared.data_version(), role, f, options)[1]
    spec = GridSpec(options.cell_m, options.shape)  # type: ignore[arg-type]
    point = (st.session_state.get("karte_map") or {}).get("last_clicked")
    map_col, panel = st.columns([3, 1])
    with panel:
        highlight = _cell_panel(point, spec) if point else None
        if not point:
            st.caption("In die Karte klicken: die Zahlen der Rasterzelle erscheinen hier.")
    with map_col:
        shared.draw_map(drawn, height=MAP_HEIGHT, use_container_width=True, key="karte_map",
                        returned_objects=["last_clicked"], feature_group_to_add=highlight)
    if policy.may_edit:
        _placement(point)


def _unplaced():
    """The reports without a place on the map, as a table (Redaktion and members)."""
    unplaced = frame[frame["geocode_status"].isin(["unresolved", "outside"])]
    if not len(unplaced) or not policy.sees_details:
        return None
    vocab = vocabulary()
    return unplaced.assign(
        Status=unplaced["geocode_status"].map(GEOCODE_STATUSES),
        Kategorie=unplaced["category"].map(lambda k: vocab.categories[k].label
                                           if k in vocab.categories else k),
        Quelle=unplaced["source"].map(lambda k: vocab.sources.get(k, k)),
        address=unplaced["address"].fillna("–"),
    )[["id", "occurred_at", "Quelle", "Kategorie", "address", "Status"]].rename(
        columns={"occurred_at": "Zeitpunkt", "address": "Adresse"})


def _placement(point: dict | None) -> None:
    """Hand placement: choose a report, click the map, place it (inside the fragment, so a
    click updates only this and the map)."""
    if table is None:
        return
    st.markdown("**Von Hand platzieren:** Meldung wählen, dann auf die Karte klicken.")
    addresses = table.set_index("id")["Adresse"].to_dict()
    chosen = st.selectbox("Meldung", list(addresses), key="karte_place_id",
                          format_func=lambda i: f"{i} – {addresses[i]}")
    if point:
        st.write(f"Gewählter Punkt: {point['lat']:.5f} N, {point['lng']:.5f} O")
    if st.button("Hier platzieren", disabled=not point, key="karte_place"):
        _place(chosen, point)


if shared.require_reports(frame):
    options = MapOptions(tuple(layers), cell_m, shape, per_1000, heat)
    view, _ = _map(shared.data_version(), role, f, options)
    table = _unplaced()
    st.caption(view.accounting)
    _map_and_cell(options)
    if table is not None:
        # Outside the fragment: a click on the map does not send this table again.
        st.subheader(f"Nicht platzierte Meldungen ({shared.fmt_int(len(table))})")
        st.dataframe(table, hide_index=True, width="stretch",
                     column_config={"Zeitpunkt": st.column_config.DatetimeColumn(
                         format="DD.MM.YYYY HH:mm")})
    for note in view.notes:
        st.caption(note)
    shared.rounding_note()
    if not policy.sees_restricted_categories:
        st.caption("Vertrauliche Kategorien (z. B. Konsumorte) sind für diese Rolle nicht "
                   "enthalten.")
