"""A resident follows an Anliegen in Chromium: a map click names the nearest address, the
browser solves the form's hash puzzle, the receipt gives a number and a private status link,
and that link shows the steps change after Redaktion moderates and answers."""

from __future__ import annotations

import re
import time
from datetime import date, timedelta

import pytest

from tests.browser.test_browser import ARTIFACTS, EDITOR, server  # noqa: F401
from tests.helpers import CHROMIUM, CHROMIUM_FLAGS

pytestmark = pytest.mark.browser
CONCERN = "Im Gebüsch am Rabet liegen wieder gebrauchte Spritzen, gleich neben dem Spielplatz."
ARGS = CHROMIUM_FLAGS


def _wait(page, text, timeout=90_000):
    page.get_by_text(text).first.wait_for(timeout=timeout)


def submit_concern(page, base: str, text: str, address: str | None = None) -> None:
    """Fill the public form as a person does: a point on the map (or an address), the
    text; wait for the browser's puzzle and the form's minimum time, then send."""
    from reports.coordination.concerns import MIN_FILL_SECONDS

    page.goto(f"{base}/anliegen")
    page.get_by_role("heading", name="Anliegen").first.wait_for(timeout=90_000)
    opened = time.monotonic()
    if address is None:
        frame = page.frame_locator("iframe[title*='streamlit_folium']").first
        container = frame.locator(".leaflet-container").first
        container.wait_for(timeout=60_000)
        frame.locator(".leaflet-tile-pane img").first.wait_for(state="attached",
                                                                timeout=60_000)
        box = container.bounding_box()
        for _ in range(3):  # a click while the map is still being drawn may get lost
            container.click(position={"x": box["width"] / 2, "y": box["height"] / 2})
            try:
                _wait(page, "Gewählter Ort: nahe", timeout=30_000)
                break
            except Exception:  # the click got lost: try again
                continue
        _wait(page, "Gewählter Ort: nahe")
    else:
        page.locator(".st-key-anliegen_address input").fill(address)
    page.locator(".st-key-anliegen_description textarea").fill(text)
    _wait(page, "Sicherheitsprüfung im Browser erledigt.")
    page.wait_for_timeout(max(0, (MIN_FILL_SECONDS + 0.5 - (time.monotonic() - opened)) * 1000))
    page.get_by_role("button", name="Anliegen senden").click()
    try:
        _wait(page, "Danke! Ihr Anliegen ist eingegangen")
    except Exception:
        alerts = page.locator("[data-testid='stAlert']").all_inner_texts()
        raise AssertionError(f"not sent: {alerts}") from None


def test_receipt_status_link_and_status_after_moderation(server):  # noqa: F811
    from playwright.sync_api import expect, sync_playwright

    from reports.coordination.concerns import list_concerns
    from reports.coordination.meetings import Meeting, add_meeting
    from reports.storage.store import Store

    base, url = server
    store = Store.open(url)
    meeting_day = date.today() + timedelta(days=5)  # the concern is filed today
    add_meeting(store, Meeting(meeting_day, "Plenum Anliegen"), "test")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        resident = browser.new_page(viewport={"width": 1600, "height": 1000})
        pages = [resident]
        try:
            submit_concern(resident, base, CONCERN)
            receipt = resident.locator(".st-key-anliegen_receipt_box")
            number = int(re.search(r"Nr\. (\d+)", receipt.inner_text()).group(1))
            link = resident.locator(".st-key-anliegen_receipt_box code").inner_text().strip()
            assert re.fullmatch(rf"{re.escape(base)}/anliegen\?status=[\w-]{{24,}}", link)
            # the form is empty again, the point is gone
            expect(resident.locator(".st-key-anliegen_description textarea")).to_have_value(
                "", timeout=30_000)  # the rerun redraws the form after the receipt
            expect(resident.locator(".st-key-anliegen_address input")).to_have_value("")
            assert resident.get_by_text("Gewählter Ort").count() == 0
            resident.screenshot(path=str(ARTIFACTS / "anliegen_quittung.png"), full_page=True)
            row = list_concerns(store).set_index("id").loc[number]
            assert row["description"] == CONCERN and row["ortsteil"]
            assert row["address"]  # the nearest address of the clicked point, in words

            resident.goto(link)
            status = resident.locator(".st-key-anliegen_status")
            status.get_by_text(f"Ihr Anliegen Nr. {number}").wait_for(timeout=90_000)
            assert "wird geprüft" not in status.inner_text()  # only done steps carry notes
            assert "Auf der Tagesordnung am" not in status.inner_text()
            resident.screenshot(path=str(ARTIFACTS / "anliegen_status_neu.png"),
                                full_page=True)

            editor = browser.new_page(viewport={"width": 1600, "height": 1000})
            pages.append(editor)
            editor.goto(f"{base}/anmelden")
            editor.get_by_label("Benutzername").fill(EDITOR[0])
            editor.get_by_label("Passwort").fill(EDITOR[1])
            editor.get_by_role("button", name="Anmelden").click()
            _wait(editor, "Angemeldet als")
            editor.get_by_role("link", name="Anliegen").click()
            editor.get_by_text(f"Nr. {number} ·").first.click()
            box = editor.locator(f".st-key-cat_{number}")
            box.wait_for(timeout=60_000)
            shown = box.inner_text() + " ".join(
                i.input_value() for i in box.locator("input").all())
            assert "Spritzenfund" in shown, shown  # proposed from the text
            editor.locator(f".st-key-accept_{number} button").click()
            _wait(editor, f"Anliegen {number}: gespeichert.")
            chosen = editor.locator(".st-key-answer_id")  # the only handled one, preselected
            assert f"Nr. {number}" in chosen.inner_text() + " ".join(
                i.input_value() for i in chosen.locator("input").all())
            editor.locator(".st-key-answer_text textarea").fill(
                "Die Suchthilfe sammelt die Spritzen am Freitag ein.")
            editor.get_by_role("button", name="Antwort speichern").click()
            _wait(editor, f"Anliegen {number}: Antwort gespeichert.")

            resident.reload()
            status = resident.locator(".st-key-anliegen_status")
            status.get_by_text("Die Suchthilfe sammelt die Spritzen am Freitag ein.").wait_for(
                timeout=90_000)
            text = status.inner_text()
            assert f"Auf der Tagesordnung am {meeting_day:%d.%m.%Y}" in text
            assert "geprüft" in text
            resident.screenshot(path=str(ARTIFACTS / "anliegen_status_beantwortet.png"),
                                full_page=True)
            resident.set_viewport_size({"width": 390, "height": 844})
            resident.wait_for_timeout(1000)
            resident.screenshot(path=str(ARTIFACTS / "anliegen_status_telefon.png"),
                                full_page=True)
        except Exception:
            for i, page in enumerate(pages):
                page.screenshot(path=str(ARTIFACTS / f"anliegen_fehler_{i}.png"),
                                full_page=True)
            raise
        finally:
            browser.close()
            store.close()
