"""The log-in of a Streamlit session: log in, log out, idle expiry, OIDC mapping.

A log-in opens a server-side session in the store (``reports.privacy.sessions``). The tab
that logged in knows it by id; the browser gets it as an HttpOnly cookie through
``app_pages.http_routes`` (the page hands over a single-use grant once, in a POST body), so
a reload, a new tab or another dashboard process on the same store resolves the cookie to
the same session (``st.context.cookies``). ``enforce_session()`` runs at the top of every
script run (dashboard.py), before the role is read: a revoked, idle or disabled session
ends there, so no page ever renders with a role it no longer has.

OIDC accounts (``st.login``) keep Streamlit's own log-in cookie; each new Streamlit session
maps the verified e-mail to its account once.
"""

from __future__ import annotations

import json

import streamlit as st
from streamlit.errors import StreamlitSecretNotFoundError

from app_pages import shared, streamlit_compat
from app_pages.http_routes import LOGOUT_PATH, SESSION_PATH
from reports.privacy import auth, sessions
from reports.privacy.access import Role

SESSION_KEY = "auth_session"  # id of this tab's session in the store
GRANT_KEY = "auth_grant"  # single-use grant the browser exchanges for the cookie
CLEAR_KEY = "auth_clear_cookie"  # the browser should drop its cookie (after a log-out)
NOTICE_KEY = "auth_notice"
ENDED = "Die Anmeldung ist wegen Inaktivität abgelaufen oder wurde beendet. Bitte erneut " \
        "anmelden."


def oidc_configured() -> bool:
    """True where ``.streamlit/secrets.toml`` has an ``[auth]`` section (st.login works)."""
    try:
        return "auth" in st.secrets
    except (FileNotFoundError, StreamlitSecretNotFoundError):
        return False


def client_address() -> str:
    """The client's address for per-address throttling: the websocket's TCP peer
    (``streamlit_compat.peer_address``) and ``X-Forwarded-For``, of which
    ``auth.client_address`` believes what ``LAGEBILD_TRUSTED_PROXIES`` allows."""
    from config.settings import settings

    peer = streamlit_compat.peer_address() or st.context.ip_address
    forwarded = st.context.headers.get_all("X-Forwarded-For")
    return auth.client_address(peer, forwarded, settings().trusted_proxies)


def _adopt(live: sessions.Session) -> None:
    st.session_state[shared.ROLE_KEY] = live.role
    st.session_state["username"] = live.username
    st.session_state[SESSION_KEY] = live.id


def log_in(username: str, role: Role, cookie: bool = True) -> None:
    """Open a session for a user who has just authenticated; ``cookie``: let the browser
    keep it (password log-ins; OIDC has Streamlit's own cookie)."""
    session_id, grant = sessions.open_session(shared.get_store(), username)
    _adopt(sessions.Session(session_id, username, Role(role)))
    st.session_state.pop(CLEAR_KEY, None)
    if cookie:
        st.session_state[GRANT_KEY] = grant


def log_out(notice: str | None = None) -> None:
    """End this tab's session and the browser's cookie session (in every process)."""
    store = shared.get_store()
    own = st.session_state.get(SESSION_KEY)
    token = _cookie()
    if own or token:
        sessions.revoke(store, own)
        sessions.revoke(store, None, token)
        st.session_state[CLEAR_KEY] = True
    for key in (shared.ROLE_KEY, "username", SESSION_KEY, GRANT_KEY):
        st.session_state.pop(key, None)
    if notice:
        st.session_state[NOTICE_KEY] = notice


def _post(path: str, body: dict) -> None:
    """Let the browser POST ``body`` as JSON to one of our routes (same origin, so the
    cookie it answers with is this site's)."""
    script = (f"fetch({json.dumps(path)}, {{method: 'POST', credentials: 'same-origin', "
              f"headers: {{'Content-Type': 'application/json'}}, "
              f"body: {json.dumps(json.dumps(body))}}});")
    st.sidebar.html(f"<script>{script}</script>", unsafe_allow_javascript=True)


def _cookie() -> str | None:
    """The browser's session token, as sent with this session's websocket handshake."""
    token = st.context.cookies.get(sessions.COOKIE)
    return token if isinstance(token, str) and token else None


def _from_cookie(store) -> sessions.Session | None:
    """The live session of the browser's cookie (None after a log-out in this tab)."""
    token = _cookie()
    if not token or st.session_state.get(CLEAR_KEY):
        return None
    return sessions.resolve(store, token=token)


def enforce_session() -> None:
    """Resolve this run's log-in: this tab's own session, else the browser's cookie, else
    a new OIDC log-in; end what is no longer live."""
    store = shared.get_store()
    own = st.session_state.get(SESSION_KEY)
    if own is not None:
        live = sessions.resolve(store, session_id=own)
        if live is None:
            log_out(ENDED)
        else:
            _adopt(live)
    elif (live := _from_cookie(store)) is not None:
        _adopt(live)
    elif oidc_configured() and st.user.is_logged_in and not st.session_state.get("_oidc_done"):
        st.session_state["_oidc_done"] = True
        email = st.user.get("email") if st.user.get("email_verified", True) else None
        role = auth.role_for_identity(store, str(email) if email else None)
        if role is not None:
            log_in(str(email), role, cookie=False)
        else:
            st.session_state[NOTICE_KEY] = ("Dieses Konto ist nicht freigeschaltet; es gilt die "
                                            "öffentliche Ansicht.")
    if grant := st.session_state.pop(GRANT_KEY, None):
        _post(SESSION_PATH, {"grant": grant})
    if st.session_state.get(CLEAR_KEY) is True:
        st.session_state[CLEAR_KEY] = "sent"  # kept: the old cookie is not adopted again
        _post(LOGOUT_PATH, {})
    notice = st.session_state.pop(NOTICE_KEY, None)
    if notice:
        st.sidebar.warning(notice)
