"""Everything that leans on Streamlit beyond its public API, in one place.

Each item here can break with a Streamlit release: the client context that holds the
browser's TCP peer, and the ``data-testid`` names the dashboard's CSS targets. They were
checked against the versions in ``KNOWN_STREAMLIT``; ``tests/app_pages/test_streamlit_compat
.py`` fails on any other version, so an upgrade means looking at this module first
(pyproject caps Streamlit below 2).
"""

from __future__ import annotations

import streamlit as st

# (major, minor) versions whose internals this module was checked against
KNOWN_STREAMLIT = ((1, 67),)


def streamlit_version() -> tuple[int, int]:
    major, minor = st.__version__.split(".")[:2]
    return int(major), int(minor)


def version_known() -> bool:
    """Whether the installed Streamlit is one this module was checked against."""
    return streamlit_version() in KNOWN_STREAMLIT


def peer_address() -> str | None:
    """The TCP peer of this session's websocket, or None where it cannot be read.

    ``st.context.ip_address`` hides loopback peers (None for 127.0.0.1 and ::1), which is
    exactly where a local reverse proxy connects from; the peer is therefore read from the
    session's client context (a runtime internal)."""
    try:
        from streamlit import runtime
        from streamlit.runtime.scriptrunner import get_script_run_ctx

        ctx = get_script_run_ctx()
        client = runtime.get_instance().get_client(ctx.session_id) if ctx else None
        context = getattr(client, "client_context", None)
        return getattr(context, "remote_ip", None)
    except (AttributeError, RuntimeError):
        return None


# The top padding is reduced so that on a 1280×720 projector a page's title, key figure and
# map start above the fold; the main column uses the full width on large screens.
DASHBOARD_CSS = """
<style>
[data-testid="stMainBlockContainer"] {padding: 2.5rem 2rem 2rem 2rem; max-width: 100%;}
[data-testid="stMainBlockContainer"] h1 {padding-top: 0; padding-bottom: .25rem;}
[data-testid="stSidebarHeader"] {height: 2.5rem; margin-bottom: 0;}
[data-testid="stMetricValue"] {font-size: 1.9rem;}
</style>
"""

# The projector view: no sidebar or header, large type sized by the viewport, readable from
# 1280×720 to 1920×1080 (``.st-key-slide`` is the slide container's public key class).
PROJECTOR_CSS = """<style>
[data-testid="stSidebar"], [data-testid="stHeader"] {display: none;}
.block-container {padding-top: 1.5rem; max-width: 100%;}
.st-key-slide h1 {font-size: clamp(2rem, 4.2vw, 4.5rem); line-height: 1.1;}
.st-key-slide p, .st-key-slide li {font-size: clamp(1.25rem, 2.1vw, 2.4rem); line-height: 1.3;}
.st-key-slide [data-testid="stMetricValue"] {font-size: clamp(2.5rem, 5vw, 5.5rem);}
.st-key-slide [data-testid="stMetricLabel"] p {font-size: clamp(1rem, 1.6vw, 1.8rem);}
</style>"""
