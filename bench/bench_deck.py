"""How fast the projector deck steps, in headless Chromium against a real `streamlit run`.

On a copy of a store (built as for `bench_browser.py`: `bench/bench_browser.py --build 30000
/tmp/s30k.sqlite`), Redaktion plans a session in ten days if none lies ahead, opens the
Präsentation page and steps through the deck with the keyboard (→ on the page, the deck
listens there too), timing each step from the key press until the next slide is shown;
then back with ←. Also: the first view of the page (the deck is built once per agenda)
and a second view (cached), and the deck's size.

`.venv/bin/python bench/bench_deck.py /tmp/s30k.sqlite [--steps 20]`
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.bench_browser import (
    CHROMIUM,
    FLAGS,
    free_port,
    log_in,
    start_server,
    wait_health,
)

SHOWN = "n => document.body.getAttribute('data-slide') === String(n)"


def plan_session(path: Path) -> None:
    from config.clock import today
    from reports.coordination.meetings import Meeting, add_meeting, next_meeting
    from reports.storage.store import Store

    store = Store.open(f"sqlite:///{path}")
    if next_meeting(store, today()) is None:
        add_meeting(store, Meeting(today() + timedelta(days=10), "Plenum (Bench)", "18:30"),
                    "bench")
    store.close()


def measure(path: Path, steps: int) -> dict:
    from playwright.sync_api import sync_playwright

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    proc = start_server(path, port)
    try:
        wait_health(base, proc)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
            page = browser.new_page(viewport={"width": 1920, "height": 1080})
            page.goto(base)
            page.get_by_role("link", name="Anmelden").wait_for(timeout=300_000)
            log_in(page)
            views = []
            for _ in range(2):
                start = time.perf_counter()
                page.goto(f"{base}/praesentation")
                frame = page.frame_locator("iframe").first
                frame.locator("#where").wait_for(timeout=300_000)
                views.append(time.perf_counter() - start)
            deck = page.frame(url="about:srcdoc") or next(
                f for f in page.frames if f != page.main_frame)
            count = deck.evaluate("window.lagebildDeck.count")
            size = len(deck.content().encode("utf-8"))
            page.mouse.click(5, 5)  # focus on the page, outside the deck's frame
            times = []
            current = 1
            for k in range(steps):
                forward = (k // (count - 1)) % 2 == 0
                target = current + (1 if forward else -1)
                start = time.perf_counter()
                page.keyboard.press("ArrowRight" if forward else "ArrowLeft")
                deck.wait_for_function(SHOWN, arg=target, polling="raf", timeout=30_000)
                times.append(time.perf_counter() - start)
                current = target
            browser.close()
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    return {"slides": count, "bytes": size, "first": views[0], "again": views[1],
            "steps": times}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("store", type=Path)
    parser.add_argument("--steps", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "store.sqlite"
        shutil.copy(args.store, copy)
        plan_session(copy)
        result = measure(copy, args.steps)
    steps = result["steps"]
    print(f"deck: {result['slides']} slides, {result['bytes'] / 1e6:.1f} MB HTML")
    print(f"{'operation':34} | {'median s':>8} | {'max s':>6} | {'n':>3}")
    print("-" * 60)
    print(f"{'first view (deck built)':34} | {result['first']:8.2f} | {result['first']:6.2f} | "
          f"{1:3d}")
    print(f"{'second view (cached)':34} | {result['again']:8.2f} | {result['again']:6.2f} | "
          f"{1:3d}")
    print(f"{'step (key -> next slide shown)':34} | {statistics.median(steps):8.3f} | "
          f"{max(steps):6.3f} | {len(steps):3d}")


if __name__ == "__main__":
    main()
