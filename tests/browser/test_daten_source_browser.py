"""Import safety on the Daten page in Chromium (issue 20.6): switching the source discards
the uploaded file (a police export is never previewed or imported as Stadtreinigung), the
summary names rough placements and rows without a time of day, and a typed date applies
on Enter."""

from __future__ import annotations

import re

import pytest

from tests.browser.test_browser import ARTIFACTS
from tests.browser.test_import_workflow import EDITOR, server  # noqa: F401
from tests.helpers import CHROMIUM, CHROMIUM_FLAGS

pytestmark = pytest.mark.browser
FILE = ("Vorgangsnummer;Tatzeit;Delikt;Tatort;Sachverhalt;Rechtswert;Hochwert\n"
        "P-1;24.11.2025 18:30;BtM-Handel;Eisenbahnstraße 40;;;\n"
        "P-2;24.11.2025;Raub;Ludwigstraße 999;;;\n").encode("cp1252")
ARGS = CHROMIUM_FLAGS


def _choose_source(page, name: str) -> None:
    page.get_by_label("Quelle (Partner)").click()
    page.get_by_role("option", name=name, exact=True).click()
    page.wait_for_timeout(1500)


def test_source_switch_discards_the_file_and_the_summary_names_rough_rows(server):  # noqa: F811
    from playwright.sync_api import sync_playwright

    from reports.storage.store import Store

    base, url, tmp_path = server
    upload_file = tmp_path / "polizei_2025-11.csv"
    upload_file.write_bytes(FILE)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(viewport={"width": 1600, "height": 1000})
        try:
            page.goto(f"{base}/anmelden")
            page.get_by_label("Benutzername").fill(EDITOR[0])
            page.get_by_label("Passwort").fill(EDITOR[1])
            page.get_by_role("button", name="Anmelden").click()
            page.get_by_text("Angemeldet als").wait_for(timeout=60_000)
            page.get_by_role("link", name="Daten").click()
            page.get_by_role("heading", name="Import").wait_for(timeout=60_000)
            _choose_source(page, "Polizei")
            page.locator("[data-testid='stFileUploaderDropzoneInput']").first.set_input_files(
                str(upload_file))
            page.get_by_text("Spaltenzuordnung").wait_for(timeout=60_000)
            page.get_by_text("polizei_2025-11.csv").first.wait_for(timeout=60_000)

            _choose_source(page, "Stadtreinigung")
            page.get_by_text("wurde verworfen").wait_for(timeout=60_000)
            page.screenshot(path=str(ARTIFACTS / "daten_quelle_gewechselt.png"))
            assert page.get_by_text("Spaltenzuordnung").count() == 0
            assert page.get_by_role("button", name="Importieren", exact=True).count() == 0
            assert page.get_by_text("polizei_2025-11.csv").count() == 1  # only the notice
            _choose_source(page, "Polizei")
            assert page.get_by_text("Spaltenzuordnung").count() == 0  # not kept either
            assert Store.open(url).count_reports() == 0

            page.locator("[data-testid='stFileUploaderDropzoneInput']").first.set_input_files(
                str(upload_file))
            page.get_by_role("button", name="Importieren", exact=True).click()
            page.get_by_text("2 neu, 0 aktualisiert, 0 doppelt, 0 abgelehnt (von 2)").wait_for(
                timeout=60_000)
            page.get_by_text("1 Zeile nur ungefähr verortet").wait_for(timeout=60_000)
            page.get_by_text(re.compile(r"1 Zeile ohne Uhrzeit .* Zeilen: 3\.")).wait_for(
                timeout=60_000)
            page.screenshot(path=str(ARTIFACTS / "daten_zusammenfassung.png"), full_page=True)

            # the free period's "Von" applies on Enter, without leaving the field
            page.get_by_label("Zeitraum").click()
            page.get_by_role("option", name="freier Zeitraum").click()
            day = page.locator("[data-testid='stSidebar'] [data-testid='stDateInput'] "
                               "[data-type='day']").first
            day.wait_for(timeout=60_000)
            day.click()
            page.keyboard.type("01022025", delay=50)  # day, month, year segments in turn
            page.keyboard.press("Enter")
            try:
                page.wait_for_url(re.compile(r"von=2025-02-01"), timeout=30_000)
            except Exception:
                html = page.locator("[data-testid='stSidebar'] [data-testid='stDateInput']"
                                    ).first.inner_html()
                raise AssertionError(f"{page.url} {html[:3000]}") from None
        except Exception:
            page.screenshot(path=str(ARTIFACTS / "daten_quelle_fehler.png"), full_page=True)
            raise
        finally:
            browser.close()
    store = Store.open(url)
    try:
        assert set(store.load_reports()["source"]) == {"polizei"}
    finally:
        store.close()
