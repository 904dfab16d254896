"""What a member waits for, measured in headless Chromium against a real `streamlit run`.

Starts the dashboard on a copy of a store (so a hand placement leaves the original as it
was), then times, from the user's action until the page is *usable* (script finished, no
stale element, every map's Leaflet container drawn, every chart rendered, the expected
text present):

- cold start: process spawn -> first usable Überblick;
- new session: a fresh browser (empty cache) on the warm server -> usable Überblick;
- new tab: a new session in a browser that has opened the dashboard before (its cache holds
  Streamlit's and the map's static files, as for a returning member);
- page switch: Überblick -> Karte -> Trends -> Überblick by the navigation;
- filter change: the Zeitraum preset on the Karte page;
- map click (Redaktion): a click on the Karte map until the chosen point is shown;
- hand placement (Redaktion): "Hier platzieren" until the success message.

Build the stores once (the demo generator, through the real import pipeline):
`bench/bench_browser.py --build 30000 /tmp/s30k.sqlite` (and `--build 1000000
/tmp/s1m.sqlite`). Then, by hand:
`.venv/bin/python bench/bench_browser.py /tmp/s30k.sqlite /tmp/s1m.sqlite [--runs 3]`.
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from config.paths import PROJECT_DIR

CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--disable-quic"]
EDITOR = ("redaktion1", "ein-langes-testpasswort-42")
VIEWPORT = {"width": 1600, "height": 1000}
TIMEOUT_MS = 300_000

# True when the page is usable: the script has finished, nothing is stale, the title is
# shown, every folium map has drawn its layers and every Vega chart has rendered.
USABLE = """([title, newMap]) => {
  const app = document.querySelector('[data-testid="stApp"]');
  if (!app || app.getAttribute('data-test-script-state') !== 'notRunning') return false;
  if (window.__benchRuns !== undefined && window.__benchRuns < 1) return false;
  if (document.querySelector('[data-stale="true"]')) return false;
  const h1 = [...document.querySelectorAll('h1')].map(h => h.innerText.trim());
  if (!h1.some(t => t.startsWith(title))) return false;
  for (const frame of document.querySelectorAll('iframe[title*="streamlit_folium"]')) {
    const doc = frame.contentDocument;
    const map = doc && doc.querySelector('.leaflet-container');
    if (!map) return false;
    const drawn = [...doc.querySelectorAll('.leaflet-overlay-pane canvas, '
                   + '.leaflet-overlay-pane svg, .leaflet-overlay-pane img')];
    if (!drawn.length || (newMap && drawn.every(e => e.__benchOld))) return false;
  }
  for (const chart of document.querySelectorAll('.vega-embed')) {
    if (!chart.querySelector('svg, canvas')) return false;
  }
  return true;
}"""
# Marks what the maps show now, so a test for "redrawn" can tell old layers from new ones.
MARK_MAPS = """() => {
  for (const f of document.querySelectorAll('iframe[title*="streamlit_folium"]'))
    if (f.contentDocument) f.contentDocument.querySelectorAll('.leaflet-overlay-pane *')
      .forEach(e => { e.__benchOld = true; });
}"""
# Counts finished runs after an action, so "usable" never means "the old page, unchanged".
WATCH_RUNS = """() => {
  window.__benchRuns = 0;
  const app = document.querySelector('[data-testid="stApp"]');
  new MutationObserver(records => {
    for (const r of records) if (r.oldValue === 'running') window.__benchRuns += 1;
  }).observe(app, {attributes: true, attributeOldValue: true,
                   attributeFilter: ['data-test-script-state']});
}"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def build_store(rows: int, path: Path) -> None:
    """The demo store with ``rows`` reports and the bench's Redaktion account (the demo's
    partner files at 1M rows exceed the default upload limit, which also bounds imports)."""
    os.environ.setdefault("LAGEBILD_MAX_UPLOAD_MB", "2000")
    from demo import build_demo
    from geo.geography import load_geography
    from reports.privacy.access import Role
    from reports.privacy.auth import add_user
    from reports.storage.store import Store

    store = Store.open(f"sqlite:///{path}")
    build_demo(store, load_geography(), rows=rows, workdir=path.parent / f"{path.stem}-exports")
    add_user(store, EDITOR[0], EDITOR[1], Role.EDITOR)
    store.close()


def start_server(store: Path, port: int) -> subprocess.Popen:
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{store}", "LAGEBILD_TILE_URL": ""}
    return subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "dashboard.py", "--server.port", str(port),
         "--server.headless", "true", "--server.fileWatcherType", "none"],
        cwd=PROJECT_DIR, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def wait_health(base: str, proc: subprocess.Popen) -> None:
    while True:
        try:
            urllib.request.urlopen(f"{base}/_stcore/health", timeout=2)
            return
        except OSError:
            if proc.poll() is not None:
                raise RuntimeError("streamlit exited") from None
            time.sleep(0.05)


def wait_usable(page, title: str, new_map: bool = False) -> None:
    page.wait_for_function(USABLE, arg=[title, new_map], polling=50,
                           timeout=TIMEOUT_MS)


def timed(page, action, title: str, text: str | None = None, new_map: bool = False) -> float:
    """Seconds from ``action()`` until the page (and ``text``, if given) is usable."""
    if new_map:
        page.evaluate(MARK_MAPS)
    page.evaluate(WATCH_RUNS)
    start = time.perf_counter()
    action()
    if text:
        page.get_by_text(text).first.wait_for(timeout=TIMEOUT_MS)
    wait_usable(page, title, new_map)
    return time.perf_counter() - start


def open_session(browser, base: str, query: str = "", context=None) -> tuple[object, float]:
    context = context or browser.new_context(viewport=VIEWPORT, locale="de-DE")
    page = context.new_page()
    start = time.perf_counter()
    page.goto(f"{base}/{query}")
    wait_usable(page, "Überblick")
    return page, time.perf_counter() - start


def choose_preset(page, label: str) -> None:
    page.locator('[data-testid="stSidebar"]').get_by_label("Zeitraum").click()
    page.get_by_role("option", name=label).click()


def log_in(page) -> None:
    page.get_by_role("link", name="Anmelden").click()
    page.get_by_label("Benutzername").fill(EDITOR[0])
    page.get_by_label("Passwort").fill(EDITOR[1])
    page.get_by_role("button", name="Anmelden").click()
    page.get_by_text("Angemeldet als").wait_for(timeout=TIMEOUT_MS)


def measure(store: Path, runs: int) -> dict[str, list[float]]:
    from playwright.sync_api import sync_playwright

    times: dict[str, list[float]] = {}

    def note(name: str, seconds: float) -> None:
        times.setdefault(name, []).append(seconds)
        print(f"  {name}: {seconds:.2f} s", file=sys.stderr, flush=True)

    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as p:
        copy = Path(tmp) / store.name
        shutil.copy(store, copy)  # the hand placement must not change the original
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        start = time.perf_counter()
        proc = start_server(copy, port)
        try:
            wait_health(base, proc)
            page, _ = open_session(browser, base)
            note("cold start", time.perf_counter() - start)
            page.context.close()
            for _ in range(runs):
                page, seconds = open_session(browser, base)
                note("new session", seconds)
                page.context.close()
            page, _ = open_session(browser, base)
            for _ in range(runs):
                tab, seconds = open_session(browser, base, context=page.context)
                note("new tab", seconds)
                tab.close()
            for _ in range(runs):
                for link, title in (("Karte", "Karte"), ("Trends", "Trends"),
                                    ("Überblick", "Überblick")):
                    note("page switch", timed(
                        page, lambda link=link: page.get_by_role("link", name=link).click(),
                        title))
            page.get_by_role("link", name="Karte").click()
            wait_usable(page, "Karte")
            for i in range(runs):
                label = ("letzte 30 Tage", "letzte 90 Tage")[i % 2]
                note("filter change", timed(page, lambda label=label: choose_preset(
                    page, label), "Karte", new_map=True))
            page.context.close()

            page, _ = open_session(browser, base, "?zeit=365")
            log_in(page)
            page.get_by_role("link", name="Karte").click()
            page.get_by_text("Nicht platzierte Meldungen").wait_for(timeout=TIMEOUT_MS)
            wait_usable(page, "Karte")
            for i in range(runs):
                def click(i=i) -> None:
                    container = page.frame_locator(
                        "iframe[title*='streamlit_folium']").first.locator(
                        ".leaflet-container").first
                    box = container.bounding_box()
                    container.click(position={"x": box["width"] * (0.45 + 0.03 * i),
                                              "y": box["height"] * 0.5})
                note("map click", timed(page, click, "Karte", text="Gewählter Punkt"))
            note("hand placement", timed(
                page, lambda: page.get_by_role("button", name="Hier platzieren").click(),
                "Karte", text="von Hand platziert"))
            page.context.close()
            browser.close()
        finally:
            proc.terminate()
            proc.wait(timeout=30)
    return times


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("stores", nargs="*", type=Path)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--build", nargs=2, metavar=("ROWS", "FILE"),
                        help="build a demo store with ROWS reports into FILE and stop")
    args = parser.parse_args()
    if args.build:
        build_store(int(args.build[0]), Path(args.build[1]))
        return
    from reports.storage.store import Store

    print(f"Chromium {VIEWPORT['width']}×{VIEWPORT['height']}, seconds from the action to a "
          f"usable page (median / max of {args.runs} runs; cold start: one run)")
    print(f"{'reports':>10} | {'operation':<15} | {'median s':>8} | {'max s':>6}")
    print("-" * 50)
    for store in args.stores:
        opened = Store.open(f"sqlite:///{store}")
        n = opened.count_reports()
        opened.close()
        for name, values in measure(store, args.runs).items():
            print(f"{n:>10,} | {name:<15} | {statistics.median(values):>8.2f} | "
                  f"{max(values):>6.2f}", flush=True)
    print(f"load average at the end: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
