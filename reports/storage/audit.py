"""The audit log: who did what and when (log-ins, imports, corrections, placements,
deletions, exports, user changes, retention runs, denied actions). Readable by Admin only.

Audit writes do not bump the store's data version: no cached page shows the log, and a
flood of failed log-ins must not be able to evict every page cache.
"""

from __future__ import annotations

import json
import time

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from reports.model import TIMEZONE
from reports.storage.schema import audit_log

AUDIT_COLUMNS = ["id", "at", "actor", "action", "detail"]


def record(store, actor: str, action: str, detail: dict, conn: Connection | None = None,
           at: int | None = None) -> None:
    """Append one entry; inside ``conn``'s transaction if given (so it commits or rolls back
    together with the change it describes). ``at``: epoch seconds, default now."""
    row = {
        "at": int(time.time()) if at is None else int(at),
        "actor": (actor or "unbekannt")[:80],
        "action": action[:40],
        "detail": json.dumps(detail, ensure_ascii=False, default=str, sort_keys=True),
    }
    if conn is not None:
        conn.execute(audit_log.insert().values(**row))
        return
    with store.engine.begin() as own:
        own.execute(audit_log.insert().values(**row))


def list_audit(store, limit: int = 500, action: str | None = None) -> pd.DataFrame:
    """The newest ``limit`` entries, newest first; ``at`` as Europe/Berlin time."""
    query = sa.select(audit_log).order_by(audit_log.c.at.desc(), audit_log.c.id.desc())
    if action:
        query = query.where(audit_log.c.action == action)
    with store.engine.connect() as conn:
        rows = conn.execute(query.limit(limit)).mappings().all()
    frame = pd.DataFrame(rows, columns=AUDIT_COLUMNS)
    frame["at"] = pd.to_datetime(frame["at"].astype("int64"), unit="s", utc=True).dt.tz_convert(
        TIMEZONE)
    return frame
