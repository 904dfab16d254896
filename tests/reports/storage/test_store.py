"""The store on both back ends (SQLite file and PostgreSQL, see the ``store`` fixture)."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from datetime import date, datetime

import pandas as pd
import pytest
import sqlalchemy as sa

from reports.model import (
    RECORD_KEY,
    RECORD_KEY_RANGE,
    REPORT_COLUMNS,
    STORED_COLUMNS,
    TIMEZONE,
    empty_reports,
)
from reports.storage.query import ReportFilter, apply_filter
from reports.storage.store import Store, UpsertResult


def reports(rows: list[dict]) -> pd.DataFrame:
    """A report frame with the model's dtypes; unspecified fields get plain defaults."""
    base = {"source": "polizei", "topic": "ordnung", "category": "drogenhandel",
            "address": "Eisenbahnstraße 1", "lon": 12.40, "lat": 51.345, "x": 319000.0,
            "y": 5690000.0, "ortsteil": "Volkmarsdorf", "geocode_status": "exact",
            "precision_m": 10.0, "count": 1, "description": "Beschreibung",
            "sensitivity": "members", "batch_id": "b1", "reported_at": None}
    records = []
    for i, row in enumerate(rows):
        rec = {**base, "id": f"r{i:04d}", "source_ref": f"V-{i}", **row}
        rec.setdefault("content_hash", f"h-{rec['id']}")
        records.append(rec)
    frame = pd.DataFrame(records)
    for name in ("occurred_at", "reported_at"):
        frame[name] = pd.to_datetime(frame[name]).dt.tz_localize(TIMEZONE)
    return frame[list(REPORT_COLUMNS)].astype(REPORT_COLUMNS)


def write(store: Store, frame: pd.DataFrame) -> UpsertResult:
    with store.transaction() as conn:
        return store.upsert_reports(frame, conn)


def by_id(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.sort_values("id").reset_index(drop=True)


SAMPLE = [
    {"occurred_at": "2026-03-01 10:00", "topic": "ordnung", "ortsteil": "Volkmarsdorf"},
    {"occurred_at": "2026-03-31 23:30", "topic": "umwelt", "category": "spritzenfund",
     "source": "stadtreinigung", "ortsteil": "Neustadt-Neuschönefeld", "count": 12},
    {"occurred_at": "2026-04-01 00:30", "topic": "umwelt", "category": "graffiti",
     "ortsteil": "Reudnitz-Thonberg"},
    {"occurred_at": "2026-07-15 18:00", "topic": "soziales", "category": "konsumort",
     "ortsteil": None, "geocode_status": "unresolved", "lon": None, "lat": None, "x": None,
     "y": None, "precision_m": None, "address": None, "description": None},
]


def test_migrations_are_at_head(store):
    current, head = store.migration_revisions()
    assert current == head is not None
    tables = set(sa.inspect(store.engine).get_table_names())
    assert {"reports", "batches", "quarantine", "meetings", "annotations", "users",
            "login_attempts", "audit_log", "concerns", "measures", "meta", "agenda_items",
            "alembic_version"} <= tables


def test_migrations_create_exactly_the_schema_of_schema_py(store):
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    from reports.storage.schema import metadata

    with store.engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), metadata) == []


def test_migrations_downgrade_to_nothing_and_upgrade_again(store):
    from alembic import command

    config = store.alembic_config()
    with store.transaction() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, "base")
    assert "reports" not in sa.inspect(store.engine).get_table_names()
    Store.open(store.url).close()
    current, head = store.migration_revisions()
    assert current == head is not None
    assert store.count_reports() == 0


def test_reopening_keeps_data_and_migrates_nothing(store):
    write(store, reports(SAMPLE))
    again = Store.open(store.url)
    try:
        assert again.count_reports() == len(SAMPLE)
        current, head = again.migration_revisions()
        assert current == head is not None
    finally:
        again.close()


def test_indexes_for_dashboard_queries_exist(store):
    indexes = {ix["name"]: ix["column_names"]
               for ix in sa.inspect(store.engine).get_indexes("reports")}
    assert indexes["ix_reports_occurred"] == ["occurred_at"]
    assert indexes["ix_reports_topic_occurred"] == ["topic", "occurred_at"]
    assert indexes["ix_reports_ortsteil_occurred"] == ["ortsteil", "occurred_at"]
    assert indexes["ix_reports_category_occurred"] == ["category", "occurred_at"]


def test_sqlite_file_is_created_with_wal_and_foreign_keys(tmp_path):
    path = tmp_path / "var" / "new" / "lagebild.sqlite"
    store = Store.open(f"sqlite:///{path}")
    assert path.exists()
    with store.engine.connect() as conn:
        pragma = lambda name: conn.exec_driver_sql(f"PRAGMA {name}").scalar()  # noqa: E731
        assert pragma("journal_mode") == "wal"
        assert pragma("foreign_keys") == 1
        assert pragma("synchronous") == 1  # NORMAL
        assert pragma("busy_timeout") >= 1000
    store.close()


def test_round_trip_keeps_values_dtypes_na_and_umlauts(store):
    frame = reports(SAMPLE)
    frame.loc[0, "reported_at"] = pd.Timestamp("2026-03-02 08:15", tz=TIMEZONE)
    frame.loc[0, "description"] = "Größere Menge, Straße gesperrt – »Übergabe«"
    write(store, frame)
    loaded = store.load_reports()
    assert dict(loaded.dtypes.astype(str)) == {k: str(pd.Series(dtype=v).dtype)
                                               for k, v in STORED_COLUMNS.items()}
    pd.testing.assert_frame_equal(by_id(loaded.drop(columns=RECORD_KEY)), by_id(frame))
    assert loaded["reported_at"].isna().sum() == len(SAMPLE) - 1
    with store.engine.connect() as conn:  # missing floats are NULL, not a float NaN
        nulls = conn.exec_driver_sql("SELECT count(*) FROM reports WHERE lon IS NULL").scalar()
    assert nulls == 1
    assert str(loaded["occurred_at"].dt.tz) == TIMEZONE


def test_empty_store_loads_an_empty_typed_frame(store):
    pd.testing.assert_frame_equal(store.load_reports(),
                                  empty_reports().assign(**{RECORD_KEY: pd.Series(dtype="int64")}),
                                  check_index_type=False)


def test_record_keys_are_random_and_survive_a_replacement(store):
    """Each report draws its cell key once; a re-import that changes its content keeps it
    (its public figures must not move), a new id draws a new one."""
    frame = reports([{**SAMPLE[0], "id": f"k{i:03d}"} for i in range(200)])
    write(store, frame)
    keys = store.load_reports().set_index("id")[RECORD_KEY]
    assert keys.between(0, RECORD_KEY_RANGE - 1).all()
    assert keys.nunique() > 190  # 200 draws from 2^31 values
    changed = frame.copy()
    changed["content_hash"] = "h-new"
    new = reports([{**SAMPLE[0], "id": "k-new"}])
    assert write(store, pd.concat([changed, new], ignore_index=True)).updated == 200
    again = store.load_reports().set_index("id")[RECORD_KEY]
    assert again.drop("k-new").equals(keys)
    assert 0 <= again["k-new"] < RECORD_KEY_RANGE


def test_migration_draws_record_keys_for_existing_reports(store):
    from alembic import command

    write(store, reports([{**SAMPLE[0], "id": f"m{i:03d}"} for i in range(50)]))
    config = store.alembic_config()
    with store.transaction() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, "0004")
    assert RECORD_KEY not in {c["name"] for c in sa.inspect(store.engine).get_columns("reports")}
    Store.open(store.url).close()
    keys = store.load_reports()[RECORD_KEY]
    assert len(keys) == 50 and keys.between(0, RECORD_KEY_RANGE - 1).all()
    assert keys.nunique() > 45


def test_upsert_twice_is_duplicate_and_changes_nothing(store):
    frame = reports(SAMPLE)
    assert write(store, frame) == UpsertResult(imported=4, updated=0, duplicate=0)
    version = store.data_version()
    assert write(store, frame) == UpsertResult(imported=0, updated=0, duplicate=4)
    assert store.data_version() == version
    assert store.count_reports() == 4


def test_upsert_replaces_rows_whose_content_changed(store):
    write(store, reports(SAMPLE))
    changed = reports(SAMPLE)
    changed.loc[1, ["count", "content_hash"]] = [20, "h-new"]
    new = reports([{**SAMPLE[0], "id": "r9999"}])
    result = write(store, pd.concat([changed, new], ignore_index=True))
    assert result == UpsertResult(imported=1, updated=1, duplicate=3)
    loaded = by_id(store.load_reports())
    assert loaded.set_index("id").loc["r0001", "count"] == 20
    assert store.count_reports() == 5


def test_repeated_id_within_one_frame_keeps_the_last_and_accounts_for_every_row(store):
    frame = reports(SAMPLE[:2])
    again = frame.iloc[[0, 0]].copy()
    again.iloc[1, again.columns.get_loc("content_hash")] = "h-later"
    result = write(store, pd.concat([frame, again], ignore_index=True))
    assert result.imported + result.updated + result.duplicate == 4
    # r0000 new, r0001 new, r0000 again unchanged, r0000 then changed
    assert result == UpsertResult(imported=2, updated=1, duplicate=1)
    assert store.load_reports().set_index("id").loc["r0000", "content_hash"] == "h-later"


def test_filters_use_local_days_and_lists(store):
    frame = reports(SAMPLE)
    write(store, frame)
    cases = [
        ReportFilter(start=date(2026, 3, 1), end=date(2026, 3, 31)),
        ReportFilter(start=date(2026, 4, 1)),
        ReportFilter(end=date(2026, 3, 1)),
        ReportFilter(topics=("umwelt",)),
        ReportFilter(topics=("umwelt", "soziales"), end=date(2026, 4, 1)),
        ReportFilter(ortsteile=("Neustadt-Neuschönefeld", "Volkmarsdorf")),
        ReportFilter(sources=("stadtreinigung",)),
        ReportFilter(categories=("graffiti", "konsumort")),
    ]
    for f in cases:
        pd.testing.assert_frame_equal(by_id(store.load_reports(f).drop(columns=RECORD_KEY)),
                                      by_id(apply_filter(frame, f)))
    # 23:30 local on 31 March is 21:30 UTC: in March, although its UTC day would be too
    march = store.load_reports(ReportFilter(start=date(2026, 3, 1), end=date(2026, 3, 31)))
    assert sorted(march["id"]) == ["r0000", "r0001"]
    assert list(store.load_reports(ReportFilter(ortsteile=("Volkmarsdorf",)))["id"]) == ["r0000"]


def test_set_location_places_a_report_by_hand(store):
    write(store, reports(SAMPLE))
    version = store.data_version()
    store.set_location("r0003", lon=12.41, lat=51.346, x=319500.0, y=5690100.0,
                       ortsteil="Volkmarsdorf", status="manual", precision_m=5.0)
    row = store.load_reports().set_index("id").loc["r0003"]
    assert (row["geocode_status"], row["ortsteil"], row["precision_m"]) == (
        "manual", "Volkmarsdorf", 5.0)
    assert store.data_version() != version
    with pytest.raises(KeyError, match="gibt es nicht"):
        store.set_location("nope", lon=None, lat=None, x=None, y=None, ortsteil=None,
                           status="unresolved", precision_m=None)


def test_delete_reports(store):
    write(store, reports(SAMPLE))
    assert store.delete_reports(["r0000", "r0002", "missing"]) == 2
    assert sorted(store.load_reports()["id"]) == ["r0001", "r0003"]


def test_erase_descriptions_before_a_date(store):
    write(store, reports(SAMPLE[:3]))
    assert store.erase_descriptions(datetime(2026, 3, 31, 23, 0)) == 1
    kept = store.load_reports().set_index("id")["description"].sort_index()
    assert kept.isna().tolist() == [True, False, False]
    assert store.erase_descriptions(datetime(2026, 3, 31, 23, 0)) == 0


def test_quarantine_add_list_resolve(store):
    rows = pd.DataFrame({
        "batch_id": ["b1", "b1"], "file_name": ["müll.csv", "müll.csv"],
        "source": ["stadtreinigung"] * 2, "row_number": [3, 7], "field": ["Datum", None],
        "message": ["müll.csv, Zeile 3, Feld „Datum“: „31.02.2026“ ist kein Datum.",
                    "müll.csv, Zeile 7: Kategorie fehlt."],
        "raw": ['{"Datum": "31.02.2026"}', {"Straße": "Torgauer Straße"}],
    })
    with store.transaction() as conn:
        store.add_quarantine(conn, rows)
    listed = store.list_quarantine()
    assert listed["row_number"].tolist() == [3, 7]
    assert listed["message"].iloc[0].startswith("müll.csv, Zeile 3")
    assert listed["raw"].iloc[1] == '{"Straße": "Torgauer Straße"}'
    assert listed["field"].isna().tolist() == [False, True]
    assert listed["resolved_at"].isna().all()
    store.resolve_quarantine([int(listed["id"].iloc[0])])
    assert store.list_quarantine()["row_number"].tolist() == [7]
    everything = store.list_quarantine(include_resolved=True)
    assert everything["resolved_at"].notna().tolist() == [True, False]


def test_batches(store):
    with store.transaction() as conn:
        store.add_batch(conn, id="b1", file_name="polizei.csv", source="polizei",
                        sha256="ab" * 32, actor="cli", rows_total=10, imported=8, updated=0,
                        duplicate=1, rejected=1)
    assert store.batch_exists_sha("ab" * 32, "polizei")
    assert not store.batch_exists_sha("ab" * 32, "stadtreinigung")
    batches = store.list_batches()
    assert batches[["id", "imported", "rejected"]].values.tolist() == [["b1", 8, 1]]
    assert str(batches["imported_at"].dt.tz) == TIMEZONE


def test_meetings_and_annotations(store):
    later = store.add_meeting(date(2026, 12, 3), "Plenum Dezember")
    earlier = store.add_meeting(date(2026, 11, 5), "Plenum November")
    meetings = store.list_meetings()
    assert meetings["id"].tolist() == [earlier, later]
    assert meetings["held_on"].tolist() == [date(2026, 11, 5), date(2026, 12, 3)]
    with pytest.raises(ValueError, match=r"03\.12\.2026"):
        store.add_meeting(date(2026, 12, 3), "doppelt")
    ann = store.add_annotation(date(2026, 5, 1), None, "measure", "Zusätzliche Reinigung Rabet")
    listed = store.list_annotations()
    assert listed[["id", "kind", "label"]].values.tolist() == [
        [ann, "measure", "Zusätzliche Reinigung Rabet"]]
    assert listed["ends_on"].isna().all()


def test_every_write_changes_the_data_version(store):
    seen = {store.data_version()}

    def changed() -> bool:
        version = store.data_version()
        fresh = version not in seen
        seen.add(version)
        return fresh

    write(store, reports(SAMPLE))
    assert changed()
    store.set_demo(True)
    assert changed() and store.is_demo()
    store.add_meeting(date(2026, 1, 8), "Plenum")
    assert changed()
    store.add_annotation(date(2026, 1, 8), date(2026, 2, 1), "event", "Fest")
    assert changed()
    store.delete_reports(["r0000"])
    assert changed()
    store.erase_descriptions(datetime(2027, 1, 1))
    assert changed()
    store.reset()
    assert changed()
    assert store.count_reports() == 0 and not store.is_demo()
    assert store.list_meetings().empty


def test_failed_transaction_leaves_nothing(store):
    write(store, reports(SAMPLE[:1]))
    version = store.data_version()
    with pytest.raises(RuntimeError), store.transaction() as conn:
        store.upsert_reports(reports([{**r, "id": f"n{i}"} for i, r in enumerate(SAMPLE)]),
                             conn)
        store.add_batch(conn, id="b2", file_name="x.csv", source="polizei", sha256="0" * 64,
                        rows_total=4, imported=4, updated=0, duplicate=0, rejected=0)
        raise RuntimeError("Abbruch mitten im Import")
    assert store.count_reports() == 1
    assert store.list_batches().empty
    assert store.data_version() == version


def test_killed_import_process_leaves_the_store_as_before(store, tmp_path):
    write(store, reports(SAMPLE[:1]))
    frame = reports([{**SAMPLE[i % 4], "id": f"k{i:05d}"} for i in range(20_000)])
    frame_file = tmp_path / "frame.pkl"
    frame.to_pickle(frame_file)
    script = textwrap.dedent(f"""
        import os, signal
        import pandas as pd
        from reports.storage.store import Store
        store = Store.open({store.url!r})
        with store.transaction() as conn:
            store.upsert_reports(pd.read_pickle({str(frame_file)!r}), conn)
            os.kill(os.getpid(), signal.SIGKILL)
    """)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == -9, done.stderr
    assert store.count_reports() == 1


def test_large_sqlite_insert_rebuilds_indexes_and_a_failure_restores_them(store, monkeypatch):
    import reports.storage.store as store_module

    monkeypatch.setattr(store_module, "BULK_ROWS", 2)  # take the bulk path with a few rows

    def index_names() -> set[str]:
        return {ix["name"] for ix in sa.inspect(store.engine).get_indexes("reports")}

    statements: list[str] = []
    sa.event.listen(store.engine, "before_cursor_execute",
                    lambda _c, _cur, sql, *_rest: statements.append(sql))
    before = index_names()
    with pytest.raises(RuntimeError), store.transaction() as conn:
        store.upsert_reports(reports(SAMPLE), conn)
        raise RuntimeError("Abbruch")
    assert index_names() == before and store.count_reports() == 0
    rebuilt = any(sql.startswith("DROP INDEX") for sql in statements)
    assert rebuilt == (store.engine.dialect.name == "sqlite")  # PostgreSQL: never
    assert write(store, reports(SAMPLE)).imported == 4
    assert index_names() == before
    f = ReportFilter(topics=("umwelt",), start=date(2026, 3, 1))
    assert sorted(store.load_reports(f)["id"]) == ["r0001", "r0002"]


def test_small_upsert_into_a_large_table_looks_ids_up_in_chunks(store, monkeypatch):
    import reports.storage.store as store_module

    many = [{**SAMPLE[i % 4], "id": f"m{i:03d}"} for i in range(40)]
    write(store, reports(many))
    monkeypatch.setattr(store_module, "CHUNK", 2)  # several IN lists for three ids
    changed = reports([{**many[0], "id": "m000", "content_hash": "h-other"},
                       {**many[1], "id": "m001", "content_hash": "h-m001"},
                       {**many[2], "id": "new"}])
    assert write(store, changed) == UpsertResult(imported=1, updated=1, duplicate=1)
    assert store.count_reports() == 41


def test_sqlite_writers_wait_for_each_other_and_readers_are_not_blocked(tmp_path):
    import threading
    import time

    url = f"sqlite:///{tmp_path / 'shared.sqlite'}"
    first, second = Store.open(url), Store.open(url)  # like the dashboard and a CLI import
    entered, errors = threading.Event(), []

    def slow_import() -> None:
        try:
            with first.transaction() as conn:
                first.upsert_reports(reports(SAMPLE[:2]), conn)
                entered.set()
                time.sleep(0.5)
        except Exception as exc:
            errors.append(exc)

    thread = threading.Thread(target=slow_import)
    thread.start()
    entered.wait(5)
    assert second.count_reports() == 0  # WAL: reading while the import is uncommitted
    assert write(second, reports([{**SAMPLE[2], "id": "other"}])).imported == 1  # waited
    thread.join()
    assert not errors
    assert second.count_reports() == 3
    first.close()
    second.close()


def test_load_in_several_chunks_returns_every_row(store, monkeypatch):
    import reports.storage.store as store_module

    frame = reports(SAMPLE * 2 + SAMPLE[:1])
    frame["id"] = pd.array([f"c{i}" for i in range(len(frame))], dtype="string")
    write(store, frame)
    monkeypatch.setattr(store_module, "LOAD_CHUNK", 2)
    pd.testing.assert_frame_equal(by_id(store.load_reports().drop(columns=RECORD_KEY)),
                                  by_id(frame))


def test_reset_keeps_accounts_and_audit_log(store):
    from reports.storage import schema

    with store.transaction() as conn:
        conn.execute(schema.users.insert().values(username="admin", password_hash="x",
                                                  role="admin", active=True, created_at=1))
        conn.execute(schema.audit_log.insert().values(at=1, actor="admin", action="login",
                                                      detail="{}"))
    write(store, reports(SAMPLE))
    store.reset()
    with store.engine.connect() as conn:
        assert conn.execute(schema.users.select()).all()
        assert conn.execute(schema.audit_log.select()).all()
    assert store.count_reports() == 0
