"""Präsentation: the session's agenda on the projector, one item per screen with its map.

The deck (``reports.render.deck``) is built once per agenda and role and steps in the
browser (→ / Bild ↓ next, ← / Bild ↑ back, or the buttons), so a step takes no server round
trip; the same file downloads for a projector laptop without the server. The agenda is the
one the Sitzung page and the handout show, in the order Redaktion set.
"""

from __future__ import annotations

from datetime import date

import streamlit as st
import streamlit.components.v1 as components

from app_pages import shared, streamlit_compat
from reports.coordination import meetings
from reports.privacy.access import Role
from reports.render.deck import build_deck

store = shared.get_store()
# The deck fills the window below the two links; no sidebar or header (the CSS names
# Streamlit internals: streamlit_compat.PROJECTOR_CSS).
st.html(streamlit_compat.PROJECTOR_CSS)


@st.cache_resource(max_entries=4, show_spinner="Präsentation wird vorbereitet …")
def _deck(version: str, meeting_id: int, role: Role, day: date) -> str:
    """Built once per data version, session, role and day, shared by all sessions."""
    return build_deck(shared.agenda(meeting_id), shared.geography().boundary, store.is_demo(),
                      day)


calendar = {m.id: m for m in meetings.list_meetings(store)}
asked = st.query_params.get("sitzung", "")
upcoming = meetings.next_meeting(store, shared.today())
# As on the Sitzung page: the asked session, else the next one, else the last one held.
fallback = upcoming.id if upcoming else next(reversed(calendar), None)
meeting_id = int(asked) if asked.isdigit() and int(asked) in calendar else fallback
if meeting_id is None:
    st.page_link("app_pages/sitzung.py", label="Präsentation beenden", icon=":material/close:")
    st.title("Präsentation")
    st.info("Keine Sitzung geplant. Die Redaktion plant Sitzungen auf der Seite Sitzung.")
    st.stop()

deck = _deck(shared.data_version(), meeting_id, shared.current_role(), shared.today())
with st.container(horizontal=True, gap="medium"):
    # The sidebar is hidden on the projector: this is the way back.
    st.page_link("app_pages/sitzung.py", label="Präsentation beenden",
                 icon=":material/close:")
    st.download_button("Präsentation als Datei herunterladen", deck.encode("utf-8"),
                       f"praesentation_{calendar[meeting_id].held_on:%Y-%m-%d}.html",
                       "text/html", on_click="ignore", icon=":material/download:",
                       type="tertiary", key="p_download")
components.html(deck, height=640)
