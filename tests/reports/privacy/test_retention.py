"""Retention: old free text erased, aggregates kept, the run logged; CLI."""

from __future__ import annotations

import json
import time

import pandas as pd
import sqlalchemy as sa

from reports.privacy.retention import ERASED, erase_old_descriptions
from reports.storage.audit import list_audit
from reports.storage.schema import concerns, quarantine
from tests.privacy_sample import sample_reports

NOW = time.time()


def _fill(store) -> pd.DataFrame:
    frame = sample_reports()  # occurred 58 .. 4 days ago, every 37 hours
    with store.transaction() as conn:
        store.upsert_reports(frame, conn)
        for created in (NOW - 100 * 86400, NOW - 10 * 86400):
            conn.execute(concerns.insert().values(
                created_at=int(created), topic="umwelt", description="Herr X schläft hier",
                geocode_status="street", contact="x@example.org", status="new",
                session_key="s"))
            conn.execute(quarantine.insert().values(
                batch_id="b", file_name="f.csv", source="polizei", row_number=1,
                message="Zeile 1", raw=json.dumps({"Beschreibung": "Frau Y"}),
                created_at=int(created)))
    return frame


def test_erases_only_old_free_text_and_logs_it(store):
    frame = _fill(store)
    cutoff = pd.Timestamp(NOW - 30 * 86400, unit="s", tz="UTC")
    old = int((frame["occurred_at"] < cutoff).sum())
    assert 0 < old < len(frame)
    version = store.data_version()
    assert erase_old_descriptions(store, 30, actor="admin", now=NOW) == old
    assert store.data_version() != version
    after = store.load_reports()
    erased = after["description"].isna()
    assert erased.sum() == old
    assert (after.loc[erased, "occurred_at"] < cutoff).all()
    # counts, places and categories stay
    assert len(after) == len(frame)
    assert after["x"].notna().all() and after["category"].notna().all()
    with store.engine.connect() as conn:
        texts = conn.execute(sa.select(concerns.c.description, concerns.c.contact)
                             .order_by(concerns.c.created_at)).all()
        raws = conn.execute(sa.select(quarantine.c.raw).order_by(quarantine.c.created_at)
                            ).scalars().all()
    assert [tuple(t) for t in texts] == [(ERASED, None), ("Herr X schläft hier",
                                                         "x@example.org")]
    assert raws == ["{}", json.dumps({"Beschreibung": "Frau Y"})]
    entry = list_audit(store).iloc[0]
    assert (entry["actor"], entry["action"]) == ("admin", "retention")
    assert json.loads(entry["detail"])["reports"] == old
    # a second run erases nothing more, and is logged again
    assert erase_old_descriptions(store, 30, actor="admin", now=NOW) == 0
    assert list_audit(store)["action"].tolist()[:2] == ["retention", "retention"]


def test_default_period_from_settings(store, monkeypatch):
    _fill(store)
    monkeypatch.setenv("LAGEBILD_RETENTION_DAYS", "100000")
    assert erase_old_descriptions(store, actor="cli", now=time.time()) == 0
    assert json.loads(list_audit(store).iloc[0]["detail"])["older_than_days"] == 100000


def test_cli_registration():
    import argparse

    from reports.privacy import retention

    parser = argparse.ArgumentParser()
    retention.register_cli(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["retention", "--days", "30"])
    assert args.days == 30 and args.func is not None
