"""Helpers shared by tests: the real reference data, the real PostgreSQL server and a demo
store built through the real importers."""

from __future__ import annotations

import functools
import os
import socket
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
import sqlalchemy as sa

if TYPE_CHECKING:
    from geo.geography import Geography

REFERENCE_DIR = Path(__file__).resolve().parents[2] / "shared" / "data" / "reference"
POSTGRES_URL = os.environ.get(
    "TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


def reference_dir(sub: str) -> Path:
    """A folder of the real public Leipzig data; skips the test where it is absent."""
    path = REFERENCE_DIR / sub
    if not path.exists():
        pytest.skip(f"reference data {path} is absent (it lives in ../shared, not in the project)")
    return path


def _postgres_answers() -> bool:
    url = sa.make_url(POSTGRES_URL)
    try:
        with socket.create_connection((url.host or "127.0.0.1", url.port or 5432), timeout=2):
            return True
    except OSError:
        return False


@contextmanager
def postgres_url_for_test() -> Iterator[str]:
    """A PostgreSQL URL whose connections see only a fresh, empty schema (dropped afterwards),
    so tests running in parallel never see each other's tables. Skips where no server answers,
    but fails in CI (CI=true), where the PostgreSQL tests must run."""
    if not _postgres_answers():
        url = sa.make_url(POSTGRES_URL)
        reason = f"no PostgreSQL server answers at {url.host}:{url.port or 5432}"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"{reason}, but CI=true requires the PostgreSQL tests to run")
        pytest.skip(reason)
    name = f"t_{uuid.uuid4().hex[:16]}"
    admin = sa.create_engine(POSTGRES_URL)
    try:
        with admin.begin() as conn:
            conn.exec_driver_sql(f"CREATE SCHEMA {name}")
        url = sa.make_url(POSTGRES_URL).update_query_dict({"options": f"-csearch_path={name}"})
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.begin() as conn:
            conn.exec_driver_sql(f"DROP SCHEMA IF EXISTS {name} CASCADE")
        admin.dispose()


@functools.cache
def shipped_geography() -> Geography:
    """The shipped geography (no official files), built once per test process: it is
    immutable, so tests share it; a test of another geography builds its own with
    ``geo.geography.load_geography``."""
    from geo.geography import load_geography

    return load_geography()


def shipped_geocoder():
    """The shipped geography's geocoder (built on first use, a few seconds, then shared)."""
    return shipped_geography().geocoder


def demo_database(tmp_path_factory, name: str, rows: int = 3000,
                  users: tuple[tuple[str, str, str], ...] = ()) -> str:
    """URL of a fresh SQLite demo store built through the real importers, with ``users``
    (name, password, role) added (for page and browser tests)."""
    from demo import build_demo
    from reports.privacy.access import Role
    from reports.privacy.auth import add_user
    from reports.storage.store import Store

    base = tmp_path_factory.mktemp(name)
    url = f"sqlite:///{base / 'demo.sqlite'}"
    store = Store.open(url)
    build_demo(store, shipped_geography(), rows=rows, workdir=base / "work")
    for username, password, role in users:
        add_user(store, username, password, Role(role))
    store.close()
    return url


def reports_at(x, y, occurred_at, category: str = "illegale_muellablagerung",
               sensitivity: str = "public"):
    """A REPORT_COLUMNS frame of reports at EPSG:25833 points and times (tz-aware), with
    stable ids, for tests that store and reload reports."""
    import numpy as np
    import pandas as pd

    from geo.crs import to_display
    from reports.model import RECORD_KEY, RECORD_KEY_RANGE, REPORT_COLUMNS, stable_id, vocabulary

    x, y = np.asarray(x, "float64"), np.asarray(y, "float64")
    lon, lat = to_display(x, y)
    refs = [f"t-{k}" for k in range(len(x))]
    times = pd.to_datetime(pd.Series(occurred_at)).reset_index(drop=True)
    return pd.DataFrame({
        "id": [stable_id("stadtreinigung", r) for r in refs], "source": "stadtreinigung",
        "source_ref": refs, "topic": vocabulary().categories[category].topic,
        "category": category, "occurred_at": times, "reported_at": times, "address": None,
        "lon": lon, "lat": lat, "x": x, "y": y,
        "ortsteil": shipped_geography().assign_ortsteil(x, y),
        "geocode_status": "coordinates", "precision_m": 5.0, "count": 1, "description": None,
        "sensitivity": sensitivity, "batch_id": "test", "content_hash": refs,
    }).astype(REPORT_COLUMNS).assign(**{RECORD_KEY: np.random.default_rng(len(x)).integers(
        0, RECORD_KEY_RANGE, len(x), dtype=np.int64)})


CHROMIUM = Path("/usr/bin/chromium")
# Headless Chromium without its own network traffic (the machine reaches no outside host).
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--disable-quic"]


def require_chromium() -> None:
    """Skip a browser test where Debian's Chromium is absent; fail in CI, which installs it."""
    if not CHROMIUM.exists():
        reason = f"{CHROMIUM} is missing (Debian package chromium)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"{reason}, but CI=true requires the browser tests to run")
        pytest.skip(reason)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def dashboard_server(database_url: str, log_dir: Path | None = None) -> Iterator[str]:
    """``streamlit run dashboard.py`` on a free loopback port with the offline basemap (what a
    fresh installation shows); yields its base URL and stops it afterwards."""
    import subprocess
    import sys
    import tempfile
    import time
    import urllib.request

    from config.paths import PROJECT_DIR

    port = free_port()
    env = {**os.environ, "DATABASE_URL": database_url, "LAGEBILD_TILE_URL": ""}
    log_path = Path(log_dir or tempfile.mkdtemp(prefix="streamlit-")) / f"streamlit-{port}.log"
    with log_path.open("w") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", str(PROJECT_DIR / "dashboard.py"),
             "--server.headless", "true", "--server.port", str(port),
             "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false",
             "--server.fileWatcherType", "none"],
            cwd=PROJECT_DIR, env=env, stdout=log, stderr=subprocess.STDOUT)
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 90
            while True:
                try:
                    with urllib.request.urlopen(f"{base}/_stcore/health", timeout=2) as answer:
                        if answer.status == 200:
                            break
                except OSError:
                    pass
                if proc.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"streamlit did not start: {log_path.read_text()[-2000:]}")
                time.sleep(0.3)
            yield base
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()


def submit_concern(store, form, session: str = "s1", now: float | None = None,
                   ip: str = "192.0.2.1") -> int:
    """File an Anliegen as the page does, with a small solved puzzle issued a minute
    before ``now``; returns its number."""
    import time

    from reports.coordination import concerns

    now = time.time() if now is None else now
    puzzle = concerns.Puzzle(f"test-{session}-{now}", now - 60, bits=6)
    return concerns.submit(store, form, concerns.Sender(session, ip), puzzle,
                           concerns.solve(puzzle), geocoder=shipped_geocoder(), now=now).id
