"""Issue 20 in headless Chromium against `streamlit run`: the maps' address search flies to
the chosen address, the public pages fit a phone (390×844), and no English word reaches a
person on any page for any role — in text, title, aria-label or placeholder, in the maps'
frames, the toolbars of charts and tables and the charts' tooltips."""

from __future__ import annotations

import math
import re

import geopandas as gpd
import pandas as pd
import pytest

from config.paths import DATA_DIR, PROJECT_DIR
from geo.crs import to_display
from tests.browser.test_projector import (
    ICONS,
    IDLE,
    NAV,
    OVERFLOW,
    PASSWORD,
    ROLES,
    SMALL,
    TITLES,
    _session,
    _settle,
)
from tests.helpers import (
    CHROMIUM,
    CHROMIUM_FLAGS,
    dashboard_server,
    demo_database,
    require_chromium,
)

pytestmark = pytest.mark.browser
ARTIFACTS = PROJECT_DIR / "test-artifacts" / "maps_phone_german"
PHONE = {"width": 390, "height": 844}
MAP = "iframe[title*='streamlit_folium']"

# English a person must never read or hear (Streamlit, Leaflet and its plugins, Vega).
ENGLISH_PHRASES = [
    "Choose an option", "Choose options", "Choose date", "Select all", "Select...", "Select…",
    "Selected values", "No results", "No options", "Clear", "Clear all", "Close", "Open",
    "Cancel", "Finish", "Delete", "Search", "Show data", "Show chart", "Data View",
    "Download as CSV", "Download as PNG", "Save as Image", "Fullscreen", "Exit Fullscreen",
    "Show/hide columns", "Copy to clipboard", "Sort ascending", "Sort descending",
    "Main menu", "App pages", "Layers", "Zoom in", "Zoom out", "Draw a", "Click to",
    "Click and drag", "Upload", "Browse files", "Drag and drop", "per file", "Press Enter",
    "Date range", "Skip to main content", "Loading", "Running", "Rerun", "Settings",
]
PROPER_NAMES = ["Leipzig Open Data Project", "Open311"]  # names, not English to read
_LETTER = "A-Za-zÄÖÜäöüß"
ENGLISH = re.compile(
    "|".join(rf"(?<![{_LETTER}]){re.escape(p)}(?![{_LETTER}])" for p in ENGLISH_PHRASES)
    # dates as Vega's default "Apr 01, 2025", English month and day names
    + r"|\b(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{1,2}, \d{4}\b"
    + r"|\b(?:Mar|May|Oct|Dec|March|June|July|October|December|Monday|Tuesday|Wednesday"
    + r"|Thursday|Friday|Saturday|Sunday)\b"
    # Vega's generated ARIA descriptions of axes ("X-axis titled 'Woche' for a time scale")
    + r"|\b[XY]-axis\b|\btitled\b|\bwith values from\b|\b(?:time|linear|band) scale\b"
    # file sizes as Streamlit writes them ("1.4KB", "512 bytes")
    + r"|\d\.\d+\s?[KMG]B\b|\b\d+\s?KB\b|\bbytes?\b")

# All text a person can read or hear on the page and in its same-origin frames (maps).
TEXTS = """() => {
  const texts = [];
  const grab = (doc) => {
    texts.push(doc.body.innerText);
    doc.querySelectorAll('[title], [aria-label], [placeholder]').forEach(e => {
      if (e.closest('[data-testid="stIconMaterial"]')) return;
      for (const name of ['title', 'aria-label', 'placeholder'])
        if (e.getAttribute(name)) texts.push(e.getAttribute(name));
    });
  };
  grab(document);
  document.querySelectorAll('iframe').forEach(f => {
    try { if (f.contentDocument && f.contentDocument.body) grab(f.contentDocument); }
    catch (e) {}
  });
  const tip = document.getElementById('vg-tooltip-element');
  if (tip) texts.push(tip.innerText);
  return texts.join('\\n');
}"""
SEARCHABLE_MAPS = """() => [...document.querySelectorAll('iframe')]
  .filter(f => f.title && f.title.includes('streamlit_folium'))
  .map(f => !!(f.contentDocument && f.contentDocument.querySelector(
    '.lagebild-search input[placeholder="Adresse oder Ort suchen …"]')))"""


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    require_chromium()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    url = demo_database(tmp_path_factory, "maps_phone_german",
                        users=tuple((r, PASSWORD, r) for r in ("mitglied", "redaktion",
                                                              "admin")))
    with dashboard_server(url) as address:
        yield address


@pytest.fixture(scope="module")
def browser(server):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS)
        yield chromium
        chromium.close()


def _register_point(street: str, number: str) -> tuple[float, float]:
    addresses = pd.read_parquet(DATA_DIR / "addresses.parquet")
    row = addresses[(addresses["street"] == street) & (addresses["housenumber"] == number)]
    lon, lat = to_display(row["x"].to_numpy(), row["y"].to_numpy())
    return float(lat[0]), float(lon[0])


def _metres(a: tuple[float, float], b: tuple[float, float]) -> float:
    dy = (a[0] - b[0]) * 111_320
    dx = (a[1] - b[1]) * 111_320 * math.cos(math.radians(a[0]))
    return math.hypot(dx, dy)


def _centre(frame) -> tuple[float, float]:
    lat, lon = frame.locator("body").evaluate(
        "() => [map_div.getCenter().lat, map_div.getCenter().lng]")
    return lat, lon


def test_search_suggests_as_one_types_and_flies_to_the_address(browser, server):
    page = _session(browser, server, None)
    try:
        page.get_by_role("link", name="Karte", exact=True).click()
        _settle(page, "Karte", maps=True)
        frame = page.frame_locator(MAP).first
        search = frame.get_by_role("combobox", name="Adresse oder Ort suchen")
        assert search.get_attribute("placeholder") == "Adresse oder Ort suchen …"
        search.click()
        search.press_sequentially("Eisenb", delay=40)
        options = frame.get_by_role("option")
        options.first.wait_for(timeout=30_000)
        assert options.first.inner_text().startswith("Eisenbahnstraße")
        search.press_sequentially(" 120", delay=40)
        choice = frame.get_by_role("option", name=re.compile(r"^Eisenbahnstraße 120\b"))
        choice.first.wait_for(timeout=30_000)
        page.screenshot(path=str(ARTIFACTS / "suche_vorschlaege.png"))
        choice.first.click()
        target = _register_point("Eisenbahnstraße", "120")
        distance = float("inf")
        for _ in range(50):  # the map flies there
            page.wait_for_timeout(200)
            distance = _metres(_centre(frame), target)
            if distance < 30:
                break
        page.screenshot(path=str(ARTIFACTS / "suche_eisenbahnstrasse_120.png"))
        assert distance < 30, f"map centre {distance:.0f} m from Eisenbahnstraße 120"
        assert search.input_value() == "Eisenbahnstraße 120"
        assert frame.locator("body").evaluate("() => map_div.getZoom()") >= 17

        # keyboard only, on another map: an Ortsteil fills the view; nonsense finds nothing
        page.get_by_role("link", name="Anliegen", exact=True).click()
        _settle(page, "Anliegen", maps=True)
        frame = page.frame_locator(MAP).first
        search = frame.get_by_role("combobox", name="Adresse oder Ort suchen")
        search.click()
        search.press_sequentially("qqxz", delay=40)
        frame.get_by_text("Keine Treffer").wait_for(timeout=30_000)
        search.fill("")
        search.press_sequentially("volkmarsd", delay=40)
        frame.get_by_role("option", name=re.compile("^Volkmarsdorf")).first.wait_for(
            timeout=30_000)
        search.press("ArrowDown")
        search.press("Enter")
        page.wait_for_timeout(2500)
        ortsteile = gpd.read_parquet(DATA_DIR / "ortsteile.geoparquet")
        centre = ortsteile[ortsteile["name"] == "Volkmarsdorf"].to_crs(4326).union_all(
            ).centroid
        assert _metres(_centre(frame), (centre.y, centre.x)) < 400
    finally:
        page.context.close()


def _phone_problems(page, name: str) -> list[str]:
    problems = [f"{name}: {p}" for p in page.evaluate(OVERFLOW)]
    frame_box = page.locator(MAP).first.bounding_box()
    if frame_box is None or frame_box["y"] > PHONE["height"] - 150:
        problems.append(f"{name}: the map does not start on the first screen ({frame_box})")
    if frame_box and frame_box["x"] + frame_box["width"] > PHONE["width"] + 1:
        problems.append(f"{name}: the map is wider than the screen")
    frame = page.frame_locator(MAP).first
    width = frame.locator("body").evaluate("() => document.documentElement.clientWidth")
    for left, right, what in frame.locator(".leaflet-control").evaluate_all(
            "els => els.map(e => { const r = e.getBoundingClientRect();"
            " return [r.left, r.right, e.className]; })"):
        if left < -1 or right > width + 1:
            problems.append(f"{name}: map control {what} leaves the map ({left}–{right})")
    if frame.locator(".lagebild-legend details[open]").count():
        problems.append(f"{name}: the legend is open on a phone")
    if frame.locator(".leaflet-control-layers-expanded").count():
        problems.append(f"{name}: the layer list is open")
    tops = {round(box["y"] / 8) for box in (m.bounding_box() for m in
            page.locator("[data-testid='stMetric']").all()[:5]) if box}
    if len(tops) > 1:
        problems.append(f"{name}: the key figures take {len(tops)} lines")
    return problems


def test_public_pages_fit_a_phone(browser, server):
    page = browser.new_context(viewport=PHONE, locale="de-DE").new_page()
    problems = []
    try:
        for name, path in (("Überblick", ""), ("Karte", "karte"), ("Anliegen", "anliegen")):
            page.goto(f"{server}/{path}?zeit=365")
            _settle(page, name, maps=True)
            collapse = page.locator("[data-testid='stSidebarCollapseButton'] button")
            if collapse.count() and collapse.first.is_visible():
                collapse.first.click()
            page.wait_for_timeout(800)
            page.screenshot(path=str(ARTIFACTS / f"telefon_{name}.png"))
            problems += _phone_problems(page, name)
    finally:
        page.context.close()
    assert not problems, "\n".join(problems)


def _reveal_toolbars_and_tooltips(page) -> str:
    """Hover every chart and table (their toolbars appear) and sweep over each chart (its
    tooltip appears); returns what was read meanwhile."""
    seen = []
    for element in page.locator("[data-testid='stVegaLiteChart'], "
                                "[data-testid='stArrowVegaLiteChart'], "
                                "[data-testid='stDataFrame']").all():
        if not element.is_visible():  # e.g. in a closed expander
            continue
        element.scroll_into_view_if_needed()
        element.hover()
        page.wait_for_timeout(150)
        seen.append(page.evaluate(TEXTS))
        if element.get_attribute("data-testid") != "stDataFrame":
            box = element.bounding_box()
            for k in range(1, 10):
                page.mouse.move(box["x"] + box["width"] * k / 10, box["y"] + box["height"] / 2)
                page.wait_for_timeout(60)
                seen.append(page.evaluate("() => { const t = document.getElementById("
                                          "'vg-tooltip-element'); return t ? t.innerText : ''"
                                          " }"))
    return "\n".join(seen)


def _english_in(page, reveal: bool) -> list[str]:
    text = page.evaluate(TEXTS) + ("\n" + _reveal_toolbars_and_tooltips(page) if reveal else "")
    for icon in set(page.evaluate(ICONS)):
        text = text.replace(icon, " ")
    for name in PROPER_NAMES:
        text = text.replace(name, " ")
    return sorted({m.group(0) for m in ENGLISH.finditer(text)})


@pytest.mark.parametrize("role", list(ROLES))
def test_no_english_on_any_page(browser, server, role):
    page = _session(browser, server, ROLES[role])
    pages = [*NAV, "Präsentation"] + (["Admin"] if role == "admin" else [])
    problems = []
    try:
        for name in pages:
            page.set_viewport_size(SMALL)
            link = page.get_by_role("link", name=name, exact=True)
            if not link.count():
                continue
            link.click()
            if name == "Präsentation":  # the projector view is its deck, with a way back
                page.get_by_role("link", name="Präsentation beenden").first.wait_for(
                    timeout=60_000)
            else:
                _settle(page, TITLES.get(name, name), maps=name in {"Überblick", "Karte"})
            page.wait_for_selector(IDLE, timeout=60_000)
            if english := _english_in(page, reveal=True):
                problems.append(f"{role}/{name}@1280: {english}")
            if not all(page.evaluate(SEARCHABLE_MAPS)):
                problems.append(f"{role}/{name}: a map without the address search")
            page.set_viewport_size(PHONE)
            page.wait_for_timeout(800)
            if english := _english_in(page, reveal=False):
                problems.append(f"{role}/{name}@390: {english}")
            page.screenshot(path=str(ARTIFACTS / f"{role}_{name}_390.png"))
    finally:
        page.context.close()
    assert not problems, "\n".join(problems)
