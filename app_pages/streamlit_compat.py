"""Everything that leans on Streamlit beyond its public API, in one place.

Each item here can break with a Streamlit release: the client context that holds the
browser's TCP peer, the ``data-testid`` names the dashboard's CSS targets, and the
``clear_cache`` handler that is switched off (that function checks itself at start-up).
They were checked against the versions in ``KNOWN_STREAMLIT``;
``tests/app_pages/test_streamlit_compat.py`` fails on any other version, so an upgrade means
looking at this module first (pyproject caps Streamlit below 2).
"""

from __future__ import annotations

import logging

import streamlit as st

_LOG = logging.getLogger(__name__)


def refuse_client_cache_clearing() -> None:
    """Ignore the ``clear_cache`` message any browser may send over the websocket.

    Streamlit answers it by clearing every ``st.cache_data`` and ``st.cache_resource`` of the
    process, for all sessions, and has no setting to turn that off; ``client.toolbarMode =
    "minimal"`` only hides the menu item and the "c" key. Our caches hold the results every
    visitor shares and are keyed by the data version, so they never need clearing by hand:
    an anonymous visitor must not be able to make every page slow for everyone."""
    from streamlit.runtime.app_session import AppSession

    current = getattr(AppSession, "_handle_clear_cache_request", None)
    if current is None:
        raise RuntimeError("streamlit.runtime.app_session.AppSession has no "
                           "_handle_clear_cache_request any more: check how this Streamlit "
                           "version handles the clear_cache BackMsg before upgrading")
    if getattr(current, "refused", False):
        return

    def ignore(self: AppSession) -> None:
        _LOG.warning("clear_cache message from a client ignored (session %s)", self.id)

    ignore.refused = True  # type: ignore[attr-defined]
    AppSession._handle_clear_cache_request = ignore  # type: ignore[method-assign]


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

# -- phone layout (issue 20.3; one block, kept apart for easy merging) ------------------------
# At phone width (Streamlit stacks columns below 640 px) a row of key figures stays one
# compact line instead of a screen of tiles, so the map follows right below; the page's
# padding shrinks. Rows holding a map (Karte: map and cell panel) stack as before.
PHONE_CSS = """
<style>
@media (max-width: 640px) {
  [data-testid="stMainBlockContainer"] {padding: 2.75rem .75rem 1.5rem .75rem;}
  [data-testid="stMainBlockContainer"] h1 {font-size: 2rem;}
  [data-testid="stHorizontalBlock"]:has([data-testid="stMetric"]):not(:has(iframe)) {
    flex-wrap: nowrap; gap: .35rem;
  }
  [data-testid="stHorizontalBlock"]:has([data-testid="stMetric"]):not(:has(iframe))
      > [data-testid="stColumn"] {
    width: auto !important; min-width: 0 !important; flex: 1 1 0 !important;
  }
  [data-testid="stMetric"] {padding: 0;}
  [data-testid="stMetricLabel"], [data-testid="stMetricLabel"] div,
  [data-testid="stMetricLabel"] p {
    font-size: .7rem; white-space: nowrap; overflow: hidden; text-overflow: ellipsis;
    min-height: 0; min-width: 0; max-width: 100%;
  }
  [data-testid="stMetricLabel"] p {display: block;}
  [data-testid="stMetricValue"] {font-size: 1.15rem;}
  [data-testid="stMetricDelta"] {font-size: .6rem; padding: 0 .2rem;}
  [data-testid="stMetricDelta"] svg {display: none;}
}
</style>
"""

# The projector view: the deck fills the window below its two links; no sidebar or header.
PROJECTOR_CSS = """<style>
[data-testid="stSidebar"], [data-testid="stHeader"] {display: none;}
.block-container {padding: .5rem 1rem 0; max-width: 100%;}
[data-testid="stIFrame"], iframe[title="st.iframe"] {height: calc(100vh - 6rem) !important;
  width: 100%;}
</style>"""
