"""The audit log: entries with who, what, when; in the caller's transaction."""

from __future__ import annotations

import json
import time

import pytest

from reports.storage.audit import list_audit, record


def test_record_and_list_newest_first(store):
    before = int(time.time())
    record(store, "anna", "import", {"file": "polizei.csv", "rows": 12})
    record(store, "bert", "delete", {"ids": ["a1", "b2"], "note": "Dublette <b>"})
    log = list_audit(store)
    assert log["actor"].tolist() == ["bert", "anna"]
    assert log["action"].tolist() == ["delete", "import"]
    assert json.loads(log.iloc[0]["detail"]) == {"ids": ["a1", "b2"], "note": "Dublette <b>"}
    assert str(log["at"].dt.tz) == "Europe/Berlin"
    assert log["at"].iloc[-1].timestamp() >= before
    assert list_audit(store, limit=1)["actor"].tolist() == ["bert"]
    assert list_audit(store, action="import")["actor"].tolist() == ["anna"]


def test_entry_rolls_back_with_the_change_it_describes(store):
    with pytest.raises(RuntimeError), store.transaction() as conn:
        record(store, "anna", "delete", {"ids": ["x"]}, conn=conn)
        raise RuntimeError("Löschen fehlgeschlagen")
    assert list_audit(store).empty
    with store.transaction() as conn:
        record(store, "anna", "delete", {"ids": ["x"]}, conn=conn)
    assert len(list_audit(store)) == 1
