"""The Streamlit internals the dashboard leans on (app_pages/streamlit_compat.py) still exist:
these tests fail on a Streamlit version the module was not checked against, and name what
moved where it did."""

from __future__ import annotations

import re
from pathlib import Path

import streamlit as st

from app_pages import streamlit_compat

FRONTEND = Path(st.__file__).parent / "static" / "static" / "js"


def test_the_installed_streamlit_is_a_version_the_compat_module_knows():
    assert streamlit_compat.version_known(), (
        f"Streamlit {st.__version__} is not in KNOWN_STREAMLIT "
        f"{streamlit_compat.KNOWN_STREAMLIT}: check app_pages/streamlit_compat.py against it "
        "(client context, data-testid names), then add the version")


def test_the_css_targets_exist_in_streamlits_front_end():
    used = set(re.findall(r'data-testid="(\w+)"', streamlit_compat.DASHBOARD_CSS
                          + streamlit_compat.PHONE_CSS + streamlit_compat.PROJECTOR_CSS))
    assert {"stMainBlockContainer", "stSidebar", "stMetricValue"} <= used
    bundle = "".join(path.read_text("utf-8", errors="ignore") for path in FRONTEND.glob("*.js"))
    missing = sorted(name for name in used if name not in bundle)
    assert not missing, f"Streamlit's front end has no data-testid {missing}"
    assert "block-container" in bundle


def test_the_client_context_still_carries_the_peer_address():
    from streamlit.runtime import Runtime
    from streamlit.runtime.session_manager import SessionClient

    assert callable(getattr(Runtime, "get_client", None))
    assert "client_context" in dir(SessionClient)
    from streamlit.web.server.starlette import starlette_websocket

    source = Path(starlette_websocket.__file__).read_text("utf-8")
    assert "remote_ip" in source, "the websocket no longer records the peer as remote_ip"
