"""Reading pages while the store cannot be read (full disk, a file locked by another
program, a lost connection): the last value each read returned stands in, so the results
cached for the last good data version are shown with a note saying what is wrong and how
old they are, instead of a blank page. Without such a value the fault's message is shown.

The values are kept per process (shared by all sessions, like the caches they key); a run
that met a fault uses them for the rest of the run without asking the store again, so a
locked file costs one wait per page, not one per read.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

import streamlit as st

from reports.model import TIMEZONE
from reports.storage.faults import StoreError

T = TypeVar("T")
_FAULT_KEY = "_last_good_fault"


@dataclass(frozen=True)
class _Kept:
    value: Any
    read_at: datetime


@st.cache_resource(show_spinner=False)
def _kept() -> dict[str, _Kept]:
    return {}


def begin_run() -> None:
    """A new run asks the store again (called once at the top of every run)."""
    st.session_state.pop(_FAULT_KEY, None)


def read(key: str, fetch: Callable[[], T]) -> T:
    """``fetch()``, remembered under ``key``; on a store fault the value last remembered
    (and the fault is noted for ``note``), or the fault itself if there is none. ``key``
    must name everything the value depends on."""
    kept = _kept()
    fault = st.session_state.get(_FAULT_KEY)
    if fault is None:
        try:
            value = fetch()
        except StoreError as exc:
            if key not in kept:
                raise
            st.session_state[_FAULT_KEY] = (exc.detail, kept[key].read_at)
            return kept[key].value
        kept[key] = _Kept(value, datetime.now(ZoneInfo(TIMEZONE)))
        return value
    if key in kept:
        return kept[key].value
    raise StoreError(fault[0])


def note() -> None:
    """The warning above a page drawn from remembered values."""
    fault = st.session_state.get(_FAULT_KEY)
    if fault is not None:
        detail, read_at = fault
        st.warning(f"{detail} Angezeigt wird der zuletzt gelesene Stand (Stand: "
                   f"{read_at:%d.%m.%Y, %H:%M} Uhr); was seitdem dazukam, fehlt.",
                   icon=":material/history:")
