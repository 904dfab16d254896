"""Anmelden: log-in with user name and password (throttled), or through the organisation's
OpenID Connect provider where one is configured; log-out."""

from __future__ import annotations

import streamlit as st

from app_pages import session, shared
from reports.privacy.access import ROLE_LABELS, Role
from reports.privacy.auth import LoginLocked, authenticate, session_idle_minutes
from reports.privacy.safe import escape_markdown
from reports.storage.faults import StoreError


def _log_out() -> None:
    """Button callback (survives the entry-point switch's rerun, as the log-in does)."""
    st.session_state["oidc_logout"] = session.oidc_configured() and st.user.is_logged_in
    session.log_out("Sie wurden abgemeldet.")


if st.session_state.pop("oidc_logout", False):
    st.logout()

st.title("Anmelden")
role = shared.current_role()

if role is not Role.PUBLIC:
    st.success(f"Angemeldet als **{escape_markdown(st.session_state.get('username', ''))}** "
               f"(Rolle: {ROLE_LABELS[role]}).")
    st.caption(f"Nach {session_idle_minutes()} Minuten ohne Aktivität endet die Sitzung "
               "automatisch.")
    st.button("Abmelden", type="primary", on_click=_log_out)
    st.stop()

st.write("Mitglieder des Aktionsbündnisses sehen nach der Anmeldung einzelne Meldungen mit "
         "Beschreibung; ohne Anmeldung sind nur zusammengefasste Zahlen sichtbar.")

if session.oidc_configured():
    st.button("Mit dem Konto der Organisation anmelden", type="primary", on_click=st.login)
    st.caption("Oder mit Benutzername und Passwort:")

def _log_in() -> None:
    """Form callback: runs before the rerun, so the submit survives the entry-point switch."""
    username = st.session_state.get("login_user", "")
    password = st.session_state.get("login_password", "")
    try:
        new_role = authenticate(shared.get_store(), username, password,
                                source=session.client_address())
    except (LoginLocked, StoreError) as exc:  # German; a store fault is not a wrong password
        st.session_state["login_error"] = str(exc)
        return
    if new_role is None:
        st.session_state["login_error"] = ("Benutzername oder Passwort ist falsch, oder das "
                                           "Konto ist gesperrt.")
    else:
        session.log_in(username.strip(), new_role)


with st.form("anmelden", clear_on_submit=True):
    st.text_input("Benutzername", max_chars=80, autocomplete="username", key="login_user")
    st.text_input("Passwort", type="password", max_chars=200, autocomplete="current-password",
                  key="login_password")
    st.form_submit_button("Anmelden", on_click=_log_in)

if error := st.session_state.pop("login_error", None):
    st.error(error)
