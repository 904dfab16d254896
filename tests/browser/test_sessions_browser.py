"""Sessions people can rely on, in headless Chromium against `streamlit run dashboard.py`:
a log-in survives F5 with the same view, a shared link opened in a fresh logged-in context
shows exactly its view, a logged-out cookie is refused when replayed, and two dashboard
processes on one store accept the same session."""

from __future__ import annotations

import pytest

from tests.helpers import (
    CHROMIUM,
    CHROMIUM_FLAGS,
    dashboard_server,
    demo_database,
    require_chromium,
)

pytestmark = pytest.mark.browser

MEMBER = ("mitglied1", "ein-langes-testpasswort-7")
COOKIE = "lagebild_session"


@pytest.fixture(scope="module")
def store_url(tmp_path_factory):
    require_chromium()
    return demo_database(tmp_path_factory, "sessions", rows=2000,
                         users=((*MEMBER, "mitglied"),))


@pytest.fixture(scope="module")
def server(store_url):
    with dashboard_server(store_url) as address:
        yield address


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield chromium
        chromium.close()


def _role(page) -> str:
    caption = page.get_by_text("Rolle: ").first
    caption.wait_for(timeout=60_000)
    return caption.inner_text().removeprefix("Rolle: ").strip()


def _wait_until_role(page, role: str) -> None:
    page.get_by_text(f"Rolle: {role}", exact=True).wait_for(timeout=60_000)


def _log_in(page, base: str) -> None:
    page.goto(f"{base}/anmelden")
    page.get_by_label("Benutzername").fill(MEMBER[0])
    page.get_by_label("Passwort").fill(MEMBER[1])
    page.get_by_role("button", name="Anmelden").click()
    page.get_by_text("Angemeldet als").wait_for(timeout=60_000)
    # the browser exchanges the grant for the cookie right after the log-in
    for _ in range(100):
        if any(c["name"] == COOKIE for c in page.context.cookies()):
            return
        page.wait_for_timeout(100)
    pytest.fail("the session cookie was never set")


def test_log_in_survives_reload_and_the_cookie_is_httponly(server, browser):
    context = browser.new_context()
    page = context.new_page()
    _log_in(page, server)
    cookie = next(c for c in context.cookies() if c["name"] == COOKIE)
    assert cookie["httpOnly"] and cookie["sameSite"] == "Strict" and cookie["path"] == "/"
    assert COOKIE not in page.evaluate("document.cookie")  # scripts cannot read it
    assert cookie["value"] not in page.url
    page.goto(f"{server}/karte?zeit=365&thema=umwelt")
    _wait_until_role(page, "Mitglied")
    page.reload()  # F5
    _wait_until_role(page, "Mitglied")
    assert "thema=umwelt" in page.url and "zeit=365" in page.url
    page.get_by_role("heading", name="Karte").wait_for(timeout=60_000)
    fresh = context.new_page()  # a new tab of the same browser
    fresh.goto(f"{server}/")
    _wait_until_role(fresh, "Mitglied")
    context.close()


def test_log_out_revokes_the_cookie_even_when_replayed(server, browser):
    context = browser.new_context()
    page = context.new_page()
    _log_in(page, server)
    old = [c for c in context.cookies() if c["name"] == COOKIE]
    page.get_by_role("button", name="Abmelden").click()
    _wait_until_role(page, "Öffentlich")
    page.reload()
    _wait_until_role(page, "Öffentlich")
    context.close()
    thief = browser.new_context()  # someone who copied the old cookie
    thief.add_cookies(old)
    page = thief.new_page()
    page.goto(f"{server}/")
    page.get_by_role("heading", name="Überblick").wait_for(timeout=60_000)
    assert _role(page) == "Öffentlich"
    thief.close()


def test_two_dashboard_processes_share_one_session(store_url, server, browser):
    context = browser.new_context()
    page = context.new_page()
    _log_in(page, server)
    with dashboard_server(store_url) as second:
        # cookies belong to the host, not the port: the second replica receives the same one
        page.goto(f"{second}/")
        _wait_until_role(page, "Mitglied")
    context.close()


LINK = ("karte?zeit=365&ebenen=cells&ebenen=hotspots&zelle=250&form=hex&zoom=15"
        "&mitte=51.34660,12.41100&punkt=51.34660,12.41100")


def _shows_the_linked_view(page) -> None:
    page.get_by_role("heading", name="Karte").wait_for(timeout=60_000)
    page.get_by_text("250-m-Zelle bei", exact=False).first.wait_for(timeout=120_000)
    frame = page.frame_locator("iframe[title*='streamlit_folium']").first
    frame.locator(".leaflet-container").first.wait_for(timeout=60_000)
    page.wait_for_timeout(1500)  # st_folium reports the map's position back once
    assert frame.locator("body").evaluate("() => map_div.getZoom()") == 15
    lat, lon = frame.locator("body").evaluate(
        "() => [map_div.getCenter().lat, map_div.getCenter().lng]")
    assert abs(lat - 51.3466) < 0.001 and abs(lon - 12.411) < 0.001
    for part in ("ebenen=cells", "ebenen=hotspots", "zelle=250", "form=hex", "zoom=15",
                 "punkt=51.34660%2C12.41100"):
        assert part in page.url.replace(",", "%2C"), (part, page.url)


def test_a_shared_link_opens_the_same_view_for_members_and_the_public(server, browser):
    member = browser.new_context(viewport={"width": 1600, "height": 1000})
    page = member.new_page()
    _log_in(page, server)
    page.goto(f"{server}/{LINK}")
    _shows_the_linked_view(page)
    assert _role(page) == "Mitglied"
    page.reload()  # F5: still the member, still the same view
    _shows_the_linked_view(page)
    assert _role(page) == "Mitglied"
    page.screenshot(path="test-artifacts/session_link_member.png")
    member.close()
    public = browser.new_context(viewport={"width": 1600, "height": 1000})
    page = public.new_page()
    page.goto(f"{server}/{LINK}")
    _shows_the_linked_view(page)
    assert _role(page) == "Öffentlich"
    public.close()
