"""Concerns (Anliegen) that residents and partners bring to the alliance, and their moderation.

Anyone may submit one without logging in, so the form is the product's only open write
path: it is rate-limited per session, guarded by a small arithmetic challenge and a
honeypot field, length-limited, and everything lands in a moderation queue first.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pandas as pd
from sqlalchemy import func, select, update

from reports.model import REPORT_COLUMNS, TIMEZONE, stable_id, vocabulary
from reports.storage import audit
from reports.storage.schema import concerns as concerns_table
from reports.storage.schema import meetings as meetings_table
from reports.storage.schema import reports as reports_table

if TYPE_CHECKING:
    from geo.geocode import Geocoder

MAX_DESCRIPTION = 2000
MIN_DESCRIPTION = 10
MAX_ADDRESS = 200
MAX_CONTACT = 200
PER_SESSION_PER_HOUR = 3
ALL_PER_HOUR = 60  # a flood from many sessions is stopped too
STATUSES = {"new": "neu", "accepted": "übernommen", "merged": "zusammengeführt",
            "rejected": "abgelehnt"}


class ConcernError(ValueError):
    """A concern that cannot be saved or moderated; German message naming the field."""


@dataclass(frozen=True)
class ConcernForm:
    topic: str
    description: str
    address: str = ""
    lon: float | None = None
    lat: float | None = None
    contact: str = ""
    honeypot: str = ""  # a hidden field people leave empty and bots fill


@dataclass(frozen=True)
class Challenge:
    question: str
    answer: int

    @classmethod
    def new(cls, rng: random.Random | None = None) -> Challenge:
        rng = rng or random.SystemRandom()
        a, b = rng.randint(2, 9), rng.randint(2, 9)
        return cls(f"Wie viel ist {a} plus {b}?", a + b)

    def accepts(self, given: str) -> bool:
        return given.strip() == str(self.answer)


def _clean(text: str, limit: int, field: str) -> str:
    text = "".join(ch for ch in (text or "") if ch.isprintable() or ch in "\n\t").strip()
    if len(text) > limit:
        raise ConcernError(f"Feld „{field}“: höchstens {limit} Zeichen.")
    return text


def _place(form: ConcernForm, geocoder: Geocoder) -> dict:
    from geo.geocode import manual_placement

    if form.lon is not None and form.lat is not None:
        try:
            placed = manual_placement(form.lon, form.lat, geocoder.boundary_fn)
        except ValueError as exc:
            raise ConcernError(f"Feld „Ort“: {exc}.") from None
        if placed["ortsteil"] is None:
            raise ConcernError("Feld „Ort“: Der gewählte Punkt liegt außerhalb des Leipziger "
                               "Ostens.")
        return placed
    if not form.address.strip():
        raise ConcernError("Feld „Ort“: Bitte einen Ort auf der Karte wählen oder eine "
                           "Adresse angeben.")
    result = geocoder.geocode(form.address)
    if result.status == "unresolved":
        raise ConcernError(f"Feld „Adresse“: „{form.address}“ wurde nicht gefunden "
                           f"({result.reason}). Bitte den Ort auf der Karte wählen.")
    if result.status == "outside":
        raise ConcernError("Feld „Adresse“: Die Adresse liegt außerhalb des Leipziger Ostens.")
    return {"lon": result.lon, "lat": result.lat, "x": result.x, "y": result.y,
            "ortsteil": result.ortsteil, "status": result.status}


def submit(store, form: ConcernForm, session_key: str, challenge: Challenge, answer: str, *,
           geocoder: Geocoder, now: float | None = None) -> int:
    """Check and queue a concern for moderation (placed by ``geocoder``, the deployment's);
    returns its id."""
    now = time.time() if now is None else now
    if form.honeypot:
        raise ConcernError("Das Anliegen konnte nicht angenommen werden.")
    if not challenge.accepts(answer):
        raise ConcernError("Feld „Sicherheitsfrage“: Die Antwort stimmt nicht.")
    if form.topic not in vocabulary().topics:
        raise ConcernError("Feld „Thema“: Bitte ein Thema wählen.")
    description = _clean(form.description, MAX_DESCRIPTION, "Beschreibung")
    if len(description) < MIN_DESCRIPTION:
        raise ConcernError(f"Feld „Beschreibung“: Bitte mindestens {MIN_DESCRIPTION} Zeichen.")
    address = _clean(form.address, MAX_ADDRESS, "Adresse")
    contact = _clean(form.contact, MAX_CONTACT, "Kontakt")
    with store.engine.connect() as conn:  # before geocoding: a flood must not reach it
        _check_rate(store, conn, session_key, now, lock=False)
    place = _place(ConcernForm(form.topic, description, address, form.lon, form.lat), geocoder)
    with store.transaction() as conn:
        _check_rate(store, conn, session_key, now)
        _refuse_repeat(conn, session_key, description, now)
        new_id = conn.execute(concerns_table.insert().values(
            created_at=int(now), topic=form.topic, description=description,
            address=address or None, lon=place["lon"], lat=place["lat"], x=place["x"],
            y=place["y"], ortsteil=place["ortsteil"], geocode_status=place["status"],
            contact=contact or None, status="new", session_key=session_key,
        )).inserted_primary_key[0]
        audit.record(store, "öffentlich", "concern_submit", {"id": new_id}, conn=conn)
        store.bump_version(conn)
    return int(new_id)


def _refuse_repeat(conn, session_key: str, description: str, now: float) -> None:
    """A second click on "Senden" must not file the same concern twice."""
    same = select(func.count()).select_from(concerns_table).where(
        concerns_table.c.session_key == session_key,
        concerns_table.c.description == description,
        concerns_table.c.created_at > int(now) - 3600)
    if conn.execute(same).scalar_one():
        raise ConcernError("Dieses Anliegen wurde bereits gesendet. Vielen Dank!")


def _check_rate(store, conn, session_key: str, now: float, lock: bool = True) -> None:
    """With ``lock``, count and insert in one write transaction, so parallel submissions
    cannot both slip under the limit (SQLite: BEGIN IMMEDIATE; PostgreSQL: a table lock
    against writers)."""
    if lock and store.engine.dialect.name == "postgresql":
        conn.exec_driver_sql("LOCK TABLE concerns IN SHARE ROW EXCLUSIVE MODE")
    recent = select(func.count()).select_from(concerns_table).where(
        concerns_table.c.created_at > int(now) - 3600)
    if conn.execute(recent.where(concerns_table.c.session_key == session_key)).scalar_one() \
            >= PER_SESSION_PER_HOUR:
        raise ConcernError("Sie haben in der letzten Stunde schon mehrere Anliegen gesendet. "
                           "Bitte später erneut versuchen.")
    if conn.execute(recent).scalar_one() >= ALL_PER_HOUR:
        raise ConcernError("Gerade gehen sehr viele Anliegen ein. Bitte später erneut "
                           "versuchen.")


def list_concerns(store, status: str | None = None, with_contact: bool = False) -> pd.DataFrame:
    """Concerns for the moderation queue; contact details only where asked for."""
    query = select(concerns_table).order_by(concerns_table.c.created_at.desc())
    if status:
        query = query.where(concerns_table.c.status == status)
    with store.engine.connect() as conn:
        frame = pd.read_sql_query(query, conn)
    if not with_contact:
        frame = frame.drop(columns=["contact", "session_key"])
    frame["created_at"] = pd.to_datetime(frame["created_at"], unit="s", utc=True).dt.tz_convert(
        TIMEZONE)
    return frame


def _get(conn, concern_id: int):
    row = conn.execute(select(concerns_table).where(concerns_table.c.id == concern_id)).first()
    if row is None:
        raise ConcernError(f"Anliegen {concern_id} gibt es nicht.")
    return row


def _claim(conn, concern_id: int, **values) -> None:
    """Move a new concern on; the status check is part of the UPDATE, so two editors acting
    at once cannot both handle it."""
    row = _get(conn, concern_id)
    done = conn.execute(update(concerns_table).where(
        (concerns_table.c.id == concern_id) & (concerns_table.c.status == "new")
    ).values(**values)).rowcount
    if not done:
        raise ConcernError(f"Anliegen {concern_id} ist schon bearbeitet "
                           f"({STATUSES.get(row.status, row.status)}).")


def accept(store, concern_id: int, category: str, actor: str) -> str:
    """Turn a concern into a report of the residents' source; returns the report id."""
    category_spec = vocabulary().categories.get(category)
    if category_spec is None:
        raise ConcernError("Feld „Kategorie“: Bitte eine Kategorie wählen.")
    with store.transaction() as conn:
        row = _get(conn, concern_id)
        # created_at in the reference: ids of deleted concerns can be reused by SQLite
        source_ref = f"anliegen-{concern_id}-{row.created_at}"
        report_id = stable_id("buerger", source_ref)
        _claim(conn, concern_id, status="accepted", category=category, report_id=report_id)
        occurred = pd.Timestamp(row.created_at, unit="s", tz="UTC").tz_convert(TIMEZONE)
        report = pd.DataFrame([{
            "id": report_id, "source": "buerger",
            "source_ref": source_ref, "topic": category_spec.topic, "category": category,
            "occurred_at": occurred, "reported_at": occurred, "address": row.address,
            "lon": row.lon, "lat": row.lat, "x": row.x, "y": row.y, "ortsteil": row.ortsteil,
            "geocode_status": row.geocode_status, "precision_m": None, "count": 1,
            "description": row.description,
            "sensitivity": "restricted" if category_spec.restricted else "members",
            "batch_id": f"anliegen-{concern_id}", "content_hash": stable_id(source_ref, category),
        }]).astype(REPORT_COLUMNS)
        if store.upsert_reports(report, conn).imported != 1:
            raise ConcernError(f"Zu Anliegen {concern_id} gibt es schon eine Meldung.")
        audit.record(store, actor, "concern_accept", {"id": concern_id, "report": report_id},
                     conn=conn)
        store.bump_version(conn)
    return report_id


def merge(store, concern_id: int, report_id: str, actor: str) -> None:
    """Mark a concern as describing a report that is already in the store."""
    report_id = (report_id or "").strip()
    with store.transaction() as conn:
        exists = conn.execute(select(reports_table.c.id).where(
            reports_table.c.id == report_id)).first()
        if exists is None:
            raise ConcernError(f"Feld „Meldung“: Eine Meldung „{report_id}“ gibt es nicht.")
        _claim(conn, concern_id, status="merged", report_id=report_id)
        audit.record(store, actor, "concern_merge", {"id": concern_id, "report": report_id},
                     conn=conn)
        store.bump_version(conn)


def reject(store, concern_id: int, reason: str, actor: str) -> None:
    reason = _clean(reason, 500, "Begründung")
    if not reason:
        raise ConcernError("Feld „Begründung“: Eine Ablehnung braucht eine Begründung.")
    with store.transaction() as conn:
        _claim(conn, concern_id, status="rejected", reason=reason)
        audit.record(store, actor, "concern_reject", {"id": concern_id}, conn=conn)
        store.bump_version(conn)


def put_on_agenda(store, concern_id: int, meeting_id: int | None, actor: str) -> None:
    """Put a concern on a meeting's agenda (``None``: take it off again)."""
    with store.transaction() as conn:
        row = _get(conn, concern_id)
        if row.status == "rejected":
            raise ConcernError("Ein abgelehntes Anliegen kommt nicht auf die Tagesordnung.")
        if meeting_id is not None and conn.execute(select(meetings_table.c.id).where(
                meetings_table.c.id == meeting_id)).first() is None:
            raise ConcernError(f"Feld „Sitzung“: Eine Sitzung {meeting_id} gibt es nicht.")
        conn.execute(update(concerns_table).where(concerns_table.c.id == concern_id)
                     .values(meeting_id=meeting_id))
        audit.record(store, actor, "concern_agenda", {"id": concern_id, "meeting": meeting_id},
                     conn=conn)
        store.bump_version(conn)
