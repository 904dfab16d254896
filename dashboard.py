"""Lagebild Leipziger Osten: the Streamlit entry point (`streamlit run dashboard.py`).

Two roles in one file. Run as Streamlit's script (``__main__``), it is the page: page
config, navigation by role, the shared sidebar (whose filters live in the URL and are read
by the pages through ``app_pages.shared``). Imported as a module, it is the ASGI app
``app``: ``streamlit run`` finds the ``st.App`` assignment and serves it with uvicorn, so
the dashboard's own routes (the log-in cookie, ``app_pages.http_routes``) run beside
Streamlit's under the same command.
"""

from __future__ import annotations

import streamlit as st

from app_pages import last_good, shared, streamlit_compat
from app_pages.session import enforce_session
from config.settings import SettingError
from reports.privacy.access import Role, policy_for
from reports.storage.faults import StoreError

PAGES = [
    ("app_pages/ueberblick.py", "Überblick", ":material/dashboard:"),
    ("app_pages/karte.py", "Karte", ":material/map:"),
    ("app_pages/trends.py", "Trends", ":material/monitoring:"),
    ("app_pages/sitzung.py", "Sitzung", ":material/event:"),
    ("app_pages/daten.py", "Daten", ":material/database:"),
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
    """The pages ``role`` finds in the navigation (Überblick first, the default)."""
    shown = PAGES + [(file, title, icon) for file, title, icon, visible in ROLE_PAGES
                     if visible(role)]
    return [st.Page(file, title=title, icon=icon, default=file == PAGES[0][0])
            for file, title, icon in shown]


def main() -> None:
    st.set_page_config(page_title="Lagebild Leipziger Osten", page_icon="🗺️",
                       layout="wide")
    streamlit_compat.refuse_client_cache_clearing()  # no visitor empties the shared caches
    try:
        shared.get_store()
    except (SettingError, StoreError) as exc:  # a wrong setting or a store fault, in German
        st.error(str(exc))
        st.stop()
    except Exception as exc:  # no store, no dashboard: German instead of a traceback
        st.error(f"Der Datenbestand ist nicht erreichbar ({type(exc).__name__}). Bitte die "
                 "Einstellung DATABASE_URL und den Datenbankserver prüfen.")
        st.stop()

    shared.german_charts()
    shared.page_style()
    # A store fault (lost connection, full disk, read-only store, writers queued too long)
    # met by the sidebar or a page ends this run with its German message, never Streamlit's
    # English error page; a fault in a button's callback was kept by ``shared.guarded`` and
    # is shown here.
    try:
        last_good.begin_run()
        enforce_session()  # access hook: ends idle log-ins before the role is read
        page = st.navigation(navigation_pages(shared.current_role()))
        st.sidebar.title("Lagebild Leipziger Osten")
        shared.demo_badge()
        shared.role_caption()
        shared.sidebar_filters()
        shared.show_url_problems()
        shared.show_kept_fault()
        last_good.note()  # the store could not be read: cached results with their age
        page.run()
    except StoreError as exc:
        shared.show_fault(exc)


if __name__ == "__main__":
    main()
else:
    from app_pages.http_routes import routes

    app = st.App(__file__, routes=routes())
