"""Issue 14 end to end in Debian's Chromium: a coordinator uploads a police export nobody
wrote a mapping for, maps an unknown category in the page, saves the mapping as a profile,
imports, corrects two quarantined rows in the table, and a second import changes nothing."""

from __future__ import annotations

import re

import pytest

from tests.browser.test_browser import ARTIFACTS
from tests.helpers import CHROMIUM, CHROMIUM_FLAGS, dashboard_server, require_chromium

EDITOR = ("redaktion1", "ein-langes-testpasswort-42")
FILE = ("Vorgangsnr;Datum;Uhrzeit;Adresse;Kategorie;Beschreibung;Anzahl;Breite;Länge\n"
        "P-1;24.11.2025;18:30;Eisenbahnstraße 40;BtM-Handel;Übergabe;1;51,345742;12,398667\n"
        "P-2;25.11.2025;07:05;Torgauer Straße 10;Fahrradleichen;drei Räder;1;;\n"
        "P-3;26.11.2025;25:99;Konradstraße 30;Raub;Handy;1;;\n"
        "P-4;27.11.2025;99:10;Ludwigstraße 20;Ruhestörung;Musik;1;;\n"
        "P-5;28.11.2025;21:00;Rabet;Ruhestörung;Gruppe;1;;\n").encode("cp1252")

pytestmark = pytest.mark.browser


@pytest.fixture
def server(tmp_path):
    require_chromium()
    from reports.privacy.access import Role
    from reports.privacy.auth import add_user
    from reports.storage.store import Store

    url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    store = Store.open(url)
    add_user(store, EDITOR[0], EDITOR[1], Role.EDITOR)
    store.close()
    with dashboard_server(url, tmp_path) as address:
        yield address, url, tmp_path


def _edit_cell(page, grid, row: int, column: int, value: str) -> None:
    """Type into one cell of the data editor (a canvas): select the first cell, walk there
    with the arrow keys, type, commit with Enter."""
    box = grid.bounding_box()
    page.mouse.click(box["x"] + 30, box["y"] + 35 + 17)  # select the first cell
    page.wait_for_timeout(300)
    for _ in range(row):
        page.keyboard.press("ArrowDown")
    for _ in range(column):
        page.keyboard.press("ArrowRight")
    page.keyboard.press("Enter")  # open the cell's editor
    page.wait_for_timeout(300)
    page.keyboard.press("Control+A")
    page.keyboard.type(value, delay=50)
    page.keyboard.press("Enter")  # commit
    page.wait_for_timeout(1500)  # the edit reruns the page
    page.keyboard.press("Escape")


def test_upload_map_save_import_correct_reimport(server):
    from playwright.sync_api import sync_playwright

    base, url, tmp_path = server
    upload_file = tmp_path / "vorgaenge.csv"
    upload_file.write_bytes(FILE)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    args = CHROMIUM_FLAGS
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=args)
        page = browser.new_page(viewport={"width": 1400, "height": 1200})
        try:
            page.goto(base)
            page.get_by_role("link", name="Anmelden").click()
            page.get_by_label("Benutzername").fill(EDITOR[0])
            page.get_by_label("Passwort").fill(EDITOR[1])
            page.get_by_role("button", name="Anmelden").click()
            page.get_by_text("Angemeldet als").wait_for(timeout=60_000)
            page.get_by_role("link", name="Daten").click()
            page.get_by_role("heading", name="Import").wait_for(timeout=60_000)
            page.get_by_label("Quelle (Partner)").click()
            page.get_by_role("option", name="Polizei").click()
            page.wait_for_timeout(2000)
            page.locator("[data-testid='stFileUploaderDropzoneInput']").first.set_input_files(
                str(upload_file))
            page.get_by_text("Spaltenzuordnung").wait_for(timeout=60_000)
            page.get_by_text("Zeichenkodierung Windows-1252").wait_for(timeout=60_000)

            box = page.locator("[data-testid='stSelectbox']").filter(has_text="Fahrradleichen")
            box.scroll_into_view_if_needed()
            box.locator("input").click()
            page.keyboard.type("illegale M")
            page.keyboard.press("Enter")
            page.wait_for_timeout(1000)
            page.get_by_role("button", name="Zuordnung als Profil speichern").click()
            page.get_by_text(re.compile(r"gespeichert \(Version 1\)")).wait_for(timeout=60_000)

            page.get_by_role("button", name="Importieren", exact=True).click()
            page.get_by_text("3 neu, 0 aktualisiert, 0 doppelt, 2 abgelehnt (von 5)").wait_for(
                timeout=60_000)
            page.screenshot(path=str(ARTIFACTS / "import_quarantaene.png"), full_page=True)

            grid = page.locator("[data-testid='stDataFrame']").last
            grid.wait_for(timeout=60_000)
            grid.scroll_into_view_if_needed()
            page.wait_for_timeout(1500)
            box = grid.bounding_box()  # a first click only focuses the canvas: use another cell
            page.mouse.click(box["x"] + 30, box["y"] + 35 + 35 + 17)
            page.wait_for_timeout(300)
            _edit_cell(page, grid, 0, 2, "15:30")
            _edit_cell(page, grid, 1, 2, "16:45")
            page.wait_for_timeout(1000)
            page.get_by_role("button", name="Korrigierte Zeilen importieren").click()
            page.get_by_text("2 korrigierte Zeilen übernommen, 0 weiterhin fehlerhaft.").wait_for(
                timeout=60_000)
            page.get_by_text("Keine offenen Zeilen in der Quarantäne.").wait_for(timeout=60_000)

            page.get_by_role("button", name="Importieren", exact=True).click()
            page.get_by_text("0 neu, 0 aktualisiert, 3 doppelt, 2 abgelehnt (von 5)").wait_for(
                timeout=60_000)
            page.get_by_text("Keine offenen Zeilen in der Quarantäne.").wait_for(timeout=60_000)
            page.screenshot(path=str(ARTIFACTS / "import_zweimal.png"), full_page=True)
        except Exception:
            page.keyboard.press("End")
            page.screenshot(path=str(ARTIFACTS / "import_fehler.png"), full_page=True)
            raise
        finally:
            browser.close()
    from reports.storage.profiles import latest_profile
    from reports.storage.store import Store

    store = Store.open(url)
    try:
        reports = store.load_reports().set_index("source_ref")
        assert sorted(reports.index) == ["P-1", "P-2", "P-3", "P-4", "P-5"]
        assert reports.loc["P-3", "occurred_at"].strftime("%H:%M") == "15:30"
        assert reports.loc["P-4", "occurred_at"].strftime("%H:%M") == "16:45"
        assert reports.loc["P-2", "category"] == "illegale_muellablagerung"
        assert store.list_quarantine().empty
        assert latest_profile(store, "polizei")[0] == 1
    finally:
        store.close()
