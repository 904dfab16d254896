"""Concerns (Anliegen) that residents and partners bring to the alliance, their moderation,
and the private status page a resident follows them on.

Anyone may submit one without logging in, so the form is the product's only open write
path. Against floods (issue 22) it asks no question a script can read from the label:
the browser solves a small hash puzzle the server issued (``Puzzle``, own JavaScript), the
form must have been open for ``MIN_FILL_SECONDS``, a hidden honeypot field must stay empty,
and quotas count per session, per sender address and in total, where the total keeps room
for senders that have not sent anything in the hour (one address cannot use up the quota
of everyone). Everything lands in a moderation queue first; text is length-limited.

The submitter gets a receipt with a random status token (only its hash is stored): the
link ``/anliegen?status=<token>`` shows that one concern's steps and the alliance's answer,
nothing else and no log-in, as FixMyStreet's report links do.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

import pandas as pd
from sqlalchemy import func, select, update

from reports.coordination.agenda import DEFAULT_INTERVAL
from reports.coordination.meetings import german_date, list_meetings
from reports.model import REPORT_COLUMNS, TIMEZONE, stable_id, vocabulary
from reports.storage import audit
from reports.storage.schema import concerns as concerns_table
from reports.storage.schema import meetings as meetings_table
from reports.storage.schema import meta as meta_table
from reports.storage.schema import reports as reports_table

if TYPE_CHECKING:
    from geo.geocode import Geocoder

MAX_DESCRIPTION = 2000
MIN_DESCRIPTION = 10
MAX_ADDRESS = 200
MAX_CONTACT = 200
MAX_ANSWER = 2000
PER_SESSION_PER_HOUR = 3
PER_SENDER_PER_HOUR = 5  # one address (a household, a bot's host) in any number of sessions
ALL_PER_HOUR = 60  # beyond this only senders without a concern in the hour get through …
CEILING_PER_HOUR = 200  # … up to this, a hard stop for the store's sake
PUZZLE_BITS = 18  # leading zero bits: ~260,000 SHA-256 in the browser, under a second
MIN_FILL_SECONDS = 5  # a form sent sooner after it was shown was not filled in by a person
PUZZLE_LIFETIME = 2 * 3600
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
class Sender:
    """Who sends: the browser session and the client address (None: unknown)."""

    session_key: str
    address: str | None = None


@dataclass(frozen=True)
class Puzzle:
    """A hash puzzle the server issues with the form: find a ``nonce`` whose
    SHA-256(``seed:nonce``) starts with ``bits`` zero bits. The browser solves it with
    ``static/vendor/lagebild/puzzle.js``; checking costs one hash."""

    seed: str
    issued_at: float
    bits: int = PUZZLE_BITS

    @classmethod
    def new(cls, now: float | None = None, bits: int = PUZZLE_BITS) -> Puzzle:
        return cls(secrets.token_hex(16), time.time() if now is None else now, bits)

    def solved_by(self, nonce: str) -> bool:
        if not nonce or len(nonce) > 32:
            return False
        digest = hashlib.sha256(f"{self.seed}:{nonce}".encode()).digest()
        return int.from_bytes(digest, "big") >> (256 - self.bits) == 0


def solve(puzzle: Puzzle) -> str:
    """The browser's search in Python (tests, and what a scripted sender has to pay)."""
    nonce = 0
    while not puzzle.solved_by(str(nonce)):
        nonce += 1
    return str(nonce)


@dataclass(frozen=True)
class Receipt:
    id: int
    token: str  # shown once; only its hash is stored


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


def nearest_address(lon: float, lat: float) -> str:
    """The register address nearest to a clicked point ("" if none within 150 m), so the
    resident sees in words where the point lies."""
    from geo.crs import to_metric
    from geo.gazetteer import nearest_address as nearest

    x, y = to_metric([lon], [lat])
    return nearest(x, y)[0][0]


def _check_puzzle(puzzle: Puzzle, nonce: str, now: float) -> None:
    if not nonce:
        raise ConcernError("Die Sicherheitsprüfung im Browser ist noch nicht fertig. Bitte "
                           "einen Moment warten und erneut senden.")
    if not puzzle.solved_by(nonce):
        raise ConcernError("Die Sicherheitsprüfung ist fehlgeschlagen. Bitte die Seite neu "
                           "laden und erneut senden.")
    if now - puzzle.issued_at < MIN_FILL_SECONDS:
        raise ConcernError("Das ging sehr schnell. Bitte das Formular in Ruhe ausfüllen und "
                           "in ein paar Sekunden erneut senden.")
    if now - puzzle.issued_at > PUZZLE_LIFETIME:
        raise ConcernError("Das Formular war zu lange offen. Bitte erneut senden.")


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _sender_label(conn, address: str | None) -> str:
    """The sender address as stored: a keyed hash (enough to count, not the address)."""
    key = conn.execute(select(meta_table.c.value).where(meta_table.c.key == "instance")
                       ).scalar() or ""
    digest = hmac.new(f"lagebild-anliegen:{key}".encode(), (address or "unbekannt").encode(),
                      hashlib.sha256).hexdigest()
    return digest[:32]


def submit(store, form: ConcernForm, sender: Sender, puzzle: Puzzle, nonce: str, *,
           geocoder: Geocoder, now: float | None = None) -> Receipt:
    """Check and queue a concern for moderation (placed by ``geocoder``, the deployment's);
    returns its number and status token."""
    now = time.time() if now is None else now
    if form.honeypot:
        raise ConcernError("Das Anliegen konnte nicht angenommen werden.")
    _check_puzzle(puzzle, nonce, now)
    if form.topic not in vocabulary().topics:
        raise ConcernError("Feld „Thema“: Bitte ein Thema wählen.")
    description = _clean(form.description, MAX_DESCRIPTION, "Beschreibung")
    if len(description) < MIN_DESCRIPTION:
        raise ConcernError(f"Feld „Beschreibung“: Bitte mindestens {MIN_DESCRIPTION} Zeichen.")
    address = _clean(form.address, MAX_ADDRESS, "Adresse")
    contact = _clean(form.contact, MAX_CONTACT, "Kontakt")
    with store.engine.connect() as conn:  # before geocoding: a flood must not reach it
        label = _sender_label(conn, sender.address)
        _check_rate(store, conn, sender.session_key, label, now, lock=False)
    place = _place(ConcernForm(form.topic, description, address, form.lon, form.lat), geocoder)
    token = secrets.token_urlsafe(18)
    with store.transaction() as conn:
        _check_rate(store, conn, sender.session_key, label, now)
        _refuse_repeat(conn, sender.session_key, description, now)
        new_id = conn.execute(concerns_table.insert().values(
            created_at=int(now), topic=form.topic, description=description,
            address=address or None, lon=place["lon"], lat=place["lat"], x=place["x"],
            y=place["y"], ortsteil=place["ortsteil"], geocode_status=place["status"],
            contact=contact or None, status="new", session_key=sender.session_key,
            sender=label, status_token=token_hash(token),
        )).inserted_primary_key[0]
        audit.record(store, "öffentlich", "concern_submit", {"id": new_id}, conn=conn)
        store.bump_version(conn)
    return Receipt(int(new_id), token)


def _refuse_repeat(conn, session_key: str, description: str, now: float) -> None:
    """A second click on "Senden" must not file the same concern twice."""
    same = select(func.count()).select_from(concerns_table).where(
        concerns_table.c.session_key == session_key,
        concerns_table.c.description == description,
        concerns_table.c.created_at > int(now) - 3600)
    if conn.execute(same).scalar_one():
        raise ConcernError("Dieses Anliegen wurde bereits gesendet. Vielen Dank!")


def _check_rate(store, conn, session_key: str, sender: str, now: float,
                lock: bool = True) -> None:
    """Quotas of the last hour: per session, per sender address, and in total, where the
    total beyond ``ALL_PER_HOUR`` still lets through senders without a concern in the hour
    (up to ``CEILING_PER_HOUR``). With ``lock``, count and insert in one write transaction,
    so parallel submissions cannot both slip under a limit (SQLite: BEGIN IMMEDIATE;
    PostgreSQL: a table lock against writers)."""
    if lock and store.engine.dialect.name == "postgresql":
        conn.exec_driver_sql("LOCK TABLE concerns IN SHARE ROW EXCLUSIVE MODE")
    recent = select(func.count()).select_from(concerns_table).where(
        concerns_table.c.created_at > int(now) - 3600)
    if conn.execute(recent.where(concerns_table.c.session_key == session_key)).scalar_one() \
            >= PER_SESSION_PER_HOUR:
        raise ConcernError("Sie haben in der letzten Stunde schon mehrere Anliegen gesendet. "
                           "Bitte später erneut versuchen.")
    mine = conn.execute(recent.where(concerns_table.c.sender == sender)).scalar_one()
    if mine >= PER_SENDER_PER_HOUR:
        raise ConcernError("Von Ihrem Anschluss kamen in der letzten Stunde schon mehrere "
                           "Anliegen. Bitte später erneut versuchen.")
    total = conn.execute(recent).scalar_one()
    if total >= CEILING_PER_HOUR or (total >= ALL_PER_HOUR and mine):
        raise ConcernError("Gerade gehen sehr viele Anliegen ein. Bitte später erneut "
                           "versuchen.")


def list_concerns(store, status: str | None = None, with_contact: bool = False) -> pd.DataFrame:
    """Concerns for the moderation queue; contact details only where asked for."""
    query = select(concerns_table).order_by(concerns_table.c.created_at.desc())
    if status:
        query = query.where(concerns_table.c.status == status)
    with store.engine.connect() as conn:
        frame = pd.read_sql_query(query, conn)
    frame = frame.drop(columns=["status_token", "sender"])
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
            "source_ref": source_ref, "category": category,
            # the resident's topic where the category is filed under it too (Spritzenfund:
            # Umwelt, Soziales, Ordnung), else the category's first topic
            "topic": row.topic if row.topic in category_spec.topics else category_spec.topic,
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


def answer(store, concern_id: int, text: str, actor: str, discussed: bool = False,
           now: float | None = None) -> None:
    """The alliance's answer to the resident (shown on the status page); ``discussed``
    marks the concern as discussed (a meeting held counts as discussed too)."""
    text = _clean(text, MAX_ANSWER, "Antwort")
    values: dict = {"answer": text or None}
    if discussed:
        values["discussed_at"] = int(time.time() if now is None else now)
    with store.transaction() as conn:
        _get(conn, concern_id)
        conn.execute(update(concerns_table).where(concerns_table.c.id == concern_id)
                     .values(**values))
        audit.record(store, actor, "concern_answer", {"id": concern_id,
                                                      "discussed": discussed}, conn=conn)


@dataclass(frozen=True)
class Step:
    label: str
    done: bool
    note: str = ""


@dataclass(frozen=True)
class ConcernStatus:
    """What the holder of a status link sees: this one concern, nothing of anybody else's
    and not the contact given."""

    id: int
    created_at: pd.Timestamp
    topic: str  # German label
    ortsteil: str
    description: str
    steps: tuple[Step, ...]
    answer: str
    closed: str = ""  # German: why it ends here (not taken in)


def status_for(store, token: str, today: date) -> ConcernStatus | None:
    """The concern a status token belongs to (None for an unknown token)."""
    if not token or len(token) > 64:
        return None
    with store.engine.connect() as conn:
        row = conn.execute(select(concerns_table).where(
            concerns_table.c.status_token == token_hash(token))).first()
    if row is None:
        return None
    created = pd.Timestamp(row.created_at, unit="s", tz="UTC").tz_convert(TIMEZONE)
    calendar = sorted(list_meetings(store), key=lambda m: m.held_on)
    meeting = next((m for m in calendar if m.id == row.meeting_id), None)
    if meeting is None and row.status in ("accepted", "merged"):
        # the agenda lists taken-in concerns of its period: the first session after it
        # (the first session of all looks back DEFAULT_INTERVAL)
        later = [m for m in calendar if m.held_on > created.date()]
        if later and (later[0] is not calendar[0]
                      or created.date() >= later[0].held_on - DEFAULT_INTERVAL):
            meeting = later[0]
    reviewed = row.status != "new" or bool(row.answer) or meeting is not None
    steps = [Step("Eingegangen", True, f"am {created:%d.%m.%Y}"),
             Step("In Prüfung durch die Redaktion", reviewed,
                  "geprüft" if reviewed else "wird geprüft")]
    closed = ""
    if row.status == "rejected":
        closed = "Das Anliegen wurde nicht in die Auswertung übernommen."
    else:
        agenda = f"Auf der Tagesordnung am {german_date(meeting.held_on)}" if meeting \
            else "Auf der Tagesordnung"
        held = meeting is not None and meeting.held_on < today
        discussed = row.discussed_at is not None or held
        where = ", ".join(p for p in (meeting.title, meeting.starts_at and
                                       f"{meeting.starts_at} Uhr", meeting.place) if p) \
            if meeting else ""
        steps += [Step(agenda, meeting is not None, where),
                  Step("Besprochen", discussed, "")]
    return ConcernStatus(int(row.id), created, vocabulary().topics.get(row.topic, row.topic),
                         row.ortsteil or "", row.description, tuple(steps), row.answer or "",
                         closed)
