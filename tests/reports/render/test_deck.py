"""The projector deck: one self-contained HTML file (no request to anyone, maps embedded),
one slide per agenda item in the agenda's order with its map, text escaped; and in
Chromium: every slide fits 1920×1080, 1280×720 and 1024×768 without anything cut, and the
keys step through it."""

from __future__ import annotations

import re
import time

import pytest

from config.clock import today as real_today
from config.paths import PROJECT_DIR
from reports.coordination import concerns
from reports.coordination.agenda import add_free_item
from reports.coordination.concerns import ConcernForm
from reports.privacy.access import Role
from reports.render.deck import build_deck
from reports.storage.store import Store
from reports.views.meeting import agenda_for
from tests.helpers import CHROMIUM, CHROMIUM_FLAGS, require_chromium, submit_concern
from tests.reports.render.test_handout import BOUNDARY, _street_clusters, _street_point

ARTIFACTS = PROJECT_DIR / "test-artifacts" / "deck"
HOSTILE = "Sperrmüll <script>alert(1)</script> & $x$"


@pytest.fixture(scope="module")
def decks(tmp_path_factory):
    """Member and public deck of one session (clusters on nine streets, a concern with
    hostile text, a free item moved to the top by Redaktion, a measure due)."""
    from geo.crs import to_display
    from reports.coordination.agenda import move_item

    day = real_today()
    store = Store.open(f"sqlite:///{tmp_path_factory.mktemp('deck') / 'd.sqlite'}")
    meeting = _street_clusters(store, day)
    x, y = _street_point("Eisenbahnstraße", 0.5)
    lon, lat = to_display(x, y)
    concern = submit_concern(store, ConcernForm("umwelt", HOSTILE, lon=float(lon),
                                                lat=float(lat)), now=time.time() - 10 * 86400)
    concerns.accept(store, concern, "illegale_muellablagerung", "red")
    free = add_free_item(store, meeting, "Bericht <Quartiersmanagement>", "Notiz", "red")
    member = agenda_for(store, meeting, Role.MEMBER, day, boundary=BOUNDARY)
    move_item(store, member, free, -len(member.items), "red")
    member = agenda_for(store, meeting, Role.MEMBER, day, boundary=BOUNDARY)
    public = agenda_for(store, meeting, Role.PUBLIC, day, boundary=BOUNDARY)
    store.close()
    return {"mitglied": (member, build_deck(member, BOUNDARY, True, day)),
            "oeffentlich": (public, build_deck(public, BOUNDARY, True, day))}


def test_deck_is_one_self_contained_file_in_the_agendas_order(decks):
    for role, (agenda, deck) in decks.items():
        assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", deck), role
        assert "<link" not in deck and "@import" not in deck and "url(" not in deck
        images = re.findall(r'<img src="([^"]+)"', deck)
        assert images and all(i.startswith("data:image/png;base64,") for i in images)
        titles = re.findall(r'<section class="slide" data-title="([^"]*)"', deck)
        import html

        assert [html.unescape(t) for t in titles[1:]] == [i.title for i in agenda.items]
        assert agenda.items[0].kind == "free"  # Redaktion's order, for every role
        # maps: the situation, every hot section, every measure; the concern for members
        with_map = [i for i in agenda.items if i.kind in ("situation", "hotspot", "measure")
                    or (i.kind == "concern" and i.area is not None)]
        assert len(images) == len(with_map) + 1  # and the district beside the agenda
        assert "<script>alert" not in deck.split("<script>", 1)[0]
        assert "Bericht &lt;Quartiersmanagement&gt;" in deck
    member, public = decks["mitglied"][1], decks["oeffentlich"][1]
    assert "Sperrmüll &lt;script&gt;" in member and "Sperrmüll" not in public
    assert "Notiz" in member and ">Notiz<" not in public
    keys = [[i.key for i in a.items if i.kind != "hotspot"] for a, _ in decks.values()]
    assert keys[0] == keys[1]


FITS = """() => {
  const bad = [], w = window.innerWidth, h = window.innerHeight;
  const slide = document.querySelector('.slide.on');
  slide.querySelectorAll('*').forEach(e => {
    const r = e.getBoundingClientRect();
    if (r.width && (r.right > w + 1 || r.bottom > h + 1 || r.left < -1 || r.top < -1))
      bad.push(e.tagName + ' ' + Math.round(r.right) + 'x' + Math.round(r.bottom));
  });
  slide.querySelectorAll('.text').forEach(e => {
    if (e.scrollHeight > e.clientHeight + 1 || e.scrollWidth > e.clientWidth + 1)
      bad.push('text overflows ' + e.scrollHeight + '>' + e.clientHeight);
  });
  document.querySelectorAll('nav button, nav .where').forEach(e => {
    const r = e.getBoundingClientRect();
    if (r.right > w + 1 || r.bottom > h + 1 || e.scrollWidth > e.clientWidth + 1)
      bad.push('nav ' + e.textContent);
  });
  const heading = slide.querySelector('h1, h2').getBoundingClientRect();
  if (heading.height < 24) bad.push('small heading');
  return bad.slice(0, 5);
}"""


@pytest.mark.browser
def test_every_slide_fits_the_projector_and_keys_step(decks, tmp_path):
    require_chromium()
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    problems = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS)
        try:
            for role, (_, deck) in decks.items():
                path = tmp_path / f"{role}.html"
                path.write_text(deck, encoding="utf-8")
                for width, height in ((1920, 1080), (1280, 720), (1024, 768)):
                    page = browser.new_page(viewport={"width": width, "height": height})
                    requests: list[str] = []
                    page.on("request", lambda r, seen=requests: seen.append(r.url))
                    page.goto(path.as_uri())
                    count = page.evaluate("window.lagebildDeck.count")
                    for k in range(count):
                        page.evaluate(f"window.lagebildDeck.show({k})")
                        for problem in page.evaluate(FITS):
                            problems.append(f"{role} {width}×{height} slide {k + 1}: {problem}")
                        page.screenshot(path=str(ARTIFACTS / f"{role}_{width}_{k + 1}.png"))
                    assert all(u.startswith(("file:", "data:")) for u in requests), requests
                    page.close()
            page = browser.new_page(viewport={"width": 1280, "height": 720})
            page.goto((tmp_path / "mitglied.html").as_uri())
            count = page.evaluate("window.lagebildDeck.count")
            slide = "() => document.body.getAttribute('data-slide')"
            for key, expected in (("ArrowRight", "2"), ("PageDown", "3"), ("PageUp", "2"),
                                  ("ArrowLeft", "1"), ("End", str(count))):
                page.keyboard.press(key)
                assert page.evaluate(slide) == expected, key
            page.get_by_role("button", name="vorherige Folie").click()
            assert page.evaluate(slide) == str(count - 1)
            assert "Folie" in page.locator("#where").inner_text()
        finally:
            browser.close()
    assert not problems, "\n".join(problems)
