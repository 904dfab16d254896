"""Store faults provoked for real: a read-only store, a full disk, a lost PostgreSQL
connection, a server that does not answer. Each ends in a named ``StoreError`` with a German
message saying what happened and that nothing was half-written — on the command line and
on a page — and the store is as it was."""

from __future__ import annotations

import subprocess
import sys
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa

from config.paths import PROJECT_DIR
from reports.ingest.pipeline import import_file
from reports.storage.faults import (
    NOTHING_HALF_WRITTEN,
    StoreFull,
    StoreReadOnly,
    StoreUnavailable,
    translate,
)
from reports.storage.store import Store
from tests.helpers import shipped_geocoder

HEADER = "Vorgangsnummer;Tatzeit;Delikt;Tatort;Sachverhalt;Rechtswert;Hochwert"
ENGLISH = ("sqlalche.me", "Background on this error", "OperationalError", "readonly database",
           "disk is full", "database is locked", "Traceback", "terminating connection",
           "psycopg", "connection failed")


def partner_file(path: Path, first: int, last: int) -> Path:
    rows = [f"P-{i};{1 + i % 28:02d}.10.2025 18:30;BtM-Handel;Eisenbahnstraße {1 + i % 90};"
            f"{'Sachverhalt ' * 20};;" for i in range(first, last)]
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    return path


def sqlite_store(tmp_path: Path, rows: int = 20) -> Store:
    store = Store.open(f"sqlite:///{tmp_path / 'store.sqlite'}")
    import_file(store, partner_file(tmp_path / "erst.csv", 0, rows), "polizei",
                geocoder=shipped_geocoder())
    return store


def read_only_url(tmp_path: Path) -> str:
    return f"sqlite:///file:{tmp_path / 'store.sqlite'}?mode=ro&uri=true"


def cli(args: list[str], url: str) -> subprocess.CompletedProcess:
    env = {"DATABASE_URL": url, "PATH": "/usr/bin:/bin", "HOME": "/tmp"}
    return subprocess.run([sys.executable, "-m", "lagebild", *args], cwd=PROJECT_DIR, env=env,
                          capture_output=True, text=True, timeout=300)


def assert_german_only(text: str) -> None:
    assert NOTHING_HALF_WRITTEN.split(":")[0] in " ".join(text.split())
    for english in ENGLISH:
        assert english not in text, text


# -- read-only ---------------------------------------------------------------------------------


def test_a_read_only_store_is_listed_without_migrating_and_refuses_writes(tmp_path):
    sqlite_store(tmp_path).close()
    for store in (Store.open(read_only_url(tmp_path)),  # DATABASE_URL with mode=ro
                  Store.open(f"sqlite:///{tmp_path / 'store.sqlite'}", read_only=True)):
        assert store.count_reports() == 20 and len(store.list_batches()) == 1
        assert store.migration_revisions()[0] == store.migration_revisions()[1]
        with pytest.raises(StoreReadOnly) as exc:
            import_file(store, partner_file(tmp_path / "neu.csv", 100, 110), "polizei",
                        geocoder=shipped_geocoder())
        assert "schreibgeschützt" in str(exc.value) and NOTHING_HALF_WRITTEN in str(exc.value)
        assert store.count_reports() == 20
        store.close()


def test_a_read_only_store_behind_the_code_is_refused_in_german(tmp_path):
    store = sqlite_store(tmp_path)
    with store.transaction() as conn:  # as if written by an older version
        conn.exec_driver_sql("UPDATE alembic_version SET version_num = '0001'")
    store.close()
    with pytest.raises(StoreReadOnly, match="schreibgeschützt"):
        Store.open(read_only_url(tmp_path))


def test_cli_lists_a_read_only_store_and_refuses_an_import_in_german(tmp_path):
    sqlite_store(tmp_path).close()
    listed = cli(["quarantine"], read_only_url(tmp_path))
    assert listed.returncode == 0, listed.stderr
    assert "Quarantäne (0 offen)" in listed.stdout
    refused = cli(["import", str(partner_file(tmp_path / "neu.csv", 100, 110)),
                   "--source", "polizei"], read_only_url(tmp_path))
    assert refused.returncode == 3
    assert "schreibgeschützt" in refused.stderr
    assert_german_only(refused.stderr + refused.stdout)


# -- full disk ---------------------------------------------------------------------------------


def fill_disk(store: Store) -> None:
    """SQLite's ``max_page_count`` at the file's current size on every connection: any
    write that needs a new page fails with SQLITE_FULL, as on a full disk."""
    with store.engine.connect() as conn:
        pages = conn.exec_driver_sql("PRAGMA page_count").scalar()

    @sa.event.listens_for(store.engine, "connect")
    def _limit(dbapi_conn, _record):
        dbapi_conn.execute(f"PRAGMA max_page_count={pages}")

    store.engine.dispose()


def test_a_full_disk_rolls_the_import_back_in_german(tmp_path):
    store = sqlite_store(tmp_path)
    before = store.load_reports().sort_values("id").reset_index(drop=True)
    fill_disk(store)
    with pytest.raises(StoreFull) as exc:
        import_file(store, partner_file(tmp_path / "gross.csv", 1000, 4000), "polizei",
                    geocoder=shipped_geocoder())
    assert "Speicherplatz" in str(exc.value) and NOTHING_HALF_WRITTEN in str(exc.value)
    after = store.load_reports().sort_values("id").reset_index(drop=True)
    assert after.equals(before) and len(store.list_batches()) == 1
    assert store.list_quarantine().empty
    store.close()


@pytest.fixture
def small_disk(tmp_path):
    """A 2 MB tmpfs (needs the right to mount, as root in a container has it)."""
    mount = tmp_path / "disk"
    mount.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(mount)],
                          capture_output=True, text=True)
    if done.returncode:
        pytest.skip(f"cannot mount a small tmpfs to fill: {done.stderr.strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def test_reading_on_a_really_full_disk_says_the_disk_is_full(small_disk):
    """What the attack met: SQLite cannot grow the ``-shm`` file it needs to read a WAL
    store, and the page said only that the file could not be opened or read."""
    url = f"sqlite:///{small_disk / 'store.sqlite'}"
    store = Store.open(url)
    import_file(store, partner_file(small_disk / "erst.csv", 0, 20), "polizei",
                geocoder=shipped_geocoder())
    store.close()  # the last connection removes -wal and -shm
    with (small_disk / "fill").open("wb", buffering=0) as fill, pytest.raises(OSError):
        while True:
            fill.write(b"x" * 65536)
    with pytest.raises(StoreFull) as exc:
        Store.open(url).count_reports()
    assert "kein Speicherplatz mehr frei" in str(exc.value)
    assert_german_only(str(exc.value))


def test_cli_reports_a_full_disk_in_german(tmp_path, monkeypatch, capsys):
    from lagebild import cli as cli_module

    sqlite_store(tmp_path).close()
    real_open = Store.open.__func__

    def full_store(cls, url=None, read_only=False):
        store = real_open(cls, url, read_only)
        fill_disk(store)
        return store

    monkeypatch.setattr(Store, "open", classmethod(full_store))
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'store.sqlite'}")
    code = cli_module.main(["import", str(partner_file(tmp_path / "g.csv", 1000, 4000)),
                            "--source", "polizei"])
    out = capsys.readouterr()
    assert code == 3
    assert "Speicherplatz des Datenbestands ist voll" in " ".join(out.err.split())
    assert_german_only(out.err + out.out)


def test_postgresql_faults_are_named_by_their_sqlstate():
    import psycopg

    assert isinstance(translate(psycopg.errors.DiskFull("no space")), StoreFull)
    assert isinstance(translate(psycopg.errors.ReadOnlySqlTransaction("ro")), StoreReadOnly)
    assert isinstance(translate(psycopg.errors.AdminShutdown("bye")), StoreUnavailable)
    assert translate(psycopg.errors.UniqueViolation("dup")) is None  # a bug stays a bug


# -- lost connection ---------------------------------------------------------------------------


@pytest.mark.postgres
def test_a_lost_postgresql_connection_mid_import_leaves_nothing(tmp_path):
    from tests.helpers import POSTGRES_URL, postgres_url_for_test

    with postgres_url_for_test() as base:
        name = f"lagebild_fault_{uuid.uuid4().hex[:8]}"
        url = sa.make_url(base).update_query_dict({"application_name": name})
        store = Store.open(url.render_as_string(hide_password=False))
        import_file(store, partner_file(tmp_path / "erst.csv", 0, 20), "polizei",
                    geocoder=shipped_geocoder())
        admin = sa.create_engine(POSTGRES_URL)

        def cut(done: int, total: int) -> None:  # a second connection ends the import's
            with admin.begin() as conn:
                conn.execute(sa.text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                                     "WHERE application_name = :name"), {"name": name})

        try:
            with pytest.raises(StoreUnavailable) as exc:
                import_file(store, partner_file(tmp_path / "neu.csv", 100, 400), "polizei",
                            progress=cut, geocoder=shipped_geocoder())
            assert "Verbindung" in str(exc.value) and NOTHING_HALF_WRITTEN in str(exc.value)
            assert_german_only(str(exc.value))
            assert store.count_reports() == 20 and len(store.list_batches()) == 1  # reconnects
        finally:
            store.close()
            admin.dispose()


def test_cli_without_a_database_server_says_so_in_german(tmp_path):
    done = cli(["quarantine"], "postgresql+psycopg://postgres@127.0.0.1:1/test")
    assert done.returncode == 3
    assert "nicht erreichbar" in done.stderr
    assert_german_only(done.stderr + done.stdout)


# -- pages -------------------------------------------------------------------------------------


DASHBOARD = str(PROJECT_DIR / "dashboard.py")


def app_test(url: str, monkeypatch):
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("DATABASE_URL", url)
    st.cache_resource.clear()
    st.cache_data.clear()
    return AppTest.from_file(DASHBOARD, default_timeout=180)


def test_the_dashboard_without_a_database_server_says_so_in_german(monkeypatch):
    at = app_test("postgresql+psycopg://postgres@127.0.0.1:1/test", monkeypatch)
    at.run()
    assert not at.exception
    shown = " ".join(e.value for e in at.error)
    assert "nicht erreichbar" in shown
    assert_german_only(shown)


def test_a_log_in_on_a_read_only_store_gets_a_german_message(tmp_path, monkeypatch):
    from reports.privacy.access import Role
    from reports.privacy.auth import add_user

    store = sqlite_store(tmp_path)
    add_user(store, "mia", "ein-langes-passwort", Role.MEMBER)
    store.close()
    at = app_test(read_only_url(tmp_path), monkeypatch)
    at.run()
    assert not at.exception
    at.switch_page("app_pages/anmelden.py").run()
    at.text_input[0].input("mia")
    at.text_input[1].input("ein-langes-passwort")
    at.button[0].click().run()
    assert not at.exception
    shown = " ".join(e.value for e in at.error)
    assert "schreibgeschützt" in shown
    assert_german_only(shown)


def test_a_connection_lost_while_a_page_reads_gives_its_german_message(tmp_path,
                                                                      monkeypatch):
    """Any page that meets a store fault shows the fault's message instead of Streamlit's
    error page."""
    sqlite_store(tmp_path).close()

    def lost(self, f=None):
        raise StoreUnavailable()

    monkeypatch.setattr(Store, "load_reports", lost)
    at = app_test(f"sqlite:///{tmp_path / 'store.sqlite'}", monkeypatch)
    at.run()
    assert not at.exception
    shown = " ".join(e.value for e in at.error)
    assert "Verbindung zum Datenbestand ist abgebrochen" in shown
