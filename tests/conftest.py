"""Shared fixtures: real SQLite files and the real PostgreSQL server."""

from __future__ import annotations

import pytest

from tests.helpers import postgres_url_for_test


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store(request, tmp_path):
    """A migrated, empty Store on each back end: a SQLite file, and a private PostgreSQL
    schema."""
    from reports.storage.store import Store

    if request.param == "sqlite":
        s = Store.open(f"sqlite:///{tmp_path / 'var' / 'store.sqlite'}")
        yield s
        s.close()
        return
    with postgres_url_for_test() as url:
        s = Store.open(url)
        yield s
        s.close()
