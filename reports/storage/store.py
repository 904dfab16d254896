"""The report store: one API over an embedded SQLite file (default) or PostgreSQL.

Every write runs in one transaction, so an import that fails or is killed half-way leaves the
database as it was. Writers queue for the write lock instead of failing: on SQLite every write
transaction takes the file's lock up front (``BEGIN IMMEDIATE``, retried in short slices so a
waiting writer can report progress), on PostgreSQL writers that must not interleave (imports,
log-in attempts of one name) take a named advisory transaction lock. Readers never wait (WAL,
MVCC). A writer gives up only after ``WRITE_WAIT_S`` with ``StoreBusy``; every database fault
reaches callers as a ``reports.storage.faults.StoreError`` with a German message.

Bulk paths (upsert, load) work on whole columns and at driver level (``executemany``, COPY,
raw cursor rows) because a million-row import and read must take seconds, not minutes.
"""

from __future__ import annotations

import json
import os
import sqlite3
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, Engine, event

from config.settings import settings
from reports.model import RECORD_KEY, RECORD_KEY_RANGE, STORED_COLUMNS, TIMEZONE
from reports.storage import faults, schema
from reports.storage.faults import StoreBusy, StoreReadOnly, store_faults
from reports.storage.query import ReportFilter

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
CHUNK = 10_000  # rows per executemany / ids per IN list (below SQLite's 32766 variable limit)
BUSY_TIMEOUT_MS = 30_000  # a single statement waits this long for a lock (a checkpoint)
WRITE_WAIT_S = 30 * 60  # a writer queues this long for another writer before StoreBusy
WAIT_SLICE_S = 0.25  # the write lock is retried in slices this long, reporting the wait
BULK_ROWS = 100_000  # from this many rows (and half the table) SQLite rebuilds indexes once
LOAD_CHUNK = 100_000  # rows fetched and typed at a time by load_reports
CACHE_KB = 64_000  # SQLite page cache per connection (default 2 MB): fewer reads on bulk work
_WRITE = "lagebild_write"  # execution option: this connection will write (SQLite: BEGIN IMMEDIATE)
_WAITING = "lagebild_waiting"  # execution option: callback(seconds waited) while queued
_SQLITE_BUSY = (5, 6)  # SQLITE_BUSY, SQLITE_LOCKED
REPORTS_LOCK = "reports"  # PostgreSQL lock of every transaction that inserts reports
_DATETIME = f"datetime64[ns, {TIMEZONE}]"
_TIME_COLUMNS = ("occurred_at", "reported_at")


@dataclass
class UpsertResult:
    imported: int
    updated: int
    duplicate: int


def _sqlite_setup(engine: Engine, read_only: bool) -> None:
    """WAL lets the dashboard read while an import writes; we issue BEGIN ourselves because
    the sqlite3 module's implicit transactions would run SELECTs and DDL outside of them."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None
        cursor = dbapi_conn.cursor()
        pragmas = ["synchronous=NORMAL", "foreign_keys=ON", f"busy_timeout={BUSY_TIMEOUT_MS}",
                   f"cache_size=-{CACHE_KB}", "temp_store=MEMORY"]
        if not read_only:  # switching the journal writes to the file
            pragmas.insert(0, "journal_mode=WAL")
        for pragma in pragmas:
            cursor.execute(f"PRAGMA {pragma}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        # A writer takes the write lock up front: a deferred transaction that reads first
        # would fail with "database is locked" instead of waiting for the other writer.
        options = conn.get_execution_options()
        if options.get(_WRITE, False):
            _begin_immediate(conn.connection.dbapi_connection, options.get(_WAITING))
        else:
            conn.exec_driver_sql("BEGIN")


def _begin_immediate(raw: Any, waiting: Callable[[float], None] | None) -> None:
    """Queue for SQLite's write lock in short slices (calling ``waiting(seconds)`` between
    them) instead of one long busy timeout that ends in "database is locked"."""
    started = time.monotonic()
    raw.execute(f"PRAGMA busy_timeout={int(WAIT_SLICE_S * 1000)}")
    try:
        while True:
            try:
                raw.execute("BEGIN IMMEDIATE")
                return
            except sqlite3.OperationalError as exc:
                if (getattr(exc, "sqlite_errorcode", 0) & 0xFF) not in _SQLITE_BUSY:
                    raise
            _still_waiting(started, waiting)
    finally:
        raw.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")


def _still_waiting(started: float, waiting: Callable[[float], None] | None) -> None:
    """Report the wait so far, or give up with ``StoreBusy`` after ``WRITE_WAIT_S``."""
    waited = time.monotonic() - started
    if waited > WRITE_WAIT_S:
        raise StoreBusy(f"Ein anderer Vorgang schreibt seit {waited / 60:.0f} Minuten in den "
                        "Datenbestand; dieser Vorgang hat so lange gewartet und gibt jetzt auf.")
    if waiting is not None:
        waiting(waited)


def _sqlite_read_only(url: sa.URL) -> sa.URL:
    """The URL of the same SQLite file opened read-only (``mode=ro``): nothing can be
    written, whatever the file's permissions (which do not stop root)."""
    if url.query.get("uri"):
        return url.update_query_dict({"mode": "ro"})
    path = Path(url.database or "").resolve()
    if not path.exists():
        raise StoreReadOnly(f"Den Datenbestand {path} gibt es nicht; schreibgeschützt kann "
                            "er nicht angelegt werden.")
    return sa.make_url(f"sqlite:///file:{path}?mode=ro&uri=true")


def _epoch(value: datetime | date) -> int:
    """Epoch seconds of a datetime (naive: Europe/Berlin) or of local midnight of a date."""
    ts = pd.Timestamp(value)
    if ts.tzinfo is None:
        ts = ts.tz_localize(TIMEZONE)
    return int(ts.timestamp())


def _local_times(values: Any) -> pd.Series:
    """Epoch seconds (None/NaN allowed) -> tz-aware Europe/Berlin datetimes (ns), exactly."""
    seconds = pd.Series(values, dtype="float64").to_numpy()
    missing = np.isnan(seconds)
    stamps = np.where(missing, 0, seconds).astype(np.int64).astype("datetime64[s]")
    stamps = stamps.astype("datetime64[ns]")
    stamps[missing] = np.datetime64("NaT")
    return pd.Series(stamps).dt.tz_localize("UTC").dt.tz_convert(TIMEZONE).astype(_DATETIME)


class _DbColumns:
    """A report frame as DB-API values, handed out in row chunks: times become epoch seconds,
    NA becomes None, strings that repeat are factorised once (a category repeated a million
    times is one Python str); mostly distinct strings (ids, hashes) are converted per chunk,
    so a million of them never exist as Python objects at once."""

    def __init__(self, frame: pd.DataFrame, record_keys: np.ndarray) -> None:
        self.columns: list[tuple[str, Any, Any]] = []  # kind, values, NULL mask or lookup
        for name in STORED_COLUMNS:
            if name == RECORD_KEY:
                self.columns.append(("int", record_keys.astype(np.int64), None))
                continue
            series = frame[name]
            if name in _TIME_COLUMNS:
                seconds = series.array.as_unit("ns").asi8 // 1_000_000_000  # UTC epoch
                self.columns.append(("int", seconds, series.isna().to_numpy()))
            elif name == "count":
                self.columns.append(("int", series.to_numpy(np.int64), None))
            elif pd.api.types.is_float_dtype(series.dtype):
                values = series.to_numpy(np.float64)  # NaN -> NULL (PostgreSQL keeps NaN)
                self.columns.append(("float", values, np.isnan(values)))
            else:
                sample = series.iloc[:CHUNK]
                if sample.nunique(dropna=False) * 2 > len(sample):
                    self.columns.append(("text", series.array, None))
                    continue
                codes, uniques = pd.factorize(series, use_na_sentinel=True)
                lookup = np.asarray([*uniques, None], dtype=object)  # code -1 -> None
                self.columns.append(("code", codes, lookup))

    def rows(self, positions: np.ndarray) -> Iterator[tuple]:
        """Parameter tuples (STORED_COLUMNS order) of the rows at ``positions``."""
        out = []
        for kind, values, extra in self.columns:
            if kind == "text":
                out.append(values.take(positions).to_numpy(dtype=object, na_value=None).tolist())
                continue
            part = values[positions]
            if kind == "code":
                out.append(extra[part].tolist())
                continue
            cells = part.tolist()
            missing = extra[positions] if extra is not None else None
            if missing is not None and missing.any():
                for i in np.flatnonzero(missing).tolist():
                    cells[i] = None
            out.append(cells)
        return zip(*out, strict=True)


def _inserted_id(result: sa.CursorResult) -> int:
    """The id the database gave the row just inserted."""
    key = result.inserted_primary_key
    if key is None:
        raise sa.exc.InvalidRequestError("the insert returned no primary key")
    return int(key[0])


def _dbapi(conn: Connection) -> Any:
    """The driver's own connection under ``conn`` (for COPY, executemany and named cursors)."""
    raw = conn.connection.dbapi_connection
    if raw is None:
        raise sa.exc.ResourceClosedError("the connection is closed")
    return raw


@contextmanager
def _raw_cursor(conn: Connection, query: sa.Select) -> Iterator[Any]:
    """A DB-API cursor over ``query``, inside ``conn``'s transaction: plain tuples, no Row
    objects, and on PostgreSQL a server-side cursor (libpq would buffer the whole result)."""
    compiled = query.compile(dialect=conn.dialect, compile_kwargs={"render_postcompile": True})
    params: Any = compiled.params
    if compiled.positional:
        params = tuple(params[name] for name in compiled.positiontup or ())
    if not conn.in_transaction():
        conn.begin()
    raw = _dbapi(conn)
    cursor = raw.cursor(name="lagebild") if conn.dialect.name == "postgresql" else raw.cursor()
    try:
        cursor.execute(str(compiled), params)
        yield cursor
    finally:
        cursor.close()


def _raw_rows(conn: Connection, query: sa.Select) -> list[tuple]:
    """All rows of a query whose columns need no type conversion, as plain tuples (fast)."""
    with _raw_cursor(conn, query) as cursor:
        return cursor.fetchall()


def _report_frame(rows: Sequence[Sequence[Any]]) -> pd.DataFrame:
    """DB rows in STORED_COLUMNS order -> a report frame with exactly the model's dtypes.

    Column by column straight from the row tuples (None -> NA/NaN): no intermediate object
    frame whose columns would be inferred and then converted a second time."""
    cells = np.empty((len(rows), len(STORED_COLUMNS)), dtype=object)
    if len(rows):
        cells[:] = rows
    out: dict[str, Any] = {}
    for i, (name, dtype) in enumerate(STORED_COLUMNS.items()):
        values = cells[:, i]
        if name in _TIME_COLUMNS:
            out[name] = _local_times(values.astype(np.float64))
        elif dtype == "string":
            out[name] = pd.array(values, dtype=dtype)
        else:
            out[name] = values.astype(dtype)
    return pd.DataFrame(out)


def _record_keys(positions: np.ndarray, stored: np.ndarray) -> np.ndarray:
    """The record key of each row at ``positions``: the stored one for an id already in the
    store (a replaced report keeps its key, so its public figures do not move), else a new
    random one from a generator seeded by the operating system."""
    rng = np.random.default_rng(int.from_bytes(os.urandom(16), "little"))
    keys = rng.integers(0, RECORD_KEY_RANGE, len(positions), dtype=np.int64)
    old = stored[positions]
    known = pd.notna(old)
    keys[known] = old[known].astype(np.int64)
    return keys


class Store:
    """Reports and everything around them (batches, quarantine, meetings, meta) in one DB."""

    def __init__(self, url: str, engine: Engine, read_only: bool = False) -> None:
        self.url = url
        self.engine = engine
        self.read_only = read_only

    @classmethod
    def open(cls, url: str | None = None, read_only: bool = False) -> Store:
        """Connect, bring the schema to the newest migration (only where it is behind: an
        up-to-date store is opened without writing) and return the store. ``read_only``
        opens it so that nothing can be written (SQLite ``mode=ro``, PostgreSQL read-only
        transactions); a read-only store whose schema is behind cannot be used."""
        url = url or settings().database_url
        parsed = sa.make_url(url)
        with store_faults():
            if parsed.get_backend_name() == "sqlite":
                if read_only:
                    parsed = _sqlite_read_only(parsed)
                elif parsed.database and parsed.database != ":memory:" and not (
                        parsed.query.get("uri")):
                    Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
                read_only = read_only or parsed.query.get("mode") == "ro"
                engine = sa.create_engine(parsed)
                _sqlite_setup(engine, read_only)
            else:
                if read_only:
                    parsed = parsed.update_query_dict({"options": " ".join(filter(None, (
                        str(parsed.query.get("options") or ""),
                        "-cdefault_transaction_read_only=on")))})
                engine = sa.create_engine(parsed, pool_pre_ping=True)
            faults.install(engine)
            store = cls(url, engine, read_only)
            store._migrate()
        return store

    def close(self) -> None:
        self.engine.dispose()

    def alembic_config(self) -> Config:
        """Alembic settings without an alembic.ini; a new migration is started with
        ``alembic.command.revision(store.alembic_config(), "message")``."""
        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS_DIR))
        return config

    def _migrate(self) -> None:
        current, head = self.migration_revisions()
        if current == head:
            return
        if self.read_only:
            raise StoreReadOnly("Der Datenbestand ist schreibgeschützt geöffnet, hat aber noch "
                                "den Aufbau einer älteren Programmversion; er muss einmal "
                                "beschreibbar geöffnet werden, damit er aktualisiert wird.")
        config = self.alembic_config()
        with self.transaction() as conn:
            if conn.dialect.name == "postgresql":  # two processes starting at once
                conn.exec_driver_sql("SELECT pg_advisory_xact_lock(hashtext(current_schema()))")
            config.attributes["connection"] = conn
            command.upgrade(config, "head")

    def migration_revisions(self) -> tuple[str | None, str | None]:
        """(current revision of the database, head revision of the code)."""
        from alembic.runtime.migration import MigrationContext
        from alembic.script import ScriptDirectory

        head = ScriptDirectory.from_config(self.alembic_config()).get_current_head()
        with self.engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision(), head

    # -- transactions and the data version -------------------------------------------------

    @contextmanager
    def transaction(self, lock: str | None = None,
                    waiting: Callable[[float], None] | None = None) -> Iterator[Connection]:
        """One write transaction: committed when the block ends, rolled back on any error.

        Queues for the write lock (SQLite: the file's; PostgreSQL: the advisory lock named
        ``lock``, if given) and calls ``waiting(seconds)`` about every quarter second while
        queued. Database faults leave as ``StoreError``."""
        with store_faults(), self.engine.connect() as conn:
            conn.execution_options(**{_WRITE: True, _WAITING: waiting})
            with conn.begin():
                if lock is not None:
                    self.lock(conn, lock, waiting)
                yield conn

    def lock(self, conn: Connection, name: str,
             waiting: Callable[[float], None] | None = None) -> None:
        """Hold the write lock ``name`` until ``conn``'s transaction ends. PostgreSQL: an
        advisory lock; SQLite: nothing more to do, its write transaction already excludes
        every other writer."""
        if conn.dialect.name == "postgresql":
            self._advisory_lock(conn, name, waiting)

    @staticmethod
    def _advisory_lock(conn: Connection, name: str,
                       waiting: Callable[[float], None] | None = None) -> None:
        """PostgreSQL: hold the lock ``name`` (per schema) until this transaction ends,
        queueing for it in slices; re-entrant within one transaction."""
        query = sa.text("SELECT pg_try_advisory_xact_lock(hashtext(current_schema()), "
                        "hashtext(:name))")
        started = time.monotonic()
        while not conn.execute(query, {"name": name}).scalar():
            _still_waiting(started, waiting)
            time.sleep(WAIT_SLICE_S)

    @contextmanager
    def _writing(self, conn: Connection | None) -> Iterator[Connection]:
        """Join the caller's transaction, or run in a new one."""
        if conn is not None:
            yield conn
        else:
            with self.transaction() as own:
                yield own

    @contextmanager
    def _reading(self, conn: Connection | None) -> Iterator[Connection]:
        """Read inside the caller's transaction (to see its own and locked state), or on a
        connection of its own."""
        if conn is not None:
            yield conn
        else:
            with self.engine.connect() as own:
                yield own

    def bump_version(self, conn: Connection) -> None:
        """Mark that something shown changed; done atomically in the writer's transaction."""
        m = schema.meta
        bumped = conn.execute(
            m.update().where(m.c.key == "version")
            .values(value=sa.cast(sa.cast(m.c.value, sa.Integer) + 1, sa.Text))
        )
        if bumped.rowcount == 0:
            conn.execute(m.insert().values(key="version", value="1"))

    def data_version(self) -> str:
        m = schema.meta
        with self.engine.connect() as conn:
            values = dict(conn.execute(
                sa.select(m.c.key, m.c.value).where(m.c.key.in_(("instance", "version")))
            ).all())
        return f"{values.get('instance', '')}-{values.get('version', '0')}"

    def _meta(self, key: str) -> str | None:
        m = schema.meta
        with self.engine.connect() as conn:
            return conn.execute(sa.select(m.c.value).where(m.c.key == key)).scalar()

    def _set_meta(self, conn: Connection, key: str, value: str) -> None:
        m = schema.meta
        if conn.execute(m.update().where(m.c.key == key).values(value=value)).rowcount == 0:
            conn.execute(m.insert().values(key=key, value=value))

    def is_demo(self) -> bool:
        return self._meta("demo") == "1"

    def set_demo(self, flag: bool, conn: Connection | None = None) -> None:
        with self._writing(conn) as c:
            self._set_meta(c, "demo", "1" if flag else "0")
            self.bump_version(c)

    # -- reports -----------------------------------------------------------------------------

    def upsert_reports(self, frame: pd.DataFrame, conn: Connection,
                       progress: Callable[[int, int], None] | None = None) -> UpsertResult:
        """Store a report frame by id: new ids are inserted, ids with the same content hash
        are duplicates, ids with another content hash are replaced. Rows repeating an id
        within the frame count as if imported one after the other; the last one is stored.
        ``progress(done, total)`` is called after each chunk of rows written (one call per
        file lets SQLite rebuild its indexes once instead of per chunk)."""
        if frame.empty:
            return UpsertResult(0, 0, 0)
        self.lock(conn, REPORTS_LOCK)  # ids are looked up, then inserted: no overlap
        ids, hashes = frame["id"], frame["content_hash"]
        repeat = ids.duplicated(keep="first").to_numpy()
        n_repeat = int(repeat.sum())
        repeat_same = 0
        if n_repeat:
            repeat_same = int((hashes == hashes.groupby(ids.array).shift()).to_numpy(
                bool, na_value=False)[repeat].sum())

        db_hash, db_key = self._stored_hashes(conn, ids, ~repeat)
        content = hashes.to_numpy(object)
        is_new = pd.isna(db_hash[~repeat])
        first_same = ~is_new & (db_hash[~repeat] == content[~repeat])

        last = ~ids.duplicated(keep="last").to_numpy()
        write_new = pd.isna(db_hash[last])
        write_changed = ~write_new & (db_hash[last] != content[last])
        changed_ids = ids[last][write_changed].astype(object).tolist()
        for start in range(0, len(changed_ids), CHUNK):
            chunk = changed_ids[start:start + CHUNK]
            conn.execute(schema.reports.delete().where(schema.reports.c.id.in_(chunk)))
        positions = np.flatnonzero(last)[write_new | write_changed]
        # In id order the primary-key index is appended to, not updated at random places.
        positions = positions[ids.array.take(positions).argsort()]
        keys = _record_keys(positions, db_key)
        skipped = len(frame) - len(positions)  # duplicates are done once looked up

        def written(done: int) -> None:
            if progress:
                progress(skipped + done, len(frame))

        with self._bulk_indexes(conn, len(positions)):
            self._insert_reports(conn, frame, positions, keys, written)
        if len(positions):
            self.bump_version(conn)

        return UpsertResult(
            imported=int(is_new.sum()),
            updated=int((~is_new & ~first_same).sum()) + n_repeat - repeat_same,
            duplicate=int(first_same.sum()) + repeat_same,
        )

    @contextmanager
    def _bulk_indexes(self, conn: Connection, n_rows: int) -> Iterator[None]:
        """On SQLite, building the secondary indexes of ``reports`` once after a large insert
        is about twice as fast as updating them row by row. The index definitions are taken
        from the database itself (so they stay what the migrations made) and dropping and
        recreating happens inside the caller's transaction (a failure restores them)."""
        if conn.dialect.name != "sqlite" or n_rows < BULK_ROWS or n_rows < (
                self._count(conn) // 2):
            yield
            return
        indexes = conn.exec_driver_sql(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' "
            "AND tbl_name = 'reports' AND sql IS NOT NULL").all()
        quote = conn.dialect.identifier_preparer.quote
        for name, _sql in indexes:
            conn.exec_driver_sql(f"DROP INDEX {quote(name)}")
        yield
        for _name, sql in indexes:
            conn.exec_driver_sql(sql)

    def _count(self, conn: Connection) -> int:
        return int(conn.execute(sa.select(sa.func.count()).select_from(schema.reports))
                   .scalar_one())

    def _stored_hashes(self, conn: Connection, ids: pd.Series, unique: np.ndarray
                       ) -> tuple[np.ndarray, np.ndarray]:
        """The stored content hash and record key of each of ``ids`` (None where not stored;
        ``unique`` marks each id's first row): nothing to ask when the table is empty, one
        scan when the ids are a good part of the table (a re-import), else primary-key
        lookups in chunks."""
        stored = self._count(conn)
        found: list[tuple] = []
        if stored and int(unique.sum()) * 4 >= stored:
            r = schema.reports
            found = _raw_rows(conn, sa.select(r.c.id, r.c.content_hash, r.c.record_key))
        elif stored:
            quote = conn.dialect.identifier_preparer.quote
            mark = "?" if conn.dialect.name == "sqlite" else "%s"
            values = ids[unique].astype(object).tolist()
            cursor = _dbapi(conn).cursor()
            try:
                for start in range(0, len(values), CHUNK):
                    chunk = values[start:start + CHUNK]
                    cursor.execute(f"SELECT id, content_hash, record_key FROM {quote('reports')} "
                                   "WHERE id IN "
                                   f"({', '.join([mark] * len(chunk))})", chunk)
                    found.extend(cursor.fetchall())
            finally:
                cursor.close()
        out, keys = np.full(len(ids), None, dtype=object), np.full(len(ids), None, dtype=object)
        if found:
            cells = np.array(found, dtype=object)  # (id, content_hash, record_key) rows
            where = pd.Index(pd.array(cells[:, 0], dtype="string")).get_indexer(
                ids.astype("string"))
            hit = where >= 0
            out[hit] = cells[where[hit], 1]
            keys[hit] = cells[where[hit], 2]
        return out, keys

    def _insert_reports(self, conn: Connection, frame: pd.DataFrame, positions: np.ndarray,
                        record_keys: np.ndarray, progress: Callable[[int], None]) -> None:
        """Bulk insert of the rows at ``positions`` with their ``record_keys``: COPY on
        PostgreSQL (executemany there is ~4x slower), chunked executemany on SQLite; both
        inside the caller's transaction.
        ``progress(rows written)`` after each chunk."""
        total = len(positions)
        progress(0)
        if not total:
            return
        keys = np.zeros(len(frame), dtype=np.int64)
        keys[positions] = record_keys
        if total * 2 < len(frame):  # a few changed rows: convert only those
            frame, keys, positions = frame.take(positions), record_keys, np.arange(total)
        values = _DbColumns(frame, keys)
        quote = conn.dialect.identifier_preparer.quote
        columns = ", ".join(quote(c) for c in STORED_COLUMNS)
        cursor = _dbapi(conn).cursor()
        try:
            if conn.dialect.name == "postgresql":
                with cursor.copy(f"COPY {quote('reports')} ({columns}) FROM STDIN") as copy:
                    for start in range(0, total, CHUNK):
                        for row in values.rows(positions[start:start + CHUNK]):
                            copy.write_row(row)
                        progress(min(start + CHUNK, total))
                return
            marks = ", ".join(["?"] * len(STORED_COLUMNS))
            insert = f"INSERT INTO {quote('reports')} ({columns}) VALUES ({marks})"
            for start in range(0, total, CHUNK):
                cursor.executemany(insert, list(values.rows(positions[start:start + CHUNK])))
                progress(min(start + CHUNK, total))
        finally:
            cursor.close()

    def load_reports(self, f: ReportFilter | None = None) -> pd.DataFrame:
        """Reports matching ``f`` (all without), in no particular order, as a frame with
        STORED_COLUMNS dtypes (the model's and the record key, which no page may show)."""
        r = schema.reports
        query = sa.select(*(r.c[name] for name in STORED_COLUMNS))
        if f is not None:
            if f.start is not None:
                query = query.where(r.c.occurred_at >= _epoch(f.start))
            if f.end is not None:  # end day inclusive, in local time
                query = query.where(r.c.occurred_at < _epoch(f.end + timedelta(days=1)))
            for column, values in (("topic", f.topics), ("source", f.sources),
                                   ("category", f.categories), ("ortsteil", f.ortsteile)):
                if values:
                    query = query.where(r.c[column].in_(list(values)))
        parts = []
        with store_faults(), self.engine.connect() as conn, _raw_cursor(conn, query) as cursor:
            # Typed chunk by chunk: the Python objects of only one chunk are alive at a time,
            # which keeps the peak memory of 1M rows low.
            while rows := cursor.fetchmany(LOAD_CHUNK):
                parts.append(_report_frame(rows))
        return pd.concat(parts, ignore_index=True) if parts else _report_frame([])

    def count_reports(self) -> int:
        with self.engine.connect() as conn:
            return self._count(conn)

    def set_location(self, report_id: str, *, lon: float | None, lat: float | None,
                     x: float | None, y: float | None, ortsteil: str | None, status: str,
                     precision_m: float | None, conn: Connection | None = None) -> None:
        """Place one report by hand (or re-place it)."""
        r = schema.reports
        with self._writing(conn) as c:
            done = c.execute(r.update().where(r.c.id == report_id).values(
                lon=lon, lat=lat, x=x, y=y, ortsteil=ortsteil, geocode_status=status,
                precision_m=precision_m))
            if done.rowcount == 0:
                raise KeyError(f"Meldung {report_id} gibt es nicht (mehr).")
            self.bump_version(c)

    def delete_reports(self, ids: Sequence[str], conn: Connection | None = None) -> int:
        r = schema.reports
        ids = list(ids)
        deleted = 0
        with self._writing(conn) as c:
            for start in range(0, len(ids), CHUNK):
                deleted += c.execute(
                    r.delete().where(r.c.id.in_(ids[start:start + CHUNK]))).rowcount
            if deleted:
                self.bump_version(c)
        return deleted

    def erase_descriptions(self, older_than: datetime, conn: Connection | None = None) -> int:
        """Erase the free text (it may name people) of reports that occurred before
        ``older_than``; returns how many were erased."""
        r = schema.reports
        with self._writing(conn) as c:
            erased = c.execute(r.update().where(
                r.c.occurred_at < _epoch(older_than), r.c.description.is_not(None)
            ).values(description=None)).rowcount
            if erased:
                self.bump_version(c)
        return erased

    # -- import batches and quarantine -----------------------------------------------------------

    def add_batch(self, conn: Connection, **row: Any) -> None:
        """Record one imported file (``imported_at`` defaults to now)."""
        row.setdefault("imported_at", int(time.time()))
        conn.execute(schema.batches.insert().values(**row))
        self.bump_version(conn)

    def list_batches(self) -> pd.DataFrame:
        """All import batches, newest first; ``imported_at`` as local datetime."""
        b = schema.batches
        frame = self._frame(sa.select(b).order_by(b.c.imported_at.desc(), b.c.id))
        frame["imported_at"] = _local_times(frame["imported_at"])
        return frame

    def batch_exists_sha(self, sha256: str, source: str, conn: Connection | None = None) -> bool:
        b = schema.batches
        query = sa.select(b.c.id).where(b.c.sha256 == sha256, b.c.source == source).limit(1)
        with self._reading(conn) as c:
            return c.execute(query).first() is not None

    def add_quarantine(self, conn: Connection, rows: pd.DataFrame) -> None:
        """Keep rejected input rows (columns batch_id, file_name, source, row_number, field,
        message, raw) so they can be listed, corrected and re-imported."""
        if rows.empty:
            return
        now = int(time.time())
        records = [
            {"batch_id": str(rec["batch_id"]), "file_name": str(rec["file_name"]),
             "source": str(rec["source"]), "row_number": int(rec["row_number"]),
             "field": None if pd.isna(rec["field"]) else str(rec["field"]),
             "message": str(rec["message"]),
             "raw": rec["raw"] if isinstance(rec["raw"], str)
             else json.dumps(rec["raw"], ensure_ascii=False, default=str),
             "created_at": now}
            for rec in rows.to_dict("records")
        ]
        for start in range(0, len(records), CHUNK):
            conn.execute(schema.quarantine.insert(), records[start:start + CHUNK])
        self.bump_version(conn)

    def list_quarantine(self, include_resolved: bool = False,
                        conn: Connection | None = None) -> pd.DataFrame:
        q = schema.quarantine
        query = sa.select(q).order_by(q.c.id)
        if not include_resolved:
            query = query.where(q.c.resolved_at.is_(None))
        frame = self._frame(query, conn)
        for name in ("created_at", "resolved_at"):
            frame[name] = _local_times(frame[name])
        return frame

    def resolve_quarantine(self, ids: Sequence[int], conn: Connection | None = None) -> None:
        """Mark quarantined rows as dealt with (corrected and re-imported, or dismissed)."""
        q = schema.quarantine
        ids = [int(i) for i in ids]
        with self._writing(conn) as c:
            for start in range(0, len(ids), CHUNK):
                c.execute(q.update().where(q.c.id.in_(ids[start:start + CHUNK]),
                                           q.c.resolved_at.is_(None))
                          .values(resolved_at=int(time.time())))
            self.bump_version(c)

    # -- meetings and chart annotations ------------------------------------------------------------

    def add_meeting(self, held_on: date, title: str, conn: Connection | None = None) -> int:
        m = schema.meetings
        with self._writing(conn) as c:
            if c.execute(sa.select(m.c.id).where(m.c.held_on == held_on)).first():
                raise ValueError(f"Am {held_on:%d.%m.%Y} gibt es schon eine Sitzung.")
            new_id = _inserted_id(c.execute(m.insert().values(held_on=held_on, title=title)))
            self.bump_version(c)
        return int(new_id)

    def last_report_day(self) -> date | None:
        """The local day of the latest report (None: no reports)."""
        r = schema.reports
        with self.engine.connect() as conn:
            latest = conn.execute(sa.select(sa.func.max(r.c.occurred_at))).scalar()
        if latest is None:
            return None
        return pd.Timestamp(int(latest), unit="s", tz="UTC").tz_convert(TIMEZONE).date()

    def list_meetings(self, include_cancelled: bool = False) -> pd.DataFrame:
        """Meetings by date: id, held_on, title, starts_at, place, note, status; cancelled
        ones only where asked for (they are no "last" or "next" meeting)."""
        m = schema.meetings
        query = sa.select(m.c.id, m.c.held_on, m.c.title, m.c.starts_at, m.c.place, m.c.note,
                          m.c.status).order_by(m.c.held_on)
        if not include_cancelled:
            query = query.where(m.c.status != "cancelled")
        return self._frame(query)

    def add_annotation(self, starts_on: date, ends_on: date | None, kind: str, label: str,
                       conn: Connection | None = None) -> int:
        a = schema.annotations
        with self._writing(conn) as c:
            new_id = _inserted_id(c.execute(a.insert().values(
                starts_on=starts_on, ends_on=ends_on, kind=kind, label=label)))
            self.bump_version(c)
        return int(new_id)

    def list_annotations(self) -> pd.DataFrame:
        a = schema.annotations
        return self._frame(sa.select(a).order_by(a.c.starts_on, a.c.id))

    # -- whole store -------------------------------------------------------------------------------

    def reset(self) -> None:
        """Delete all data (demo rebuild); the data version keeps counting.

        Accounts, log-in attempts and the audit log survive: rebuilding the demo must not
        lock out the admin or erase the record of who did what.
        """
        kept = (schema.users, schema.login_attempts, schema.audit_log)
        with self.transaction() as conn:
            for table in reversed(schema.metadata.sorted_tables):
                if table in kept:
                    continue
                query = table.delete()
                if table is schema.meta:
                    query = query.where(table.c.key.not_in(("version", "instance")))
                conn.execute(query)
            self.bump_version(conn)

    def _frame(self, query: sa.Select, conn: Connection | None = None) -> pd.DataFrame:
        with self._reading(conn) as c:
            result = c.execute(query)  # typed rows: SQLite keeps dates as text
            return pd.DataFrame([tuple(row) for row in result], columns=list(result.keys()))
