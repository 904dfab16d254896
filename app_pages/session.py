"""The log-in state of a Streamlit session: log in, log out, idle expiry, OIDC mapping.

``enforce_session()`` runs at the top of every script run (dashboard.py), before the role is
read: an idle session is ended there, so no page ever renders with an expired role.
"""

from __future__ import annotations

import streamlit as st
from streamlit.errors import StreamlitSecretNotFoundError

from app_pages import shared
from reports.privacy import auth
from reports.privacy.access import Role

SESSION_KEY = "auth_session"
NOTICE_KEY = "auth_notice"


def oidc_configured() -> bool:
    """True where ``.streamlit/secrets.toml`` has an ``[auth]`` section (st.login works)."""
    try:
        return "auth" in st.secrets
    except (FileNotFoundError, StreamlitSecretNotFoundError):
        return False


def client_address() -> str:
    """The client's address for per-address throttling.

    ``st.context.ip_address`` hides loopback peers (it returns None for 127.0.0.1 and ::1),
    which is exactly where a local reverse proxy connects from; so the TCP peer is read from
    the session's client context (Streamlit ≥ 1.50 internals, version pinned by the lock
    files) and ``X-Forwarded-For`` from the websocket handshake's headers. Which of them
    counts is decided by ``auth.client_address`` with ``LAGEBILD_TRUSTED_PROXIES``."""
    from config.settings import settings

    peer = None
    try:
        from streamlit import runtime
        from streamlit.runtime.scriptrunner import get_script_run_ctx

        ctx = get_script_run_ctx()
        client = runtime.get_instance().get_client(ctx.session_id) if ctx else None
        context = getattr(client, "client_context", None)
        peer = getattr(context, "remote_ip", None)
    except (AttributeError, RuntimeError):
        peer = None
    peer = peer or st.context.ip_address
    try:
        forwarded = st.context.headers.get_all("X-Forwarded-For")
    except (AttributeError, RuntimeError):
        forwarded = []
    return auth.client_address(peer, forwarded, settings().trusted_proxies)


def log_in(username: str, role: Role) -> None:
    st.session_state[shared.ROLE_KEY] = Role(role)
    st.session_state["username"] = username
    st.session_state[SESSION_KEY] = auth.new_session(username, role)


def log_out(notice: str | None = None) -> None:
    for key in (shared.ROLE_KEY, "username", SESSION_KEY):
        st.session_state.pop(key, None)
    if notice:
        st.session_state[NOTICE_KEY] = notice


def enforce_session() -> None:
    """End an idle session, keep an active one alive, adopt an OIDC log-in once."""
    session = st.session_state.get(SESSION_KEY)
    if session is not None:
        if auth.session_expired(session):
            log_out("Die Sitzung ist wegen Inaktivität abgelaufen. Bitte erneut anmelden.")
        else:
            auth.touch(session)
    elif oidc_configured() and st.user.is_logged_in and not st.session_state.get("_oidc_done"):
        st.session_state["_oidc_done"] = True
        email = st.user.get("email") if st.user.get("email_verified", True) else None
        role = auth.role_for_identity(shared.get_store(), email)
        if role is not None:
            log_in(str(email), role)
        else:
            st.session_state[NOTICE_KEY] = ("Dieses Konto ist nicht freigeschaltet; es gilt die "
                                            "öffentliche Ansicht.")
    notice = st.session_state.pop(NOTICE_KEY, None)
    if notice:
        st.sidebar.warning(notice)
