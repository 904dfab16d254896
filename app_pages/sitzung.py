"""Sitzung: plan sessions (Redaktion), the agenda of the next one in the order Redaktion sets,
the projector view and the handout – all from one agenda, so the numbers agree."""

from __future__ import annotations

from datetime import timedelta

import streamlit as st

from app_pages import last_good, shared
from reports.analysis.hotspot_change import RISING, RULE
from reports.coordination import agenda as agenda_lib
from reports.coordination import meetings
from reports.privacy.access import policy_for
from reports.privacy.safe import escape_markdown
from reports.render.handout import build_handout, role_label

st.title("Sitzung")
store = shared.get_store()
policy = policy_for(shared.current_role())
KIND_ICONS = {"situation": ":material/map:", "concern": ":material/mail:",
              "hotspot": ":material/local_fire_department:",
              "measure": ":material/construction:", "free": ":material/notes:"}


def _message(key: str) -> None:
    message = st.session_state.pop(key, None)
    if message:
        (st.error if message[0] == "error" else st.success)(message[1])


def _run(action, success: str, *args, **kwargs) -> None:
    """Button/form callback: run a library action, keep its German error for the page."""
    try:
        action(*args, **kwargs)
    except (meetings.MeetingError, agenda_lib.AgendaError) as exc:
        st.session_state["sitzung_msg"] = ("error", escape_markdown(str(exc)))
        return
    st.session_state["sitzung_msg"] = ("success", success)


def _plan() -> None:
    state = st.session_state
    _run(lambda: state.update(sitzung_id=meetings.add_meeting(store, meetings.Meeting(
        state["s_new_date"], state["s_new_title"], state["s_new_time"], state["s_new_place"],
        state["s_new_note"]), shared.current_actor())), "Sitzung geplant.")


def _edit(meeting_id: int) -> None:
    state = st.session_state
    _run(meetings.edit_meeting, "Sitzung geändert.", store, meeting_id, shared.current_actor(),
         held_on=state["s_edit_date"], title=state["s_edit_title"],
         starts_at=state["s_edit_time"], place=state["s_edit_place"], note=state["s_edit_note"])


def manage(chosen: meetings.Meeting | None) -> None:
    """Redaktion: plan a session, edit or cancel the chosen one, see all of them."""
    with st.expander("Sitzungen planen und bearbeiten", expanded=chosen is None):
        with st.form("s_new", clear_on_submit=True):
            st.markdown("**Neue Sitzung**")
            left, mid, right = st.columns(3)
            left.date_input("Datum", shared.today() + timedelta(days=14), format="DD.MM.YYYY",
                            key="s_new_date")
            mid.text_input("Uhrzeit", "18:00", key="s_new_time", placeholder="18:30")
            right.text_input("Ort", key="s_new_place", max_chars=meetings.MAX_PLACE)
            st.text_input("Titel", "Sitzung des Aktionsbündnisses", key="s_new_title",
                          max_chars=meetings.MAX_TITLE)
            st.text_area("Notiz der Moderation", key="s_new_note", max_chars=meetings.MAX_NOTE)
            st.form_submit_button("Sitzung planen", on_click=_plan)
        if chosen is not None:
            with st.form("s_edit"):
                st.markdown(f"**Gewählte Sitzung ändern:** {escape_markdown(chosen.label)}")
                left, mid, right = st.columns(3)
                left.date_input("Datum", chosen.held_on, format="DD.MM.YYYY", key="s_edit_date")
                mid.text_input("Uhrzeit", chosen.starts_at, key="s_edit_time")
                right.text_input("Ort", chosen.place, key="s_edit_place")
                st.text_input("Titel", chosen.title, key="s_edit_title")
                st.text_area("Notiz der Moderation", chosen.note, key="s_edit_note")
                st.form_submit_button("Änderungen speichern", on_click=_edit, args=(chosen.id,))
            reason = st.text_input("Grund der Absage", key="s_cancel_reason")
            st.button("Sitzung absagen", key="s_cancel", on_click=lambda: _run(
                meetings.cancel_meeting, "Sitzung abgesagt.", store, chosen.id,
                shared.current_actor(), reason))
        every = meetings.list_meetings(store, include_cancelled=True)
        if every:
            st.dataframe(meetings.meetings_frame(every), hide_index=True, width="stretch")


def agenda_view(agenda) -> None:
    st.subheader("Tagesordnung")
    st.caption(f"Betrachteter Zeitraum: {agenda.period_text}.")
    for n, item in enumerate(agenda.items, start=1):
        with st.container(border=True, key=f"item_{n}"):
            left, right = st.columns([10, 3])
            left.markdown(f"{KIND_ICONS[item.kind]} **{n}. {escape_markdown(item.title)}**")
            left.text(item.text)
            if policy.may_edit:
                up, down, drop = right.columns(3)
                up.button("↑", key=f"up_{item.key}", help="nach oben",
                          disabled=n == 1, on_click=_run, args=(
                              agenda_lib.move_item, "Reihenfolge gespeichert.", store, agenda,
                              item.key, -1, shared.current_actor()))
                down.button("↓", key=f"down_{item.key}",
                            help="nach unten", disabled=n == len(agenda.items), on_click=_run,
                            args=(agenda_lib.move_item, "Reihenfolge gespeichert.", store,
                                  agenda, item.key, 1, shared.current_actor()))
                if item.kind == "free":
                    drop.button("✕", key=f"drop_{item.key}", help="entfernen",
                                on_click=_run, args=(agenda_lib.remove_free_item,
                                                     "Punkt entfernt.", store,
                                                     agenda.meeting.id, item.key,
                                                     shared.current_actor()))
    if not agenda.items:
        st.info("Für diese Sitzung gibt es noch keine Punkte.")
    if policy.may_edit:
        with st.form("s_free", clear_on_submit=True):
            st.text_input("Weiterer Punkt", key="s_free_title",
                          max_chars=agenda_lib.MAX_FREE_TITLE)
            st.text_area("Notiz zum Punkt", key="s_free_note", max_chars=agenda_lib.MAX_FREE_NOTE)
            st.form_submit_button("Punkt hinzufügen", on_click=lambda: _run(
                agenda_lib.add_free_item, "Punkt hinzugefügt.", store, agenda.meeting.id,
                st.session_state["s_free_title"], st.session_state["s_free_note"],
                shared.current_actor()))
    if not policy.sees_details:
        st.caption("Öffentliche Ansicht: den Text der Anliegen und die Notizen zu weiteren "
                   "Punkten sehen angemeldete Mitglieder.")


def figures_view(agenda) -> None:
    st.subheader("Kennzahlen")
    shown = agenda.figures.rename(columns={"jetzt": "Meldungen im Zeitraum",
                                           "davor": "im Zeitraum davor"})
    st.dataframe(shared.readable(shown, ["Meldungen im Zeitraum", "im Zeitraum davor"]),
                 hide_index=True, width="stretch", key="s_figures")
    st.subheader("Hotspots nach Straßenabschnitt")
    if agenda.hotspots.empty:
        st.info("Kein Straßenabschnitt ist im Zeitraum ein Hotspot.")
    else:
        hot = agenda.hotspots
        table = hot[["place", "ortsteil", "reports_now", "reports_before", "change_text",
                     "change_label"]].rename(columns={
                         "place": "Straßenabschnitt", "ortsteil": "Ortsteil",
                         "reports_now": "jetzt", "reports_before": "davor",
                         "change_text": "Veränderung", "change_label": "Einschätzung"})
        table.insert(0, "Nr.", [f"{n}{' ▲' if c in RISING else ''}"
                                for n, c in enumerate(hot["change"], start=1)])
        st.dataframe(shared.readable(table, ["jetzt", "davor"]), hide_index=True,
                     width="stretch", key="s_hotspots")
    st.caption(RULE)


calendar = last_good.read("meetings", lambda: meetings.list_meetings(store))
upcoming = last_good.read(f"next_meeting {shared.today()}",
                          lambda: meetings.next_meeting(store, shared.today()))
_message("sitzung_msg")
if not calendar:
    st.info("Noch keine Sitzung geplant."
            + (" Unten die erste planen." if policy.may_edit else
               " Die Redaktion plant die Sitzungen."))
    if policy.may_edit:
        manage(None)
    st.stop()

# stored meetings, so each has an id
by_id = {m.id: m for m in calendar if m.id is not None}
ids = list(by_id)
if st.session_state.get("sitzung_id") not in ids:
    st.session_state["sitzung_id"] = upcoming.id if upcoming else ids[-1]
chosen_id = st.selectbox("Sitzung", ids, format_func=lambda i: by_id[i].label,
                         key="sitzung_id")
chosen = by_id[chosen_id]
st.caption(("Nächste Sitzung: " + upcoming.label) if upcoming else
           "Keine Sitzung geplant; gezeigt wird die letzte.")
if policy.may_edit:
    manage(chosen)
if chosen.note and policy.sees_details:
    st.markdown(f"**Notiz der Moderation:** {escape_markdown(chosen.note)}")

agenda = shared.agenda(chosen_id)
left, right = st.columns(2)
left.page_link("app_pages/praesentation.py", label="Präsentation für den Beamer starten",
               icon=":material/slideshow:", query_params={"sitzung": str(chosen.id)})
right.download_button(
    f"Handout als PDF ({role_label(agenda.role)})",
    lambda: build_handout(agenda, shared.geography().boundary, store.is_demo(),
                          shared.today()),
    f"handout_{chosen.held_on:%Y-%m-%d}.pdf", "application/pdf", on_click="ignore",
    key="sitzung_pdf", icon=":material/picture_as_pdf:")
agenda_view(agenda)
figures_view(agenda)
if agenda.figures["jetzt"].isna().any():
    shared.rounding_note()
