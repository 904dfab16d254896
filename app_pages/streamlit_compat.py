"""Streamlit internals the dashboard depends on, kept in one place. Each function checks that
the internal it relies on is still there (Streamlit is pinned in the lock files), so an
upgrade that moves it fails at start-up instead of silently losing the protection."""

from __future__ import annotations

import logging

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
