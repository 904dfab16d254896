"""Anliegen: anyone can bring a problem to the alliance and follow it on a private status
link; Redaktion moderates the queue and answers.

Text from the form is data: shown with ``st.text`` or escaped markdown, never as HTML.
"""

from __future__ import annotations

import uuid
from urllib.parse import urlsplit, urlunsplit

import folium
import streamlit as st
from streamlit_folium import st_folium

from app_pages import shared
from app_pages.session import client_address
from config.paths import STATIC_DIR
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
if "anliegen_puzzle" not in st.session_state:
    st.session_state["anliegen_puzzle"] = concerns.Puzzle.new()
# The browser solves the form's hash puzzle with our own script (no third party).
_solver = st.components.v2.component(
    "lagebild_puzzle", js=(STATIC_DIR / "vendor/lagebild/puzzle.js").read_text("utf-8"),
    isolate_styles=False)
FORM_KEYS = {"anliegen_description": "", "anliegen_address": "", "anliegen_contact": "",
             "anliegen_hp": ""}


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
    _receipt()
    st.markdown("Sie sehen im Leipziger Osten ein Problem – Müll, Spritzen, eine dunkle Ecke, "
                "eine Gefahrenstelle? Beschreiben Sie es hier. Die Redaktion des "
                "Aktionsbündnisses prüft jedes Anliegen, bevor es in die Auswertung eingeht.")
    st.caption("Ort: auf der Karte klicken **oder** unten eine Adresse angeben.")
    clicked = st_folium(_point_map(), height=380, use_container_width=True, key="anliegen_map",
                        returned_objects=["last_clicked"])
    if clicked and clicked.get("last_clicked"):
        picked = (clicked["last_clicked"]["lng"], clicked["last_clicked"]["lat"])
        if st.session_state.get("anliegen_point") != picked:
            st.session_state["anliegen_point"] = picked
            near = concerns.nearest_address(*picked)
            st.session_state["anliegen_near"] = near
            if near and not st.session_state.get("anliegen_address"):
                st.session_state["anliegen_address"] = near  # in words, for Redaktion
            st.rerun()
    point = st.session_state.get("anliegen_point")
    if point:
        left, right = st.columns([3, 1])
        near = st.session_state.get("anliegen_near", "")
        where = f"nahe {escape_markdown(near)}" if near else "kein Haus in der Nähe"
        left.caption(f"Gewählter Ort: {where} ({point[1]:.5f} N, {point[0]:.5f} O)")
        if right.button("Ort entfernen", key="anliegen_clear_point"):
            st.session_state.pop("anliegen_point", None)
            st.rerun()
    puzzle: concerns.Puzzle = st.session_state["anliegen_puzzle"]
    result = _solver(data={"seed": puzzle.seed, "bits": puzzle.bits}, key="anliegen_solver",
                     on_nonce_change=lambda: None, height=24)
    found = getattr(result, "nonce", None) or ""
    if found.startswith(puzzle.seed + ":"):
        st.session_state["anliegen_nonce"] = found
    with st.form("anliegen_form"):
        st.selectbox("Thema", list(vocab.topics), format_func=vocab.topics.__getitem__,
                     key="anliegen_topic")
        st.text_area("Beschreibung", max_chars=concerns.MAX_DESCRIPTION,
                     key="anliegen_description", help="Was ist wo passiert, seit wann, wie oft?")
        st.text_input("Adresse oder Ort (falls kein Punkt auf der Karte)",
                      max_chars=concerns.MAX_ADDRESS, key="anliegen_address")
        st.text_input("Kontakt für Rückfragen (freiwillig, nur für die Redaktion sichtbar)",
                      max_chars=concerns.MAX_CONTACT, key="anliegen_contact")
        st.text_input("Website", key="anliegen_hp")
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
    puzzle, solution = state["anliegen_puzzle"], state.get("anliegen_nonce", "")
    nonce = solution.removeprefix(puzzle.seed + ":") if solution.startswith(
        puzzle.seed + ":") else ""
    sender = concerns.Sender(state["anliegen_session"], client_address())
    try:
        receipt = concerns.submit(store, form, sender, puzzle, nonce,
                                  geocoder=shared.geography().geocoder)
    except concerns.ConcernError as exc:
        state["anliegen_msg"] = ("error", escape_markdown(str(exc)))
        return
    state["anliegen_puzzle"] = concerns.Puzzle.new()  # a solved puzzle files one concern
    for key, empty in FORM_KEYS.items():  # the form starts empty again
        state[key] = empty
    for key in ("anliegen_point", "anliegen_near", "anliegen_nonce"):
        state.pop(key, None)
    state["anliegen_receipt"] = receipt


def _status_url(token: str) -> str:
    """The private status link: this page's address with ``?status=<token>``."""
    try:
        parts = urlsplit(st.context.url or "")
    except (AttributeError, RuntimeError):
        parts = urlsplit("")
    path = parts.path if parts.path.rstrip("/").endswith("anliegen") else "/anliegen"
    return urlunsplit((parts.scheme, parts.netloc, path, f"status={token}", ""))


def _receipt() -> None:
    receipt = st.session_state.get("anliegen_receipt")
    if receipt is None:
        return
    with st.container(border=True, key="anliegen_receipt_box"):
        st.success(f"Danke! Ihr Anliegen ist eingegangen: **Nr. {receipt.id}**. Die Redaktion "
                   "prüft es.")
        url = _status_url(receipt.token)
        st.markdown("Unter diesem persönlichen Link sehen Sie, wie es weitergeht (ohne "
                    "Anmeldung). Bitte speichern Sie ihn – wer den Link hat, sieht den Stand "
                    "dieses Anliegens:")
        st.code(url, language=None)
        st.link_button("Stand meines Anliegens ansehen", url)


def status_view(token: str) -> None:
    """The page a status link opens: this one concern's steps and the alliance's answer."""
    status = concerns.status_for(store, token, shared.today())
    if status is None:
        st.error("Zu diesem Link gibt es kein Anliegen. Bitte prüfen Sie, ob der Link "
                 "vollständig ist.")
        return
    with st.container(border=True, key="anliegen_status"):
        st.subheader(f"Ihr Anliegen Nr. {status.id}")
        st.caption(f"{escape_markdown(status.topic)} · eingegangen am "
                   f"{status.created_at:%d.%m.%Y} · "
                   f"{escape_markdown(status.ortsteil or 'ohne Ortsteil')}")
        for step in status.steps:
            mark = ":material/check_circle:" if step.done else ":material/radio_button_unchecked:"
            note = f" – {escape_markdown(step.note)}" if step.note and step.done else ""
            st.markdown(f"{mark} {'**' + step.label + '**' if step.done else step.label}{note}")
        if status.closed:
            st.info(status.closed)
        if status.answer:
            st.markdown("**Antwort des Aktionsbündnisses**")
            st.text(status.answer)
        with st.expander("Ihr Text"):
            st.text(status.description)


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
            cats = vocab.propose(row.description, row.topic)  # best guess from the text first
            accept, merge, reject = st.columns(3)
            accept.selectbox("Kategorie", cats, format_func=lambda k: vocab.categories[k].label,
                             key=f"cat_{row.id}", help="Vorgeschlagen nach Stichwörtern im Text "
                             "und dem gewählten Thema; bitte prüfen.")
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
    _answer_form(list(handled["id"]))


def _answer_form(ids: list) -> None:
    """The alliance's answer to a resident, shown on the status link's page."""
    st.subheader("Antwort an die meldende Person")
    with st.form("anliegen_answer_form"):
        st.selectbox("Anliegen", ids, key="answer_id", format_func=lambda i: f"Nr. {i}")
        st.text_area("Antwort (erscheint auf der persönlichen Statusseite)",
                     max_chars=concerns.MAX_ANSWER, key="answer_text")
        st.checkbox("Als besprochen markieren", key="answer_discussed")
        st.form_submit_button("Antwort speichern", on_click=_save_answer)


@shared.guarded
def _save_answer() -> None:
    state = st.session_state
    try:
        concerns.answer(store, int(state["answer_id"]), state["answer_text"],
                        shared.current_actor(), discussed=bool(state["answer_discussed"]))
    except concerns.ConcernError as exc:
        state["moderation_msg"] = ("error", escape_markdown(str(exc)))
        return
    state["moderation_msg"] = ("success", f"Anliegen {state['answer_id']}: Antwort gespeichert.")


token = st.query_params.get("status", "")
if token:
    status_view(token)
    st.subheader("Neues Anliegen")
public_form()
if policy.may_edit:
    moderation()
    st.page_link("app_pages/sitzung.py", label="Tagesordnung der nächsten Sitzung (Seite Sitzung)",
                 icon=":material/event:")
