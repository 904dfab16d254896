"""The drawn-area attack of issue 22 through the real Trends page, as an anonymous visitor in
headless Chromium: the attacker wants a small drawn area on one cell, grouped by Kategorie,
and to tell an empty cell from one with a few reports by what the page shows.

The public is offered no drawn area (nor a stretch of street by house numbers) and the page
draws no drawing tool; a member on the same page is offered both (so the test reads the
control it claims to). The second road of the attack, a URL filter that selects nothing
against one that selects a few reports, shows the same page: the same sentence, the same
elements, only the category's name differs."""

from __future__ import annotations

import re

import pytest

from reports.model import vocabulary
from tests.browser.test_public_counts_browser import clustered_reports
from tests.browser.test_xss_browser import Session, _store, chromium
from tests.helpers import dashboard_server

pytestmark = pytest.mark.browser
__all__ = ["chromium"]
K = 5


def _places(session: Session) -> list[str]:
    control = session.page.locator('[data-testid="stMain"] [data-testid="stButtonGroup"]')
    texts = [control.nth(i).inner_text() for i in range(control.count())]
    return [t for t in texts if "ganzer Filter" in t]


def _draw_tools(session: Session) -> int:
    return sum(frame.locator(".leaflet-draw").count() for frame in session.page.frames)


def _main_text(session: Session) -> str:
    return session.page.locator('[data-testid="stMain"]').inner_text()


def test_the_public_cannot_draw_and_an_empty_filter_reads_like_a_small_one(chromium, tmp_path):
    frame = clustered_reports()
    vocab = vocabulary()
    public = frame[(frame["sensitivity"] == "public")
                   & ~frame["category"].isin(vocab.restricted_categories)]
    counts = public["category"].value_counts()
    few = next(c for c, n in counts.items() if 0 < n < K)
    none = next(c for c, cat in vocab.categories.items()
                if not cat.restricted and c not in counts.index)
    store = _store(tmp_path / "store.sqlite", frame)
    with dashboard_server(store.url) as base:
        anon = Session(chromium)
        anon.page.goto(f"{base}/trends")
        anon.idle()
        places = _places(anon)
        assert places and "Hotspot" in places[0]
        assert "gezeichnete Fläche" not in places[0] and "Straßenabschnitt" not in places[0]
        assert _draw_tools(anon) == 0

        shown = {}
        for key in (none, few):
            anon.page.goto(f"{base}/trends?kategorie={key}")
            anon.idle()
            shown[key] = _main_text(anon)
        anon.context.close()
        assert "unter 5 Meldungen" in shown[few]
        blank = [re.sub(re.escape(vocab.categories[k].label), "KATEGORIE", t)
                 for k, t in shown.items()]
        assert blank[0] == blank[1]

        member = Session(chromium)
        member.page.goto(base)
        member.idle()
        member.log_in("mitglied")
        member.open_page("Trends")
        places = _places(member)
        assert places and "gezeichnete Fläche" in places[0] and "Straßenabschnitt" in places[0]
        member.page.get_by_text("gezeichnete Fläche").first.click()
        member.idle()
        assert _draw_tools(member) > 0
        member.context.close()
