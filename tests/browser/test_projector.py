"""The dashboard as members see it, in headless Debian Chromium against `streamlit run`:
every page for every role at 1280×720 (a projector) and 1920×1080 — German only, nothing
overflowing, title and key figure above the fold, the map using the width — and the linked
views (hot spot row -> map, map click -> cell numbers -> Trends, the 6-month preset)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from config.paths import PROJECT_DIR
from tests.helpers import (
    CHROMIUM,
    CHROMIUM_FLAGS,
    dashboard_server,
    demo_database,
    require_chromium,
)

pytestmark = pytest.mark.browser
ARTIFACTS = PROJECT_DIR / "test-artifacts" / "projector"
PASSWORD = "ein-langes-testpasswort-42"
ROLES = {"oeffentlich": None, "mitglied": "mitglied", "redaktion": "redaktion",
         "admin": "admin"}
NAV = ["Überblick", "Karte", "Trends", "Sitzung", "Daten", "Anliegen", "Maßnahmen",
       "Anmelden"]
TITLES = {"Admin": "Verwaltung"}
SMALL, LARGE = {"width": 1280, "height": 720}, {"width": 1920, "height": 1080}
IDLE = '[data-testid="stApp"][data-test-script-state="notRunning"]'

# English a German user must never meet (Streamlit widgets, Leaflet, Leaflet.draw, charts).
ENGLISH = ["Select all", "Date range", "Select...", "Select…", "Upload", "per file",
           "Drag and drop", "Browse files", "Zoom in", "Zoom out", "Draw a", "Click to",
           "Click and drag", "Cancel", "Finish", "Delete last point", "Skip to main content",
           "Choose an option", "No results", "Clear all", "Press Enter"]
ENGLISH_WORDS = re.compile(r"\b(Mar|May|Oct|Dec|March|June|July|October|December|"
                           r"Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b")
ENGLISH_DECIMAL = re.compile(r"(?<![\d.,])\d+\.\d{1,2}(?![\d.])")  # "6.92", not "03.08."

# All text a user can read or hear on the page and in its same-origin frames (maps):
# rendered text (icon ligatures are taken out afterwards), titles and aria labels.
PAGE_TEXT = """() => {
  const texts = [];
  const grab = (doc) => {
    texts.push(doc.body.innerText);
    doc.querySelectorAll('[title], [aria-label]').forEach(e => {
      if (e.closest('[data-testid="stIconMaterial"]')) return;
      texts.push(e.getAttribute('title') || '', e.getAttribute('aria-label') || '');
    });
    doc.querySelectorAll('.leaflet-control-scale-line').forEach(e => texts.push(e.textContent));
  };
  grab(document);
  document.querySelectorAll('iframe').forEach(f => {
    try { if (f.contentDocument && f.contentDocument.body) grab(f.contentDocument); }
    catch (e) {}
  });
  return texts.join('\\n');
}"""
ICONS = """() => [...document.querySelectorAll('[data-testid="stIconMaterial"]')]
  .map(e => e.textContent)"""
# Elements wider than the window, or buttons whose label does not fit (shrunk to "Z…").
OVERFLOW = """() => {
  const w = document.documentElement.clientWidth, bad = [];
  if (document.documentElement.scrollWidth > w + 1) bad.push('page ' +
      document.documentElement.scrollWidth);
  document.querySelectorAll('[data-testid="stMain"] *').forEach(e => {
    const r = e.getBoundingClientRect();
    if (r.width && r.right > w + 1 && !e.closest('[data-testid="stDataFrame"]'))
      bad.push((e.getAttribute('data-testid') || e.tagName) + ' ends at ' + Math.round(r.right));
  });
  document.querySelectorAll('[data-testid="stMain"] button').forEach(b => {
    if (b.offsetWidth && b.scrollWidth > b.clientWidth + 1) bad.push('button ' + b.innerText);
  });
  return bad.slice(0, 5);
}"""
FOLD = """(selector) => {
  const e = document.querySelector(selector);
  if (!e) return null;
  const r = e.getBoundingClientRect();
  return {top: r.top, bottom: r.bottom, width: r.width, height: window.innerHeight};
}"""
# What must be visible without scrolling, per page (beyond the title).
KEY_FIGURE = {
    "Überblick": ['[data-testid="stMetric"]', 'iframe[title*="streamlit_folium"]',
                  '.vega-embed'],
    "Karte": ['[data-testid="stCaptionContainer"]', 'iframe[title*="streamlit_folium"]'],
    "Trends": ['.vega-embed'],
}
MAP_PAGES = {"Überblick", "Karte"}
# Resolves once the map holds the highlight outline of a chosen cell.
HIGHLIGHTED = """() => new Promise(resolve => {
  const look = () => {
    let found = false;
    map_div.eachLayer(l => { if (l.options && l.options.color === '#00e5ff') found = true; });
    if (found) resolve(true); else setTimeout(look, 100);
  };
  look();
})"""


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    require_chromium()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)  # shared by parallel workers: never emptied
    roles = ("mitglied", "redaktion", "admin")
    url = demo_database(tmp_path_factory, "projector",
                        users=tuple((role, PASSWORD, role) for role in roles))
    with dashboard_server(url) as address:
        yield address


@pytest.fixture(scope="module")
def browser(server):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS)
        yield chromium
        chromium.close()


def _settle(page, title: str, maps: bool = False) -> None:
    page.get_by_role("heading", name=title, exact=True).first.wait_for(timeout=60_000)
    page.wait_for_timeout(300)
    page.wait_for_selector(IDLE, timeout=60_000)
    if maps:
        frame = page.frame_locator("iframe[title*='streamlit_folium']").first
        frame.locator(".leaflet-overlay-pane canvas, .leaflet-overlay-pane svg, "
                      ".leaflet-overlay-pane img").first.wait_for(state="attached",
                                                                 timeout=60_000)
    page.wait_for_timeout(700)


def _session(browser, server: str, user: str | None, query: str = "?zeit=365"):
    """A tab in a German-less browser (en-US: Streamlit's texts must not follow it),
    signed in as ``user``."""
    page = browser.new_context(viewport=SMALL, locale="en-US").new_page()
    page.goto(f"{server}/{query}")
    _settle(page, "Überblick", maps=True)
    if user:
        page.get_by_role("link", name="Anmelden").click()
        page.get_by_label("Benutzername").fill(user)
        page.get_by_label("Passwort").fill(PASSWORD)
        page.get_by_role("button", name="Anmelden").click()
        page.get_by_text("Angemeldet als").wait_for(timeout=60_000)
    return page


def _english(text: str) -> list[str]:
    found = [s for s in ENGLISH if s in text]
    found += ENGLISH_WORDS.findall(text) + ENGLISH_DECIMAL.findall(text)
    return found


def _check(page, name: str, role: str, viewport: dict) -> list[str]:
    """Everything wrong with the page as shown now, in words for the assertion."""
    problems = []
    text = page.evaluate(PAGE_TEXT)
    for icon in set(page.evaluate(ICONS)):
        text = text.replace(icon, " ")
    if english := _english(text):
        problems.append(f"English: {sorted(set(english))}")
    if overflow := page.evaluate(OVERFLOW):
        problems.append(f"overflow: {overflow}")
    title = page.get_by_role("heading", name=TITLES.get(name, name), exact=True).first
    box = title.bounding_box()
    if box is None or box["y"] + box["height"] > viewport["height"]:
        problems.append("title below the fold")
    for selector in KEY_FIGURE.get(name, []):
        where = page.evaluate(FOLD, selector)
        if where is None or where["top"] >= viewport["height"] - 40:
            problems.append(f"{selector} not above the fold ({where})")
    if viewport is LARGE and name == "Karte":
        where = page.evaluate(FOLD, 'iframe[title*="streamlit_folium"]')
        main = page.evaluate("() => document.querySelector('[data-testid=\"stMain\"]')"
                             ".getBoundingClientRect().width")
        if where is None or where["width"] < 0.6 * main:
            problems.append(f"map uses {where and where['width']} of {main} px")
    shot = ARTIFACTS / f"{role}_{name}_{viewport['width']}.png"
    page.screenshot(path=str(shot))
    return [f"{role}/{name}@{viewport['width']}: {p}" for p in problems]


@pytest.mark.parametrize("role", list(ROLES))
def test_every_page_german_fitting_and_key_figure_above_the_fold(browser, server, role):
    page = _session(browser, server, ROLES[role])
    pages = NAV + (["Admin"] if role == "admin" else [])
    problems = []
    try:
        for name in pages:
            page.set_viewport_size(SMALL)
            page.get_by_role("link", name=name, exact=True).click()
            _settle(page, TITLES.get(name, name), maps=name in MAP_PAGES)
            assert page.locator("[data-testid='stException']").count() == 0, name
            problems += _check(page, name, role, SMALL)
            page.set_viewport_size(LARGE)
            page.wait_for_timeout(1000)
            problems += _check(page, name, role, LARGE)
    finally:
        page.context.close()
    assert not problems, "\n".join(problems)


def test_leaflet_controls_speak_german_and_measure_in_metres(browser, server):
    page = _session(browser, server, "redaktion")
    try:
        page.get_by_role("link", name="Maßnahmen", exact=True).click()
        _settle(page, "Maßnahmen", maps=True)
        frame = page.frame_locator("iframe[title*='streamlit_folium']").first
        assert frame.locator(".leaflet-control-zoom-in").get_attribute("title") == "Vergrößern"
        assert frame.locator(".leaflet-control-zoom-out").get_attribute(
            "title") == "Verkleinern"
        scale = frame.locator(".leaflet-control-scale-line").all_inner_texts()
        assert scale and all(re.fullmatch(r"\d+ k?m", s.strip()) for s in scale), scale
        draw = frame.locator(".leaflet-draw-draw-polygon")
        if draw.count():  # the editor's drawing tools: titles and tooltips in German
            assert draw.get_attribute("title") == "Fläche (Vieleck) zeichnen"
            draw.click()
            assert frame.get_by_text("Abbrechen").count()
            assert "Klicken, um mit der Fläche zu beginnen." in frame.locator(
                ".leaflet-draw-tooltip").first.inner_text()
        else:
            pytest.fail("the Redaktion's Maßnahmen map offers no drawing tools")
    finally:
        page.context.close()


def test_hotspot_row_zooms_the_map_and_highlights_the_cell(browser, server):
    page = _session(browser, server, None)
    try:
        frame = page.frame_locator("iframe[title*='streamlit_folium']").first
        before = frame.locator("body").evaluate("() => map_div.getZoom()")
        grid = page.locator("[data-testid='stDataFrame']").first
        grid.scroll_into_view_if_needed()
        box = grid.bounding_box()
        page.mouse.click(box["x"] + 18, box["y"] + 35 + 17)  # first row's selection box
        page.screenshot(path=str(ARTIFACTS / "hotspot_row.png"))
        # The map draws on a canvas: ask Leaflet for the highlight layer and the zoom.
        frame.locator("body").evaluate(HIGHLIGHTED, timeout=60_000)
        after = frame.locator("body").evaluate("() => map_div.getZoom()")
        assert after == 17 and after > before
    finally:
        page.context.close()


def test_map_click_opens_the_cell_and_shows_it_in_trends(browser, server):
    page = _session(browser, server, "mitglied")
    try:
        page.get_by_role("link", name="Karte", exact=True).click()
        _settle(page, "Karte", maps=True)
        page.get_by_text("In die Karte klicken").wait_for(timeout=60_000)
        container = page.frame_locator("iframe[title*='streamlit_folium']").first.locator(
            ".leaflet-container").first
        box = container.bounding_box()
        # The district's densest street (Eisenbahnstraße) lies left of the centre.
        container.click(position={"x": box["width"] * 0.42, "y": box["height"] * 0.55})
        page.get_by_text("Hotspot-Analyse (Gi*)").wait_for(timeout=60_000)
        panel = page.locator("[data-testid='stMain']").inner_text()
        assert re.search(r"\d+-m-Zelle", panel)
        assert "Meldungen im Zeitraum" in panel and "Zeitraum davor" in panel
        assert re.search(r"Hotspot-Analyse \(Gi\*\): (Hotspot|Coldspot|nicht auffällig)",
                         panel)
        page.screenshot(path=str(ARTIFACTS / "karte_zelle.png"))
        page.get_by_role("button", name="in Trends zeigen").click()
        page.get_by_text(re.compile(r"Nur die \d+-m-Zelle")).wait_for(timeout=60_000)
        _settle(page, "Trends")
        page.get_by_role("button", name="Alle Orte zeigen").click()
        page.get_by_text(re.compile(r"Nur die \d+-m-Zelle")).wait_for(state="detached",
                                                                       timeout=60_000)
    finally:
        page.context.close()


def test_six_month_preset(browser, server):
    page = _session(browser, server, None, query="")
    try:
        option = page.get_by_role("option", name="letzte 6 Monate")
        for _ in range(3):  # a rerun still arriving from the first load closes the list
            page.locator('[data-testid="stSidebar"]').get_by_label("Zeitraum").click()
            try:
                option.wait_for(timeout=5_000)
                break
            except Exception:
                page.wait_for_selector(IDLE, timeout=60_000)
        option.click()
        # Six months back from today, the real date (whole weeks for the public)
        import pandas as pd

        from config.clock import today
        from reports.privacy.access import Role, effective_filter
        from reports.storage.query import ReportFilter

        end = today()
        start = (pd.Timestamp(end) - pd.DateOffset(months=6)).date() + timedelta(days=1)
        shown = effective_filter(ReportFilter(start, end), Role.PUBLIC)
        page.get_by_text(f"{shown.start:%d.%m.%Y} – {shown.end:%d.%m.%Y}").first.wait_for(
            timeout=60_000)
        assert "zeit=6m" in page.url
    except Exception:
        page.screenshot(path=str(ARTIFACTS / "preset_fehler.png"))
        raise
    finally:
        page.context.close()


def test_free_period_calendar_speaks_german_in_an_english_browser(browser, server):
    page = _session(browser, server, None, query="?zeit=frei&von=2026-03-01&bis=2026-03-31")
    try:
        sidebar = page.locator('[data-testid="stSidebar"]')
        sidebar.get_by_text("Von", exact=True).wait_for(timeout=60_000)
        sidebar.locator('[data-testid="stDateInput"]').first.locator(
            "button, [role='button']").last.click()
        calendar = page.locator('[data-testid="stDateInputCalendar"]')
        calendar.wait_for(timeout=60_000)
        page.wait_for_timeout(500)
        text = calendar.inner_text()
        assert "März" in text, text
        assert not _english(text) and "Tu" not in text.split(), text
        page.screenshot(path=str(ARTIFACTS / "kalender.png"))
    finally:
        page.context.close()
