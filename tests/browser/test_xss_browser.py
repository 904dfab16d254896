"""End to end in headless Chromium against a real `streamlit run dashboard.py`:

(a) an anonymous session receives no description, address or raw coordinate of a single
    report, neither in the HTML of any frame nor in any websocket message;
(b) XSS payloads stored as descriptions, addresses, file names, concern texts and audit
    details run nowhere: no dialog, no injected element, on every page, in every frame,
    with every map popup opened.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pandas as pd
import pytest

from reports.privacy.access import Role
from reports.privacy.auth import add_user
from reports.storage.audit import record
from reports.storage.schema import annotations, concerns, quarantine
from reports.storage.store import Store
from tests.helpers import CHROMIUM, dashboard_server, require_chromium
from tests.privacy_sample import SECRET, leaks, sample_reports, xss_payloads

pytestmark = pytest.mark.browser
PASSWORD = "ein-langes-passwort"
IDLE = '[data-testid="stApp"][data-test-script-state="notRunning"]'
# Opens every marker popup of every folium map in a frame (Leaflet builds popup DOM only
# when a popup opens); returns how many were opened.
OPEN_POPUPS = """() => {
  if (typeof L === "undefined") return 0;
  let maps = [], groups = [], opened = 0;
  for (const key of Object.keys(window)) {
    let v; try { v = window[key]; } catch (e) { continue; }
    if (v instanceof L.Map) maps.push(v);
    else if (v && typeof v.getLayers === "function") groups.push(v);
  }
  if (!maps.length) return 0;
  const show = (layer) => {
    const popup = layer.getPopup && layer.getPopup();
    if (!popup || !layer.getLatLng) return;
    L.popup({autoClose: false, closeOnClick: false}).setLatLng(layer.getLatLng())
      .setContent(popup.getContent()).openOn(maps[0]);
    opened += 1;
  };
  groups.forEach(g => g.getLayers().forEach(show));
  maps.forEach(m => m.eachLayer(show));
  return opened;
}"""


@pytest.fixture(scope="module")
def chromium():
    require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                    args=["--no-sandbox", "--disable-gpu"])
        yield browser
        browser.close()


class Session:
    """One browser tab that records websocket messages and dialogs."""

    def __init__(self, browser):
        self.context = browser.new_context()
        self.page = self.context.new_page()
        self.frames: list[bytes] = []
        self.dialogs: list[str] = []
        self.page.on("websocket", lambda ws: ws.on("framereceived", self._frame))
        self.page.on("dialog", self._dialog)
        self.requests: list[str] = []
        self.page.on("request", lambda r: self.requests.append(r.url))

    def _frame(self, payload) -> None:
        self.frames.append(payload if isinstance(payload, bytes) else payload.encode())

    def _dialog(self, dialog) -> None:
        self.dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    def idle(self) -> None:
        self.page.wait_for_timeout(400)
        self.page.wait_for_selector(IDLE, timeout=120_000)
        self.page.wait_for_timeout(1500)  # components (the map iframe) render after the run

    def html(self) -> bytes:
        return b"".join(f.content().encode() for f in self.page.frames)

    def nav_links(self) -> list[tuple[str, str]]:
        links = self.page.locator('[data-testid="stSidebarNav"] a')
        return [(links.nth(i).get_attribute("href"), links.nth(i).inner_text().split("\n")[-1])
                for i in range(links.count())]

    def open_page(self, title: str) -> None:
        """Client-side navigation (keeps the log-in, unlike loading a URL)."""
        link = self.page.get_by_role("link", name=title, exact=True).first
        if not link.is_visible():  # the projector view hides the sidebar
            self.page.get_by_role("link", name="Präsentation beenden").click()
            self.idle()
        link.click()
        self.idle()

    def log_in(self, username: str) -> None:
        self.open_page("Anmelden")
        self.page.get_by_label("Benutzername").fill(username)
        self.page.get_by_label("Passwort").fill(PASSWORD)
        self.page.get_by_role("button", name="Anmelden").click()
        self.idle()
        assert self.page.get_by_text("Angemeldet als").count() == 1

    def add_layer(self, label: str) -> None:
        """On the map page: open the layer settings and add the layer ``label``."""
        settings = self.page.get_by_text("Kartenebenen und Raster")
        layers = self.page.locator('[data-testid="stMain"] [data-testid="stMultiSelect"]').first
        for _ in range(3):  # a busy machine may swallow the keys while the page reruns
            if not layers.is_visible():
                settings.click()
                layers.wait_for(state="visible", timeout=30_000)
            layers.locator("input").click()
            self.page.keyboard.type(label)
            self.page.keyboard.press("Enter")
            self.page.locator("h1").first.click()  # close the drop-down
            self.idle()
            if layers.get_by_text(label, exact=True).count():
                return
        raise AssertionError(f"the layer {label} could not be added")

    def show_markers(self) -> int:
        """On the map page: add the single-report layer, open all popups."""
        self.add_layer("Einzelmeldungen")
        opened = 0
        for _ in range(30):  # the redrawn map arrives in a new frame, after the rerun
            for frame in self.page.frames:
                try:
                    frame.wait_for_function("() => typeof L !== 'undefined'", timeout=1000)
                except Exception:  # a frame without Leaflet
                    continue
                opened += frame.evaluate(OPEN_POPUPS)
            if opened:
                break
            self.page.wait_for_timeout(1000)
        self.page.wait_for_timeout(1000)  # let injected handlers (onerror, onload) fire
        return opened

    def injected(self) -> list[str]:
        found = []
        for frame in self.page.frames:
            n = frame.locator('[id^="xss"], [id^="XSS"]').count()
            if n:
                found.append(f"{n} injected elements in {frame.url[:80]}")
        return found


def _store(path: Path, frame: pd.DataFrame) -> Store:
    store = Store.open(f"sqlite:///{path}")
    with store.transaction() as conn:
        store.upsert_reports(frame, conn)
    add_user(store, "mitglied", PASSWORD, Role.MEMBER)
    add_user(store, "chefin", PASSWORD, Role.ADMIN)
    return store


def test_anonymous_session_receives_no_single_report(chromium, tmp_path):
    frame = sample_reports(unresolved=2)
    store = _store(tmp_path / "store.sqlite", frame)
    with dashboard_server(store.url) as base:
        anon = Session(chromium)
        anon.page.goto(base)
        anon.idle()
        links = anon.nav_links()
        titles = [title for _, title in links]
        assert {"Überblick", "Karte", "Trends", "Anmelden"} <= set(titles)
        assert "Admin" not in titles
        html = b""
        for href, _ in links:
            anon.page.goto(href)
            anon.idle()
            html += anon.html()
        assert len(anon.frames) > len(links) and b"leaflet" in html.lower()
        assert leaks(html, frame) == []
        assert leaks(b"".join(anon.frames), frame) == []
        # no third party learns who looks at the dashboard (no CDN, fonts, tiles by default)
        external = sorted({u for u in anon.requests
                           if not u.startswith((base, "data:", "blob:", "about:"))})
        assert external == []
        anon.context.close()

        # the same scan finds what a member is allowed to see: the check itself works
        member = Session(chromium)
        member.page.goto(base)
        member.idle()
        member.log_in("mitglied")
        member.open_page("Karte")
        assert member.show_markers() > 0
        found = leaks(member.html() + b"".join(member.frames), frame)
        assert any(SECRET in f for f in found) and any("Koordinaten" in f for f in found)
        member.context.close()


def test_xss_payloads_execute_nowhere(chromium, tmp_path):
    payloads = xss_payloads()
    assert len(payloads) >= 50
    one = sample_reports(unresolved=2)
    two = one.assign(id=one["id"] + "x", source_ref=one["source_ref"] + "x")
    frame = pd.concat([one, two], ignore_index=True)
    frame["description"] = [payloads[k % len(payloads)] for k in range(len(frame))]
    frame["address"] = [payloads[(k + 30) % len(payloads)] for k in range(len(frame))]
    frame = frame.astype(one.dtypes.to_dict())
    store = _store(tmp_path / "store.sqlite", frame)
    now = int(time.time())
    with store.transaction() as conn:
        for k, payload in enumerate(payloads):
            conn.execute(quarantine.insert().values(
                batch_id="b", file_name=payload, source="polizei", row_number=k + 1,
                field=payload[:80], message=f"Zeile {k + 1}: {payload}",
                raw=json.dumps({payload: payload}), created_at=now))
            conn.execute(concerns.insert().values(
                created_at=now, topic="umwelt", description=payload, address=payload,
                geocode_status="unresolved", contact=payload, status="new", session_key="s"))
            record(store, payload[:80], "test", {"text": payload}, conn=conn)
        conn.execute(annotations.insert().values(starts_on=pd.Timestamp.now().date(),
                                                 kind="event", label=payloads[1]))
        store.bump_version(conn)
    with dashboard_server(store.url) as base:
        admin = Session(chromium)
        admin.page.goto(base)
        admin.idle()
        admin.log_in("chefin")
        titles = [title for _, title in admin.nav_links()]
        assert "Admin" in titles or "Verwaltung" in titles
        visited, popups, map_html = [], 0, ""
        for title in titles:
            admin.open_page(title)
            if title == "Karte":
                popups = admin.show_markers()
                map_html = admin.html().decode(errors="replace")
            visited.append(title)
            assert admin.dialogs == [], (title, admin.dialogs)
            assert admin.injected() == [], title
            errors = admin.page.locator('[data-testid="stException"]')
            assert errors.count() == 0, (title, errors.all_inner_texts()[:1])
        # the payloads were really on screen, as text, in the opened popups
        assert popups >= 60
        assert '&lt;img id="xss-2" src=x onerror=alert(2)&gt;' in map_html
        assert "&lt;script&gt;alert('xss-1')&lt;/script&gt;" in map_html
        admin.context.close()
