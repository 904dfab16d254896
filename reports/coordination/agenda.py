"""The agenda of a meeting: what the alliance should talk about.

Three sources: concerns that Redaktion accepted (or put on this meeting's agenda), hot spots
that are new or intensifying since the previous meeting, and measures due for review. The
meeting interval is the comparison period throughout, because that is what the members
remember ("since we last met").
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import pandas as pd
from sqlalchemy import and_, or_, select

from geo.gazetteer import nearest_street
from geo.grid import GridSpec
from reports.coordination.measures import KINDS, Measure, list_measures
from reports.model import TIMEZONE, vocabulary
from reports.storage.query import ReportFilter, apply_filter
from reports.storage.schema import concerns as concerns_table

SPEC = GridSpec(100, "square")
DEFAULT_INTERVAL = timedelta(days=42)  # without a previous meeting: six weeks back
SHOWN_TEXT = 160  # characters of a concern's description on the agenda
MIN_HOTSPOT_REPORTS = 5  # a hot cell with fewer reports of its own is only a neighbour's echo
MAX_HOTSPOTS = 12


@dataclass(frozen=True)
class Agenda:
    meeting_id: int
    held_on: date
    title: str
    since: date  # start of the period this agenda looks at (day after the previous meeting)
    previous_on: date | None
    concerns: pd.DataFrame  # id, topic, category, description, ortsteil, status
    hotspots: pd.DataFrame  # change(_label), near, ortsteil, cells, reports_now, reports_before
    measures: pd.DataFrame  # id, title, kind, status, starts_on, ends_on, reason


def meeting_days(store) -> pd.DataFrame:
    meetings = store.list_meetings()
    meetings["held_on"] = pd.to_datetime(meetings["held_on"]).dt.date
    return meetings.sort_values("held_on").reset_index(drop=True)


def next_meeting(store, today: date) -> dict | None:
    """The first meeting on or after ``today`` (id, held_on, title), or None."""
    meetings = meeting_days(store)
    upcoming = meetings[meetings["held_on"] >= today]
    return None if upcoming.empty else upcoming.iloc[0].to_dict()


def _agenda_concerns(store, meeting_id: int, since: date, held_on: date) -> pd.DataFrame:
    start = int(pd.Timestamp(since, tz=TIMEZONE).timestamp())
    end = int(pd.Timestamp(held_on, tz=TIMEZONE).timestamp())
    c = concerns_table
    query = select(c.c.id, c.c.created_at, c.c.topic, c.c.category, c.c.description,
                   c.c.ortsteil, c.c.status).where(or_(
                       and_(c.c.meeting_id == meeting_id, c.c.status != "rejected"),
                       and_(c.c.meeting_id.is_(None), c.c.status.in_(("accepted", "merged")),
                            c.c.created_at >= start, c.c.created_at < end),
                   )).order_by(c.c.created_at)
    with store.engine.connect() as conn:
        return pd.read_sql_query(query, conn)


def _agenda_hotspots(frame: pd.DataFrame, since: date, held_on: date,
                     spec: GridSpec) -> pd.DataFrame:
    from geo.boundary import assign_ortsteil
    from geo.compare import hotspot_changes
    from geo.grid import cell_centres

    length = held_on - since
    now = apply_filter(frame, ReportFilter(since, held_on - timedelta(days=1)))
    before = apply_filter(frame, ReportFilter(since - length, since - timedelta(days=1)))
    changes = hotspot_changes(now, before, spec)
    out = changes[changes["change"].isin(("new", "intensifying"))
                  & (changes["reports_now"] >= MIN_HOTSPOT_REPORTS)].copy()
    x, y = cell_centres(out["cell_id"].to_numpy(), spec)
    out["ortsteil"] = pd.Series(assign_ortsteil(x, y), index=out.index).fillna("")
    out["near"] = nearest_street(x, y)
    # neighbouring cells along one street are one topic for the meeting
    grouped = (out.groupby(["change", "change_label", "near", "ortsteil"], as_index=False)
               .agg(cells=("cell_id", "size"), reports_now=("reports_now", "sum"),
                    reports_before=("reports_before", "sum")))
    return grouped.sort_values(["reports_now", "near"], ascending=[False, True]).head(
        MAX_HOTSPOTS).reset_index(drop=True)


def due_for_review(items: list[Measure], held_on: date, since: date,
                   interval: timedelta) -> pd.DataFrame:
    """Open measures with at least one meeting interval of data, and measures that ended
    since the previous meeting."""
    rows = []
    for m in items:
        reason = None
        if m.ends_on is not None and since <= m.ends_on < held_on:
            reason = f"beendet am {m.ends_on:%d.%m.%Y}: Bilanz ziehen"
        elif m.status in ("active", "planned") and m.starts_on <= held_on - interval:
            weeks = (held_on - m.starts_on).days // 7
            reason = f"läuft seit {weeks} Wochen: Wirkung prüfen"
        if reason:
            rows.append({"id": m.id, "title": m.title, "kind": m.kind, "status": m.status,
                         "starts_on": m.starts_on, "ends_on": m.ends_on, "reason": reason})
    return pd.DataFrame(rows, columns=["id", "title", "kind", "status", "starts_on", "ends_on",
                                       "reason"])


def build_agenda(store, meeting_id: int, frame: pd.DataFrame | None = None,
                 spec: GridSpec = SPEC) -> Agenda:
    """The agenda of meeting ``meeting_id``. ``frame``: the reports to look for hot spots in
    (default: all reports of the store; a page passes the frame the role may see)."""
    meetings = meeting_days(store)
    match = meetings.index[meetings["id"] == meeting_id]
    if len(match) == 0:
        raise ValueError(f"Eine Sitzung {meeting_id} gibt es nicht.")
    i = int(match[0])
    held_on, title = meetings.at[i, "held_on"], meetings.at[i, "title"]
    previous_on = meetings.at[i - 1, "held_on"] if i > 0 else None
    since = previous_on + timedelta(days=1) if previous_on else held_on - DEFAULT_INTERVAL
    interval = held_on - since
    if frame is None:
        frame = store.load_reports(ReportFilter(since - interval, held_on))
    return Agenda(
        meeting_id=int(meeting_id), held_on=held_on, title=str(title), since=since,
        previous_on=previous_on,
        concerns=_agenda_concerns(store, meeting_id, since, held_on),
        hotspots=_agenda_hotspots(frame, since, held_on, spec),
        measures=due_for_review(list_measures(store), held_on, since, interval),
    )


def _short(text: str) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= SHOWN_TEXT else text[:SHOWN_TEXT - 1] + "…"


def agenda_lines(agenda: Agenda) -> list[str]:
    """The agenda as plain German lines, for the PDF handout and the page (not escaped:
    each output escapes for its own context)."""
    vocab = vocabulary()
    lines = [f"Tagesordnung: {agenda.title} am {agenda.held_on:%d.%m.%Y}",
             f"Betrachteter Zeitraum: {agenda.since:%d.%m.%Y} – "
             f"{agenda.held_on - timedelta(days=1):%d.%m.%Y}", ""]
    lines.append(f"1. Anliegen ({len(agenda.concerns)})")
    for row in agenda.concerns.itertuples():
        what = (vocab.categories[row.category].label if row.category in vocab.categories
                else vocab.topics.get(row.topic, row.topic))
        where = f" ({row.ortsteil})" if isinstance(row.ortsteil, str) and row.ortsteil else ""
        lines.append(f"   – Nr. {row.id}, {what}{where}: {_short(row.description)}")
    if agenda.concerns.empty:
        lines.append("   – keine")
    lines.append(f"2. Neue oder sich verstärkende Hotspots ({len(agenda.hotspots)})")
    for row in agenda.hotspots.itertuples():
        where = ", ".join(v for v in (row.near, row.ortsteil) if v) or "ohne Straßenbezug"
        cells = f", {row.cells} Zellen à {SPEC.cell_m} m" if row.cells > 1 else ""
        lines.append(f"   – {row.change_label} bei {where}{cells}: {row.reports_now} Meldungen "
                     f"(im Zeitraum davor {row.reports_before})")
    if agenda.hotspots.empty:
        lines.append("   – keine")
    lines.append(f"3. Maßnahmen zur Überprüfung ({len(agenda.measures)})")
    for row in agenda.measures.itertuples():
        lines.append(f"   – {row.title} ({KINDS[row.kind]}, seit {row.starts_on:%d.%m.%Y}): "
                     f"{row.reason}")
    if agenda.measures.empty:
        lines.append("   – keine")
    return lines
