"""Import profiles saved in the database: versioned, audited, newest version active.

A profile is stored as JSON in the shape of ``data/profiles/<source>.toml``; the storage
layer does not interpret it (``reports.ingest.profiles`` does). Saving never overwrites: each
save is a new version, so an import can always be traced to the mapping it used.
"""

from __future__ import annotations

import json
import time

import pandas as pd
import sqlalchemy as sa

from reports.storage import audit
from reports.storage.schema import import_profiles


def save_profile(store, source: str, profile: dict, actor: str) -> int:
    """Store ``profile`` as the next version for ``source``; returns the version."""
    t = import_profiles
    with store.transaction() as conn:
        current = conn.execute(sa.select(sa.func.max(t.c.version)).where(
            t.c.source == source)).scalar()
        version = int(current or 0) + 1
        conn.execute(t.insert().values(
            source=source, version=version, created_at=int(time.time()),
            created_by=(actor or "")[:80],
            profile=json.dumps(profile, ensure_ascii=False, sort_keys=True)))
        audit.record(store, actor, "profile_save", {"source": source, "version": version,
                                                     "profile": profile}, conn=conn)
        store.bump_version(conn)
    return version


def latest_profile(store, source: str) -> tuple[int, dict] | None:
    """(version, profile) of the active profile of ``source``, or None."""
    t = import_profiles
    with store.engine.connect() as conn:
        row = conn.execute(sa.select(t.c.version, t.c.profile).where(t.c.source == source)
                           .order_by(t.c.version.desc()).limit(1)).first()
    return (int(row[0]), json.loads(row[1])) if row else None


def list_profiles(store, source: str | None = None) -> pd.DataFrame:
    """All saved versions, newest first (source, version, created_at, created_by)."""
    t = import_profiles
    query = sa.select(t.c.source, t.c.version, t.c.created_at, t.c.created_by).order_by(
        t.c.source, t.c.version.desc())
    if source:
        query = query.where(t.c.source == source)
    with store.engine.connect() as conn:
        rows = conn.execute(query).all()
    return pd.DataFrame([tuple(r) for r in rows],
                        columns=["source", "version", "created_at", "created_by"])
