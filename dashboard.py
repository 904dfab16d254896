"""Lagebild Leipziger Osten: the Streamlit entry point (`streamlit run dashboard.py`).

The sidebar filters live here, in the entry point, so they keep their state across pages;
pages read them through ``pages.shared``.
"""

from __future__ import annotations

import streamlit as st

from config.settings import SettingError
from pages import shared
from pages.session import enforce_session
from reports.privacy.access import Role, policy_for

st.set_page_config(page_title="Lagebild Leipziger Osten", page_icon="🗺️", layout="wide")

PAGES = [
    st.Page("pages/ueberblick.py", title="Überblick", icon=":material/dashboard:", default=True),
    st.Page("pages/karte.py", title="Karte", icon=":material/map:"),
    st.Page("pages/trends.py", title="Trends", icon=":material/monitoring:"),
    st.Page("pages/sitzung.py", title="Sitzung", icon=":material/event:"),
    st.Page("pages/daten.py", title="Daten", icon=":material/database:"),
]

# Pages with who sees them in the navigation (each page checks the role again itself,
# because a page can be opened by URL).
ROLE_PAGES = [
    ("pages/anliegen.py", "Anliegen", ":material/mail:", lambda role: True),
    ("pages/massnahmen.py", "Maßnahmen", ":material/construction:", lambda role: True),
    ("pages/praesentation.py", "Präsentation", ":material/slideshow:", lambda role: True),
    ("pages/admin.py", "Admin", ":material/admin_panel_settings:",
     lambda role: policy_for(role).may_admin),
    ("pages/anmelden.py", "Anmelden", ":material/login:", lambda role: True),
]


def navigation_pages(role: Role) -> list:
    return PAGES + [st.Page(file, title=title, icon=icon)
                    for file, title, icon, visible in ROLE_PAGES if visible(role)]


try:
    shared.get_store()
except SettingError as exc:  # a wrong setting names itself, in German
    st.error(str(exc))
    st.stop()
except Exception as exc:  # no store, no dashboard: say so in German instead of a traceback
    st.error(f"Der Datenbestand ist nicht erreichbar ({type(exc).__name__}). Bitte die "
             "Einstellung DATABASE_URL und den Datenbankserver prüfen.")
    st.stop()

enforce_session()  # access hook: ends idle log-ins before the role is read
page = st.navigation(navigation_pages(shared.current_role()))
st.sidebar.title("Lagebild Leipziger Osten")
shared.demo_badge()
shared.role_caption()
shared.sidebar_filters()
page.run()
