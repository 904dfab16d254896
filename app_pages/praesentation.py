"""Präsentation: the session's agenda on the projector, one item per screen, in large type.

Keys: → / Bild ↓ next item, ← / Bild ↑ previous (Streamlit button shortcuts, so a
presenter's remote control works too). The agenda is the one the Sitzung page and the
handout show.
"""

from __future__ import annotations

import streamlit as st

from app_pages import shared
from reports.analysis.hotspot_change import RULE
from reports.coordination import meetings
from reports.privacy.access import count_text, policy_for
from reports.privacy.safe import escape_markdown
from reports.render.handout import map_png

store = shared.get_store()
# Large type for a room: sized by the viewport, readable from 1280×720 to 1920×1080.
st.html("""<style>
[data-testid="stSidebar"], [data-testid="stHeader"] {display: none;}
.block-container {padding-top: 1.5rem; max-width: 100%;}
.st-key-slide h1 {font-size: clamp(2rem, 4.2vw, 4.5rem); line-height: 1.1;}
.st-key-slide p, .st-key-slide li {font-size: clamp(1.25rem, 2.1vw, 2.4rem); line-height: 1.3;}
.st-key-slide [data-testid="stMetricValue"] {font-size: clamp(2.5rem, 5vw, 5.5rem);}
.st-key-slide [data-testid="stMetricLabel"] p {font-size: clamp(1rem, 1.6vw, 1.8rem);}
</style>""")

# The sidebar is hidden on the projector: this is the way back.
st.page_link("app_pages/sitzung.py", label="Präsentation beenden", icon=":material/close:")

calendar = {m.id: m for m in meetings.list_meetings(store)}
asked = st.query_params.get("sitzung", "")
upcoming = meetings.next_meeting(store, shared.today())
meeting_id = int(asked) if asked.isdigit() and int(asked) in calendar else (
    upcoming.id if upcoming else None)
if meeting_id is None:
    st.title("Präsentation")
    st.info("Keine Sitzung geplant. Die Redaktion plant Sitzungen auf der Seite Sitzung.")
    st.stop()
agenda = shared.agenda(meeting_id)
slides = ["title", *range(len(agenda.items))]
key = f"slide_{meeting_id}"
st.session_state.setdefault(key, 0)


def _go(step: int) -> None:
    st.session_state[key] = min(max(st.session_state[key] + step, 0), len(slides) - 1)


current = st.session_state[key]
back, where, forward, page_up, page_down = st.columns([2, 6, 2, 1, 1])
back.button("◀ Zurück", key="p_back", shortcut="left", on_click=_go, args=(-1,),
            disabled=current == 0, width="stretch")
where.markdown(f"Folie {current + 1} von {len(slides)} · {agenda.meeting.title}")
forward.button("Weiter ▶", key="p_next", shortcut="right", on_click=_go, args=(1,),
               disabled=current == len(slides) - 1, width="stretch", type="primary")
page_up.button("Bild ↑", key="p_pageup", shortcut="pageup", on_click=_go, args=(-1,),
               type="tertiary", help="vorherige Folie")
page_down.button("Bild ↓", key="p_pagedown", shortcut="pagedown", on_click=_go, args=(1,),
                 type="tertiary", help="nächste Folie")


def _count(value) -> str:
    return count_text(value, policy_for(agenda.role).min_count)


with st.container(key="slide"):
    if slides[current] == "title":
        st.markdown(f"# {escape_markdown(agenda.meeting.title)}")
        st.markdown(f"{meetings.german_date(agenda.meeting.held_on, weekday=True, long=True)}"
                    + (f", {agenda.meeting.starts_at} Uhr" if agenda.meeting.starts_at else "")
                    + (f" · {escape_markdown(agenda.meeting.place)}" if agenda.meeting.place
                       else ""))
        st.markdown(f"Zeitraum: {agenda.period_text}")
        total = agenda.figures.iloc[0]
        left, right = st.columns(2)
        left.metric("Meldungen im Zeitraum", _count(total["jetzt"]))
        right.metric("im Zeitraum davor", _count(total["davor"]))
        st.markdown("\n".join(f"{n}. {escape_markdown(item.title)}" for n, item in
                              enumerate(agenda.items, start=1)) or "Keine Punkte.")
    else:
        n = slides[current]
        item = agenda.items[n]
        st.markdown(f"# {n + 1}. {escape_markdown(item.title)}")
        if item.kind == "hotspot":
            text, figure = st.columns([2, 3])
            text.metric("Meldungen jetzt", _count(item.figures["jetzt"]))
            text.metric("im Zeitraum davor", _count(item.figures["davor"]))
            text.markdown(escape_markdown(item.text))
            text.caption(RULE)
            number = [i.key for i in agenda.items if i.kind == "hotspot"].index(item.key) + 1
            figure.image(map_png(agenda, shared.geography().boundary, only=number,
                                 size=(7.0, 5.0)), width="stretch")
        else:
            st.markdown(escape_markdown(item.text))
st.caption("Tasten: → oder Bild ↓ weiter, ← oder Bild ↑ zurück.")
