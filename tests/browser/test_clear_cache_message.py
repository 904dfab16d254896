"""No visitor can empty the caches every visitor shares: an anonymous websocket client sends
Streamlit's ``clear_cache`` message (as the attack did, loopback only), and the cached
results of another visitor's page are still there; in the browser neither the menu nor the
"c" key offers to clear caches."""

from __future__ import annotations

import asyncio
import re
import time
import urllib.request

import pytest

from tests.helpers import (
    CHROMIUM,
    CHROMIUM_FLAGS,
    dashboard_server,
    demo_database,
    require_chromium,
)

pytestmark = pytest.mark.browser
SHARED_CACHES = ("_all_reports", "frame_for", "_overview")
METRICS_TTL_S = 5.5  # Streamlit recomputes the cache metrics at most every 5 s


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    url = demo_database(tmp_path_factory, "cache_message", rows=2000)
    logs = tmp_path_factory.mktemp("cache_message_logs")
    with dashboard_server(url, log_dir=logs) as address:
        yield address, logs


def cached_entries(base: str) -> dict[str, int]:
    """Entries per ``st.cache_resource`` function, from Streamlit's own metrics endpoint
    (without expensive stats it counts entries, not bytes)."""
    with urllib.request.urlopen(f"{base}/_stcore/metrics?families=cache_memory_bytes",
                                timeout=10) as answer:
        text = answer.read().decode()
    entries: dict[str, int] = {}
    for line in text.splitlines():
        if match := re.search(r'cache_type="st_cache_resource",cache="[^"]*?([\w]+)"}\s+(\d+)',
                              line):
            entries[match[1]] = entries.get(match[1], 0) + int(match[2])
    return entries


async def visit(base: str, *, clear_cache: bool) -> None:
    """One anonymous session over the websocket: run the default page (Überblick) to its end,
    then optionally send ``clear_cache`` and wait until the server has handled it."""
    import websockets
    from streamlit.proto.BackMsg_pb2 import BackMsg
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    uri = base.replace("http://", "ws://") + "/_stcore/stream"
    async with websockets.connect(uri, subprotocols=["streamlit"], max_size=None,
                                  open_timeout=30) as ws:
        rerun = BackMsg()
        rerun.rerun_script.query_string = ""
        await ws.send(rerun.SerializeToString())
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            msg = ForwardMsg()
            msg.ParseFromString(await asyncio.wait_for(ws.recv(), 180))
            if msg.WhichOneof("type") == "script_finished":
                break
        else:
            pytest.fail("the page run did not finish")
        if clear_cache:
            clear = BackMsg(clear_cache=True)
            await ws.send(clear.SerializeToString())
            heartbeat = BackMsg(app_heartbeat=True)  # answered after clear_cache is handled
            await ws.send(heartbeat.SerializeToString())
            while True:
                msg = ForwardMsg()
                msg.ParseFromString(await asyncio.wait_for(ws.recv(), 60))
                if msg.WhichOneof("type") == "heartbeat_ack":
                    break


def test_an_anonymous_clear_cache_message_leaves_the_shared_caches(server):
    base, logs = server
    asyncio.run(visit(base, clear_cache=False))  # the victim's page fills the caches
    before = cached_entries(base)
    assert all(before.get(name, 0) > 0 for name in SHARED_CACHES), before
    asyncio.run(visit(base, clear_cache=True))  # the attacker
    time.sleep(METRICS_TTL_S)
    after = cached_entries(base)
    for name in SHARED_CACHES:
        assert after.get(name, 0) >= before[name], (name, before, after)
    log = "".join(path.read_text() for path in logs.glob("*.log"))
    assert "clear_cache message from a client ignored" in log  # it arrived and was refused


def test_the_browser_offers_no_cache_clearing(server):
    from playwright.sync_api import sync_playwright

    require_chromium()
    base, _ = server
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS)
        page = browser.new_page(viewport={"width": 1280, "height": 720})
        page.goto(base, wait_until="networkidle")
        page.get_by_role("heading", name="Überblick").wait_for(timeout=120_000)
        page.mouse.click(900, 12)  # focus the page, outside any input
        page.keyboard.press("c")  # Streamlit's shortcut for "Clear caches" in developer mode
        page.wait_for_timeout(500)
        assert page.get_by_test_id("stClearCacheDialog").count() == 0
        menu = page.get_by_test_id("stMainMenu")
        if menu.count() and menu.first.is_visible():  # "minimal" shows no menu at all
            menu.first.click()
            page.wait_for_timeout(300)
            assert "Clear cache" not in page.locator("body").inner_text()
        browser.close()
