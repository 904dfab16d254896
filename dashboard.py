"""Lagebild Leipziger Osten: the Streamlit entry point (`streamlit run dashboard.py`).

The sidebar filters live here, in the entry point, so they keep their state across pages;
pages read them through ``app_pages.shared``.
"""

from __future__ import annotations

import streamlit as st

from app_pages import last_good, shared, streamlit_compat
from app_pages.session import enforce_session
from config.settings import SettingError
from reports.privacy.access import Role, policy_for
from reports.storage.faults import StoreError

st.set_page_config(page_title="Lagebild Leipziger Osten", page_icon="🗺️", layout="wide")
streamlit_compat.refuse_client_cache_clearing()  # no visitor empties the shared caches

PAGES = [
    st.Page("app_pages/ueberblick.py", title="Überblick", icon=":material/dashboard:",
            default=True),
    st.Page("app_pages/karte.py", title="Karte", icon=":material/map:"),
    st.Page("app_pages/trends.py", title="Trends", icon=":material/monitoring:"),
    st.Page("app_pages/sitzung.py", title="Sitzung", icon=":material/event:"),
    st.Page("app_pages/daten.py", title="Daten", icon=":material/database:"),
]

# Pages with who sees them in the navigation (each page checks the role again itself,
# because a page can be opened by URL).
ROLE_PAGES = [
    ("app_pages/anliegen.py", "Anliegen", ":material/mail:", lambda role: True),
    ("app_pages/massnahmen.py", "Maßnahmen", ":material/construction:", lambda role: True),
    ("app_pages/praesentation.py", "Präsentation", ":material/slideshow:", lambda role: True),
    ("app_pages/admin.py", "Admin", ":material/admin_panel_settings:",
     lambda role: policy_for(role).may_admin),
    ("app_pages/anmelden.py", "Anmelden", ":material/login:", lambda role: True),
]


def navigation_pages(role: Role) -> list:
    return PAGES + [st.Page(file, title=title, icon=icon)
                    for file, title, icon, visible in ROLE_PAGES if visible(role)]


try:
    shared.get_store()
except (SettingError, StoreError) as exc:  # a wrong setting or a store fault, in German
    st.error(str(exc))
    st.stop()
except Exception as exc:  # no store, no dashboard: say so in German instead of a traceback
    st.error(f"Der Datenbestand ist nicht erreichbar ({type(exc).__name__}). Bitte die "
             "Einstellung DATABASE_URL und den Datenbankserver prüfen.")
    st.stop()

shared.german_charts()
shared.page_style()
# A store fault (lost connection, full disk, read-only store, writers queued too long) met by
# the sidebar or a page ends this run with its German message, never Streamlit's English
# error page; a fault in a button's callback was kept by ``shared.guarded`` and is shown here.
try:
    last_good.begin_run()
    enforce_session()  # access hook: ends idle log-ins before the role is read
    page = st.navigation(navigation_pages(shared.current_role()))
    st.sidebar.title("Lagebild Leipziger Osten")
    shared.demo_badge()
    shared.role_caption()
    shared.sidebar_filters()
    shared.show_kept_fault()
    last_good.note()  # the store could not be read: cached results with their age
    page.run()
except StoreError as exc:
    shared.show_fault(exc)
