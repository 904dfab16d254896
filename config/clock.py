"""The one clock: "today" is the real date in Leipzig, for the agenda, presets, the handout's
"Erstellt am" and the demo (which ends yesterday). Nothing derives today from the data, so a
store with real imports behaves the same whether it started as the demo or not; tests pass
explicit dates instead of freezing this clock."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from config.locale import TIMEZONE


def today() -> date:
    """The real date in Europe/Berlin (a server in UTC would otherwise switch at 1 or 2 am)."""
    return datetime.now(ZoneInfo(TIMEZONE)).date()


def yesterday() -> date:
    """The last complete day: where the demo ends and the agenda's period stops."""
    return today() - timedelta(days=1)
