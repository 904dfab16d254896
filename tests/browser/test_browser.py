"""End to end: `streamlit run` on a demo store, every page in headless Debian Chromium, and no
request to any host but the dashboard's own."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlparse

import pytest

from config.paths import PROJECT_DIR
from tests.helpers import CHROMIUM, dashboard_server, demo_database, require_chromium

ROOT = PROJECT_DIR
ARTIFACTS = ROOT / "test-artifacts"
PAGES = {"": "Überblick", "karte": "Karte", "trends": "Trends", "sitzung": "Sitzung",
         "daten": "Daten"}
MAP_PAGES = {"", "karte"}
EDITOR = ("redaktion1", "ein-langes-testpasswort-42")
ALL_TIME = "zeit=frei&von=2020-01-01&bis=2030-12-31"
CHART_PAGES = {"", "trends"}

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    require_chromium()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)  # shared by parallel workers: never emptied
    url = demo_database(tmp_path_factory, "e2e", users=((*EDITOR, "redaktion"),))
    with dashboard_server(url) as address:
        yield address, url


def test_every_page_renders_without_third_party_requests(server):
    from playwright.sync_api import sync_playwright

    server, _ = server
    requested: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.on("request", lambda r: requested.append(r.url))
        page.on("websocket", lambda ws: requested.append(ws.url))
        for path, title in PAGES.items():
            page.goto(f"{server}/{path}?zeit=365")
            page.get_by_role("heading", name=title).first.wait_for(timeout=60_000)
            if path in MAP_PAGES:
                frame = page.frame_locator("iframe[title*='streamlit_folium']").first
                frame.locator(".leaflet-container").first.wait_for(timeout=60_000)
                drawn = ".leaflet-overlay-pane canvas, .leaflet-overlay-pane img"
                frame.locator(drawn).first.wait_for(state="attached", timeout=60_000)
                # The offline basemap: tiles of static/tiles/ from the dashboard's own host.
                tile = frame.locator(".leaflet-tile-pane img.leaflet-tile-loaded").first
                tile.wait_for(state="attached", timeout=60_000)
                assert "/app/static/tiles/" in tile.get_attribute("src")
            if path in CHART_PAGES:
                page.locator(".vega-embed").first.wait_for(timeout=60_000)
            page.wait_for_timeout(1500)
            assert page.locator("[data-testid='stException']").count() == 0, path
            page.screenshot(path=str(ARTIFACTS / f"{path or 'ueberblick'}.png"), full_page=True)
        browser.close()
    hosts = {urlparse(u).hostname for u in requested if urlparse(u).scheme not in ("data", "blob")}
    assert hosts <= {"127.0.0.1", "localhost"}, f"third-party requests: {hosts}"
    assert any("/app/static/vendor/leaflet/leaflet.js" in u for u in requested)
    assert any("/app/static/tiles/" in u for u in requested)


def test_editor_places_an_unresolved_report_by_clicking_the_map(server):
    from playwright.sync_api import sync_playwright

    from reports.storage.store import Store

    base, url = server
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        try:
            page.goto(f"{base}/?{ALL_TIME}")  # filter from the URL, kept in the session
            page.get_by_role("heading", name="Überblick").first.wait_for(timeout=60_000)
            # the URL's period, widened to whole weeks for the public
            page.get_by_text("30.12.2019 – 05.01.2031 (ganze Wochen)", exact=True).wait_for(
                timeout=60_000)
            page.get_by_role("link", name="Anmelden").click()
            page.get_by_label("Benutzername").fill(EDITOR[0])
            page.get_by_label("Passwort").fill(EDITOR[1])
            page.get_by_role("button", name="Anmelden").click()
            page.get_by_text("Angemeldet als").wait_for(timeout=60_000)
            page.get_by_role("link", name="Karte").click()  # same session, same filter
            heading = page.get_by_text(re.compile(r"Nicht platzierte Meldungen \(\d+\)")).first
            heading.wait_for(timeout=120_000)  # the editor's first map is built uncached
            unplaced = int(re.search(r"\((\d+)\)", heading.inner_text()).group(1))
            frame = page.frame_locator("iframe[title*='streamlit_folium']").first
            container = frame.locator(".leaflet-container").first
            container.wait_for(timeout=60_000)
            box = container.bounding_box()
            container.click(position={"x": box["width"] / 2, "y": box["height"] / 2})
            page.get_by_text("Gewählter Punkt").wait_for(timeout=60_000)
            page.get_by_role("button", name="Hier platzieren").click()
            page.get_by_text(re.compile(r"Meldung \w+ von Hand platziert")).wait_for(timeout=60_000)
            page.get_by_text(f"Nicht platzierte Meldungen ({unplaced - 1})").wait_for(
                timeout=60_000)
            page.screenshot(path=str(ARTIFACTS / "karte_platzieren.png"), full_page=True)

            page.get_by_role("link", name="Daten").click()
            page.get_by_role("heading", name="Import").wait_for(timeout=60_000)
            page.get_by_label("Quelle (Partner)").click()
            page.get_by_role("option", name="Polizei").click()
            page.wait_for_timeout(2000)  # let the rerun for the new source finish
            page.get_by_text("Zeilen aus").first.wait_for(timeout=60_000)  # page drawn
            page.wait_for_timeout(2000)
            upload = page.locator("[data-testid='stFileUploaderDropzoneInput']").first
            upload.set_input_files(files=[{"name": "kaputt.xlsx", "mimeType": "application/zip",
                                           "buffer": b"PK\x03\x04 not really a zip"}])
            page.get_by_text("Die Datei „kaputt.xlsx“ ist beschädigt").wait_for(timeout=60_000)
            assert page.locator("[data-testid='stException']").count() == 0
            export = next(Path(url.removeprefix("sqlite:///")).parent.glob("work/polizei*.csv"))
            page.locator("[data-testid='stFileUploaderDropzoneInput']").first.set_input_files(
                str(export))
            page.get_by_text("Spaltenzuordnung").wait_for(timeout=60_000)
            page.get_by_role("button", name="Importieren", exact=True).click()
            page.get_by_text(re.compile(r"0 neu, 0 aktualisiert, \d+ doppelt")).wait_for(
                timeout=60_000)
            page.screenshot(path=str(ARTIFACTS / "daten_import.png"), full_page=True)
        except Exception:
            page.screenshot(path=str(ARTIFACTS / "redaktion_fehler.png"), full_page=True)
            raise
        finally:
            browser.close()
    store = Store.open(url)
    placed = store.load_reports()
    manual = placed[placed["geocode_status"] == "manual"]
    assert len(manual) == 1 and manual["ortsteil"].notna().all()
    from reports.storage.audit import list_audit

    assert len(list_audit(store, action="manual_placement")) == 1
    store.close()
