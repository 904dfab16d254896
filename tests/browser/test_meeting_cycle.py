"""The meeting cycle in Chromium: Redaktion plans a session, a public Anliegen goes onto its
agenda, the agenda shows it with hot street sections and due measures, the projector view
steps through it by keyboard, and the handout downloads as an A4 PDF with the page's numbers.
"""

from __future__ import annotations

import io
import re

import pytest
from pypdf import PdfReader

from tests.browser.test_anliegen_browser import submit_concern
from tests.browser.test_browser import ARTIFACTS, EDITOR, server  # noqa: F401
from tests.helpers import CHROMIUM, CHROMIUM_FLAGS

pytestmark = pytest.mark.browser
A4_PT = (595.28, 841.89)
CONCERN = "Seit Wochen Sperrmüll vor dem Haus, niemand holt ihn ab"


def _wait(page, text, timeout=90_000):
    page.get_by_text(text).first.wait_for(timeout=timeout)


def _submit_public_concern(page, base: str) -> None:
    submit_concern(page, base, CONCERN, address="Eisenbahnstraße 50")


def _log_in(page) -> None:
    page.get_by_role("link", name="Anmelden").click()
    page.get_by_label("Benutzername").fill(EDITOR[0])
    page.get_by_label("Passwort").fill(EDITOR[1])
    page.get_by_role("button", name="Anmelden").click()
    _wait(page, "Angemeldet als")


def _add_new_cluster(url: str) -> None:
    """30 reports on Eisenbahnstraße in the demo's last two weeks: a new hot spot that the
    sparse test demo would not have by itself."""
    import numpy as np
    import pandas as pd

    from geo.gazetteer import street_lines
    from reports.storage.store import Store
    from tests.helpers import reports_at

    store = Store.open(url)
    end = store.last_report_day()
    streets = street_lines()
    point = streets[streets["name"] == "Eisenbahnstraße"].geometry.iloc[0].interpolate(
        0.7, normalized=True)
    rng = np.random.default_rng(2)
    times = pd.Timestamp(end, tz="Europe/Berlin") - pd.to_timedelta(rng.uniform(1, 14, 30),
                                                                    unit="D")
    frame = reports_at(point.x + rng.normal(0, 20, 30), point.y + rng.normal(0, 20, 30), times)
    frame["source_ref"] = [f"cycle-{k}" for k in range(30)]
    frame["id"] = [f"cycle{k:011d}" for k in range(30)]
    with store.transaction() as conn:
        store.upsert_reports(frame, conn)
        store.bump_version(conn)
    store.close()


def test_plan_agenda_present_and_hand_out(server, tmp_path):  # noqa: F811
    from playwright.sync_api import sync_playwright

    base, url = server
    _add_new_cluster(url)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
        try:
            _submit_public_concern(page, base)
            _log_in(page)

            # Redaktion plans the next session
            page.get_by_role("link", name="Sitzung").first.click()
            page.get_by_role("heading", name="Sitzung").first.wait_for(timeout=90_000)
            page.get_by_text("Sitzungen planen und bearbeiten").click()
            page.locator(".st-key-s_new_title input").fill("Plenum Dezember")
            page.locator(".st-key-s_new_place input").fill("Stadtteilladen Ost")
            page.locator(".st-key-s_new_time input").fill("18:30")
            page.get_by_role("button", name="Sitzung planen").click()
            _wait(page, "Sitzung geplant.")
            _wait(page, re.compile(r"Nächste Sitzung: .*18:30 Uhr – Plenum Dezember"))

            # the public Anliegen goes onto its agenda from the moderation queue
            page.get_by_role("link", name="Anliegen").first.click()
            _wait(page, "Moderation")
            page.get_by_text(re.compile(r"Nr\. \d+ · ")).first.click()
            page.get_by_role("button", name=re.compile("Auf die Tagesordnung am")).first.click()
            _wait(page, re.compile(r"Anliegen \d+: gespeichert"))
            page.get_by_text(re.compile(r"Nr\. \d+ · ")).first.click()
            page.get_by_role("button", name="Als Meldung übernehmen").first.click()
            _wait(page, re.compile(r"Anliegen \d+: gespeichert"))

            # the agenda shows it, with hot spots by street section and due measures
            page.get_by_role("link", name="Sitzung").first.click()
            _wait(page, re.compile(r"Anliegen Nr\. \d+"))
            _wait(page, CONCERN)
            _wait(page, "Hotspots nach Straßenabschnitt")
            assert page.get_by_text("Wirkung bisher:").count() >= 1, "no measure due"
            texts = page.locator("[data-testid='stText']").all_inner_texts()
            rising = (r"(neuer|weiterhin) Hotspot – deutlich mehr Meldungen: "
                      r"(?:[+−]\d+ %|neu) \(\d+ statt \d+\)")
            hot = [t for t in texts if re.match(rising, t)]
            titles = page.locator("[data-testid='stMarkdownContainer'] strong").all_inner_texts()
            places = [re.sub(r"^\d+\. ", "", t).split(" (")[0] for t in titles
                      if re.search(r"\d+–\d+", t)]
            assert hot and places, "no hot street section on the agenda"
            assert page.locator("[data-testid='stException']").count() == 0
            page.screenshot(path=str(ARTIFACTS / "sitzung_tagesordnung.png"), full_page=True)

            # the handout downloads
            with page.expect_download(timeout=120_000) as download:
                page.get_by_role("button", name=re.compile("Handout als PDF")).click()
            pdf_path = tmp_path / "handout.pdf"
            download.value.save_as(pdf_path)

            # presentation mode: the deck in the page, stepped by keyboard in the browser
            page.get_by_role("link", name="Präsentation für den Beamer starten").click()
            deck = page.frame_locator("iframe").first
            deck.get_by_text(re.compile(r"Folie 1 von \d+")).wait_for(timeout=180_000)
            total = int(re.search(r"Folie 1 von (\d+)", deck.locator("#where").inner_text())
                        .group(1))
            assert total >= 4  # title, situation, concern, hot spot(s), measure(s)
            shown_total = deck.locator(".slide.on .figure .value").first.inner_text()
            frame = page.locator("iframe").first
            for size in ({"width": 1280, "height": 720}, {"width": 1920, "height": 1080},
                         {"width": 1024, "height": 768}):
                page.set_viewport_size(size)
                page.wait_for_timeout(800)
                page.screenshot(path=str(ARTIFACTS / f"praesentation_{size['width']}.png"))
                box = frame.bounding_box()
                assert box["y"] + box["height"] <= size["height"] + 1, box  # nothing cut
                heading = deck.locator(".slide.on h1").first
                assert heading.bounding_box()["height"] >= 30  # large type
            page.mouse.click(5, 5)  # the page has the focus, not the deck: keys still step
            page.keyboard.press("ArrowRight")
            deck.get_by_text(re.compile(r"Folie 2 von")).wait_for(timeout=5_000)
            page.keyboard.press("PageDown")
            deck.get_by_text(re.compile(r"Folie 3 von")).wait_for(timeout=5_000)
            page.keyboard.press("ArrowLeft")
            deck.get_by_text(re.compile(r"Folie 2 von")).wait_for(timeout=5_000)
            assert deck.locator(".slide.on img").count() == 1  # the situation's map
            page.screenshot(path=str(ARTIFACTS / "praesentation_folie2.png"))
            with page.expect_download(timeout=120_000) as saved:
                page.get_by_role("button", name="Präsentation als Datei herunterladen").click()
            offline = saved.value.path().read_text(encoding="utf-8")
            assert offline.count('<section class="slide"') == total
            assert "http://" not in offline and "https://" not in offline
            assert page.locator("[data-testid='stException']").count() == 0
        except Exception:
            page.screenshot(path=str(ARTIFACTS / "sitzung_fehler.png"), full_page=True)
            raise
        finally:
            browser.close()

    reader = PdfReader(io.BytesIO(pdf_path.read_bytes()))
    text = ""
    for pdf_page in reader.pages:
        size = (float(pdf_page.mediabox.width), float(pdf_page.mediabox.height))
        assert size == pytest.approx(A4_PT, abs=0.5)
        page_text = pdf_page.extract_text()
        assert "nur für Mitglieder" in page_text and "Synthetische Demodaten" in page_text
        text += page_text + "\n"
    flat = " ".join(text.split())
    assert not re.search(r"\d{4}-\d{2}-\d{2}", text)
    assert re.search(r"Sitzung am \w+\., \d+\. Dezember \d{4}, 18:30 Uhr", flat) or \
        re.search(r"Sitzung am \w+\., \d+\. \w+ \d{4}, 18:30 Uhr · Stadtteilladen Ost", flat)
    assert CONCERN in flat
    for place in places:
        assert place in flat, place
    assert re.search(rf"Gesamt {re.escape(shown_total)}\b", flat), shown_total
    for line in hot:
        figures = re.search(r"(?:[+−]\d+ %|neu) \((\d+) statt (\d+)\)", line)
        now, before = figures.groups()
        assert re.search(rf" {now} {before} {re.escape(figures.group(0))}", flat), line
