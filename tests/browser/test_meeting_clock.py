"""One clock, in Chromium: a demo store built weeks ago (its reports end 40 days back) gets a
partner file with reports after the demo's end; Redaktion plans a session, and the agenda's
period runs from the previous session up to yesterday (the real date) and counts the
imported reports."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from config.clock import today as real_today
from tests.helpers import (
    CHROMIUM,
    CHROMIUM_FLAGS,
    dashboard_server,
    require_chromium,
    shipped_geography,
)

pytestmark = pytest.mark.browser
PASSWORD = "ein-langes-testpasswort-42"
IMPORTED = 25


def _police_file(path, day) -> None:
    """A police export in its own format: IMPORTED reports on Eisenbahnstraße, one a day
    back from ``day``."""
    lines = ["Vorgangsnummer;Tatzeit;Tatort;Delikt;Sachverhalt;Rechtswert;Hochwert"]
    for k in range(IMPORTED):
        when = day - timedelta(days=1 + k % 20)
        lines.append(f"VG-NEU-{k:04d};{when:%d.%m.%Y} 2{k % 4}:15;Eisenbahnstraße {10 + k};"
                     "Ruhestörung;Lärm aus Lokal;;")
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("cp1252"))


def test_imported_reports_after_the_demo_count_in_the_agendas_period(tmp_path):
    require_chromium()
    from playwright.sync_api import sync_playwright

    from demo import build_demo
    from reports.coordination.meetings import german_date
    from reports.ingest.pipeline import import_file
    from reports.privacy.access import Role
    from reports.privacy.auth import add_user
    from reports.storage.query import ReportFilter
    from reports.storage.store import Store

    today = real_today()
    url = f"sqlite:///{tmp_path / 'clock.sqlite'}"
    store = Store.open(url)
    geography = shipped_geography()
    build_demo(store, geography, rows=2000, workdir=tmp_path / "work",
               end=today - timedelta(days=40))
    add_user(store, "redaktion1", PASSWORD, Role.EDITOR)
    assert store.last_report_day() == today - timedelta(days=40)
    previous = max(store.list_meetings()["held_on"])
    since, until = previous + timedelta(days=1), today - timedelta(days=1)
    demo_only = len(store.load_reports(ReportFilter(since, until)))
    _police_file(tmp_path / "polizei_neu.csv", today)
    result = import_file(store, tmp_path / "polizei_neu.csv", "polizei",
                         geocoder=geography.geocoder, actor="test")
    assert result.imported == IMPORTED, result
    store.close()

    with dashboard_server(url) as base, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        try:
            page.goto(f"{base}/anmelden")
            page.get_by_label("Benutzername").fill("redaktion1")
            page.get_by_label("Passwort").fill(PASSWORD)
            page.get_by_role("button", name="Anmelden").click()
            page.get_by_text("Angemeldet als").wait_for(timeout=90_000)
            page.get_by_role("link", name="Sitzung").first.click()
            page.get_by_role("heading", name="Sitzung").first.wait_for(timeout=90_000)
            page.get_by_text("Sitzungen planen und bearbeiten").click()
            page.locator(".st-key-s_new_title input").fill("Plenum nach dem Import")
            page.get_by_role("button", name="Sitzung planen").click()
            page.get_by_text("Sitzung geplant.").wait_for(timeout=90_000)
            page.get_by_text(re.compile("Nächste Sitzung: .*Plenum nach dem Import")).wait_for(
                timeout=90_000)
            period = f"Betrachteter Zeitraum: {german_date(since)} – {german_date(until)}"
            page.get_by_text(period).first.wait_for(timeout=90_000)
            page.get_by_text(re.compile("Meldungen im Zeitraum, im Zeitraum davor")).first \
                .wait_for(timeout=90_000)
            page.screenshot(path=str(tmp_path / "sitzung.png"), full_page=True)
            text = page.locator("[data-testid='stMain']").inner_text()
        finally:
            browser.close()
    # the situation item states the period's total, which counts the imported reports
    found = re.search(r"([\d.]+) Meldungen im Zeitraum, im Zeitraum davor", text)
    assert found, text[:2000]
    assert int(found.group(1).replace(".", "")) == demo_only + IMPORTED
