"""Reading pages while the store cannot be read: a full disk (SQLite cannot grow its
shared-memory file, the error a real full disk gives) and a file another program holds
locked. Each page that was shown before shows its last good data with a note saying what is
wrong and how old the data is; without such data, the fault's German message — never a
blank page or Streamlit's English error."""

from __future__ import annotations

import sqlite3

import pytest
from streamlit.testing.v1 import AppTest

from config.paths import PROJECT_DIR
from reports.privacy.access import Role
from tests.helpers import demo_database

READING_PAGES = {"app_pages/ueberblick.py": "Meldungen gesamt",
                 "app_pages/karte.py": "Meldungen des Filters",
                 "app_pages/trends.py": "Meldungen je Woche",
                 "app_pages/sitzung.py": "Tagesordnung"}
ENGLISH = ("disk I/O error", "database is locked", "OperationalError", "Traceback", "sqlite")


@pytest.fixture(scope="module")
def demo_url(tmp_path_factory):
    return demo_database(tmp_path_factory, "read_faults", rows=1500)


@pytest.fixture
def app(demo_url, monkeypatch):
    import streamlit as st

    monkeypatch.setenv("DATABASE_URL", demo_url)
    st.cache_resource.clear()
    st.cache_data.clear()
    at = AppTest.from_file(str(PROJECT_DIR / "dashboard.py"), default_timeout=180)
    at.session_state["role"] = Role.PUBLIC
    yield at
    st.cache_resource.clear()
    st.cache_data.clear()


def shown(at: AppTest) -> str:
    """Everything a visitor reads on the page (texts of all kinds of elements)."""
    parts = [e.value for kind in (at.title, at.subheader, at.caption, at.markdown, at.info,
                                  at.warning, at.error) for e in kind]
    parts += [m.label for m in at.metric]
    return " ".join(str(p) for p in parts)


def close_connections() -> None:
    """Close the pooled connections of every store the dashboard opened (its cached one),
    so the next read opens a new connection."""
    import gc

    from reports.storage.store import Store

    for store in [o for o in gc.get_objects() if isinstance(o, Store)]:
        store.engine.dispose()


def fill_disk(monkeypatch) -> None:
    """From now on every new connection fails as SQLite fails on a full disk (measured on a
    full tmpfs: opening a WAL database cannot grow its ``-shm`` file, SQLITE_IOERR_SHMSIZE);
    the pool's open connections are closed, so the next read needs a new one."""
    def full(*args, **kwargs):
        error = sqlite3.OperationalError("disk I/O error")
        error.sqlite_errorcode = 4874  # SQLITE_IOERR_SHMSIZE
        error.sqlite_errorname = "SQLITE_IOERR_SHMSIZE"
        raise error

    monkeypatch.setattr(sqlite3.dbapi2, "connect", full)  # the module SQLAlchemy calls
    close_connections()


def lock_file(demo_url: str, monkeypatch) -> sqlite3.Connection:
    """Another program holds the file in SQLite's exclusive locking mode (as a backup tool or
    an sqlite3 shell may); readers wait ``BUSY_TIMEOUT_MS`` (shortened here) and give up."""
    from reports.storage import store

    monkeypatch.setattr(store, "BUSY_TIMEOUT_MS", 300)
    close_connections()
    holder = sqlite3.connect(demo_url.removeprefix("sqlite:///"), isolation_level=None)
    holder.execute("PRAGMA locking_mode=EXCLUSIVE")
    holder.execute("BEGIN EXCLUSIVE")
    holder.execute("UPDATE meta SET value = value WHERE key = 'version'")
    holder.execute("COMMIT")  # the exclusive lock stays until the connection closes
    return holder


def visit_all(at: AppTest) -> dict[str, str]:
    at.run()
    seen = {}
    for page in READING_PAGES:
        at.switch_page(page).run()
        assert not at.exception, at.exception
        seen[page] = shown(at)
    return seen


def test_a_full_disk_shows_each_reading_page_from_its_last_good_data(app, monkeypatch):
    before = visit_all(app)
    for page, content in READING_PAGES.items():
        assert content in before[page] and "Stand:" not in before[page], page
    overview = next(m.value for m in app.switch_page("app_pages/ueberblick.py").run().metric
                    if m.label == "Meldungen gesamt")
    app.switch_page("app_pages/karte.py").run()
    app.multiselect(key="karte_layers").select("measures").run()  # measures: read directly
    assert not app.exception
    fill_disk(monkeypatch)
    for page, content in READING_PAGES.items():
        app.switch_page(page).run()
        assert not app.exception, (page, app.exception)
        text = shown(app)
        assert content in text, page  # the page's data, not a blank page
        assert not app.error, (page, [e.value for e in app.error])  # nothing cut short
        note = " ".join(w.value for w in app.warning)
        assert "kein Speicherplatz mehr frei" in note and "Stand:" in note, (page, note)
        for english in ENGLISH:
            assert english not in text, (page, english)
    app.switch_page("app_pages/ueberblick.py").run()
    assert next(m.value for m in app.metric if m.label == "Meldungen gesamt") == overview
    app.switch_page("app_pages/karte.py").run()
    app.multiselect(key="karte_layers").select("measures").run()
    assert not app.exception and not app.error, [e.value for e in app.error]


def test_without_last_good_data_a_full_disk_is_named_in_german(app, monkeypatch):
    app.run()  # the sidebar has read the store once; the Sitzung page has not
    fill_disk(monkeypatch)
    app.switch_page("app_pages/sitzung.py").run()
    assert not app.exception
    errors = " ".join(e.value for e in app.error)
    assert "kein Speicherplatz mehr frei" in errors
    assert "Tagesordnung" not in shown(app)


def test_a_locked_file_shows_the_last_good_data_and_says_it_is_locked(app, demo_url,
                                                                     monkeypatch):
    visit_all(app)
    holder = lock_file(demo_url, monkeypatch)
    try:
        for page, content in READING_PAGES.items():
            app.switch_page(page).run()
            assert not app.exception, (page, app.exception)
            assert content in shown(app), page
            note = " ".join(w.value for w in app.warning)
            assert "von einem anderen Vorgang gesperrt" in note and "Stand:" in note, note
    finally:
        holder.close()
    app.switch_page("app_pages/ueberblick.py").run()  # the lock is gone: no note any more
    assert not any("Stand:" in w.value for w in app.warning)
