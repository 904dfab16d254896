"""Anliegen: anyone can bring a problem to the alliance; Redaktion moderates the queue.

Text from the form is data: shown with ``st.text`` or escaped markdown, never as HTML.
"""

from __future__ import annotations

import uuid

import folium
import streamlit as st
from streamlit_folium import st_folium

from app_pages import shared
from maps.assets import localise
from maps.base import add_boundary, base_map
from reports.coordination import concerns
from reports.coordination.meetings import german_date, next_meeting
from reports.model import vocabulary
from reports.privacy.access import policy_for
from reports.privacy.safe import escape_markdown

st.title("Anliegen")
vocab = vocabulary()
store = shared.get_store()
policy = policy_for(shared.current_role())

# The honeypot field is in the page but hidden from people; bots fill it in.
st.html("<style>.st-key-anliegen_hp {position:absolute; left:-9999px; height:0; "
        "overflow:hidden}</style>")
if "anliegen_session" not in st.session_state:
    st.session_state["anliegen_session"] = uuid.uuid4().hex
if "anliegen_challenge" not in st.session_state:
    st.session_state["anliegen_challenge"] = concerns.Challenge.new()


def _point_map() -> folium.Map:
    ctx = shared.district_geometry()
    m = base_map(ctx.ortsteile, ctx.streets, tile_url=ctx.tile_url, attribution=ctx.attribution,
                 height=380)
    add_boundary(m, ctx.district)
    point = st.session_state.get("anliegen_point")
    if point:
        folium.CircleMarker([point[1], point[0]], radius=8, color="#D55E00", fill=True,
                            fill_opacity=0.8, tooltip="gewählter Ort").add_to(m)
    return localise(m)


def public_form() -> None:
    st.markdown("Sie sehen im Leipziger Osten ein Problem – Müll, Spritzen, eine dunkle Ecke, "
                "eine Gefahrenstelle? Beschreiben Sie es hier. Die Redaktion des "
                "Aktionsbündnisses prüft jedes Anliegen, bevor es in die Auswertung eingeht.")
    st.caption("Ort: auf der Karte klicken **oder** unten eine Adresse angeben.")
    clicked = st_folium(_point_map(), height=380, use_container_width=True, key="anliegen_map",
                        returned_objects=["last_clicked"])
    if clicked and clicked.get("last_clicked"):
        point = (clicked["last_clicked"]["lng"], clicked["last_clicked"]["lat"])
        if st.session_state.get("anliegen_point") != point:
            st.session_state["anliegen_point"] = point
            st.rerun()
    point = st.session_state.get("anliegen_point")
    if point:
        left, right = st.columns([3, 1])
        left.caption(f"Gewählter Ort: {point[1]:.5f} N, {point[0]:.5f} O")
        if right.button("Ort entfernen", key="anliegen_clear_point"):
            st.session_state.pop("anliegen_point", None)
            st.rerun()
    challenge: concerns.Challenge = st.session_state["anliegen_challenge"]
    with st.form("anliegen_form"):
        st.selectbox("Thema", list(vocab.topics), format_func=vocab.topics.get,
                     key="anliegen_topic")
        st.text_area("Beschreibung", max_chars=concerns.MAX_DESCRIPTION,
                     key="anliegen_description", help="Was ist wo passiert, seit wann, wie oft?")
        st.text_input("Adresse oder Ort (falls kein Punkt auf der Karte)",
                      max_chars=concerns.MAX_ADDRESS, key="anliegen_address")
        st.text_input("Kontakt für Rückfragen (freiwillig, nur für die Redaktion sichtbar)",
                      max_chars=concerns.MAX_CONTACT, key="anliegen_contact")
        st.text_input("Website", key="anliegen_hp")
        st.text_input(f"Sicherheitsfrage: {challenge.question}", key="anliegen_answer")
        st.form_submit_button("Anliegen senden", on_click=_submit)
    _show_message("anliegen_msg")


@shared.guarded
def _submit() -> None:
    """Form callback (runs before the page is drawn again, so the result survives reruns)."""
    state = st.session_state
    lon, lat = state.get("anliegen_point") or (None, None)
    form = concerns.ConcernForm(state["anliegen_topic"], state["anliegen_description"],
                                state["anliegen_address"], lon, lat, state["anliegen_contact"],
                                state["anliegen_hp"])
    challenge, answer = state["anliegen_challenge"], state["anliegen_answer"]
    state["anliegen_challenge"] = concerns.Challenge.new()  # one try per question
    state["anliegen_answer"] = ""
    try:
        new_id = concerns.submit(store, form, state["anliegen_session"], challenge, answer,
                                 geocoder=shared.geography().geocoder)
    except concerns.ConcernError as exc:
        state["anliegen_msg"] = ("error", escape_markdown(str(exc)))
        return
    state.pop("anliegen_point", None)
    state["anliegen_msg"] = ("success", f"Danke! Ihr Anliegen ist eingegangen (Nr. {new_id}). "
                                        "Die Redaktion prüft es.")


def _show_message(key: str) -> None:
    message = st.session_state.pop(key, None)
    if message:
        (st.error if message[0] == "error" else st.success)(message[1])


@shared.guarded
def _act(action, concern_id: int, arg_key: str | None, arg=None) -> None:
    """Moderation button callback; ``arg_key``: the widget holding the action's argument."""
    value = st.session_state.get(arg_key, "") if arg_key else arg
    try:
        action(store, concern_id, value, shared.current_actor())
    except (concerns.ConcernError, ValueError) as exc:
        st.session_state["moderation_msg"] = ("error", escape_markdown(str(exc)))
        return
    st.session_state["moderation_msg"] = ("success", f"Anliegen {concern_id}: gespeichert.")


def moderation() -> None:
    st.header("Moderation")
    _show_message("moderation_msg")
    queue = concerns.list_concerns(store, status="new", with_contact=True)
    meeting = next_meeting(store, shared.today())
    st.caption(f"{len(queue)} neue Anliegen. Nächste Sitzung: "
               + (meeting.label if meeting else "keine im Kalender – die Redaktion plant sie "
                                                 "auf der Seite Sitzung"))
    for row in queue.itertuples():
        label = (f"Nr. {row.id} · {vocab.topics.get(row.topic, row.topic)} · "
                 f"{row.created_at:%d.%m.%Y %H:%M} · {row.ortsteil or 'ohne Ortsteil'}")
        with st.expander(label):
            st.text(row.description)
            if row.address:
                st.text(f"Adresse: {row.address}")
            if row.contact:
                st.text(f"Kontakt: {row.contact}")
            own = [c.key for c in vocab.categories_of(row.topic)]  # the chosen topic first
            cats = own + [k for k in vocab.categories if k not in own]
            accept, merge, reject = st.columns(3)
            accept.selectbox("Kategorie", cats, format_func=lambda k: vocab.categories[k].label,
                             key=f"cat_{row.id}")
            accept.button("Als Meldung übernehmen", key=f"accept_{row.id}", on_click=_act,
                          args=(concerns.accept, row.id, f"cat_{row.id}"))
            merge.text_input("Meldungs-ID", key=f"merge_id_{row.id}")
            merge.button("Mit Meldung zusammenführen", key=f"merge_{row.id}", on_click=_act,
                         args=(concerns.merge, row.id, f"merge_id_{row.id}"))
            reject.text_input("Begründung", key=f"reason_{row.id}")
            reject.button("Ablehnen", key=f"reject_{row.id}", on_click=_act,
                          args=(concerns.reject, row.id, f"reason_{row.id}"))
            if meeting:
                st.button(f"Auf die Tagesordnung am {german_date(meeting.held_on)}",
                          key=f"agenda_{row.id}", on_click=_act,
                          args=(concerns.put_on_agenda, row.id, None, meeting.id))
    handled = concerns.list_concerns(store)
    handled = handled[handled["status"] != "new"]
    if handled.empty:
        return
    st.subheader("Bearbeitete Anliegen")
    table = handled.assign(Status=handled["status"].map(concerns.STATUSES))[
        ["id", "created_at", "topic", "category", "Status", "reason", "report_id", "meeting_id"]]
    st.dataframe(table, hide_index=True)
    open_ids = list(handled[handled["status"] != "rejected"]["id"])
    if meeting and open_ids:
        pick = st.selectbox("Bearbeitetes Anliegen auf die nächste Tagesordnung", open_ids,
                            key="agenda_handled")
        st.button(f"Auf die Tagesordnung am {german_date(meeting.held_on)}",
                  key="agenda_handled_add", on_click=_act,
                  args=(concerns.put_on_agenda, int(pick), None, meeting.id))


public_form()
if policy.may_edit:
    moderation()
    st.page_link("app_pages/sitzung.py", label="Tagesordnung der nächsten Sitzung (Seite Sitzung)",
                 icon=":material/event:")
