"""The agenda of a session: what the alliance should talk about, in an order Redaktion sets.

Five sources: concerns that Redaktion accepted (or put on this session's agenda), the
situation of the period (its figures and the hot street sections with the most reports, one
item), street sections that became or stayed hot with clearly more reports (``reports.
analysis.hotspot_change``, the one definition of a change), measures due for review with
their effect so far, and free items Redaktion writes. Every role sees the same items in the
same order; the public sees a concern's or free item's title only (no description, no
place, no note). The period is the same everywhere (page,
presentation, handout): from the day after the previous session to the day before this one,
or to yesterday (the real date, ``config.clock``) when the session lies ahead (for the
public: whole weeks, up to the last complete one); it is compared with the equally long
period just before. What a role sees of the reports (figures, hot spots, effects) is decided in
``reports.views.meeting``; this module assembles, orders and stores the agenda.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field, replace
from datetime import date, timedelta

import pandas as pd
import shapely
import sqlalchemy as sa
from shapely.geometry.base import BaseGeometry
from sqlalchemy import and_, or_, select

from reports.analysis.hotspot_change import RISING
from reports.coordination.measures import KINDS, STATUSES, Measure
from reports.coordination.meetings import Meeting, german_date, get_meeting
from reports.model import TIMEZONE, vocabulary
from reports.privacy.access import Role, count_text, policy_for
from reports.storage import audit
from reports.storage.schema import agenda_items as items_table
from reports.storage.schema import concerns as concerns_table

DEFAULT_INTERVAL = timedelta(days=42)  # without a previous meeting: six weeks back
MIN_PERIOD = timedelta(days=28)  # shorter periods (data ending just after the last
# session) say nothing about hot spots; the agenda then looks four weeks back
SHOWN_TEXT = 160  # characters of a concern's description on the agenda
SECTION_BASE = {"situation": 50, "concern": 100, "hotspot": 200, "measure": 300, "free": 400}
SECTION_TITLES = {"situation": "Lage im Zeitraum: Hotspots nach Straßenabschnitt",
                  "concern": "Anliegen", "hotspot": "Neue oder sich verstärkende Hotspots",
                  "measure": "Maßnahmen zur Überprüfung", "free": "Weitere Punkte"}
SITUATION_KEY = "situation"
MAX_FREE_TITLE = 200
MAX_FREE_NOTE = 2000


class AgendaError(ValueError):
    """An agenda change that cannot be saved; German message naming the field."""


@dataclass(frozen=True)
class AgendaItem:
    key: str  # "situation", "concern:12", "hotspot:Eisenbahnstraße 60–90", "measure:3", …
    kind: str  # situation, concern, hotspot, measure, free
    title: str
    text: str  # plain German, not escaped (each output escapes for its context)
    figures: dict = field(default_factory=dict)  # label -> number (NA: hidden for the role)
    cell_ids: tuple[int, ...] = ()  # hotspot: its 100 m cells, for the map
    measure_id: int | None = None
    area: BaseGeometry | None = None  # EPSG:25833: a measure's area, a concern's place
    number: int | None = None  # hotspot: its number on the situation map and table


@dataclass(frozen=True)
class Agenda:
    meeting: Meeting
    role: Role
    since: date  # first day of the period
    until: date  # last day of the period (inclusive)
    previous: Meeting | None
    concerns: pd.DataFrame  # id, created_at, topic, category, description, ortsteil, status
    hotspots: pd.DataFrame  # hotspot_change.COLUMNS (+ hidden): the period's top sections
    measures: pd.DataFrame  # id, title, kind, status, starts_on, ends_on, reason, effect,
    # note, area
    items: list[AgendaItem]
    figures: pd.DataFrame  # Bereich, jetzt, davor (NA: hidden for the role), "Gesamt" first

    @property
    def before(self) -> tuple[date, date]:
        """The equally long period just before, for the comparison."""
        length = self.until - self.since + timedelta(days=1)
        return self.since - length, self.since - timedelta(days=1)

    @property
    def period_text(self) -> str:
        lo, hi = self.before
        return (f"{german_date(self.since)} – {german_date(self.until)} (verglichen mit "
                f"{german_date(lo)} – {german_date(hi)})")


def agenda_period(meeting: Meeting, previous: Meeting | None, today: date,
                  whole_weeks: bool = False) -> tuple[date, date]:
    """(first, last day) the agenda looks at; a session ahead looks up to yesterday, so a
    partial day is never shown as a fall; at least MIN_PERIOD long. ``whole_weeks`` (the
    public): up to the last Sunday, so the caller's widening to whole weeks
    (``reports.privacy.access.effective_filter``) never adds days without data."""
    since = (previous.held_on + timedelta(days=1) if previous
             else meeting.held_on - DEFAULT_INTERVAL)
    until = min(meeting.held_on, today) - timedelta(days=1)
    if whole_weeks:
        until -= timedelta(days=(until.weekday() + 1) % 7)
    return min(since, until - MIN_PERIOD + timedelta(days=1)), until


def _agenda_concerns(store, meeting: Meeting, since: date) -> pd.DataFrame:
    start = int(pd.Timestamp(since, tz=TIMEZONE).timestamp())
    end = int(pd.Timestamp(meeting.held_on, tz=TIMEZONE).timestamp())
    c = concerns_table
    query = select(c.c.id, c.c.created_at, c.c.topic, c.c.category, c.c.description,
                   c.c.ortsteil, c.c.status, c.c.x, c.c.y).where(or_(
                       and_(c.c.meeting_id == meeting.id, c.c.status != "rejected"),
                       and_(c.c.meeting_id.is_(None), c.c.status.in_(("accepted", "merged")),
                            c.c.created_at >= start, c.c.created_at < end),
                   )).order_by(c.c.created_at)
    with store.engine.connect() as conn:
        return pd.read_sql_query(query, conn)


def review_reason(m: Measure, held_on: date, since: date, interval: timedelta) -> str | None:
    """Why a measure is due at a session held on ``held_on`` (None: not due)."""
    if m.status == "planned":
        if m.starts_on <= held_on:
            return (f"geplant ab {german_date(m.starts_on)}, noch nicht begonnen: Status "
                    "klären")
        return None
    if m.ends_on is not None and since <= m.ends_on < held_on:
        return f"beendet am {german_date(m.ends_on)}: Bilanz ziehen"
    if m.status == "active" and m.starts_on <= held_on - interval:
        weeks = (held_on - m.starts_on).days // 7
        return f"läuft seit {weeks} Wochen: Wirkung prüfen"
    return None


def due_for_review(items: list[Measure], held_on: date, since: date,
                   interval: timedelta) -> pd.DataFrame:
    """Running measures with at least one meeting interval behind them, measures that ended
    since the previous meeting, and planned measures whose start has come."""
    rows = [{"id": m.id, "title": m.title, "kind": m.kind, "status": m.status,
             "starts_on": m.starts_on, "ends_on": m.ends_on, "reason": reason, "area": m.area}
            for m in items if (reason := review_reason(m, held_on, since, interval))]
    return pd.DataFrame(rows, columns=["id", "title", "kind", "status", "starts_on", "ends_on",
                                       "reason", "area"])


def assemble_agenda(store, meeting: Meeting, previous: Meeting | None, role: Role,
                    period: tuple[date, date], hotspots: pd.DataFrame, measures: pd.DataFrame,
                    figures: pd.DataFrame) -> Agenda:
    """The agenda from the role's figures, hot spots and measures (``reports.views.meeting.
    agenda_for`` decides those by the role's rules), with the accepted concerns and free
    items (for roles without details: their titles only), in the order Redaktion set."""
    since, until = period
    assert meeting.id is not None, "agendas belong to stored meetings"
    concerns = _agenda_concerns(store, meeting, since)
    if not policy_for(role).sees_details:  # the public: which concerns, not what they say
        concerns = concerns.assign(description="", x=float("nan"), y=float("nan"))
    agenda = Agenda(meeting, role, since, until, previous, concerns, hotspots, measures, [],
                    figures)
    items = _items(agenda, _free_items(store, meeting.id, policy_for(role).sees_details))
    return replace(agenda, items=_ordered(items, _positions(store, meeting.id)))


def _short(text: str) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= SHOWN_TEXT else text[:SHOWN_TEXT - 1] + "…"


def _count(value) -> object:
    return pd.NA if pd.isna(value) else int(value)


def _items(agenda: Agenda, free: list[AgendaItem]) -> list[AgendaItem]:
    vocab = vocabulary()
    policy = policy_for(agenda.role)
    k = policy.min_count
    items = [_situation(agenda, k)]
    for row in agenda.concerns.itertuples():
        restricted = row.category in vocab.restricted_categories
        what = (vocab.categories[row.category].label if row.category in vocab.categories
                and (policy.sees_restricted_categories or not restricted)
                else vocab.topics.get(row.topic, row.topic))
        where = f" ({row.ortsteil})" if isinstance(row.ortsteil, str) and row.ortsteil else ""
        place = (shapely.Point(row.x, row.y) if policy.sees_details and pd.notna(row.x)
                 and pd.notna(row.y) else None)
        items.append(AgendaItem(
            f"concern:{row.id}", "concern", f"Anliegen Nr. {row.id}: {what}{where}",
            _short(row.description) if policy.sees_details else
            "Ein Anliegen aus der Nachbarschaft (Einzelheiten sehen angemeldete Mitglieder).",
            area=place))
    for number, row in enumerate(agenda.hotspots.itertuples(), start=1):
        if row.change not in RISING:
            continue
        now, before = _count(row.reports_now), _count(row.reports_before)
        where = f" ({row.ortsteil})" if row.ortsteil else ""
        items.append(AgendaItem(f"hotspot:{row.place}", "hotspot", f"{row.place}{where}",
                                f"{row.change_label}: {row.change_text}",
                                {"jetzt": now, "davor": before}, tuple(row.cell_ids),
                                number=number))
    for row in agenda.measures.itertuples():
        text = f"{row.reason}. Wirkung bisher: {row.effect}"
        if row.note:
            text += f" {row.note}"
        items.append(AgendaItem(
            f"measure:{row.id}", "measure",
            f"{row.title} ({KINDS[row.kind]}, {STATUSES[row.status]}, seit "
            f"{german_date(row.starts_on)})" if row.status != "planned" else
            f"{row.title} ({KINDS[row.kind]}, {STATUSES[row.status]})", text,
            measure_id=int(row.id), area=row.area))
    return items + free


def _situation(agenda: Agenda, k: int) -> AgendaItem:
    """The period at a glance: all reports now and before, and the listed hot sections."""
    total = agenda.figures.iloc[0] if len(agenda.figures) else None
    now = _count(total["jetzt"]) if total is not None else pd.NA
    before = _count(total["davor"]) if total is not None else pd.NA
    rising = int(agenda.hotspots["change"].isin(RISING).sum()) if len(agenda.hotspots) else 0
    listed = len(agenda.hotspots)
    text = (f"{count_text(now, k)} Meldungen im Zeitraum, im Zeitraum davor "
            f"{count_text(before, k)}. "
            + (f"Hotspots nach Straßenabschnitt mit den meisten Meldungen: {listed}"
               + (f", davon {rising} neu oder verstärkt (▲)." if rising else ".")
               if listed else "Kein Straßenabschnitt ist im Zeitraum ein Hotspot."))
    return AgendaItem(SITUATION_KEY, "situation", SECTION_TITLES["situation"], text,
                      {"jetzt": now, "davor": before})


def _free_items(store, meeting_id: int, details: bool) -> list[AgendaItem]:
    """Redaktion's own points; without ``details`` (the public) the title only."""
    t = items_table
    with store.engine.connect() as conn:
        rows = conn.execute(select(t).where(t.c.meeting_id == meeting_id,
                                            t.c.key.like("free:%"))).all()
    return [AgendaItem(r.key, "free", r.title or "", (r.note or "") if details else "")
            for r in rows]


def _positions(store, meeting_id: int) -> dict[str, int]:
    t = items_table
    with store.engine.connect() as conn:
        rows = conn.execute(select(t.c.key, t.c.position).where(
            t.c.meeting_id == meeting_id)).all()
    return {r.key: int(r.position) for r in rows}


def _ordered(items: list[AgendaItem], positions: dict[str, int]) -> list[AgendaItem]:
    """Stored positions first; items without one keep their section's place."""
    default = {item.key: SECTION_BASE[item.kind] + n for n, item in enumerate(items)}
    return sorted(items, key=lambda i: (positions.get(i.key, default[i.key]), default[i.key]))


def add_free_item(store, meeting_id: int, title: str, note: str, actor: str) -> str:
    """A point Redaktion adds by hand (audited); returns its key."""
    title = " ".join((title or "").split())
    if not title:
        raise AgendaError("Feld „Punkt“: Bitte einen Titel angeben.")
    if len(title) > MAX_FREE_TITLE or len(note or "") > MAX_FREE_NOTE:
        raise AgendaError(f"Feld „Punkt“: höchstens {MAX_FREE_TITLE} Zeichen Titel und "
                          f"{MAX_FREE_NOTE} Zeichen Notiz.")
    get_meeting(store, meeting_id)
    t = items_table
    with store.transaction() as conn:
        last = conn.execute(select(sa.func.max(t.c.position)).where(
            t.c.meeting_id == meeting_id)).scalar()
        new_id = conn.execute(t.insert().values(
            meeting_id=meeting_id, key=f"new:{uuid.uuid4().hex}", title=title,
            note=(note or "").strip(), position=max(int(last or 0) + 1,
                                                    SECTION_BASE["free"] + 50),
        )).inserted_primary_key[0]
        key = f"free:{new_id}"
        conn.execute(t.update().where(t.c.id == new_id).values(key=key))
        audit.record(store, actor, "agenda_add", {"meeting": meeting_id, "key": key,
                                                  "title": title}, conn=conn)
        store.bump_version(conn)
    return key


def remove_free_item(store, meeting_id: int, key: str, actor: str) -> None:
    t = items_table
    with store.transaction() as conn:
        gone = conn.execute(t.delete().where(t.c.meeting_id == meeting_id, t.c.key == key,
                                             t.c.key.like("free:%"))).rowcount
        if not gone:
            raise AgendaError(f"Einen Punkt „{key}“ gibt es auf dieser Tagesordnung nicht.")
        audit.record(store, actor, "agenda_remove", {"meeting": meeting_id, "key": key},
                     conn=conn)
        store.bump_version(conn)


def move_item(store, agenda: Agenda, key: str, step: int, actor: str) -> None:
    """Move an item up (step -1) or down (+1); the whole order is stored, so it stays as
    Redaktion left it when new items arrive (they join their section at the end)."""
    keys = [i.key for i in agenda.items]
    if key not in keys:
        raise AgendaError(f"Einen Punkt „{key}“ gibt es auf dieser Tagesordnung nicht.")
    i = keys.index(key)
    keys.insert(min(max(i + step, 0), len(keys) - 1), keys.pop(i))
    t = items_table
    mid = agenda.meeting.id
    with store.transaction() as conn:
        stored = {r.key for r in conn.execute(select(t.c.key).where(t.c.meeting_id == mid))}
        for position, k in enumerate(keys, start=1):
            if k in stored:
                conn.execute(t.update().where(t.c.meeting_id == mid, t.c.key == k)
                             .values(position=position))
            else:
                conn.execute(t.insert().values(meeting_id=mid, key=k, position=position))
        audit.record(store, actor, "agenda_order", {"meeting": mid, "key": key, "step": step},
                     conn=conn)
        store.bump_version(conn)


def agenda_lines(agenda: Agenda) -> list[str]:
    """The agenda as plain German lines (text download; not escaped)."""
    m = agenda.meeting
    lines = [f"Tagesordnung: {m.label}", f"Betrachteter Zeitraum: {agenda.period_text}", ""]
    for n, item in enumerate(agenda.items, start=1):
        lines.append(f"{n}. {item.title}")
        lines.append(f"   {item.text}")
    if not agenda.items:
        lines.append("Keine Punkte.")
    return lines
