"""Store faults as named exceptions with German messages.

A database error reaches a user as one of four sentences that say what happened and that
nothing was half-written (every write is one transaction, rolled back on any error), never
as the driver's English text. ``translate`` maps a driver or SQLAlchemy error to one of them
(or None: a programming error stays what it is); the store applies it to every statement
(SQLAlchemy's ``handle_error`` hook) and to its own bulk paths at driver level. The command
line and the pages each catch ``StoreError`` once.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa

NOTHING_HALF_WRITTEN = ("Es wurde nichts halb gespeichert: was nicht abgeschlossen war, ist "
                        "vollständig verworfen, der Datenbestand ist wie vorher.")


class StoreError(Exception):
    """A fault of the store itself (not of the input); ``str(exc)`` is German."""

    what = "Der Datenbestand hat einen Fehler gemeldet."

    def __init__(self, detail: str | None = None) -> None:
        self.detail = detail or self.what  # what happened, without the note on writing
        super().__init__(" ".join(part for part in (self.detail, NOTHING_HALF_WRITTEN)))


class StoreUnavailable(StoreError):
    what = ("Die Verbindung zum Datenbestand ist abgebrochen oder der Datenbankserver ist nicht "
            "erreichbar.")


class StoreReadOnly(StoreError):
    what = "Der Datenbestand ist schreibgeschützt; Änderungen sind gerade nicht möglich."


class StoreFull(StoreError):
    what = ("Der Speicherplatz des Datenbestands ist voll. Bitte Platz schaffen (lassen) und "
            "den Vorgang wiederholen.")


class StoreBusy(StoreError):
    what = ("Der Datenbestand ist gerade von einem anderen Vorgang gesperrt (einem Import oder "
            "einem anderen Programm, das die Datei offen hält) und wurde nicht rechtzeitig "
            "frei. Bitte den Vorgang später wiederholen.")


# SQLite result codes (sqlite3 exposes them as ``sqlite_errorcode`` since Python 3.11).
_SQLITE_FULL = 13
_SQLITE_READONLY = 8
_SQLITE_BUSY, _SQLITE_LOCKED = 5, 6
_SQLITE_CANTOPEN, _SQLITE_IOERR = 14, 10
# Extended codes of a write that a read needs: SQLite in WAL mode grows its shared-memory
# file (``-shm``) when it opens the database, which fails on a full disk (SHMSIZE).
_SQLITE_IOERR_SHMSIZE, _SQLITE_IOERR_WRITE = 10 | 19 << 8, 10 | 3 << 8
# PostgreSQL SQLSTATE classes: 53 insufficient resources, 08 connection exception,
# 57P0x operator intervention (server shut down, backend terminated), 25006 read-only.
_PG_FULL = ("53100", "53000")
_PG_READONLY = ("25006",)


def translate(exc: BaseException, *, is_disconnect: bool = False) -> StoreError | None:
    """The ``StoreError`` for a driver or SQLAlchemy error; None for anything else."""
    if isinstance(exc, StoreError):
        return exc
    original = getattr(exc, "orig", None) or exc
    if isinstance(exc, sa.exc.DBAPIError) and exc.connection_invalidated:
        is_disconnect = True
    if isinstance(original, sqlite3.Error):
        code = getattr(original, "sqlite_errorcode", None)
        primary = code & 0xFF if isinstance(code, int) else None
        if primary == _SQLITE_FULL:
            return StoreFull()
        if code in (_SQLITE_IOERR_SHMSIZE, _SQLITE_IOERR_WRITE):
            return StoreFull("Der Datenbestand kann nicht gelesen werden: auf seinem Laufwerk "
                             "ist kein Speicherplatz mehr frei (auch Lesen braucht dort etwas "
                             "Platz). Bitte Platz schaffen (lassen).")
        if primary == _SQLITE_READONLY:
            return StoreReadOnly()
        if primary in (_SQLITE_BUSY, _SQLITE_LOCKED):
            return StoreBusy()
        if primary in (_SQLITE_CANTOPEN, _SQLITE_IOERR):
            return StoreUnavailable(
                "Die Datei des Datenbestands kann nicht geöffnet oder gelesen werden.")
        return None
    state = getattr(original, "sqlstate", None) or ""
    if state in _PG_FULL:
        return StoreFull()
    if state in _PG_READONLY:
        return StoreReadOnly()
    if is_disconnect or state.startswith(("08", "57P")):
        return StoreUnavailable()
    module = type(original).__module__ or ""
    if module.startswith("psycopg") and type(original).__name__ == "OperationalError":
        return StoreUnavailable()  # no SQLSTATE: the server never answered (down, refused)
    return None


@contextmanager
def store_faults() -> Iterator[None]:
    """Raise the ``StoreError`` for a database error inside the block (driver-level code
    that SQLAlchemy's ``handle_error`` hook does not see)."""
    try:
        yield
    except Exception as exc:
        fault = translate(exc)
        if fault is None or fault is exc:
            raise
        raise fault from exc


def install(engine: sa.Engine) -> None:
    """Translate every error of a statement, commit or connect on ``engine``."""

    @sa.event.listens_for(engine, "handle_error")
    def _on_error(context: sa.engine.ExceptionContext) -> None:
        if context.is_pre_ping:  # the pool reconnects by itself
            return
        fault = translate(context.original_exception, is_disconnect=context.is_disconnect)
        if fault is not None:
            raise fault from context.original_exception
