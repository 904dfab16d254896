"""Retention: personal free text is erased once it is older than the configured period.

Descriptions (of reports and of residents' concerns), the contact details of concerns and
the raw input rows kept in quarantine may name people; counts, places and categories do
not and stay, so aggregates and trends are unchanged. Each run is logged in the audit log.
"""

from __future__ import annotations

import time
from datetime import datetime

import pandas as pd

from config.settings import settings
from reports.model import TIMEZONE
from reports.storage import audit
from reports.storage.schema import concerns, quarantine

ERASED = "(gelöscht)"  # concerns.description is NOT NULL


def erase_old_descriptions(store, older_than_days: int | None = None, actor: str = "cli",
                           now: float | None = None) -> int:
    """Erase free text older than ``older_than_days`` (default: settings().retention_days);
    returns the number of reports whose description was erased."""
    days = settings().retention_days if older_than_days is None else int(older_than_days)
    if days < 0:
        raise ValueError("Die Aufbewahrungsfrist kann nicht negativ sein.")
    now_s = int(time.time() if now is None else now)
    cutoff_s = now_s - days * 86400
    cutoff = pd.Timestamp(cutoff_s, unit="s", tz="UTC").tz_convert(TIMEZONE).to_pydatetime()
    with store.transaction() as conn:
        reports = store.erase_descriptions(cutoff, conn=conn)
        concern_rows = conn.execute(concerns.update().where(
            concerns.c.created_at < cutoff_s,
            (concerns.c.description != ERASED) | concerns.c.contact.is_not(None),
        ).values(description=ERASED, contact=None)).rowcount
        quarantine_rows = conn.execute(quarantine.update().where(
            quarantine.c.created_at < cutoff_s, quarantine.c.raw != "{}"
        ).values(raw="{}")).rowcount
        audit.record(store, actor, "retention", {
            "older_than_days": days, "cutoff": cutoff.isoformat(), "reports": reports,
            "concerns": concern_rows, "quarantine": quarantine_rows}, conn=conn)
        if concern_rows or quarantine_rows:
            store.bump_version(conn)
    return reports


def register_cli(subparsers) -> None:
    """``python -m reports retention [--days N]``."""
    run = subparsers.add_parser("retention", help="alte Freitexte löschen (Aufbewahrungsfrist)")
    run.add_argument("--days", type=int, default=None,
                     help=f"Frist in Tagen (Standard: {settings().retention_days})")
    run.set_defaults(func=_cli_run)


def _cli_run(args) -> int:
    from reports.storage.store import Store

    days = settings().retention_days if args.days is None else args.days
    erased = erase_old_descriptions(Store.open(), days, actor="cli")
    print(f"{erased} Beschreibungen älter als {days} Tage gelöscht "
          f"(Stand {datetime.now():%d.%m.%Y %H:%M}).")
    return 0
