"""The alliance's sessions: planned, edited, cancelled and listed by Redaktion (page and CLI).

A cancelled session stays in the calendar (the minutes may refer to it) but is neither the
"last" nor the "next" meeting. The next meeting is the first planned one on or after today,
so it is defined as soon as one is planned.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

import pandas as pd
import sqlalchemy as sa

from reports.storage import audit
from reports.storage.schema import meetings as meetings_table

STATUSES = {"planned": "geplant", "cancelled": "abgesagt"}
MAX_TITLE = 200
MAX_PLACE = 200
MAX_NOTE = 2000
_TIME = re.compile(r"^([01]?\d|2[0-3])[:.]([0-5]\d)$")


class MeetingError(ValueError):
    """A meeting that cannot be saved; the message is German and names the field."""


@dataclass(frozen=True)
class Meeting:
    held_on: date
    title: str
    starts_at: str = ""  # "18:30"
    place: str = ""
    note: str = ""  # the moderator's note
    status: str = "planned"
    id: int | None = None

    @property
    def label(self) -> str:
        """"Do., 03.12.2026, 18:30 – Plenum (Stadtteilladen)" as lists and the handout show it."""
        when = german_date(self.held_on, weekday=True)
        when += f", {self.starts_at} Uhr" if self.starts_at else ""
        where = f" ({self.place})" if self.place else ""
        cancelled = " – abgesagt" if self.status == "cancelled" else ""
        return f"{when} – {self.title}{where}{cancelled}"


WEEKDAYS = ("Mo.", "Di.", "Mi.", "Do.", "Fr.", "Sa.", "So.")
MONTHS = ("Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September",
          "Oktober", "November", "Dezember")


def german_date(day: date, weekday: bool = False, long: bool = False) -> str:
    """03.12.2026, "Do., 03.12.2026" or "3. Dezember 2026" – never ISO on a page or paper."""
    text = f"{day.day}. {MONTHS[day.month - 1]} {day.year}" if long else f"{day:%d.%m.%Y}"
    return f"{WEEKDAYS[day.weekday()]}, {text}" if weekday else text


def normalise_time(text: str | None) -> str:
    """"18.30", "18:30" or "9:00" -> "18:30" / "09:00"; empty stays empty."""
    text = (text or "").strip()
    if not text:
        return ""
    match = _TIME.match(text)
    if not match:
        raise MeetingError(f"Feld „Uhrzeit“: „{text}“ ist keine Uhrzeit (Beispiel: 18:30).")
    return f"{int(match.group(1)):02d}:{match.group(2)}"


def _checked(meeting: Meeting) -> Meeting:
    title = " ".join((meeting.title or "").split())
    if not title:
        raise MeetingError("Feld „Titel“: Bitte einen Titel angeben.")
    for field, value, limit in (("Titel", title, MAX_TITLE), ("Ort", meeting.place, MAX_PLACE),
                                ("Notiz", meeting.note, MAX_NOTE)):
        if len(value or "") > limit:
            raise MeetingError(f"Feld „{field}“: höchstens {limit} Zeichen.")
    if not isinstance(meeting.held_on, date):
        raise MeetingError("Feld „Datum“: Bitte ein Datum angeben.")
    if meeting.status not in STATUSES:
        raise MeetingError(f"Feld „Status“: unbekannter Status „{meeting.status}“.")
    return Meeting(meeting.held_on, title, normalise_time(meeting.starts_at),
                   (meeting.place or "").strip(), (meeting.note or "").strip(), meeting.status,
                   meeting.id)


def _values(m: Meeting) -> dict:
    return {"held_on": m.held_on, "title": m.title, "starts_at": m.starts_at or None,
            "place": m.place or None, "note": m.note or None, "status": m.status}


def _same_day(conn, held_on: date, other_than: int | None) -> None:
    t = meetings_table
    query = sa.select(t.c.id, t.c.status).where(t.c.held_on == held_on)
    if other_than is not None:
        query = query.where(t.c.id != other_than)
    row = conn.execute(query).first()
    if row is not None:
        extra = " (abgesagt; bitte diese bearbeiten)" if row.status == "cancelled" else ""
        raise MeetingError(f"Feld „Datum“: Am {held_on:%d.%m.%Y} gibt es schon eine "
                           f"Sitzung{extra}.")


def add_meeting(store, meeting: Meeting, actor: str) -> int:
    """Plan a session (audited); one session per day."""
    m = _checked(Meeting(meeting.held_on, meeting.title, meeting.starts_at, meeting.place,
                         meeting.note))
    with store.transaction() as conn:
        _same_day(conn, m.held_on, None)
        new_id = int(conn.execute(meetings_table.insert().values(**_values(m)))
                     .inserted_primary_key[0])
        audit.record(store, actor, "meeting_add", {"id": new_id, **_values(m)}, conn=conn)
        store.bump_version(conn)
    return new_id


def get_meeting(store, meeting_id: int) -> Meeting:
    with store.engine.connect() as conn:
        row = conn.execute(sa.select(meetings_table).where(
            meetings_table.c.id == meeting_id)).first()
    if row is None:
        raise MeetingError(f"Eine Sitzung {meeting_id} gibt es nicht.")
    return _from_row(row)


def _from_row(row) -> Meeting:
    held = row.held_on if isinstance(row.held_on, date) else date.fromisoformat(str(row.held_on))
    return Meeting(held, row.title, row.starts_at or "", row.place or "", row.note or "",
                   row.status, int(row.id))


def edit_meeting(store, meeting_id: int, actor: str, **changes) -> Meeting:
    """Change any of held_on, title, starts_at, place, note, status (audited, with the old
    values)."""
    unknown = set(changes) - {"held_on", "title", "starts_at", "place", "note", "status"}
    if unknown:
        raise MeetingError(f"Unbekannte Angabe: {', '.join(sorted(unknown))}.")
    old = get_meeting(store, meeting_id)
    new = _checked(Meeting(**{**old.__dict__, **{k: v for k, v in changes.items()
                                                   if v is not None}}))
    with store.transaction() as conn:
        if new.held_on != old.held_on:
            _same_day(conn, new.held_on, meeting_id)
        conn.execute(meetings_table.update().where(meetings_table.c.id == meeting_id)
                     .values(**_values(new)))
        before, after = _values(old), _values(new)
        audit.record(store, actor, "meeting_edit", {
            "id": meeting_id, "changed": {k: [before[k], after[k]] for k in after
                                          if before[k] != after[k]}}, conn=conn)
        store.bump_version(conn)
    return new


def cancel_meeting(store, meeting_id: int, actor: str, reason: str = "") -> Meeting:
    """Cancel a session; the reason goes into its note."""
    old = get_meeting(store, meeting_id)
    note = old.note
    if reason.strip():
        note = (f"{note}\n" if note else "") + f"Abgesagt: {reason.strip()}"
    return edit_meeting(store, meeting_id, actor, status="cancelled", note=note)


def list_meetings(store, include_cancelled: bool = False) -> list[Meeting]:
    frame = store.list_meetings(include_cancelled=include_cancelled)
    return [_from_row(row) for row in frame.itertuples()]


def next_meeting(store, today: date) -> Meeting | None:
    """The first planned session on or after ``today``."""
    upcoming = [m for m in list_meetings(store) if m.held_on >= today]
    return upcoming[0] if upcoming else None


def previous_meeting(store, meeting: Meeting) -> Meeting | None:
    """The planned session before ``meeting`` (the start of its agenda's period)."""
    earlier = [m for m in list_meetings(store) if m.held_on < meeting.held_on]
    return earlier[-1] if earlier else None


def meetings_frame(items: list[Meeting]) -> pd.DataFrame:
    """German table of sessions for the page and the CLI."""
    return pd.DataFrame({
        "Nr.": [m.id for m in items],
        "Datum": [german_date(m.held_on, weekday=True) for m in items],
        "Uhrzeit": [m.starts_at for m in items],
        "Titel": [m.title for m in items],
        "Ort": [m.place for m in items],
        "Status": [STATUSES[m.status] for m in items],
        "Notiz": [m.note for m in items],
    })


# -- CLI: python -m reports meeting add|list|edit|cancel ----------------------------------------


def _parse_day(text: str) -> date:
    from datetime import datetime

    for pattern in ("%d.%m.%Y", "%Y-%m-%d"):
        try:
            return datetime.strptime(text.strip(), pattern).date()
        except ValueError:
            continue
    raise MeetingError(f"Datum „{text}“: erwartet TT.MM.JJJJ, z. B. 03.12.2026.")


def register_cli(subparsers) -> None:
    """``python -m reports meeting add|list|edit|cancel``."""
    meeting = subparsers.add_parser("meeting", help="Sitzungen planen, ändern, absagen, "
                                                    "auflisten")
    verbs = meeting.add_subparsers(dest="verb", required=True)
    add = verbs.add_parser("add", help="Sitzung planen")
    add.add_argument("--date", required=True, metavar="TT.MM.JJJJ")
    add.add_argument("--title", required=True)
    add.add_argument("--time", default="", metavar="HH:MM")
    add.add_argument("--place", default="")
    add.add_argument("--note", default="", help="Notiz der Moderation")
    add.set_defaults(func=_cli_add)
    lst = verbs.add_parser("list", help="Sitzungen auflisten")
    lst.add_argument("--all", action="store_true", help="auch abgesagte")
    lst.set_defaults(func=_cli_list)
    edit = verbs.add_parser("edit", help="Sitzung ändern")
    edit.add_argument("id", type=int)
    edit.add_argument("--date", metavar="TT.MM.JJJJ")
    edit.add_argument("--title")
    edit.add_argument("--time", metavar="HH:MM")
    edit.add_argument("--place")
    edit.add_argument("--note")
    edit.set_defaults(func=_cli_edit)
    cancel = verbs.add_parser("cancel", help="Sitzung absagen")
    cancel.add_argument("id", type=int)
    cancel.add_argument("--reason", default="")
    cancel.set_defaults(func=_cli_cancel)


def _store():
    from reports.storage.store import Store

    return Store.open()


def _cli_add(args) -> int:
    new_id = add_meeting(_store(), Meeting(_parse_day(args.date), args.title, args.time,
                                           args.place, args.note), actor="cli")
    print(f"Sitzung {new_id} geplant: {get_meeting(_store(), new_id).label}")
    return 0


def _cli_list(args) -> int:
    items = list_meetings(_store(), include_cancelled=args.all)
    if not items:
        print("Keine Sitzungen im Kalender.")
    for m in items:
        print(f"{m.id:>4}  {m.label}")
    return 0


def _cli_edit(args) -> int:
    changed = edit_meeting(_store(), args.id, "cli",
                           held_on=_parse_day(args.date) if args.date else None,
                           title=args.title, starts_at=args.time, place=args.place,
                           note=args.note)
    print(f"Sitzung {args.id} geändert: {changed.label}")
    return 0


def _cli_cancel(args) -> int:
    cancelled = cancel_meeting(_store(), args.id, "cli", args.reason)
    print(f"Sitzung {args.id} abgesagt: {cancelled.label}")
    return 0
